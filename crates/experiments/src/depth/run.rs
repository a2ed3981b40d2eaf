//! One cell: learning-rate trials from seed 1, then every seed at the chosen rate, trained in
//! stages (epoch 1, then on to the budget, or epoch by epoch for the tracked cells) so the probe
//! can measure each stage's model from the run folder.

use actlab_datasets::LoadedDataset;
use actlab_models::{Activation, Arch, InitScheme};
use actlab_train::UncheckedConfig;
use std::path::{Path, PathBuf};

use crate::ExperimentError;
use crate::depth::measure::probe;
use crate::depth::records::{DepthCell, DepthRun, Plan, Probe};
use crate::toolkit::markdown::fmt_lr;
use crate::toolkit::rates::run_trials;
use crate::toolkit::runner::{RunSpec, Runner, diverged, progress_note};
use crate::toolkit::saved::{initial_model, saved_model};
use crate::toolkit::stats::Estimate;
use actlab_train::durable::write_atomic;

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

fn probe_path(folder: &Path, epoch: usize) -> PathBuf {
    folder.join(format!("probe-{epoch}.json"))
}

fn read_probes(folder: &Path) -> Vec<Probe> {
    let mut probes: Vec<Probe> = std::fs::read_dir(folder)
        .into_iter()
        .flatten()
        .flatten()
        .filter(|e| e.file_name().to_string_lossy().starts_with("probe-"))
        .filter_map(|e| serde_json::from_str(&std::fs::read_to_string(e.path()).ok()?).ok())
        .collect();
    probes.sort_by_key(|p| p.epoch);
    probes
}

fn write_probe(folder: &Path, probe: &Probe) -> Result<(), ExperimentError> {
    let path = probe_path(folder, probe.epoch);
    write_atomic(&path, serde_json::to_string_pretty(probe).unwrap_or_default().as_bytes(), "probe")
        .map_err(|e| ExperimentError::io(&path, e))
}

impl Study<'_> {
    /// One seed's run, stage by stage, probing each stage's model; None while unfinished.
    fn seed_run(&mut self, cell: &CellSpec, lr: f64, seed: u64) -> Result<Option<DepthRun>, ExperimentError> {
        let key = cell.key();
        let folder = self.out.join("runs").join(&key).join(format!("lr-{}", fmt_lr(lr))).join(format!("seed-{seed}"));
        let mut config = cell.config(&self.base, self.plan.width);
        (config.optimizer.lr, config.training.seed) = (lr, seed);
        if !probe_path(&folder, 0).exists() && self.runner.writes() {
            std::fs::create_dir_all(&folder).map_err(|e| ExperimentError::io(&folder, e))?;
            write_probe(&folder, &probe(&initial_model(&config, self.data)?, &config, self.data, self.plan.probe_images, 0))?;
        }
        let epochs = self.plan.epochs;
        let stages: Vec<usize> = if cell.tracked { (1..=epochs).collect() } else { vec![1, epochs] };
        let mut last = None;
        for (i, &stage) in stages.iter().enumerate() {
            let final_stage = i + 1 == stages.len();
            if !final_stage && probe_path(&folder, stage).exists() {
                continue;
            }
            config.stop.max_epochs = stage as f64;
            let spec = RunSpec { folder: folder.clone(), config: config.clone(), label: format!("{key} seed {seed}") };
            let Some(summary) = self.runner.run(spec)? else {
                self.pending.push(format!("{key} seed {seed} (lr {}): not finished{}", fmt_lr(lr), progress_note(&folder)));
                return Ok(None);
            };
            if !diverged(&summary) && !probe_path(&folder, stage).exists() && (summary.epochs - stage as f64).abs() < 1e-9 {
                let model = saved_model(&config, self.data, &folder)?;
                write_probe(&folder, &probe(&model, &config, self.data, self.plan.probe_images, stage))?;
            }
            last = Some(summary);
        }
        let Some(summary) = last else { return Ok(None) };
        let diverged = diverged(&summary);
        Ok(Some(DepthRun {
            seed,
            folder: folder.display().to_string(),
            train_error: if diverged { None } else { summary.final_train_error },
            diverged,
            commit: summary.versions.commit.clone(),
            probes: read_probes(&folder),
        }))
    }

    pub fn cell(&mut self, cell: &CellSpec) -> Result<Option<DepthCell>, ExperimentError> {
        let key = cell.key();
        let mut pending = std::mem::take(&mut self.pending);
        let spec = |lr| {
            let mut config = cell.config(&self.base, self.plan.width);
            (config.optimizer.lr, config.stop.max_epochs) = (lr, self.plan.trial_epochs);
            let folder = self.out.join("search").join(&key).join(format!("lr-{}", fmt_lr(lr)));
            RunSpec { folder, config, label: format!("trial {key} lr {}", fmt_lr(lr)) }
        };
        let found = run_trials(&self.runner, &key, &self.plan.lr_grid, spec, &mut pending);
        self.pending = pending;
        let Some((lr, trials)) = found? else { return Ok(None) };
        let mut runs = Vec::new();
        for seed in 1..=self.plan.seeds as u64 {
            runs.extend(self.seed_run(cell, lr, seed)?);
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
        Ok(Some(DepthCell {
            key: cell.key(),
            depth: cell.depth,
            activation: cell.activation.to_string(),
            init: crate::depth::plan::init_name(cell.init).into(),
            trials,
            lr,
            stalled: train_error.as_ref().is_none_or(|e| e.mean >= self.plan.stalled_at),
            first_to_last_at_init: ratio(0),
            first_to_last_after_epoch_1: ratio(1),
            train_error,
            runs,
        }))
    }
}
