//! What bench.json holds.

use actlab_train::Backend;
use serde::{Deserialize, Serialize};

use crate::toolkit::machine::CpuInfo;

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

impl StepResult {
    /// The backend it was timed on, when that is a plain backend name (not "flex, plain Burn ops").
    pub fn timed_backend(&self) -> Option<Backend> {
        self.backend.parse().ok()
    }

    /// Whether it was timed on a GPU backend (wgpu counts even on lavapipe: PyTorch on CUDA is then
    /// reported as unavailable rather than silently compared with a CPU adapter).
    pub fn on_gpu(&self) -> bool {
        self.timed_backend().is_some_and(Backend::is_gpu)
    }
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
pub struct PytorchOp {
    pub op: String,
    pub self_ms: f64,
    pub calls: u64,
}

#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct PytorchRun {
    pub activation: String,
    pub train_images_per_sec: f64,
    pub forward_images_per_sec: f64,
    #[serde(default)]
    pub ops: Vec<PytorchOp>,
}

#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct PytorchResult {
    pub torch: String,
    pub threads: usize,
    /// `cpu` or `cuda:N`.
    #[serde(default = "cpu")]
    pub device: String,
    /// The GPU's name, on a GPU.
    #[serde(default)]
    pub device_name: Option<String>,
    pub runs: Vec<PytorchRun>,
}

fn flex() -> String {
    "flex".into()
}

fn cpu() -> String {
    "cpu".into()
}

impl PytorchResult {
    pub fn on_gpu(&self) -> bool {
        self.device != "cpu"
    }
}

/// Training images/s of an actlab backend and PyTorch on the same device kind (flex against
/// PyTorch on the CPU, a GPU backend against PyTorch on the GPU) measured alternately.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct HeadToHead {
    #[serde(default = "flex")]
    pub backend: String,
    pub activation: String,
    #[serde(alias = "flex_images_per_sec")]
    pub actlab_images_per_sec: Vec<f64>,
    pub pytorch_images_per_sec: Vec<f64>,
    /// actlab / PyTorch, per round.
    pub ratios: Vec<f64>,
    pub median_ratio: f64,
}

/// Training images/s of flex with actlab's own loops compiled for one instruction set, per round
/// (`--isas`), and their median.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct IsaTiming {
    pub isa: String,
    pub activation: String,
    pub train_images_per_sec: Vec<f64>,
    pub median: f64,
}

#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct BenchReport {
    pub machine: CpuInfo,
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
    /// PyTorch on the GPU, when a GPU backend was timed.
    #[serde(default)]
    pub pytorch_gpu: Option<PytorchResult>,
    #[serde(default)]
    pub pytorch_gpu_missing: Option<String>,
    #[serde(default)]
    pub head_to_head: Vec<HeadToHead>,
    /// flex per instruction set of actlab's own loops (`--isas`); their per-op profiles are in
    /// `ops`, as backend "flex, own loops ISA".
    #[serde(default)]
    pub isa_timings: Vec<IsaTiming>,
}
