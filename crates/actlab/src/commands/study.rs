//! `actlab study …`.

use actlab_experiments::depth::{self, DepthOptions};
use actlab_experiments::filters::{self, FiltersOptions};
use actlab_experiments::linearity::{self, LinearityOptions};
use actlab_experiments::sparsity::{self, SparsityOptions};
use actlab_experiments::speedup::{self, SpeedupOptions, ratios};
use actlab_experiments::toolkit::markdown::fmt_lr;
use anyhow::Result;

use super::waves;

use crate::args::{DepthArgs, FiltersArgs, LinearityArgs, SensitivityArgs, SparsityArgs};

pub fn linearity(args: LinearityArgs) -> Result<()> {
    let jobs = args.common.jobs;
    let options = LinearityOptions::from(args);
    waves::if_jobs(jobs, &options.common.out, |plan| {
        linearity::linearity(&LinearityOptions { common: options.common.planned(plan), ..options.clone() })?;
        Ok(())
    })?;
    let report = linearity::linearity(&options)?;
    for p in &report.provenance.pending {
        println!("not finished: {p}");
    }
    for cell in &report.cells {
        let train = cell.train_error.as_ref().map_or("–".into(), |e| format!("{:.3}", e.mean));
        let test = cell.test_error.as_ref().map_or("–".into(), |e| format!("{:.3}", e.mean));
        println!("{}: lr {}, training error {train}, test error {test} (n={})", cell.key, fmt_lr(cell.lr), cell.runs.len());
    }
    println!("report: {}", options.common.out.join("report.md").display());
    Ok(())
}

pub fn depth(args: DepthArgs) -> Result<()> {
    let jobs = args.common.jobs;
    let options = DepthOptions::from(args);
    waves::if_jobs(jobs, &options.common.out, |plan| {
        depth::depth(&DepthOptions { common: options.common.planned(plan), ..options.clone() })?;
        Ok(())
    })?;
    let report = depth::depth(&options)?;
    for p in &report.provenance.pending {
        println!("not finished: {p}");
    }
    for cell in &report.cells {
        let train = cell.train_error.as_ref().map_or("–".into(), |e| format!("{:.3}", e.mean));
        let stalled = if cell.stalled { " (stalled)" } else { "" };
        println!("{}: lr {}, training error {train}{stalled} (n={})", cell.key, fmt_lr(cell.lr), cell.runs.len());
    }
    println!("report: {}", options.common.out.join("report.md").display());
    Ok(())
}

pub fn filters(args: FiltersArgs) -> Result<()> {
    let jobs = args.common.jobs;
    let options = FiltersOptions::from(args);
    waves::if_jobs(jobs, &options.common.out, |plan| {
        filters::filters(&FiltersOptions { common: options.common.planned(plan), ..options.clone() })?;
        Ok(())
    })?;
    let report = filters::filters(&options)?;
    for p in &report.provenance.pending {
        println!("not finished: {p}");
    }
    for s in &report.summaries {
        println!(
            "{}: lr {}, training error {:.3}, filters moved {:.2}, low-frequency share {:.3} at init, {:.3} trained (n={})",
            s.activation,
            fmt_lr(s.lr),
            s.final_train_error.mean,
            s.relative_change.mean,
            s.low_frequency_init.mean,
            s.low_frequency_trained.mean,
            s.relative_change.n
        );
    }
    println!("report: {}", options.common.out.join("report.md").display());
    Ok(())
}

pub fn sparsity(args: SparsityArgs) -> Result<()> {
    let jobs = args.common.jobs;
    let options = SparsityOptions::from(args);
    waves::if_jobs(jobs, &options.common.out, |plan| {
        sparsity::sparsity(&SparsityOptions { common: options.common.planned(plan), ..options.clone() })?;
        Ok(())
    })?;
    let report = sparsity::sparsity(&options)?;
    for p in &report.provenance.pending {
        println!("not finished: {p}");
    }
    for s in &report.summaries {
        let last = s.layers.iter().filter(|l| l.epoch == report.plan.epochs);
        let layers: Vec<String> = last.map(|l| format!("{} {:.3}", l.layer, l.near_off.mean)).collect();
        println!("{}: lr {}, near-off share at the end: {} (n={})", s.activation, fmt_lr(s.lr), layers.join(", "), s.final_train_error.n);
    }
    println!("report: {}", options.common.out.join("report.md").display());
    Ok(())
}

pub fn sensitivity(args: SensitivityArgs) -> Result<()> {
    let jobs = args.common.jobs;
    let options = SpeedupOptions::from(args);
    waves::if_jobs(jobs, &options.common.out, |plan| {
        speedup::speedup(&SpeedupOptions { common: options.common.planned(plan), ..options.clone() })?;
        Ok(())
    })?;
    let report = speedup::speedup(&options)?;
    for p in &report.provenance.pending {
        println!("not finished: {p}");
    }
    for cell in &report.cells {
        let rates: Vec<String> = cell.activations.iter().map(|a| format!("{} {}", a.activation, fmt_lr(a.lr))).collect();
        let ratios: Vec<String> = cell.ratios.iter().map(|r| format!("{}/relu {}", r.activation, ratios::fmt(Some(r)))).collect();
        println!("{}: rates {}; {}", cell.key, rates.join(", "), ratios.join("; "));
    }
    println!("report: {}", options.common.out.join("report.md").display());
    Ok(())
}
