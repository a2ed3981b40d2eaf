//! `actlab study sparsity`: does ReLU give sparse codes where tanh and sigmoid do not?
//!
//! convnet18 in the Figure 1 setting with each activation at its own rate, trained epoch by
//! epoch; at initialisation and after every epoch the hidden layers' outputs on held-out images
//! are counted: exact zeros, near-off outputs, dead channels, each image's code length, and
//! histograms. The counting runs between epochs, from the saved models, so training is unchanged.

mod figures;
pub mod measure;
mod plan;
pub mod records;
mod report;
mod run;

pub use plan::{FIG1_RATES, SparsityOptions};
pub use records::{ActivationSummary, EpochSparsity, LayerEstimate, Plan, Report, SparsityRun};

use actlab_train::UncheckedConfig;

use crate::ExperimentError;
use crate::fig1::setting;
use crate::sparsity::run::Study;
use crate::toolkit::provenance::Provenance;
use crate::toolkit::runner::Runner;
use crate::toolkit::setup::{load_data, protocol_config};

fn base_config(options: &SparsityOptions, plan: &Plan) -> Result<UncheckedConfig, ExperimentError> {
    let own = plan.subset_per_class.map(|n| format!("dataset.subset_per_class={n}")).into_iter().collect();
    protocol_config(setting::FIG1_TOML, "study-sparsity setting", own, &options.common)
}

/// Runs (or resumes) the study and writes `report.md`, `report.json`, `sparsity.png/svg` and
/// `histograms.png/svg`.
pub fn sparsity(options: &SparsityOptions) -> Result<Report, ExperimentError> {
    let plan = Plan::from_options(options)?;
    let base = base_config(options, &plan)?;
    base.clone().check("study-sparsity setting")?;
    let data = load_data(&base, &options.common.out)?;
    let runner = Runner::for_experiment(&data, &options.common)?;
    let mut study = Study { out: options.common.out.clone(), plan: &plan, base: base.clone(), runner, data: &data, pending: Vec::new() };
    let (mut summaries, mut all_runs) = (Vec::new(), Vec::new());
    for activation in &plan.activations {
        let Some(rate) = study.rate(activation)? else { continue };
        let mut runs = Vec::new();
        for seed in 1..=plan.seeds as u64 {
            runs.extend(study.seed_run(activation, rate.0, seed)?);
        }
        if !runs.is_empty() {
            summaries.push(report::summary(activation, rate, &runs));
        }
        all_runs.extend(runs);
    }
    let commits = all_runs.iter().map(|r| r.commit.clone()).collect::<Vec<_>>();
    let setting = format!("Figure 1 setting, {} epochs", plan.epochs);
    let provenance = Provenance::new(setting, options.common.backend, base.dataset.name.to_string(), &data, commits, study.pending.clone());
    let report = Report {
        plan: plan.clone(),
        summaries,
        measuring_seconds: all_runs.iter().flat_map(|r| r.epochs.iter().map(|e| e.seconds)).sum(),
        training_seconds: all_runs.iter().map(|r| r.training_seconds).sum(),
        runs: all_runs,
        provenance,
    };
    figures::draw(&options.common.out, &report)?;
    report::write(&options.common.out, &report, &data)?;
    Ok(report)
}
