//! `actlab reproduce fig1`: the AlexNet paper's Figure 1 experiment. A learning-rate search for
//! each activation (short trials on a log grid, scored by the training error they reach; the best
//! few are then raced to the target from seed 1, since the paper chose each rate "to make
//! training as fast as possible"), then full runs per activation and seed until the epoch's
//! running training error reaches the target, then a report with confidence intervals and the
//! figure. Every trial and run is an ordinary run folder, so a rerun with the same `--out` skips
//! what is finished and resumes what is not.

mod curve;
mod plan;
mod race;
pub mod records;
mod report;
mod search;
mod seeds;
pub mod setting;

use actlab_models::Activation;
use actlab_train::UncheckedConfig;

pub use plan::Fig1Options;
pub use race::fastest;
pub use records::{ActivationResult, Finalist, Outcome, Plan, Report, RunHost, SeedRun, Trial};

use crate::ExperimentError;
use crate::toolkit::markdown::fmt_lr;
use crate::toolkit::runner::{RunSpec, Runner};
use crate::toolkit::setup::{load_data, protocol_config};

/// What the phases of the experiment share while it runs.
struct Experiment<'a> {
    options: &'a Fig1Options,
    plan: &'a Plan,
    base: UncheckedConfig,
    runner: Runner<'a>,
    /// Trials and runs found unfinished (with `--report-only`), in words.
    pending: Vec<String>,
    host: Option<RunHost>,
}

impl Experiment<'_> {
    /// The run of `activation` at `lr` from `seed` to the target.
    fn full_run(&self, activation: Activation, lr: f64, seed: u64, label: String) -> RunSpec {
        let folder = self.options.common.out.join("runs").join(activation.name()).join(lr_name(lr)).join(format!("seed-{seed}"));
        let mut config = self.base.clone();
        config.model.activation = activation;
        config.optimizer.lr = lr;
        config.training.seed = seed;
        config.stop.max_epochs = self.plan.max_epochs;
        config.stop.target_train_error = Some(self.plan.target);
        RunSpec { folder, config, label }
    }
}

fn lr_name(lr: f64) -> String {
    format!("lr-{}", fmt_lr(lr))
}

/// The Figure 1 setting with the options' overrides, backend and data folder.
fn base_config(options: &Fig1Options) -> Result<UncheckedConfig, ExperimentError> {
    let own = if options.common.quick { vec!["dataset.subset_per_class=1000".to_string()] } else { Vec::new() };
    protocol_config(setting::FIG1_TOML, "fig1 base config", own, &options.common)
}

/// Runs (or resumes) the whole experiment and writes `report.md`, `report.json`, `fig1.png/svg`.
pub fn fig1(options: &Fig1Options) -> Result<Report, ExperimentError> {
    let mut plan = Plan::from_options(options)?;
    let base = base_config(options)?;
    let data = load_data(&base, &options.common.out)?;
    if options.common.quick {
        let reduction = format!("training set: a class-balanced subset of at most 1,000 images per class ({} images)", data.train.len());
        plan.reductions.insert(0, reduction);
    }
    let runner = Runner::for_experiment(&data, &options.common)?;
    let mut x = Experiment { options, plan: &plan, base, runner, pending: Vec::new(), host: None };
    let (mut trials, mut results) = (Vec::new(), Vec::new());
    for &activation in &options.activations {
        let search = search::search(&mut x, activation)?;
        trials.extend(search.trials);
        if !search.complete {
            continue;
        }
        if let Some(race) = race::race(&mut x, activation, &trials)? {
            results.push(seeds::seed_runs(&mut x, activation, race)?);
        }
    }
    let report = report::assemble(&x, trials, results);
    report::write(&options.common.out, &report)?;
    Ok(report)
}
