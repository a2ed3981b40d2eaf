//! A plain stack of equal-width 3×3 convolutions, for depth studies: how deep can a net with
//! a given activation get before it stops learning? Global average pooling, then fc(classes).

use burn::module::Module;
use burn::nn::Linear;
use burn::tensor::{Device, Tensor};

use crate::init::LayerInit;
use crate::layers::Conv2d;
use crate::probe::{Tap, Weight, weight};
use crate::{InputShape, Nonlinearity};

#[derive(Module, Debug)]
pub struct Plain {
    pub convs: Vec<Conv2d>,
    pub fc: Linear,
    #[module(skip)]
    pub activation: Nonlinearity,
}

impl Plain {
    pub fn new(
        input: InputShape,
        classes: usize,
        depth: usize,
        width: usize,
        activation: Nonlinearity,
        init: &LayerInit,
        device: &Device,
    ) -> Self {
        let convs = (0..depth)
            .map(|layer| {
                let in_channels = if layer == 0 { input[0] } else { width };
                init.conv(layer, [in_channels, width], 3, 1, 1, 1, device)
            })
            .collect();
        let fc = init.linear(depth, width, classes, device);
        Self { convs, fc, activation }
    }

    pub fn forward_with(&self, x: Tensor<4>, tap: &mut impl Tap) -> Tensor<2> {
        let mut x = x;
        for (i, conv) in self.convs.iter().enumerate() {
            x = tap.map(("conv", i + 1), self.activation.apply(conv.forward(x)));
        }
        let [b, c, _, _] = x.dims();
        self.fc.forward(x.mean_dims(&[2, 3]).reshape([b, c]))
    }

    pub fn weights(&self) -> Vec<(String, Weight)> {
        let convs = self.convs.iter().enumerate().map(|(i, c)| weight(("conv", i + 1), Weight::Conv(c.weight.val())));
        convs.chain(std::iter::once(weight(("fc", 1), Weight::Dense(self.fc.weight.val())))).collect()
    }
}
