//! One activation in one cell: its rate tuned by time to the target (successive halving from seed
//! 1, then every seed for the best rate and its neighbours), every run of the study first stopped
//! after epoch 1 so the probe can measure the model there, and the chosen rate's seed runs read
//! back with their probes.

use actlab_datasets::LoadedDataset;
use actlab_models::Activation;
use actlab_train::{RunFolder, Summary, UncheckedConfig};
use std::path::{Path, PathBuf};

use crate::ExperimentError;
use crate::depth::measure::probe;
use crate::depth::records::Probe;
use crate::speedup::cells::Cell;
use crate::speedup::records::{ActivationResult, Plan, SpeedRun};
use crate::toolkit::markdown::fmt_lr;
use crate::toolkit::probe_files::PROBES;
use crate::toolkit::runner::{RunSpec, Runner, diverged};
use crate::toolkit::saved::{initial_model, saved_model};
use crate::toolkit::stats::Estimate;
use crate::toolkit::tuner::{Measured, Tuned, tune};

pub(super) struct Study<'a> {
    pub out: PathBuf,
    pub plan: &'a Plan,
    pub base: UncheckedConfig,
    pub runner: Runner<'a>,
    pub data: &'a LoadedDataset,
    pub pending: Vec<String>,
}

/// Whether `folder` holds a run of exactly `config` (up to its epoch limit).
fn holds_run_of(folder: &Path, config: &UncheckedConfig) -> bool {
    let Ok(checked) = config.clone().check(&folder.display().to_string()) else { return false };
    matches!(RunFolder::new(folder).existing_summary(&checked), Ok(Some(_)))
}

impl Study<'_> {
    fn config(&self, cell: Cell, activation: Activation, lr: f64, seed: u64, budget: f64) -> UncheckedConfig {
        let mut config = self.base.clone();
        cell.apply(&mut config, activation);
        (config.optimizer.lr, config.training.seed) = (lr, seed);
        (config.stop.max_epochs, config.stop.target_train_error) = (budget, Some(self.plan.target));
        config
    }

    /// The run's folder: in the paper's cell, a `reproduce fig1` run of the same config where the
    /// plan names one (shared, not copied); else the study's own.
    fn folder(&self, cell: Cell, config: &UncheckedConfig) -> (PathBuf, bool) {
        let (activation, lr, seed) = (config.model.activation, config.optimizer.lr, config.training.seed);
        let tail = PathBuf::from(activation.name()).join(format!("lr-{}", fmt_lr(lr))).join(format!("seed-{seed}"));
        if let (Cell::Paper, Some(fig1)) = (cell, &self.plan.fig1) {
            let shared = Path::new(fig1).join("runs").join(&tail);
            if holds_run_of(&shared, config) {
                return (shared, true);
            }
        }
        (self.out.join("runs").join(cell.key()).join(tail), false)
    }

    fn spec(&self, cell: Cell, config: UncheckedConfig) -> RunSpec {
        let (folder, _) = self.folder(cell, &config);
        let label = format!("{} {} lr {} seed {}", cell.key(), config.model.activation, fmt_lr(config.optimizer.lr), config.training.seed);
        RunSpec { folder, config, label }
    }

    /// The probes at init and after epoch 1 of the study's own run of `config`, training it to
    /// epoch 1 first when it has not got there. False while that stage is not finished.
    fn probed(&mut self, cell: Cell, config: &UncheckedConfig) -> Result<bool, ExperimentError> {
        let (folder, shared) = self.folder(cell, config);
        if shared || !self.runner.writes() || PROBES.read::<Probe>(&folder, 1).is_some() {
            return Ok(true);
        }
        if PROBES.read::<Probe>(&folder, 0).is_none() {
            PROBES.write(&folder, &probe(&initial_model(config, self.data)?, config, self.data, self.plan.probe_images, 0))?;
        }
        if RunFolder::new(&folder).read_summary().is_some_and(|s| s.epochs > 1.0 + 1e-9) {
            return Ok(true); // past epoch 1 already (its model there is gone)
        }
        let mut first = config.clone();
        first.stop.max_epochs = 1.0;
        let Some(summary) = self.runner.run(self.spec(cell, first.clone()))? else { return Ok(false) };
        if (summary.epochs - 1.0).abs() < 1e-9 {
            let model = saved_model(&first, self.data, &folder)?;
            PROBES.write(&folder, &probe(&model, &first, self.data, self.plan.probe_images, 1))?;
        }
        Ok(true)
    }

    fn measure(&mut self, cell: Cell, activation: Activation, lr: f64, budget: f64, seed: u64) -> Result<Measured, ExperimentError> {
        let config = self.config(cell, activation, lr, seed, budget);
        if !self.probed(cell, &config)? {
            return Ok(Measured::Pending);
        }
        self.runner.epochs_to_target(self.spec(cell, config))
    }

    /// The activation's result in the cell; None while its tuning or runs are not finished.
    pub fn activation(&mut self, cell: Cell, activation: Activation) -> Result<Option<ActivationResult>, ExperimentError> {
        let mut plan = self.plan.tuning.plan(activation);
        plan.start = cell.start(plan.start);
        let name = format!("{} {activation}", cell.key());
        let tuning = match tune(&plan, &name, |lr, budget, seed| self.measure(cell, activation, lr, budget, seed))? {
            Tuned::Done(t) => *t,
            Tuned::Pending(why) => {
                self.pending.push(why);
                return Ok(None);
            }
        };
        let full = self.plan.max_epochs as f64;
        let (mut runs, mut train_images) = (Vec::new(), 0);
        for seed in 1..=self.plan.seeds as u64 {
            let spec = self.spec(cell, self.config(cell, activation, tuning.lr, seed, full));
            let folder = spec.folder.clone();
            let Some(summary) = self.runner.run(spec)? else {
                self.pending.push(format!("{name}: seed {seed} at the chosen rate not finished"));
                return Ok(None);
            };
            train_images = summary.dataset.train_images;
            runs.push(speed_run(seed, &folder, &summary, full));
        }
        Ok(Some(result(activation, tuning, runs, train_images)))
    }
}

