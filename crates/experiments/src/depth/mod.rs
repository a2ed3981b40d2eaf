//! `actlab study depth`: do saturating activations stop deeper networks from training?
//!
//! Equal-width MLPs on MNIST (cheap enough for a full grid on 2 CPU cores, and the setting of
//! Glorot & Bengio 2010): depth × activation × init (Xavier, made for saturating units; Kaiming,
//! made for ReLU). Each cell gets its own learning rate from the tuner (judged by the training error
//! at the full budget), then trains from every seed for the same budget; a probe measures, from the run folders' model files, each layer's
//! weight-gradient norm at init and after epoch 1, and each layer's mean output and saturation
//! (after every epoch for the deepest sigmoid and tanh nets).

mod figures;
pub(crate) mod measure;
mod plan;
pub mod records;
mod report;
mod run;

use actlab_models::{Activation, InitScheme};
use actlab_train::UncheckedConfig;

pub use measure::saturation;
pub use plan::DepthOptions;
pub use records::{DepthCell, DepthRun, LayerStats, Plan, Probe, Report};

use crate::ExperimentError;
use crate::depth::run::{CellSpec, Study};
use crate::toolkit::runner::Runner;
use crate::toolkit::setup::{load_data, protocol_config};

pub const PROTOCOL_TOML: &str = include_str!("../../../../configs/study-depth.toml");

fn base_config(options: &DepthOptions, plan: &Plan) -> Result<UncheckedConfig, ExperimentError> {
    let own = vec![format!("dataset.subset_per_class={}", plan.subset_per_class)];
    protocol_config(PROTOCOL_TOML, "study-depth protocol", own, &options.common)
}

/// The grid in the order it runs: by init, then activation, then depth (shallow first).
fn cells(plan: &Plan) -> Vec<CellSpec> {
    let deepest = plan.depths.iter().copied().max().unwrap_or(0);
    let mut cells = Vec::new();
    for init in [InitScheme::Xavier, InitScheme::Kaiming] {
        for activation in plan.activations.iter().filter_map(|a| a.parse::<Activation>().ok()) {
            for &depth in &plan.depths {
                let tracked = depth == deepest && matches!(activation, Activation::Sigmoid | Activation::Tanh);
                cells.push(CellSpec { depth, activation, init, tracked });
            }
        }
    }
    cells
}

/// Runs (or resumes) the study and writes `report.md`, `report.json` and the figures.
pub fn depth(options: &DepthOptions) -> Result<Report, ExperimentError> {
    let plan = Plan::from_options(options)?;
    let base = base_config(options, &plan)?;
    base.clone().check("study-depth protocol")?;
    let data = load_data(&base, &options.common.out)?;
    let runner = Runner::for_experiment(&data, &options.common)?;
    let mut study = Study { out: options.common.out.clone(), plan: &plan, base: base.clone(), runner, data: &data, pending: Vec::new() };
    let mut done = Vec::new();
    for cell in cells(&plan) {
        done.extend(study.cell(&cell)?);
    }
    let mut report = report::assemble(&plan, &base, &data, options.common.backend, done, study.pending);
    report.verdicts = report::verdicts(&report);
    report::write(&options.common.out, &report)?;
    Ok(report)
}
