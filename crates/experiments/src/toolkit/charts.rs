//! Line charts for study reports: series of points with optional error bars, alone or several
//! in a grid, as PNG and SVG.

use plotters::coord::Shift;
use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, Pos, VPos};
use std::path::Path;

use crate::toolkit::plot::{COLORS, PlotError, register_font};

/// One line: (x, y) points, and optionally an interval (low, high) at each point.
#[derive(Clone, Debug, Default)]
pub struct Series {
    pub label: String,
    pub points: Vec<(f64, f64)>,
    pub bars: Vec<(f64, f64)>,
    pub dashed: bool,
    /// A dot at every point (for sparse series; dense curves leave it off).
    pub markers: bool,
    /// Points marked with a large ring (e.g. the learning rate a tuner chose).
    pub rings: Vec<(f64, f64)>,
    /// Points (with their markers and bars) but no line joining them, as in a forest plot.
    pub unjoined: bool,
}

/// Axes, labels and lines of one chart.
#[derive(Clone, Debug, Default)]
pub struct Chart {
    pub title: String,
    pub x_label: String,
    pub y_label: String,
    pub x_range: (f64, f64),
    pub y_range: (f64, f64),
    pub series: Vec<Series>,
    /// A horizontal reference line (e.g. chance, or a target).
    pub reference: Option<f64>,
    pub legend: bool,
    /// Names for the x ticks 1, 2, …, n (a forest plot's rows); empty: numbers.
    pub x_names: Vec<String>,
    /// The y values are log10 of ratios: ticks read "2.00×" instead of "0.30".
    pub y_log10: bool,
}

/// Writes `charts` in a grid of `columns` to `stem.png` and `stem.svg`, each cell `cell` pixels.
pub fn save_grid(charts: &[Chart], columns: usize, cell: (u32, u32), stem: &Path) -> Result<(), PlotError> {
    register_font();
    let rows = charts.len().div_ceil(columns.max(1)).max(1) as u32;
    let size = (cell.0 * columns as u32, cell.1 * rows);
    let png = stem.with_extension("png");
    draw_grid(BitMapBackend::new(&png, size).into_drawing_area(), charts, columns).map_err(|message| PlotError { path: png, message })?;
    let svg = stem.with_extension("svg");
    draw_grid(SVGBackend::new(&svg, size).into_drawing_area(), charts, columns).map_err(|message| PlotError { path: svg, message })
}

fn draw_grid<DB: DrawingBackend>(root: DrawingArea<DB, Shift>, charts: &[Chart], columns: usize) -> Result<(), String> {
    root.fill(&WHITE).map_err(|e| e.to_string())?;
    let rows = charts.len().div_ceil(columns.max(1)).max(1);
    for (area, chart) in root.split_evenly((rows, columns.max(1))).iter().zip(charts) {
        draw(area, chart)?;
    }
    root.present().map_err(|e| e.to_string())
}

fn draw<DB: DrawingBackend>(area: &DrawingArea<DB, Shift>, chart: &Chart) -> Result<(), String> {
    let err = |e: DrawingAreaErrorKind<DB::ErrorType>| e.to_string();
    let (x0, x1) = chart.x_range;
    let (y0, y1) = chart.y_range;
    let mut c = ChartBuilder::on(area)
        .caption(&chart.title, ("sans-serif", 18))
        .margin(12)
        .x_label_area_size(38)
        // "10.00×" needs more room than the plain numbers' "0.25".
        .y_label_area_size(if chart.y_log10 { 70 } else { 52 })
        .build_cartesian_2d(x0..x1, y0..y1)
        .map_err(err)?;
    let name_of = |x: &f64| {
        let i = x.round();
        if (x - i).abs() < 1e-6 && i >= 1.0 { chart.x_names.get(i as usize - 1).cloned().unwrap_or_default() } else { String::new() }
    };
    let times = |y: &f64| format!("{:.2}×", 10f64.powf(*y));
    let mut mesh = c.configure_mesh();
    mesh.x_desc(&chart.x_label).y_desc(&chart.y_label).label_style(("sans-serif", 13));
    if !chart.x_names.is_empty() {
        mesh.x_labels(chart.x_names.len() + 1).x_label_formatter(&name_of);
    }
    if chart.y_log10 {
        mesh.y_label_formatter(&times);
    }
    mesh.draw().map_err(err)?;
    if let Some(y) = chart.reference {
        c.draw_series(LineSeries::new([(x0, y), (x1, y)], BLACK.mix(0.4).stroke_width(1))).map_err(err)?;
    }
    let clip = |y: f64| y.clamp(y0, y1);
    for (i, s) in chart.series.iter().enumerate() {
        let color = COLORS[i % COLORS.len()];
        let line: Vec<(f64, f64)> = s.points.iter().map(|&(x, y)| (x, clip(y))).collect();
        let bars = s
            .points
            .iter()
            .zip(&s.bars)
            .map(|(&(x, _), &(lo, hi))| PathElement::new(vec![(x, clip(lo)), (x, clip(hi))], color.stroke_width(2)));
        c.draw_series(bars).map_err(err)?;
        if s.markers {
            c.draw_series(line.iter().map(|&p| Circle::new(p, 3, color.filled()))).map_err(err)?;
        }
        c.draw_series(s.rings.iter().map(|&(x, y)| Circle::new((x, clip(y)), 7, color.stroke_width(2)))).map_err(err)?;
        let style = color.stroke_width(2);
        let drawn = if s.unjoined {
            c.draw_series(std::iter::empty::<Circle<(f64, f64), i32>>()).map_err(err)?
        } else if s.dashed {
            c.draw_series(DashedLineSeries::new(line, 6, 4, style)).map_err(err)?
        } else {
            c.draw_series(LineSeries::new(line, style)).map_err(err)?
        };
        // A series with nothing to draw keeps its colour but stays out of the legend.
        if !s.points.is_empty() {
            drawn.label(&s.label).legend(move |(x, y)| PathElement::new(vec![(x, y), (x + 16, y)], color.stroke_width(2)));
        }
    }
    if chart.legend {
        c.configure_series_labels()
            .position(SeriesLabelPosition::UpperRight)
            .label_font(("sans-serif", 13))
            .background_style(WHITE.mix(0.85))
            .border_style(BLACK.mix(0.4))
            .draw()
            .map_err(err)?;
    }
    Ok(())
}

