//! What the user asked for, checked and resolved into a [`Plan`] before anything is trained.

use actlab_models::Activation;

use crate::ExperimentError;
use crate::linearity::records::Plan;
use crate::toolkit::options::{ExperimentOptions, check_overrides};
use crate::toolkit::tuner::TuningRule;

/// What the user asked for; unset values take the default or `--quick` values.
#[derive(Clone, Debug)]
pub struct LinearityOptions {
    /// Where, on what and how it runs: the options every experiment shares.
    pub common: ExperimentOptions,
    pub epochs: Option<usize>,
    pub slopes: Option<Vec<f64>>,
    pub zoo: Option<Vec<Activation>>,
    /// One start of the learning-rate grid for every cell, instead of each activation's own.
    pub lr_start: Option<f64>,
    pub target: Option<f64>,
}

// The default study: about an hour of training on 2 AVX-512 cores (flex, ~1,600 convnet18
// images/s), a few hours on slower ones.
const SLOPES: [f64; 8] = [0.0, 0.1, 0.2, 0.3, 0.5, 0.7, 0.9, 1.0];
const EPOCHS: usize = 8;
const SEEDS: usize = 3;
const PER_CLASS: usize = 1000;
const TEST_IMAGES: usize = 2000;
// --quick: the tuner runs about 2.5 times the epochs of the 1-epoch trials it replaced, so the
// quick form keeps the ends and the middle of the sweep and five activations of the zoo (the
// full zoo and six slopes took 1,592 s of training on a loaded 2-core EPYC).
const QUICK_SLOPES: [f64; 3] = [0.0, 0.3, 1.0];
const QUICK_ZOO: [Activation; 5] = [Activation::Relu, Activation::Tanh, Activation::Sigmoid, Activation::Identity, Activation::Gelu];

/// The config keys the study sets in every run, and the option that sets each.
const MANAGED: [(&str, &str); 6] = [
    ("stop.max_epochs", "--epochs"),
    ("optimizer.lr", "--lr-start (the study tunes every cell's rate)"),
    ("training.seed", "--seeds"),
    ("model.activation", "--slopes or --zoo"),
    ("model.negative_slope", "--slopes"),
    ("dataset.subset_per_class", "--quick (or the default form)"),
];

fn invalid(message: String) -> ExperimentError {
    ExperimentError::InvalidOption { command: "study linearity", message }
}

impl Plan {
    pub fn from_options(o: &LinearityOptions) -> Result<Self, ExperimentError> {
        let q = o.common.quick;
        let epochs = o.epochs.unwrap_or(if q { 4 } else { EPOCHS });
        let seeds = o.common.seeds.unwrap_or(if q { 2 } else { SEEDS });
        let mut plan = Plan {
            subset_per_class: if q { 200 } else { PER_CLASS },
            test_images: if q { 1000 } else { TEST_IMAGES },
            epochs,
            tuning: TuningRule::new(epochs, seeds, q, o.lr_start),
            seeds,
            target: o.target.unwrap_or(if q { 0.7 } else { 0.5 }),
            slopes: o.slopes.clone().unwrap_or_else(|| if q { QUICK_SLOPES.to_vec() } else { SLOPES.to_vec() }),
            zoo: o
                .zoo
                .clone()
                .unwrap_or_else(|| if q { QUICK_ZOO.to_vec() } else { Activation::ALL.to_vec() })
                .iter()
                .map(|a| a.to_string())
                .collect(),
            reductions: Vec::new(),
        };
        plan.check()?;
        check_overrides(&o.common.overrides, &MANAGED).map_err(invalid)?;
        plan.reductions = plan.reductions_from_the_default(q);
        Ok(plan)
    }

    fn check(&self) -> Result<(), ExperimentError> {
        if self.seeds == 0 || self.epochs == 0 || self.slopes.is_empty() || self.zoo.is_empty() {
            return Err(invalid("need at least one seed, epoch, slope and zoo activation".into()));
        }
        self.tuning.check().map_err(|e| invalid(format!("--lr-start: {e}")))?;
        if let Some(s) = self.slopes.iter().find(|s| !(0.0..=1.0).contains(*s)) {
            return Err(invalid(format!("--slopes: {s} is outside [0, 1]")));
        }
        if !(0.0..=1.0).contains(&self.target) {
            return Err(invalid(format!("--target {} is outside [0, 1]", self.target)));
        }
        Ok(())
    }

    fn reductions_from_the_default(&self, quick: bool) -> Vec<String> {
        let mut r = Vec::new();
        if quick {
            r.push(format!(
                "training set: {} images per class instead of {PER_CLASS}; {} test images instead of {TEST_IMAGES}",
                self.subset_per_class, self.test_images
            ));
        }
        if self.epochs < EPOCHS {
            r.push(format!("{} epochs per run instead of {EPOCHS}", self.epochs));
        }
        if self.seeds < SEEDS {
            r.push(format!("{} seed(s) per cell instead of {SEEDS}", self.seeds));
        }
        if self.slopes.len() < SLOPES.len() {
            r.push(format!("{} slopes in the sweep instead of {}", self.slopes.len(), SLOPES.len()));
        }
        if self.zoo.len() < Activation::ALL.len() {
            r.push(format!("{} activations in the zoo instead of {}", self.zoo.len(), Activation::ALL.len()));
        }
        if quick {
            r.push(format!("learning-rate grid: {} rates around each start instead of 5 (plus extensions)", 2 * self.tuning.steps + 1));
        }
        r
    }
}
