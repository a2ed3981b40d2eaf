//! Runs the training runs an experiment is made of, resumably: a run already finished in its
//! folder is read back, an interrupted one resumes, and (for a report written while the
//! experiment runs) a missing one can be left pending instead of trained.

use actlab_datasets::LoadedDataset;
use actlab_train::metrics;
use actlab_train::progress::ProgressMode;
use actlab_train::{Prepared, RunFolder, RunOptions, StopReason, Summary, UncheckedConfig, train};
use std::cell::RefCell;
use std::fs::File;
use std::io::Write;
use std::path::{Path, PathBuf};

use crate::ExperimentError;
use crate::toolkit::options::ExperimentOptions;
use crate::toolkit::tuner::{Measured, Score};
use actlab_train::stop::max_iterations;

/// One training run of an experiment: its folder, its config and its progress label.
#[derive(Clone, Debug)]
pub struct RunSpec {
    pub folder: PathBuf,
    pub config: UncheckedConfig,
    pub label: String,
}

/// What a runner does with a run that has not finished.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum RunMode {
    /// Train it (or resume it).
    Train,
    /// Nothing: report what has finished (`--report-only`).
    ReportOnly,
    /// Write its config into its folder and one `actlab train` command for it into this job list,
    /// for GNU parallel or a Slurm array to run (`--plan FILE`).
    Plan(PathBuf),
}

impl RunMode {
    pub fn of(options: &ExperimentOptions) -> Self {
        match (&options.plan, options.report_only) {
            (Some(file), _) => Self::Plan(file.clone()),
            (None, true) => Self::ReportOnly,
            (None, false) => Self::Train,
        }
    }
}

/// Runs specs on one loaded dataset.
pub struct Runner<'a> {
    data: &'a LoadedDataset,
    progress: ProgressMode,
    mode: RunMode,
    /// The job list of `RunMode::Plan`, emptied when the runner is made.
    jobs: RefCell<Option<File>>,
}

impl<'a> Runner<'a> {
    /// A runner for an experiment run with `options`: it trains, only reports, or writes the job list.
    pub fn for_experiment(data: &'a LoadedDataset, options: &ExperimentOptions) -> Result<Self, ExperimentError> {
        let mode = RunMode::of(options);
        let jobs = match &mode {
            RunMode::Plan(file) => Some(File::create(file).map_err(|e| ExperimentError::io(file, e))?),
            _ => None,
        };
        Ok(Self { data, progress: options.progress, mode, jobs: RefCell::new(jobs) })
    }

    pub fn data(&self) -> &LoadedDataset {
        self.data
    }

    /// Whether missing runs are trained here (false: `--report-only` and `--plan`).
    pub fn trains(&self) -> bool {
        self.mode == RunMode::Train
    }

    /// Whether the runner writes into run folders (false only for `--report-only`): measurements
    /// a study keeps beside its runs are made then.
    pub fn writes(&self) -> bool {
        self.mode != RunMode::ReportOnly
    }

    /// The summary of `spec`'s run: the finished one in its folder, else a new or resumed run's,
    /// or `None` when the runner trains nothing (for `--plan`, after listing the run's job).
    pub fn run(&self, spec: RunSpec) -> Result<Option<Summary>, ExperimentError> {
        let folder = RunFolder::new(&spec.folder);
        let checked = spec.config.check(&spec.folder.display().to_string())?;
        if self.mode == RunMode::ReportOnly {
            return Ok(folder.finished(&checked)?);
        }
        let _lock = folder.lock()?;
        // prepare() finds a finished run itself (reading the folder once), else writes the config.
        if let Prepared::Finished(summary) = folder.prepare(&checked, false)? {
            return Ok(Some(*summary));
        }
        if let RunMode::Plan(file) = &self.mode {
            self.list_job(&folder, file)?;
            return Ok(None);
        }
        let options = RunOptions { out: spec.folder, progress: self.progress, label: spec.label };
        Ok(Some(train(&checked, self.data, &options)?))
    }

