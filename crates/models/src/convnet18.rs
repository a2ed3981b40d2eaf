//! cuda-convnet's `layers-18pct` net: the best-supported candidate for the "four-layer
//! convolutional network" of the AlexNet paper's Figure 1 (three conv layers and one fc layer).

use burn::module::Module;
use burn::nn::{BatchNorm, BatchNormConfig, Linear};
use burn::tensor::{Device, Tensor};

use crate::init::LayerInit;
use crate::layers::{Conv2d, Pool2d};
use crate::norm::ResponseNorm;
use crate::probe::{Tap, Weight, weight};
use crate::{InputShape, Nonlinearity};

/// Gaussian stds of conv1, conv2, conv3, fc in `layers-18pct.cfg`.
pub const CUDA_CONVNET_STDS: [f64; 4] = [1e-4, 1e-2, 1e-2, 1e-2];

/// conv5×5(32) → maxpool3/2 → act → [rnorm] → conv5×5(32) → act → avgpool3/2 → [rnorm] →
/// conv5×5(64) → act → avgpool3/2 → fc(classes). Pools use ceil mode: 32 → 16 → 8 → 4.
/// With `batch_norm`, a batch normalisation follows each convolution.
#[derive(Module, Debug)]
pub struct ConvNet18 {
    pub conv1: Conv2d,
    pub conv2: Conv2d,
    pub conv3: Conv2d,
    pub fc: Linear,
    /// One per convolution with `batch_norm`, else empty (so older model files still load).
    pub bn: Vec<BatchNorm>,
    #[module(skip)]
    pub activation: Nonlinearity,
    #[module(skip)]
    pub norm: Option<ResponseNorm>,
}

/// cuda-convnet's pools: 3×3 windows every 2 pixels, in ceil mode (32 → 16 → 8 → 4).
pub const MAX_POOL: Pool2d = Pool2d::max(3, 2).ceil_mode();
/// Average over the in-image part of each window (ceil mode clips the last ones).
pub const AVG_POOL: Pool2d = Pool2d::avg(3, 2).ceil_mode();

/// The shared conv1..conv3 stack of `layers-18pct` and `layers-80sec`.
pub(crate) fn conv_stack(init: &LayerInit, channels: usize, device: &Device) -> [Conv2d; 3] {
    [
        init.conv(0, [channels, 32], 5, 1, 2, 1, device),
        init.conv(1, [32, 32], 5, 1, 2, 1, device),
        init.conv(2, [32, 64], 5, 1, 2, 1, device),
    ]
}

/// The stack's batch normalisations: one per convolution when `on`, else none.
pub(crate) fn stack_batch_norms(on: bool, device: &Device) -> Vec<BatchNorm> {
    if on { [32, 32, 64].iter().map(|&c| BatchNormConfig::new(c).init(device)).collect() } else { Vec::new() }
}

/// Flattened size after the conv stack.
pub(crate) fn stack_features(input: InputShape) -> usize {
    let side = |s: usize| AVG_POOL.output_side(AVG_POOL.output_side(MAX_POOL.output_side(s)));
    64 * side(input[1]) * side(input[2])
}

pub(crate) fn stack_forward(
    convs: [&Conv2d; 3],
    bn: &[BatchNorm],
    activation: Nonlinearity,
    norm: Option<&ResponseNorm>,
    x: Tensor<4>,
    tap: &mut impl Tap,
) -> Tensor<2> {
    let normed = |x: Tensor<4>| match norm {
        Some(norm) => norm.forward(x),
        None => x,
    };
    let conv = |i: usize, x: Tensor<4>| {
        let y = convs[i].forward(x);
        match bn.get(i) {
            Some(bn) => bn.forward(y),
            None => y,
        }
    };
    let x = tap.map(("conv", 1), activation.apply(MAX_POOL.forward(conv(0, x))));
    let x = normed(x);
    let x = AVG_POOL.forward(tap.map(("conv", 2), activation.apply(conv(1, x))));
    let x = normed(x);
    let x = AVG_POOL.forward(tap.map(("conv", 3), activation.apply(conv(2, x))));
    x.flatten(1, 3)
}

/// The conv stack's weights, in forward order.
pub(crate) fn stack_weights(convs: [&Conv2d; 3]) -> Vec<(String, Weight)> {
    convs.iter().enumerate().map(|(i, c)| weight(("conv", i + 1), Weight::Conv(c.weight.val()))).collect()
}

impl ConvNet18 {
    pub fn new(
        input: InputShape,
        classes: usize,
        activation: Nonlinearity,
        init: &LayerInit,
        norm: Option<ResponseNorm>,
        batch_norm: bool,
        device: &Device,
    ) -> Self {
        let [conv1, conv2, conv3] = conv_stack(init, input[0], device);
        let fc = init.linear(3, stack_features(input), classes, device);
        Self { conv1, conv2, conv3, fc, bn: stack_batch_norms(batch_norm, device), activation, norm }
    }

    pub fn forward_with(&self, x: Tensor<4>, tap: &mut impl Tap) -> Tensor<2> {
        let convs = [&self.conv1, &self.conv2, &self.conv3];
        self.fc.forward(stack_forward(convs, &self.bn, self.activation, self.norm.as_ref(), x, tap))
    }

    pub fn weights(&self) -> Vec<(String, Weight)> {
        let mut weights = stack_weights([&self.conv1, &self.conv2, &self.conv3]);
        weights.push(weight(("fc", 1), Weight::Dense(self.fc.weight.val())));
        weights
    }
}
