//! `actlab study filters`: do a CNN's first-layer filters start random and learn structure?
//!
//! convnet18 in the Figure 1 setting, trained with each activation at its own Figure 1 rate from
//! the same seeds (so from the same initial filters); the first-layer filters before and after
//! training are measured (how far they moved, how much of their energy is at low spatial
//! frequencies) and drawn, with one test image's feature maps after each layer.

mod figures;
pub mod measure;
mod plan;
pub mod records;
mod report;
mod run;

pub use figures::{Scale, filter_tiles, filters_figure};
pub use plan::FiltersOptions;
pub use records::{FilterRun, FilterSummary, Plan, Report};
pub use run::Filters;

use actlab_datasets::LoadedDataset;
use actlab_train::UncheckedConfig;

use crate::ExperimentError;
use crate::fig1::setting;
use crate::filters::run::Study;
use crate::toolkit::provenance::Provenance;
use crate::toolkit::runner::Runner;
use crate::toolkit::saved::{initial_model, saved_model};
use crate::toolkit::setup::{load_data, protocol_config};

fn base_config(options: &FiltersOptions, plan: &Plan) -> Result<UncheckedConfig, ExperimentError> {
    let own = plan.subset_per_class.map(|n| format!("dataset.subset_per_class={n}")).into_iter().collect();
    protocol_config(setting::FIG1_TOML, "study-filters setting", own, &options.common)
}

/// Runs (or resumes) the study and writes `report.md`, `report.json`, `filters.png/svg` and
/// `features.png/svg`.
pub fn filters(options: &FiltersOptions) -> Result<Report, ExperimentError> {
    let plan = Plan::from_options(options)?;
    let base = base_config(options, &plan)?;
    base.clone().check("study-filters setting")?;
    let data = load_data(&base, &options.common.out)?;
    let runner = Runner::for_experiment(&data, &options.common)?;
    let mut study = Study { out: options.common.out.clone(), plan: &plan, base: base.clone(), runner, data: &data, pending: Vec::new() };
    let runs = study.run_all()?;
    let same_init = draw(&study, &data)?;
    let commits = runs.iter().map(|r| r.commit.clone()).collect::<Vec<_>>();
    let setting = format!("Figure 1 setting, {} epochs", plan.epochs);
    let provenance = Provenance::new(setting, options.common.backend, base.dataset.name.to_string(), &data, commits, study.pending.clone());
    let report = Report { summaries: report::summaries(&plan, &runs), plan: plan.clone(), same_init, runs, provenance };
    report::write(&options.common.out, &report, &data)?;
    Ok(report)
}

/// Draws the figures from each activation's seed-1 run (those that have finished); returns
/// whether all of them started from the same filters.
fn draw(study: &Study, data: &LoadedDataset) -> Result<bool, ExperimentError> {
    let (mut inits, mut trained, mut nets) = (Vec::new(), Vec::new(), Vec::new());
    let mut config = None;
    for (activation, &lr) in study.plan.activations.iter().zip(&study.plan.rates) {
        let (c, folder) = (study.config(activation, lr, 1)?, study.folder(activation, 1));
        inits.push(Filters::of(&initial_model(&c, data)?)?);
        if !actlab_train::RunFolder::new(&folder).model_path().exists() {
            continue;
        }
        let model = saved_model(&c, data, &folder)?;
        trained.push((activation.clone(), Filters::of(&model)?));
        nets.push((activation.clone(), model));
        config = Some(c);
    }
    let same_init = inits.windows(2).all(|w| w[0].values == w[1].values);
    if let (Some(init), Some(config)) = (inits.first(), config) {
        filters_figure(&study.out, init, &trained)?;
        figures::features_figure(&study.out, &config, data, &nets)?;
    }
    Ok(same_init)
}
