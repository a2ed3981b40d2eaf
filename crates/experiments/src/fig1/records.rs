//! What report.json holds. The field names are those of the first reports, so any report.json
//! written since reads back into these types.

use actlab_models::Activation;
use actlab_train::summary::FileSummary;
use actlab_train::{StopReason, Summary};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use std::fmt;
use std::path::Path;

use crate::toolkit::stats::{Estimate, Ratio};

/// The resolved experiment.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Plan {
    pub activations: Vec<Activation>,
    pub lr_grid: Vec<f64>,
    pub trial_epochs: f64,
    /// The best `finalists` rates of the short trials are run from seed 1 to the target and the
    /// fastest is chosen (1: the best short-trial score decides alone).
    #[serde(default = "one")]
    pub finalists: usize,
    pub seeds: usize,
    pub max_epochs: f64,
    pub target: f64,
    /// What `--quick` changed from the full experiment, in words.
    pub reductions: Vec<String>,
}

fn one() -> usize {
    1
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Trial {
    pub activation: Activation,
    pub lr: f64,
    /// Running training error at the end of the trial; None when it diverged.
    pub train_error: Option<f64>,
    pub diverged: bool,
    pub folder: String,
    /// The actlab commit the trial's binary was built from.
    #[serde(default)]
    pub commit: String,
}

/// One of the best short-trial rates, run from seed 1 to the target (or the epoch cap).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Finalist {
    pub lr: f64,
    /// Its short trial's score.
    pub trial_error: f64,
    /// Its run from seed 1 (flattened: report.json lists its fields beside `lr`).
    #[serde(flatten)]
    pub run: SeedRun,
}

/// How a run of the experiment ended, in the words report.json has always used.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(into = "String", from = "String")]
pub enum Outcome {
    TargetReached,
    /// Stopped by the experiment's epoch cap.
    NotReachedInEpochs(f64),
    NotReachedTimeLimit,
    Diverged,
    Unknown,
}

impl Outcome {
    pub fn of(stop: Option<&StopReason>, max_epochs: f64) -> Self {
        match stop {
            Some(StopReason::TargetReached) => Self::TargetReached,
            Some(StopReason::MaxEpochs) => Self::NotReachedInEpochs(max_epochs),
            Some(StopReason::MaxTime) => Self::NotReachedTimeLimit,
            Some(StopReason::Diverged { .. }) => Self::Diverged,
            None => Self::Unknown,
        }
    }
}

impl fmt::Display for Outcome {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::TargetReached => f.write_str("target reached"),
            Self::NotReachedInEpochs(epochs) => write!(f, "not reached in {epochs} epochs"),
            Self::NotReachedTimeLimit => f.write_str("not reached (time limit)"),
            Self::Diverged => f.write_str("diverged"),
            Self::Unknown => f.write_str("unknown"),
        }
    }
}

impl From<Outcome> for String {
    fn from(outcome: Outcome) -> String {
        outcome.to_string()
    }
}

impl From<String> for Outcome {
    fn from(text: String) -> Self {
        let capped = text.strip_prefix("not reached in ").and_then(|t| t.strip_suffix(" epochs")).and_then(|e| e.parse().ok());
        match (text.as_str(), capped) {
            (_, Some(epochs)) => Self::NotReachedInEpochs(epochs),
            ("target reached", _) => Self::TargetReached,
            ("not reached (time limit)", _) => Self::NotReachedTimeLimit,
            ("diverged", _) => Self::Diverged,
            _ => Self::Unknown,
        }
    }
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct SeedRun {
    pub seed: u64,
    pub folder: String,
    pub reached: bool,
    pub epochs_to_target: Option<f64>,
    pub seconds_to_target: Option<f64>,
    pub epochs_run: f64,
    pub stop: Outcome,
    /// The actlab commit the run's binary was built from (a long experiment may span builds).
    #[serde(default)]
    pub commit: String,
}

impl SeedRun {
    /// The outcome of `summary`, the finished run of `seed` in `folder`.
    pub fn of(seed: u64, folder: &Path, summary: &Summary, max_epochs: f64) -> Self {
        let hit = summary.target_reached.as_ref();
        SeedRun {
            seed,
            folder: folder.display().to_string(),
            reached: hit.is_some(),
            epochs_to_target: hit.map(|h| h.epoch),
            seconds_to_target: hit.map(|h| h.seconds),
            epochs_run: summary.epochs,
            stop: Outcome::of(summary.stop.as_ref(), max_epochs),
            commit: summary.versions.commit.clone(),
        }
    }
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ActivationResult {
    pub activation: Activation,
    pub chosen_lr: f64,
    /// The rates raced to the target to choose `chosen_lr` (one when the short trials decided alone).
    #[serde(default)]
    pub finalists: Vec<Finalist>,
    pub runs: Vec<SeedRun>,
    /// Over the runs that reached the target.
    pub epochs_to_target: Option<Estimate>,
    pub seconds_to_target: Option<Estimate>,
    pub not_reached: usize,
}

impl ActivationResult {
    pub fn epochs_reached(&self) -> Vec<f64> {
        self.runs.iter().filter_map(|r| r.epochs_to_target).collect()
    }

    pub fn seconds_reached(&self) -> Vec<f64> {
        self.runs.iter().filter_map(|r| r.seconds_to_target).collect()
    }
}

/// Where the runs ran.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct RunHost {
    pub backend: String,
    pub device: String,
    pub threads: usize,
    pub commit: String,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Report {
    pub plan: Plan,
    pub trials: Vec<Trial>,
    pub results: Vec<ActivationResult>,
    /// Ratio of the mean epochs (and seconds) to target of each activation to relu's.
    pub epoch_ratios: BTreeMap<String, Ratio>,
    pub time_ratios: BTreeMap<String, Ratio>,
    pub machine: RunHost,
    pub dataset: Vec<FileSummary>,
    pub train_images: usize,
    /// The shared setting of every run, in words.
    pub setting: String,
    pub dataset_name: String,
    /// Trials and runs not finished when a `--report-only` report was written.
    #[serde(default)]
    pub pending: Vec<String>,
}

#[cfg(test)]
mod tests {
    use super::Outcome;

    #[test]
    fn outcomes_read_back_from_their_words() {
        for outcome in [Outcome::TargetReached, Outcome::NotReachedInEpochs(80.0), Outcome::NotReachedTimeLimit, Outcome::Diverged] {
            assert_eq!(Outcome::from(outcome.to_string()), outcome);
        }
        assert_eq!(Outcome::NotReachedInEpochs(80.0).to_string(), "not reached in 80 epochs");
        assert_eq!(Outcome::NotReachedInEpochs(6.5).to_string(), "not reached in 6.5 epochs");
    }
}
