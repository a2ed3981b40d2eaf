//! `actlab reproduce fig1`: the AlexNet paper's Figure 1 experiment. A learning-rate search for
//! each activation (short trials on a log grid, scored by the training error they reach; the best
//! few are then raced to the target from seed 1, since the paper chose each rate "to make training
//! as fast as possible"), then full runs per activation and seed until the epoch's running
//! training error reaches the target, then a report with confidence intervals and the figure. Every trial and run is an ordinary run
//! folder, so a rerun with the same `--out` skips what is finished and resumes what is not.

use actlab_datasets::LoadedDataset;
use actlab_models::Activation;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use crate::TrainError;
use crate::backend::Backend;
use crate::config::UncheckedConfig;
use crate::metrics::{self, MetricsRow};
use crate::plot::{self, Curve, Figure};
use crate::progress::ProgressMode;
use crate::run::{Prepared, existing_summary, prepare};
use crate::stats::{Estimate, Ratio, bootstrap_ratio};
use crate::summary::{FileSummary, StopReason, Summary};
use crate::training::{RunOptions, train};

/// The Figure 1 setting: cuda-convnet's layers-18pct net on the full CIFAR-10 training set,
/// batch 128, momentum 0.9, no weight decay, dropout or augmentation, stop at 25% training error.
pub const FIG1_BASE: &str = r#"
[dataset]
name = "cifar10"
path = "data"
normalize = "mean-image"
[model]
arch = "convnet18"
activation = "relu"
init = "cuda-convnet"
[optimizer]
kind = "sgd"
lr = 0.001
momentum = 0.9
weight_decay = 0.0
[training]
batch_size = 128
seed = 1
log_every = 20
eval_every = 0
[stop]
max_epochs = 80
target_train_error = 0.25
"#;

/// How many rates beyond the grid the search may try when the best one is at an edge.
pub const MAX_EXTENSIONS: usize = 3;

/// What the user asked for; unset values take the full or `--quick` defaults.
#[derive(Clone, Debug)]
pub struct Fig1Options {
    pub out: PathBuf,
    pub backend: Backend,
    pub data: Option<PathBuf>,
    pub activations: Vec<Activation>,
    pub seeds: Option<usize>,
    pub quick: bool,
    pub lr_grid: Option<Vec<f64>>,
    pub trial_epochs: Option<f64>,
    /// How many of the best short-trial rates are run to the target to choose between them.
    pub finalists: Option<usize>,
    pub max_epochs: Option<f64>,
    pub target: Option<f64>,
    /// `section.key=value` applied to the base config (e.g. another dataset for tests).
    pub overrides: Vec<String>,
    pub progress: ProgressMode,
    /// Write the report from what has finished; train nothing.
    pub report_only: bool,
}

/// The resolved experiment.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct Plan {
    pub activations: Vec<String>,
    pub lr_grid: Vec<f64>,
    pub trial_epochs: f64,
    /// The best `finalists` rates of the short trials are run from seed 1 to the target and the
    /// fastest is chosen (1: the best short-trial score decides alone).
    #[serde(default = "one")]
    pub finalists: usize,
    pub seeds: usize,
    pub max_epochs: f64,
    pub target: f64,
    /// What `--quick` changed from the full experiment, in words.
    pub reductions: Vec<String>,
}

#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct Trial {
    pub activation: String,
    pub lr: f64,
    /// Running training error at the end of the trial; None when it diverged.
    pub train_error: Option<f64>,
    pub diverged: bool,
    pub folder: String,
    /// The actlab commit the trial's binary was built from.
    #[serde(default)]
    pub commit: String,
}

fn one() -> usize {
    1
}

/// One of the best short-trial rates, run from seed 1 to the target (or the epoch cap).
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct Finalist {
    pub lr: f64,
    /// Its short trial's score.
    pub trial_error: f64,
    /// Its run from seed 1 (flattened: report.json lists its fields beside `lr`).
    #[serde(flatten)]
    pub run: SeedRun,
}

#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct SeedRun {
    pub seed: u64,
    pub folder: String,
    pub reached: bool,
    pub epochs_to_target: Option<f64>,
    pub seconds_to_target: Option<f64>,
    pub epochs_run: f64,
    pub stop: String,
    /// The actlab commit the run's binary was built from (a long experiment may span builds).
    #[serde(default)]
    pub commit: String,
}

