//! The study's report: report.json, and report.md with the answer first, the forest plot, a table
//! per cell, and the tuner's decisions.

use actlab_train::durable::write_atomic;
use std::path::Path;

use crate::ExperimentError;
use crate::speedup::ratios;
use crate::speedup::records::{ActivationResult, CellResult, Report, SpeedRatio};
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

/// How a cell's ratio compares with the paper cell's: intervals apart, or overlapping.
fn compare(paper: Option<&SpeedRatio>, cell: Option<&SpeedRatio>) -> &'static str {
    let interval = |r: Option<&SpeedRatio>| r.and_then(|r| r.epochs.as_ref()).and_then(|e| e.ci95);
    match (interval(paper), interval(cell), cell.and_then(|c| c.at_least)) {
        (Some((plo, _)), Some((_, chi)), _) if chi < plo => "smaller: the intervals do not overlap",
        (Some((_, phi)), Some((clo, _)), _) if clo > phi => "larger: the intervals do not overlap",
        (Some(_), Some(_), _) => "no clear change: the intervals overlap",
        (Some((_, phi)), None, Some(bound)) if bound > phi => "larger: the activation did not reach the target in every seed",
        _ if cell.and_then(|c| c.epochs.as_ref()).is_some() => "no interval to compare: one seed",
        _ => "not comparable (a ratio is missing)",
    }
}

fn answer(r: &Report) -> String {
    let Some(paper) = r.cells.iter().find(|c| c.key == "paper") else {
        return "## Answer\n\nThe paper's cell is not in this run, so no factor can be compared with it.\n\n".into();
    };
    let mut lines = String::new();
    for other in r.plan.activations.iter().filter(|a| *a != "relu") {
        lines += &format!("\n**{other}/relu.** In the paper's setting: {}.\n\n", ratios::fmt(paper.ratio(other)));
        for cell in r.cells.iter().filter(|c| c.key != "paper") {
            lines +=
                &format!("- {}: {} ({})\n", cell.change, ratios::fmt(cell.ratio(other)), compare(paper.ratio(other), cell.ratio(other)));
        }
    }
    format!("## Answer\n\n{}\n{lines}\n![the ratio per cell with its interval, on a log axis](forest.png)\n\n", overall(r, paper))
}

/// The one-paragraph answer to "a property of ReLU or of the setting?", from the tanh ratios.
fn overall(r: &Report, paper: &CellResult) -> String {
    let tanh = |c: &CellResult| c.ratio("tanh").and_then(|x| x.epochs.clone());
    let Some(p) = tanh(paper) else { return "The paper's cell has no tanh/relu ratio yet.".into() };
    let modern = r.cells.iter().find(|c| c.key == "modern").and_then(tanh);
    let moved: Vec<String> = r
        .cells
        .iter()
        .filter(|c| c.key != "paper")
        .filter(|c| compare(paper.ratio("tanh"), c.ratio("tanh")).contains("do not overlap"))
        .map(|c| format!("{} ({:.2}×)", c.key, tanh(c).map_or(f64::NAN, |x| x.value)))
        .collect();
    let others_measured = r.cells.iter().filter(|c| c.key != "paper").filter_map(tanh).count();
    let moved = if p.ci95.is_none() {
        "with one seed there are no intervals to compare the factors by".to_string()
    } else if others_measured == 0 {
        "no other cell has a tanh/relu ratio yet, so no factor can be judged".into()
    } else if moved.is_empty() {
        "no single factor moves it outside the paper cell's interval".into()
    } else {
        format!("the factors that move it outside the paper cell's interval: {}", moved.join(", "))
    };
    let verdict = match modern {
        None => "The modern combination has not been measured yet.".to_string(),
        Some(m) if m.ci95.is_none() || p.ci95.is_none() => format!(
            "In the modern combination it is {:.2}×. With one seed per activation there are no intervals, so this is no verdict: the default form (three seeds) gives one.",
            m.value
        ),
        Some(m) => {
            let (mlo, mhi) = m.ci95.unwrap_or((m.value, m.value));
            let (plo, _) = p.ci95.unwrap_or((p.value, p.value));
            if mhi < plo && mhi < 2.0 {
                format!(
                    "In the modern combination the ratio is {:.2}× [{mlo:.2}, {mhi:.2}]: most of the speed-up belongs to the setting, not to the activation alone. This contradicts the usual reading of Figure 1.",
                    m.value
                )
            } else if mhi < plo {
                format!(
                    "In the modern combination ReLU keeps a smaller advantage, {:.2}× [{mlo:.2}, {mhi:.2}]: part of the speed-up belongs to the setting, part to the activation.",
                    m.value
                )
            } else {
                format!(
                    "In the modern combination the ratio is {:.2}× [{mlo:.2}, {mhi:.2}], not smaller than in the paper's setting: here the speed-up behaves like a property of the activation.",
                    m.value
                )
            }
        }
    };
    format!("In the paper's setting tanh needs {:.2}× ReLU's epochs; {moved}. {verdict}", p.value)
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
