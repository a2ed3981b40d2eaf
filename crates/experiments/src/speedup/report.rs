//! The study's report: report.json, and report.md with the answer first, the forest plot, a table
//! per cell, and the tuner's decisions.

use actlab_train::durable::write_atomic;
use std::path::Path;

use crate::ExperimentError;
use crate::speedup::records::{ActivationResult, Report, SpeedRatio};
use crate::speedup::{ratios, verdict};
use crate::toolkit::markdown::{Table, fmt_estimate, fmt_lr, link, rate_folder};
use crate::toolkit::sensitivity::{self, TableCell};
use crate::toolkit::stats::Estimate;
use crate::toolkit::tuner::Tuning;

pub(super) fn write(out: &Path, report: &Report) -> Result<(), ExperimentError> {
    let json_path = out.join("report.json");
    write_atomic(&json_path, serde_json::to_string_pretty(report).unwrap_or_default().as_bytes(), "report")
        .map_err(|e| ExperimentError::io(&json_path, e))?;
    let md =
        [header(report), answer(report), tables(report), rates(out, report)?, runs(report), pending(report), report.provenance.markdown()]
            .concat();
    let md_path = out.join("report.md");
    write_atomic(&md_path, md.as_bytes(), "report").map_err(|e| ExperimentError::io(&md_path, e))
}

fn header(r: &Report) -> String {
    let p = &r.plan;
    let reductions: String = p.reductions.iter().map(|x| format!("- {x}\n")).collect();
    format!(
        "# When does ReLU's speed-up hold?\n\n\
         The AlexNet paper's Figure 1: a four-layer convnet with ReLUs reaches 25% CIFAR-10 training error six times faster than one with tanh units. This study starts from that setting and changes one factor at a time, then several together, and measures the same ratio in each cell.\n\n\
         **Hypotheses, stated before the runs.** The textbook reading: the speed-up is a property of the activation, so the tanh/relu ratio stays well above 1 in every cell. The alternative: it is a property of the setting. Raw pixels of ±128 times growing filters drive tanh's first layer into saturation (the sparsity study saw it), so the factors that keep tanh's units in their linear range (standardised input, fan-in init, batch normalisation) should bring the ratio towards 1.\n\n\
         **Measure.** Epochs until the running training error of an epoch reaches {:.0}%, per seed, at each cell's and activation's own learning rate; the ratio of the means with a percentile-bootstrap 95% interval over seeds (10,000 resamples), and the same for training seconds. Seconds are epochs × training images ÷ the activation's speed in the cell (images/s: the fastest of its seed runs' 90th percentiles of logged images/s), because the runs' own clocks count the tuner's stops and resumes and whatever else ran beside them on a shared machine; the Runs table gives both.\n\n\
         **Rates.** {}.\n\n\
         **Reductions from the paper's setting** (to fit about 4 hours on 2 CPU cores):\n{reductions}\n",
        100.0 * p.target,
        p.tuning.describe("epochs to the target (a run that did not get there scores the budget plus its training error then, so it ranks after every run that did)"),
    )
}

fn answer(r: &Report) -> String {
    let Some(paper) = r.cells.iter().find(|c| c.key == "paper") else {
        return "## Answer\n\nThe paper's cell is not in this run, so no factor can be compared with it.\n\n".into();
    };
    let mut text = String::new();
    for other in r.plan.activations.iter().filter(|a| *a != "relu") {
        text += &format!("\n**{other}/relu.** {}\n\n", verdict::paragraph(&r.cells, other));
        for cell in r.cells.iter().filter(|c| c.key != "paper") {
            let (p, c) = (paper.ratio(other), cell.ratio(other));
            text += &format!("- {}: {}\n", cell.change, factor_line(other, p, c));
        }
    }
    format!("## Answer\n{text}\n![the ratio per cell with its interval, on a log axis](forest.png)\n\n")
}

/// How one factor moved `other`'s ratio: "from 1.35× to 0.78 [0.71, 0.85] (smaller: …)", a bound
/// with who did not get there, or why there is no ratio.
fn factor_line(other: &str, paper: Option<&SpeedRatio>, cell: Option<&SpeedRatio>) -> String {
    let Some(c) = cell else { return "not finished yet".into() };
    let change = verdict::change(paper, cell).describe(cell);
    let from = verdict::short(paper);
    match (&c.epochs, c.at_least, c.at_most) {
        (Some(e), _, _) if e.ci95.is_some() => format!("from {from} to {} ({change})", ratios::fmt(cell)),
        (Some(_), _, _) => format!("from {from} to {} ({change})", verdict::short(cell)),
        (None, Some(_), _) => format!("from {from} to {} ({other} not reached in every seed; {change})", verdict::short(cell)),
        (None, None, Some(_)) => format!("from {from} to {} (ReLU not reached in every seed; {change})", verdict::short(cell)),
        (None, None, None) => "no ratio: neither activation reached the target in every seed".into(),
    }
}

fn fmt_pair(pair: &[Option<Estimate>; 2], digits: usize) -> String {
    let one = |e: &Option<Estimate>| e.as_ref().map_or("–".into(), |e| format!("{:.digits$}", e.mean));
    format!("{} → {}", one(&pair[0]), one(&pair[1]))
}

fn per_seed(a: &ActivationResult) -> String {
    let one = |e: Option<f64>| e.map_or("–".into(), |e| format!("{e:.2}"));
    a.runs.iter().map(|r| one(r.epochs_to_target)).collect::<Vec<_>>().join(", ")
}

