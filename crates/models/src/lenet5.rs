//! LeNet-5 (LeCun et al. 1998) in its common modern form: conv5×5(6, pad 2) → act → avgpool2 →
//! conv5×5(16) → act → avgpool2 → fc120 → act → fc84 → act → fc(classes).

use burn::module::Module;
use burn::nn::Linear;
use burn::tensor::{Device, Tensor};

use crate::init::LayerInit;
use crate::layers::{Conv2d, Pool2d};
use crate::probe::{Tap, Weight, weight};
use crate::{InputShape, Nonlinearity};

#[derive(Module, Debug)]
pub struct LeNet5 {
    pub conv1: Conv2d,
    pub conv2: Conv2d,
    pub fc1: Linear,
    pub fc2: Linear,
    pub fc3: Linear,
    #[module(skip)]
    pub activation: Nonlinearity,
}

const POOL: Pool2d = Pool2d::avg(2, 2);

impl LeNet5 {
    pub fn new(input: InputShape, classes: usize, activation: Nonlinearity, init: &LayerInit, device: &Device) -> Self {
        let side = |s: usize| (s / 2).saturating_sub(4) / 2;
        let features = 16 * side(input[1]) * side(input[2]);
        Self {
            conv1: init.conv(0, [input[0], 6], 5, 1, 2, 1, device),
            conv2: init.conv(1, [6, 16], 5, 1, 0, 1, device),
            fc1: init.linear(2, features, 120, device),
            fc2: init.linear(3, 120, 84, device),
            fc3: init.linear(4, 84, classes, device),
            activation,
        }
    }

    pub fn forward_with(&self, x: Tensor<4>, tap: &mut impl Tap) -> Tensor<2> {
        let act = self.activation;
        let x = POOL.forward(tap.map(("conv", 1), act.apply(self.conv1.forward(x))));
        let x = POOL.forward(tap.map(("conv", 2), act.apply(self.conv2.forward(x)))).flatten(1, 3);
        let x = tap.vector(("fc", 1), act.apply(self.fc1.forward(x)));
        let x = tap.vector(("fc", 2), act.apply(self.fc2.forward(x)));
        self.fc3.forward(x)
    }

    pub fn weights(&self) -> Vec<(String, Weight)> {
        let convs = [&self.conv1, &self.conv2].into_iter().enumerate().map(|(i, c)| weight(("conv", i + 1), Weight::Conv(c.weight.val())));
        let fcs =
            [&self.fc1, &self.fc2, &self.fc3].into_iter().enumerate().map(|(i, l)| weight(("fc", i + 1), Weight::Dense(l.weight.val())));
        convs.chain(fcs).collect()
    }
}
