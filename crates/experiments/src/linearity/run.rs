//! One cell: its learning rate tuned (successive halving from seed 1, then every seed for the
//! best rate and its neighbours), then the chosen rate's runs read back.

use actlab_train::metrics::{self, MetricsRow};
use actlab_train::stop::first_hit;
use actlab_train::{RunFolder, Summary, UncheckedConfig};
use std::path::{Path, PathBuf};

use crate::ExperimentError;
use crate::linearity::cells::CellSpec;
use crate::linearity::records::{Cell, CellRun, Plan};
use crate::toolkit::markdown::fmt_lr;
use crate::toolkit::runner::{RunSpec, Runner, diverged, progress_note};
use crate::toolkit::stats::Estimate;
use crate::toolkit::tuner::{Tuned, Tuning, tune};

/// What the cells of one study share.
pub(super) struct Study<'a> {
    pub out: PathBuf,
    pub plan: &'a Plan,
    pub base: UncheckedConfig,
    pub runner: Runner<'a>,
    pub pending: Vec<String>,
}

impl Study<'_> {
    /// The run of `cell` at `lr` from `seed`, trained to `budget` epochs (the tuner's rungs stop
    /// it early; the same folder goes on to the full budget). Evaluated once, at the full budget.
    fn spec(&self, cell: &CellSpec, lr: f64, seed: u64, budget: f64) -> RunSpec {
        let key = cell.key();
        let mut config = cell.config(&self.base);
        config.optimizer.lr = lr;
        config.stop.target_train_error = None;
        config.training.seed = seed;
        config.stop.max_epochs = budget;
        config.training.eval_every = self.plan.epochs;
        let folder = self.out.join("runs").join(&key).join(format!("lr-{}", fmt_lr(lr))).join(format!("seed-{seed}"));
        RunSpec { folder, config, label: format!("{key} lr {} seed {seed}", fmt_lr(lr)) }
    }

    /// The cell's tuning and runs; None while any is unfinished.
    pub fn cell(&mut self, cell: &CellSpec) -> Result<Option<Cell>, ExperimentError> {
        let key = cell.key();
        let plan = self.plan.tuning.plan(cell.activation);
        let tuning = match tune(&plan, &key, |lr, budget, seed| self.runner.score(self.spec(cell, lr, seed, budget)))? {
            Tuned::Done(t) => *t,
            Tuned::Pending(why) => {
                self.pending.push(why);
                return Ok(None);
            }
        };
        let mut runs = Vec::new();
        let mut curves = Vec::new();
        for seed in 1..=self.plan.seeds as u64 {
            let spec = self.spec(cell, tuning.lr, seed, self.plan.epochs as f64);
            let folder = spec.folder.clone();
            let Some(summary) = self.runner.run(spec)? else {
                self.pending.push(format!("{key} seed {seed} (lr {}): not finished{}", fmt_lr(tuning.lr), progress_note(&folder)));
                continue;
            };
            let rows = metrics::read(&RunFolder::new(&folder).metrics_path())?;
            curves.push(whole_epochs(&rows));
            runs.push(cell_run(seed, &folder, &summary, &rows, self.plan.target));
        }
        if runs.len() < self.plan.seeds {
            return Ok(None);
        }
        Ok(Some(summarise(cell, tuning, runs, &curves)))
    }
}

/// The training error at each whole epoch.
fn whole_epochs(rows: &[MetricsRow]) -> Vec<f64> {
    rows.iter().filter(|r| r.epoch >= 1.0 && (r.epoch - r.epoch.round()).abs() < 1e-9).map(|r| r.train_error).collect()
}

fn cell_run(seed: u64, folder: &Path, summary: &Summary, rows: &[MetricsRow], target: f64) -> CellRun {
    let diverged = diverged(summary);
    CellRun {
        seed,
        folder: folder.display().to_string(),
        train_error: if diverged { None } else { summary.final_train_error },
        test_error: summary.final_test_error,
        epochs_to_target: first_hit(rows, target).map(|r| r.epoch),
        diverged,
        commit: summary.versions.commit.clone(),
    }
}

fn estimate(values: Vec<f64>) -> Option<Estimate> {
    (!values.is_empty()).then(|| Estimate::of(&values))
}

fn summarise(cell: &CellSpec, tuning: Tuning, runs: Vec<CellRun>, curves: &[Vec<f64>]) -> Cell {
    let common = curves.iter().map(Vec::len).min().unwrap_or(0);
    let curve = (0..common).map(|e| curves.iter().map(|c| c[e]).sum::<f64>() / curves.len() as f64).collect();
    let reached: Vec<f64> = runs.iter().filter_map(|r| r.epochs_to_target).collect();
    Cell {
        key: cell.key(),
        arch: cell.net.name().into(),
        nonlinearity: cell.nonlinearity(),
        init_gain: cell.init_gain(),
        lr: tuning.lr,
        tuning,
        train_error: estimate(runs.iter().filter_map(|r| r.train_error).collect()),
        test_error: estimate(runs.iter().filter_map(|r| r.test_error).collect()),
        not_reached: runs.len() - reached.len(),
        epochs_to_target: estimate(reached),
        runs,
        curve,
        affine_deviation: None,
    }
}
