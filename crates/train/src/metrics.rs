//! `metrics.csv`: one row every `log_every` iterations and at each epoch end.

use serde::{Deserialize, Serialize};
use std::fs::{self, File, OpenOptions};
use std::io::{BufWriter, Write};
use std::path::{Path, PathBuf};

use crate::TrainError;

pub const HEADER: &str = "epoch,iteration,train_loss,train_error,test_error,lr,images_per_sec,elapsed_s";
/// Columns that depend on the machine's speed, not on the computation.
pub const TIMING_COLUMNS: [&str; 2] = ["images_per_sec", "elapsed_s"];

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct MetricsRow {
    /// Fractional epochs: images seen / training-set size.
    pub epoch: f64,
    pub iteration: u64,
    /// Mean batch loss over the current epoch so far.
    pub train_loss: f64,
    /// Misclassification rate over the current epoch's batches so far (cuda-convnet's figure).
    pub train_error: f64,
    pub test_error: Option<f64>,
    pub lr: f64,
    pub images_per_sec: f64,
    pub elapsed_s: f64,
}

impl MetricsRow {
    pub fn to_csv(&self) -> String {
        let test = self.test_error.map(|e| format!("{e:.6}")).unwrap_or_default();
        format!(
            "{:.6},{},{:.6},{:.6},{test},{:e},{:.1},{:.3}",
            self.epoch, self.iteration, self.train_loss, self.train_error, self.lr, self.images_per_sec, self.elapsed_s
        )
    }

    pub fn parse(line: &str) -> Option<Self> {
        let f: Vec<&str> = line.split(',').collect();
        if f.len() != 8 {
            return None;
        }
        Some(Self {
            epoch: f[0].parse().ok()?,
            iteration: f[1].parse().ok()?,
            train_loss: f[2].parse().ok()?,
            train_error: f[3].parse().ok()?,
            test_error: if f[4].is_empty() { None } else { Some(f[4].parse().ok()?) },
            lr: f[5].parse().ok()?,
            images_per_sec: f[6].parse().ok()?,
            elapsed_s: f[7].parse().ok()?,
        })
    }
}

/// Reads every row of a `metrics.csv`.
pub fn read(path: &Path) -> Result<Vec<MetricsRow>, TrainError> {
    let text = fs::read_to_string(path).map_err(|e| TrainError::io(path, e))?;
    text.lines()
        .skip(1)
        .filter(|l| !l.trim().is_empty())
        .enumerate()
        .map(|(i, l)| {
            MetricsRow::parse(l)
                .ok_or_else(|| TrainError::Corrupt { path: path.into(), reason: format!("line {} is not a metrics row: {l}", i + 2) })
        })
        .collect()
}

/// Appends rows, flushing each so an interrupted run keeps everything it logged.
pub struct MetricsWriter {
    path: PathBuf,
    file: BufWriter<File>,
}

impl MetricsWriter {
    /// Starts a new file, or keeps the rows of an interrupted run up to `resume_iteration`;
    /// also returns the last row kept.
    pub fn open(path: &Path, resume_iteration: Option<u64>) -> Result<(Self, Option<MetricsRow>), TrainError> {
        let kept: Vec<MetricsRow> = match resume_iteration {
            Some(last) if path.exists() => read(path)?.into_iter().filter(|r| r.iteration <= last).collect(),
            _ => Vec::new(),
        };
        let mut text = format!("{HEADER}\n");
        for row in &kept {
            text.push_str(&row.to_csv());
            text.push('\n');
        }
        fs::write(path, text).map_err(|e| TrainError::io(path, e))?;
        let file = OpenOptions::new().append(true).open(path).map_err(|e| TrainError::io(path, e))?;
        Ok((Self { path: path.into(), file: BufWriter::new(file) }, kept.last().cloned()))
    }

    pub fn write(&mut self, row: &MetricsRow) -> Result<(), TrainError> {
        writeln!(self.file, "{}", row.to_csv()).and_then(|_| self.file.flush()).map_err(|e| TrainError::io(&self.path, e))
    }
}
