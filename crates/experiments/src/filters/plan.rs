//! The filters study's options, checked and turned into a plan before any training.

use actlab_models::Activation;

use crate::ExperimentError;
use crate::filters::records::Plan;
use crate::toolkit::options::{ExperimentOptions, check_overrides};

#[derive(Clone, Debug)]
pub struct FiltersOptions {
    /// Where, on what and how it runs: the options every experiment shares.
    pub common: ExperimentOptions,
    pub epochs: Option<usize>,
    pub activations: Option<Vec<Activation>>,
    /// `activation=rate` pairs replacing the Figure 1 rates.
    pub rates: Vec<(Activation, f64)>,
}

// The default form: the whole training set, 3 epochs, 3 seeds (timings in the README);
// --quick: 5,000 images, 2 epochs, 2 seeds (about a minute on 2 cores).
const EPOCHS: usize = 3;
const SEEDS: usize = 3;
const QUICK_PER_CLASS: usize = 500;

use crate::fig1::setting::CHOSEN_RATES as FIG1_RATES;

const MANAGED: [(&str, &str); 5] = [
    ("stop.max_epochs", "--epochs"),
    ("optimizer.lr", "--rates"),
    ("training.seed", "--seeds"),
    ("model.activation", "--activations"),
    ("dataset.subset_per_class", "--quick (or the default form)"),
];

fn invalid(message: String) -> ExperimentError {
    ExperimentError::InvalidOption { command: "study filters", message }
}

impl Plan {
    pub fn from_options(o: &FiltersOptions) -> Result<Self, ExperimentError> {
        let q = o.common.quick;
        let activations = o.activations.clone().unwrap_or(FIG1_RATES.map(|(a, _)| a).to_vec());
        let rate_of = |a: Activation| o.rates.iter().chain(FIG1_RATES.iter()).find(|(b, _)| *b == a).map(|(_, lr)| *lr);
        let mut rates = Vec::new();
        for &a in &activations {
            let lr = rate_of(a)
                .ok_or_else(|| invalid(format!("--activations {a}: no Figure 1 rate is known for it; give one with --rates {a}=LR")))?;
            if !(lr.is_finite() && lr > 0.0) {
                return Err(invalid(format!("--rates {a}={lr}: not a positive rate")));
            }
            rates.push(lr);
        }
        let plan = Plan {
            activations: activations.iter().map(|a| a.to_string()).collect(),
            rates,
            epochs: o.epochs.unwrap_or(if q { 2 } else { EPOCHS }),
            seeds: o.common.seeds.unwrap_or(if q { 2 } else { SEEDS }),
            subset_per_class: q.then_some(QUICK_PER_CLASS),
            reductions: Vec::new(),
        };
        if plan.activations.is_empty() || plan.seeds == 0 || plan.epochs == 0 {
            return Err(invalid("need at least one activation, seed and epoch".into()));
        }
        check_overrides(&o.common.overrides, &MANAGED).map_err(invalid)?;
        Ok(Plan { reductions: plan.reductions_from_the_default(), ..plan })
    }

    fn reductions_from_the_default(&self) -> Vec<String> {
        let mut r = Vec::new();
        if let Some(n) = self.subset_per_class {
            r.push(format!("training set: {n} images per class instead of all 5,000"));
        }
        if self.epochs < EPOCHS {
            r.push(format!("{} epochs instead of {EPOCHS}", self.epochs));
        }
        if self.seeds < SEEDS {
            r.push(format!("{} seed(s) instead of {SEEDS}", self.seeds));
        }
        r
    }
}
