//! Checks every experiment makes on its options before any training: learning-rate grids whose
//! run folders cannot collide, and `--set` overrides of keys the experiment sets itself (which
//! would otherwise be silently replaced).

use actlab_train::Backend;
use actlab_train::progress::ProgressMode;
use std::path::{Path, PathBuf};

use super::markdown::fmt_lr;

/// What every experiment (Figure 1 and each study) is told besides its own parameters: where its
/// run folders go, what it trains on, and whether it trains, reports or only plans.
#[derive(Clone, Debug)]
pub struct ExperimentOptions {
    pub out: PathBuf,
    pub backend: Backend,
    pub data: Option<PathBuf>,
    /// The reduced form, for a first try in minutes; the report lists what it reduces.
    pub quick: bool,
    /// Seeds per cell (default: the experiment's own, fewer with `quick`).
    pub seeds: Option<usize>,
    /// `--set section.key=value` overrides of the experiment's base config.
    pub overrides: Vec<String>,
    pub progress: ProgressMode,
    /// Write the report from the runs finished so far and train nothing.
    pub report_only: bool,
    /// Write the runs that can start now to this job list instead of training them.
    pub plan: Option<PathBuf>,
}

impl ExperimentOptions {
    /// The same options, planning into `list` instead of training.
    pub fn planned(&self, list: &Path) -> Self {
        ExperimentOptions { plan: Some(list.to_path_buf()), ..self.clone() }
    }
}

/// A grid of positive, finite rates whose folder names (`lr-1e-3`) are all different: two rates
/// that differ only past the fourth significant digit would share one run folder.
pub fn check_rate_grid(grid: &[f64]) -> Result<(), String> {
    if let Some(lr) = grid.iter().find(|lr| !(lr.is_finite() && **lr > 0.0)) {
        return Err(format!("--lr-grid: {lr} is not a positive rate"));
    }
    for (i, a) in grid.iter().enumerate() {
        if let Some(b) = grid[i + 1..].iter().find(|b| fmt_lr(**b) == fmt_lr(*a)) {
            return Err(format!(
                "--lr-grid: {a} and {b} would share the run folder lr-{}; give rates that differ in the first four digits",
                fmt_lr(*a)
            ));
        }
    }
    Ok(())
}

/// An error for the first `--set KEY=…` whose key the experiment sets itself, naming the option
/// that sets it; `managed` pairs each such key with that option.
pub fn check_overrides(overrides: &[String], managed: &[(&str, &str)]) -> Result<(), String> {
    for item in overrides {
        let key = item.split_once('=').map_or(item.as_str(), |(key, _)| key).trim();
        if let Some((_, option)) = managed.iter().find(|(k, _)| *k == key) {
            return Err(format!("--set {item}: this experiment sets {key} itself; use {option}"));
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rates_that_share_a_folder_name_are_refused() {
        assert!(check_rate_grid(&[1e-3, 3e-3]).is_ok());
        let err = check_rate_grid(&[0.001, 0.0010001]).expect_err("collide");
        assert!(err.contains("share the run folder lr-1e-3"), "{err}");
        assert!(check_rate_grid(&[1e-3, f64::NAN]).expect_err("nan").contains("NaN"));
    }

    #[test]
    fn overrides_of_managed_keys_name_the_option() {
        let managed = [("stop.max_epochs", "--max-epochs")];
        assert!(check_overrides(&["training.batch_size=64".into()], &managed).is_ok());
        let err = check_overrides(&["stop.max_epochs=nan".into()], &managed).expect_err("managed");
        assert_eq!(err, "--set stop.max_epochs=nan: this experiment sets stop.max_epochs itself; use --max-epochs");
    }
}
