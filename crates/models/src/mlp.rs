//! A fully connected net: flatten → [fc(width) → act]* → fc(classes).

use burn::module::Module;
use burn::nn::Linear;
use burn::tensor::{Device, Tensor};

use crate::init::LayerInit;
use crate::probe::{Tap, Weight, weight};
use crate::{InputShape, Nonlinearity};

#[derive(Module, Debug)]
pub struct Mlp {
    pub hidden: Vec<Linear>,
    pub output: Linear,
    #[module(skip)]
    pub activation: Nonlinearity,
}

impl Mlp {
    pub fn new(input: InputShape, classes: usize, widths: &[usize], activation: Nonlinearity, init: &LayerInit, device: &Device) -> Self {
        let mut d_input = input.iter().product();
        let mut hidden = Vec::with_capacity(widths.len());
        for (layer, &width) in widths.iter().enumerate() {
            hidden.push(init.linear(layer, d_input, width, device));
            d_input = width;
        }
        let output = init.linear(widths.len(), d_input, classes, device);
        Self { hidden, output, activation }
    }

    pub fn forward_with(&self, x: Tensor<4>, tap: &mut impl Tap) -> Tensor<2> {
        let mut x = x.flatten(1, 3);
        for (i, layer) in self.hidden.iter().enumerate() {
            x = tap.vector(("fc", i + 1), self.activation.apply(layer.forward(x)));
        }
        self.output.forward(x)
    }

    pub fn weights(&self) -> Vec<(String, Weight)> {
        let layers = self.hidden.iter().chain(std::iter::once(&self.output));
        layers.enumerate().map(|(i, l)| weight(("fc", i + 1), Weight::Dense(l.weight.val()))).collect()
    }
}
