//! `actlab study …`.

use actlab_experiments::depth::{self, DepthOptions};
use actlab_experiments::linearity::{self, LinearityOptions};
use actlab_experiments::toolkit::markdown::fmt_lr;
use anyhow::Result;

use crate::args::{DepthArgs, LinearityArgs};

pub fn linearity(args: LinearityArgs) -> Result<()> {
    let options = LinearityOptions::from(args);
    let report = linearity::linearity(&options)?;
    for p in &report.provenance.pending {
        println!("not finished: {p}");
    }
    for cell in &report.cells {
        let train = cell.train_error.as_ref().map_or("–".into(), |e| format!("{:.3}", e.mean));
        let test = cell.test_error.as_ref().map_or("–".into(), |e| format!("{:.3}", e.mean));
        println!("{}: lr {}, training error {train}, test error {test} (n={})", cell.key, fmt_lr(cell.lr), cell.runs.len());
    }
    println!("report: {}", options.out.join("report.md").display());
    Ok(())
}

pub fn depth(args: DepthArgs) -> Result<()> {
    let options = DepthOptions::from(args);
    let report = depth::depth(&options)?;
    for p in &report.provenance.pending {
        println!("not finished: {p}");
    }
    for cell in &report.cells {
        let train = cell.train_error.as_ref().map_or("–".into(), |e| format!("{:.3}", e.mean));
        let stalled = if cell.stalled { " (stalled)" } else { "" };
        println!("{}: lr {}, training error {train}{stalled} (n={})", cell.key, fmt_lr(cell.lr), cell.runs.len());
    }
    println!("report: {}", options.out.join("report.md").display());
    Ok(())
}
