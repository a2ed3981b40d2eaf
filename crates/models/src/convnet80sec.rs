//! cuda-convnet's `layers-80sec` net: the `layers-18pct` conv stack with a 64-unit hidden fc layer.

use burn::module::Module;
use burn::nn::{BatchNorm, Linear};
use burn::tensor::{Device, Tensor};

use crate::convnet18::{conv_stack, stack_batch_norms, stack_features, stack_forward, stack_weights};
use crate::init::LayerInit;
use crate::layers::Conv2d;
use crate::norm::ResponseNorm;
use crate::probe::{Tap, Weight, weight};
use crate::{InputShape, Nonlinearity};

/// Gaussian stds of conv1, conv2, conv3, fc64, fc10 in `layers-80sec.cfg`.
pub const CUDA_CONVNET_STDS: [f64; 5] = [1e-4, 1e-2, 1e-2, 1e-1, 1e-1];

#[derive(Module, Debug)]
pub struct ConvNet80Sec {
    pub conv1: Conv2d,
    pub conv2: Conv2d,
    pub conv3: Conv2d,
    pub fc1: Linear,
    pub fc2: Linear,
    /// One per convolution with `batch_norm`, else empty.
    pub bn: Vec<BatchNorm>,
    #[module(skip)]
    pub activation: Nonlinearity,
    #[module(skip)]
    pub norm: Option<ResponseNorm>,
}

impl ConvNet80Sec {
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
        let fc1 = init.linear(3, stack_features(input), 64, device);
        let fc2 = init.linear(4, 64, classes, device);
        Self { conv1, conv2, conv3, fc1, fc2, bn: stack_batch_norms(batch_norm, device), activation, norm }
    }

    pub fn forward_with(&self, x: Tensor<4>, tap: &mut impl Tap) -> Tensor<2> {
        let convs = [&self.conv1, &self.conv2, &self.conv3];
        let x = stack_forward(convs, &self.bn, self.activation, self.norm.as_ref(), x, tap);
        self.fc2.forward(tap.vector(("fc", 1), self.activation.apply(self.fc1.forward(x))))
    }

    pub fn weights(&self) -> Vec<(String, Weight)> {
        let mut weights = stack_weights([&self.conv1, &self.conv2, &self.conv3]);
        weights.push(weight(("fc", 1), Weight::Dense(self.fc1.weight.val())));
        weights.push(weight(("fc", 2), Weight::Dense(self.fc2.weight.val())));
        weights
    }
}
