//! The probe: a probed forward pass computes what the plain one does, and the per-layer
//! gradient norms it reads agree with finite differences on a tiny net.

use actlab_models::probe::Hidden;
use actlab_models::{Activation, Arch, InitScheme, Model, ModelConfig};
use burn::module::Module;
use burn::nn::loss::CrossEntropyLossConfig;
use burn::tensor::{Device, Distribution, Int, Tensor, TensorData};

#[test]
fn a_probed_forward_gives_the_plain_outputs_and_every_hidden_layer() {
    let device = Device::flex();
    // (arch, hidden layers it reports: convnet18 3 conv, convnet80sec + fc1, lenet5 2 + 2, mlp 2, plain 8)
    for (arch, hidden) in [(Arch::Convnet18, 3), (Arch::Convnet80sec, 4), (Arch::Lenet5, 4), (Arch::Mlp, 2), (Arch::Plain, 8)] {
        let model = Model::new(&ModelConfig::new(arch, Activation::Relu), [3, 32, 32], 10, &device).expect("valid");
        let x = Tensor::<4>::random([2, 3, 32, 32], Distribution::Normal(0.0, 1.0), &device);
        let plain = model.forward(x.clone()).into_data();
        let (probed, layers) = model.forward_probed(x);
        assert_eq!(probed.into_data(), plain, "{arch}: the probe changed the output");
        assert_eq!(layers.len(), hidden, "{arch}: {:?}", layers.iter().map(|l| &l.0).collect::<Vec<_>>());
        // ReLU outputs are never negative, and every layer has one row per image.
        for (name, output) in &layers {
            let flat = output.flat();
            assert_eq!(flat.dims()[0], 2, "{arch} {name}");
            assert!(flat.min().into_scalar::<f32>() >= 0.0, "{arch} {name}");
        }
        assert!(matches!(layers[0].1, Hidden::Map(_) | Hidden::Vector(_)));
        assert_eq!(model.weights().len(), hidden + 1, "{arch}: one weight layer per hidden layer, and the output layer");
    }
}

fn loss(model: &Model, x: &Tensor<4>, y: &Tensor<1, Int>, device: &Device) -> Tensor<1> {
    CrossEntropyLossConfig::new().init(device).forward(model.forward(x.clone()), y.clone())
}

#[test]
fn gradient_norms_match_finite_differences_on_a_tiny_net() {
    let device = Device::flex().autodiff();
    let mut config = ModelConfig::new(Arch::Mlp, Activation::Tanh);
    (config.hidden, config.init) = (vec![5], InitScheme::Xavier);
    let model = Model::new(&config, [1, 8, 8], 3, &device).expect("valid");
    let x = Tensor::<4>::random([4, 1, 8, 8], Distribution::Normal(0.0, 1.0), &device);
    let y = Tensor::<1, Int>::from_data(TensorData::new(vec![0i64, 1, 2, 1], [4]), &device);
    let grads = loss(&model, &x, &y, &device).backward();
    let norms: Vec<f64> = model.weights().iter().map(|(_, w)| w.gradient_norm(&grads).expect("a gradient")).collect();

    // Central differences, weight by weight, in f64 from f32 losses.
    let inner = Device::flex();
    let (base, x, y) = (model.valid(), x.inner(), y.inner());
    let Model::Mlp(net) = &base else { panic!("an mlp") };
    let layers = [net.hidden[0].weight.val(), net.output.weight.val()];
    for (layer, weight) in layers.iter().enumerate() {
        let [rows, cols] = weight.dims();
        let eps = 1e-2f32;
        let mut squares = 0f64;
        for i in 0..rows * cols {
            let mut bump = vec![0f32; rows * cols];
            bump[i] = eps;
            let bump = Tensor::<2>::from_data(TensorData::new(bump, [rows, cols]), &inner);
            let shifted = |sign: f32| {
                let mut m = base.clone();
                let Model::Mlp(net) = &mut m else { unreachable!() };
                let target = if layer == 0 { &mut net.hidden[0].weight } else { &mut net.output.weight };
                *target = target.clone().map(|w| w + bump.clone().mul_scalar(sign));
                loss(&m, &x, &y, &inner).into_scalar::<f32>() as f64
            };
            let d = (shifted(1.0) - shifted(-1.0)) / (2.0 * eps as f64);
            squares += d * d;
        }
        let finite = squares.sqrt();
        let relative = (finite - norms[layer]).abs() / finite;
        assert!(relative < 1e-2, "layer {layer}: autodiff {} vs finite differences {finite} ({relative:e})", norms[layer]);
    }
}
