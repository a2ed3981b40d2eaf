//! `sparsity.png`: each layer's near-off share against epoch, one chart per activation;
//! `histograms.png`: each layer's outputs at the end of training (seed 1), one row per activation.

use std::path::Path;

use crate::ExperimentError;
use crate::sparsity::records::Report;
use crate::toolkit::charts::{Chart, Series, save_grid};

pub fn draw(out: &Path, report: &Report) -> Result<(), ExperimentError> {
    let epochs = report.plan.epochs as f64;
    let mut charts = Vec::new();
    for s in &report.summaries {
        let mut names: Vec<&str> = s.layers.iter().map(|l| l.layer.as_str()).collect();
        names.dedup();
        let names: Vec<&str> = names.iter().enumerate().filter(|(i, n)| !names[..*i].contains(n)).map(|(_, n)| *n).collect();
        let series = names
            .iter()
            .map(|name| {
                let mine: Vec<_> = s.layers.iter().filter(|l| l.layer == *name).collect();
                Series {
                    label: name.to_string(),
                    points: mine.iter().map(|l| (l.epoch as f64, l.near_off.mean)).collect(),
                    bars: mine.iter().map(|l| l.near_off.ci95.unwrap_or((l.near_off.mean, l.near_off.mean))).collect(),
                    markers: true,
                    ..Default::default()
                }
            })
            .collect();
        charts.push(Chart {
            title: format!("{}: share of outputs near off", s.activation),
            x_label: "epoch".into(),
            y_label: "share within 0.01 of off".into(),
            x_range: (0.0, epochs),
            y_range: (0.0, 1.0),
            series,
            reference: None,
            legend: true,
            ..Default::default()
        });
    }
    save_grid(&charts, charts.len().clamp(1, 3), (420, 320), &out.join("sparsity"))?;
    let mut histograms = Vec::new();
    for s in &report.summaries {
        let Some(run) = report.runs.iter().find(|r| r.activation == s.activation && r.seed == 1) else { continue };
        let Some(last) = run.epochs.last() else { continue };
        for layer in &last.layers {
            let total = layer.counts.iter().sum::<u64>().max(1) as f64;
            let points: Vec<(f64, f64)> =
                layer.counts.iter().enumerate().map(|(i, c)| ((layer.edges[i] + layer.edges[i + 1]) / 2.0, *c as f64 / total)).collect();
            let top = points.iter().map(|p| p.1).fold(0.0, f64::max);
            histograms.push(Chart {
                title: format!("{} {} after epoch {}", s.activation, layer.layer, last.epoch),
                x_label: "output".into(),
                y_label: "share of outputs".into(),
                x_range: (layer.edges[0], *layer.edges.last().unwrap_or(&1.0)),
                y_range: (0.0, (top * 1.1).max(1e-3)),
                series: vec![Series { label: layer.layer.clone(), points, ..Default::default() }],
                reference: None,
                legend: false,
                ..Default::default()
            });
        }
    }
    let per_row = report.runs.first().and_then(|r| r.epochs.last()).map_or(1, |e| e.layers.len().max(1));
    if !histograms.is_empty() {
        save_grid(&histograms, per_row, (320, 240), &out.join("histograms"))?;
    }
    Ok(())
}
