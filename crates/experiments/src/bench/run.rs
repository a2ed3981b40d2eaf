//! Runs what the options ask for, printing as it goes.

use actlab_datasets::{DatasetConfig, DatasetName};
use actlab_models::Activation;
use actlab_train::Backend;
use burn::tensor::Device;
use std::path::Path;
use std::time::Instant;

use crate::ExperimentError;
use crate::bench::flops::train_flops_per_image;
use crate::bench::profile::profile_ops;
use crate::bench::pytorch::run_pytorch;
use crate::bench::timing::time_steps;
use crate::bench::{BenchOptions, BenchReport, HeadToHead, median};
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
        head_to_head: vec![],
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
    if let (Some(python), true) = (&o.python, report.pytorch.is_some() && o.backends.contains(&Backend::Flex)) {
        report.head_to_head = head_to_head(python, o, machine.threads, log);
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

fn measure_pytorch(report: &mut BenchReport, o: &BenchOptions, threads: usize, log: &mut dyn FnMut(&str)) {
    let Some(python) = &o.python else {
        report.pytorch_missing = Some("skipped (--no-pytorch)".into());
        return;
    };
    match run_pytorch(python, o, threads, true) {
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
            report.pytorch_missing = Some(why.to_string());
        }
    }
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
