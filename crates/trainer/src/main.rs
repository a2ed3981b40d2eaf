//! The `actlab` command: a thin layer over the trainer and dataset libraries.

use actlab_datasets::download::{fetch, sources};
use actlab_datasets::{DatasetConfig, DatasetName, LoadedDataset, info};
use actlab_trainer::bench::{self, BenchOptions};
use actlab_trainer::progress::ProgressMode;
use actlab_trainer::reproduce::{Fig1Options, fig1};
use actlab_trainer::run::{Prepared, prepare};
use actlab_trainer::{Backend, RunOptions, StopReason, Summary, UncheckedConfig, train};
use anyhow::{Context, Result, bail};
use clap::{Parser, Subcommand, ValueEnum};
use std::path::PathBuf;
use std::process::ExitCode;

/// mimalloc keeps freed blocks for reuse; glibc returns large ones to the OS, and every fresh
/// tensor buffer then pays page faults (measured: a 16 MB copy took 14 ms instead of 3).
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

#[derive(Parser)]
#[command(name = "actlab", version, about = "Why did ReLU replace sigmoid and tanh? Train and see.")]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Clone, Copy, ValueEnum)]
enum ProgressArg {
    Auto,
    Lines,
    Quiet,
}

impl From<ProgressArg> for ProgressMode {
    fn from(p: ProgressArg) -> Self {
        match p {
            ProgressArg::Auto => ProgressMode::Auto,
            ProgressArg::Lines => ProgressMode::Lines,
            ProgressArg::Quiet => ProgressMode::Quiet,
        }
    }
}

#[derive(Subcommand)]
enum Command {
    /// Train a network from a TOML config.
    Train {
        #[arg(long)]
        config: PathBuf,
        /// Overrides training.backend.
        #[arg(long)]
        backend: Option<Backend>,
        /// Override a config value: section.key=value (repeatable).
        #[arg(long = "set", value_name = "SECTION.KEY=VALUE")]
        set: Vec<String>,
        /// Run folder (default: runs/<config name>). Rerunning into it resumes.
        #[arg(long)]
        out: Option<PathBuf>,
        /// Data folder; overrides dataset.path.
        #[arg(long)]
        data: Option<PathBuf>,
        /// Fail when a data file is not the official release (default: warn).
        #[arg(long)]
        strict_data: bool,
        /// Discard what the run folder holds and start over.
        #[arg(long)]
        fresh: bool,
        #[arg(long, value_enum, default_value = "auto")]
        progress: ProgressArg,
    },
    /// Download or inspect datasets.
    Data {
        #[command(subcommand)]
        command: DataCommand,
    },
    /// Reproduce a published experiment.
    Reproduce {
        #[command(subcommand)]
        experiment: Experiment,
    },
    /// Which backends work on this machine.
    Backends,
    /// Training and forward speed of convnet18 per backend, a per-op profile, and PyTorch side by side.
    Bench {
        #[arg(long, value_delimiter = ',', default_value = "flex,ndarray,wgpu")]
        backends: Vec<Backend>,
        #[arg(long, value_delimiter = ',', default_value = "relu,tanh")]
        activations: Vec<actlab_models::Activation>,
        #[arg(long, default_value_t = 128)]
        batch: usize,
        /// Timed steps (the median is reported).
        #[arg(long, default_value_t = 10)]
        steps: usize,
        #[arg(long, default_value_t = 3)]
        warmup: usize,
        /// Backends to profile op by op.
        #[arg(long, value_delimiter = ',', default_value = "flex")]
        profile: Vec<Backend>,
        /// CIFAR-10 folder whose load time is measured (skipped when absent).
        #[arg(long, default_value = "data")]
        data: PathBuf,
        /// Python interpreter with torch for the reference run.
        #[arg(long, default_value = "python3")]
        python: String,
        #[arg(long)]
        no_pytorch: bool,
        /// Skip the flex run with actlab's fast ops turned off.
        #[arg(long)]
        no_plain: bool,
        /// Alternating flex / PyTorch rounds after the main run (0: none).
        #[arg(long, default_value_t = 3)]
        rounds: usize,
        /// Also write bench.json and bench.md here.
        #[arg(long)]
        out: Option<PathBuf>,
    },
}

