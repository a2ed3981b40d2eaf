//! The study's report: assembled from the cells, then report.json, the figures and report.md.

use actlab_datasets::LoadedDataset;
use actlab_models::Activation;
use actlab_train::{Backend, UncheckedConfig};
use std::path::Path;

use crate::ExperimentError;
use crate::linearity::figures;
use crate::linearity::records::{Cell, Plan, Report};
use crate::toolkit::markdown::{Table, fmt_estimate, fmt_lr, link, rate_folder};
use crate::toolkit::paired::{self, Verdict};
use crate::toolkit::provenance::Provenance;
use crate::toolkit::sensitivity::{self, TableCell};
use crate::toolkit::tuner::Tuning;
use actlab_train::durable::write_atomic;

pub(super) fn assemble(
    plan: &Plan,
    base: &UncheckedConfig,
    data: &LoadedDataset,
    backend: Backend,
    cells: Vec<Cell>,
    pending: Vec<String>,
) -> Report {
    let commits: Vec<String> = cells.iter().flat_map(|c| c.runs.iter().map(|r| r.commit.clone())).collect();
    let setting = setting(plan, base, data);
    Report {
        plan: plan.clone(),
        cells,
        collapse: Vec::new(),
        slopes: Vec::new(),
        zoo: Vec::new(),
        verdicts: Vec::new(),
        provenance: Provenance::new(setting, backend, base.dataset.name.to_string(), data, commits, pending),
    }
}

/// The shared setting of every run, in words.
fn setting(plan: &Plan, base: &UncheckedConfig, data: &LoadedDataset) -> String {
    format!(
        "{} {} training images ({} per class), {} normalisation, batch {}, SGD with momentum {}, no weight decay, dropout or augmentation, {} epochs per run",
        data.train.len(),
        base.dataset.name,
        plan.subset_per_class,
        serde_json::to_value(base.dataset.normalize).ok().and_then(|v| v.as_str().map(String::from)).unwrap_or_default(),
        base.training.batch_size,
        base.optimizer.momentum,
        plan.epochs
    )
}

/// Writes report.json, the figures and report.md into `out`.
pub(super) fn write(out: &Path, report: &Report) -> Result<(), ExperimentError> {
    let json_path = out.join("report.json");
    write_atomic(&json_path, serde_json::to_string_pretty(report).unwrap_or_default().as_bytes(), "report")
        .map_err(|e| ExperimentError::io(&json_path, e))?;
    let zoo: Vec<Activation> = report.zoo.iter().filter_map(|z| z.activation.parse().ok()).collect();
    figures::activations(out, &zoo)?;
    figures::slopes(out, report)?;
    figures::zoo(out, report)?;
    let groups: Vec<(String, Vec<(String, &Tuning)>)> = [
        ("A. collapse", report.collapse.iter().map(|r| r.key.as_str()).collect::<Vec<_>>()),
        ("B. leaky ReLU slope", report.slopes.iter().map(|p| p.key.as_str()).collect()),
        ("C. zoo", report.zoo.iter().map(|z| z.key.as_str()).collect()),
    ]
    .into_iter()
    .map(|(title, keys)| (title.to_string(), keys.iter().filter_map(|k| Some((k.to_string(), &report.cell(k)?.tuning))).collect()))
    .collect();
    sensitivity::figure(&groups, "training error at the budget", &out.join("sensitivity"))?;
    let md = [
        header(report),
        collapse(report),
        slopes(report),
        zoo_table(report),
        verdict_table(report),
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
        "# Is a little non-linearity enough? (`actlab study linearity`)\n\n\
         **What it tests.** (A) Without a non-linearity a net of any depth computes one affine map, so it can do no better than one linear layer (softmax regression). (B) A nearly linear activation is enough, but a fully linear one is not: leaky ReLU's negative slope α runs from 0 (ReLU) to 1 (identity), and somewhere on the way depth should stop helping. (C) Which matters, the kink or the saturating tails: every activation actlab has, tagged by where it saturates and whether it is smooth.\n\n\
         **Protocol.** {}. Every cell (a net with an activation) gets the Kaiming init made for its activation (gain √(2/(1+α²)) for ReLU and leaky ReLU, √2 for the smooth ReLU-likes, 1, LeCun's, for the saturating and linear ones) and its own learning rate: {}. Training error: the running error over the last epoch; test error: on {} test images at the end (on the development machines CIFAR-10's test batch is partly reconstructed, so test errors are indicative). Estimates: mean ± std [Student-t 95% CI] (n = seeds).\n\n",
        r.provenance.setting,
        p.tuning.describe("the running training error over the last epoch of the budget"),
        p.test_images
    );
    if !p.reductions.is_empty() {
        md.push_str("**Reduced run.** Differences from the default study:\n\n");
        p.reductions.iter().for_each(|x| md.push_str(&format!("- {x}\n")));
        md.push('\n');
    }
    if !r.provenance.pending.is_empty() {
        md.push_str("**Not finished yet** (this report covers the cells finished when it was written):\n\n");
        r.provenance.pending.iter().for_each(|x| md.push_str(&format!("- {x}\n")));
        md.push('\n');
    }
    md.push_str("![each activation (solid) and its derivative (dashed) on [-4, 4]](activations.png)\n\n");
    md
}

