//! The sparsity study's options, checked and turned into a plan before any training.

use actlab_models::Activation;

use crate::ExperimentError;
use crate::sparsity::records::Plan;
use crate::toolkit::options::{ExperimentOptions, check_overrides, check_rate_grid};

#[derive(Clone, Debug)]
pub struct SparsityOptions {
    /// Where, on what and how it runs: the options every experiment shares.
    pub common: ExperimentOptions,
    pub epochs: Option<usize>,
    pub activations: Option<Vec<Activation>>,
    pub lr_grid: Option<Vec<f64>>,
}

// The default form: the whole training set, 3 epochs, 3 seeds, 1,000 held-out images; --quick:
// 5,000 training images, 2 epochs, 2 seeds, 500 held-out images.
const EPOCHS: usize = 3;
const SEEDS: usize = 3;
const PROBE_IMAGES: usize = 1000;
const QUICK_PER_CLASS: usize = 500;
const ACTIVATIONS: [Activation; 3] = [Activation::Relu, Activation::Tanh, Activation::Sigmoid];
const LR_GRID: [f64; 4] = [1e-3, 3e-3, 1e-2, 3e-2];

pub use crate::fig1::setting::CHOSEN_RATES as FIG1_RATES;

const MANAGED: [(&str, &str); 5] = [
    ("stop.max_epochs", "--epochs"),
    ("optimizer.lr", "--lr-grid (for activations without a Figure 1 rate)"),
    ("training.seed", "--seeds"),
    ("model.activation", "--activations"),
    ("dataset.subset_per_class", "--quick (or the default form)"),
];

fn invalid(message: String) -> ExperimentError {
    ExperimentError::InvalidOption { command: "study sparsity", message }
}

impl Plan {
    pub fn from_options(o: &SparsityOptions) -> Result<Self, ExperimentError> {
        let q = o.common.quick;
        let plan = Plan {
            activations: o.activations.clone().unwrap_or(ACTIVATIONS.to_vec()).iter().map(|a| a.to_string()).collect(),
            epochs: o.epochs.unwrap_or(if q { 2 } else { EPOCHS }),
            seeds: o.common.seeds.unwrap_or(if q { 2 } else { SEEDS }),
            subset_per_class: q.then_some(QUICK_PER_CLASS),
            probe_images: if q { 500 } else { PROBE_IMAGES },
            lr_grid: o.lr_grid.clone().unwrap_or(LR_GRID.to_vec()),
            reductions: Vec::new(),
        };
        if plan.activations.is_empty() || plan.seeds == 0 || plan.epochs == 0 || plan.lr_grid.is_empty() {
            return Err(invalid("need at least one activation, seed, epoch and learning rate".into()));
        }
        check_rate_grid(&plan.lr_grid).map_err(invalid)?;
        check_overrides(&o.common.overrides, &MANAGED).map_err(invalid)?;
        let mut reductions = Vec::new();
        if let Some(n) = plan.subset_per_class {
            reductions.push(format!(
                "training set: {n} images per class instead of all 5,000; {} held-out images instead of {PROBE_IMAGES}",
                plan.probe_images
            ));
        }
        if plan.epochs < EPOCHS {
            reductions.push(format!("{} epochs instead of {EPOCHS}", plan.epochs));
        }
        if plan.seeds < SEEDS {
            reductions.push(format!("{} seed(s) instead of {SEEDS}", plan.seeds));
        }
        Ok(Plan { reductions, ..plan })
    }
}
