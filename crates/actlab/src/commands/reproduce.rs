//! `actlab reproduce fig1`.

use actlab_experiments::fig1::{self, Fig1Options};
use actlab_experiments::toolkit::markdown::fmt_lr;
use anyhow::Result;

use crate::args::Fig1Args;

pub fn fig1(args: Fig1Args) -> Result<()> {
    let jobs = args.common.jobs;
    let options = Fig1Options::from(args);
    super::waves::if_jobs(jobs, &options.common.out, |plan| {
        fig1::fig1(&Fig1Options { common: options.common.planned(plan), ..options.clone() })?;
        Ok(())
    })?;
    let report = fig1::fig1(&options)?;
    for p in &report.pending {
        println!("not finished: {p}");
    }
    for r in &report.results {
        let epochs = match &r.epochs_to_target {
            Some(e) => format!("{:.2} epochs (n={})", e.mean, e.n),
            None if r.runs.is_empty() => "no finished run yet".into(),
            None => "not reached".into(),
        };
        println!("{}: lr {}, mean {epochs} to {}", r.activation, fmt_lr(r.chosen_lr), report.plan.target);
    }
    for (name, ratio) in &report.epoch_ratios {
        println!("{name}/relu epochs: {:.2} (95% CI {:?})", ratio.value, ratio.ci95);
    }
    println!("report: {}", options.common.out.join("report.md").display());
    Ok(())
}
