//! `actlab study sensitivity`: when does ReLU's six-fold speed-up over tanh hold?
//!
//! The Figure 1 setting (convnet18, raw pixels minus the mean image, cuda-convnet's init, SGD with
//! momentum, batch 128), then one factor changed at a time (input, init, response normalisation,
//! batch normalisation, optimizer, batch size, architecture) and the modern combination. In each
//! cell relu, tanh and sigmoid have their rates tuned by time to the target, and the ratio of
//! epochs to the target is measured over seeds, with cheap probes (conv1's saturation or zeros,
//! its gradient norm, at init and after epoch 1) that say why it moves.

pub mod cells;
mod figures;
mod plan;
pub mod ratios;
pub mod records;
mod report;
mod run;
pub mod verdict;

pub use cells::Cell;
pub use plan::SpeedupOptions;
pub use records::{ActivationResult, CellResult, Plan, Report, SpeedRatio, SpeedRun};

use actlab_train::UncheckedConfig;

use crate::ExperimentError;
use crate::fig1::setting;
use crate::speedup::run::Study;
use crate::toolkit::provenance::Provenance;
use crate::toolkit::runner::Runner;
use crate::toolkit::setup::{load_data, protocol_config};

/// Iterations between metrics rows (and target checks) when the study trains on a subset.
const SUBSET_LOG_EVERY: usize = 5;

fn base_config(options: &SpeedupOptions, plan: &Plan) -> Result<UncheckedConfig, ExperimentError> {
    // On a subset an epoch is a few dozen iterations, and Figure 1's log_every of 20 would time
    // the target to the nearest epoch; every 5 iterations times it to about a quarter of one. On
    // the whole set Figure 1's setting is kept, so the paper's cell can share its runs.
    let own = match plan.subset_per_class {
        Some(n) => vec![format!("dataset.subset_per_class={n}"), format!("training.log_every={SUBSET_LOG_EVERY}")],
        None => Vec::new(),
    };
    protocol_config(setting::FIG1_TOML, "study-sensitivity setting", own, &options.common)
}

/// Runs (or resumes) the study and writes `report.md`, `report.json`, `forest.png/svg` and
/// `sensitivity.png/svg`.
pub fn speedup(options: &SpeedupOptions) -> Result<Report, ExperimentError> {
    let plan = Plan::from_options(options)?;
    let base = base_config(options, &plan)?;
    base.clone().check("study-sensitivity setting")?;
    let data = load_data(&base, &options.common.out)?;
    let runner = Runner::for_experiment(&data, &options.common)?;
    let mut study = Study { out: options.common.out.clone(), plan: &plan, base: base.clone(), runner, data: &data, pending: Vec::new() };
    let activations: Vec<actlab_models::Activation> = plan.activations.iter().filter_map(|a| a.parse().ok()).collect();
    let mut cells = Vec::new();
    for cell in plan.cell_list() {
        let mut results = Vec::new();
        for &activation in &activations {
            results.extend(study.activation(cell, activation)?);
        }
        let ratios = match results.iter().find(|a| a.activation == "relu") {
            Some(relu) => {
                results.iter().filter(|a| a.activation != "relu").map(|a| ratios::ratio(a, relu, plan.max_epochs as f64)).collect()
            }
            None => Vec::new(),
        };
        cells.push(CellResult { key: cell.key().into(), change: cell.change().into(), activations: results, ratios });
    }
    let runs: Vec<&SpeedRun> = cells.iter().flat_map(|c| c.activations.iter().flat_map(|a| a.runs.iter())).collect();
    let commits = runs.iter().map(|r| r.commit.clone()).collect::<Vec<_>>();
    let setting = format!("Figure 1 setting, one factor changed per cell; target {:.0}% training error", 100.0 * plan.target);
    let provenance = Provenance::new(setting, options.common.backend, base.dataset.name.to_string(), &data, commits, study.pending.clone());
    let report = Report { training_seconds: training_seconds(&options.common.out), plan, cells, provenance };
    figures::draw(&options.common.out, &report)?;
    report::write(&options.common.out, &report)?;
    Ok(report)
}

/// Training seconds of every run folder under `out/runs` (tuning included).
fn training_seconds(out: &std::path::Path) -> f64 {
    fn walk(dir: &std::path::Path, total: &mut f64) {
        let Ok(entries) = std::fs::read_dir(dir) else { return };
        for entry in entries.flatten() {
            let path = entry.path();
            if path.is_dir() {
                walk(&path, total);
            } else if path.file_name().is_some_and(|n| n == "summary.json") {
                let summary = actlab_train::RunFolder::new(dir).read_summary();
                *total += summary.map_or(0.0, |s| s.seconds);
            }
        }
    }
    let mut total = 0.0;
    walk(&out.join("runs"), &mut total);
    total
}
