//! A run's models read back for measuring: the one it started from (rebuilt from its seed, as the
//! training loop builds it) and the one it left in its folder.

use actlab_datasets::{Batcher, LoadedDataset, Normalizer};
use actlab_models::Model;
use actlab_train::{RunFolder, TrainError, UncheckedConfig};
use burn::module::Module;
use burn::tensor::Device;
use std::path::Path;

use crate::ExperimentError;

/// The model a run starts from: built as the training loop builds it, from the same seed.
pub fn initial_model(config: &UncheckedConfig, data: &LoadedDataset) -> Result<Model, ExperimentError> {
    let device = config.training.backend.probe().map_err(TrainError::from)?;
    let train_device = device.clone().autodiff();
    device.seed(config.training.seed);
    train_device.seed(config.training.seed);
    Ok(Model::new(&config.model, data.train.shape, data.train.classes.len(), &train_device).map_err(TrainError::from)?)
}

/// The model a finished stage of a run left in its folder.
pub fn saved_model(config: &UncheckedConfig, data: &LoadedDataset, folder: &Path) -> Result<Model, ExperimentError> {
    let model = initial_model(config, data)?;
    let path = RunFolder::new(folder).model_path();
    Ok(model.try_load_file(&path).map_err(|source| TrainError::Record { path, source })?)
}

/// What measuring `model` on images needs: a batcher normalising as its runs were trained (no
/// augmentation) and the device the model lives on.
pub fn eval_batcher(model: &Model, config: &UncheckedConfig, data: &LoadedDataset) -> (Batcher, Device) {
    let device = model.weights().first().map(|(_, w)| w.device()).unwrap_or_else(Device::flex);
    (Batcher::new(Normalizer::fit(config.dataset.normalize, &data.train), Default::default()), device)
}
