//! `actlab bench`: how fast one training step of convnet18 (the Figure 1 net) runs on each
//! backend, where the time goes, and how that compares with PyTorch on the same machine.
//!
//! Every figure is a median over timed steps after warm-up; each step ends with a device sync,
//! so asynchronous backends (wgpu) are timed to completion.

use actlab_datasets::{DatasetConfig, DatasetName};
use actlab_models::convnet18::{avg_pool_3s2, max_pool_3s2};
use actlab_models::flex_ops;
use actlab_models::{Activation, Arch, Model, ModelConfig};
use burn::module::Module;
use burn::nn::loss::CrossEntropyLossConfig;
use burn::optim::{GradientsParams, ModuleOptimizer};
use burn::tensor::{Device, Int, Tensor, TensorData};
use rand::rngs::StdRng;
use rand::{RngExt, SeedableRng};
use serde::{Deserialize, Serialize};
use std::path::PathBuf;
use std::process::Command;
use std::time::Instant;

use crate::Backend;
use crate::optimizer::{OptimizerConfig, OptimizerKind};

/// The PyTorch side of the comparison, embedded so `actlab bench` works from any folder.
pub const PYTORCH_REFERENCE: &str = include_str!("../../../bench/pytorch_reference.py");

/// Multiply-accumulates per image of convnet18's weight layers (forward): conv1..conv3, fc.
pub const LAYER_MACS: [(&str, f64); 4] = [
    ("conv1", (32 * 32 * 32 * 3 * 25) as f64),
    ("conv2", (16 * 16 * 32 * 32 * 25) as f64),
    ("conv3", (8 * 8 * 64 * 32 * 25) as f64),
    ("fc", (1024 * 10) as f64),
];

/// Floating-point operations of one training image: the forward pass, the weight gradients and
/// the input gradients (none for conv1, whose input needs no gradient), 2 FLOPs per MAC.
pub fn train_flops_per_image() -> f64 {
    let macs: f64 = LAYER_MACS.iter().map(|(_, m)| m).sum();
    2.0 * (3.0 * macs - LAYER_MACS[0].1)
}

pub fn forward_flops_per_image() -> f64 {
    2.0 * LAYER_MACS.iter().map(|(_, m)| m).sum::<f64>()
}

#[derive(Clone, Debug)]
pub struct BenchOptions {
    pub backends: Vec<Backend>,
    pub activations: Vec<Activation>,
    pub batch: usize,
    pub steps: usize,
    pub warmup: usize,
    /// Per-op profile (forward and backward of every layer) on these backends.
    pub profile: Vec<Backend>,
    /// CIFAR-10 folder to time loading; skipped when absent.
    pub data: Option<PathBuf>,
    /// Python interpreter for the PyTorch reference; `None` skips it.
    pub python: Option<String>,
    /// Also time flex with actlab's fast ops turned off (plain Burn ops): the before/after.
    pub compare_plain: bool,
    /// Alternating flex / PyTorch rounds after the main run: on a shared or throttling machine,
    /// one run of each can differ by more than the gap between them.
    pub rounds: usize,
}

#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct Machine {
    pub cpu: String,
    pub threads: usize,
    /// Single-precision FMA peak, when the CPU's vector width and clock can be read.
    pub peak_gflops: Option<f64>,
    pub peak_basis: String,
}

#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct StepResult {
    pub backend: String,
    pub activation: String,
    pub train_images_per_sec: f64,
    pub forward_images_per_sec: f64,
    pub train_gflops: f64,
    pub forward_gflops: f64,
    /// Median milliseconds of one step's phases: forward + loss value, backward, optimizer.
    pub forward_ms: f64,
    pub backward_ms: f64,
    pub optimizer_ms: f64,
}

#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct OpTime {
    pub backend: String,
    pub activation: String,
    pub op: String,
    pub forward_ms: f64,
    pub backward_ms: f64,
    /// For weight layers: (forward + backward FLOPs) / time.
    pub gflops: Option<f64>,
}

