//! The sparsity counters, on one hidden layer's outputs for a batch of held-out images
//! (`[images, channels, positions]`, row-major; a dense layer has one position per unit).

use actlab_models::Activation;
use serde::{Deserialize, Serialize};

/// The width of the band around an activation's "off" value counted as near-off.
pub const BAND: f32 = 0.01;

/// Whether `a` lies within the band of `activation`'s off value: sigmoid's is 0 from above
/// (a < 0.01), every other activation's is 0 (|a| < 0.01).
pub fn near_off(activation: Activation, a: f32) -> bool {
    match activation {
        Activation::Sigmoid => a < BAND,
        _ => a.abs() < BAND,
    }
}

/// One layer's counters.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct LayerSparsity {
    pub layer: String,
    /// Share of outputs exactly 0.
    pub exact_zero: f64,
    /// Share of outputs within the band of the activation's off value.
    pub near_off: f64,
    /// Channels (units of a dense layer) exactly 0 for every image and position.
    pub dead: usize,
    pub channels: usize,
    /// Mean over images of the share of the layer's outputs that are not near-off: the length of
    /// each image's code, as a share of the layer.
    pub active_per_image: f64,
    /// Spread of that share over images (standard deviation).
    pub active_per_image_std: f64,
    /// Histogram of the outputs: `bins + 1` edges and `bins` counts.
    pub edges: Vec<f64>,
    pub counts: Vec<u64>,
}

/// Bins of the histograms.
pub const BINS: usize = 40;

/// Counts `values` (`images × channels × positions`).
pub fn layer_sparsity(layer: &str, activation: Activation, values: &[f32], dims: [usize; 3]) -> LayerSparsity {
    let [images, channels, positions] = dims;
    let total = values.len().max(1) as f64;
    let exact_zero = values.iter().filter(|&&v| v == 0.0).count() as f64 / total;
    let near = values.iter().filter(|&&v| near_off(activation, v)).count() as f64 / total;
    let dead = (0..channels)
        .filter(|&c| (0..images).all(|i| values[(i * channels + c) * positions..][..positions].iter().all(|&v| v == 0.0)))
        .count();
    let per_image: Vec<f64> = values
        .chunks(channels * positions)
        .map(|image| image.iter().filter(|&&v| !near_off(activation, v)).count() as f64 / (channels * positions).max(1) as f64)
        .collect();
    let mean = per_image.iter().sum::<f64>() / per_image.len().max(1) as f64;
    let var = per_image.iter().map(|a| (a - mean).powi(2)).sum::<f64>() / per_image.len().saturating_sub(1).max(1) as f64;
    let (edges, counts) = histogram(values);
    LayerSparsity {
        layer: layer.to_string(),
        exact_zero,
        near_off: near,
        dead,
        channels,
        active_per_image: mean,
        active_per_image_std: var.sqrt(),
        edges,
        counts,
    }
}

/// `BINS` equal bins from the smallest value to the largest.
fn histogram(values: &[f32]) -> (Vec<f64>, Vec<u64>) {
    let (lo, hi) = values.iter().fold((f32::MAX, f32::MIN), |(lo, hi), &v| (lo.min(v), hi.max(v)));
    let (lo, hi) = if values.is_empty() { (0.0, 1.0) } else { (f64::from(lo), f64::from(hi).max(f64::from(lo) + 1e-6)) };
    let width = (hi - lo) / BINS as f64;
    let mut counts = vec![0u64; BINS];
    for &v in values {
        let bin = ((f64::from(v) - lo) / width) as usize;
        counts[bin.min(BINS - 1)] += 1;
    }
    ((0..=BINS).map(|i| lo + i as f64 * width).collect(), counts)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn counters_on_a_hand_made_layer() {
        // 2 images × 3 channels × 2 positions. Channel 1 is zero everywhere (dead); channel 2 is
        // zero for image 0 only; 0.005 is near-off but not exactly zero.
        let values = [
            1.0, 0.005, 0.0, 0.0, 0.0, 0.0, // image 0: channel 0 = [1, 0.005], channel 1 = [0, 0], channel 2 = [0, 0]
            2.0, 3.0, 0.0, 0.0, 0.5, 0.0, // image 1
        ];
        let s = layer_sparsity("conv1", Activation::Relu, &values, [2, 3, 2]);
        assert_eq!(s.exact_zero, 7.0 / 12.0);
        assert_eq!(s.near_off, 8.0 / 12.0);
        assert_eq!((s.dead, s.channels), (1, 3));
        // Image 0 has one active output of 6, image 1 three.
        assert!((s.active_per_image - (1.0 / 6.0 + 3.0 / 6.0) / 2.0).abs() < 1e-12);
        assert_eq!(s.counts.iter().sum::<u64>(), 12);
        assert_eq!(s.edges.len(), BINS + 1);
    }

    #[test]
    fn the_off_band_depends_on_the_activation() {
        assert!(near_off(Activation::Sigmoid, 0.009) && !near_off(Activation::Sigmoid, 0.5));
        assert!(near_off(Activation::Tanh, -0.009) && !near_off(Activation::Tanh, -0.02));
        let tanh = layer_sparsity("fc", Activation::Tanh, &[-0.001, 0.5, 0.0, -0.9], [1, 4, 1]);
        assert_eq!((tanh.exact_zero, tanh.near_off, tanh.dead), (0.25, 0.5, 1));
    }
}
