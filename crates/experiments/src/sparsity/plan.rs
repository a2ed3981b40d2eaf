//! The sparsity study's options, checked and turned into a plan before any training.

use actlab_models::Activation;

use crate::ExperimentError;
use crate::sparsity::records::Plan;
use crate::toolkit::options::{ExperimentOptions, check_overrides};
use crate::toolkit::tuner::TuningRule;

#[derive(Clone, Debug)]
pub struct SparsityOptions {
    /// Where, on what and how it runs: the options every experiment shares.
    pub common: ExperimentOptions,
    pub epochs: Option<usize>,
    pub activations: Option<Vec<Activation>>,
    /// Centre of the learning-rate grid for activations without a Figure 1 rate.
    pub lr_start: Option<f64>,
}

// The default form: the whole training set, 3 epochs, 3 seeds, 1,000 held-out images; --quick:
// 5,000 training images, 2 epochs, 2 seeds, 500 held-out images.
const EPOCHS: usize = 3;
const SEEDS: usize = 3;
const PROBE_IMAGES: usize = 1000;
const QUICK_PER_CLASS: usize = 500;
const ACTIVATIONS: [Activation; 3] = [Activation::Relu, Activation::Tanh, Activation::Sigmoid];

pub use crate::fig1::setting::CHOSEN_RATES as FIG1_RATES;

const MANAGED: [(&str, &str); 5] = [
    ("stop.max_epochs", "--epochs"),
    ("optimizer.lr", "--lr-start (activations without a Figure 1 rate are tuned)"),
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
        let epochs = o.epochs.unwrap_or(if q { 2 } else { EPOCHS });
        let seeds = o.common.seeds.unwrap_or(if q { 2 } else { SEEDS });
        let plan = Plan {
            activations: o.activations.clone().unwrap_or(ACTIVATIONS.to_vec()).iter().map(|a| a.to_string()).collect(),
            epochs,
            seeds,
            subset_per_class: q.then_some(QUICK_PER_CLASS),
            probe_images: if q { 500 } else { PROBE_IMAGES },
            tuning: TuningRule::new(epochs, seeds, q, o.lr_start),
            reductions: Vec::new(),
        };
        if plan.activations.is_empty() || plan.seeds == 0 || plan.epochs == 0 {
            return Err(invalid("need at least one activation, seed and epoch".into()));
        }
        plan.tuning.check().map_err(|e| invalid(format!("--lr-start: {e}")))?;
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
