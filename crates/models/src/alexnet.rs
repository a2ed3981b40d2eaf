//! The ImageNet network of Krizhevsky, Sutskever & Hinton (2012): 3×227×227 input, five conv
//! layers and three fc layers, cross-channel LRN after conv1 and conv2, overlapping 3/2 max-pools
//! and dropout 0.5 on the first two fc layers. conv2, conv4 and conv5 keep the paper's two-GPU
//! split as two groups, which gives its "60 million parameters".

use burn::module::Module;
use burn::nn::{Dropout, DropoutConfig, Linear};
use burn::tensor::{Device, Tensor};

use crate::init::LayerInit;
use crate::layers::{Conv2d, Pool2d};
use crate::norm::CrossChannelNorm;
use crate::probe::{Tap, Weight, weight};
use crate::{InputShape, Nonlinearity};

/// The input the layer sizes are built for.
pub const INPUT: InputShape = [3, 227, 227];

#[derive(Module, Debug)]
pub struct AlexNet {
    pub conv1: Conv2d,
    pub conv2: Conv2d,
    pub conv3: Conv2d,
    pub conv4: Conv2d,
    pub conv5: Conv2d,
    pub fc6: Linear,
    pub fc7: Linear,
    pub fc8: Linear,
    pub dropout: Dropout,
    #[module(skip)]
    pub activation: Nonlinearity,
    #[module(skip)]
    pub norm: CrossChannelNorm,
}

/// The paper's overlapping pooling: 3×3 windows every 2 pixels.
const OVERLAPPING_POOL: Pool2d = Pool2d::max(3, 2);

impl AlexNet {
    pub fn new(classes: usize, activation: Nonlinearity, dropout: f64, init: &LayerInit, device: &Device) -> Self {
        Self {
            conv1: init.conv(0, [3, 96], 11, 4, 0, 1, device),
            conv2: init.conv(1, [96, 256], 5, 1, 2, 2, device),
            conv3: init.conv(2, [256, 384], 3, 1, 1, 1, device),
            conv4: init.conv(3, [384, 384], 3, 1, 1, 2, device),
            conv5: init.conv(4, [384, 256], 3, 1, 1, 2, device),
            fc6: init.linear(5, 256 * 6 * 6, 4096, device),
            fc7: init.linear(6, 4096, 4096, device),
            fc8: init.linear(7, 4096, classes, device),
            dropout: DropoutConfig::new(dropout).init(),
            activation,
            norm: CrossChannelNorm::alexnet(),
        }
    }

    pub fn forward_with(&self, x: Tensor<4>, tap: &mut impl Tap) -> Tensor<2> {
        let act = self.activation;
        let x = OVERLAPPING_POOL.forward(self.norm.forward(tap.map(("conv", 1), act.apply(self.conv1.forward(x)))));
        let x = OVERLAPPING_POOL.forward(self.norm.forward(tap.map(("conv", 2), act.apply(self.conv2.forward(x)))));
        let x = tap.map(("conv", 3), act.apply(self.conv3.forward(x)));
        let x = tap.map(("conv", 4), act.apply(self.conv4.forward(x)));
        let x = OVERLAPPING_POOL.forward(tap.map(("conv", 5), act.apply(self.conv5.forward(x)))).flatten(1, 3);
        let x = self.dropout.forward(tap.vector(("fc", 6), act.apply(self.fc6.forward(x))));
        let x = self.dropout.forward(tap.vector(("fc", 7), act.apply(self.fc7.forward(x))));
        self.fc8.forward(x)
    }

    pub fn weights(&self) -> Vec<(String, Weight)> {
        let convs = [&self.conv1, &self.conv2, &self.conv3, &self.conv4, &self.conv5];
        let convs = convs.into_iter().enumerate().map(|(i, c)| weight(("conv", i + 1), Weight::Conv(c.weight.val())));
        let fcs =
            [&self.fc6, &self.fc7, &self.fc8].into_iter().enumerate().map(|(i, l)| weight(("fc", i + 6), Weight::Dense(l.weight.val())));
        convs.chain(fcs).collect()
    }
}