fn error(e: &Option<crate::toolkit::stats::Estimate>) -> String {
    match e {
        None => "–".into(),
        e => fmt_estimate(e, 3),
    }
}

/// The cell's training error, saying how many of its runs diverged.
fn train_error(c: &Cell) -> String {
    let diverged = c.runs.iter().filter(|r| r.diverged).count();
    let note = if diverged > 0 { format!("; {diverged} of {} runs diverged", c.runs.len()) } else { String::new() };
    format!("{}{note}", error(&c.train_error))
}

fn collapse(r: &Report) -> String {
    let mut t = Table::new(&["net", "activation", "lr", "training error", "test error", "affine deviation"]);
    for row in &r.collapse {
        let Some(c) = r.cell(&row.key) else { continue };
        let activation = if row.key == "linear" { "–".into() } else { c.nonlinearity.clone() };
        let deviation = c.affine_deviation.map_or("–".into(), |d| format!("{d:.1e}"));
        let net = if row.linear || row.key == "linear" || c.nonlinearity != "identity" {
            row.net.clone()
        } else {
            format!("{} (max pool: not linear)", row.net)
        };
        t.push(vec![net, activation, lr_link(c), train_error(c), error(&c.test_error), deviation]);
    }
    format!(
        "## A. Without a non-linearity, depth collapses\n\n{}\nAffine deviation: max |f(a·x + b·y) − a·f(x) − b·f(y) − (1 − a − b)·f(0)| / max |f| over three (a, b) pairs and two batches of 16 training images, on the trained seed-1 net; about 1e-7 to 1e-6 is float rounding, so such a net is one affine map.\n\n",
        t.render()
    )
}

/// The chosen rate, linked to the folder of its seeds' runs.
fn lr_link(c: &Cell) -> String {
    link(&fmt_lr(c.lr), &rate_folder(&format!("runs/{}", c.key), c.lr))
}

fn slopes(r: &Report) -> String {
    let mut t =
        Table::new(&["α", "activation", "lr", "training error", "test error", &format!("epochs to {}", r.plan.target), "not reached"]);
    for p in &r.slopes {
        let Some(c) = r.cell(&p.key) else { continue };
        t.push(vec![
            format!("{}", p.slope),
            c.nonlinearity.clone(),
            lr_link(c),
            train_error(c),
            error(&c.test_error),
            c.epochs_to_target.as_ref().map_or("not reached".into(), |e| fmt_estimate(&Some(e.clone()), 2)),
            format!("{}/{}", c.not_reached, c.runs.len()),
        ]);
    }
    format!(
        "## B. Leaky ReLU from α = 0 (ReLU) to α = 1 (identity), convnet18\n\n{}\n![error and epochs to target against α](slopes.png)\n\n",
        t.render()
    )
}

