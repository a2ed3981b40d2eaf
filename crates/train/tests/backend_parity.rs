//! One training step of convnet18 gives the same loss and weights on every CPU backend.
//! Like candle's `test_device!`, one body runs per backend; flex is the reference.

use actlab_datasets::synthetic::SyntheticConfig;
use actlab_datasets::{Batcher, Normalization, Normalizer};
use actlab_models::{Activation, Arch, InitScheme, Model, ModelConfig};
use actlab_train::optimizer::{OptimizerConfig, OptimizerKind};
use actlab_train::step::Stepped;
use actlab_train::{Backend, TrainStep};
use burn::module::Module;
use burn::store::ModuleRecord;
use burn::tensor::Device;

fn config(activation: Activation) -> ModelConfig {
    let mut config = ModelConfig::new(Arch::Convnet18, activation);
    config.init = InitScheme::Kaiming;
    config
}

/// Initial weights, drawn once on flex. Each backend starts from a copy: the random generator is
/// shared by the test threads, so drawing per backend would not give the same weights.
fn initial_weights(activation: Activation) -> ModuleRecord {
    let reference = Device::flex().autodiff();
    Model::new(&config(activation), [3, 32, 32], 10, &reference).expect("model").into_record()
}

/// Loss and all weights (flattened) after one SGD step from the same weights and batch.
fn one_step(device: &Device, activation: Activation, init: &ModuleRecord) -> (f32, Vec<Vec<f32>>) {
    let ad = device.clone().autodiff();
    let model = Model::new(&config(activation), [3, 32, 32], 10, &ad).expect("model").load_record(init.clone());

    let (train, _) = SyntheticConfig { train: 16, test: 2, ..Default::default() }.generate(5);
    let batcher = Batcher::new(Normalizer::fit(Normalization::PerChannel, &train), Default::default());
    let indices: Vec<usize> = (0..16).collect();
    let batch = batcher.batch(&train, &indices, None, &ad);
    let optimizer = OptimizerConfig { kind: OptimizerKind::Sgd, lr: 0.05, momentum: 0.9, beta2: 0.999, weight_decay: 0.0 };
    let Stepped::Updated(model, outcome) = TrainStep::new(&ad).run(model, &mut optimizer.init(), 0.05, batch) else {
        panic!("one step from fresh weights diverged")
    };
    let loss_value = outcome.loss as f32;
    let Model::ConvNet18(net) = model else { panic!("built a convnet18") };
    let mut params = Vec::new();
    for data in [
        net.conv1.weight.val().into_data(),
        net.conv2.weight.val().into_data(),
        net.conv3.weight.val().into_data(),
        net.fc.weight.val().into_data(),
    ] {
        params.push(data.convert::<f32>().try_to_vec::<f32>().expect("f32"));
    }
    (loss_value, params)
}

const LAYERS: [&str; 4] = ["conv1", "conv2", "conv3", "fc"];

/// Agreement is measured per tensor, relative to its largest entry (max|a − b| / max|a|), so
/// entries near zero do not turn float rounding into a large elementwise ratio.
fn assert_close(backend: Backend, reference: &(f32, Vec<Vec<f32>>), other: &(f32, Vec<Vec<f32>>), tolerance: f32) {
    let loss_rel = (reference.0 - other.0).abs() / reference.0.abs();
    assert!(loss_rel < 1e-4, "{backend}: loss {} vs flex {}", other.0, reference.0);
    for (layer, (r, o)) in LAYERS.iter().zip(reference.1.iter().zip(&other.1)) {
        let scale = r.iter().fold(0f32, |m, v| m.max(v.abs()));
        let diff = r.iter().zip(o).fold(0f32, |m, (a, b)| m.max((a - b).abs()));
        let rel = diff / scale;
        eprintln!("{backend} {layer}: max |difference| {diff:e}, relative to max |weight| {scale:e}: {rel:e}");
        assert!(rel < tolerance, "{backend} {layer}: weights differ by {rel:e} (relative), over {tolerance:e}");
    }
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
                let init = initial_weights(activation);
                let reference = one_step(&Device::flex(), activation, &init);
                let other = one_step(&device, activation, &init);
                assert_close(backend, &reference, &other, 1e-4);
            }
        }
    };
}

parity_test!(ndarray_matches_flex, Backend::Ndarray);
parity_test!(wgpu_matches_flex, Backend::Wgpu);
