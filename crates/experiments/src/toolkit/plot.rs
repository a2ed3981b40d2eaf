//! Training-error curves as PNG and SVG, drawn like the AlexNet paper's Figure 1.

use plotters::coord::Shift;
use plotters::prelude::*;
use std::path::{Path, PathBuf};
use std::sync::Once;
use thiserror::Error;

/// A figure that could not be drawn or written.
#[derive(Debug, Error)]
#[error("{}: {message}", path.display())]
pub struct PlotError {
    pub path: PathBuf,
    pub message: String,
}

/// One activation's curve: mean training error at each epoch with the seeds' min–max spread.
#[derive(Clone, Debug)]
pub struct Curve {
    pub label: String,
    pub dashed: bool,
    /// (epoch, mean, min, max)
    pub points: Vec<(f64, f64, f64, f64)>,
    /// Single points drawn as dots (e.g. where each seed's run stopped).
    pub stops: Vec<(f64, f64)>,
}

/// Axes and annotations of a figure.
#[derive(Clone, Debug)]
pub struct Figure {
    pub title: String,
    pub x_max: f64,
    pub y_max: f64,
    pub target: Option<f64>,
    pub curves: Vec<Curve>,
}

pub(crate) const COLORS: [RGBColor; 6] = [
    RGBColor(31, 119, 180),
    RGBColor(214, 39, 40),
    RGBColor(44, 160, 44),
    RGBColor(148, 103, 189),
    RGBColor(255, 127, 14),
    RGBColor(140, 86, 75),
];

pub(crate) fn register_font() {
    static ONCE: Once = Once::new();
    ONCE.call_once(|| {
        let _ = plotters::style::register_font("sans-serif", FontStyle::Normal, dejavu::sans::regular());
    });
}

/// Writes `figure` to `stem.png` and `stem.svg`.
pub fn save(figure: &Figure, stem: &Path) -> Result<(), PlotError> {
    register_font();
    let png = stem.with_extension("png");
    draw(BitMapBackend::new(&png, (900, 600)).into_drawing_area(), figure).map_err(|message| PlotError { path: png, message })?;
    let svg = stem.with_extension("svg");
    draw(SVGBackend::new(&svg, (900, 600)).into_drawing_area(), figure).map_err(|message| PlotError { path: svg, message })
}

fn draw<DB: DrawingBackend>(root: DrawingArea<DB, Shift>, figure: &Figure) -> Result<(), String> {
    let err = |e: DrawingAreaErrorKind<DB::ErrorType>| e.to_string();
    root.fill(&WHITE).map_err(err)?;
    let mut chart = ChartBuilder::on(&root)
        .caption(&figure.title, ("sans-serif", 22))
        .margin(20)
        .x_label_area_size(45)
        .y_label_area_size(60)
        .build_cartesian_2d(0f64..figure.x_max, 0f64..figure.y_max)
        .map_err(err)?;
    chart.configure_mesh().x_desc("Epochs").y_desc("Training error rate").label_style(("sans-serif", 15)).draw().map_err(err)?;
    if let Some(target) = figure.target {
        chart.draw_series(LineSeries::new([(0.0, target), (figure.x_max, target)], BLACK.mix(0.5).stroke_width(1))).map_err(err)?;
    }
    for (i, curve) in figure.curves.iter().enumerate() {
        let color = COLORS[i % COLORS.len()];
        let clip = |y: f64| y.min(figure.y_max);
        let mut band: Vec<(f64, f64)> = curve.points.iter().map(|p| (p.0, clip(p.3))).collect();
        band.extend(curve.points.iter().rev().map(|p| (p.0, clip(p.2))));
        if curve.points.len() > 1 {
            chart.draw_series(std::iter::once(Polygon::new(band, color.mix(0.18).filled()))).map_err(err)?;
        }
        chart.draw_series(curve.stops.iter().map(|&(x, y)| Circle::new((x, clip(y)), 3, color.filled()))).map_err(err)?;
        let line: Vec<(f64, f64)> = curve.points.iter().map(|p| (p.0, clip(p.1))).collect();
        let style = color.stroke_width(2);
        let series = if curve.dashed {
            chart.draw_series(DashedLineSeries::new(line, 8, 6, style)).map_err(err)?
        } else {
            chart.draw_series(LineSeries::new(line, style)).map_err(err)?
        };
        let dashed = curve.dashed;
        series.label(&curve.label).legend(move |(x, y)| {
            let end = if dashed { x + 8 } else { x + 20 };
            PathElement::new(vec![(x, y), (end, y)], color.stroke_width(2))
        });
    }
    chart
        .configure_series_labels()
        .position(SeriesLabelPosition::UpperRight)
        .label_font(("sans-serif", 16))
        .background_style(WHITE.mix(0.85))
        .border_style(BLACK.mix(0.4))
        .draw()
        .map_err(err)?;
    root.present().map_err(err)
}