impl SeedRun {
    /// The outcome of `summary`, the finished run of `seed` in `folder`.
    fn of(seed: u64, folder: &Path, summary: &Summary, max_epochs: f64) -> Self {
        let hit = summary.target_reached.as_ref();
        SeedRun {
            seed,
            folder: folder.display().to_string(),
            reached: hit.is_some(),
            epochs_to_target: hit.map(|h| h.epoch),
            seconds_to_target: hit.map(|h| h.seconds),
            epochs_run: summary.epochs,
            stop: match summary.stop {
                Some(StopReason::TargetReached) => "target reached".into(),
                Some(StopReason::MaxEpochs) => format!("not reached in {max_epochs} epochs"),
                Some(StopReason::MaxTime) => "not reached (time limit)".into(),
                Some(StopReason::Diverged { .. }) => "diverged".into(),
                None => "unknown".into(),
            },
            commit: summary.versions.commit.clone(),
        }
    }
}

#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct ActivationResult {
    pub activation: String,
    pub chosen_lr: f64,
    /// The rates raced to the target to choose `chosen_lr` (one when the short trials decided alone).
    #[serde(default)]
    pub finalists: Vec<Finalist>,
    pub runs: Vec<SeedRun>,
    /// Over the runs that reached the target.
    pub epochs_to_target: Option<Estimate>,
    pub seconds_to_target: Option<Estimate>,
    pub not_reached: usize,
}

#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct Machine {
    pub backend: String,
    pub device: String,
    pub threads: usize,
    pub commit: String,
}

#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct Report {
    pub plan: Plan,
    pub trials: Vec<Trial>,
    pub results: Vec<ActivationResult>,
    /// Ratio of the mean epochs (and seconds) to target of each activation to relu's.
    pub epoch_ratios: BTreeMap<String, Ratio>,
    pub time_ratios: BTreeMap<String, Ratio>,
    pub machine: Machine,
    pub dataset: Vec<FileSummary>,
    pub train_images: usize,
    /// The shared setting of every run, in words.
    pub setting: String,
    pub dataset_name: String,
    /// Trials and runs not finished when a `--report-only` report was written.
    #[serde(default)]
    pub pending: Vec<String>,
}

fn plan(options: &Fig1Options) -> Result<Plan, TrainError> {
    let reductions = Vec::new();
    let quick = options.quick;
    let default_grid = if quick { vec![5e-4, 1e-3, 2e-3] } else { vec![3e-4, 1e-3, 3e-3, 1e-2] };
    let target = options.target.unwrap_or(if quick { 0.6 } else { 0.25 });
    let plan = Plan {
        activations: options.activations.iter().map(|a| a.to_string()).collect(),
        lr_grid: options.lr_grid.clone().unwrap_or(default_grid),
        trial_epochs: options.trial_epochs.unwrap_or(if quick { 0.5 } else { 1.0 }),
        finalists: options.finalists.unwrap_or(if quick { 1 } else { 2 }),
        seeds: options.seeds.unwrap_or(if quick { 2 } else { 5 }),
        max_epochs: options.max_epochs.unwrap_or(if quick { 30.0 } else { 80.0 }),
        target,
        reductions,
    };
    let mut plan = plan;
    if plan.target != 0.25 {
        plan.reductions.push(format!("target training error {} instead of the paper's 0.25", plan.target));
    }
    if plan.seeds < 5 {
        plan.reductions.push(format!("{} seed(s) per activation instead of 5", plan.seeds));
    }
    if plan.trial_epochs < 1.0 {
        plan.reductions.push(format!("learning-rate trials of {} epoch(s) instead of 1", plan.trial_epochs));
    }
    if plan.finalists < 2 {
        plan.reductions.push("learning rate chosen by the short trials' score alone, without racing the best rates to the target".into());
    }
    if plan.activations.is_empty() || plan.lr_grid.is_empty() || plan.seeds == 0 || plan.finalists == 0 {
        return Err(TrainError::Other("reproduce: need at least one activation, learning rate, seed and finalist".into()));
    }
    if plan.lr_grid.iter().any(|lr| !(lr.is_finite() && *lr > 0.0)) {
        return Err(TrainError::Other(format!("reproduce: --lr-grid {:?} has a non-positive rate", plan.lr_grid)));
    }
    Ok(plan)
}

