//! What the user asked for, checked and resolved into a [`Plan`] before anything is trained.

use actlab_models::{Activation, InitScheme};

use crate::ExperimentError;
use crate::depth::records::Plan;
use crate::toolkit::options::{ExperimentOptions, check_overrides};
use crate::toolkit::tuner::TuningRule;

#[derive(Clone, Debug)]
pub struct DepthOptions {
    /// Where, on what and how it runs: the options every experiment shares.
    pub common: ExperimentOptions,
    pub epochs: Option<usize>,
    pub depths: Option<Vec<usize>>,
    pub activations: Option<Vec<Activation>>,
    pub width: Option<usize>,
    /// One start of the learning-rate grid for every cell, instead of each activation's own.
    pub lr_start: Option<f64>,
}

const DEPTHS: [usize; 5] = [2, 4, 8, 16, 32];
const ACTIVATIONS: [Activation; 4] = [Activation::Sigmoid, Activation::Tanh, Activation::Relu, Activation::Gelu];
const WIDTH: usize = 128;
const PER_CLASS: usize = 1000;
const EPOCHS: usize = 5;
const SEEDS: usize = 3;

/// The config keys the study sets in every run, and the option that sets each.
const MANAGED: [(&str, &str); 6] = [
    ("stop.max_epochs", "--epochs"),
    ("optimizer.lr", "--lr-start (the study tunes every cell's rate)"),
    ("training.seed", "--seeds"),
    ("model.activation", "--activations"),
    ("model.init", "the study's own Xavier and Kaiming"),
    ("model.hidden", "--depths and --width"),
];

fn invalid(message: String) -> ExperimentError {
    ExperimentError::InvalidOption { command: "study depth", message }
}

pub fn init_name(init: InitScheme) -> &'static str {
    match init {
        InitScheme::Xavier => "xavier",
        InitScheme::Kaiming => "kaiming",
        InitScheme::CudaConvnet => "cuda-convnet",
    }
}

impl Plan {
    pub fn from_options(o: &DepthOptions) -> Result<Self, ExperimentError> {
        let q = o.common.quick;
        let activations = o.activations.clone().unwrap_or(ACTIVATIONS.to_vec());
        let epochs = o.epochs.unwrap_or(if q { 3 } else { EPOCHS });
        let seeds = o.common.seeds.unwrap_or(if q { 2 } else { SEEDS });
        let mut plan = Plan {
            depths: o.depths.clone().unwrap_or(DEPTHS.to_vec()),
            activations: activations.iter().map(|a| a.to_string()).collect(),
            inits: [InitScheme::Xavier, InitScheme::Kaiming].map(|i| init_name(i).to_string()).to_vec(),
            width: o.width.unwrap_or(WIDTH),
            subset_per_class: if q { 200 } else { PER_CLASS },
            epochs,
            tuning: TuningRule::new(epochs, seeds, q, o.lr_start),
            seeds,
            probe_images: 500,
            stalled_at: 0.8,
            reductions: Vec::new(),
        };
        if plan.depths.is_empty() || plan.depths.contains(&0) || plan.depths.iter().any(|&d| d > 64) {
            return Err(invalid(format!("--depths {:?}: each must be in 1..=64", plan.depths)));
        }
        if plan.seeds == 0 || plan.epochs == 0 || plan.width == 0 || plan.activations.is_empty() {
            return Err(invalid("need at least one seed, epoch, unit and activation".into()));
        }
        plan.tuning.check().map_err(|e| invalid(format!("--lr-start: {e}")))?;
        check_overrides(&o.common.overrides, &MANAGED).map_err(invalid)?;
        plan.reductions = plan.reductions_from_the_default(q);
        Ok(plan)
    }

    fn reductions_from_the_default(&self, quick: bool) -> Vec<String> {
        let mut r = Vec::new();
        if quick {
            r.push(format!("training set: {} images per class instead of {PER_CLASS}", self.subset_per_class));
            r.push(format!("learning-rate grid: {} rates around each start instead of 5 (plus extensions)", 2 * self.tuning.steps + 1));
        }
        if self.epochs < EPOCHS {
            r.push(format!("{} epochs per run instead of {EPOCHS}", self.epochs));
        }
        if self.seeds < SEEDS {
            r.push(format!("{} seed(s) per cell instead of {SEEDS}", self.seeds));
        }
        if self.depths.iter().max() < DEPTHS.iter().max() {
            r.push(format!("depths {:?} instead of {DEPTHS:?}", self.depths));
        }
        r
    }
}
