//! Timing one training step and one op, to completion of the device's work.

use actlab_datasets::Batch;
use actlab_models::{Activation, Model};
use actlab_train::{Backend, TrainStep};
use burn::module::Module;
use burn::tensor::{Device, Int, Tensor, TensorData};
use rand::rngs::StdRng;
use rand::{RngExt, SeedableRng};
use std::time::Instant;

use crate::bench::flops::{forward_flops_per_image, train_flops_per_image};
use crate::bench::{BenchOptions, StepResult, median};
use crate::fig1::setting;

pub(super) fn ms_since(t: Instant) -> f64 {
    t.elapsed().as_secs_f64() * 1e3
}

pub(super) fn sync(device: &Device) {
    // A failed sync surfaces again at the next read; the timing is what matters here.
    let _ = device.sync();
}

pub(super) fn random_tensor<const D: usize>(shape: [usize; D], rng: &mut StdRng, device: &Device) -> Tensor<D> {
    let len = shape.iter().product();
    let values: Vec<f32> = (0..len).map(|_| rng.random_range(-1.0f32..1.0)).collect();
    Tensor::from_data(TensorData::new(values, shape), device)
}

pub(super) fn random_targets(batch: usize, rng: &mut StdRng, device: &Device) -> Tensor<1, Int> {
    let values: Vec<i64> = (0..batch).map(|_| rng.random_range(0..10i64)).collect();
    Tensor::from_data(TensorData::new(values, [batch]), device)
}

/// The Figure 1 net with `activation`, as configs/fig1.toml builds it.
pub(super) fn fig1_model(activation: Activation, device: &Device) -> Model {
    let config = setting::with_activation(activation);
    Model::new(&config.model, [3, 32, 32], 10, device).expect("the Figure 1 model config is valid (tested)")
}

/// Median milliseconds of each phase and seconds of whole steps, over the timed steps.
struct StepTimes {
    forward: Vec<f64>,
    backward: Vec<f64>,
    optimizer: Vec<f64>,
    total: Vec<f64>,
}

/// Times `o.steps` training steps after `o.warmup`; returns the times and the trained model.
fn time_training(device: &Device, activation: Activation, batch: &Batch, o: &BenchOptions) -> (StepTimes, Model) {
    let setting = setting::with_activation(activation);
    let (lr, mut optimizer) = (setting.optimizer.lr, setting.optimizer.init());
    let mut model = fig1_model(activation, device);
    let step = TrainStep::new(device);
    let mut times = StepTimes { forward: vec![], backward: vec![], optimizer: vec![], total: vec![] };
    for i in 0..o.warmup + o.steps {
        let t0 = Instant::now();
        let forward = step.forward(&model, batch.clone());
        let _loss = forward.loss_value();
        let t1 = Instant::now();
        let grads = forward.gradients(&model);
        sync(device);
        let t2 = Instant::now();
        model = optimizer.step(lr, model, grads);
        sync(device);
        if i >= o.warmup {
            times.forward.push((t1 - t0).as_secs_f64() * 1e3);
            times.backward.push((t2 - t1).as_secs_f64() * 1e3);
            times.optimizer.push(ms_since(t2));
            times.total.push(t0.elapsed().as_secs_f64());
        }
    }
    (times, model)
}

/// Median images/s of forward passes of `model` (without autodiff) on `device`.
fn time_forward(model: &Model, device: &Device, rng: &mut StdRng, o: &BenchOptions) -> f64 {
    let inference = model.valid();
    let xi = random_tensor([o.batch, 3, 32, 32], rng, device);
    let mut forward = vec![];
    for i in 0..o.warmup + o.steps {
        let t = Instant::now();
        let _: i64 = inference.forward(xi.clone()).argmax(1).sum().into_scalar();
        if i >= o.warmup {
            forward.push(t.elapsed().as_secs_f64());
        }
    }
    o.batch as f64 / median(forward)
}

/// Median images/s of full training steps and of forward passes for one backend and activation.
pub fn time_steps(backend: Backend, device: &Device, activation: Activation, o: &BenchOptions) -> StepResult {
    let ad = device.clone().autodiff();
    ad.seed(1);
    let mut rng = StdRng::seed_from_u64(1);
    let batch = Batch { images: random_tensor([o.batch, 3, 32, 32], &mut rng, &ad), targets: random_targets(o.batch, &mut rng, &ad) };
    let (times, model) = time_training(&ad, activation, &batch, o);
    let train_ips = o.batch as f64 / median(times.total);
    let forward_ips = time_forward(&model, device, &mut rng, o);
    StepResult {
        backend: backend.to_string(),
        activation: activation.to_string(),
        train_images_per_sec: train_ips,
        forward_images_per_sec: forward_ips,
        train_gflops: train_ips * train_flops_per_image() / 1e9,
        forward_gflops: forward_ips * forward_flops_per_image() / 1e9,
        forward_ms: median(times.forward),
        backward_ms: median(times.backward),
        optimizer_ms: median(times.optimizer),
    }
}

/// Median forward and backward milliseconds of `op` on a random input of `shape`. The backward
/// is driven by `(y * g).sum()`; the same harness around an identity op is subtracted.
pub(super) fn time_op<const D: usize, const E: usize>(
    device: &Device,
    shape: [usize; D],
    input_grad: bool,
    o: &BenchOptions,
    op: impl Fn(Tensor<D>) -> Tensor<E>,
) -> (f64, f64) {
    let mut rng = StdRng::seed_from_u64(2);
    let mut x = random_tensor(shape, &mut rng, device);
    if input_grad {
        x = x.require_grad();
    }
    let g = random_tensor(op(x.clone()).dims(), &mut rng, device);
    let (mut fwd, mut bwd) = (vec![], vec![]);
    for i in 0..o.warmup + o.steps {
        let t = Instant::now();
        let y = op(x.clone());
        sync(device);
        let f = ms_since(t);
        let t = Instant::now();
        let _grads = (y * g.clone()).sum().backward();
        sync(device);
        if i >= o.warmup {
            fwd.push(f);
            bwd.push(ms_since(t));
        }
    }
    let mut harness = vec![];
    let gy = g.clone().require_grad();
    for i in 0..o.warmup + o.steps {
        let t = Instant::now();
        let _grads = (gy.clone() * g.clone()).sum().backward();
        sync(device);
        if i >= o.warmup {
            harness.push(ms_since(t));
        }
    }
    (median(fwd), (median(bwd) - median(harness)).max(0.0))
}