#[derive(Subcommand)]
enum Experiment {
    /// AlexNet (2012) Figure 1: epochs for convnet18 to reach 25% CIFAR-10 training error, ReLU vs tanh.
    Fig1 {
        #[arg(long, default_value = "flex")]
        backend: Backend,
        /// Seeds per activation (default 5, or 2 with --quick).
        #[arg(long)]
        seeds: Option<usize>,
        #[arg(long, value_delimiter = ',', default_value = "relu,tanh")]
        activations: Vec<actlab_models::Activation>,
        /// Data folder (default: data).
        #[arg(long)]
        data: Option<PathBuf>,
        #[arg(long, default_value = "runs/fig1")]
        out: PathBuf,
        /// A reduced run for a first try: a training subset, a looser target, fewer seeds.
        #[arg(long)]
        quick: bool,
        /// Learning rates to try, comma-separated.
        #[arg(long, value_delimiter = ',')]
        lr_grid: Option<Vec<f64>>,
        /// Length of each learning-rate trial, in epochs.
        #[arg(long)]
        trial_epochs: Option<f64>,
        /// How many of the best short-trial rates to run from seed 1 to the target, choosing the
        /// fastest (default 2, or 1 with --quick: the short trials decide alone).
        #[arg(long)]
        finalists: Option<usize>,
        /// Cap on each full run; runs stopped by it are reported as not reached.
        #[arg(long)]
        max_epochs: Option<f64>,
        /// Target training error (default 0.25, or 0.6 with --quick).
        #[arg(long)]
        target: Option<f64>,
        /// Override the base config: section.key=value (repeatable).
        #[arg(long = "set", value_name = "SECTION.KEY=VALUE")]
        set: Vec<String>,
        #[arg(long, value_enum, default_value = "auto")]
        progress: ProgressArg,
        /// Write the report from the trials and runs finished so far and train nothing (e.g.
        /// while the experiment runs in another process).
        #[arg(long)]
        report_only: bool,
    },
}

#[derive(Clone, Copy, ValueEnum)]
enum DataName {
    Cifar10,
    Mnist,
    FashionMnist,
}

impl From<DataName> for DatasetName {
    fn from(d: DataName) -> Self {
        match d {
            DataName::Cifar10 => DatasetName::Cifar10,
            DataName::Mnist => DatasetName::Mnist,
            DataName::FashionMnist => DatasetName::FashionMnist,
        }
    }
}

#[derive(Subcommand)]
enum DataCommand {
    /// Fetch the official files (md5-verified) into DIR.
    Download {
        #[arg(value_enum)]
        dataset: DataName,
        #[arg(long, default_value = "data")]
        dir: PathBuf,
        /// Fetch from this base URL instead of the official host.
        #[arg(long)]
        mirror: Option<String>,
    },
    /// Records per class, per-file checksums, and whether each file is the official one.
    Info {
        path: PathBuf,
        /// Which dataset PATH holds (default: guessed from its files).
        #[arg(long, value_enum)]
        dataset: Option<DataName>,
    },
}

fn main() -> ExitCode {
    match run(Cli::parse()) {
        Ok(code) => code,
        Err(err) => {
            eprintln!("error: {err:#}");
            ExitCode::FAILURE
        }
    }
}

fn warn_unofficial(data: &LoadedDataset) {
    for file in &data.files {
        if let Some(warning) = file.warning() {
            eprintln!("warning: {warning}");
        }
    }
}