fn base(options: &Fig1Options) -> Result<UncheckedConfig, TrainError> {
    let mut overrides = Vec::new();
    if options.quick {
        overrides.push("dataset.subset_per_class=1000".to_string());
    }
    overrides.extend(options.overrides.iter().cloned());
    let mut config = UncheckedConfig::parse(FIG1_BASE, "fig1 base config", &overrides)?;
    config.training.backend = options.backend;
    if let Some(data) = &options.data {
        config.dataset.path = data.clone();
    }
    Ok(config)
}

/// The summary of `config`'s run in `folder`: the one there if it already finished (target
/// reached, diverged, or all its iterations used, counted as the loop counts them), else a new or
/// resumed run's, or `None` when `train_missing` is false.
fn run_one(
    config: UncheckedConfig,
    data: &LoadedDataset,
    folder: &Path,
    label: String,
    progress: ProgressMode,
    train_missing: bool,
) -> Result<Option<Summary>, TrainError> {
    let name = folder.display().to_string();
    let checked = config.check(&name)?;
    let n = data.train.len();
    let batches_per_epoch = n.div_ceil(checked.training.batch_size.min(n).max(1)) as f64;
    let max_iterations = (checked.stop.max_epochs * batches_per_epoch).ceil() as u64;
    let finished = existing_summary(folder, &checked)?.filter(|s| match s.stop {
        Some(StopReason::TargetReached | StopReason::Diverged { .. }) => true,
        Some(StopReason::MaxEpochs) => s.iterations >= max_iterations,
        _ => false,
    });
    if finished.is_some() || !train_missing {
        return Ok(finished);
    }
    if let Prepared::Finished(summary) = prepare(folder, &checked, false)? {
        return Ok(Some(*summary));
    }
    train(&checked, data, &RunOptions { out: folder.into(), progress, label }).map(Some)
}

/// The finalist (given best short-trial score first) that reached the target in the fewest
/// epochs; on a tie the earlier one. None when none reached it.
fn fastest(finalists: &[Finalist]) -> Option<f64> {
    finalists.iter().filter_map(|f| f.run.epochs_to_target.map(|e| (f.lr, e))).min_by(|a, b| a.1.total_cmp(&b.1)).map(|(lr, _)| lr)
}

/// How far an unfinished run got, from its metrics.csv: " (at epoch 12.34)", or "".
fn progress_note(folder: &Path) -> String {
    metrics::read(&folder.join("metrics.csv"))
        .ok()
        .and_then(|rows: Vec<MetricsRow>| rows.last().map(|r| format!(" (at epoch {:.2})", r.epoch)))
        .unwrap_or_default()
}

/// A learning rate in at most four significant digits: 2e-3, 3.333e-2.
pub fn fmt_lr(lr: f64) -> String {
    let text = format!("{lr:.3e}");
    let (mantissa, exponent) = text.split_once('e').unwrap_or((&text, "0"));
    let mantissa = mantissa.trim_end_matches('0').trim_end_matches('.');
    format!("{mantissa}e{exponent}")
}

fn lr_name(lr: f64) -> String {
    format!("lr-{}", fmt_lr(lr))
}

