//! The study's runs, trained epoch by epoch (a run extended one epoch at a time computes what one
//! run would: the loop resumes to identical metrics), with the counters measured on held-out
//! images from the model each epoch leaves and kept beside it as `sparsity-EPOCH.json`.

use actlab_datasets::LoadedDataset;
use actlab_models::Model;
use actlab_models::probe::Hidden;
use actlab_train::UncheckedConfig;
use std::path::PathBuf;
use std::time::Instant;

use crate::ExperimentError;
use crate::sparsity::measure::layer_sparsity;
use crate::sparsity::plan::FIG1_RATES;
use crate::sparsity::records::{EpochSparsity, Plan, SparsityRun};
use crate::toolkit::markdown::fmt_lr;
use crate::toolkit::probe_files::SPARSITY;
use crate::toolkit::runner::{RunSpec, Runner, progress_note};
use crate::toolkit::saved::{eval_batcher, initial_model, saved_model};
use crate::toolkit::tuner::{Tuned, Tuning, tune};

/// The counters of every hidden layer of `model` on the first `images` test images.
pub fn measure(model: &Model, config: &UncheckedConfig, data: &LoadedDataset, images: usize, epoch: usize) -> EpochSparsity {
    let started = Instant::now();
    let set = data.test.as_ref().unwrap_or(&data.train);
    let (batcher, device) = eval_batcher(model, config, data);
    let indices: Vec<usize> = (0..images.min(set.len())).collect();
    let mut outputs: Vec<(String, Vec<f32>, [usize; 3])> = Vec::new();
    for chunk in indices.chunks(250) {
        let (_, hidden) = model.forward_probed(batcher.batch(set, chunk, None, &device).images);
        for (i, (layer, output)) in hidden.into_iter().enumerate() {
            let dims = match &output {
                Hidden::Map(x) => x.dims(),
                Hidden::Vector(x) => [x.dims()[0], x.dims()[1], 1, 1],
            };
            let values = output.flat().into_data().convert::<f32>().try_to_vec::<f32>().unwrap_or_default();
            if outputs.len() <= i {
                outputs.push((layer, Vec::new(), [0, dims[1], dims[2] * dims[3]]));
            }
            outputs[i].1.extend(values);
            outputs[i].2[0] += dims[0];
        }
    }
    let layers = outputs.iter().map(|(layer, values, dims)| layer_sparsity(layer, config.model.activation, values, *dims)).collect();
    EpochSparsity { epoch, seconds: started.elapsed().as_secs_f64(), layers }
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
    fn config(&self, activation: &str, lr: f64, seed: u64) -> Result<UncheckedConfig, ExperimentError> {
        let mut config = self.base.clone();
        config.model.activation = activation
            .parse()
            .map_err(|e: actlab_models::ModelError| ExperimentError::InvalidOption { command: "study sparsity", message: e.to_string() })?;
        (config.optimizer.lr, config.training.seed, config.stop.target_train_error) = (lr, seed, None);
        Ok(config)
    }

    /// The activation's rate: Figure 1's where it chose one, else the tuner's (its runs under
    /// `search/ACTIVATION/lr-RATE/seed-N`, judged by the training error after the study's epochs).
    pub fn rate(&mut self, activation: &str) -> Result<Option<(f64, String, Option<Tuning>)>, ExperimentError> {
        if let Some((_, lr)) = FIG1_RATES.iter().find(|(a, _)| a.to_string() == activation) {
            return Ok(Some((*lr, "Figure 1".into(), None)));
        }
        // The configs differ only in rate, seed and budget: built (and the activation checked) once.
        let base = self.config(activation, 0.0, 1)?;
        let spec = |lr: f64, budget: f64, seed: u64| -> RunSpec {
            let mut config = base.clone();
            (config.optimizer.lr, config.training.seed, config.stop.max_epochs) = (lr, seed, budget);
            let folder = self.out.join("search").join(activation).join(format!("lr-{}", fmt_lr(lr))).join(format!("seed-{seed}"));
            RunSpec { folder, config, label: format!("tuning {activation} lr {} seed {seed}", fmt_lr(lr)) }
        };
        let plan = self.plan.tuning.plan(base.model.activation);
        match tune(&plan, activation, |lr, budget, seed| self.runner.score(spec(lr, budget, seed)))? {
            Tuned::Done(t) => Ok(Some((t.lr, "tuned".into(), Some(*t)))),
            Tuned::Pending(why) => {
                self.pending.push(why);
                Ok(None)
            }
        }
    }

    /// One seed's run, epoch by epoch, measured at init and after each epoch; None while unfinished.
    pub fn seed_run(&mut self, activation: &str, lr: f64, seed: u64) -> Result<Option<SparsityRun>, ExperimentError> {
        let folder = self.out.join("runs").join(activation).join(format!("seed-{seed}"));
        let mut config = self.config(activation, lr, seed)?;
        if SPARSITY.read::<EpochSparsity>(&folder, 0).is_none() && self.runner.writes() {
            std::fs::create_dir_all(&folder).map_err(|e| ExperimentError::io(&folder, e))?;
            SPARSITY.write(&folder, &measure(&initial_model(&config, self.data)?, &config, self.data, self.plan.probe_images, 0))?;
        }
        let mut last = None;
        for epoch in 1..=self.plan.epochs {
            if epoch < self.plan.epochs && SPARSITY.read::<EpochSparsity>(&folder, epoch).is_some() {
                continue;
            }
            config.stop.max_epochs = epoch as f64;
            let label = format!("{activation} seed {seed}");
            let Some(summary) = self.runner.run(RunSpec { folder: folder.clone(), config: config.clone(), label: label.clone() })? else {
                self.pending.push(format!("{label}{}", progress_note(&folder)));
                return Ok(None);
            };
            if SPARSITY.read::<EpochSparsity>(&folder, epoch).is_none() && (summary.epochs - epoch as f64).abs() < 1e-9 {
                let model = saved_model(&config, self.data, &folder)?;
                SPARSITY.write(&folder, &measure(&model, &config, self.data, self.plan.probe_images, epoch))?;
            }
            last = Some(summary);
        }
        let Some(summary) = last else { return Ok(None) };
        let epochs: Option<Vec<EpochSparsity>> = (0..=self.plan.epochs).map(|e| SPARSITY.read::<EpochSparsity>(&folder, e)).collect();
        Ok(epochs.map(|epochs| SparsityRun {
            activation: activation.to_string(),
            seed,
            folder: folder.display().to_string(),
            commit: summary.versions.commit.clone(),
            final_train_error: summary.final_train_error,
            training_seconds: summary.seconds,
            epochs,
        }))
    }
}
