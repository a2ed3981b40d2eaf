//! The depth study's report: assembled from the cells, then report.json, figures and report.md.

use actlab_datasets::LoadedDataset;
use actlab_train::{Backend, UncheckedConfig};
use std::path::Path;

use crate::ExperimentError;
use crate::depth::figures;
use crate::depth::records::{DepthCell, Plan, Report};
use crate::toolkit::markdown::{Table, fmt_lr, link, rate_folder};
use crate::toolkit::paired::{self, Verdict};
use crate::toolkit::provenance::Provenance;
use crate::toolkit::sensitivity::{self, TableCell};
use crate::toolkit::stats::Estimate;
use crate::toolkit::tuner::Tuning;
use actlab_train::durable::write_atomic;

pub(super) fn assemble(
    plan: &Plan,
    base: &UncheckedConfig,
    data: &LoadedDataset,
    backend: Backend,
    cells: Vec<DepthCell>,
    pending: Vec<String>,
) -> Report {
    let commits: Vec<String> = cells.iter().flat_map(|c| c.runs.iter().map(|r| r.commit.clone())).collect();
    let setting = setting(plan, base, data);
    Report {
        plan: plan.clone(),
        cells,
        verdicts: Vec::new(),
        provenance: Provenance::new(setting, backend, base.dataset.name.to_string(), data, commits, pending),
    }
}

/// The shared setting of every run, in words.
fn setting(plan: &Plan, base: &UncheckedConfig, data: &LoadedDataset) -> String {
    format!(
        "MLPs of {} units per hidden layer on {} {} training images ({} per class), batch {}, SGD with momentum {}, no weight decay, {} epochs per run",
        plan.width,
        data.train.len(),
        base.dataset.name,
        plan.subset_per_class,
        base.training.batch_size,
        base.optimizer.momentum,
        plan.epochs
    )
}

pub(super) fn write(out: &Path, report: &Report) -> Result<(), ExperimentError> {
    let json_path = out.join("report.json");
    write_atomic(&json_path, serde_json::to_string_pretty(report).unwrap_or_default().as_bytes(), "report")
        .map_err(|e| ExperimentError::io(&json_path, e))?;
    figures::errors(out, report)?;
    figures::gradients(out, report)?;
    figures::saturation(out, report)?;
    let groups: Vec<(String, Vec<(String, &Tuning)>)> = report
        .plan
        .inits
        .iter()
        .flat_map(|init| report.plan.activations.iter().map(move |a| (init, a)))
        .map(|(init, a)| {
            let cells = report.cells.iter().filter(|c| &c.init == init && &c.activation == a);
            (format!("{a}, {init} init"), cells.map(|c| (format!("{} layers", c.depth), &c.tuning)).collect())
        })
        .collect();
    sensitivity::figure(&groups, "training error at the budget", &out.join("sensitivity"))?;
    let md = [
        header(report),
        errors(report),
        verdict_table(report),
        gradients(report),
        layers(report),
        rates(report),
        runs(report),
        report.provenance.markdown(),
    ]
    .concat();
    let md_path = out.join("report.md");
    write_atomic(&md_path, md.as_bytes(), "report").map_err(|e| ExperimentError::io(&md_path, e))
}

fn header(r: &Report) -> String {
    let p = &r.plan;
    let mut md = format!(
        "# Do saturating activations stop deeper nets from training? (`actlab study depth`)\n\n\
         **What it tests.** With sigmoid or tanh, gradients shrink as they pass back through each saturating unit, so the deeper the net, the less its lower layers learn; ReLU passes a gradient of exactly 1 wherever it is active, so deep ReLU nets train. The init interacts: Xavier (Glorot) is made for saturating units, Kaiming (He) for ReLU.\n\n\
         **Protocol.** {}. Depths {:?} (hidden layers) × activations {:?} × inits {:?}. Learning rates: {}. A cell *stalled* when its mean training error after the budget is at or above {} (chance is 0.9); *stalled across the basin* when its chosen rate and both neighbours stalled. The probe runs on the first {} training images, from each run's saved model: at init (the model rebuilt from the run's seed, as the loop builds it), after epoch 1, and after every epoch for the deepest sigmoid and tanh nets; it never touches the training path. Saturated: sigmoid below 0.01 or above 0.99, |tanh| above 0.99, ReLU exactly 0.\n\n",
        r.provenance.setting,
        p.depths,
        p.activations,
        p.inits,
        p.tuning.describe("the running training error over the last epoch of the budget"),
        p.stalled_at,
        p.probe_images
    );
    for (title, items) in
        [("**Reduced run.** Differences from the default study:", &p.reductions), ("**Not finished yet:**", &r.provenance.pending)]
    {
        if !items.is_empty() {
            md.push_str(&format!("{title}\n\n"));
            items.iter().for_each(|x| md.push_str(&format!("- {x}\n")));
            md.push('\n');
        }
    }
    md
}

fn errors(r: &Report) -> String {
    let mut md = format!("## Training error after {} epochs\n\n", r.plan.epochs);
    for init in &r.plan.inits {
        let header: Vec<String> =
            std::iter::once("activation".to_string()).chain(r.plan.depths.iter().map(|d| format!("{d} layers"))).collect();
        let mut t = Table::new(&header.iter().map(String::as_str).collect::<Vec<_>>());
        for a in &r.plan.activations {
            let cells = r.plan.depths.iter().map(|&d| r.cell(d, a, init).map_or("–".into(), cell_error));
            t.push(std::iter::once(a.clone()).chain(cells).collect());
        }
        md.push_str(&format!("**{init} init** (mean ± std over seeds)\n\n{}\n", t.render()));
    }
    md.push_str("![training error over depth and activation, per init](errors.png)\n\n");
    md
}

