//! What the depth study's report.json and each run's probe files hold.

use serde::{Deserialize, Serialize};

use crate::toolkit::paired::Verdict;
use crate::toolkit::provenance::Provenance;
use crate::toolkit::stats::Estimate;
use crate::toolkit::tuner::{Tuning, TuningRule};

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Plan {
    pub depths: Vec<usize>,
    pub activations: Vec<String>,
    pub inits: Vec<String>,
    pub width: usize,
    pub subset_per_class: usize,
    pub epochs: usize,
    /// How each cell's learning rate is tuned (the same rule for every cell).
    pub tuning: TuningRule,
    pub seeds: usize,
    /// Training images the probe measures on (the first ones of the training set).
    pub probe_images: usize,
    /// A cell "stalled" when its mean training error after the budget is at or above this.
    pub stalled_at: f64,
    pub reductions: Vec<String>,
}

/// One hidden layer as the probe saw it on the probe images.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct LayerStats {
    pub layer: String,
    pub mean: f64,
    /// Share of outputs in the activation's saturated or "off" range (None: it has none).
    pub saturated: Option<f64>,
}

/// The probe at one point of a run: after `epoch` epochs (0: at initialisation).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Probe {
    pub epoch: usize,
    pub layers: Vec<LayerStats>,
    /// ‖∂loss/∂W‖ of every weight layer, input side first.
    pub gradient_norms: Vec<f64>,
}

impl Probe {
    /// First weight layer's gradient norm over the last one's.
    pub fn first_to_last(&self) -> Option<f64> {
        Some(self.gradient_norms.first()? / self.gradient_norms.last()?)
    }
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct DepthRun {
    pub seed: u64,
    pub folder: String,
    pub train_error: Option<f64>,
    pub diverged: bool,
    pub commit: String,
    /// At init, after epoch 1, and (for the tracked cells) after every epoch.
    pub probes: Vec<Probe>,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct DepthCell {
    pub key: String,
    pub depth: usize,
    pub activation: String,
    pub init: String,
    /// What the tuner tried and chose, and why.
    pub tuning: Tuning,
    /// The chosen rate (the tuning's).
    pub lr: f64,
    pub runs: Vec<DepthRun>,
    pub train_error: Option<Estimate>,
    pub stalled: bool,
    /// Stalled at the chosen rate and at both its neighbours (seed means at the full budget):
    /// no rate of the basin trains it.
    pub stalled_across_basin: bool,
    /// Gradient norm of the first weight layer over the last's, at init, over seeds.
    pub first_to_last_at_init: Option<Estimate>,
    pub first_to_last_after_epoch_1: Option<Estimate>,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Report {
    pub plan: Plan,
    pub cells: Vec<DepthCell>,
    /// Seed-paired differences in training error against ReLU at the same depth and init.
    pub verdicts: Vec<Verdict>,
    /// Setting, machine, builds, data files, and the cells not finished yet.
    #[serde(flatten)]
    pub provenance: Provenance,
}

impl Report {
    pub fn cell(&self, depth: usize, activation: &str, init: &str) -> Option<&DepthCell> {
        self.cells.iter().find(|c| c.depth == depth && c.activation == activation && c.init == init)
    }
}

impl crate::toolkit::probe_files::EpochProbe for Probe {
    fn epoch(&self) -> usize {
        self.epoch
    }
}
