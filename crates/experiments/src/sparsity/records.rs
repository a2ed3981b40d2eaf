//! What the sparsity study records: its plan, each run's per-epoch counters, and the report.

use serde::{Deserialize, Serialize};

use crate::sparsity::measure::LayerSparsity;
use crate::toolkit::provenance::Provenance;
use crate::toolkit::stats::Estimate;
use crate::toolkit::tuner::{Tuning, TuningRule};

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Plan {
    pub activations: Vec<String>,
    pub epochs: usize,
    pub seeds: usize,
    pub subset_per_class: Option<usize>,
    /// Held-out (test) images the counters are measured on.
    pub probe_images: usize,
    /// How the rates of activations without a Figure 1 rate are tuned (final training error
    /// after the study's epochs).
    pub tuning: TuningRule,
    pub reductions: Vec<String>,
}

/// The counters of every hidden layer after `epoch` epochs (0: at initialisation).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct EpochSparsity {
    pub epoch: usize,
    /// Seconds the measurement took (on the side: training is not slowed).
    pub seconds: f64,
    pub layers: Vec<LayerSparsity>,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct SparsityRun {
    pub activation: String,
    pub seed: u64,
    pub folder: String,
    pub commit: String,
    pub final_train_error: Option<f64>,
    pub training_seconds: f64,
    pub epochs: Vec<EpochSparsity>,
}

/// One layer of one activation at one epoch, over the seeds.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct LayerEstimate {
    pub layer: String,
    pub epoch: usize,
    pub exact_zero: Estimate,
    pub near_off: Estimate,
    pub dead: Estimate,
    pub channels: usize,
    pub active_per_image: Estimate,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ActivationSummary {
    pub activation: String,
    pub lr: f64,
    /// Where the rate came from: "Figure 1" or "tuned".
    pub rate_source: String,
    /// The tuner's decision, for a tuned rate.
    pub tuning: Option<Tuning>,
    pub final_train_error: Estimate,
    pub layers: Vec<LayerEstimate>,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Report {
    pub plan: Plan,
    pub summaries: Vec<ActivationSummary>,
    pub runs: Vec<SparsityRun>,
    /// Measuring time against training time, over every run.
    pub measuring_seconds: f64,
    pub training_seconds: f64,
    #[serde(flatten)]
    pub provenance: Provenance,
}

impl crate::toolkit::probe_files::EpochProbe for EpochSparsity {
    fn epoch(&self) -> usize {
        self.epoch
    }
}
