//! The per-op profile: forward and backward time of every layer of convnet18.

use actlab_models::convnet18::{AVG_POOL, MAX_POOL};
use actlab_models::{Activation, Model};
use actlab_train::Backend;
use burn::nn::loss::CrossEntropyLossConfig;
use burn::tensor::Device;
use rand::SeedableRng;
use rand::rngs::StdRng;

use crate::bench::flops::LAYER_MACS;
use crate::bench::timing::{fig1_model, random_targets, time_op};
use crate::bench::{BenchOptions, OpTime, StepResult};

/// Forward and backward time of every op of convnet18, in forward order, plus the loss and the
/// optimizer step (from `step`).
pub(super) fn profile_ops(backend: Backend, device: &Device, activation: Activation, step: &StepResult, o: &BenchOptions) -> Vec<OpTime> {
    let ad = device.clone().autodiff();
    ad.seed(1);
    let Model::ConvNet18(net) = fig1_model(activation, &ad) else { unreachable!("the Figure 1 model is convnet18") };
    let b = o.batch;
    let act = net.activation;
    let mut ops = vec![];
    let mut push = |op: &str, (forward_ms, backward_ms): (f64, f64), macs: Option<f64>, passes: f64| {
        let gflops = macs.map(|m| 2.0 * m * b as f64 * passes / ((forward_ms + backward_ms) * 1e-3) / 1e9);
        let (backend, activation, op) = (backend.to_string(), activation.to_string(), op.to_string());
        ops.push(OpTime { backend, activation, op, forward_ms, backward_ms, gflops });
    };
    let macs = |i: usize| Some(LAYER_MACS[i].1);
    push("conv1 (3→32, 32×32)", time_op(&ad, [b, 3, 32, 32], false, o, |x| net.conv1.forward(x)), macs(0), 2.0);
    push("maxpool 3/2 (32×32)", time_op(&ad, [b, 32, 32, 32], true, o, |x| MAX_POOL.forward(x)), None, 0.0);
    push(&format!("{act} (32×16×16)"), time_op(&ad, [b, 32, 16, 16], true, o, |x| act.apply(x)), None, 0.0);
    push("conv2 (32→32, 16×16)", time_op(&ad, [b, 32, 16, 16], true, o, |x| net.conv2.forward(x)), macs(1), 3.0);
    push(&format!("{act} (32×16×16)"), time_op(&ad, [b, 32, 16, 16], true, o, |x| act.apply(x)), None, 0.0);
    push("avgpool 3/2 (16×16)", time_op(&ad, [b, 32, 16, 16], true, o, |x| AVG_POOL.forward(x)), None, 0.0);
    push("conv3 (32→64, 8×8)", time_op(&ad, [b, 32, 8, 8], true, o, |x| net.conv3.forward(x)), macs(2), 3.0);
    push(&format!("{act} (64×8×8)"), time_op(&ad, [b, 64, 8, 8], true, o, |x| act.apply(x)), None, 0.0);
    push("avgpool 3/2 (8×8)", time_op(&ad, [b, 64, 8, 8], true, o, |x| AVG_POOL.forward(x)), None, 0.0);
    push("fc (1024→10)", time_op(&ad, [b, 1024], true, o, |x| net.fc.forward(x)), macs(3), 3.0);
    let loss_fn = CrossEntropyLossConfig::new().init(&ad);
    let mut rng = StdRng::seed_from_u64(3);
    let targets = random_targets(b, &mut rng, &ad);
    push("cross-entropy loss", time_op(&ad, [b, 10], true, o, |x| loss_fn.forward(x, targets.clone()).reshape([1])), None, 0.0);
    push("SGD momentum step", (0.0, step.optimizer_ms), None, 0.0);
    ops
}