#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct PytorchRun {
    pub activation: String,
    pub train_images_per_sec: f64,
    pub forward_images_per_sec: f64,
    #[serde(default)]
    pub ops: Vec<serde_json::Value>,
}

#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct PytorchResult {
    pub torch: String,
    pub threads: usize,
    pub runs: Vec<PytorchRun>,
}

#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct BenchReport {
    pub machine: Machine,
    pub batch: usize,
    pub steps: usize,
    pub train_mflops_per_image: f64,
    pub steps_results: Vec<StepResult>,
    pub unavailable: Vec<String>,
    pub ops: Vec<OpTime>,
    pub cifar10_load_s: Option<f64>,
    pub pytorch: Option<PytorchResult>,
    /// Why PyTorch was not measured, when it was not.
    pub pytorch_missing: Option<String>,
    #[serde(default)]
    pub head_to_head: Vec<HeadToHead>,
}

/// Training images/s of actlab flex and PyTorch measured alternately, round after round.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct HeadToHead {
    pub activation: String,
    pub flex_images_per_sec: Vec<f64>,
    pub pytorch_images_per_sec: Vec<f64>,
    /// flex / PyTorch, per round.
    pub ratios: Vec<f64>,
    pub median_ratio: f64,
}

/// The value of the first `name: value` line of /proc/cpuinfo, if there is one.
pub fn cpuinfo_field(name: &str) -> Option<String> {
    let cpuinfo = std::fs::read_to_string("/proc/cpuinfo").ok()?;
    cpuinfo.lines().find(|l| l.starts_with(name)).and_then(|l| l.split_once(':')).map(|(_, v)| v.trim().to_string())
}

/// The CPU's name, thread count and FMA peak (vector lanes × 2 FMA units × 2 FLOPs × clock).
pub fn machine() -> Machine {
    let threads = std::thread::available_parallelism().map(|n| n.get()).unwrap_or(1);
    let field = cpuinfo_field;
    let cpu = field("model name").unwrap_or_else(|| std::env::consts::ARCH.to_string());
    let flags = field("flags").unwrap_or_default();
    let has = |f: &str| flags.split_whitespace().any(|x| x == f);
    let lanes = if has("avx512f") {
        Some(16.0)
    } else if has("avx2") && has("fma") {
        Some(8.0)
    } else {
        None
    };
    let mhz = field("cpu MHz").and_then(|v| v.parse::<f64>().ok());
    match (lanes, mhz) {
        (Some(lanes), Some(mhz)) => Machine {
            cpu,
            threads,
            peak_gflops: Some(threads as f64 * lanes * 2.0 * 2.0 * mhz / 1000.0),
            peak_basis: format!("{threads} threads × {lanes} f32 lanes × 2 FMA units × 2 FLOPs × {mhz:.0} MHz (/proc/cpuinfo)"),
        },
        _ => Machine { cpu, threads, peak_gflops: None, peak_basis: "vector width or clock unknown".into() },
    }
}

fn median(mut xs: Vec<f64>) -> f64 {
    xs.sort_by(f64::total_cmp);
    let n = xs.len();
    if n == 0 {
        return f64::NAN;
    }
    if n % 2 == 1 { xs[n / 2] } else { (xs[n / 2 - 1] + xs[n / 2]) / 2.0 }
}

fn ms_since(t: Instant) -> f64 {
    t.elapsed().as_secs_f64() * 1e3
}

fn sync(device: &Device) {
    // A failed sync surfaces again at the next read; the timing is what matters here.
    let _ = device.sync();
}

fn random_tensor<const D: usize>(shape: [usize; D], rng: &mut StdRng, device: &Device) -> Tensor<D> {
    let len = shape.iter().product();
    let values: Vec<f32> = (0..len).map(|_| rng.random_range(-1.0f32..1.0)).collect();
    Tensor::from_data(TensorData::new(values, shape), device)
}