fn tables(r: &Report) -> String {
    let mut t = Table::new(&[
        "cell",
        "activation",
        "rate",
        "epochs to target",
        "per seed",
        "seconds to target",
        "images/s",
        "ratio to relu (epochs)",
        "ratio (seconds)",
        "conv1 saturated / zero, init → epoch 1",
        "conv1 ‖grad‖, init → epoch 1",
    ]);
    for cell in &r.cells {
        for a in &cell.activations {
            let ratio = cell.ratio(&a.activation);
            let seconds = ratio.and_then(|x| x.seconds.as_ref()).map_or("–".into(), |s| crate::toolkit::markdown::fmt_ratio(Some(s)));
            let reached =
                if a.reached < a.runs.len() { format!(" ({} of {} seeds reached it)", a.reached, a.runs.len()) } else { String::new() };
            t.push(vec![
                cell.key.clone(),
                a.activation.clone(),
                link(&fmt_lr(a.lr), &rate_folder(&format!("runs/{}/{}", cell.key, a.activation), a.lr)),
                format!("{}{reached}", fmt_estimate(&a.epochs, 2)),
                per_seed(a),
                fmt_estimate(&a.seconds, 0),
                a.images_per_sec.map_or("–".into(), |v| format!("{v:.0}")),
                if a.activation == "relu" { "1".into() } else { ratios::fmt(ratio) },
                if a.activation == "relu" { "1".into() } else { seconds },
                fmt_pair(&a.conv1_saturated, 3),
                fmt_pair(&a.conv1_gradient, 4),
            ]);
        }
    }
    let cells: String = r.cells.iter().map(|c| format!("- `{}`: {}\n", c.key, c.change)).collect();
    format!(
        "## Cells\n\n{cells}\n\"Saturated / zero\" is conv1's share of outputs in tanh's saturated range (|a| > 0.99), sigmoid's (below 0.01 or above 0.99), or ReLU's exact zeros, on the first {} training images; the gradient norm is ‖∂loss/∂W‖ of conv1 on the same images. \"–\": not measured (a run shared with `reproduce fig1`, or one that had passed epoch 1 before it was probed).\n\n{}\n",
        r.plan.probe_images,
        t.render()
    )
}

fn rates(out: &Path, r: &Report) -> Result<String, ExperimentError> {
    let linked: Vec<TableCell> = r
        .cells
        .iter()
        .flat_map(|c| {
            c.activations.iter().map(move |a| TableCell {
                label: format!("{} {}", c.key, a.activation),
                tuning: &a.tuning,
                folder: format!("runs/{}/{}", c.key, a.activation),
            })
        })
        .collect();
    if linked.is_empty() {
        return Ok(String::new());
    }
    let cells: Vec<(String, &Tuning)> = linked.iter().map(|c| (c.label.clone(), c.tuning)).collect();
    let groups: Vec<(String, Vec<(String, &Tuning)>)> = r
        .plan
        .activations
        .iter()
        .map(|act| (act.clone(), cells.iter().filter(|(k, _)| k.ends_with(&format!(" {act}"))).cloned().collect()))
        .collect();
    sensitivity::figure(&groups, "epochs to target (budget + error if not reached)", &out.join("sensitivity"))?;
    Ok(format!(
        "## Learning rates\n\nEvery rate the tuner tried, with seed 1's score at each rung it reached: epochs to the target, or the budget plus the training error then if the run had not got there. Rates marked (ext.) lie past the starting grid.\n\n![epochs to the target against the learning rate, one line per cell; ringed: the chosen rate; bars: the range over seeds](sensitivity.png)\n\n{}\n",
        sensitivity::table(&linked)
    ))
}

/// Every seed run at a chosen rate, with its folder (which `actlab serve` turns into a link).
fn runs(r: &Report) -> String {
    let mut t = Table::new(&[
        "cell",
        "activation",
        "rate",
        "seed",
        "epochs to target",
        "seconds to target (at its speed)",
        "by its clock",
        "images/s (90th pct.)",
        "epochs run",
        "folder",
    ]);
    for cell in &r.cells {
        for a in &cell.activations {
            for run in &a.runs {
                let reached = |v: Option<f64>, digits: usize| v.map_or("not reached".into(), |v| format!("{v:.digits$}"));
                t.push(vec![
                    cell.key.clone(),
                    a.activation.clone(),
                    fmt_lr(a.lr),
                    run.seed.to_string(),
                    reached(run.epochs_to_target, 2),
                    reached(run.seconds_to_target, 0),
                    reached(run.clock_seconds_to_target, 0),
                    run.images_per_sec.map_or("–".into(), |v| format!("{v:.0}")),
                    format!("{:.2}{}", run.epochs_run, if run.diverged { " (diverged)" } else { "" }),
                    format!("`{}`", run.folder),
                ]);
            }
        }
    }
    format!(
        "## Runs

The seed runs behind every number above. By its clock: the run's own training seconds to the target, on a machine that may have run other work at the same time; at its speed: its epochs at the activation's speed in the cell (see Measure), which the seconds ratios use.

{}
",
        t.render()
    )
}

fn pending(r: &Report) -> String {
    if r.provenance.pending.is_empty() {
        return String::new();
    }
    let lines: String = r.provenance.pending.iter().map(|p| format!("- {p}\n")).collect();
    format!("## Not finished yet\n\nThis report was written while the study ran; these were still to come:\n\n{lines}\n")
}
