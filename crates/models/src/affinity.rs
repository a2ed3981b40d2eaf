//! Is a network one affine map? A net f is affine when f(a·x + b·y) = a·f(x) + b·f(y) +
//! (1 − a − b)·f(0) for all inputs and weights a, b. This measures how far it is from that on
//! given inputs: the largest deviation relative to the largest output, about 1e-7 to 1e-6 in f32
//! for a net without a non-linearity, and of order 1 for a ReLU net.

use burn::tensor::Tensor;

use crate::Model;

/// Weights (a, b) tried: a + b ≠ 1, so the f(0) term (the biases) is tested too.
pub const PAIRS: [(f32, f32); 3] = [(0.7, 0.6), (-0.5, 1.2), (2.0, -0.4)];

/// max |f(a·x + b·y) − a·f(x) − b·f(y) − (1 − a − b)·f(0)| / max(|f(x)|, |f(y)|, |f(0)|) over
/// [`PAIRS`] and every logit, for batches `x` and `y` of the same shape.
pub fn affine_deviation(model: &Model, x: Tensor<4>, y: Tensor<4>) -> f64 {
    let (fx, fy, f0) = (model.forward(x.clone()), model.forward(y.clone()), model.forward(x.zeros_like()));
    let largest = |t: &Tensor<2>| t.clone().abs().max().into_scalar::<f32>() as f64;
    let scale = largest(&fx).max(largest(&fy)).max(largest(&f0)).max(f64::MIN_POSITIVE);
    let deviation = |(a, b): (f32, f32)| {
        let mixed = model.forward(x.clone().mul_scalar(a) + y.clone().mul_scalar(b));
        let combined = fx.clone().mul_scalar(a) + fy.clone().mul_scalar(b) + f0.clone().mul_scalar(1.0 - a - b);
        largest(&(mixed - combined)) / scale
    };
    PAIRS.into_iter().map(deviation).fold(0.0, f64::max)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{Activation, Arch, InitScheme, ModelConfig};
    use burn::tensor::{Device, Distribution};

    fn deviation(arch: Arch, activation: Activation) -> f64 {
        let mut config = ModelConfig::new(arch, activation);
        config.init = InitScheme::Xavier;
        config.depth = 4;
        config.width = 8;
        let device = Device::flex();
        let model = Model::new(&config, [3, 16, 16], 10, &device).expect("valid config");
        let x = Tensor::<4>::random([4, 3, 16, 16], Distribution::Normal(0.0, 1.0), &device);
        let y = Tensor::<4>::random([4, 3, 16, 16], Distribution::Normal(0.0, 1.0), &device);
        affine_deviation(&model, x, y)
    }

    #[test]
    fn nets_without_a_nonlinearity_are_affine_and_relu_nets_are_not() {
        for arch in [Arch::Mlp, Arch::Plain] {
            let linear = deviation(arch, Activation::Identity);
            assert!(linear < 1e-4, "{arch} with identity: {linear:e}");
            let relu = deviation(arch, Activation::Relu);
            assert!(relu > 1e-2, "{arch} with relu: {relu:e}");
        }
        // convnet18's first pool is a max pool: not affine even without an activation.
        let max_pool = deviation(Arch::Convnet18, Activation::Identity);
        assert!(max_pool > 1e-2, "convnet18 with identity: {max_pool:e}");
    }
}
