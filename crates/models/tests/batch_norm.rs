//! `batch_norm = true`: a batch normalisation after each convolution of convnet18 and convnet80sec.

use actlab_models::{Activation, Arch, InitScheme, Model, ModelConfig, parameter_count};
use burn::module::Module;
use burn::tensor::{Device, Distribution, Tensor};

fn config(arch: Arch, batch_norm: bool) -> ModelConfig {
    // Fan-in init: with cuda-convnet's conv1 std of 1e-4 on unit-scale inputs, conv1's batch
    // variance (~1e-7) is below the normalisation's epsilon (1e-5), which then dominates.
    let mut config = ModelConfig::new(arch, Activation::Tanh);
    (config.batch_norm, config.init) = (batch_norm, InitScheme::Kaiming);
    config
}

fn max_abs_diff(a: Tensor<2>, b: Tensor<2>) -> f32 {
    a.sub(b).abs().max().into_scalar::<f32>()
}

#[test]
fn training_mode_batch_norm_makes_the_net_blind_to_the_input_scale() {
    // conv(a·x) = a·(W x) + b, and a batch normalisation of it over the batch is that of W x
    // (up to epsilon): the logits of 100·x equal those of x. Without it they differ.
    let device = Device::flex().autodiff();
    device.seed(3);
    let x = Tensor::<4>::random([16, 3, 32, 32], Distribution::Default, &device);
    for arch in [Arch::Convnet18, Arch::Convnet80sec] {
        for (batch_norm, invariant) in [(true, true), (false, false)] {
            let model = Model::new(&config(arch, batch_norm), [3, 32, 32], 10, &device).expect("valid");
            let diff = max_abs_diff(model.forward(x.clone()), model.forward(x.clone().mul_scalar(100.0)));
            assert_eq!(diff < 1e-3, invariant, "{arch} batch_norm={batch_norm}: logits moved by {diff}");
        }
    }
}

#[test]
fn the_running_statistics_are_learned_saved_and_used_for_inference() {
    let device = Device::flex().autodiff();
    device.seed(5);
    let model = Model::new(&config(Arch::Convnet18, true), [3, 32, 32], 10, &device).expect("valid");
    // gamma, beta, and the running mean and variance of 32 + 32 + 64 channels (the count is
    // Burn's num_params, which visits every float tensor of the module, running state included).
    let without = Model::new(&config(Arch::Convnet18, false), [3, 32, 32], 10, &device).expect("valid");
    let added = parameter_count(&model) - parameter_count(&without);
    assert_eq!(added, 4 * (32 + 32 + 64), "parameters added by batch_norm");
    let x = Tensor::<4>::random([16, 3, 32, 32], Distribution::Normal(2.0, 3.0), &device);
    // Training-mode forwards move the running mean and variance towards the batch's.
    for _ in 0..20 {
        let _ = model.forward(x.clone());
    }
    let dir = tempfile::tempdir().expect("temp dir");
    let path = dir.path().join("model.bpk");
    model.save(&path).expect("saves");
    let fresh = Model::new(&config(Arch::Convnet18, true), [3, 32, 32], 10, &device).expect("valid");
    let loaded = fresh.clone().try_load_file(&path).expect("loads");
    // Inference (no autodiff) uses the running statistics: the loaded model answers like the
    // trained one, and unlike a fresh one whose statistics are still 0 and 1.
    let plain = Device::flex();
    let x = x.to_device(&plain);
    let (trained, loaded, fresh) = (model.valid().forward(x.clone()), loaded.valid().forward(x.clone()), fresh.valid().forward(x));
    assert!(max_abs_diff(trained.clone(), loaded) < 1e-5);
    assert!(max_abs_diff(trained, fresh) > 1e-2);
}

#[test]
fn batch_norm_is_refused_where_the_net_has_none() {
    let err = Model::new(&config(Arch::Mlp, true), [3, 32, 32], 10, &Device::flex()).expect_err("mlp");
    assert!(err.to_string().contains("batch_norm"), "{err}");
}
