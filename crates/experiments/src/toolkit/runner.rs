//! Runs the training runs an experiment is made of, resumably: a run already finished in its
//! folder is read back, an interrupted one resumes, and (for a report written while the
//! experiment runs) a missing one can be left pending instead of trained.

use actlab_datasets::LoadedDataset;
use actlab_train::metrics;
use actlab_train::progress::ProgressMode;
use actlab_train::{Prepared, RunFolder, RunOptions, StopReason, Summary, UncheckedConfig, train};
use std::path::{Path, PathBuf};

use crate::ExperimentError;

/// One training run of an experiment: its folder, its config and its progress label.
#[derive(Clone, Debug)]
pub struct RunSpec {
    pub folder: PathBuf,
    pub config: UncheckedConfig,
    pub label: String,
}

/// Runs specs on one loaded dataset.
pub struct Runner<'a> {
    data: &'a LoadedDataset,
    progress: ProgressMode,
    train_missing: bool,
}

impl<'a> Runner<'a> {
    /// `train_missing` false: report what has finished, train nothing.
    pub fn new(data: &'a LoadedDataset, progress: ProgressMode, train_missing: bool) -> Self {
        Self { data, progress, train_missing }
    }

    pub fn data(&self) -> &LoadedDataset {
        self.data
    }

    /// Whether missing runs are trained (false: `--report-only`).
    pub fn trains(&self) -> bool {
        self.train_missing
    }

    /// The summary of `spec`'s run: the finished one in its folder, else a new or resumed run's,
    /// or `None` when the runner trains nothing.
    pub fn run(&self, spec: RunSpec) -> Result<Option<Summary>, ExperimentError> {
        let folder = RunFolder::new(&spec.folder);
        let checked = spec.config.check(&spec.folder.display().to_string())?;
        if !self.train_missing {
            return Ok(folder.finished(&checked)?);
        }
        // prepare() finds a finished run itself (reading the folder once), else writes the config.
        if let Prepared::Finished(summary) = folder.prepare(&checked, false)? {
            return Ok(Some(*summary));
        }
        let options = RunOptions { out: spec.folder, progress: self.progress, label: spec.label };
        Ok(Some(train(&checked, self.data, &options)?))
    }
}

/// How far an unfinished run got, from its metrics.csv: " (at epoch 12.34)", or "".
pub fn progress_note(folder: &Path) -> String {
    metrics::read(&RunFolder::new(folder).metrics_path())
        .ok()
        .and_then(|rows| rows.last().map(|r| format!(" (at epoch {:.2})", r.epoch)))
        .unwrap_or_default()
}

/// Whether the run ended with a NaN or infinite loss.
pub fn diverged(summary: &Summary) -> bool {
    matches!(summary.stop, Some(StopReason::Diverged { .. }))
}
