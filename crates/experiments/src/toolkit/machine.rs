//! What an experiment ran on: the CPU (name, threads, FMA peak) and the device a backend uses.

use actlab_train::Backend;
use actlab_train::adapters::chosen_wgpu_adapter;
use serde::{Deserialize, Serialize};

/// The value of the first `name: value` line of /proc/cpuinfo, if there is one.
pub fn cpuinfo_field(name: &str) -> Option<String> {
    let cpuinfo = std::fs::read_to_string("/proc/cpuinfo").ok()?;
    cpuinfo.lines().find(|l| l.starts_with(name)).and_then(|l| l.split_once(':')).map(|(_, v)| v.trim().to_string())
}

/// The threads this process may use.
pub fn threads() -> usize {
    std::thread::available_parallelism().map(|n| n.get()).unwrap_or(1)
}

/// The processor (or adapter) a backend's runs use.
pub fn device_name(backend: Backend) -> String {
    let cpu = cpuinfo_field("model name").unwrap_or_else(|| "unknown CPU".into());
    let index = Backend::gpu_index().ok().flatten();
    match backend {
        Backend::Wgpu => match chosen_wgpu_adapter(index) {
            Some(a) => format!("wgpu: {} ({}, {}; host CPU: {cpu})", a.name, a.kind, a.api),
            None => format!("wgpu: no adapter found (host CPU: {cpu})"),
        },
        b if b.is_gpu() => format!("{b} GPU {} (host CPU: {cpu})", index.unwrap_or(0)),
        _ => cpu,
    }
}

/// The CPU a benchmark ran on, and its single-precision FMA peak when its vector width and clock
/// can be read.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct CpuInfo {
    pub cpu: String,
    pub threads: usize,
    pub peak_gflops: Option<f64>,
    pub peak_basis: String,
}

impl CpuInfo {
    /// This machine: peak = threads × vector lanes × 2 FMA units × 2 FLOPs × clock.
    pub fn here() -> Self {
        let threads = threads();
        let cpu = cpuinfo_field("model name").unwrap_or_else(|| std::env::consts::ARCH.to_string());
        let flags = cpuinfo_field("flags").unwrap_or_default();
        let has = |f: &str| flags.split_whitespace().any(|x| x == f);
        let lanes = if has("avx512f") {
            Some(16.0)
        } else if has("avx2") && has("fma") {
            Some(8.0)
        } else {
            None
        };
        let mhz = cpuinfo_field("cpu MHz").and_then(|v| v.parse::<f64>().ok());
        match (lanes, mhz) {
            (Some(lanes), Some(mhz)) => Self {
                cpu,
                threads,
                peak_gflops: Some(threads as f64 * lanes * 2.0 * 2.0 * mhz / 1000.0),
                peak_basis: format!("{threads} threads × {lanes} f32 lanes × 2 FMA units × 2 FLOPs × {mhz:.0} MHz (/proc/cpuinfo)"),
            },
            _ => Self { cpu, threads, peak_gflops: None, peak_basis: "vector width or clock unknown".into() },
        }
    }
}
