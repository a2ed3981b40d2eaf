//! Pictures made of small images: filter grids and feature maps. Each panel has a title and its
//! tiles in rows; each tile pixel is drawn as a `scale`×`scale` square (PNG, and SVG where the
//! tiles are few enough to keep the file small).

use plotters::coord::Shift;
use plotters::prelude::*;
use std::path::Path;

use super::plot::{PlotError, register_font};

/// One small image, row-major RGB.
#[derive(Clone, Debug, PartialEq)]
pub struct Tile {
    pub width: usize,
    pub height: usize,
    pub pixels: Vec<[u8; 3]>,
}

impl Tile {
    /// A grey-scale tile from values already scaled to [0, 1].
    pub fn grey(width: usize, height: usize, values: &[f32]) -> Self {
        let pixels = values.iter().map(|v| [(v.clamp(0.0, 1.0) * 255.0).round() as u8; 3]).collect();
        Self { width, height, pixels }
    }
}

/// A titled grid of tiles.
#[derive(Clone, Debug)]
pub struct Panel {
    pub title: String,
    pub tiles: Vec<Tile>,
    pub columns: usize,
}

const TITLE: u32 = 26;
const GAP: u32 = 2;
const MARGIN: u32 = 10;

impl Panel {
    fn size(&self, scale: u32) -> (u32, u32) {
        let (w, h) = self.tiles.first().map_or((0, 0), |t| (t.width as u32, t.height as u32));
        let columns = self.columns.clamp(1, self.tiles.len().max(1)) as u32;
        let rows = self.tiles.len().div_ceil(columns as usize) as u32;
        (2 * MARGIN + columns * (w * scale + GAP), TITLE + MARGIN + rows * (h * scale + GAP))
    }
}

/// Writes `panels` in a grid of `panel_columns` to `stem.png`, and to `stem.svg` when `svg`.
pub fn save_mosaic(panels: &[Panel], panel_columns: usize, scale: u32, stem: &Path, svg: bool) -> Result<(), PlotError> {
    register_font();
    let (cell_w, cell_h) = panels.iter().map(|p| p.size(scale)).fold((0, 0), |(a, b), (w, h)| (a.max(w), b.max(h)));
    let columns = panel_columns.clamp(1, panels.len().max(1));
    let size = (cell_w * columns as u32, cell_h * panels.len().div_ceil(columns) as u32);
    let png = stem.with_extension("png");
    draw(BitMapBackend::new(&png, size).into_drawing_area(), panels, columns, scale).map_err(|message| PlotError { path: png, message })?;
    if svg {
        let path = stem.with_extension("svg");
        draw(SVGBackend::new(&path, size).into_drawing_area(), panels, columns, scale).map_err(|message| PlotError { path, message })?;
    }
    Ok(())
}

fn draw<DB: DrawingBackend>(root: DrawingArea<DB, Shift>, panels: &[Panel], columns: usize, scale: u32) -> Result<(), String> {
    let err = |e: DrawingAreaErrorKind<DB::ErrorType>| e.to_string();
    root.fill(&WHITE).map_err(err)?;
    let rows = panels.len().div_ceil(columns);
    for (area, panel) in root.split_evenly((rows, columns)).iter().zip(panels) {
        area.draw(&Text::new(panel.title.clone(), (MARGIN as i32, 6), ("sans-serif", 16).into_font())).map_err(err)?;
        let per_row = panel.columns.max(1);
        for (i, tile) in panel.tiles.iter().enumerate() {
            let x0 = MARGIN + (i % per_row) as u32 * (tile.width as u32 * scale + GAP);
            let y0 = TITLE + (i / per_row) as u32 * (tile.height as u32 * scale + GAP);
            for (p, [r, g, b]) in tile.pixels.iter().enumerate() {
                let x = (x0 + (p % tile.width) as u32 * scale) as i32;
                let y = (y0 + (p / tile.width) as u32 * scale) as i32;
                let square = Rectangle::new([(x, y), (x + scale as i32, y + scale as i32)], RGBColor(*r, *g, *b).filled());
                area.draw(&square).map_err(err)?;
            }
        }
    }
    root.present().map_err(err)
}
