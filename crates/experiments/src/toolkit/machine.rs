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
    /// The vector extensions that matter to the kernels, of those /proc/cpuinfo lists.
    #[serde(default)]
    pub isa: Vec<String>,
    /// The microkernels the convolutions' GEMMs run (`actlab_kernels::gemm_isa`).
    #[serde(default)]
    pub gemm_path: String,
    /// The instruction set actlab's own loops (pooling, im2col, tanh's gradient) run
    /// (`actlab_kernels::kernel_isa`: the widest the CPU has, or `ACTLAB_ISA`).
    #[serde(default)]
    pub kernel_path: String,
    /// Cache sizes of cpu0 as sysfs gives them ("L1d 48K", "L2 1024K", "L3 32768K").
    #[serde(default)]
    pub caches: Vec<String>,
}

/// The extensions of `flags` that the kernels or PyTorch's oneDNN can use.
fn isa_flags(flags: &str) -> Vec<String> {
    const KNOWN: [&str; 8] = ["avx2", "fma", "avx512f", "avx512bw", "avx512vl", "avx512_bf16", "avx512_fp16", "amx_tile"];
    KNOWN.iter().filter(|k| flags.split_whitespace().any(|f| f == **k)).map(|k| k.to_string()).collect()
}

/// cpu0's caches from /sys/devices/system/cpu/cpu0/cache.
fn caches() -> Vec<String> {
    let root = std::path::Path::new("/sys/devices/system/cpu/cpu0/cache");
    let read = |dir: &std::path::Path, f: &str| std::fs::read_to_string(dir.join(f)).ok().map(|s| s.trim().to_string());
    let mut caches: Vec<String> = (0..8)
        .filter_map(|i| {
            let dir = root.join(format!("index{i}"));
            let (level, kind, size) = (read(&dir, "level")?, read(&dir, "type")?, read(&dir, "size")?);
            let kind = match kind.as_str() {
                "Data" => "d",
                "Instruction" => "i",
                _ => "",
            };
            Some(format!("L{level}{kind} {size}"))
        })
        .collect();
    caches.retain(|c| !c.contains("i "));
    caches
}

impl CpuInfo {
    /// This machine: peak = threads × vector lanes × 2 FMA units × 2 FLOPs × clock.
    pub fn here() -> Self {
        let threads = threads();
        let cpu = cpuinfo_field("model name").unwrap_or_else(|| std::env::consts::ARCH.to_string());
        let flags = cpuinfo_field("flags").unwrap_or_default();
        let has = |f: &str| flags.split_whitespace().any(|x| x == f);
        let (isa, gemm_path, caches) = (isa_flags(&flags), actlab_kernels::gemm_isa().to_string(), caches());
        let kernel_path = actlab_kernels::kernel_isa().to_string();
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
                isa,
                gemm_path,
                kernel_path,
                caches,
            },
            _ => Self {
                cpu,
                threads,
                peak_gflops: None,
                peak_basis: "vector width or clock unknown".into(),
                isa,
                gemm_path,
                kernel_path,
                caches,
            },
        }
    }
}
