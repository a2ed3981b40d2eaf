//! What the speed-up study's report.json holds.

use serde::{Deserialize, Serialize};

use crate::depth::records::Probe;
use crate::toolkit::provenance::Provenance;
use crate::toolkit::stats::{Estimate, Ratio};
use crate::toolkit::tuner::{Tuning, TuningRule};

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Plan {
    /// The cells' keys, in the study's order (the paper's setting first).
    pub cells: Vec<String>,
    pub activations: Vec<String>,
    /// Images per class of the class-balanced training subset (None: the whole training set).
    pub subset_per_class: Option<usize>,
    /// The training-error target whose epochs are counted.
    pub target: f64,
    /// The budget: a run that has not reached the target after this many epochs is "not reached".
    pub max_epochs: usize,
    pub tuning: TuningRule,
    pub seeds: usize,
    /// Training images the probes measure on (the first ones of the training set).
    pub probe_images: usize,
    /// A `reproduce fig1` output folder whose runs the paper's cell reuses where identical.
    pub fig1: Option<String>,
    pub reductions: Vec<String>,
}

/// One seed's run at the chosen rate.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct SpeedRun {
    pub seed: u64,
    pub folder: String,
    /// Epochs until the running training error of an epoch reached the target (None: not reached).
    pub epochs_to_target: Option<f64>,
    /// Training seconds until then at the activation's speed in this cell:
    /// `epochs_to_target` × training images ÷ [`ActivationResult::images_per_sec`].
    pub seconds_to_target: Option<f64>,
    /// Seconds until then by the run's own clock, which counts the tuner's stops and resumes and
    /// whatever else ran beside it on a shared machine.
    #[serde(default)]
    pub clock_seconds_to_target: Option<f64>,
    /// The 90th percentile of the images/s its metrics.csv logged: its speed when the machine
    /// was not busy with something else.
    #[serde(default)]
    pub images_per_sec: Option<f64>,
    pub epochs_run: f64,
    pub diverged: bool,
    pub commit: String,
    /// At initialisation and after epoch 1, when measured.
    pub probes: Vec<Probe>,
}

/// One activation in one cell.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ActivationResult {
    pub activation: String,
    pub lr: f64,
    pub tuning: Tuning,
    pub runs: Vec<SpeedRun>,
    /// Over the seeds that reached the target.
    pub epochs: Option<Estimate>,
    pub seconds: Option<Estimate>,
    /// The fastest of its runs' [`SpeedRun::images_per_sec`]: what one epoch costs this
    /// activation in this cell, which turns epochs into seconds.
    #[serde(default)]
    pub images_per_sec: Option<f64>,
    /// Seeds that reached the target, of `runs.len()`.
    pub reached: usize,
    /// conv1's saturated share (tanh: |a| > 0.99, sigmoid: outside [0.01, 0.99]; relu: exact
    /// zeros) at init and after epoch 1, over seeds.
    pub conv1_saturated: [Option<Estimate>; 2],
    /// ‖∂loss/∂W‖ of conv1 at init and after epoch 1, over seeds.
    pub conv1_gradient: [Option<Estimate>; 2],
}

/// An activation's epochs to the target over ReLU's, with a bootstrap interval.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct SpeedRatio {
    pub activation: String,
    /// Epochs (all seeds of both reached the target); None otherwise.
    pub epochs: Option<Ratio>,
    /// Training seconds, the same way.
    pub seconds: Option<Ratio>,
    /// When the activation did not reach the target in every seed while ReLU did: the ratio is at
    /// least the budget over ReLU's mean epochs.
    pub at_least: Option<f64>,
    /// When ReLU did not reach the target in every seed while the activation did: the ratio is at
    /// most the activation's mean epochs over ReLU's, ReLU's misses counted at the budget.
    #[serde(default)]
    pub at_most: Option<f64>,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct CellResult {
    pub key: String,
    /// What the cell changes from the paper's setting, in words.
    pub change: String,
    pub activations: Vec<ActivationResult>,
    /// tanh/relu and sigmoid/relu (every activation but relu that finished).
    pub ratios: Vec<SpeedRatio>,
}

impl CellResult {
    pub fn activation(&self, name: &str) -> Option<&ActivationResult> {
        self.activations.iter().find(|a| a.activation == name)
    }

    pub fn ratio(&self, name: &str) -> Option<&SpeedRatio> {
        self.ratios.iter().find(|r| r.activation == name)
    }
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Report {
    pub plan: Plan,
    pub cells: Vec<CellResult>,
    /// Training seconds of every run the study holds (tuning included).
    pub training_seconds: f64,
    #[serde(flatten)]
    pub provenance: Provenance,
}
