//! The study's figures: the activations and their derivatives, the slope sweep, the zoo's curves.

use actlab_models::Activation;
use burn::tensor::{Device, Tensor, TensorData};
use std::path::Path;

use crate::ExperimentError;
use crate::linearity::records::Report;
use crate::toolkit::charts::{Chart, Series, save_grid};
use crate::toolkit::stats::Estimate;

/// f and f′ of `activation` at `xs`, the derivative by Burn's autodiff.
fn values_and_slopes(activation: Activation, xs: &[f32]) -> (Vec<f32>, Vec<f32>) {
    let device = Device::flex().autodiff();
    let x = Tensor::<1>::from_data(TensorData::new(xs.to_vec(), [xs.len()]), &device).require_grad();
    let y = activation.apply(x.clone());
    let grads = y.clone().sum().backward();
    let values = y.into_data().try_to_vec::<f32>().unwrap_or_default();
    let slopes = x.grad(&grads).map(|g| g.into_data().try_to_vec::<f32>().unwrap_or_default()).unwrap_or_default();
    (values, slopes)
}

/// One small chart per activation: f and f′ on [−4, 4].
pub(super) fn activations(out: &Path, zoo: &[Activation]) -> Result<(), ExperimentError> {
    let xs: Vec<f32> = (0..=160).map(|i| -4.0 + i as f32 * 0.05).collect();
    let charts: Vec<Chart> = zoo
        .iter()
        .map(|&a| {
            let (ys, ds) = values_and_slopes(a, &xs);
            let line = |v: &[f32]| xs.iter().zip(v).map(|(&x, &y)| (x as f64, y as f64)).collect();
            Chart {
                title: a.to_string(),
                x_label: "x".into(),
                y_label: String::new(),
                x_range: (-4.0, 4.0),
                y_range: (-4.0, 4.0),
                series: vec![
                    Series { label: "f(x)".into(), points: line(&ys), ..Default::default() },
                    Series { label: "derivative".into(), points: line(&ds), dashed: true, ..Default::default() },
                ],
                reference: Some(0.0),
                legend: a == zoo[0],
                ..Default::default()
            }
        })
        .collect();
    Ok(save_grid(&charts, 4, (300, 240), &out.join("activations"))?)
}

/// A series of means with their t-intervals (the mean itself where there is none).
fn with_bars(label: &str, points: Vec<(f64, &Estimate)>, dashed: bool) -> Series {
    Series {
        label: label.into(),
        bars: points.iter().map(|(_, e)| e.ci95.unwrap_or((e.mean, e.mean))).collect(),
        points: points.iter().map(|(x, e)| (*x, e.mean)).collect(),
        dashed,
        markers: true,
        ..Default::default()
    }
}

/// Training and test error against α, and epochs to target against α.
pub(super) fn slopes(out: &Path, report: &Report) -> Result<(), ExperimentError> {
    let cells: Vec<(f64, &crate::linearity::Cell)> = report.slopes.iter().filter_map(|p| Some((p.slope, report.cell(&p.key)?))).collect();
    let pick =
        |f: fn(&crate::linearity::Cell) -> Option<&Estimate>| cells.iter().filter_map(|(s, c)| Some((*s, f(c)?))).collect::<Vec<_>>();
    let errors = Chart {
        title: format!("Error after {} epochs (mean, 95% CI over seeds)", report.plan.epochs),
        x_label: "negative slope α (0: ReLU, 1: identity)".into(),
        y_label: "error".into(),
        x_range: (-0.02, 1.02),
        y_range: (0.0, 0.9),
        series: vec![
            with_bars("training", pick(|c| c.train_error.as_ref()), false),
            with_bars("test", pick(|c| c.test_error.as_ref()), true),
        ],
        reference: Some(0.9),
        legend: true,
        ..Default::default()
    };
    let epochs = Chart {
        title: format!("Epochs to {} training error (runs that reached it)", report.plan.target),
        x_label: "negative slope α".into(),
        y_label: "epochs".into(),
        x_range: (-0.02, 1.02),
        y_range: (0.0, report.plan.epochs as f64 + 0.5),
        series: vec![with_bars("epochs to target", pick(|c| c.epochs_to_target.as_ref()), false)],
        reference: None,
        legend: false,
        ..Default::default()
    };
    Ok(save_grid(&[errors, epochs], 2, (560, 400), &out.join("slopes"))?)
}

/// The zoo's mean training curves, one chart per kind of saturation.
pub(super) fn zoo(out: &Path, report: &Report) -> Result<(), ExperimentError> {
    let charts: Vec<Chart> = ["both sides", "one side", "none"]
        .iter()
        .map(|kind| Chart {
            title: format!("saturates: {kind}"),
            x_label: "epoch".into(),
            y_label: "training error (whole epoch)".into(),
            x_range: (0.8, report.plan.epochs as f64 + 0.2),
            y_range: (0.0, 0.92),
            series: report
                .zoo
                .iter()
                .filter(|z| z.saturates == *kind)
                .filter_map(|z| report.cell(&z.key).map(|c| (z, c)))
                .map(|(z, c)| Series {
                    label: z.activation.clone(),
                    points: c.curve.iter().enumerate().map(|(e, &y)| ((e + 1) as f64, y)).collect(),
                    dashed: z.smooth,
                    ..Default::default()
                })
                .collect(),
            reference: Some(0.9),
            legend: true,
            ..Default::default()
        })
        .collect();
    Ok(save_grid(&charts, 3, (420, 380), &out.join("zoo"))?)
}
