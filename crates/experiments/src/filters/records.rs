//! What the filters study records: its plan, each run's measurements, and the report.

use serde::{Deserialize, Serialize};

use crate::toolkit::provenance::Provenance;
use crate::toolkit::stats::Estimate;

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Plan {
    pub activations: Vec<String>,
    /// The learning rate of each activation, in `activations`' order.
    pub rates: Vec<f64>,
    pub epochs: usize,
    pub seeds: usize,
    /// Images per class of the training subset; None: the whole training set.
    pub subset_per_class: Option<usize>,
    pub reductions: Vec<String>,
}

/// The first-layer filters of one run, before and after training.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct FilterRun {
    pub activation: String,
    pub seed: u64,
    pub folder: String,
    pub commit: String,
    pub final_train_error: Option<f64>,
    /// ‖trained − init‖ / ‖init‖, averaged over the filters.
    pub relative_change: f64,
    /// Share of energy at low spatial frequencies, averaged over the filters (white noise: 0.36).
    pub low_frequency_init: f64,
    pub low_frequency_trained: f64,
}

/// One activation over its seeds.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct FilterSummary {
    pub activation: String,
    pub lr: f64,
    pub final_train_error: Estimate,
    pub relative_change: Estimate,
    pub low_frequency_init: Estimate,
    pub low_frequency_trained: Estimate,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Report {
    pub plan: Plan,
    /// Whether every activation's seed-1 run started from the same first-layer filters.
    pub same_init: bool,
    pub summaries: Vec<FilterSummary>,
    pub runs: Vec<FilterRun>,
    #[serde(flatten)]
    pub provenance: Provenance,
}