fn zoo_table(r: &Report) -> String {
    let mut rows: Vec<_> = r.zoo.iter().filter_map(|z| Some((z, r.cell(&z.key)?))).collect();
    rows.sort_by(|a, b| {
        let mean = |c: &Cell| c.train_error.as_ref().map_or(f64::INFINITY, |e| e.mean);
        mean(a.1).total_cmp(&mean(b.1))
    });
    let mut t = Table::new(&[
        "rank",
        "activation",
        "saturates",
        "smooth",
        "lr",
        "training error",
        "test error",
        &format!("epochs to {}", r.plan.target),
    ]);
    for (i, (z, c)) in rows.iter().enumerate() {
        t.push(vec![
            (i + 1).to_string(),
            z.activation.clone(),
            z.saturates.clone(),
            if z.smooth { "yes" } else { "no (kinked)" }.into(),
            lr_link(c),
            train_error(c),
            error(&c.test_error),
            c.epochs_to_target
                .as_ref()
                .map_or(format!("not reached ({}/{})", c.not_reached, c.runs.len()), |e| fmt_estimate(&Some(e.clone()), 2)),
        ]);
    }
    format!(
        "## C. The zoo, convnet18 (ranked by training error)\n\n{}\n![mean training curves by kind of saturation (dashed: smooth)](zoo.png)\n\n",
        t.render()
    )
}

/// The pairs the verdicts compare: (A, B) for "A − B".
fn verdict_pairs(r: &Report) -> Vec<(String, String)> {
    let mut pairs = Vec::new();
    for row in r.collapse.iter().filter(|row| row.key != "linear") {
        let other = row.key.strip_suffix("-relu").map_or("linear".to_string(), |net| format!("{net}-identity"));
        pairs.push((row.key.clone(), other));
    }
    if let Some(relu) = r.slopes.iter().find(|p| p.slope == 0.0) {
        pairs.extend(r.slopes.iter().filter(|p| p.slope != 0.0).map(|p| (p.key.clone(), relu.key.clone())));
    }
    pairs.extend(r.zoo.iter().filter(|z| z.activation != "relu").map(|z| (z.key.clone(), "convnet18-relu".to_string())));
    pairs.push(("convnet18-tanh".into(), "convnet18-identity".into()));
    let mut seen = Vec::new();
    pairs.retain(|p| {
        let new = !seen.contains(p);
        seen.push(p.clone());
        new
    });
    pairs
}

/// Every verdict whose two cells have finished.
pub(super) fn verdicts(r: &Report) -> Vec<Verdict> {
    verdict_pairs(r)
        .into_iter()
        .filter_map(|(a, b)| Some(Verdict::of((a.as_str(), &r.cell(&a)?.tuning), (b.as_str(), &r.cell(&b)?.tuning))))
        .collect()
}

fn verdict_table(r: &Report) -> String {
    format!(
        "## Verdicts: seed-paired differences\n\nEach row is A's training error minus B's, seed by seed (the same seed gives both the same data order and the same random draws for the initial weights), mean with its Student-t 95% interval; negative means A trains to a lower error. It is given at both cells' chosen rates, with both rates one grid step lower, one step higher, and the range over all nine pairs of rates (each cell at its lower neighbour, chosen rate or upper neighbour); \"same sign throughout\" says whether the verdict survives a one-step change of either rate.\n\n{}\n",
        paired::table(&r.verdicts, "training error")
    )
}

fn rates(r: &Report) -> String {
    let cells: Vec<TableCell> = r
        .cells
        .iter()
        .map(|c| TableCell { label: format!("{} (gain {:.3})", c.key, c.init_gain), tuning: &c.tuning, folder: format!("runs/{}", c.key) })
        .collect();
    sensitivity::section(&cells, "cell")
}

fn runs(r: &Report) -> String {
    let mut t = Table::new(&["cell", "seed", "training error", "test error", "epochs to target", "run folder", "actlab commit"]);
    for c in &r.cells {
        for run in &c.runs {
            t.push(vec![
                c.key.clone(),
                run.seed.to_string(),
                run.train_error.map_or("diverged".into(), |e| format!("{e:.4}")),
                run.test_error.map_or("–".into(), |e| format!("{e:.4}")),
                run.epochs_to_target.map_or("–".into(), |e| format!("{e:.2}")),
                format!("`{}`", run.folder),
                run.commit.clone(),
            ]);
        }
    }
    format!("## Runs\n\nEvery number above comes from these run folders (summary.json and metrics.csv).\n\n{}\n", t.render())
}
