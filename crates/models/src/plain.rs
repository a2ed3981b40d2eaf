//! A plain stack of equal-width 3×3 convolutions, for depth studies: how deep can a net with
//! a given activation get before it stops learning? Global average pooling, then fc(classes).

use burn::module::Module;
use burn::nn::Linear;
use burn::tensor::{Device, Tensor};

use crate::init::LayerInit;
use crate::layers::Conv2d;
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

    pub fn forward(&self, x: Tensor<4>) -> Tensor<2> {
        let mut x = x;
        for conv in &self.convs {
            x = self.activation.apply(conv.forward(x));
        }
        let [b, c, _, _] = x.dims();
        self.fc.forward(x.mean_dims(&[2, 3]).reshape([b, c]))
    }
}
