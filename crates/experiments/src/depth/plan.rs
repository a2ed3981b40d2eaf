//! What the user asked for, checked and resolved into a [`Plan`] before anything is trained.

use actlab_models::{Activation, InitScheme};

use crate::ExperimentError;
use crate::depth::records::Plan;
use crate::toolkit::options::{ExperimentOptions, check_overrides, check_rate_grid};

#[derive(Clone, Debug)]
pub struct DepthOptions {
    /// Where, on what and how it runs: the options every experiment shares.
    pub common: ExperimentOptions,
    pub epochs: Option<usize>,
    pub depths: Option<Vec<usize>>,
    pub activations: Option<Vec<Activation>>,
    pub width: Option<usize>,
    pub lr_grid: Option<Vec<f64>>,
}

const DEPTHS: [usize; 5] = [2, 4, 8, 16, 32];
const ACTIVATIONS: [Activation; 4] = [Activation::Sigmoid, Activation::Tanh, Activation::Relu, Activation::Gelu];
const WIDTH: usize = 128;
const PER_CLASS: usize = 1000;
const EPOCHS: usize = 5;
const SEEDS: usize = 3;
const LR_GRID: [f64; 3] = [3e-3, 1e-2, 3e-2];

/// The config keys the study sets in every run, and the option that sets each.
const MANAGED: [(&str, &str); 6] = [
    ("stop.max_epochs", "--epochs"),
    ("optimizer.lr", "--lr-grid"),
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
        let mut plan = Plan {
            depths: o.depths.clone().unwrap_or(DEPTHS.to_vec()),
            activations: activations.iter().map(|a| a.to_string()).collect(),
            inits: [InitScheme::Xavier, InitScheme::Kaiming].map(|i| init_name(i).to_string()).to_vec(),
            width: o.width.unwrap_or(WIDTH),
            subset_per_class: if q { 200 } else { PER_CLASS },
            epochs: o.epochs.unwrap_or(if q { 3 } else { EPOCHS }),
            trial_epochs: 1.0,
            lr_grid: o.lr_grid.clone().unwrap_or(LR_GRID.to_vec()),
            seeds: o.common.seeds.unwrap_or(if q { 2 } else { SEEDS }),
            probe_images: 500,
            stalled_at: 0.8,
            reductions: Vec::new(),
        };
        if plan.depths.is_empty() || plan.depths.contains(&0) || plan.depths.iter().any(|&d| d > 64) {
            return Err(invalid(format!("--depths {:?}: each must be in 1..=64", plan.depths)));
        }
        if plan.seeds == 0 || plan.epochs == 0 || plan.width == 0 || plan.lr_grid.is_empty() || plan.activations.is_empty() {
            return Err(invalid("need at least one seed, epoch, unit, learning rate and activation".into()));
        }
        check_rate_grid(&plan.lr_grid).map_err(invalid)?;
        check_overrides(&o.common.overrides, &MANAGED).map_err(invalid)?;
        plan.reductions = plan.reductions_from_the_default(q);
        Ok(plan)
    }

    fn reductions_from_the_default(&self, quick: bool) -> Vec<String> {
        let mut r = Vec::new();
        if quick {
            r.push(format!("training set: {} images per class instead of {PER_CLASS}", self.subset_per_class));
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
