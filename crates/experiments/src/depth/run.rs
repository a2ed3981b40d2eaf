//! One cell: its learning rate tuned (successive halving from seed 1, then every seed for the
//! best rate and its neighbours), every run trained in stages (stopping at epoch 1, at the
//! tuner's rungs and at the budget, or epoch by epoch for the tracked cells) so the probe can
//! measure each stage's model from the run folder.

use actlab_datasets::LoadedDataset;
use actlab_models::{Activation, Arch, InitScheme};
use actlab_train::UncheckedConfig;
use std::path::{Path, PathBuf};

use crate::ExperimentError;
use crate::depth::measure::probe;
use crate::depth::records::{DepthCell, DepthRun, Plan};
use crate::toolkit::markdown::fmt_lr;
use crate::toolkit::probe_files::PROBES;
use crate::toolkit::runner::{RunSpec, Runner, diverged, progress_note};
use crate::toolkit::saved::{initial_model, saved_model};
use crate::toolkit::stats::Estimate;
use crate::toolkit::tuner::{Measured, Score, Tuned, tune};

/// A cell of the grid.
#[derive(Clone, Debug, PartialEq)]
pub struct CellSpec {
    pub depth: usize,
    pub activation: Activation,
    pub init: InitScheme,
    /// Probed after every epoch (the deepest saturating nets), not only at 0, 1 and the end.
    pub tracked: bool,
}

impl CellSpec {
    pub fn key(&self) -> String {
        format!("d{}-{}-{}", self.depth, self.activation, crate::depth::plan::init_name(self.init))
    }

    fn config(&self, base: &UncheckedConfig, width: usize) -> UncheckedConfig {
        let mut config = base.clone();
        (config.model.arch, config.model.hidden) = (Arch::Mlp, vec![width; self.depth]);
        (config.model.activation, config.model.init) = (self.activation, self.init);
        config
    }
}

pub(super) struct Study<'a> {
    pub out: PathBuf,
    pub plan: &'a Plan,
    pub base: UncheckedConfig,
    pub runner: Runner<'a>,
    pub data: &'a LoadedDataset,
    pub pending: Vec<String>,
}

