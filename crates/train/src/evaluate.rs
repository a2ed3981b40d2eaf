//! Misclassification counts and the test-set error.

use actlab_datasets::{Batcher, ImageSet};
use actlab_models::Model;
use burn::module::Module;
use burn::tensor::{Device, Int, Tensor};

/// How many rows of `logits` do not pick their target class.
pub fn count_wrong(logits: Tensor<2>, targets: Tensor<1, Int>) -> i64 {
    let [n, _] = logits.dims();
    let predicted = logits.argmax(1).reshape([n]);
    predicted.not_equal(targets).int().sum().into_scalar::<i64>()
}

/// Misclassification rate of `model` on `set`.
pub fn evaluate(model: &Model, set: &ImageSet, batcher: &Batcher, batch_size: usize, device: &Device) -> f64 {
    let model = model.valid();
    let mut wrong = 0i64;
    let indices: Vec<usize> = (0..set.len()).collect();
    for chunk in indices.chunks(batch_size) {
        let batch = batcher.batch(set, chunk, None, device);
        wrong += count_wrong(model.forward(batch.images), batch.targets);
    }
    wrong as f64 / set.len().max(1) as f64
}
