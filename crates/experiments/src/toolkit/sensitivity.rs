//! What every tuned study shows of its tuner: the learning-rate sensitivity figure (the final
//! measure against the rate, one line per cell, the chosen rate ringed) and the table of what
//! the tuner tried, stopped and chose, and why.

use std::path::Path;

use crate::ExperimentError;
use crate::toolkit::charts::{Chart, Series, save_grid};
use crate::toolkit::markdown::{Table, fmt_lr, link, rate_folder};
use crate::toolkit::plot::COLORS;
use crate::toolkit::stats::Estimate;
use crate::toolkit::tuner::{Score, Tuning};

/// The points of one cell's line: for every rate run to the full budget, its seed mean (with the
/// range over seeds: a t-interval from three seeds is four standard errors wide and hides the
/// basin) where it ran from every seed, else seed 1's value; diverged rates are left out.
fn line(t: &Tuning) -> Series {
    let full = t.plan.rungs.len();
    let mut points = Vec::new();
    let mut bars = Vec::new();
    for r in t.rates.iter().filter(|r| r.rungs.len() == full) {
        let values: Vec<f64> = if r.seeds.is_empty() {
            r.rungs.last().and_then(|s| s.value()).into_iter().collect()
        } else {
            r.seeds.iter().filter_map(|s| s.value()).collect()
        };
        if values.is_empty() || r.seeds.contains(&Score::Diverged) {
            continue;
        }
        let e = Estimate::of(&values);
        points.push((r.lr.log10(), e.mean));
        bars.push(values.iter().fold((f64::INFINITY, f64::NEG_INFINITY), |(lo, hi), v| (lo.min(*v), hi.max(*v))));
    }
    let rings = points.iter().copied().filter(|(x, _)| (x - t.lr.log10()).abs() < 1e-9).collect();
    Series { label: String::new(), points, bars, markers: true, rings, ..Default::default() }
}

/// One chart per group (title, cells), at most six cells a chart (a group with more is split),
/// to `stem.png` and `stem.svg`.
pub fn figure(groups: &[(String, Vec<(String, &Tuning)>)], y_label: &str, stem: &Path) -> Result<(), ExperimentError> {
    let mut charts = Vec::new();
    for (title, cells) in groups {
        let parts = cells.len().div_ceil(COLORS.len()).max(1);
        for (k, chunk) in cells.chunks(COLORS.len()).enumerate() {
            let series: Vec<Series> = chunk.iter().map(|(label, t)| Series { label: label.clone(), ..line(t) }).collect();
            let xs = series.iter().flat_map(|s| s.points.iter().map(|p| p.0));
            let (x0, x1) = xs.fold((f64::INFINITY, f64::NEG_INFINITY), |(a, b), x| (a.min(x), b.max(x)));
            let ys = series.iter().flat_map(|s| s.bars.iter().map(|b| b.1));
            // Errors live in [0, 1]; other measures (epochs to a target) get their own top.
            let top = ys.fold(0.0f64, f64::max);
            let y1 = if top <= 1.0 { (top.max(0.1) * 1.1).min(1.0) } else { top * 1.1 };
            charts.push(Chart {
                title: if parts > 1 { format!("{title} ({}/{parts})", k + 1) } else { title.clone() },
                x_label: "log10 learning rate".into(),
                y_label: y_label.into(),
                x_range: if x0.is_finite() { (x0 - 0.25, x1 + 0.25) } else { (-4.0, 0.0) },
                y_range: (0.0, y1),
                series,
                reference: None,
                legend: true,
                ..Default::default()
            });
        }
    }
    Ok(save_grid(&charts, 2.min(charts.len()).max(1), (520, 340), stem)?)
}

/// A score as the tables write it.
fn fmt_score(s: &Score) -> String {
    match s {
        Score::Value(v) => format!("{v:.3}"),
        Score::Diverged => "diverged".into(),
    }
}

/// A tuned cell as the tuner's table shows it: its label, what the tuner did, and the folder of
/// its runs relative to the report (each rate's runs are `FOLDER/lr-RATE/seed-N`).
#[derive(Clone, Debug)]
pub struct TableCell<'a> {
    pub label: String,
    pub tuning: &'a Tuning,
    pub folder: String,
}

/// The tuner's table: per cell, each rate (linked to its runs) with seed 1's score at each rung
/// it reached (linked to that run; a rate stopped early shows fewer), the seed means at the full
/// budget, the choice and its basin.
pub fn table(cells: &[TableCell]) -> String {
    let mut t = Table::new(&["cell", "rate: seed 1 at each rung (→ seed mean at the full budget)", "chosen", "neighbours", "decisions"]);
    for cell in cells {
        let tuning = cell.tuning;
        let rates: Vec<String> = tuning
            .rates
            .iter()
            .map(|r| {
                let folder = rate_folder(&cell.folder, r.lr);
                let seed_1 = format!("{folder}/seed-1");
                let rungs: Vec<String> = r.rungs.iter().map(|s| link(&fmt_score(s), &seed_1)).collect();
                let mean = r.seed_mean().map_or(String::new(), |m| if m.is_finite() { format!(" → {m:.3}") } else { " → diverged".into() });
                let ext = if r.extension { " (ext.)" } else { "" };
                format!("{}{ext}: {}{mean}", link(&fmt_lr(r.lr), &folder), rungs.join(" / "))
            })
            .collect();
        let edge = if tuning.at_edge { " (at an edge: no worse neighbour found)" } else { "" };
        t.push(vec![
            cell.label.clone(),
            rates.join("; "),
            format!("{}{edge}", link(&fmt_lr(tuning.lr), &rate_folder(&cell.folder, tuning.lr))),
            format!("{}, {}", fmt_lr(tuning.lower), fmt_lr(tuning.upper)),
            tuning.decisions.join("; "),
        ]);
    }
    t.render()
}

/// The "Learning rates" section of a report: the figure (`sensitivity.png`, one line per `lines`)
/// and the tuner's table.
pub fn section(cells: &[TableCell], lines: &str) -> String {
    format!(
        "## Learning rates\n\nThe tuner's decisions, cell by cell: every rate tried with seed 1's training error at each rung it reached (a rate stopped early shows fewer), and the seed mean at the full budget for the best rate and its neighbours. Rates marked (ext.) lie past the starting grid.\n\n![training error at the full budget against the learning rate, one line per {lines}; ringed: the chosen rate; bars: the range over seeds](sensitivity.png)\n\n{}\n",
        table(cells)
    )
}