fn speed_run(seed: u64, folder: &Path, summary: &Summary, budget: f64) -> SpeedRun {
    let hit = summary.target_reached.as_ref().filter(|h| h.epoch <= budget + 1e-9);
    SpeedRun {
        seed,
        folder: folder.display().to_string(),
        epochs_to_target: hit.map(|h| h.epoch),
        seconds_to_target: None, // set by `result` from the activation's speed
        clock_seconds_to_target: hit.map(|h| h.seconds),
        images_per_sec: uncontended_speed(folder),
        epochs_run: summary.epochs,
        diverged: diverged(summary),
        commit: summary.versions.commit.clone(),
        probes: [0, 1].iter().filter_map(|&e| PROBES.read(folder, e)).collect(),
    }
}

/// The 90th percentile of the images/s a run's metrics.csv logged. Seconds by the runs' own
/// clocks were not comparable on the shared 2-core machine of the default form: the paper cell's
/// ReLU seed 1 (the tuner's run, stopped and resumed at its rungs, partly beside builds) took
/// 228 s to the target, seeds 2 and 3 26 s, for the same 9.3–9.5 epochs.
fn uncontended_speed(folder: &Path) -> Option<f64> {
    let rows = actlab_train::metrics::read(&folder.join("metrics.csv")).ok()?;
    let mut speeds: Vec<f64> = rows.iter().map(|r| r.images_per_sec).filter(|v| v.is_finite() && *v > 0.0).collect();
    speeds.sort_by(f64::total_cmp);
    speeds.get((speeds.len() * 9 / 10).min(speeds.len().saturating_sub(1))).copied()
}

/// An estimate over the values present (None if there are none).
fn estimate(values: impl Iterator<Item = Option<f64>>) -> Option<Estimate> {
    let values: Vec<f64> = values.flatten().filter(|v| v.is_finite()).collect();
    (!values.is_empty()).then(|| Estimate::of(&values))
}

fn result(activation: Activation, tuning: crate::toolkit::tuner::Tuning, mut runs: Vec<SpeedRun>, train_images: usize) -> ActivationResult {
    let images_per_sec = runs.iter().filter_map(|r| r.images_per_sec).reduce(f64::max);
    for r in &mut runs {
        r.seconds_to_target = r.epochs_to_target.zip(images_per_sec).map(|(e, v)| e * train_images as f64 / v);
    }
    let at = |r: &SpeedRun, epoch: usize| r.probes.iter().find(|p| p.epoch == epoch).cloned();
    let saturated = |epoch| estimate(runs.iter().map(|r| at(r, epoch).and_then(|p| p.layers.first()?.saturated)));
    let gradient = |epoch| estimate(runs.iter().map(|r| at(r, epoch).and_then(|p| p.gradient_norms.first().copied())));
    ActivationResult {
        activation: activation.to_string(),
        lr: tuning.lr,
        epochs: estimate(runs.iter().map(|r| r.epochs_to_target)),
        seconds: estimate(runs.iter().map(|r| r.seconds_to_target)),
        images_per_sec,
        reached: runs.iter().filter(|r| r.epochs_to_target.is_some()).count(),
        conv1_saturated: [saturated(0), saturated(1)],
        conv1_gradient: [gradient(0), gradient(1)],
        tuning,
        runs,
    }
}
