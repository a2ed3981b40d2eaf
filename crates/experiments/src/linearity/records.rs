//! What the linearity study's report.json holds.

use serde::{Deserialize, Serialize};

use crate::toolkit::paired::Verdict;
use crate::toolkit::provenance::Provenance;
use crate::toolkit::stats::Estimate;
use crate::toolkit::tuner::{Tuning, TuningRule};

/// The resolved study.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Plan {
    /// Training images per class (a class-balanced subset of the training set).
    pub subset_per_class: usize,
    pub test_images: usize,
    /// Training budget of every run, in epochs.
    pub epochs: usize,
    /// How each cell's learning rate is tuned (the same rule for every cell).
    pub tuning: TuningRule,
    pub seeds: usize,
    /// Training-error target for "epochs to target" (read off each run's metrics).
    pub target: f64,
    /// Negative slopes α of leaky ReLU in the sweep (0: ReLU, 1: identity).
    pub slopes: Vec<f64>,
    /// Activations of the zoo.
    pub zoo: Vec<String>,
    /// What `--quick` (or the options) changed from the default study, in words.
    pub reductions: Vec<String>,
}

/// One run of a cell, at the cell's chosen rate.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct CellRun {
    pub seed: u64,
    pub folder: String,
    /// Running training error over the last epoch of the budget; None when it diverged.
    pub train_error: Option<f64>,
    /// On the test images, at the end.
    pub test_error: Option<f64>,
    /// First point where the running error met the target (the loop's rule), if it did.
    pub epochs_to_target: Option<f64>,
    pub diverged: bool,
    pub commit: String,
}

/// A net and non-linearity, trained at its chosen rate from every seed.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Cell {
    /// The folder name under `runs/` and `search/`, e.g. `convnet18-leaky-relu-0.3`.
    pub key: String,
    pub arch: String,
    /// The activation as the config names it, with its slope for leaky ReLU.
    pub nonlinearity: String,
    /// Kaiming gain of the initialisation (the one made for the activation).
    pub init_gain: f64,
    /// What the tuner tried and chose, and why.
    pub tuning: Tuning,
    /// The chosen rate (the tuning's).
    pub lr: f64,
    pub runs: Vec<CellRun>,
    pub train_error: Option<Estimate>,
    pub test_error: Option<Estimate>,
    /// Over the runs that reached the target.
    pub epochs_to_target: Option<Estimate>,
    pub not_reached: usize,
    /// Mean whole-epoch training error over seeds, epoch by epoch (epochs all runs completed).
    pub curve: Vec<f64>,
    /// How far the trained seed-1 net is from one affine map on real images (Part A only).
    pub affine_deviation: Option<f64>,
}

/// A row of Part A.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct CollapseRow {
    pub net: String,
    pub key: String,
    /// Whether the net has no non-linearity at all (convnet18's max pool is one).
    pub linear: bool,
}

/// A point of Part B.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct SlopePoint {
    pub slope: f64,
    pub key: String,
}

/// A row of Part C.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ZooRow {
    pub activation: String,
    pub key: String,
    /// "both sides", "one side" or "none".
    pub saturates: String,
    pub smooth: bool,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Report {
    pub plan: Plan,
    pub cells: Vec<Cell>,
    pub collapse: Vec<CollapseRow>,
    pub slopes: Vec<SlopePoint>,
    pub zoo: Vec<ZooRow>,
    /// Seed-paired differences in training error, at the chosen rates and across their basins.
    pub verdicts: Vec<Verdict>,
    /// Setting, machine, builds, data files, and the cells not finished yet.
    #[serde(flatten)]
    pub provenance: Provenance,
}

impl Report {
    pub fn cell(&self, key: &str) -> Option<&Cell> {
        self.cells.iter().find(|c| c.key == key)
    }
}
