//! The PyTorch side of the comparison: `bench/pytorch_reference.py`, embedded so `actlab bench`
//! works from any folder, run with the given interpreter.

use std::process::Command;
use thiserror::Error;

use crate::bench::{BenchOptions, PytorchResult};

pub const PYTORCH_REFERENCE: &str = include_str!("../../../../bench/pytorch_reference.py");

/// Why the PyTorch reference was not measured.
#[derive(Debug, Error)]
pub enum PytorchError {
    #[error("writing {path}: {source}")]
    Script { path: String, source: std::io::Error },
    #[error("could not run `{python}`: {source}")]
    Launch { python: String, source: std::io::Error },
    #[error("PyTorch is not installed for `{0}` (pip install torch)")]
    NotInstalled(String),
    #[error("the PyTorch reference failed: {0}")]
    Failed(String),
    #[error("the PyTorch reference printed unreadable JSON: {0}")]
    Output(serde_json::Error),
}

/// Runs the reference with `python` on `device` (`cpu`, `cuda:N`), on `threads` CPU threads, with
/// torch.profiler when `profile`.
pub fn run_pytorch(python: &str, device: &str, o: &BenchOptions, threads: usize, profile: bool) -> Result<PytorchResult, PytorchError> {
    let script = std::env::temp_dir().join(format!("actlab-pytorch-reference-{}.py", std::process::id()));
    std::fs::write(&script, PYTORCH_REFERENCE).map_err(|source| PytorchError::Script { path: script.display().to_string(), source })?;
    let activations: Vec<String> = o.activations.iter().map(|a| a.to_string()).collect();
    let output = Command::new(python)
        .arg(&script)
        .args(["--batch", &o.batch.to_string(), "--threads", &threads.to_string()])
        .args(["--steps", &o.steps.to_string(), "--warmup", &o.warmup.to_string()])
        .args(["--activations", &activations.join(",")])
        .args(["--device", device])
        .args(profile.then_some("--profile"))
        .output();
    let _ = std::fs::remove_file(&script);
    let output = output.map_err(|source| PytorchError::Launch { python: python.into(), source })?;
    if !output.status.success() {
        let stderr = String::from_utf8_lossy(&output.stderr);
        if stderr.contains("No module named 'torch'") {
            return Err(PytorchError::NotInstalled(python.into()));
        }
        return Err(PytorchError::Failed(stderr.lines().rfind(|l| !l.trim().is_empty()).unwrap_or("").into()));
    }
    serde_json::from_slice(&output.stdout).map_err(PytorchError::Output)
}