fn run(cli: Cli) -> Result<ExitCode> {
    match cli.command {
        Command::Train { config, backend, set, out, data, strict_data, fresh, progress } => {
            let name = config.display().to_string();
            let mut unchecked = UncheckedConfig::load(&config, &set)?;
            if let Some(backend) = backend {
                unchecked.training.backend = backend;
            }
            if let Some(data) = data {
                unchecked.dataset.path = data;
            }
            unchecked.dataset.strict |= strict_data;
            let checked = unchecked.check(&name)?;
            let stem = config.file_stem().map(|s| s.to_string_lossy().into_owned()).unwrap_or("run".into());
            let out = out.unwrap_or_else(|| PathBuf::from("runs").join(&stem));
            if let Prepared::Finished(summary) = prepare(&out, &checked, fresh)? {
                eprintln!("{} already holds a finished run (pass --fresh to redo it)", out.display());
                print_summary(&out, &summary);
                return Ok(ExitCode::SUCCESS);
            }
            let data =
                checked.dataset.load(checked.training.seed).with_context(|| format!("loading dataset `{}`", checked.dataset.name))?;
            warn_unofficial(&data);
            let progress = progress.into();
            eprintln!(
                "training {} ({}) on {} ({} images) with {}, writing {}",
                checked.model.arch,
                checked.model.activation,
                checked.dataset.name,
                data.train.len(),
                checked.training.backend,
                out.display()
            );
            let options = RunOptions { out: out.clone(), progress, label: stem };
            let summary = train(&checked, &data, &options)?;
            print_summary(&out, &summary);
            if let Some(StopReason::Diverged { epoch, iteration, loss }) = summary.stop {
                bail!(
                    "training diverged: loss {loss} at iteration {iteration} (epoch {epoch:.2}); lower optimizer.lr (now {:e})",
                    checked.optimizer.lr
                );
            }
            Ok(ExitCode::SUCCESS)
        }
        Command::Data { command: DataCommand::Download { dataset, dir, mirror } } => {
            for source in sources(dataset.into(), &dir, mirror.as_deref())? {
                let fetched = fetch(&source, true)?;
                let verb = if fetched { "downloaded" } else { "already present" };
                println!("{verb}: {} (md5 {})", source.dest.display(), source.md5);
            }
            Ok(ExitCode::SUCCESS)
        }
        Command::Data { command: DataCommand::Info { path, dataset } } => {
            let name = match dataset {
                Some(d) => d.into(),
                None => guess_dataset(&path),
            };
            let mut config = DatasetConfig::new(name);
            config.path = path.clone();
            let data = config.load(0).with_context(|| format!("reading {name} from {}", path.display()))?;
            print!("{name} at {}\n{}", path.display(), info::describe(&data));
            Ok(ExitCode::SUCCESS)
        }
        Command::Reproduce {
            experiment:
                Experiment::Fig1 {
                    backend,
                    seeds,
                    activations,
                    data,
                    out,
                    quick,
                    lr_grid,
                    trial_epochs,
                    finalists,
                    max_epochs,
                    target,
                    set,
                    progress,
                    report_only,
                },
        } => {
            let options = Fig1Options {
                out: out.clone(),
                backend,
                data,
                activations,
                seeds,
                quick,
                lr_grid,
                trial_epochs,
                finalists,
                max_epochs,
                target,
                overrides: set,
                progress: progress.into(),
                report_only,
            };
            let report = fig1(&options)?;
            for p in &report.pending {
                println!("not finished: {p}");
            }
            for r in &report.results {
                let epochs = r
                    .epochs_to_target
                    .as_ref()
                    .map(|e| format!("{:.2} epochs (n={})", e.mean, e.n))
                    .unwrap_or_else(|| if r.runs.is_empty() { "no finished run yet".into() } else { "not reached".into() });
                println!(
                    "{}: lr {}, mean {} to {}",
                    r.activation,
                    actlab_trainer::reproduce::fmt_lr(r.chosen_lr),
                    epochs,
                    report.plan.target
                );
            }
            for (name, ratio) in &report.epoch_ratios {
                println!("{name}/relu epochs: {:.2} (95% CI {:?})", ratio.value, ratio.ci95);
            }
            println!("report: {}", out.join("report.md").display());
            Ok(ExitCode::SUCCESS)
        }
        Command::Bench { backends, activations, batch, steps, warmup, profile, data, python, no_pytorch, no_plain, rounds, out } => {
            if batch == 0 || steps == 0 {
                bail!("--batch and --steps must be at least 1");
            }
            let options = BenchOptions {
                backends,
                activations,
                batch,
                steps,
                warmup,
                profile,
                data: data.exists().then_some(data),
                python: (!no_pytorch).then_some(python),
                compare_plain: !no_plain,
                rounds,
            };
            let report = bench::run(&options, &mut |line| eprintln!("{line}"));
            let markdown = bench::markdown(&report);
            println!("\n{markdown}");
            if let Some(out) = out {
                std::fs::create_dir_all(&out).with_context(|| format!("creating {}", out.display()))?;
                let json = serde_json::to_string_pretty(&report)?;
                std::fs::write(out.join("bench.json"), json).with_context(|| format!("writing {}", out.display()))?;
                std::fs::write(out.join("bench.md"), markdown).with_context(|| format!("writing {}", out.display()))?;
                eprintln!("wrote {}", out.join("bench.md").display());
            }
            Ok(ExitCode::SUCCESS)
        }
        Command::Backends => {
            for backend in Backend::ALL {
                match backend.probe() {
                    Ok(_) => println!("{backend}: available"),
                    Err(why) => println!("{backend}: unavailable ({why})"),
                }
            }
            Ok(ExitCode::SUCCESS)
        }
    }
}

fn guess_dataset(path: &std::path::Path) -> DatasetName {
    let text = path.display().to_string().to_ascii_lowercase();
    let has = |name: &str| path.join(name).exists();
    if text.contains("fashion") || has("fashion-mnist") {
        DatasetName::FashionMnist
    } else if text.contains("mnist") || has("mnist") || has("train-images-idx3-ubyte.gz") || has("train-images-idx3-ubyte") {
        DatasetName::Mnist
    } else {
        DatasetName::Cifar10
    }
}

fn print_summary(out: &std::path::Path, summary: &Summary) {
    let stop = match &summary.stop {
        Some(StopReason::TargetReached) => "target reached".to_string(),
        Some(StopReason::MaxEpochs) => "max epochs (target not reached)".to_string(),
        Some(StopReason::MaxTime) => "max time (target not reached)".to_string(),
        Some(StopReason::Diverged { .. }) => "diverged".to_string(),
        None => "unknown".to_string(),
    };
    println!("run: {}", out.display());
    println!("stopped: {stop} after {:.2} epochs, {} iterations, {:.1} s", summary.epochs, summary.iterations, summary.seconds);
    if let Some(hit) = &summary.target_reached {
        println!(
            "target train error {} first reached at epoch {:.2} (iteration {}, {:.1} s)",
            summary.target_train_error.unwrap_or_default(),
            hit.epoch,
            hit.iteration,
            hit.seconds
        );
    }
    if let Some(e) = summary.final_train_error {
        println!("final train error {e:.4}");
    }
    if let Some(e) = summary.final_test_error {
        println!("final test error {e:.4}");
    }
    println!("throughput {:.0} images/s on {}", summary.mean_images_per_sec, summary.backend);
}
