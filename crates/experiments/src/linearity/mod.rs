//! `actlab study linearity`: how much non-linearity does a network need?
//!
//! Part A (collapse): nets without a non-linearity against one linear layer and the same nets
//! with ReLU, with a direct check that each is (or is not) one affine map. Part B (slope sweep):
//! convnet18 with leaky ReLU from α = 0 (ReLU) to α = 1 (identity). Part C (zoo): convnet18 with
//! every activation actlab has. Every cell gets the init made for its activation and its own
//! learning rate from the tuner (judged by the training error at the full budget), and trains
//! from every seed for the same budget; verdicts are seed-paired differences, given across the
//! basin of the tuned rates. Every run is an ordinary run folder, so the study resumes where it
//! stopped.

mod affinity;
pub mod cells;
mod figures;
mod plan;
pub mod records;
mod report;
mod run;

use actlab_models::Activation;
use actlab_train::UncheckedConfig;

pub use plan::LinearityOptions;
pub use records::{Cell, CellRun, CollapseRow, Plan, Report, SlopePoint, ZooRow};

use crate::ExperimentError;
use crate::linearity::cells::{CellSpec, Net, shape};
use crate::linearity::run::Study;
use crate::toolkit::runner::Runner;
use crate::toolkit::setup::{load_data, protocol_config};

pub const PROTOCOL_TOML: &str = include_str!("../../../../configs/study-linearity.toml");

/// The protocol's config with the plan's subset, the options' overrides, backend and data.
fn base_config(options: &LinearityOptions, plan: &Plan) -> Result<UncheckedConfig, ExperimentError> {
    let own = vec![format!("dataset.subset_per_class={}", plan.subset_per_class), format!("dataset.test_subset={}", plan.test_images)];
    protocol_config(PROTOCOL_TOML, "study-linearity protocol", own, &options.common)
}

/// The rows of each part and the distinct cells they need, in the order they are run.
struct Layout {
    collapse: Vec<(CellSpec, bool)>,
    slopes: Vec<(f64, CellSpec)>,
    zoo: Vec<CellSpec>,
}

impl Layout {
    fn new(plan: &Plan) -> Self {
        let no_activation =
            [Net::Linear, Net::Mlp, Net::Plain8, Net::Convnet18].map(|n| (CellSpec::new(n, Activation::Identity), n != Net::Convnet18));
        let relu = [Net::Mlp, Net::Plain8, Net::Convnet18].map(|n| (CellSpec::new(n, Activation::Relu), false));
        let zoo = plan.zoo.iter().filter_map(|a| a.parse::<Activation>().ok()).map(|a| CellSpec::new(Net::Convnet18, a)).collect();
        Self {
            collapse: no_activation.into_iter().chain(relu).collect(),
            slopes: plan.slopes.iter().map(|&s| (s, CellSpec::leaky(Net::Convnet18, s))).collect(),
            zoo,
        }
    }

    fn distinct_cells(&self) -> Vec<CellSpec> {
        let all = self.collapse.iter().map(|(c, _)| c).chain(self.slopes.iter().map(|(_, c)| c)).chain(&self.zoo);
        let mut cells: Vec<CellSpec> = Vec::new();
        for cell in all {
            if !cells.iter().any(|c| c.key() == cell.key()) {
                cells.push(cell.clone());
            }
        }
        cells
    }
}

/// Runs (or resumes) the study and writes `report.md`, `report.json` and the figures.
pub fn linearity(options: &LinearityOptions) -> Result<Report, ExperimentError> {
    let plan = Plan::from_options(options)?;
    let base = base_config(options, &plan)?;
    let data = load_data(&base, &options.common.out)?;
    let layout = Layout::new(&plan);
    let runner = Runner::for_experiment(&data, &options.common)?;
    let mut study = Study { out: options.common.out.clone(), plan: &plan, base: base.clone(), runner, pending: Vec::new() };
    let mut cells = Vec::new();
    for spec in layout.distinct_cells() {
        let Some(mut cell) = study.cell(&spec)? else { continue };
        if layout.collapse.iter().any(|(c, _)| c.key() == cell.key) {
            cell.affine_deviation = Some(affinity::measure(&cell, &spec.config(&base), &data)?);
        }
        cells.push(cell);
    }
    let mut report = Report {
        collapse: layout
            .collapse
            .iter()
            .map(|(c, linear)| CollapseRow { net: c.net.describe().into(), key: c.key(), linear: *linear })
            .collect(),
        slopes: layout.slopes.iter().map(|(slope, c)| SlopePoint { slope: *slope, key: c.key() }).collect(),
        zoo: layout
            .zoo
            .iter()
            .map(|c| {
                let (saturates, smooth) = shape(c.activation);
                ZooRow { activation: c.activation.to_string(), key: c.key(), saturates: saturates.into(), smooth }
            })
            .collect(),
        ..report::assemble(&plan, &base, &data, options.common.backend, cells, study.pending)
    };
    report.verdicts = report::verdicts(&report);
    report::write(&options.common.out, &report)?;
    Ok(report)
}
