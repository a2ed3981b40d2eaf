//! The figure: each activation's training error against epochs, as in the paper's Figure 1.

use actlab_models::Activation;
use actlab_train::RunFolder;
use actlab_train::metrics::{self, MetricsRow};
use std::path::Path;

use crate::ExperimentError;
use crate::fig1::records::{ActivationResult, Report};
use crate::toolkit::plot::{self, Curve, Figure};

/// Points of a curve (epoch, mean, min, max) and its stop markers (epoch, error).
type CurvePoints = (Vec<(f64, f64, f64, f64)>, Vec<(f64, f64)>);

/// Mean, min and max.
fn spread(v: &[f64]) -> (f64, f64, f64) {
    let mean = v.iter().sum::<f64>() / v.len() as f64;
    (mean, v.iter().copied().fold(f64::INFINITY, f64::min), v.iter().copied().fold(f64::NEG_INFINITY, f64::max))
}

/// The plotted curve of one activation: the mean and min–max over seeds of the whole-epoch
/// training error at every epoch all seeds completed, then the mean stop point; and each
/// seed's stop point as a marker. (Averaging whatever points each seed had made the line jump
/// where a seed stopped mid-epoch and the others went on.)
fn curve(result: &ActivationResult) -> Result<CurvePoints, ExperimentError> {
    let mut per_seed: Vec<Vec<f64>> = Vec::new();
    let mut stops = Vec::new();
    for run in &result.runs {
        let rows: Vec<MetricsRow> = metrics::read(&RunFolder::new(Path::new(&run.folder)).metrics_path())?;
        let Some(last) = rows.last() else { continue };
        per_seed.push(rows.iter().filter(|r| (r.epoch - r.epoch.round()).abs() < 1e-9 && r.epoch >= 1.0).map(|r| r.train_error).collect());
        stops.push((last.epoch, last.train_error));
    }
    let common = per_seed.iter().map(Vec::len).min().unwrap_or(0);
    let mut points: Vec<(f64, f64, f64, f64)> = (0..common)
        .map(|e| {
            let (mean, lo, hi) = spread(&per_seed.iter().map(|seed| seed[e]).collect::<Vec<_>>());
            ((e + 1) as f64, mean, lo, hi)
        })
        .collect();
    if !stops.is_empty() {
        let x = stops.iter().map(|s| s.0).sum::<f64>() / stops.len() as f64;
        let (mean, lo, hi) = spread(&stops.iter().map(|s| s.1).collect::<Vec<_>>());
        if points.last().is_none_or(|p| x > p.0 + 1e-9) {
            points.push((x, mean, lo, hi));
        }
    }
    Ok((points, stops))
}

/// Draws `fig1.png` and `fig1.svg` in `out`.
pub(super) fn draw(out: &Path, report: &Report) -> Result<(), ExperimentError> {
    let mut curves = Vec::new();
    let mut x_max: f64 = 1.0;
    for result in &report.results {
        let (points, stops) = curve(result)?;
        x_max = points.iter().map(|p| p.0).chain(stops.iter().map(|s| s.0)).fold(x_max, f64::max);
        let dashed = result.activation != Activation::Relu;
        curves.push(Curve { label: result.activation.to_string(), dashed, points, stops });
    }
    let seeds: Vec<String> = report.results.iter().map(|r| format!("{} {}", r.activation, r.runs.len())).collect();
    let figure = Figure {
        title: format!("{} training error (seeds: {}; shaded: min-max; dots: stops)", report.dataset_name, seeds.join(", ")),
        x_max: x_max.ceil(),
        y_max: 0.75f64.max(report.plan.target + 0.1),
        target: Some(report.plan.target),
        curves,
    };
    Ok(plot::save(&figure, &out.join("fig1"))?)
}