/// "mean ± std", how many runs diverged, and whether the cell stalled.
fn cell_error(c: &DepthCell) -> String {
    let error = c
        .train_error
        .as_ref()
        .map_or("–".into(), |e| if e.n > 1 { format!("{:.3} ± {:.3}", e.mean, e.std) } else { format!("{:.3}", e.mean) });
    let diverged = c.runs.iter().filter(|r| r.diverged).count();
    let diverged = if diverged > 0 { format!(" ({diverged} of {} diverged)", c.runs.len()) } else { String::new() };
    let stalled = match (c.stalled, c.stalled_across_basin) {
        (true, true) => " **stalled** (at every rate of the basin)",
        (true, false) => " **stalled** (a neighbouring rate did not)",
        _ => "",
    };
    format!("{error}{diverged}{stalled}")
}

fn ratio(e: &Option<Estimate>) -> String {
    match e {
        Some(e) if e.n >= 2 => format!("{:.2e} [{:.2e}, {:.2e}]", e.mean, e.ci95.map_or(e.mean, |c| c.0), e.ci95.map_or(e.mean, |c| c.1)),
        Some(e) => format!("{:.2e}", e.mean),
        None => "–".into(),
    }
}

fn gradients(r: &Report) -> String {
    let depth = r.plan.depths.iter().copied().max().unwrap_or(0);
    let mut t = Table::new(&["activation", "init", "first / last layer gradient norm at init", "after epoch 1", "training error", "lr"]);
    for c in r.cells.iter().filter(|c| c.depth == depth) {
        t.push(vec![
            c.activation.clone(),
            c.init.clone(),
            ratio(&c.first_to_last_at_init),
            ratio(&c.first_to_last_after_epoch_1),
            cell_error(c),
            link(&fmt_lr(c.lr), &rate_folder(&format!("runs/{}", c.key), c.lr)),
        ]);
    }
    format!(
        "## Gradients through {depth} hidden layers\n\nThe first weight layer's gradient norm over the last one's (mean [t 95% CI] over seeds): below 1, gradients shrink on their way back to the input.\n\n{}\n![gradient norm by layer at init](gradients.png)\n\n![saturation by layer over training](saturation.png)\n\n",
        t.render()
    )
}

/// Layers 1, 2, 4, … of the deepest nets: mean output and saturated share, at init and at the
/// end (seed 1).
fn layers(r: &Report) -> String {
    let depth = r.plan.depths.iter().copied().max().unwrap_or(0);
    let shown: Vec<usize> = (0..).map(|k| 1usize << k).take_while(|&l| l <= depth).collect();
    let header: Vec<String> = ["net", "probe"].iter().map(|s| s.to_string()).chain(shown.iter().map(|l| format!("layer {l}"))).collect();
    let mut t = Table::new(&header.iter().map(String::as_str).collect::<Vec<_>>());
    for c in r.cells.iter().filter(|c| c.depth == depth) {
        let Some(run) = c.runs.first() else { continue };
        for probe in [run.probes.first(), run.probes.last()].into_iter().flatten() {
            let cells = shown.iter().map(|&l| {
                probe.layers.get(l - 1).map_or("–".into(), |s| match s.saturated {
                    Some(sat) => format!("{:.3} ({:.0}%)", s.mean, 100.0 * sat),
                    None => format!("{:.3}", s.mean),
                })
            });
            let when = if probe.epoch == 0 { "init".to_string() } else { format!("epoch {}", probe.epoch) };
            t.push([format!("{} {}", c.activation, c.init), when].into_iter().chain(cells).collect());
        }
    }
    format!(
        "## Inside the {depth}-layer nets

Mean output of each hidden layer on the probe images, and (in brackets) the share saturated or off, at init and at the end of seed 1's run.

{}
",
        t.render()
    )
}

fn runs(r: &Report) -> String {
    let mut t = Table::new(&["cell", "lr", "seed", "training error", "run folder", "actlab commit"]);
    for c in &r.cells {
        for run in &c.runs {
            t.push(vec![
                c.key.clone(),
                fmt_lr(c.lr),
                run.seed.to_string(),
                run.train_error.map_or("diverged".into(), |e| format!("{e:.4}")),
                format!("`{}`", run.folder),
                run.commit.clone(),
            ]);
        }
    }
    format!(
        "## Runs\n\nEvery number above comes from these run folders (summary.json, metrics.csv and the probe files); the tuner's other runs are beside them, one folder per rate.\n\n{}\n",
        t.render()
    )
}

/// Each activation against ReLU at the same depth and init.
pub(super) fn verdicts(r: &Report) -> Vec<Verdict> {
    let mut out = Vec::new();
    for c in r.cells.iter().filter(|c| c.activation != "relu") {
        if let Some(relu) = r.cell(c.depth, "relu", &c.init) {
            out.push(Verdict::of((c.key.as_str(), &c.tuning), (relu.key.as_str(), &relu.tuning)));
        }
    }
    out
}

fn verdict_table(r: &Report) -> String {
    format!(
        "## Against ReLU: seed-paired differences\n\nEach row is a cell's training error minus ReLU's at the same depth and init, seed by seed, mean with its Student-t 95% interval (positive: worse than ReLU); at both chosen rates, with both rates a grid step lower or higher, and the range over the nine pairs of rates of the two basins.\n\n{}\n",
        paired::table(&r.verdicts, "training error")
    )
}

fn rates(r: &Report) -> String {
    let cells: Vec<TableCell> =
        r.cells.iter().map(|c| TableCell { label: c.key.clone(), tuning: &c.tuning, folder: format!("runs/{}", c.key) }).collect();
    sensitivity::section(&cells, "depth")
}