/// Runs (or resumes) the whole experiment and writes `report.md`, `report.json`, `fig1.png/svg`.
pub fn fig1(options: &Fig1Options) -> Result<Report, TrainError> {
    let mut plan = plan(options)?;
    let base = base(options)?;
    let data = base.dataset.load(base.training.seed)?;
    if options.quick {
        let reduction = format!("training set: a class-balanced subset of at most 1,000 images per class ({} images)", data.train.len());
        plan.reductions.insert(0, reduction);
    }
    for file in &data.files {
        if let Some(warning) = file.warning() {
            eprintln!("warning: {warning}");
        }
    }
    std::fs::create_dir_all(&options.out).map_err(|e| TrainError::io(&options.out, e))?;
    let mut trials = Vec::new();
    let mut results = Vec::new();
    let mut pending = Vec::new();
    let mut machine = None;
    let train_missing = !options.report_only;
    'activations: for activation in &options.activations {
        // 1. Learning-rate search. While the best rate is at an edge of what was tried, the grid
        //    is extended past that edge by its own spacing, up to MAX_EXTENSIONS times.
        let mut grid = plan.lr_grid.clone();
        grid.sort_by(f64::total_cmp);
        let spacing = if grid.len() >= 2 { (grid[grid.len() - 1] / grid[grid.len() - 2]).max(1.5) } else { 2.0 };
        let mut queue: std::collections::VecDeque<f64> = grid.into();
        let mut tried: Vec<f64> = Vec::new();
        let mut extensions = 0;
        let mut best: Option<(f64, f64)> = None;
        loop {
            let lr = match queue.pop_front() {
                Some(lr) => lr,
                None => {
                    let (lo, hi) = tried.iter().fold((f64::INFINITY, 0f64), |(lo, hi), &lr| (lo.min(lr), hi.max(lr)));
                    match best {
                        Some((b, _)) if extensions < MAX_EXTENSIONS && b == hi => hi * spacing,
                        Some((b, _)) if extensions < MAX_EXTENSIONS && b == lo && tried.len() > 1 => lo / spacing,
                        _ => break,
                    }
                }
            };
            if tried.len() >= plan.lr_grid.len() {
                extensions += 1;
            }
            tried.push(lr);
            let folder = options.out.join("search").join(activation.name()).join(lr_name(lr));
            let mut config = base.clone();
            config.model.activation = *activation;
            config.optimizer.lr = lr;
            config.stop.max_epochs = plan.trial_epochs;
            config.stop.target_train_error = None;
            let label = format!("search {activation} lr {}", fmt_lr(lr));
            let Some(summary) = run_one(config, &data, &folder, label, options.progress, train_missing)? else {
                pending.push(format!(
                    "{activation}: learning-rate trial {} not finished{}, so no rate is chosen yet",
                    fmt_lr(lr),
                    progress_note(&folder)
                ));
                continue 'activations;
            };
            let diverged = matches!(summary.stop, Some(StopReason::Diverged { .. }));
            let error = if diverged { None } else { summary.final_train_error };
            if let Some(e) = error
                && best.is_none_or(|(_, b)| e < b)
            {
                best = Some((lr, e));
            }
            trials.push(Trial {
                activation: activation.to_string(),
                lr,
                train_error: error,
                diverged,
                folder: folder.display().to_string(),
                commit: summary.versions.commit.clone(),
            });
        }
        if best.is_none() {
            return Err(TrainError::Other(format!("reproduce: every learning rate diverged for {activation}")));
        }
        let full_run = |lr: f64, seed: u64| {
            let folder = options.out.join("runs").join(activation.name()).join(lr_name(lr)).join(format!("seed-{seed}"));
            let mut config = base.clone();
            config.model.activation = *activation;
            config.optimizer.lr = lr;
            config.training.seed = seed;
            config.stop.max_epochs = plan.max_epochs;
            config.stop.target_train_error = Some(plan.target);
            (folder, config)
        };
        // 2. The best short-trial rates, run from seed 1 to the target: the one that gets there in
        //    the fewest epochs is chosen (ties and no finisher: the better short-trial score). Its
        //    run is also the full run of seed 1.
        let mut ranked: Vec<(f64, f64)> =
            trials.iter().filter(|t| t.activation == activation.to_string()).filter_map(|t| t.train_error.map(|e| (t.lr, e))).collect();
        ranked.sort_by(|a, b| a.1.total_cmp(&b.1));
        let mut finalists = Vec::new();
        let mut finalist_summaries = Vec::new();
        for &(lr, trial_error) in ranked.iter().take(plan.finalists) {
            let (folder, config) = full_run(lr, 1);
            let label = format!("finalist {activation} lr {} seed 1", fmt_lr(lr));
            let Some(summary) = run_one(config, &data, &folder, label, options.progress, train_missing)? else {
                let done: Vec<String> = finalists
                    .iter()
                    .map(|f: &Finalist| {
                        format!(
                            "{} {}",
                            fmt_lr(f.lr),
                            f.run
                                .epochs_to_target
                                .map_or(format!("did not reach the target in {:.2} epochs", f.run.epochs_run), |e| format!(
                                    "reached it in {e:.2} epochs"
                                ))
                        )
                    })
                    .collect();
                let done = if done.is_empty() { String::new() } else { format!(" (finished finalists: {})", done.join("; ")) };
                pending.push(format!(
                    "{activation}: finalist rate {} (seed 1) not finished{}, so no rate is chosen yet{done}",
                    fmt_lr(lr),
                    progress_note(&folder)
                ));
                continue 'activations;
            };
            finalists.push(Finalist { lr, trial_error, run: SeedRun::of(1, &folder, &summary, plan.max_epochs) });
            finalist_summaries.push(summary);
        }
        let chosen_lr = fastest(&finalists).unwrap_or(ranked[0].0);
        // 3. Full runs; seed 1's is the chosen finalist's, already finished.
        let chosen_finalist = finalists.iter().position(|f| f.lr == chosen_lr);
        let mut runs = Vec::new();
        for seed in 1..=plan.seeds as u64 {
            let (folder, config) = full_run(chosen_lr, seed);
            let reused = if seed == 1 { chosen_finalist.map(|i| finalist_summaries[i].clone()) } else { None };
            let summary = match reused {
                Some(summary) => summary,
                None => {
                    let label = format!("{activation} seed {seed}");
                    let Some(summary) = run_one(config, &data, &folder, label, options.progress, train_missing)? else {
                        pending.push(format!(
                            "{activation} seed {seed} (lr {}): not finished{}",
                            fmt_lr(chosen_lr),
                            progress_note(&folder)
                        ));
                        continue;
                    };
                    summary
                }
            };
            machine.get_or_insert_with(|| Machine {
                backend: summary.backend.clone(),
                device: device_name(options.backend),
                threads: summary.threads,
                commit: summary.versions.commit.clone(),
            });
            runs.push(SeedRun::of(seed, &folder, &summary, plan.max_epochs));
        }
        let epochs: Vec<f64> = runs.iter().filter_map(|r| r.epochs_to_target).collect();
        let seconds: Vec<f64> = runs.iter().filter_map(|r| r.seconds_to_target).collect();
        results.push(ActivationResult {
            activation: activation.to_string(),
            chosen_lr,
            finalists,
            not_reached: runs.len() - epochs.len(),
            epochs_to_target: (!epochs.is_empty()).then(|| Estimate::of(&epochs)),
            seconds_to_target: (!seconds.is_empty()).then(|| Estimate::of(&seconds)),
            runs,
        });
    }
    let (mut epoch_ratios, mut time_ratios) = (BTreeMap::new(), BTreeMap::new());
    if let Some(relu) = results.iter().find(|r| r.activation == "relu") {
        let relu_epochs: Vec<f64> = relu.runs.iter().filter_map(|r| r.epochs_to_target).collect();
        let relu_seconds: Vec<f64> = relu.runs.iter().filter_map(|r| r.seconds_to_target).collect();
        for other in results.iter().filter(|r| r.activation != "relu") {
            let epochs: Vec<f64> = other.runs.iter().filter_map(|r| r.epochs_to_target).collect();
            let seconds: Vec<f64> = other.runs.iter().filter_map(|r| r.seconds_to_target).collect();
            if !epochs.is_empty() && !relu_epochs.is_empty() {
                epoch_ratios.insert(other.activation.clone(), bootstrap_ratio(&epochs, &relu_epochs, 10_000, 1));
                time_ratios.insert(other.activation.clone(), bootstrap_ratio(&seconds, &relu_seconds, 10_000, 2));
            }
        }
    }
    let report = Report {
        plan,
        trials,
        results,
        epoch_ratios,
        time_ratios,
        machine: machine.unwrap_or(Machine {
            backend: options.backend.to_string(),
            device: device_name(options.backend),
            threads: 0,
            commit: String::new(),
        }),
        dataset: data.files.iter().map(Into::into).collect(),
        train_images: data.train.len(),
        setting: format!(
            "{} on {} {} training images, batch {}, {} with momentum {}, weight decay {}, augmentation {}",
            base.model.arch,
            data.train.len(),
            base.dataset.name,
            base.training.batch_size,
            format!("{:?}", base.optimizer.kind).to_lowercase(),
            base.optimizer.momentum,
            base.optimizer.weight_decay,
            if base.dataset.augment.is_active() { "on" } else { "off" },
        ),
        dataset_name: base.dataset.name.to_string(),
        pending,
    };
    write_report(&options.out, &report)?;
    Ok(report)
}

