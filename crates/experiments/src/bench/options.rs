//! What `actlab bench` measures.

use actlab_models::Activation;
use actlab_train::Backend;
use std::path::PathBuf;

use crate::ExperimentError;

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
    /// Also time flex with actlab's own loops compiled for each of these instruction sets, in
    /// turn (`--rounds` rounds, at least one).
    pub isas: Vec<actlab_kernels::Isa>,
}

impl BenchOptions {
    /// Fails on options that would measure nothing.
    pub fn check(self) -> Result<Self, ExperimentError> {
        if self.batch == 0 || self.steps == 0 {
            return Err(ExperimentError::InvalidOption { command: "bench", message: "--batch and --steps must be at least 1".into() });
        }
        if let Some(isa) = self.isas.iter().find(|isa| !isa.supported()) {
            let message = format!("--isas {isa}: this CPU cannot run it (the widest it has is {})", actlab_kernels::Isa::best());
            return Err(ExperimentError::InvalidOption { command: "bench", message });
        }
        Ok(self)
    }
}
