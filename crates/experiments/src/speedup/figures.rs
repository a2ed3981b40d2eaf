//! The forest plot: per cell, an activation's time to the target over ReLU's on a log axis with
//! its bootstrap interval (or its bound where one side did not get there in every seed), beside
//! the paper's 6× and parity; one chart per activation.

use std::path::Path;

use crate::ExperimentError;
use crate::speedup::records::Report;
use crate::toolkit::charts::{Chart, Series, save_grid};

/// The paper's "about 6×" and parity, as dashed reference lines.
const REFERENCES: [(f64, &str); 2] = [(6.0, "paper: about 6x"), (1.0, "no speed-up (1x)")];

fn chart(report: &Report, activation: &str) -> Chart {
    let n = report.cells.len() as f64;
    let (mut measured, mut bounds, mut upper) = (Series::default(), Series::default(), Series::default());
    for (i, cell) in report.cells.iter().enumerate() {
        let x = i as f64 + 1.0;
        match cell.ratio(activation) {
            Some(r) if r.epochs.is_some() => {
                let e = r.epochs.as_ref().expect("checked");
                measured.points.push((x, e.value.log10()));
                let (lo, hi) = e.ci95.unwrap_or((e.value, e.value));
                measured.bars.push((lo.log10(), hi.log10()));
            }
            Some(r) if r.at_least.is_some() => bounds.points.push((x, r.at_least.unwrap_or(1.0).log10())),
            Some(r) if r.at_most.is_some() => upper.points.push((x, r.at_most.unwrap_or(1.0).log10())),
            _ => {}
        }
    }
    let mut series = vec![
        Series { label: format!("{activation}/relu, 95% bootstrap interval"), markers: true, unjoined: true, ..measured },
        Series { label: "at least (not reached in every seed)".into(), markers: true, unjoined: true, ..bounds },
        Series { label: "at most (ReLU not reached in every seed)".into(), markers: true, unjoined: true, ..upper },
    ];
    for (value, label) in REFERENCES {
        series.push(Series {
            label: label.into(),
            points: vec![(0.5, value.log10()), (n + 0.5, value.log10())],
            dashed: true,
            ..Default::default()
        });
    }
    let ys = series.iter().flat_map(|s| s.points.iter().map(|p| p.1).chain(s.bars.iter().flat_map(|b| [b.0, b.1])));
    let (y0, y1) = ys.fold((0.0f64, 1.0f64), |(a, b), y| (a.min(y), b.max(y)));
    Chart {
        title: format!("epochs to {:.0}% training error, {activation} over relu (log scale)", 100.0 * report.plan.target),
        x_label: "cell".into(),
        y_label: format!("{activation}/relu"),
        x_range: (0.5, n + 0.5),
        y_range: (y0 - 0.1, y1 + 0.1),
        series,
        reference: None,
        legend: true,
        x_names: report.cells.iter().map(|c| c.key.clone()).collect(),
        y_log10: true,
    }
}

/// `forest.png` and `forest.svg`: one chart per activation other than ReLU.
pub fn draw(out: &Path, report: &Report) -> Result<(), ExperimentError> {
    let charts: Vec<Chart> = report.plan.activations.iter().filter(|a| *a != "relu").map(|a| chart(report, a)).collect();
    Ok(save_grid(&charts, 1, (1200, 420), &out.join("forest"))?)
}
