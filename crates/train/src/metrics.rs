//! `metrics.csv`: one row every `log_every` iterations and at each epoch end.

use serde::{Deserialize, Serialize};
use std::fs::{self, File, OpenOptions};
use std::io::{BufWriter, Write};
use std::path::{Path, PathBuf};

use crate::TrainError;
use crate::durable::{failpoint, write_atomic};

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
    parse_rows(path, &text, false)
}

/// The rows of `text`; with `torn_tail_allowed`, a last line without its newline that does not
/// parse is dropped (a row cut off by a power cut), any other bad line is an error.
fn parse_rows(path: &Path, text: &str, torn_tail_allowed: bool) -> Result<Vec<MetricsRow>, TrainError> {
    let torn = torn_tail_allowed && !text.is_empty() && !text.ends_with('\n');
    let lines: Vec<&str> = text.lines().collect();
    let mut rows = Vec::with_capacity(lines.len());
    for (i, line) in lines.iter().enumerate().skip(1) {
        if line.trim().is_empty() {
            continue;
        }
        match MetricsRow::parse(line) {
            Some(row) => rows.push(row),
            None if torn && i + 1 == lines.len() => {}
            None => {
                let reason = format!("line {} is not a metrics row: {}", i + 1, line.escape_debug());
                return Err(TrainError::Corrupt { path: path.into(), reason });
            }
        }
    }
    Ok(rows)
}

/// Appends rows, flushing each so an interrupted run keeps everything it logged.
pub struct MetricsWriter {
    path: PathBuf,
    file: BufWriter<File>,
}

impl MetricsWriter {
    /// Starts a new file, or keeps the rows of an interrupted run up to `resume_iteration`;
    /// also returns the last row kept. The file is replaced atomically, never truncated in
    /// place: a kill at any moment leaves either the old rows or the kept ones.
    pub fn open(path: &Path, resume_iteration: Option<u64>) -> Result<(Self, Option<MetricsRow>), TrainError> {
        let kept: Vec<MetricsRow> = match resume_iteration {
            Some(last) if path.exists() => {
                let text = fs::read_to_string(path).map_err(|e| TrainError::io(path, e))?;
                parse_rows(path, &text, true)?.into_iter().filter(|r| r.iteration <= last).collect()
            }
            _ => Vec::new(),
        };
        let mut text = format!("{HEADER}\n");
        for row in &kept {
            text.push_str(&row.to_csv());
            text.push('\n');
        }
        write_atomic(path, text.as_bytes(), "metrics").map_err(|e| TrainError::io(path, e))?;
        let file = OpenOptions::new().append(true).open(path).map_err(|e| TrainError::io(path, e))?;
        Ok((Self { path: path.into(), file: BufWriter::new(file) }, kept.last().cloned()))
    }

    /// Appends one row and flushes it (failpoint `metrics-row`: half the row written).
    pub fn write(&mut self, row: &MetricsRow) -> Result<(), TrainError> {
        let line = format!("{}\n", row.to_csv());
        let (head, tail) = line.split_at(line.len() / 2);
        let io = |e| TrainError::io(&self.path, e);
        self.file.write_all(head.as_bytes()).and_then(|_| self.file.flush()).map_err(io)?;
        failpoint("metrics-row");
        self.file.write_all(tail.as_bytes()).and_then(|_| self.file.flush()).map_err(io)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn row(iteration: u64) -> MetricsRow {
        MetricsRow {
            epoch: iteration as f64 / 10.0,
            iteration,
            train_loss: 1.5,
            train_error: 0.5,
            test_error: None,
            lr: 0.01,
            images_per_sec: 100.0,
            elapsed_s: 1.0,
        }
    }

    #[test]
    fn resuming_keeps_rows_up_to_the_checkpoint_and_drops_a_torn_last_row() {
        let dir = tempfile::tempdir().expect("tempdir");
        let path = dir.path().join("metrics.csv");
        let (mut writer, _) = MetricsWriter::open(&path, None).expect("open");
        for i in [4, 8, 12] {
            writer.write(&row(i)).expect("write");
        }
        drop(writer);
        let mut text = fs::read_to_string(&path).expect("read");
        text.push_str("1.600000,16,1.5");
        fs::write(&path, &text).expect("tear");
        assert!(read(&path).is_err(), "a plain read reports the torn row");
        let (_, last) = MetricsWriter::open(&path, Some(8)).expect("resume");
        assert_eq!(last.map(|r| r.iteration), Some(8));
        assert_eq!(read(&path).expect("read").iter().map(|r| r.iteration).collect::<Vec<_>>(), vec![4, 8]);
    }

    #[test]
    fn a_bad_row_in_the_middle_is_an_error_naming_the_line() {
        let dir = tempfile::tempdir().expect("tempdir");
        let path = dir.path().join("metrics.csv");
        fs::write(&path, format!("{HEADER}\n{}\ngarbage\x1b\n{}\n", row(4).to_csv(), row(8).to_csv())).expect("write");
        let err = MetricsWriter::open(&path, Some(8)).err().expect("corrupt");
        assert!(err.to_string().contains("line 3 is not a metrics row: garbage\\u{1b}"), "{err}");
    }
}
