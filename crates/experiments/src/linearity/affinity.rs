//! Part A's direct check: how far each trained net is from one affine map, on real images.

use actlab_datasets::{Batcher, LoadedDataset, Normalizer};
use actlab_models::Model;
use actlab_models::affinity::affine_deviation;
use actlab_train::{RunFolder, TrainError, UncheckedConfig};
use burn::module::Module;
use burn::tensor::Device;

use crate::ExperimentError;
use crate::linearity::records::Cell;

/// Images in each of the two batches x and y.
const IMAGES: usize = 16;

/// The deviation of `cell`'s seed-1 net (its final model.bpk) on the first 2 × 16 training images.
pub(super) fn measure(cell: &Cell, config: &UncheckedConfig, data: &LoadedDataset) -> Result<f64, ExperimentError> {
    let device = Device::flex();
    let train = &data.train;
    let model = Model::new(&config.model, train.shape, train.classes.len(), &device).map_err(TrainError::from)?;
    let path = RunFolder::new(&cell.runs[0].folder).model_path();
    let model = model.try_load_file(&path).map_err(|source| TrainError::Record { path, source })?;
    let batcher = Batcher::new(Normalizer::fit(config.dataset.normalize, train), Default::default());
    let n = train.len().min(2 * IMAGES) / 2;
    let x = batcher.batch(train, &(0..n).collect::<Vec<_>>(), None, &device).images;
    let y = batcher.batch(train, &(n..2 * n).collect::<Vec<_>>(), None, &device).images;
    Ok(affine_deviation(&model, x, y))
}
