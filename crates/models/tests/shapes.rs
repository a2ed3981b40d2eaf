//! Forward shapes and parameter counts of every architecture.

use actlab_models::{Activation, Arch, InitScheme, Model, ModelConfig, parameter_count};
use burn::tensor::{Device, Distribution, Tensor};

fn logits_shape(config: &ModelConfig, input: [usize; 3], batch: usize) -> [usize; 2] {
    let device = Device::flex();
    let model = Model::new(config, input, 10, &device).expect("valid config");
    let x = Tensor::<4>::random([batch, input[0], input[1], input[2]], Distribution::Default, &device);
    model.forward(x).dims()
}

#[test]
fn every_arch_maps_images_to_class_scores() {
    for arch in [Arch::Convnet18, Arch::Convnet80sec, Arch::Lenet5, Arch::Mlp, Arch::Plain] {
        for input in [[3, 32, 32], [1, 28, 28]] {
            let config = ModelConfig::new(arch, Activation::Tanh);
            assert_eq!(logits_shape(&config, input, 2), [2, 10], "{arch} on {input:?}");
        }
    }
}

#[test]
fn convnet18_has_the_layers_18pct_parameter_count() {
    let config = ModelConfig::new(Arch::Convnet18, Activation::Relu);
    let model = Model::new(&config, [3, 32, 32], 10, &Device::flex()).expect("valid");
    // conv 5x5 3->32, 32->32, 32->64 with biases, then fc 64*4*4 -> 10.
    let expected = (32 * 3 * 25 + 32) + (32 * 32 * 25 + 32) + (64 * 32 * 25 + 64) + (1024 * 10 + 10);
    assert_eq!(parameter_count(&model), expected);
}

#[test]
fn alexnet_forward_shape_and_sixty_million_parameters() {
    let mut config = ModelConfig::new(Arch::Alexnet, Activation::Relu);
    config.dropout = 0.5;
    let device = Device::flex();
    let model = Model::new(&config, [3, 227, 227], 1000, &device).expect("valid");
    // Two-GPU grouping of conv2, conv4 and conv5 as in the paper.
    let conv = |out: usize, inp: usize, k: usize| out * inp * k * k + out;
    let fc = |i: usize, o: usize| i * o + o;
    let expected = conv(96, 3, 11)
        + conv(256, 48, 5)
        + conv(384, 256, 3)
        + conv(384, 192, 3)
        + conv(256, 192, 3)
        + fc(9216, 4096)
        + fc(4096, 4096)
        + fc(4096, 1000);
    let count = parameter_count(&model);
    assert_eq!(count, expected);
    assert!((60_000_000..62_000_000).contains(&count), "{count}");
    let x = Tensor::<4>::random([1, 3, 227, 227], Distribution::Default, &device);
    assert_eq!(model.forward(x).dims(), [1, 1000]);
}

#[test]
fn bad_configs_are_rejected_naming_the_field() {
    let device = Device::flex();
    let mut config = ModelConfig::new(Arch::Plain, Activation::Relu);
    config.depth = 0;
    let err = Model::new(&config, [3, 32, 32], 10, &device).expect_err("depth 0");
    assert!(err.to_string().contains("depth"), "{err}");
    let mut config = ModelConfig::new(Arch::Convnet18, Activation::Relu);
    config.init_std = vec![-1.0];
    let err = Model::new(&config, [3, 32, 32], 10, &device).expect_err("negative std");
    assert!(err.to_string().contains("init_std"), "{err}");
    let config = ModelConfig::new(Arch::Alexnet, Activation::Relu);
    let err = Model::new(&config, [3, 32, 32], 10, &device).expect_err("wrong input");
    assert!(err.to_string().contains("227"), "{err}");
}

/// |f(2x + 3y) - 2f(x) - 3f(y) + 4f(0)| relative to |f(2x + 3y)|: zero for an affine f.
fn non_affinity(arch: Arch, activation: Activation) -> f32 {
    let device = Device::flex();
    let mut config = ModelConfig::new(arch, activation);
    config.init = InitScheme::Kaiming; // outputs of order 1, so the comparison means something
    let model = Model::new(&config, [3, 16, 16], 10, &device).expect("valid");
    let x = Tensor::<4>::random([1, 3, 16, 16], Distribution::Default, &device);
    let y = Tensor::<4>::random([1, 3, 16, 16], Distribution::Default, &device);
    let zero = Tensor::<4>::zeros([1, 3, 16, 16], &device);
    let lhs = model.forward(x.clone().mul_scalar(2.0) + y.clone().mul_scalar(3.0));
    let rhs = model.forward(x).mul_scalar(2.0) + model.forward(y).mul_scalar(3.0) - model.forward(zero).mul_scalar(4.0);
    let scale: f32 = lhs.clone().abs().max().into_scalar();
    let diff: f32 = (lhs - rhs).abs().max().into_scalar();
    diff / scale
}

#[test]
fn identity_activation_collapses_the_network_to_an_affine_map() {
    // mlp and plain have no max-pooling, so with the identity nothing in them is non-linear.
    for arch in [Arch::Mlp, Arch::Plain] {
        let linear = non_affinity(arch, Activation::Identity);
        assert!(linear < 1e-4, "{arch} with identity: {linear}");
        let curved = non_affinity(arch, Activation::Tanh);
        assert!(curved > 1e-2, "{arch} with tanh: {curved}");
    }
}
