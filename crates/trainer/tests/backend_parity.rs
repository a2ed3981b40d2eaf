//! One training step of convnet18 gives the same loss and weights on every CPU backend.
//! Like candle's `test_device!`, one body runs per backend; flex is the reference.

use actlab_datasets::synthetic::SyntheticConfig;
use actlab_datasets::{Batcher, Normalization, Normalizer};
use actlab_models::{Activation, Arch, InitScheme, Model, ModelConfig};
use actlab_trainer::Backend;
use actlab_trainer::optimizer::{OptimizerConfig, OptimizerKind};
use burn::module::Module;
use burn::nn::loss::CrossEntropyLossConfig;
use burn::optim::GradientsParams;
use burn::tensor::Device;

/// Loss and all weights (flattened) after one SGD step from the same weights and batch.
fn one_step(device: &Device, activation: Activation) -> (f32, Vec<f32>) {
    let ad = device.clone().autodiff();
    let reference = Device::flex().autodiff();
    reference.seed(3);
    let mut config = ModelConfig::new(Arch::Convnet18, activation);
    config.init = InitScheme::Kaiming;
    // Weights drawn once on flex, then copied to the backend under test.
    let init = Model::new(&config, [3, 32, 32], 10, &reference).expect("model");
    let model = Model::new(&config, [3, 32, 32], 10, &ad).expect("model").load_record(init.into_record());

    let (train, _) = SyntheticConfig { train: 16, test: 2, ..Default::default() }.generate(5);
    let batcher = Batcher::new(Normalizer::fit(Normalization::PerChannel, &train), Default::default());
    let indices: Vec<usize> = (0..16).collect();
    let batch = batcher.batch(&train, &indices, None, &ad);
    let loss = CrossEntropyLossConfig::new().init(&ad).forward(model.forward(batch.images), batch.targets);
    let loss_value = loss.clone().into_scalar::<f32>();
    let grads = GradientsParams::from_grads(loss.backward(), &model);
    let optimizer = OptimizerConfig { kind: OptimizerKind::Sgd, lr: 0.05, momentum: 0.9, beta2: 0.999, weight_decay: 0.0 };
    let model = optimizer.init().step(0.05, model, grads);
    let Model::ConvNet18(net) = model else { panic!("built a convnet18") };
    let mut params = Vec::new();
    for data in [
        net.conv1.weight.val().into_data(),
        net.conv2.weight.val().into_data(),
        net.conv3.weight.val().into_data(),
        net.fc.weight.val().into_data(),
    ] {
        params.extend(data.convert::<f32>().try_to_vec::<f32>().expect("f32"));
    }
    (loss_value, params)
}

fn assert_close(backend: Backend, reference: &(f32, Vec<f32>), other: &(f32, Vec<f32>)) {
    let rel = |a: f32, b: f32| (a - b).abs() / a.abs().max(b.abs()).max(1e-3);
    let worst = reference.1.iter().zip(&other.1).map(|(a, b)| rel(*a, *b)).fold(0f32, f32::max);
    eprintln!("{backend}: loss {} (flex {}), worst weight relative difference {worst:e}", other.0, reference.0);
    assert!(rel(reference.0, other.0) < 1e-4, "{backend}: loss {} vs {}", other.0, reference.0);
    assert!(worst < 1e-4, "{backend}: weights differ by {worst:e} (relative)");
}

macro_rules! parity_test {
    ($name:ident, $backend:expr) => {
        #[test]
        fn $name() {
            let backend: Backend = $backend;
            let device = match backend.probe() {
                Ok(device) => device,
                Err(why) => {
                    eprintln!("SKIPPED {backend}: {why}");
                    return;
                }
            };
            for activation in [Activation::Relu, Activation::Tanh] {
                let reference = one_step(&Device::flex(), activation);
                let other = one_step(&device, activation);
                assert_close(backend, &reference, &other);
            }
        }
    };
}

parity_test!(ndarray_matches_flex, Backend::Ndarray);
parity_test!(wgpu_matches_flex, Backend::Wgpu);
