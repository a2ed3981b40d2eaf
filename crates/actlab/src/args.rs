//! The command line, and its conversion into the libraries' checked options: everything a flag
//! can get wrong is found here or in the options' own checks, before any work starts.

use actlab_datasets::DatasetName;
use actlab_experiments::bench::BenchOptions;
use actlab_experiments::depth::DepthOptions;
use actlab_experiments::fig1::Fig1Options;
use actlab_experiments::filters::FiltersOptions;
use actlab_experiments::linearity::LinearityOptions;
use actlab_experiments::sparsity::SparsityOptions;
use actlab_experiments::speedup::SpeedupOptions;
use actlab_experiments::toolkit::options::ExperimentOptions;
use actlab_models::Activation;
use actlab_train::Backend;
use actlab_train::progress::ProgressMode;
use clap::{Args, Parser, Subcommand, ValueEnum};
use std::path::PathBuf;

#[derive(Parser)]
#[command(name = "actlab", version, about = "Why did ReLU replace sigmoid and tanh? Train and see.")]
pub struct Cli {
    /// GPU to use with wgpu (the N-th discrete GPU, as `actlab backends` numbers them) or cuda;
    /// with `--jobs`, a list (`--device 0,1`) spreads the jobs over the GPUs in turn. Sets
    /// ACTLAB_DEVICE for the run and any job it starts.
    #[arg(long, global = true, value_delimiter = ',', value_name = "N[,N...]")]
    pub device: Vec<u16>,
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Subcommand)]
pub enum Command {
    /// Train a network from a TOML config.
    Train(TrainArgs),
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
    /// Put a claim about activations to the test: seeds, intervals, figures, a report.
    Study {
        #[command(subcommand)]
        study: Study,
    },
    /// Look at a run: `show filters RUN_DIR` draws its first-layer filters, at init and trained.
    Show {
        #[command(subcommand)]
        what: Show,
    },
    /// Which backends work on this machine, and the GPUs (adapters) wgpu finds.
    Backends(BackendsArgs),
    /// Training and forward speed of convnet18 per backend, a per-op profile, and PyTorch side by side.
    Bench(BenchArgs),
    /// Watch, compare and launch experiments in the browser, over the run folders under the roots.
    Serve(ServeArgs),
    /// The README's answer table, made from the reports under docs/ (one row per claim tested).
    Answer(AnswerArgs),
}

#[derive(Args)]
pub struct AnswerArgs {
    /// The folder of the reports (fig1-full/, linearity-full/, … each with its report.json).
    #[arg(long, default_value = "docs")]
    pub docs: PathBuf,
    /// Write the table into this file between its answer markers instead of printing it.
    #[arg(long, value_name = "README")]
    pub write: Option<PathBuf>,
}

#[derive(Args)]
pub struct ServeArgs {
    /// Folders whose run folders and reports are served (searched recursively); repeatable.
    #[arg(long = "root", default_value = "runs")]
    pub roots: Vec<PathBuf>,
    #[arg(long, default_value_t = 8080)]
    pub port: u16,
    /// Address to listen on. The default reaches this machine only; any other exposes the
    /// server to the network (a warning is printed; the token still guards races).
    #[arg(long, default_value = "127.0.0.1")]
    pub host: String,
    /// Open the page in the default browser (xdg-open or open, if there is one).
    #[arg(long)]
    pub open: bool,
    /// Dataset folder passed to every race (`--data DIR`).
    #[arg(long)]
    pub race_data: Option<PathBuf>,
    /// `--set KEY=VALUE` passed to every race; repeatable.
    #[arg(long = "race-set")]
    pub race_set: Vec<String>,
}

#[derive(Args)]
pub struct BackendsArgs {
    /// Also train one step of convnet18 on each available backend from the same weights as flex
    /// and compare loss and weights (the backend parity test, on this machine's devices).
    #[arg(long)]
    pub check: bool,
}

impl Command {
    /// The backend an experiment or study was told to use (`train` reads its own from the config).
    pub fn experiment_backend(&self) -> Option<Backend> {
        let common = match self {
            Command::Reproduce { experiment: Experiment::Fig1(a) } => &a.common,
            Command::Study { study: Study::Linearity(a) } => &a.common,
            Command::Study { study: Study::Depth(a) } => &a.common,
            Command::Study { study: Study::Filters(a) } => &a.common,
            Command::Study { study: Study::Sparsity(a) } => &a.common,
            Command::Study { study: Study::Sensitivity(a) } => &a.common,
            _ => return None,
        };
        Some(common.backend)
    }
}

