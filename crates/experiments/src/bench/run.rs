//! Runs what the options ask for, printing as it goes.

use actlab_datasets::{DatasetConfig, DatasetName};
use actlab_models::Activation;
use actlab_train::Backend;
use burn::tensor::Device;
use std::path::Path;
use std::time::Instant;

use crate::ExperimentError;
use crate::bench::flops::train_flops_per_image;
use crate::bench::isas::compare_isas;
use crate::bench::profile::profile_ops;
use crate::bench::pytorch::run_pytorch;
use crate::bench::timing::time_steps;
use crate::bench::{BenchOptions, BenchReport, HeadToHead, PytorchResult, StepResult, median};
use crate::toolkit::machine::CpuInfo;

/// Seconds to load the full CIFAR-10 (training and test) from `path`.
pub fn time_cifar_load(path: &Path) -> Result<f64, ExperimentError> {
    let mut config = DatasetConfig::new(DatasetName::Cifar10);
    config.path = path.to_path_buf();
    let t = Instant::now();
    let data = config.load(1)?;
    let seconds = t.elapsed().as_secs_f64();
    std::hint::black_box(&data);
    Ok(seconds)
}

/// Runs everything `o` asks for, printing as it goes (`log`), and returns the report.
pub fn run(o: &BenchOptions, log: &mut dyn FnMut(&str)) -> BenchReport {
    let machine = CpuInfo::here();
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
        pytorch_gpu: None,
        pytorch_gpu_missing: None,
        head_to_head: vec![],
        isa_timings: vec![],
    };
    for &backend in &o.backends {
        match backend.probe() {
            Ok(device) => o.activations.iter().for_each(|&a| time_backend(&mut report, backend, &device, a, o, log)),
            Err(why) => {
                log(&format!("{backend}: skipped: {why}"));
                report.unavailable.push(why.to_string());
            }
        }
    }
    if let (false, Ok(device)) = (o.isas.is_empty(), Backend::Flex.probe()) {
        let (timings, ops) = compare_isas(&device, o, log);
        report.isa_timings = timings;
        report.ops.extend(ops);
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
    measure_pytorch(&mut report, o, machine.threads, log);
    if let Some(python) = &o.python {
        for (backend, device) in head_to_head_pairs(&report, o) {
            report.head_to_head.extend(head_to_head(python, backend, &device, o, machine.threads, log));
        }
    }
    report
}

/// Steps (and the per-op profile when asked) of one backend and activation; on flex also with
/// the fast ops off, for the before/after.
fn time_backend(
    report: &mut BenchReport,
    backend: Backend,
    device: &Device,
    activation: Activation,
    o: &BenchOptions,
    log: &mut dyn FnMut(&str),
) {
    if backend == Backend::Flex && o.compare_plain {
        actlab_kernels::set_enabled(false);
        let mut plain = time_steps(backend, device, activation, o);
        if o.profile.contains(&backend) {
            let mut ops = profile_ops(backend, device, activation, &plain, o);
            ops.iter_mut().for_each(|op| op.backend = "flex, plain Burn ops".into());
            report.ops.extend(ops);
        }
        actlab_kernels::set_enabled(true);
        plain.backend = "flex, plain Burn ops".into();
        log(&format!("{}, {activation}: train {:.0} images/s", plain.backend, plain.train_images_per_sec));
        report.steps_results.push(plain);
    }
    let step = time_steps(backend, device, activation, o);
    log(&format!(
        "{backend} {activation}: train {:.0} images/s ({:.1} GFLOP/s), forward {:.0} images/s",
        step.train_images_per_sec, step.train_gflops, step.forward_images_per_sec
    ));
    if o.profile.contains(&backend) {
        report.ops.extend(profile_ops(backend, device, activation, &step, o));
    }
    report.steps_results.push(step);
}

/// The PyTorch device a GPU backend is compared with: the same GPU index.
fn pytorch_gpu() -> String {
    format!("cuda:{}", Backend::gpu_index().ok().flatten().unwrap_or(0))
}

