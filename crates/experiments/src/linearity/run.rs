//! One cell: learning-rate trials from seed 1, then every seed at the chosen rate.

use actlab_train::metrics::{self, MetricsRow};
use actlab_train::stop::first_hit;
use actlab_train::{RunFolder, Summary, UncheckedConfig};
use std::path::{Path, PathBuf};

use crate::ExperimentError;
use crate::linearity::cells::CellSpec;
use crate::linearity::records::{Cell, CellRun, Plan};
use crate::toolkit::markdown::fmt_lr;
use crate::toolkit::rates::{Trials, run_trials};
use crate::toolkit::runner::{RunSpec, Runner, diverged, progress_note};
use crate::toolkit::stats::Estimate;

/// What the cells of one study share.
pub(super) struct Study<'a> {
    pub out: PathBuf,
    pub plan: &'a Plan,
    pub base: UncheckedConfig,
    pub runner: Runner<'a>,
    pub pending: Vec<String>,
}

/// A learning-rate trial (seed 1, short, not evaluated) or a run of the budget from a seed.
#[derive(Clone, Copy)]
enum Kind {
    Trial,
    Seed(u64),
}

impl Study<'_> {
    fn spec(&self, cell: &CellSpec, lr: f64, kind: Kind) -> RunSpec {
        let (key, rate) = (cell.key(), format!("lr-{}", fmt_lr(lr)));
        let mut config = cell.config(&self.base);
        config.optimizer.lr = lr;
        config.stop.target_train_error = None;
        let (folder, label) = match kind {
            Kind::Trial => {
                config.stop.max_epochs = self.plan.trial_epochs;
                config.training.eval_every = 0;
                (self.out.join("search").join(&key).join(&rate), format!("trial {key} lr {}", fmt_lr(lr)))
            }
            Kind::Seed(seed) => {
                config.training.seed = seed;
                config.stop.max_epochs = self.plan.epochs as f64;
                // Evaluated once, at the end.
                config.training.eval_every = self.plan.epochs;
                (self.out.join("runs").join(&key).join(&rate).join(format!("seed-{seed}")), format!("{key} seed {seed}"))
            }
        };
        RunSpec { folder, config, label }
    }

    /// The cell's trials and runs; None while any is unfinished.
    pub fn cell(&mut self, cell: &CellSpec) -> Result<Option<Cell>, ExperimentError> {
        let key = cell.key();
        let mut pending = std::mem::take(&mut self.pending);
        let spec = |lr| self.spec(cell, lr, Kind::Trial);
        let found = run_trials(&self.runner, &key, &self.plan.lr_grid, spec, &mut pending);
        self.pending = pending;
        let Some((lr, trials)) = found? else { return Ok(None) };
        let mut runs = Vec::new();
        let mut curves = Vec::new();
        for seed in 1..=self.plan.seeds as u64 {
            let spec = self.spec(cell, lr, Kind::Seed(seed));
            let folder = spec.folder.clone();
            let Some(summary) = self.runner.run(spec)? else {
                self.pending.push(format!("{key} seed {seed} (lr {}): not finished{}", fmt_lr(lr), progress_note(&folder)));
                continue;
            };
            let rows = metrics::read(&RunFolder::new(&folder).metrics_path())?;
            curves.push(whole_epochs(&rows));
            runs.push(cell_run(seed, &folder, &summary, &rows, self.plan.target));
        }
        if runs.len() < self.plan.seeds {
            return Ok(None);
        }
        Ok(Some(summarise(cell, lr, trials, runs, &curves)))
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

fn summarise(cell: &CellSpec, lr: f64, trials: Trials, runs: Vec<CellRun>, curves: &[Vec<f64>]) -> Cell {
    let common = curves.iter().map(Vec::len).min().unwrap_or(0);
    let curve = (0..common).map(|e| curves.iter().map(|c| c[e]).sum::<f64>() / curves.len() as f64).collect();
    let reached: Vec<f64> = runs.iter().filter_map(|r| r.epochs_to_target).collect();
    Cell {
        key: cell.key(),
        arch: cell.net.name().into(),
        nonlinearity: cell.nonlinearity(),
        init_gain: cell.init_gain(),
        trials,
        lr,
        train_error: estimate(runs.iter().filter_map(|r| r.train_error).collect()),
        test_error: estimate(runs.iter().filter_map(|r| r.test_error).collect()),
        not_reached: runs.len() - reached.len(),
        epochs_to_target: estimate(reached),
        runs,
        curve,
        affine_deviation: None,
    }
}
