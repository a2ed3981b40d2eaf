//! `actlab train`: one run from a config file into a run folder.

use actlab_datasets::LoadedDataset;
use actlab_train::{Prepared, RunConfig, RunFolder, RunOptions, StopReason, Summary, UncheckedConfig, train};
use anyhow::{Context, Result, bail};
use std::path::Path;

use crate::args::TrainArgs;

/// The config file with the flags applied, checked.
fn config(args: &TrainArgs) -> Result<RunConfig> {
    let mut unchecked = UncheckedConfig::load(&args.config, &args.set)?;
    if let Some(backend) = args.backend {
        unchecked.training.backend = backend;
    }
    if let Some(data) = &args.data {
        unchecked.dataset.path = data.clone();
    }
    unchecked.dataset.strict |= args.strict_data;
    Ok(unchecked.check(&args.config.display().to_string())?)
}

pub fn warn_unofficial(data: &LoadedDataset) {
    for warning in data.files.iter().filter_map(|file| file.warning()) {
        eprintln!("warning: {warning}");
    }
}

pub fn run(args: TrainArgs) -> Result<()> {
    let checked = config(&args)?;
    if let (Some(n), false) = (crate::environment::devices().first(), checked.training.backend.is_gpu()) {
        bail!(
            "--device {n} names a GPU, but {} trains on {} (the CPU); pass --backend wgpu",
            args.config.display(),
            checked.training.backend
        );
    }
    // A backend that cannot run here (no GPU, no driver) is one line before anything is written.
    checked.training.backend.probe()?;
    let out = args.out();
    let folder = RunFolder::new(&out);
    let _lock = folder.lock()?;
    if let Prepared::Finished(summary) = folder.prepare(&checked, args.fresh)? {
        eprintln!("{} already holds a finished run (pass --fresh to redo it)", out.display());
        print_summary(&out, &summary);
        return Ok(());
    }
    let data = checked.dataset.load(checked.training.seed).with_context(|| format!("loading dataset `{}`", checked.dataset.name))?;
    warn_unofficial(&data);
    let (model, dataset) = (&checked.model, &checked.dataset);
    eprintln!(
        "training {} ({}) on {} ({} images) with {}, writing {}",
        model.arch,
        model.activation,
        dataset.name,
        data.train.len(),
        checked.training.backend,
        out.display()
    );
    let options = RunOptions { out: out.clone(), progress: args.progress.into(), label: args.label() };
    let summary = train(&checked, &data, &options)?;
    print_summary(&out, &summary);
    if let Some(StopReason::Diverged { epoch, iteration, loss }) = summary.stop
        && !args.divergence_ok
    {
        let lr = checked.optimizer.lr;
        bail!("training diverged: loss {loss} at iteration {iteration} (epoch {epoch:.2}); lower optimizer.lr (now {lr:e})");
    }
    Ok(())
}

fn print_summary(out: &Path, summary: &Summary) {
    let stop = summary.stop.as_ref().map_or("unknown".into(), ToString::to_string);
    println!("run: {}", out.display());
    println!("stopped: {stop} after {:.2} epochs, {} iterations, {:.1} s", summary.epochs, summary.iterations, summary.seconds);
    if let Some(hit) = &summary.target_reached {
        let target = summary.target_train_error.unwrap_or_default();
        println!("target train error {target} first reached at epoch {:.2} (iteration {}, {:.1} s)", hit.epoch, hit.iteration, hit.seconds);
    }
    if let Some(e) = summary.final_train_error {
        println!("final train error {e:.4}");
    }
    if let Some(e) = summary.final_test_error {
        println!("final test error {e:.4}");
    }
    println!("throughput {:.0} images/s on {}", summary.mean_images_per_sec, summary.backend);
}
