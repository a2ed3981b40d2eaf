//! A run folder: `config.toml` (resolved), `metrics.csv`, `summary.json`, `checkpoint/`,
//! `model.bpk`. Rerunning into the same folder resumes; a different config there is refused.

use std::fs;
use std::path::Path;

use crate::TrainError;
use crate::config::RunConfig;
use crate::summary::{StopReason, Summary};

/// What a run folder already holds.
#[derive(Debug)]
pub enum Prepared {
    /// Nothing, or an interrupted run of the same config: train (resuming if there is a checkpoint).
    Ready,
    /// A run of the same config that already ended for good (target reached or diverged).
    Finished(Box<Summary>),
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

/// The summary left in `out` by a run of `config`, if there is one; an error if `out` holds a
/// run of a different config. Only reads.
pub fn existing_summary(out: &Path, config: &RunConfig) -> Result<Option<Summary>, TrainError> {
    let config_path = out.join("config.toml");
    if !config_path.exists() {
        return Ok(None);
    }
    let text = fs::read_to_string(&config_path).map_err(|e| TrainError::io(&config_path, e))?;
    let name = config_path.display().to_string();
    let previous = crate::config::UncheckedConfig::parse(&text, &name, &[])?.check(&name)?;
    if identity(&previous) != identity(config) {
        return Err(TrainError::Other(format!(
            "{} holds a run of a different config; choose another --out, or pass --fresh to discard it",
            out.display()
        )));
    }
    Ok(fs::read_to_string(out.join("summary.json")).ok().and_then(|text| serde_json::from_str::<Summary>(&text).ok()))
}

/// Checks `out` against `config`, wiping it first when `fresh`.
pub fn prepare(out: &Path, config: &RunConfig, fresh: bool) -> Result<Prepared, TrainError> {
    fs::create_dir_all(out).map_err(|e| TrainError::io(out, e))?;
    let config_path = out.join("config.toml");
    if fresh {
        for file in ["metrics.csv", "summary.json", "model.bpk", "config.toml"] {
            let _ = fs::remove_file(out.join(file));
        }
        let _ = fs::remove_dir_all(out.join("checkpoint"));
    }
    if let Some(summary) = existing_summary(out, config)?
        && matches!(summary.stop, Some(StopReason::TargetReached) | Some(StopReason::Diverged { .. }))
    {
        return Ok(Prepared::Finished(Box::new(summary)));
    }
    fs::write(&config_path, config.to_toml()).map_err(|e| TrainError::io(&config_path, e))?;
    Ok(Prepared::Ready)
}