    /// What the tuner reads of `spec`'s run: its running training error at exactly the spec's
    /// budget (the row where a run stopped at that budget, kept when it later went on), Diverged
    /// if the loss went non-finite before it, or Pending while the run has not got there.
    pub fn score(&self, spec: RunSpec) -> Result<Measured, ExperimentError> {
        let (folder, budget, batch) = (RunFolder::new(&spec.folder), spec.config.stop.max_epochs, spec.config.training.batch_size);
        let Some(summary) = self.run(spec)? else { return Ok(Measured::Pending) };
        let at = max_iterations(budget, summary.dataset.train_images, batch);
        let rows = metrics::read(&folder.metrics_path())?;
        if let Some(row) = rows.iter().rev().find(|r| r.iteration <= at)
            && (row.iteration == at || !diverged(&summary))
        {
            return Ok(Measured::Done(Score::Value(row.train_error)));
        }
        Ok(Measured::Done(if diverged(&summary) { Score::Diverged } else { Score::Value(f64::NAN) }))
    }

    /// What a time-to-target tuner reads of `spec`'s run (its config holding the target): the
    /// epochs it took to reach the target if it did within the spec's budget, else the budget plus
    /// the running training error there (so every run that got there ranks before every run that
    /// did not, and those by how close they came); Diverged if the loss went non-finite first.
    pub fn epochs_to_target(&self, spec: RunSpec) -> Result<Measured, ExperimentError> {
        let (folder, budget, batch) = (RunFolder::new(&spec.folder), spec.config.stop.max_epochs, spec.config.training.batch_size);
        let Some(summary) = self.run(spec)? else { return Ok(Measured::Pending) };
        if let Some(hit) = summary.target_reached.as_ref().filter(|hit| hit.epoch <= budget + 1e-9) {
            return Ok(Measured::Done(Score::Value(hit.epoch)));
        }
        let at = max_iterations(budget, summary.dataset.train_images, batch);
        let rows = metrics::read(&folder.metrics_path())?;
        match rows.iter().rev().find(|r| r.iteration <= at) {
            Some(row) if row.train_error.is_finite() && (row.iteration == at || !diverged(&summary)) => {
                Ok(Measured::Done(Score::Value(budget + row.train_error)))
            }
            _ => Ok(Measured::Done(Score::Diverged)),
        }
    }

    /// One line of the job list: this binary training the folder's config into the folder (which
    /// resumes it if it was started).
    fn list_job(&self, folder: &RunFolder, file: &Path) -> Result<(), ExperimentError> {
        let exe = this_binary().map_err(|e| ExperimentError::io("the actlab binary", e))?;
        let quote = |p: &Path| format!("'{}'", p.display().to_string().replace('\'', "'\\''"));
        let line = format!(
            "{} train --progress lines --divergence-ok --config {} --out {}\n",
            quote(&exe),
            quote(&folder.config_path()),
            quote(folder.dir())
        );
        let mut jobs = self.jobs.borrow_mut();
        let jobs = jobs.as_mut().ok_or_else(|| ExperimentError::io(file, std::io::Error::other("job list not open")))?;
        jobs.write_all(line.as_bytes()).and_then(|_| jobs.flush()).map_err(|e| ExperimentError::io(file, e))
    }
}

/// The path of the running actlab binary, for the jobs it lists. On Linux, once the file has been
/// replaced (a rebuild while a study runs), `current_exe` names it "PATH (deleted)"; the new
/// binary at PATH is the one to run (seen: a `--jobs` study failed with exit 127 after a rebuild).
pub fn this_binary() -> std::io::Result<PathBuf> {
    let exe = std::env::current_exe()?;
    match exe.to_str().and_then(|p| p.strip_suffix(" (deleted)")) {
        Some(path) if Path::new(path).is_file() => Ok(PathBuf::from(path)),
        _ => Ok(exe),
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
