//! The depth study's figures: final error over depth × activation, gradient norms by layer at
//! init, and saturation by layer over training.

use std::path::Path;

use crate::ExperimentError;
use crate::depth::records::{DepthCell, Report};
use crate::toolkit::charts::{Chart, Heatmap, Series, save_grid, save_heatmaps};

/// Mean training error after the budget, one map per init.
pub(super) fn errors(out: &Path, r: &Report) -> Result<(), ExperimentError> {
    let maps: Vec<Heatmap> = r
        .plan
        .inits
        .iter()
        .map(|init| Heatmap {
            title: format!("{init} init: training error after {} epochs", r.plan.epochs),
            x_label: "hidden layers".into(),
            columns: r.plan.depths.iter().map(|d| d.to_string()).collect(),
            rows: r.plan.activations.clone(),
            values: r
                .plan
                .activations
                .iter()
                .map(|a| r.plan.depths.iter().map(|&d| r.cell(d, a, init).and_then(|c| c.train_error.as_ref()).map(|e| e.mean)).collect())
                .collect(),
            max: 0.9,
        })
        .collect();
    Ok(save_heatmaps(&maps, (520, 360), &out.join("errors"))?)
}

fn deepest(r: &Report) -> usize {
    r.plan.depths.iter().copied().max().unwrap_or(0)
}

/// log10 of each weight layer's gradient norm at init, seed 1, for the deepest net of each activation.
pub(super) fn gradients(out: &Path, r: &Report) -> Result<(), ExperimentError> {
    let depth = deepest(r);
    let charts: Vec<Chart> = r
        .plan
        .inits
        .iter()
        .map(|init| {
            let series: Vec<Series> = r
                .plan
                .activations
                .iter()
                .filter_map(|a| {
                    let probe = r.cell(depth, a, init)?.runs.first()?.probes.iter().find(|p| p.epoch == 0)?.clone();
                    let points = probe
                        .gradient_norms
                        .iter()
                        .enumerate()
                        .filter(|(_, g)| **g > 0.0)
                        .map(|(i, g)| ((i + 1) as f64, g.log10()))
                        .collect();
                    Some(Series { label: a.clone(), points, markers: true, ..Default::default() })
                })
                .collect();
            let ys: Vec<f64> = series.iter().flat_map(|s| s.points.iter().map(|p| p.1)).collect();
            let (lo, hi) = (ys.iter().copied().fold(f64::INFINITY, f64::min), ys.iter().copied().fold(f64::NEG_INFINITY, f64::max));
            Chart {
                title: format!("{init} init, {depth} hidden layers: gradient norm at init"),
                x_label: "weight layer (1: next to the input)".into(),
                y_label: "log10 ‖∂loss/∂W‖".into(),
                x_range: (0.5, depth as f64 + 1.5),
                y_range: if lo.is_finite() { (lo.floor() - 0.5, hi.ceil() + 0.5) } else { (-1.0, 1.0) },
                series,
                reference: None,
                legend: true,
                ..Default::default()
            }
        })
        .collect();
    Ok(save_grid(&charts, charts.len().max(1), (560, 400), &out.join("gradients"))?)
}

/// Share of saturated outputs of layers 1, 2, 4, 8, … over training, seed 1 of each tracked cell.
pub(super) fn saturation(out: &Path, r: &Report) -> Result<(), ExperimentError> {
    let tracked: Vec<&DepthCell> =
        r.cells.iter().filter(|c| c.depth == deepest(r) && (c.activation == "sigmoid" || c.activation == "tanh")).collect();
    let charts: Vec<Chart> = tracked
        .iter()
        .filter_map(|c| {
            let run = c.runs.first()?;
            let layers = run.probes.first()?.layers.len();
            let shown = (0..).map(|k| 1usize << k).take_while(|&l| l <= layers);
            let series = shown
                .map(|l| Series {
                    label: format!("layer {l}"),
                    points: run.probes.iter().filter_map(|p| Some((p.epoch as f64, p.layers.get(l - 1)?.saturated?))).collect(),
                    markers: true,
                    ..Default::default()
                })
                .collect();
            Some(Chart {
                title: format!("{} ({} init, {} layers): saturated share", c.activation, c.init, c.depth),
                x_label: "epoch".into(),
                y_label: "share saturated".into(),
                x_range: (-0.2, r.plan.epochs as f64 + 0.2),
                y_range: (0.0, 1.0),
                series,
                reference: None,
                legend: true,
                ..Default::default()
            })
        })
        .collect();
    if charts.is_empty() {
        return Ok(());
    }
    Ok(save_grid(&charts, 2, (520, 380), &out.join("saturation"))?)
}
