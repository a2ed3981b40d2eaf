//! The study's report: per-activation estimates over seeds, report.json, the figures, report.md.

use actlab_datasets::LoadedDataset;
use actlab_train::durable::write_atomic;
use std::path::Path;

use crate::ExperimentError;
use crate::filters::records::{FilterRun, FilterSummary, Report};
use crate::toolkit::markdown::{Table, fmt_estimate, fmt_lr};
use crate::toolkit::stats::Estimate;

pub(super) fn summaries(report_plan: &crate::filters::records::Plan, runs: &[FilterRun]) -> Vec<FilterSummary> {
    report_plan
        .activations
        .iter()
        .zip(&report_plan.rates)
        .filter_map(|(activation, &lr)| {
            let mine: Vec<&FilterRun> = runs.iter().filter(|r| &r.activation == activation).collect();
            let of = |f: &dyn Fn(&FilterRun) -> f64| Estimate::of(&mine.iter().map(|r| f(r)).collect::<Vec<_>>());
            (!mine.is_empty()).then(|| FilterSummary {
                activation: activation.clone(),
                lr,
                final_train_error: of(&|r| r.final_train_error.unwrap_or(f64::NAN)),
                relative_change: of(&|r| r.relative_change),
                low_frequency_init: of(&|r| r.low_frequency_init),
                low_frequency_trained: of(&|r| r.low_frequency_trained),
            })
        })
        .collect()
}

/// Writes report.json and report.md into `out` (the figures are drawn by the caller).
pub(super) fn write(out: &Path, report: &Report, data: &LoadedDataset) -> Result<(), ExperimentError> {
    let json_path = out.join("report.json");
    write_atomic(&json_path, serde_json::to_string_pretty(report).unwrap_or_default().as_bytes(), "report")
        .map_err(|e| ExperimentError::io(&json_path, e))?;
    let md = [header(report, data), table(report), runs(report), report.provenance.markdown()].concat();
    let md_path = out.join("report.md");
    write_atomic(&md_path, md.as_bytes(), "report").map_err(|e| ExperimentError::io(&md_path, e))
}

fn header(r: &Report, data: &LoadedDataset) -> String {
    let p = &r.plan;
    let mut md = format!(
        "# Filters learn themselves (`actlab study filters`)\n\n\
         **What it tests.** A CNN's filters are not designed: they start as random noise and become edge, colour and texture detectors through training. Two numbers per run: how far the first-layer filters moved from their initial values (‖trained − init‖ / ‖init‖, averaged over filters), and the share of their energy at low spatial frequencies (the mean and one cycle across the filter; random filters score about 9/25 = 0.36 for 5×5, smooth blobs and single edges near 1).\n\n\
         **Protocol.** The Figure 1 setting (convnet18, {} images, mean-image normalisation, batch 128, SGD with momentum 0.9, cuda-convnet's initialisation, so every activation starts from the same filters for the same seed: {}), each activation at the rate `reproduce fig1` chose for it ({}), {} epochs, {} seed(s). Estimates: mean ± std [Student-t 95% CI] over seeds.\n\n",
        data.train.len(),
        if r.same_init { "checked, identical" } else { "NOT identical in this run" },
        p.activations.iter().zip(&p.rates).map(|(a, lr)| format!("{a} {}", fmt_lr(*lr))).collect::<Vec<_>>().join(", "),
        p.epochs,
        p.seeds,
    );
    if !p.reductions.is_empty() {
        md.push_str(&format!("**Reduced run**: {}.\n\n", p.reductions.join("; ")));
    }
    if !r.provenance.pending.is_empty() {
        md.push_str(&format!("**Not finished** (this report covers what had): {}.\n\n", r.provenance.pending.join(", ")));
    }
    md.push_str("![first-layer filters at initialisation and after training](filters.png)\n\n");
    md.push_str("![one test image's feature maps after each layer (black: the layer's minimum, ReLU's zeros)](features.png)\n\n");
    md
}

fn table(r: &Report) -> String {
    let mut t =
        Table::new(&["activation", "lr", "training error", "filters moved (relative)", "low-frequency share at init", "after training"]);
    for s in &r.summaries {
        t.push(vec![
            s.activation.clone(),
            fmt_lr(s.lr),
            fmt_estimate(&Some(s.final_train_error.clone()), 3),
            fmt_estimate(&Some(s.relative_change.clone()), 2),
            fmt_estimate(&Some(s.low_frequency_init.clone()), 3),
            fmt_estimate(&Some(s.low_frequency_trained.clone()), 3),
        ]);
    }
    format!("## Results\n\n{}\n", t.render())
}

fn runs(r: &Report) -> String {
    let mut t =
        Table::new(&["activation", "seed", "training error", "moved", "low-frequency init", "trained", "run folder", "actlab commit"]);
    for run in &r.runs {
        t.push(vec![
            run.activation.clone(),
            run.seed.to_string(),
            run.final_train_error.map_or("–".into(), |e| format!("{e:.4}")),
            format!("{:.3}", run.relative_change),
            format!("{:.3}", run.low_frequency_init),
            format!("{:.3}", run.low_frequency_trained),
            format!("`{}`", run.folder),
            run.commit.chars().take(12).collect(),
        ]);
    }
    format!("## Runs\n\nEvery number above comes from these run folders (model.bpk, summary.json).\n\n{}\n", t.render())
}