fn random_targets(batch: usize, rng: &mut StdRng, device: &Device) -> Tensor<1, Int> {
    let values: Vec<i64> = (0..batch).map(|_| rng.random_range(0..10i64)).collect();
    Tensor::from_data(TensorData::new(values, [batch]), device)
}

fn fig1_model(activation: Activation, device: &Device) -> Model {
    // cuda-convnet init and no response norm, as configs/fig1-*.toml.
    let config = ModelConfig::new(Arch::Convnet18, activation);
    Model::new(&config, [3, 32, 32], 10, device).expect("the built-in convnet18 config is valid")
}

fn fig1_optimizer() -> ModuleOptimizer {
    OptimizerConfig { kind: OptimizerKind::Sgd, lr: 1e-3, momentum: 0.9, beta2: 0.999, weight_decay: 0.0 }.init()
}

/// Median images/s of full training steps and of forward passes for one backend and activation.
pub fn time_steps(backend: Backend, device: &Device, activation: Activation, o: &BenchOptions) -> StepResult {
    let ad = device.clone().autodiff();
    ad.seed(1);
    let mut rng = StdRng::seed_from_u64(1);
    let mut model = fig1_model(activation, &ad);
    let mut optimizer = fig1_optimizer();
    let loss_fn = CrossEntropyLossConfig::new().init(&ad);
    let x = random_tensor([o.batch, 3, 32, 32], &mut rng, &ad);
    let y = random_targets(o.batch, &mut rng, &ad);

    let (mut fwd, mut bwd, mut opt, mut total) = (vec![], vec![], vec![], vec![]);
    for i in 0..o.warmup + o.steps {
        let t0 = Instant::now();
        let loss = loss_fn.forward(model.forward(x.clone()), y.clone());
        let _loss: f32 = loss.clone().into_scalar();
        let t1 = Instant::now();
        let grads = GradientsParams::from_grads(loss.backward(), &model);
        sync(&ad);
        let t2 = Instant::now();
        model = optimizer.step(1e-3, model, grads);
        sync(&ad);
        if i >= o.warmup {
            fwd.push((t1 - t0).as_secs_f64() * 1e3);
            bwd.push((t2 - t1).as_secs_f64() * 1e3);
            opt.push(ms_since(t2));
            total.push(t0.elapsed().as_secs_f64());
        }
    }
    let train_ips = o.batch as f64 / median(total);

    let inference = model.valid();
    let xi = random_tensor([o.batch, 3, 32, 32], &mut rng, device);
    let mut forward = vec![];
    for i in 0..o.warmup + o.steps {
        let t = Instant::now();
        let _: i64 = inference.forward(xi.clone()).argmax(1).sum().into_scalar();
        if i >= o.warmup {
            forward.push(t.elapsed().as_secs_f64());
        }
    }
    let forward_ips = o.batch as f64 / median(forward);
    StepResult {
        backend: backend.to_string(),
        activation: activation.to_string(),
        train_images_per_sec: train_ips,
        forward_images_per_sec: forward_ips,
        train_gflops: train_ips * train_flops_per_image() / 1e9,
        forward_gflops: forward_ips * forward_flops_per_image() / 1e9,
        forward_ms: median(fwd),
        backward_ms: median(bwd),
        optimizer_ms: median(opt),
    }
}

