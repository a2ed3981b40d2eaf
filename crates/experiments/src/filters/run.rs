//! The study's runs (each activation from each seed, at its own rate) and their measurements,
//! made from the run folders' model files and the initial model rebuilt from the seed.

use actlab_datasets::LoadedDataset;
use actlab_models::Model;
use actlab_models::probe::Weight;
use actlab_train::{Summary, UncheckedConfig};
use std::path::{Path, PathBuf};

use crate::ExperimentError;
use crate::filters::measure::{low_frequency_share, relative_change};
use crate::filters::records::{FilterRun, Plan};
use crate::toolkit::runner::{RunSpec, Runner, progress_note};
use crate::toolkit::saved::{initial_model, saved_model};
use crate::toolkit::stats::mean;

/// A model's first-layer filters: the values, and `[filters, channels, k, k]`.
pub struct Filters {
    pub values: Vec<f32>,
    pub dims: [usize; 4],
}

impl Filters {
    pub fn of(model: &Model) -> Result<Self, ExperimentError> {
        match model.weights().into_iter().next() {
            Some((_, Weight::Conv(w))) => {
                let dims = w.dims();
                let values = w.into_data().convert::<f32>().try_to_vec::<f32>().unwrap_or_default();
                Ok(Self { values, dims })
            }
            _ => Err(ExperimentError::InvalidOption {
                command: "study filters",
                message: "the net's first layer is not a convolution".into(),
            }),
        }
    }

    fn low_frequency(&self) -> f64 {
        let [n, _, k, _] = self.dims;
        mean(&self.values.chunks(self.values.len() / n.max(1)).map(|f| low_frequency_share(f, k)).collect::<Vec<_>>())
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
    pub fn config(&self, activation: &str, lr: f64, seed: u64) -> Result<UncheckedConfig, ExperimentError> {
        let mut config = self.base.clone();
        config.model.activation = activation
            .parse()
            .map_err(|e: actlab_models::ModelError| ExperimentError::InvalidOption { command: "study filters", message: e.to_string() })?;
        config.optimizer.lr = lr;
        config.training.seed = seed;
        config.stop.max_epochs = self.plan.epochs as f64;
        config.stop.target_train_error = None;
        Ok(config)
    }

    pub fn folder(&self, activation: &str, seed: u64) -> PathBuf {
        self.out.join("runs").join(activation).join(format!("seed-{seed}"))
    }

    /// Every run, trained or read back, with its measurements; unfinished runs are listed as pending.
    pub fn run_all(&mut self) -> Result<Vec<FilterRun>, ExperimentError> {
        let mut runs = Vec::new();
        for (activation, &lr) in self.plan.activations.iter().zip(&self.plan.rates) {
            for seed in 1..=self.plan.seeds as u64 {
                let (config, folder) = (self.config(activation, lr, seed)?, self.folder(activation, seed));
                let label = format!("{activation} seed {seed}");
                let spec = RunSpec { folder: folder.clone(), config: config.clone(), label: label.clone() };
                match self.runner.run(spec)? {
                    Some(summary) => runs.push(self.measure(&config, &folder, &summary)?),
                    None => self.pending.push(format!("{label}{}", progress_note(&folder))),
                }
            }
        }
        Ok(runs)
    }

    fn measure(&self, config: &UncheckedConfig, folder: &Path, summary: &Summary) -> Result<FilterRun, ExperimentError> {
        let init = Filters::of(&initial_model(config, self.data)?)?;
        let trained = Filters::of(&saved_model(config, self.data, folder)?)?;
        Ok(FilterRun {
            activation: config.model.activation.to_string(),
            seed: config.training.seed,
            folder: folder.display().to_string(),
            commit: summary.versions.commit.clone(),
            final_train_error: summary.final_train_error,
            relative_change: mean(&relative_change(&init.values, &trained.values, init.dims[0])),
            low_frequency_init: init.low_frequency(),
            low_frequency_trained: trained.low_frequency(),
        })
    }
}
