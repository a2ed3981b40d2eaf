//! The study's report: estimates over seeds per activation, layer and epoch; report.json,
//! report.md (the figures are drawn by `figures`).

use actlab_datasets::LoadedDataset;
use actlab_train::durable::write_atomic;
use std::path::Path;

use crate::ExperimentError;
use crate::sparsity::records::{ActivationSummary, LayerEstimate, Report, SparsityRun};
use crate::toolkit::markdown::{Table, fmt_estimate, fmt_lr};
use crate::toolkit::sensitivity::{self, TableCell};
use crate::toolkit::stats::Estimate;
use crate::toolkit::tuner::Tuning;

/// One activation over its runs (all of which have every epoch's counters).
pub(super) fn summary(activation: &str, (lr, source, tuning): (f64, String, Option<Tuning>), runs: &[SparsityRun]) -> ActivationSummary {
    let mut layers = Vec::new();
    if let Some(first) = runs.first() {
        for (epoch, probe) in first.epochs.iter().enumerate() {
            for (l, layer) in probe.layers.iter().enumerate() {
                let of = |f: &dyn Fn(&crate::sparsity::measure::LayerSparsity) -> f64| {
                    Estimate::of(&runs.iter().map(|r| f(&r.epochs[epoch].layers[l])).collect::<Vec<_>>())
                };
                layers.push(LayerEstimate {
                    layer: layer.layer.clone(),
                    epoch: probe.epoch,
                    exact_zero: of(&|s| s.exact_zero),
                    near_off: of(&|s| s.near_off),
                    dead: of(&|s| s.dead as f64),
                    channels: layer.channels,
                    active_per_image: of(&|s| s.active_per_image),
                });
            }
        }
    }
    let errors: Vec<f64> = runs.iter().filter_map(|r| r.final_train_error).collect();
    ActivationSummary { activation: activation.into(), lr, rate_source: source, tuning, final_train_error: Estimate::of(&errors), layers }
}

pub(super) fn write(out: &Path, report: &Report, data: &LoadedDataset) -> Result<(), ExperimentError> {
    let json_path = out.join("report.json");
    write_atomic(&json_path, serde_json::to_string_pretty(report).unwrap_or_default().as_bytes(), "report")
        .map_err(|e| ExperimentError::io(&json_path, e))?;
    let tuned: Vec<(String, &Tuning)> = report.summaries.iter().filter_map(|s| Some((s.activation.clone(), s.tuning.as_ref()?))).collect();
    let linked: Vec<TableCell> =
        tuned.iter().map(|(a, t)| TableCell { label: a.clone(), tuning: t, folder: format!("search/{a}") }).collect();
    let rates = if tuned.is_empty() {
        String::new()
    } else {
        sensitivity::figure(&[("tuned rates".into(), tuned.clone())], "training error at the budget", &out.join("sensitivity"))?;
        format!(
            "## Tuned learning rates\n\nActivations without a Figure 1 rate: {}.\n\n![training error at the budget against the learning rate; ringed: the chosen rate](sensitivity.png)\n\n{}\n",
            report.plan.tuning.describe("the running training error over the last epoch of the budget"),
            sensitivity::table(&linked)
        )
    };
    let md = [header(report, data), tables(report), rates, runs(report), report.provenance.markdown()].concat();
    let md_path = out.join("report.md");
    write_atomic(&md_path, md.as_bytes(), "report").map_err(|e| ExperimentError::io(&md_path, e))
}

fn header(r: &Report, data: &LoadedDataset) -> String {
    let p = &r.plan;
    let rates: Vec<String> = r.summaries.iter().map(|s| format!("{} {} ({})", s.activation, fmt_lr(s.lr), s.rate_source)).collect();
    let mut md = format!(
        "# ReLU's zeros (`actlab study sparsity`)\n\n\
         **What it tests.** ReLU outputs exact zeros, so a trained ReLU net codes each image with few active units, where tanh and sigmoid almost never output zero. Per hidden layer, on {} held-out (test) images, at initialisation and after every epoch: the share of outputs exactly 0; the share within 0.01 of the activation's \"off\" value (|a| < 0.01; a < 0.01 for sigmoid); dead channels (0 for every image and position); and each image's code length (the share of the layer's outputs not near off).\n\n\
         **Protocol.** The Figure 1 setting (convnet18, {} training images, mean-image normalisation, batch 128, SGD with momentum 0.9, cuda-convnet's initialisation), {} epochs, {} seed(s); rates: {}. Measured on the side from the model each epoch leaves: {:.0} s of measuring against {:.0} s of training ({:.1}%). Estimates: mean ± std [Student-t 95% CI] over seeds. The test batch on the development machines is partly reconstructed; the counters describe the nets, not a benchmark.\n\n",
        p.probe_images,
        data.train.len(),
        p.epochs,
        p.seeds,
        rates.join(", "),
        r.measuring_seconds,
        r.training_seconds,
        100.0 * r.measuring_seconds / r.training_seconds.max(1e-9),
    );
    if !p.reductions.is_empty() {
        md.push_str(&format!("**Reduced run**: {}.\n\n", p.reductions.join("; ")));
    }
    if !r.provenance.pending.is_empty() {
        md.push_str(&format!("**Not finished** (this report covers what had): {}.\n\n", r.provenance.pending.join(", ")));
    }
    md.push_str(
        "![near-off share of each layer against epoch](sparsity.png)\n\n![each layer's outputs at the end of training](histograms.png)\n\n",
    );
    md
}

fn tables(r: &Report) -> String {
    let mut t =
        Table::new(&["activation", "layer", "epoch", "exactly 0", "within 0.01 of off", "dead channels", "code length (share active)"]);
    let last = r.plan.epochs;
    for s in &r.summaries {
        for l in s.layers.iter().filter(|l| l.epoch == 0 || l.epoch == last) {
            t.push(vec![
                s.activation.clone(),
                l.layer.clone(),
                if l.epoch == 0 { "init".into() } else { l.epoch.to_string() },
                fmt_estimate(&Some(l.exact_zero.clone()), 3),
                fmt_estimate(&Some(l.near_off.clone()), 3),
                format!("{} of {}", fmt_estimate(&Some(l.dead.clone()), 1), l.channels),
                fmt_estimate(&Some(l.active_per_image.clone()), 3),
            ]);
        }
    }
    let mut errors = Table::new(&["activation", "lr", "rate from", "training error at the end"]);
    for s in &r.summaries {
        errors.push(vec![s.activation.clone(), fmt_lr(s.lr), s.rate_source.clone(), fmt_estimate(&Some(s.final_train_error.clone()), 3)]);
    }
    format!("## At initialisation and at the end\n\n{}\n## Training\n\n{}\n", t.render(), errors.render())
}

fn runs(r: &Report) -> String {
    let mut t = Table::new(&["activation", "seed", "training error", "training s", "run folder", "actlab commit"]);
    for run in &r.runs {
        t.push(vec![
            run.activation.clone(),
            run.seed.to_string(),
            run.final_train_error.map_or("–".into(), |e| format!("{e:.4}")),
            format!("{:.0}", run.training_seconds),
            format!("`{}`", run.folder),
            run.commit.chars().take(12).collect(),
        ]);
    }
    format!("## Runs\n\nEvery number above comes from these run folders (summary.json, sparsity-EPOCH.json).\n\n{}\n", t.render())
}