/// The processor (or adapter) the runs used.
fn device_name(backend: Backend) -> String {
    let cpu = crate::bench::cpuinfo_field("model name").unwrap_or_else(|| "unknown CPU".into());
    match backend {
        Backend::Wgpu => format!("wgpu default adapter (host CPU: {cpu})"),
        _ => cpu,
    }
}

/// The plotted curve of one activation: the mean and min–max over seeds of the whole-epoch
/// training error at every epoch all seeds completed, then the mean stop point; and each
/// seed's stop point as a marker. (Averaging whatever points each seed had made the line jump
/// where a seed stopped mid-epoch and the others went on.)
/// Points of a curve (epoch, mean, min, max) and its stop markers (epoch, error).
type CurvePoints = (Vec<(f64, f64, f64, f64)>, Vec<(f64, f64)>);

fn curve(result: &ActivationResult) -> Result<CurvePoints, TrainError> {
    let mut per_seed: Vec<Vec<f64>> = Vec::new();
    let mut stops = Vec::new();
    for run in &result.runs {
        let rows: Vec<MetricsRow> = metrics::read(&Path::new(&run.folder).join("metrics.csv"))?;
        let Some(last) = rows.last() else { continue };
        per_seed.push(rows.iter().filter(|r| (r.epoch - r.epoch.round()).abs() < 1e-9 && r.epoch >= 1.0).map(|r| r.train_error).collect());
        stops.push((last.epoch, last.train_error));
    }
    let spread = |v: &[f64]| {
        let mean = v.iter().sum::<f64>() / v.len() as f64;
        (mean, v.iter().copied().fold(f64::INFINITY, f64::min), v.iter().copied().fold(f64::NEG_INFINITY, f64::max))
    };
    let common = per_seed.iter().map(Vec::len).min().unwrap_or(0);
    let mut points: Vec<(f64, f64, f64, f64)> = (0..common)
        .map(|e| {
            let (mean, lo, hi) = spread(&per_seed.iter().map(|seed| seed[e]).collect::<Vec<_>>());
            ((e + 1) as f64, mean, lo, hi)
        })
        .collect();
    if !stops.is_empty() {
        let x = stops.iter().map(|s| s.0).sum::<f64>() / stops.len() as f64;
        let (mean, lo, hi) = spread(&stops.iter().map(|s| s.1).collect::<Vec<_>>());
        if points.last().is_none_or(|p| x > p.0 + 1e-9) {
            points.push((x, mean, lo, hi));
        }
    }
    Ok((points, stops))
}