#[derive(Clone, Copy, ValueEnum)]
pub enum ProgressArg {
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

#[derive(Args)]
pub struct TrainArgs {
    #[arg(long)]
    pub config: PathBuf,
    /// Overrides training.backend: flex, ndarray or wgpu.
    #[arg(long)]
    pub backend: Option<Backend>,
    /// Override a config value: section.key=value (repeatable).
    #[arg(long = "set", value_name = "SECTION.KEY=VALUE")]
    pub set: Vec<String>,
    /// Run folder (default: runs/<config name>). Rerunning into it resumes.
    #[arg(long)]
    pub out: Option<PathBuf>,
    /// Data folder; overrides dataset.path.
    #[arg(long)]
    pub data: Option<PathBuf>,
    /// Fail when a data file is not the official release (default: warn).
    #[arg(long)]
    pub strict_data: bool,
    /// Discard what the run folder holds and start over.
    #[arg(long)]
    pub fresh: bool,
    #[arg(long, value_enum, default_value = "auto")]
    pub progress: ProgressArg,
    /// A NaN or infinite loss is an outcome (recorded in summary.json), not an error: exit 0.
    /// The job lists of `--plan` use it, since a learning-rate trial may diverge.
    #[arg(long)]
    pub divergence_ok: bool,
}

impl TrainArgs {
    /// The run folder: `--out`, or runs/<config file name>.
    pub fn out(&self) -> PathBuf {
        self.out.clone().unwrap_or_else(|| PathBuf::from("runs").join(self.label()))
    }