impl Study<'_> {
    fn folder(&self, cell: &CellSpec, lr: f64, seed: u64) -> PathBuf {
        self.out.join("runs").join(cell.key()).join(format!("lr-{}", fmt_lr(lr))).join(format!("seed-{seed}"))
    }

    /// The epochs after which a run's model is probed (besides 0): 1 and the budget, or every
    /// epoch for the tracked cells.
    fn probe_stages(&self, cell: &CellSpec) -> Vec<usize> {
        let epochs = self.plan.epochs;
        if cell.tracked { (1..=epochs).collect() } else { vec![1, epochs] }
    }

    /// Trains one run to `budget` epochs in stages (stopping at every probe epoch below it and
    /// probing the saved model there), and says what the tuner reads at `budget`.
    fn run_to(&mut self, cell: &CellSpec, lr: f64, seed: u64, budget: f64) -> Result<Measured, ExperimentError> {
        let key = cell.key();
        let folder = self.folder(cell, lr, seed);
        let mut config = cell.config(&self.base, self.plan.width);
        (config.optimizer.lr, config.training.seed) = (lr, seed);
        if !PROBES.path(&folder, 0).exists() && self.runner.writes() {
            PROBES.write(&folder, &probe(&initial_model(&config, self.data)?, &config, self.data, self.plan.probe_images, 0))?;
        }
        let probes = self.probe_stages(cell);
        let mut stages: Vec<f64> = probes.iter().map(|&e| e as f64).filter(|&e| e < budget).collect();
        stages.push(budget);
        let mut measured = Measured::Pending;
        for stage in stages {
            let probed = (stage.fract() == 0.0 && probes.contains(&(stage as usize))).then_some(stage as usize);
            if stage < budget && probed.is_some_and(|e| PROBES.path(&folder, e).exists()) {
                continue;
            }
            config.stop.max_epochs = stage;
            let spec = RunSpec { folder: folder.clone(), config: config.clone(), label: format!("{key} lr {} seed {seed}", fmt_lr(lr)) };
            measured = self.runner.score(spec)?;
            let Measured::Done(score) = measured else { return Ok(Measured::Pending) };
            if let Some(epoch) = probed
                && score != Score::Diverged
                && !PROBES.path(&folder, epoch).exists()
                && self.runner.writes()
                && stopped_at(&folder, stage)
            {
                let model = saved_model(&config, self.data, &folder)?;
                PROBES.write(&folder, &probe(&model, &config, self.data, self.plan.probe_images, epoch))?;
            }
        }
        Ok(measured)
    }

    /// The chosen rate's run from `seed`, finished at the full budget, with its probes.
    fn depth_run(&self, cell: &CellSpec, lr: f64, seed: u64) -> Result<Option<DepthRun>, ExperimentError> {
        let folder = self.folder(cell, lr, seed);
        let mut config = cell.config(&self.base, self.plan.width);
        (config.optimizer.lr, config.training.seed, config.stop.max_epochs) = (lr, seed, self.plan.epochs as f64);
        let spec = RunSpec { folder: folder.clone(), config, label: format!("{} seed {seed}", cell.key()) };
        let Some(summary) = self.runner.run(spec)? else { return Ok(None) };
        let diverged = diverged(&summary);
        Ok(Some(DepthRun {
            seed,
            folder: folder.display().to_string(),
            train_error: if diverged { None } else { summary.final_train_error },
            diverged,
            commit: summary.versions.commit.clone(),
            probes: PROBES.read_all(&folder),
        }))
    }

    pub fn cell(&mut self, cell: &CellSpec) -> Result<Option<DepthCell>, ExperimentError> {
        let key = cell.key();
        let plan = self.plan.tuning.plan(cell.activation);
        let tuning = match tune(&plan, &key, |lr, budget, seed| self.run_to(cell, lr, seed, budget))? {
            Tuned::Done(t) => *t,
            Tuned::Pending(why) => {
                self.pending.push(why);
                return Ok(None);
            }
        };
        let mut runs = Vec::new();
        for seed in 1..=self.plan.seeds as u64 {
            match self.depth_run(cell, tuning.lr, seed)? {
                Some(run) => runs.push(run),
                None => self.pending.push(format!(
                    "{key} seed {seed} (lr {}): not finished{}",
                    fmt_lr(tuning.lr),
                    progress_note(&self.folder(cell, tuning.lr, seed))
                )),
            }
        }
        if runs.len() < self.plan.seeds {
            return Ok(None);
        }
        let errors: Vec<f64> = runs.iter().filter_map(|r| r.train_error).collect();
        let ratio = |epoch: usize| -> Option<Estimate> {
            let v: Vec<f64> = runs.iter().filter_map(|r| r.probes.iter().find(|p| p.epoch == epoch)?.first_to_last()).collect();
            (!v.is_empty()).then(|| Estimate::of(&v))
        };
        let train_error = (!errors.is_empty()).then(|| Estimate::of(&errors));
        let stalled_at = self.plan.stalled_at;
        let stalled_across_basin = tuning.basin().iter().all(|t| t.and_then(|t| t.seed_mean()).is_none_or(|m| m >= stalled_at));
        Ok(Some(DepthCell {
            key: cell.key(),
            depth: cell.depth,
            activation: cell.activation.to_string(),
            init: crate::depth::plan::init_name(cell.init).into(),
            lr: tuning.lr,
            tuning,
            stalled: train_error.as_ref().is_none_or(|e| e.mean >= stalled_at),
            stalled_across_basin,
            first_to_last_at_init: ratio(0),
            first_to_last_after_epoch_1: ratio(1),
            train_error,
            runs,
        }))
    }
}

/// Whether the run in `folder` has stopped exactly at `epochs` (its saved model is that epoch's).
fn stopped_at(folder: &Path, epochs: f64) -> bool {
    actlab_train::RunFolder::new(folder).read_summary().is_some_and(|s| (s.epochs - epochs).abs() < 1e-9)
}