/// PyTorch on the CPU, and on the GPU when a GPU backend was timed.
fn measure_pytorch(report: &mut BenchReport, o: &BenchOptions, threads: usize, log: &mut dyn FnMut(&str)) {
    let Some(python) = &o.python else {
        report.pytorch_missing = Some("skipped (--no-pytorch)".into());
        return;
    };
    match pytorch_on(python, "cpu", o, threads, log) {
        Ok(result) => report.pytorch = Some(result),
        Err(why) => report.pytorch_missing = Some(why),
    }
    if report.steps_results.iter().any(StepResult::on_gpu) {
        match pytorch_on(python, &pytorch_gpu(), o, threads, log) {
            Ok(result) => report.pytorch_gpu = Some(result),
            Err(why) => report.pytorch_gpu_missing = Some(why),
        }
    }
}

fn pytorch_on(python: &str, device: &str, o: &BenchOptions, threads: usize, log: &mut dyn FnMut(&str)) -> Result<PytorchResult, String> {
    match run_pytorch(python, device, o, threads, true) {
        Ok(result) => {
            for r in &result.runs {
                log(&format!(
                    "pytorch {} on {device} {}: train {:.0} images/s, forward {:.0} images/s",
                    result.torch, r.activation, r.train_images_per_sec, r.forward_images_per_sec
                ));
            }
            Ok(result)
        }
        Err(why) => {
            log(&format!("PyTorch on {device}: not measured: {why}"));
            Err(why.to_string())
        }
    }
}

/// Which actlab backends race PyTorch head to head, and on which PyTorch device: flex against the
/// CPU, each GPU backend against the GPU, where PyTorch ran there.
fn head_to_head_pairs(report: &BenchReport, o: &BenchOptions) -> Vec<(Backend, String)> {
    let mut pairs = Vec::new();
    if report.pytorch.is_some() && o.backends.contains(&Backend::Flex) {
        pairs.push((Backend::Flex, "cpu".to_string()));
    }
    if report.pytorch_gpu.is_some() {
        let gpus = o.backends.iter().filter(|b| b.is_gpu() && report.steps_results.iter().any(|s| s.backend == b.name()));
        pairs.extend(gpus.map(|&b| (b, pytorch_gpu())));
    }
    pairs
}

/// `o.rounds` rounds of: `backend`, then PyTorch on `pytorch_device`, for every activation.
fn head_to_head(
    python: &str,
    backend: Backend,
    pytorch_device: &str,
    o: &BenchOptions,
    threads: usize,
    log: &mut dyn FnMut(&str),
) -> Vec<HeadToHead> {
    let Ok(device) = backend.probe() else { return vec![] };
    let mut rows: Vec<HeadToHead> = o
        .activations
        .iter()
        .map(|a| HeadToHead {
            backend: backend.to_string(),
            activation: a.to_string(),
            actlab_images_per_sec: vec![],
            pytorch_images_per_sec: vec![],
            ratios: vec![],
            median_ratio: f64::NAN,
        })
        .collect();
    for round in 1..=o.rounds {
        let ours: Vec<f64> = o.activations.iter().map(|&a| time_steps(backend, &device, a, o).train_images_per_sec).collect();
        let torch = match run_pytorch(python, pytorch_device, o, threads, false) {
            Ok(t) => t,
            Err(why) => {
                log(&format!("head to head, round {round}: PyTorch failed: {why}"));
                break;
            }
        };
        for (row, f) in rows.iter_mut().zip(ours) {
            let Some(t) = torch.runs.iter().find(|r| r.activation == row.activation) else { continue };
            row.actlab_images_per_sec.push(f);
            row.pytorch_images_per_sec.push(t.train_images_per_sec);
            row.ratios.push(f / t.train_images_per_sec);
            log(&format!(
                "head to head, round {round}, {}: {backend} {f:.0}, PyTorch ({pytorch_device}) {:.0} images/s",
                row.activation, t.train_images_per_sec
            ));
        }
    }
    rows.retain(|r| !r.ratios.is_empty());
    rows.iter_mut().for_each(|r| r.median_ratio = median(r.ratios.clone()));
    rows
}
