//! Looking inside a net as it runs: each hidden layer's output (after its activation) and, after
//! a backward pass, each weight layer's gradient norm. Every net's `forward` is its
//! `forward_with` and a [`NoTap`], whose methods return their input untouched, so the plain
//! training path computes exactly what it did (the same-seed metrics test checks it).

use burn::tensor::{Gradients, Tensor};

/// A layer's name: its kind ("conv", "fc") and its 1-based index among the weight layers.
pub type Layer = (&'static str, usize);

/// Sees each hidden layer's output in forward order and passes it on.
pub trait Tap {
    fn map(&mut self, _layer: Layer, x: Tensor<4>) -> Tensor<4> {
        x
    }
    fn vector(&mut self, _layer: Layer, x: Tensor<2>) -> Tensor<2> {
        x
    }
}

/// The plain forward pass: sees nothing.
pub struct NoTap;

impl Tap for NoTap {}

/// A hidden layer's output: feature maps `[batch, channels, h, w]` or vectors `[batch, units]`.
#[derive(Clone, Debug)]
pub enum Hidden {
    Map(Tensor<4>),
    Vector(Tensor<2>),
}

impl Hidden {
    /// The values, unit by unit: `[batch, channels · h · w]` or `[batch, units]`.
    pub fn flat(&self) -> Tensor<2> {
        match self {
            Self::Map(x) => x.clone().flatten(1, 3),
            Self::Vector(x) => x.clone(),
        }
    }
}

/// Keeps every hidden layer's output.
#[derive(Default)]
pub struct Collect {
    pub layers: Vec<(String, Hidden)>,
}

fn name((kind, index): Layer) -> String {
    format!("{kind}{index}")
}

impl Tap for Collect {
    fn map(&mut self, layer: Layer, x: Tensor<4>) -> Tensor<4> {
        self.layers.push((name(layer), Hidden::Map(x.clone())));
        x
    }
    fn vector(&mut self, layer: Layer, x: Tensor<2>) -> Tensor<2> {
        self.layers.push((name(layer), Hidden::Vector(x.clone())));
        x
    }
}

/// A weight layer's weight tensor.
#[derive(Clone, Debug)]
pub enum Weight {
    Conv(Tensor<4>),
    Dense(Tensor<2>),
}

impl Weight {
    /// The device the weight lives on (the model's).
    pub fn device(&self) -> burn::tensor::Device {
        match self {
            Self::Conv(w) => w.device(),
            Self::Dense(w) => w.device(),
        }
    }

    /// ‖∂loss/∂W‖₂ from `grads` (None when the weight took no part in the loss).
    pub fn gradient_norm(&self, grads: &Gradients) -> Option<f64> {
        let squares = match self {
            Self::Conv(w) => w.grad(grads)?.powi_scalar(2).sum(),
            Self::Dense(w) => w.grad(grads)?.powi_scalar(2).sum(),
        };
        Some((squares.into_scalar::<f32>() as f64).sqrt())
    }
}

/// Collects the names of weight layers in forward order.
pub(crate) fn weight(layer: Layer, w: Weight) -> (String, Weight) {
    (name(layer), w)
}