fn fmt_estimate(e: &Option<Estimate>, digits: usize) -> String {
    match e {
        None => "not reached".into(),
        Some(e) if e.n < 2 => format!("{:.digits$} (n={}; no spread from one run)", e.mean, e.n),
        Some(e) => {
            let ci = e.ci95.map(|(lo, hi)| format!(" [{lo:.digits$}, {hi:.digits$}]")).unwrap_or_default();
            format!("{:.digits$} ± {:.digits$}{ci} (n={})", e.mean, e.std, e.n)
        }
    }
}

fn fmt_ratio(r: Option<&Ratio>) -> String {
    match r {
        None => "–".into(),
        Some(r) => match r.ci95 {
            Some((lo, hi)) => format!("{:.2} [{lo:.2}, {hi:.2}]", r.value),
            None => format!("{:.2} (no interval: fewer than 2 runs)", r.value),
        },
    }
}

fn write_report(out: &Path, report: &Report) -> Result<(), TrainError> {
    let json_path = out.join("report.json");
    std::fs::write(&json_path, serde_json::to_string_pretty(report).unwrap_or_default()).map_err(|e| TrainError::io(&json_path, e))?;

    let mut curves = Vec::new();
    let mut x_max: f64 = 1.0;
    for result in &report.results {
        let (points, stops) = curve(result)?;
        x_max = points.iter().map(|p| p.0).chain(stops.iter().map(|s| s.0)).fold(x_max, f64::max);
        curves.push(Curve { label: result.activation.clone(), dashed: result.activation != "relu", points, stops });
    }
    let figure = Figure {
        title: format!(
            "{} training error (seeds: {}; shaded: min-max; dots: stops)",
            report.dataset_name,
            report.results.iter().map(|r| format!("{} {}", r.activation, r.runs.len())).collect::<Vec<_>>().join(", ")
        ),
        x_max: x_max.ceil(),
        y_max: 0.75f64.max(report.plan.target + 0.1),
        target: Some(report.plan.target),
        curves,
    };
    plot::save(&figure, &out.join("fig1")).map_err(TrainError::Other)?;

    let p = &report.plan;
    let mut md = String::new();
    md.push_str("# AlexNet Figure 1 reproduction\n\n");
    md.push_str(&format!(
        "{}. Each run stops when the running training error of its current epoch first reaches {}; runs that hit the {}-epoch cap are listed as not reached. Curves: the mean over seeds of the training error of each whole epoch that every seed completed, then the mean stop point (mean epochs, mean running error at the stop); shaded: min to max over seeds; dots: each run's stop.\n\n",
        report.setting, p.target, p.max_epochs
    ));
    if !p.reductions.is_empty() {
        md.push_str("**Reduced run.** Differences from the full experiment:\n\n");
        for r in &p.reductions {
            md.push_str(&format!("- {r}\n"));
        }
        md.push('\n');
    }
    md.push_str("## Epochs to target\n\n| activation | chosen lr | epochs to target: mean ± std [95% CI] | seconds to target: mean ± std [95% CI] | not reached | epochs vs relu [95% bootstrap CI] | time vs relu [95% bootstrap CI] |\n|---|---|---|---|---|---|---|\n");
    for r in &report.results {
        md.push_str(&format!(
            "| {} | {} | {} | {} | {} | {} | {} |\n",
            r.activation,
            fmt_lr(r.chosen_lr),
            fmt_estimate(&r.epochs_to_target, 2),
            fmt_estimate(&r.seconds_to_target, 0),
            r.not_reached,
            if r.activation == "relu" { "1".into() } else { fmt_ratio(report.epoch_ratios.get(&r.activation)) },
            if r.activation == "relu" { "1".into() } else { fmt_ratio(report.time_ratios.get(&r.activation)) },
        ));
    }
    md.push_str("\nResolution: a hit is counted at the first logged point at or under the target that covers at least a fifth of its epoch, so epochs to target fall just past a whole epoch (N + ≈0.2) and runs that cross during the same epoch get the same value; a spread or interval narrower than about one epoch reflects that resolution, not certainty.\n");
    if !report.pending.is_empty() {
        md.push_str("\n**Not finished yet** (this report covers what had finished when it was written):\n\n");
        for p in &report.pending {
            md.push_str(&format!("- {p}\n"));
        }
    }
    md.push_str("\n![training error vs epochs](fig1.png)\n\n## Runs\n\n| activation | seed | epochs to target | seconds to target | epochs run | outcome | actlab commit |\n|---|---|---|---|---|---|---|\n");
    for r in &report.results {
        for run in &r.runs {
            md.push_str(&format!(
                "| {} | {} | {} | {} | {:.2} | {} | {} |\n",
                r.activation,
                run.seed,
                run.epochs_to_target.map(|e| format!("{e:.2}")).unwrap_or("–".into()),
                run.seconds_to_target.map(|s| format!("{s:.0}")).unwrap_or("–".into()),
                run.epochs_run,
                run.stop,
                run.commit
            ));
        }
    }
    md.push_str(&format!(
        "\n## Learning-rate search\n\nTrials of {} epoch(s) from seed 1; score = running training error at the end of the trial (lower is better). While the best rate is at an edge of those tried, the grid is extended past it by its own spacing (at most 3 more trials).\n\n| activation | lr | training error | |\n|---|---|---|---|\n",
        p.trial_epochs
    ));
    for t in &report.trials {
        let chosen = report.results.iter().any(|r| r.activation == t.activation && r.chosen_lr == t.lr);
        md.push_str(&format!(
            "| {} | {} | {} | {} |\n",
            t.activation,
            fmt_lr(t.lr),
            t.train_error.map(|e| format!("{e:.4}")).unwrap_or("diverged".into()),
            if chosen { "chosen" } else { "" }
        ));
    }
    if p.finalists > 1 {
        md.push_str(&format!(
            "\n## Learning-rate finalists\n\nThe {} best rates of the trials above, each run from seed 1 to the target; the one that reached it in the fewest epochs is chosen (the paper chose each rate \"to make training as fast as possible\"), and its run is seed 1 of the full runs.\n\n| activation | lr | trial error | epochs to target | seconds to target | | actlab commit |\n|---|---|---|---|---|---|---|\n",
            p.finalists
        ));
        for r in &report.results {
            for f in &r.finalists {
                md.push_str(&format!(
                    "| {} | {} | {:.4} | {} | {} | {} | {} |\n",
                    r.activation,
                    fmt_lr(f.lr),
                    f.trial_error,
                    f.run.epochs_to_target.map_or(format!("not reached in {:.2}", f.run.epochs_run), |e| format!("{e:.2}")),
                    f.run.seconds_to_target.map_or("–".into(), |s| format!("{s:.0}")),
                    if f.lr == r.chosen_lr { "chosen" } else { "" },
                    f.run.commit
                ));
            }
        }
    }
    let m = &report.machine;
    let mut commits: Vec<&str> = report
        .trials
        .iter()
        .map(|t| t.commit.as_str())
        .chain(report.results.iter().flat_map(|r| r.runs.iter().chain(r.finalists.iter().map(|f| &f.run)).map(|run| run.commit.as_str())))
        .filter(|c| !c.is_empty())
        .collect();
    commits.sort_unstable();
    commits.dedup();
    let commits = if commits.len() > 1 {
        format!("{} (the trials and runs were made by different builds; each run's is in the tables above)", commits.join(", "))
    } else {
        m.commit.clone()
    };
    md.push_str(&format!(
        "\n## Machine and data\n\n- backend: {}, device: {}, threads: {}\n- actlab commit: {commits}\n",
        m.backend, m.device, m.threads
    ));
    for f in &report.dataset {
        md.push_str(&format!("- {} md5 {}{}\n", f.file, f.md5, if f.official { " (official)" } else { " (not the official file)" }));
    }
    let md_path = out.join("report.md");
    std::fs::write(&md_path, md).map_err(|e| TrainError::io(&md_path, e))
}