/// Median forward and backward milliseconds of `op` on a random input of `shape`. The backward
/// is driven by `(y * g).sum()`; the same harness around an identity op is subtracted.
fn time_op<const D: usize, const E: usize>(
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

/// Forward and backward time of every op of convnet18, in forward order, plus the loss and the
/// optimizer step (from `step`).
pub fn profile_ops(backend: Backend, device: &Device, activation: Activation, step: &StepResult, o: &BenchOptions) -> Vec<OpTime> {
    let ad = device.clone().autodiff();
    ad.seed(1);
    let Model::ConvNet18(net) = fig1_model(activation, &ad) else { unreachable!("fig1_model builds convnet18") };
    let b = o.batch;
    let act = net.activation;
    let mut ops = vec![];
    let mut push = |op: &str, (forward_ms, backward_ms): (f64, f64), macs: Option<f64>, passes: f64| {
        let gflops = macs.map(|m| 2.0 * m * b as f64 * passes / ((forward_ms + backward_ms) * 1e-3) / 1e9);
        ops.push(OpTime {
            backend: backend.to_string(),
            activation: activation.to_string(),
            op: op.to_string(),
            forward_ms,
            backward_ms,
            gflops,
        });
    };
    let macs = |i: usize| Some(LAYER_MACS[i].1);
    push("conv1 (3→32, 32×32)", time_op(&ad, [b, 3, 32, 32], false, o, |x| flex_ops::conv2d(&net.conv1, x)), macs(0), 2.0);
    push("maxpool 3/2 (32×32)", time_op(&ad, [b, 32, 32, 32], true, o, max_pool_3s2), None, 0.0);
    push(&format!("{act} (32×16×16)"), time_op(&ad, [b, 32, 16, 16], true, o, |x| act.apply(x)), None, 0.0);
    push("conv2 (32→32, 16×16)", time_op(&ad, [b, 32, 16, 16], true, o, |x| flex_ops::conv2d(&net.conv2, x)), macs(1), 3.0);
    push(&format!("{act} (32×16×16)"), time_op(&ad, [b, 32, 16, 16], true, o, |x| act.apply(x)), None, 0.0);
    push("avgpool 3/2 (16×16)", time_op(&ad, [b, 32, 16, 16], true, o, avg_pool_3s2), None, 0.0);
    push("conv3 (32→64, 8×8)", time_op(&ad, [b, 32, 8, 8], true, o, |x| flex_ops::conv2d(&net.conv3, x)), macs(2), 3.0);
    push(&format!("{act} (64×8×8)"), time_op(&ad, [b, 64, 8, 8], true, o, |x| act.apply(x)), None, 0.0);
    push("avgpool 3/2 (8×8)", time_op(&ad, [b, 64, 8, 8], true, o, avg_pool_3s2), None, 0.0);
    push("fc (1024→10)", time_op(&ad, [b, 1024], true, o, |x| net.fc.forward(x)), macs(3), 3.0);
    let loss_fn = CrossEntropyLossConfig::new().init(&ad);
    let mut rng = StdRng::seed_from_u64(3);
    let targets = random_targets(b, &mut rng, &ad);
    push("cross-entropy loss", time_op(&ad, [b, 10], true, o, |x| loss_fn.forward(x, targets.clone()).reshape([1])), None, 0.0);
    push("SGD momentum step", (0.0, step.optimizer_ms), None, 0.0);
    ops
}

/// Seconds to load the full CIFAR-10 (training and test) from `path`.
pub fn time_cifar_load(path: &std::path::Path) -> Result<f64, String> {
    let mut config = DatasetConfig::new(DatasetName::Cifar10);
    config.path = path.to_path_buf();
    let t = Instant::now();
    let data = config.load(1).map_err(|e| e.to_string())?;
    let seconds = t.elapsed().as_secs_f64();
    std::hint::black_box(&data);
    Ok(seconds)
}

/// Runs the embedded PyTorch reference with `python`; `Err` says why it could not.
pub fn run_pytorch(python: &str, o: &BenchOptions, threads: usize, profile: bool) -> Result<PytorchResult, String> {
    let script = std::env::temp_dir().join(format!("actlab-pytorch-reference-{}.py", std::process::id()));
    std::fs::write(&script, PYTORCH_REFERENCE).map_err(|e| format!("writing {}: {e}", script.display()))?;
    let activations: Vec<String> = o.activations.iter().map(|a| a.to_string()).collect();
    let output = Command::new(python)
        .arg(&script)
        .args(["--batch", &o.batch.to_string(), "--threads", &threads.to_string()])
        .args(["--steps", &o.steps.to_string(), "--warmup", &o.warmup.to_string()])
        .args(["--activations", &activations.join(",")])
        .args(profile.then_some("--profile"))
        .output();
    let _ = std::fs::remove_file(&script);
    let output = output.map_err(|e| format!("could not run `{python}`: {e}"))?;
    if !output.status.success() {
        let stderr = String::from_utf8_lossy(&output.stderr);
        if stderr.contains("No module named 'torch'") {
            return Err(format!("PyTorch is not installed for `{python}` (pip install torch)"));
        }
        return Err(format!("the PyTorch reference failed: {}", stderr.lines().last().unwrap_or("")));
    }
    serde_json::from_slice(&output.stdout).map_err(|e| format!("the PyTorch reference printed unreadable JSON: {e}"))
}

/// Runs everything `o` asks for, printing as it goes (`log`), and returns the report.
pub fn run(o: &BenchOptions, log: &mut dyn FnMut(&str)) -> BenchReport {
    let machine = machine();
    let mut report = BenchReport {
        machine: machine.clone(),
        batch: o.batch,
        steps: o.steps,
        train_mflops_per_image: train_flops_per_image() / 1e6,
        steps_results: vec![],
        unavailable: vec![],
        ops: vec![],
        cifar10_load_s: None,
        pytorch: None,
        pytorch_missing: None,
        head_to_head: vec![],
    };
    for &backend in &o.backends {
        let device = match backend.probe() {
            Ok(device) => device,
            Err(why) => {
                log(&format!("{backend}: skipped: {why}"));
                report.unavailable.push(why);
                continue;
            }
        };
        for &activation in &o.activations {
            if backend == Backend::Flex && o.compare_plain {
                flex_ops::set_enabled(false);
                let mut plain = time_steps(backend, &device, activation, o);
                if o.profile.contains(&backend) {
                    let mut ops = profile_ops(backend, &device, activation, &plain, o);
                    ops.iter_mut().for_each(|op| op.backend = "flex, plain Burn ops".into());
                    report.ops.extend(ops);
                }
                flex_ops::set_enabled(true);
                plain.backend = "flex, plain Burn ops".into();
                log(&format!("{}, {activation}: train {:.0} images/s", plain.backend, plain.train_images_per_sec));
                report.steps_results.push(plain);
            }
            let step = time_steps(backend, &device, activation, o);
            log(&format!(
                "{backend} {activation}: train {:.0} images/s ({:.1} GFLOP/s), forward {:.0} images/s",
                step.train_images_per_sec, step.train_gflops, step.forward_images_per_sec
            ));
            if o.profile.contains(&backend) {
                report.ops.extend(profile_ops(backend, &device, activation, &step, o));
            }
            report.steps_results.push(step);
        }
    }
    if let Some(path) = &o.data {
        match time_cifar_load(path) {
            Ok(s) => {
                log(&format!("CIFAR-10 load ({}): {s:.2} s", path.display()));
                report.cifar10_load_s = Some(s);
            }
            Err(why) => log(&format!("CIFAR-10 load skipped: {why}")),
        }
    }
    match &o.python {
        Some(python) => match run_pytorch(python, o, machine.threads, true) {
            Ok(result) => {
                for r in &result.runs {
                    log(&format!(
                        "pytorch {} {}: train {:.0} images/s, forward {:.0} images/s",
                        result.torch, r.activation, r.train_images_per_sec, r.forward_images_per_sec
                    ));
                }
                report.pytorch = Some(result);
            }
            Err(why) => {
                log(&format!("PyTorch: not measured: {why}"));
                report.pytorch_missing = Some(why);
            }
        },
        None => report.pytorch_missing = Some("skipped (--no-pytorch)".into()),
    }
    if let (Some(python), true) = (&o.python, report.pytorch.is_some() && o.backends.contains(&Backend::Flex)) {
        report.head_to_head = head_to_head(python, o, machine.threads, log);
    }
    report
}

/// `o.rounds` rounds of: flex, then PyTorch, for every activation.
fn head_to_head(python: &str, o: &BenchOptions, threads: usize, log: &mut dyn FnMut(&str)) -> Vec<HeadToHead> {
    let Ok(device) = Backend::Flex.probe() else { return vec![] };
    let mut rows: Vec<HeadToHead> = o
        .activations
        .iter()
        .map(|a| HeadToHead {
            activation: a.to_string(),
            flex_images_per_sec: vec![],
            pytorch_images_per_sec: vec![],
            ratios: vec![],
            median_ratio: f64::NAN,
        })
        .collect();
    for round in 1..=o.rounds {
        let flex: Vec<f64> = o.activations.iter().map(|&a| time_steps(Backend::Flex, &device, a, o).train_images_per_sec).collect();
        let torch = match run_pytorch(python, o, threads, false) {
            Ok(t) => t,
            Err(why) => {
                log(&format!("head to head, round {round}: PyTorch failed: {why}"));
                break;
            }
        };
        for (row, f) in rows.iter_mut().zip(flex) {
            let Some(t) = torch.runs.iter().find(|r| r.activation == row.activation) else { continue };
            row.flex_images_per_sec.push(f);
            row.pytorch_images_per_sec.push(t.train_images_per_sec);
            row.ratios.push(f / t.train_images_per_sec);
            log(&format!("head to head, round {round}, {}: flex {f:.0}, PyTorch {:.0} images/s", row.activation, t.train_images_per_sec));
        }
    }
    rows.retain(|r| !r.ratios.is_empty());
    rows.iter_mut().for_each(|r| r.median_ratio = median(r.ratios.clone()));
    rows
}

/// Projected training time of one Figure 1 seed at `images_per_sec`: the paper's epochs to 25%
/// (ReLU ≈6, tanh ≈36) of 50,000 images.
fn fig1_seed(activation: &str, images_per_sec: f64) -> String {
    let epochs = match activation {
        "relu" => 6.0,
        "tanh" => 36.0,
        _ => return "-".into(),
    };
    let seconds = epochs * 50_000.0 / images_per_sec;
    if seconds >= 5400.0 { format!("{:.1} h", seconds / 3600.0) } else { format!("{:.0} min", seconds / 60.0) }
}

/// The report as Markdown tables.
pub fn markdown(r: &BenchReport) -> String {
    let m = &r.machine;
    let mut s = format!(
        "Machine: {} ({} threads); FMA peak {} ({}).\nconvnet18, batch {}, SGD momentum, random input; median of {} steps after warm-up. Training: {:.1} MFLOP/image.\n\n",
        m.cpu,
        m.threads,
        m.peak_gflops.map(|p| format!("≈{p:.0} GFLOP/s")).unwrap_or_else(|| "unknown".into()),
        m.peak_basis,
        r.batch,
        r.steps,
        r.train_mflops_per_image,
    );
    s.push_str("| stack | activation | train images/s | vs PyTorch | GFLOP/s | share of peak | forward images/s | fwd / bwd / opt ms | one Figure 1 seed |\n");
    s.push_str("|---|---|---|---|---|---|---|---|---|\n");
    let torch = |act: &str| r.pytorch.as_ref().and_then(|p| p.runs.iter().find(|x| x.activation == act));
    let share = |g: f64| m.peak_gflops.map(|p| format!("{:.0}%", 100.0 * g / p)).unwrap_or_else(|| "-".into());
    if let Some(p) = &r.pytorch {
        for run in &p.runs {
            let g = run.train_images_per_sec * r.train_mflops_per_image / 1e3;
            s.push_str(&format!(
                "| PyTorch {} | {} | {:.0} | 1.00× | {g:.1} | {} | {:.0} | - | {} |\n",
                p.torch,
                run.activation,
                run.train_images_per_sec,
                share(g),
                run.forward_images_per_sec,
                fig1_seed(&run.activation, run.train_images_per_sec)
            ));
        }
    }
    for x in &r.steps_results {
        let ratio =
            torch(&x.activation).map(|t| format!("{:.2}×", x.train_images_per_sec / t.train_images_per_sec)).unwrap_or_else(|| "-".into());
        s.push_str(&format!(
            "| actlab {} | {} | {:.0} | {ratio} | {:.1} | {} | {:.0} | {:.1} / {:.1} / {:.1} | {} |\n",
            x.backend,
            x.activation,
            x.train_images_per_sec,
            x.train_gflops,
            share(x.train_gflops),
            x.forward_images_per_sec,
            x.forward_ms,
            x.backward_ms,
            x.optimizer_ms,
            fig1_seed(&x.activation, x.train_images_per_sec)
        ));
    }
    s.push_str("\nOne Figure 1 seed: the paper's epochs to 25% (ReLU ≈6, tanh ≈36) × 50,000 images at the training rate above; data loading, evaluation and checkpoints not included.\n");
    if let Some(why) = &r.pytorch_missing {
        s.push_str(&format!("\nPyTorch: {why}.\n"));
    }
    if !r.ops.is_empty() {
        s.push_str("\nPer-op time of one step (ms; backward = input and weight gradients):\n\n");
        s.push_str("| backend | activation | op | forward | backward | GFLOP/s |\n|---|---|---|---|---|---|\n");
        for op in &r.ops {
            s.push_str(&format!(
                "| {} | {} | {} | {:.2} | {:.2} | {} |\n",
                op.backend,
                op.activation,
                op.op,
                op.forward_ms,
                op.backward_ms,
                op.gflops.map(|g| format!("{g:.1}")).unwrap_or_default()
            ));
        }
    }
    if let Some(p) = &r.pytorch {
        for run in p.runs.iter().filter(|run| !run.ops.is_empty()) {
            s.push_str(&format!("\nPyTorch {} {}, one step (torch.profiler, self CPU ms):\n\n", p.torch, run.activation));
            for op in &run.ops {
                s.push_str(&format!(
                    "- {}: {:.2} ms ({} calls)\n",
                    op["op"].as_str().unwrap_or("?"),
                    op["self_ms"].as_f64().unwrap_or(f64::NAN),
                    op["calls"]
                ));
            }
        }
    }
    if !r.head_to_head.is_empty() {
        s.push_str(&format!(
            "\nHead to head: flex and PyTorch timed alternately, {} rounds after the run above (training images/s, median of {} steps each):\n\n",
            r.head_to_head[0].ratios.len(),
            r.steps
        ));
        s.push_str("| activation | actlab flex | PyTorch | flex / PyTorch | median ratio |\n|---|---|---|---|---|\n");
        let list = |v: &[f64], digits: usize| v.iter().map(|x| format!("{x:.digits$}")).collect::<Vec<_>>().join(", ");
        for h in &r.head_to_head {
            s.push_str(&format!(
                "| {} | {} | {} | {} | **{:.2}×** |\n",
                h.activation,
                list(&h.flex_images_per_sec, 0),
                list(&h.pytorch_images_per_sec, 0),
                list(&h.ratios, 2),
                h.median_ratio
            ));
        }
    }
    if let Some(t) = r.cifar10_load_s {
        s.push_str(&format!("\nCIFAR-10 load (60,000 images, parsed and checksummed): {t:.2} s\n"));
    }
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn flop_count_matches_the_issue_estimate() {
        // ≈12.3 M forward MACs per image; training without conv1's input gradient.
        let macs: f64 = LAYER_MACS.iter().map(|(_, m)| m).sum();
        assert_eq!(macs, 12_298_240.0);
        assert!((train_flops_per_image() / 1e6 - 68.9).abs() < 0.1);
    }

    #[test]
    fn median_of_even_and_odd() {
        assert_eq!(median(vec![3.0, 1.0, 2.0]), 2.0);
        assert_eq!(median(vec![4.0, 1.0, 2.0, 3.0]), 2.5);
    }
}
