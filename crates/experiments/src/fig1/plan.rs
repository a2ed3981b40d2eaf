//! What the user asked for, checked and resolved into a [`Plan`] before anything is trained.

use actlab_models::Activation;

use crate::ExperimentError;
use crate::fig1::records::Plan;
use crate::toolkit::options::{ExperimentOptions, check_overrides, check_rate_grid};

/// What the user asked for; unset values take the full or `--quick` defaults.
#[derive(Clone, Debug)]
pub struct Fig1Options {
    /// Where, on what and how it runs: the options every experiment shares.
    pub common: ExperimentOptions,
    pub activations: Vec<Activation>,
    pub lr_grid: Option<Vec<f64>>,
    pub trial_epochs: Option<f64>,
    /// How many of the best short-trial rates are run to the target to choose between them.
    pub finalists: Option<usize>,
    pub max_epochs: Option<f64>,
    pub target: Option<f64>,
}

/// The config keys the experiment sets in every run, and the option that sets each.
const MANAGED: [(&str, &str); 5] = [
    ("stop.max_epochs", "--max-epochs or --trial-epochs"),
    ("stop.target_train_error", "--target"),
    ("optimizer.lr", "--lr-grid"),
    ("training.seed", "--seeds"),
    ("model.activation", "--activations"),
];

fn invalid(message: String) -> ExperimentError {
    ExperimentError::InvalidOption { command: "reproduce", message }
}

impl Plan {
    /// The plan for `options`, every value checked.
    pub fn from_options(options: &Fig1Options) -> Result<Self, ExperimentError> {
        let quick = options.common.quick;
        let default_grid = if quick { vec![5e-4, 1e-3, 2e-3] } else { vec![3e-4, 1e-3, 3e-3, 1e-2] };
        let mut plan = Plan {
            activations: options.activations.clone(),
            lr_grid: options.lr_grid.clone().unwrap_or(default_grid),
            trial_epochs: options.trial_epochs.unwrap_or(if quick { 0.5 } else { 1.0 }),
            finalists: options.finalists.unwrap_or(if quick { 1 } else { 2 }),
            seeds: options.common.seeds.unwrap_or(if quick { 2 } else { 5 }),
            max_epochs: options.max_epochs.unwrap_or(if quick { 30.0 } else { 80.0 }),
            target: options.target.unwrap_or(if quick { 0.6 } else { 0.25 }),
            reductions: Vec::new(),
        };
        plan.check()?;
        check_overrides(&options.common.overrides, &MANAGED).map_err(invalid)?;
        plan.reductions = plan.reductions_from_the_paper();
        Ok(plan)
    }

    fn check(&self) -> Result<(), ExperimentError> {
        if self.activations.is_empty() || self.lr_grid.is_empty() || self.seeds == 0 || self.finalists == 0 {
            return Err(invalid("need at least one activation, learning rate, seed and finalist".into()));
        }
        check_rate_grid(&self.lr_grid).map_err(invalid)?;
        for (flag, epochs) in [("--trial-epochs", self.trial_epochs), ("--max-epochs", self.max_epochs)] {
            if !(epochs.is_finite() && epochs > 0.0) {
                return Err(invalid(format!("{flag} {epochs} must be a positive number of epochs")));
            }
        }
        if !(0.0..=1.0).contains(&self.target) {
            return Err(invalid(format!("--target {} is outside [0, 1]", self.target)));
        }
        Ok(())
    }

    fn reductions_from_the_paper(&self) -> Vec<String> {
        let mut reductions = Vec::new();
        if self.target != 0.25 {
            reductions.push(format!("target training error {} instead of the paper's 0.25", self.target));
        }
        if self.seeds < 5 {
            reductions.push(format!("{} seed(s) per activation instead of 5", self.seeds));
        }
        if self.trial_epochs < 1.0 {
            reductions.push(format!("learning-rate trials of {} epoch(s) instead of 1", self.trial_epochs));
        }
        if self.finalists < 2 {
            reductions.push("learning rate chosen by the short trials' score alone, without racing the best rates to the target".into());
        }
        reductions
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use actlab_train::Backend;
    use actlab_train::progress::ProgressMode;
    use std::path::PathBuf;

    fn common() -> ExperimentOptions {
        ExperimentOptions {
            out: PathBuf::from("unused"),
            backend: Backend::Flex,
            data: None,
            quick: false,
            seeds: None,
            overrides: vec![],
            progress: ProgressMode::Quiet,
            report_only: false,
            plan: None,
        }
    }

    fn options() -> Fig1Options {
        Fig1Options {
            common: common(),
            activations: vec![Activation::Relu, Activation::Tanh],
            lr_grid: None,
            trial_epochs: None,
            finalists: None,
            max_epochs: None,
            target: None,
        }
    }

    #[test]
    fn the_full_plan_is_the_papers_and_quick_says_what_it_reduced() {
        let full = Plan::from_options(&options()).expect("valid");
        assert_eq!((full.seeds, full.finalists, full.target, full.max_epochs), (5, 2, 0.25, 80.0));
        assert!(full.reductions.is_empty(), "{:?}", full.reductions);
        let quick = Plan::from_options(&Fig1Options { common: ExperimentOptions { quick: true, ..common() }, ..options() }).expect("valid");
        assert_eq!(quick.reductions.len(), 4, "{:?}", quick.reductions);
    }

    #[test]
    fn bad_options_fail_before_any_training() {
        let bad = [
            Fig1Options { target: Some(1.5), ..options() },
            Fig1Options { max_epochs: Some(f64::NAN), ..options() },
            Fig1Options { trial_epochs: Some(0.0), ..options() },
            Fig1Options { lr_grid: Some(vec![1e-3, -1.0]), ..options() },
            Fig1Options { common: ExperimentOptions { seeds: Some(0), ..common() }, ..options() },
        ];
        for options in bad {
            let err = Plan::from_options(&options).expect_err("invalid");
            assert!(err.to_string().starts_with("reproduce: "), "{err}");
        }
    }
}