    /// The config file's name, which labels the run's progress.
    pub fn label(&self) -> String {
        self.config.file_stem().map(|s| s.to_string_lossy().into_owned()).unwrap_or("run".into())
    }
}

#[derive(Clone, Copy, ValueEnum)]
pub enum DataName {
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
pub enum DataCommand {
    /// Fetch the official files (md5-verified) into DIR.
    Download(DownloadArgs),
    /// Records per class, per-file checksums, and whether each file is the official one.
    Info(InfoArgs),
}

#[derive(Args)]
pub struct DownloadArgs {
    #[arg(value_enum)]
    pub dataset: DataName,
    #[arg(long, default_value = "data")]
    pub dir: PathBuf,
    /// Fetch from this base URL instead of the official host.
    #[arg(long)]
    pub mirror: Option<String>,
    /// Seconds to wait for the server's response, and for more data at any point of the body
    /// (an idle limit: a slow line that keeps sending is never cut off).
    #[arg(long, default_value_t = 60.0, value_parser = positive_seconds)]
    pub timeout: f64,
}

fn positive_seconds(text: &str) -> Result<f64, String> {
    match text.parse::<f64>() {
        Ok(s) if s.is_finite() && s > 0.0 && s <= 86_400.0 => Ok(s),
        _ => Err(format!("{text} is not a number of seconds in (0, 86400]")),
    }
}

#[derive(Args)]
pub struct InfoArgs {
    pub path: PathBuf,
    /// Which dataset PATH holds (default: guessed from its files).
    #[arg(long, value_enum)]
    pub dataset: Option<DataName>,
}

#[derive(Subcommand)]
pub enum Experiment {
    /// AlexNet (2012) Figure 1: epochs for convnet18 to reach 25% CIFAR-10 training error, ReLU vs tanh.
    Fig1(Fig1Args),
}

/// What every experiment and study takes: where the data and the runs are, how it runs.
#[derive(Args)]
pub struct ExperimentArgs {
    /// flex, ndarray, wgpu (or cuda, in a build with the `cuda` feature).
    #[arg(long, default_value = "flex")]
    pub backend: Backend,
    /// Seeds (default: the experiment's own; fewer with --quick).
    #[arg(long)]
    pub seeds: Option<usize>,
    /// Data folder (default: data).
    #[arg(long)]
    pub data: Option<PathBuf>,
    /// A reduced run for a first try (minutes on 2 cores); the report lists what it reduced.
    #[arg(long)]
    pub quick: bool,
    /// Override the base config: section.key=value (repeatable).
    #[arg(long = "set", value_name = "SECTION.KEY=VALUE")]
    pub set: Vec<String>,
    #[arg(long, value_enum, default_value = "auto")]
    pub progress: ProgressArg,
    /// Write the report from the runs finished so far and train nothing (e.g. while the
    /// experiment runs in another process).
    #[arg(long)]
    pub report_only: bool,
    /// Train nothing: write each run that can start now into FILE as one `actlab train` command
    /// (its config already in its run folder), for GNU parallel or a Slurm array
    /// (scripts/slurm-array.sh); run again after they finish for the next wave, and without
    /// --plan at the end to measure and report.
    #[arg(long, value_name = "FILE", conflicts_with = "report_only")]
    pub plan: Option<PathBuf>,
    /// Train up to N independent runs at a time on this machine, the cores split between them
    /// (each wave of runs that can start now, as --plan lists it; then the report).
    #[arg(long, value_name = "N", conflicts_with_all = ["report_only", "plan"], value_parser = clap::value_parser!(u16).range(1..=256))]
    pub jobs: Option<u16>,
}

impl ExperimentArgs {
    /// The experiment's options, with its runs going to `out` (each experiment has its own default).
    pub fn options(self, out: PathBuf) -> ExperimentOptions {
        ExperimentOptions {
            out,
            backend: self.backend,
            data: self.data,
            quick: self.quick,
            seeds: self.seeds,
            overrides: self.set,
            progress: self.progress.into(),
            report_only: self.report_only,
            plan: self.plan,
        }
    }
}

#[derive(Args)]
pub struct Fig1Args {
    #[command(flatten)]
    pub common: ExperimentArgs,
    #[arg(long, value_delimiter = ',', default_value = "relu,tanh")]
    pub activations: Vec<Activation>,
    #[arg(long, default_value = "runs/fig1")]
    pub out: PathBuf,
    /// Learning rates to try, comma-separated.
    #[arg(long, value_delimiter = ',')]
    pub lr_grid: Option<Vec<f64>>,
    /// Length of each learning-rate trial, in epochs.
    #[arg(long)]
    pub trial_epochs: Option<f64>,
    /// How many of the best short-trial rates to run from seed 1 to the target, choosing the
    /// fastest (default 2, or 1 with --quick: the short trials decide alone).
    #[arg(long)]
    pub finalists: Option<usize>,
    /// Cap on each full run; runs stopped by it are reported as not reached.
    #[arg(long)]
    pub max_epochs: Option<f64>,
    /// Target training error (default 0.25, or 0.6 with --quick).
    #[arg(long)]
    pub target: Option<f64>,
}

impl From<Fig1Args> for Fig1Options {
    fn from(a: Fig1Args) -> Self {
        Fig1Options {
            common: a.common.options(a.out),
            activations: a.activations,
            lr_grid: a.lr_grid,
            trial_epochs: a.trial_epochs,
            finalists: a.finalists,
            max_epochs: a.max_epochs,
            target: a.target,
        }
    }
}

#[derive(Args)]
pub struct BenchArgs {
    /// Backends to time: flex, ndarray, wgpu.
    #[arg(long, value_delimiter = ',', default_value = "flex,ndarray,wgpu")]
    pub backends: Vec<Backend>,
    #[arg(long, value_delimiter = ',', default_value = "relu,tanh")]
    pub activations: Vec<Activation>,
    #[arg(long, default_value_t = 128)]
    pub batch: usize,
    /// Timed steps (the median is reported).
    #[arg(long, default_value_t = 10)]
    pub steps: usize,
    #[arg(long, default_value_t = 3)]
    pub warmup: usize,
    /// Backends to profile op by op.
    #[arg(long, value_delimiter = ',', default_value = "flex")]
    pub profile: Vec<Backend>,
    /// CIFAR-10 folder whose load time is measured (skipped when absent).
    #[arg(long, default_value = "data")]
    pub data: PathBuf,
    /// Python interpreter with torch for the reference run.
    #[arg(long, default_value = "python3")]
    pub python: String,
    #[arg(long)]
    pub no_pytorch: bool,
    /// Skip the flex run with actlab's fast ops turned off.
    #[arg(long)]
    pub no_plain: bool,
    /// Alternating flex / PyTorch rounds after the main run (0: none).
    #[arg(long, default_value_t = 3)]
    pub rounds: usize,
    /// Also time flex with actlab's own loops (pooling, im2col, tanh's gradient) compiled for each
    /// of these instruction sets in turn, alternately: baseline, avx2, avx512.
    #[arg(long, value_delimiter = ',')]
    pub isas: Vec<actlab_kernels::Isa>,
    /// Also write bench.json and bench.md here.
    #[arg(long)]
    pub out: Option<PathBuf>,
}

impl From<&BenchArgs> for BenchOptions {
    fn from(a: &BenchArgs) -> Self {
        BenchOptions {
            backends: a.backends.clone(),
            activations: a.activations.clone(),
            batch: a.batch,
            steps: a.steps,
            warmup: a.warmup,
            profile: a.profile.clone(),
            data: a.data.exists().then(|| a.data.clone()),
            python: (!a.no_pytorch).then(|| a.python.clone()),
            compare_plain: !a.no_plain,
            rounds: a.rounds,
            isas: a.isas.clone(),
        }
    }
}

#[derive(Subcommand)]
pub enum Study {
    /// How much non-linearity does a network need? Linear nets, a leaky-ReLU slope sweep, the zoo.
    Linearity(LinearityArgs),
    /// Do saturating activations stop deeper nets from training? MLPs of growing depth, by init.
    Depth(DepthArgs),
    /// Do a CNN's filters start random and learn structure? First-layer filters before and after training.
    Filters(FiltersArgs),
    /// Does ReLU give sparse codes? Exact zeros, near-off outputs and dead units per layer, every epoch.
    Sparsity(SparsityArgs),
    /// When does ReLU's six-fold speed-up over tanh hold? Figure 1's setting, one factor changed at a time.
    Sensitivity(SensitivityArgs),
}

#[derive(Args)]
pub struct SensitivityArgs {
    #[command(flatten)]
    pub common: ExperimentArgs,
    /// Cells, comma-separated (default: all ten; paper, standardised-input, modern with --quick):
    /// paper, standardised-input, fan-in-init, response-norm, batch-norm, adam, batch-32,
    /// batch-512, convnet80sec, modern.
    #[arg(long, value_delimiter = ',')]
    pub cells: Option<Vec<String>>,
    /// Activations, including relu (default relu,tanh,sigmoid; relu,tanh with --quick).
    #[arg(long, value_delimiter = ',')]
    pub activations: Option<Vec<Activation>>,
    /// The budget in epochs: a run not at the target by then is "not reached" (default 40, or 30 with --quick).
    #[arg(long)]
    pub epochs: Option<usize>,
    /// Training-error target (default 0.5, or 0.6 with --quick).
    #[arg(long)]
    pub target: Option<f64>,
    /// Training images per class (default 250, or 100 with --quick; 0: all).
    #[arg(long)]
    pub per_class: Option<usize>,
    /// Centre of every cell's learning-rate grid, a point of the 1-3 grid (default: each
    /// activation's own, 1e-1 for sigmoid, 1e-2 for the others; a decade lower for Adam).
    #[arg(long)]
    pub lr_start: Option<f64>,
    /// A `reproduce fig1` output folder: the paper's cell uses its runs where their configs are
    /// identical (same data, target and subset) instead of training its own.
    #[arg(long)]
    pub fig1: Option<PathBuf>,
    #[arg(long, default_value = "runs/study-sensitivity")]
    pub out: PathBuf,
}

impl From<SensitivityArgs> for SpeedupOptions {
    fn from(a: SensitivityArgs) -> Self {
        SpeedupOptions {
            common: a.common.options(a.out),
            cells: a.cells,
            activations: a.activations,
            epochs: a.epochs,
            target: a.target,
            per_class: a.per_class,
            lr_start: a.lr_start,
            fig1: a.fig1,
        }
    }
}

#[derive(Args)]
pub struct SparsityArgs {
    #[command(flatten)]
    pub common: ExperimentArgs,
    /// Epochs per run (default 3, or 2 with --quick).
    #[arg(long)]
    pub epochs: Option<usize>,
    /// Activations (default relu,tanh,sigmoid).
    #[arg(long, value_delimiter = ',')]
    pub activations: Option<Vec<Activation>>,
    /// Centre of the learning-rate grid for activations without a Figure 1 rate (1-3 grid
    /// point; default: the activation's own, 1e-1 for sigmoid).
    #[arg(long)]
    pub lr_start: Option<f64>,
    #[arg(long, default_value = "runs/study-sparsity")]
    pub out: PathBuf,
}

impl From<SparsityArgs> for SparsityOptions {
    fn from(a: SparsityArgs) -> Self {
        SparsityOptions { common: a.common.options(a.out), epochs: a.epochs, activations: a.activations, lr_start: a.lr_start }
    }
}

#[derive(Args)]
pub struct FiltersArgs {
    #[command(flatten)]
    pub common: ExperimentArgs,
    /// Epochs per run (default 3, or 2 with --quick).
    #[arg(long)]
    pub epochs: Option<usize>,
    /// Activations (default relu,tanh).
    #[arg(long, value_delimiter = ',')]
    pub activations: Option<Vec<Activation>>,
    /// Learning rates as activation=rate, comma-separated (default: the rates `reproduce fig1` chose,
    /// relu=3e-3,tanh=1e-2).
    #[arg(long, value_delimiter = ',', value_parser = activation_rate)]
    pub rates: Vec<(Activation, f64)>,
    #[arg(long, default_value = "runs/study-filters")]
    pub out: PathBuf,
}

fn activation_rate(text: &str) -> Result<(Activation, f64), String> {
    let (name, rate) = text.split_once('=').ok_or_else(|| format!("{text}: expected activation=rate"))?;
    let activation = name.parse::<Activation>().map_err(|e| e.to_string())?;
    let rate = rate.trim().parse::<f64>().map_err(|_| format!("{text}: {rate} is not a number"))?;
    Ok((activation, rate))
}

impl From<FiltersArgs> for FiltersOptions {
    fn from(a: FiltersArgs) -> Self {
        FiltersOptions { common: a.common.options(a.out), epochs: a.epochs, activations: a.activations, rates: a.rates }
    }
}

#[derive(Subcommand)]
pub enum Show {
    /// A run folder's first-layer filters at initialisation and trained, as filters.png and .svg.
    Filters(ShowFiltersArgs),
}

#[derive(Args)]
pub struct ShowFiltersArgs {
    /// A run folder (with config.toml and model.bpk).
    pub run_dir: PathBuf,
    /// The folder the picture goes to (default: RUN_DIR), as filters.png and filters.svg.
    #[arg(long)]
    pub out: Option<PathBuf>,
    /// The data folder, if it has moved since the run (the net's input shape is read from it).
    #[arg(long)]
    pub data: Option<PathBuf>,
}

#[derive(Args)]
pub struct LinearityArgs {
    #[command(flatten)]
    pub common: ExperimentArgs,
    /// Epochs per run (default 8, or 4 with --quick).
    #[arg(long)]
    pub epochs: Option<usize>,
    /// Leaky-ReLU slopes of the sweep, comma-separated, in [0, 1].
    #[arg(long, value_delimiter = ',')]
    pub slopes: Option<Vec<f64>>,
    /// Activations of the zoo (default: all).
    #[arg(long, value_delimiter = ',')]
    pub zoo: Option<Vec<Activation>>,
    /// Centre of every cell's learning-rate grid, a point of the 1-3 grid (1e-2, 3e-3, ...);
    /// default: each activation's own (1e-1 for sigmoid, 1e-2 for the others).
    #[arg(long)]
    pub lr_start: Option<f64>,
    /// Training-error target for "epochs to target" (default 0.5, or 0.7 with --quick).
    #[arg(long)]
    pub target: Option<f64>,
    #[arg(long, default_value = "runs/study-linearity")]
    pub out: PathBuf,
}

impl From<LinearityArgs> for LinearityOptions {
    fn from(a: LinearityArgs) -> Self {
        LinearityOptions {
            common: a.common.options(a.out),
            epochs: a.epochs,
            slopes: a.slopes,
            zoo: a.zoo,
            lr_start: a.lr_start,
            target: a.target,
        }
    }
}

#[derive(Args)]
pub struct DepthArgs {
    #[command(flatten)]
    pub common: ExperimentArgs,
    /// Epochs per run (default 5, or 3 with --quick).
    #[arg(long)]
    pub epochs: Option<usize>,
    /// Hidden layers, comma-separated (default 2,4,8,16,32).
    #[arg(long, value_delimiter = ',')]
    pub depths: Option<Vec<usize>>,
    /// Activations (default sigmoid,tanh,relu,gelu).
    #[arg(long, value_delimiter = ',')]
    pub activations: Option<Vec<Activation>>,
    /// Units per hidden layer (default 128).
    #[arg(long)]
    pub width: Option<usize>,
    /// Centre of every cell's learning-rate grid, a point of the 1-3 grid (1e-2, 3e-3, ...);
    /// default: each activation's own (1e-1 for sigmoid, 1e-2 for the others).
    #[arg(long)]
    pub lr_start: Option<f64>,
    #[arg(long, default_value = "runs/study-depth")]
    pub out: PathBuf,
}

impl From<DepthArgs> for DepthOptions {
    fn from(a: DepthArgs) -> Self {
        DepthOptions {
            common: a.common.options(a.out),
            epochs: a.epochs,
            depths: a.depths,
            activations: a.activations,
            width: a.width,
            lr_start: a.lr_start,
        }
    }
}
