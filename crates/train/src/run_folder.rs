//! A run folder: `config.toml` (resolved), `metrics.csv`, `summary.json`, `checkpoint/`,
//! `model.bpk`. Rerunning into the same folder resumes; a different config there is refused.
//! This type owns the file names and the one rule for "this run has finished".

use std::fs;
use std::path::{Path, PathBuf};

use crate::TrainError;
use crate::config::{RunConfig, UncheckedConfig};
use crate::durable::{remove_stale_temporaries, sync_file, write_atomic};
use crate::stop::max_iterations;
use crate::summary::{StopReason, Summary};

/// What a run folder already holds.
#[derive(Debug)]
pub enum Prepared {
    /// Nothing, or an interrupted run of the same config: train (resuming if there is a checkpoint).
    Ready,
    /// A run of the same config that has finished (see [`RunFolder::finished`]).
    Finished(Box<Summary>),
}

/// Held while a process trains into a run folder; released when dropped or when the process dies.
/// Two processes on one folder (found when a study was restarted while its last jobs still ran)
/// appended to the same metrics.csv and wrote the same checkpoints; the result stayed right only
/// because training is deterministic. The lock is an exclusive `flock` on the folder itself, so
/// no file is added to the folder and a killed process leaves nothing to clean up.
#[derive(Debug)]
pub struct FolderLock {
    _dir: fs::File,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RunFolder {
    dir: PathBuf,
}

/// The parts of a config that define what is computed; the epoch and time limits may change on resume.
fn identity(config: &RunConfig) -> String {
    let mut inner = (*config).clone().into_inner();
    // A run may be extended (more epochs or time), but a new target is a different experiment.
    inner.stop.max_epochs = 0.0;
    inner.stop.max_seconds = None;
    inner.training.checkpoint_minutes = 0.0;
    toml::to_string(&inner).unwrap_or_default()
}

impl RunFolder {
    pub fn new(dir: impl Into<PathBuf>) -> Self {
        Self { dir: dir.into() }
    }

    pub fn dir(&self) -> &Path {
        &self.dir
    }

    pub fn config_path(&self) -> PathBuf {
        self.dir.join("config.toml")
    }

    pub fn metrics_path(&self) -> PathBuf {
        self.dir.join("metrics.csv")
    }

    pub fn summary_path(&self) -> PathBuf {
        self.dir.join("summary.json")
    }

    pub fn model_path(&self) -> PathBuf {
        self.dir.join("model.bpk")
    }

    pub fn checkpoint_dir(&self) -> PathBuf {
        self.dir.join("checkpoint")
    }

    /// Takes the folder (creating it) for this process, or says that another process has it.
    pub fn lock(&self) -> Result<FolderLock, TrainError> {
        fs::create_dir_all(&self.dir).map_err(|e| TrainError::io(&self.dir, e))?;
        let dir = fs::File::open(&self.dir).map_err(|e| TrainError::io(&self.dir, e))?;
        match dir.try_lock() {
            Ok(()) => Ok(FolderLock { _dir: dir }),
            Err(fs::TryLockError::WouldBlock) => Err(TrainError::Busy { folder: self.dir.clone() }),
            Err(fs::TryLockError::Error(e)) => Err(TrainError::io(&self.dir, e)),
        }
    }

    /// The summary.json there, if it can be read.
    pub fn read_summary(&self) -> Option<Summary> {
        fs::read_to_string(self.summary_path()).ok().and_then(|text| serde_json::from_str(&text).ok())
    }

    /// The summary left by a run of `config`, if there is one; an error if the folder holds a
    /// run of a different config. Only reads.
    pub fn existing_summary(&self, config: &RunConfig) -> Result<Option<Summary>, TrainError> {
        let config_path = self.config_path();
        if !config_path.exists() {
            return Ok(None);
        }
        let text = fs::read_to_string(&config_path).map_err(|e| TrainError::io(&config_path, e))?;
        if text.is_empty() {
            // Left by a version of actlab that wrote it in place and was killed while doing so:
            // nothing can have trained without it, so the folder holds no run yet.
            return Ok(None);
        }
        let name = config_path.display().to_string();
        let previous = UncheckedConfig::parse(&text, &name, &[])?.check(&name)?;
        if identity(&previous) != identity(config) {
            return Err(TrainError::DifferentConfig { folder: self.dir.clone() });
        }
        Ok(self.read_summary())
    }

    /// The summary of a finished run of `config`: one that reached its target or diverged (more
    /// epochs would not change it), or used every iteration `config` allows. A run stopped by
    /// its time limit, or cut short, is not finished: training it again resumes it.
    pub fn finished(&self, config: &RunConfig) -> Result<Option<Summary>, TrainError> {
        Ok(self.existing_summary(config)?.filter(|s| match &s.stop {
            Some(stop) if stop.is_final() => true,
            Some(StopReason::MaxEpochs) => {
                s.iterations >= max_iterations(config.stop.max_epochs, s.dataset.train_images, config.training.batch_size)
            }
            _ => false,
        }))
    }

    /// Checks the folder against `config`, wiping it first when `fresh`, removes the temporary
    /// files a killed run left, and writes the config if the folder has none (or an older limit).
    pub fn prepare(&self, config: &RunConfig, fresh: bool) -> Result<Prepared, TrainError> {
        fs::create_dir_all(&self.dir).map_err(|e| TrainError::io(&self.dir, e))?;
        if fresh {
            for file in [self.metrics_path(), self.summary_path(), self.model_path(), self.config_path()] {
                let _ = fs::remove_file(file);
            }
            let _ = fs::remove_dir_all(self.checkpoint_dir());
        }
        for dir in [self.dir.clone(), self.checkpoint_dir()] {
            remove_stale_temporaries(&dir).map_err(|e| TrainError::io(&dir, e))?;
        }
        if let Some(summary) = self.finished(config)? {
            return Ok(Prepared::Finished(Box::new(summary)));
        }
        self.write_config(config)?;
        Ok(Prepared::Ready)
    }

    /// Writes `config.toml` atomically, and only when its text changes: a resume with the same
    /// limits leaves the file untouched; one with a longer limit records the new limit.
    fn write_config(&self, config: &RunConfig) -> Result<(), TrainError> {
        let (path, text) = (self.config_path(), config.to_toml());
        if fs::read_to_string(&path).is_ok_and(|old| old == text) {
            return Ok(());
        }
        write_atomic(&path, text.as_bytes(), "config").map_err(|e| TrainError::io(&path, e))
    }

    /// Writes summary.json atomically and durably.
    pub fn write_summary(&self, summary: &Summary) -> Result<(), TrainError> {
        let path = self.summary_path();
        let json = serde_json::to_string_pretty(summary).unwrap_or_default();
        write_atomic(&path, json.as_bytes(), "summary").map_err(|e| TrainError::io(&path, e))
    }

    /// Flushes `model.bpk` (written by Burn's recorder, which renames it into place) to disk.
    pub fn sync_model(&self) -> Result<(), TrainError> {
        let path = self.model_path();
        sync_file(&path).map_err(|e| TrainError::io(&path, e))
    }
}