#[cfg(test)]
mod tests {
    use super::{Finalist, SeedRun, fastest};

    fn finalist(lr: f64, trial_error: f64, epochs_to_target: Option<f64>) -> Finalist {
        let run = SeedRun {
            seed: 1,
            folder: String::new(),
            reached: epochs_to_target.is_some(),
            epochs_to_target,
            seconds_to_target: None,
            epochs_run: 80.0,
            stop: String::new(),
            commit: String::new(),
        };
        Finalist { lr, trial_error, run }
    }

    #[test]
    fn the_fastest_finalist_wins_even_with_a_worse_trial_score() {
        let best_score_but_slow = finalist(3e-2, 0.62, Some(69.2));
        let runner_up_but_fast = finalist(1e-2, 0.64, Some(35.0));
        assert_eq!(fastest(&[best_score_but_slow.clone(), runner_up_but_fast.clone()]), Some(1e-2));
        // A finalist that never reached the target cannot win; on a tie the better score does.
        assert_eq!(fastest(&[finalist(3e-2, 0.62, None), runner_up_but_fast.clone()]), Some(1e-2));
        assert_eq!(fastest(&[finalist(3e-2, 0.62, Some(35.0)), runner_up_but_fast]), Some(3e-2));
        assert_eq!(fastest(&[finalist(3e-2, 0.62, None)]), None);
    }

    #[test]
    fn learning_rates_print_short() {
        assert_eq!(super::fmt_lr(0.002), "2e-3");
        assert_eq!(super::fmt_lr(1.0 / 30.0), "3.333e-2");
        assert_eq!(super::fmt_lr(1e30), "1e30");
    }
}
