//! `actlab backends [--check]`: which backends run here, the adapters wgpu finds, and (with
//! `--check`) whether one training step on each matches flex.

use actlab_models::Activation;
use actlab_train::adapters::wgpu_adapters;
use actlab_train::parity::{self, LAYERS, TOLERANCE};
use actlab_train::{Backend, BackendError};
use anyhow::{Result, bail};

use crate::args::BackendsArgs;

pub fn run(args: BackendsArgs) -> Result<()> {
    let mut available = Vec::new();
    for &backend in Backend::ALL {
        match backend.probe() {
            Ok(_) if backend == Backend::Flex => {
                let (own, gemm) = (actlab_kernels::kernel_isa(), actlab_kernels::gemm_isa());
                println!(
                    "{backend}: available (actlab's own loops: {own}, of {}; GEMM microkernels: {gemm})",
                    actlab_kernels::supported_isas()
                );
                available.push(backend);
            }
            Ok(_) => {
                println!("{backend}: available");
                available.push(backend);
            }
            // The driver probe's answer already starts with the backend's name.
            Err(why @ BackendError::NoCuda(_)) => println!("{why}"),
            Err(why) => println!("{backend}: unavailable ({why})"),
        }
    }
    print_adapters();
    if !args.check {
        return Ok(());
    }
    let failed: Vec<String> = available.into_iter().filter(|b| *b != Backend::Flex).filter_map(|b| check(b).err()).collect();
    if !failed.is_empty() {
        bail!("backend parity failed: {}", failed.join("; "));
    }
    Ok(())
}

fn print_adapters() {
    let adapters = wgpu_adapters();
    if adapters.is_empty() {
        println!("wgpu adapters: none found (a GPU needs its Vulkan driver; a CPU one: Mesa's lavapipe)");
        return;
    }
    println!("wgpu adapters:");
    for a in adapters {
        let device = a.device_index.map(|n| format!(" (--device {n})")).unwrap_or_default();
        println!("  {}: {}, {}, driver {}{device}", a.api, a.name, a.kind, if a.driver.is_empty() { "unknown" } else { &a.driver });
    }
}

/// One step of convnet18 (relu and tanh) on `backend` against flex; prints each layer's relative
/// difference and fails with a one-line reason.
fn check(backend: Backend) -> Result<(), String> {
    let results = parity::check(backend, &[Activation::Relu, Activation::Tanh]).map_err(|e: BackendError| e.to_string())?;
    let mut worst = 0f32;
    for p in &results {
        let layers: Vec<String> = LAYERS.iter().zip(&p.weights_relative).map(|(l, r)| format!("{l} {r:.1e}")).collect();
        println!(
            "parity {backend} {}: loss {:.1e}, weights {} (relative to flex; pass below {TOLERANCE:.0e})",
            p.activation,
            p.loss_relative,
            layers.join(", ")
        );
        worst = worst.max(p.worst());
    }
    if results.iter().all(|p| p.passed()) {
        println!("parity {backend}: passed (largest difference {worst:.1e})");
        Ok(())
    } else {
        Err(format!("{backend} differs from flex by up to {worst:.1e} (relative), over {TOLERANCE:.0e}"))
    }
}