/// A grid of coloured cells with their values written in: rows × columns.
#[derive(Clone, Debug, Default)]
pub struct Heatmap {
    pub title: String,
    pub x_label: String,
    pub columns: Vec<String>,
    pub rows: Vec<String>,
    /// `values[row][column]`; None is drawn grey ("no result").
    pub values: Vec<Vec<Option<f64>>>,
    /// The value drawn darkest; 0 is white.
    pub max: f64,
}

/// Writes `maps` side by side to `stem.png` and `stem.svg`, each `cell` pixels.
pub fn save_heatmaps(maps: &[Heatmap], cell: (u32, u32), stem: &Path) -> Result<(), PlotError> {
    register_font();
    let size = (cell.0 * maps.len().max(1) as u32, cell.1);
    let png = stem.with_extension("png");
    draw_heatmaps(BitMapBackend::new(&png, size).into_drawing_area(), maps).map_err(|message| PlotError { path: png, message })?;
    let svg = stem.with_extension("svg");
    draw_heatmaps(SVGBackend::new(&svg, size).into_drawing_area(), maps).map_err(|message| PlotError { path: svg, message })
}

fn draw_heatmaps<DB: DrawingBackend>(root: DrawingArea<DB, Shift>, maps: &[Heatmap]) -> Result<(), String> {
    root.fill(&WHITE).map_err(|e| e.to_string())?;
    for (area, map) in root.split_evenly((1, maps.len().max(1))).iter().zip(maps) {
        draw_heatmap(area, map)?;
    }
    root.present().map_err(|e| e.to_string())
}

fn draw_heatmap<DB: DrawingBackend>(area: &DrawingArea<DB, Shift>, map: &Heatmap) -> Result<(), String> {
    let err = |e: DrawingAreaErrorKind<DB::ErrorType>| e.to_string();
    // A segmented range a..b has a segment for each of a..=b.
    let (nx, ny) = (map.columns.len() as i32, map.rows.len() as i32);
    let mut c = ChartBuilder::on(area)
        .caption(&map.title, ("sans-serif", 18))
        .margin(12)
        .x_label_area_size(38)
        .y_label_area_size(80)
        .build_cartesian_2d((0..(nx - 1).max(0)).into_segmented(), (0..(ny - 1).max(0)).into_segmented())
        .map_err(err)?;
    let label = |names: &[String], v: &SegmentValue<i32>| match v {
        SegmentValue::CenterOf(i) => names.get(*i as usize).cloned().unwrap_or_default(),
        _ => String::new(),
    };
    c.configure_mesh()
        .disable_mesh()
        .x_label_formatter(&|v| label(&map.columns, v))
        .y_label_formatter(&|v| label(&map.rows, v))
        .x_desc(&map.x_label)
        .label_style(("sans-serif", 14))
        .draw()
        .map_err(err)?;
    for (r, row) in map.values.iter().enumerate() {
        for (col, value) in row.iter().enumerate() {
            let (x, y) = (col as i32, r as i32);
            let shade = value.map_or(RGBColor(200, 200, 200), |v| {
                let t = (v / map.max.max(1e-12)).clamp(0.0, 1.0);
                RGBColor(255, (255.0 * (1.0 - 0.75 * t)) as u8, (255.0 * (1.0 - t)) as u8)
            });
            let corners = [(SegmentValue::Exact(x), SegmentValue::Exact(y)), (SegmentValue::Exact(x + 1), SegmentValue::Exact(y + 1))];
            c.draw_series(std::iter::once(Rectangle::new(corners, shade.filled()))).map_err(err)?;
            let text = value.map_or("–".to_string(), |v| format!("{v:.2}"));
            let style = ("sans-serif", 15).into_font().into_text_style(area).pos(Pos::new(HPos::Center, VPos::Center));
            c.draw_series(std::iter::once(Text::new(text, (SegmentValue::CenterOf(x), SegmentValue::CenterOf(y)), style))).map_err(err)?;
        }
    }
    Ok(())
}
