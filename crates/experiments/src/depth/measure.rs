//! The probe's measurements on a run's model: each hidden layer's mean output and saturation,
//! and each weight layer's gradient norm, on the first training images. Measured on the side,
//! from the model files the runs write, so training is neither slowed nor changed.

use actlab_datasets::LoadedDataset;
use actlab_models::{Activation, Model};
use actlab_train::UncheckedConfig;
use burn::nn::loss::CrossEntropyLossConfig;
use burn::tensor::{Bool, Tensor};

use crate::depth::records::{LayerStats, Probe};
use crate::toolkit::saved::eval_batcher;

/// Share of `mask`'s entries that are true.
fn share(mask: Tensor<2, Bool>) -> f64 {
    let [rows, cols] = mask.dims();
    mask.int().sum().into_scalar::<i64>() as f64 / (rows * cols).max(1) as f64
}

/// The share of `x` in the activation's saturated or "off" range: sigmoid below 0.01 or above
/// 0.99, |tanh| above 0.99, ReLU exactly 0. None for activations without one.
pub fn saturation(activation: Activation, x: &Tensor<2>) -> Option<f64> {
    match activation {
        Activation::Sigmoid => Some(share(x.clone().lower_elem(0.01)) + share(x.clone().greater_elem(0.99))),
        Activation::Tanh => Some(share(x.clone().abs().greater_elem(0.99))),
        Activation::Relu => Some(share(x.clone().equal_elem(0.0))),
        _ => None,
    }
}

/// The probe of `model` after `epoch` epochs, on the first `images` training images.
pub(crate) fn probe(model: &Model, config: &UncheckedConfig, data: &LoadedDataset, images: usize, epoch: usize) -> Probe {
    let (batcher, device) = eval_batcher(model, config, data);
    let indices: Vec<usize> = (0..images.min(data.train.len())).collect();
    let batch = batcher.batch(&data.train, &indices, None, &device);
    let (logits, hidden) = model.forward_probed(batch.images);
    let loss = CrossEntropyLossConfig::new().init(&device).forward(logits, batch.targets);
    let grads = loss.backward();
    let activation = config.model.activation;
    let layers = hidden
        .iter()
        .map(|(layer, output)| {
            let flat = output.flat();
            LayerStats {
                layer: layer.clone(),
                mean: flat.clone().mean().into_scalar::<f32>() as f64,
                saturated: saturation(activation, &flat),
            }
        })
        .collect();
    let gradient_norms = model.weights().iter().map(|(_, w)| w.gradient_norm(&grads).unwrap_or(f64::NAN)).collect();
    Probe { epoch, layers, gradient_norms }
}

#[cfg(test)]
mod tests {
    use super::*;
    use burn::tensor::{Device, TensorData};

    #[test]
    fn saturation_counts_on_hand_made_tensors() {
        let device = Device::flex();
        let t = |v: Vec<f32>| Tensor::<2>::from_data(TensorData::new(v, [2, 3]), &device);
        let sigmoid = t(vec![0.005, 0.5, 0.995, 0.01, 0.99, 0.2]);
        assert_eq!(saturation(Activation::Sigmoid, &sigmoid), Some(2.0 / 6.0));
        let tanh = t(vec![-0.995, 0.0, 0.999, 0.5, -0.99, 1.0]);
        assert_eq!(saturation(Activation::Tanh, &tanh), Some(3.0 / 6.0));
        let relu = t(vec![0.0, 0.0, 1e-9, 3.0, 0.0, 2.0]);
        assert_eq!(saturation(Activation::Relu, &relu), Some(3.0 / 6.0));
        assert_eq!(saturation(Activation::Gelu, &relu), None);
    }
}
