//! The cuda build on a machine without a usable GPU (compiled only with `--features cuda`; CI
//! builds it with the offline LLVM of scripts/offline-llvm.sh): `backends` and `--backend cuda`
//! say in one line whether the driver or the GPU is missing, instead of Burn's runner-thread panic.

#[path = "../support/fake_cuda.rs"]
mod fake_cuda;

use crate::support::{SYNTHETIC, assert_one_line_error, write_config};
use actlab_train::cuda_driver;
use std::path::Path;
use std::process::{Command, Output};

/// `actlab ARGS` with a stand-in driver first on the loader's path (found before any system one).
fn with_driver(driver_dir: &Path, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_actlab")).args(args).env("LD_LIBRARY_PATH", driver_dir).output().expect("actlab runs")
}

fn cuda_line(output: &Output) -> String {
    let stdout = String::from_utf8_lossy(&output.stdout);
    stdout.lines().find(|l| l.starts_with("cuda")).unwrap_or_default().to_string()
}

#[test]
fn backends_says_whether_the_driver_or_the_gpu_is_missing() {
    // This machine as it is: its own driver answers (a GPU machine says available).
    let expected = match cuda_driver::gpu_count() {
        Ok(_) => "cuda: available".to_string(),
        Err(why) => format!("cuda: {why}"),
    };
    let here = Command::new(env!("CARGO_BIN_EXE_actlab")).arg("backends").output().expect("runs");
    assert!(here.status.success(), "{}", String::from_utf8_lossy(&here.stderr));
    assert_eq!(cuda_line(&here), expected);

    // A driver that sees no GPU, and a library that is no driver at all.
    let dir = tempfile::tempdir().expect("temp dir");
    let no_gpu = dir.path().join("no-gpu");
    fake_cuda::fake_driver(&no_gpu, Some((100, 0)));
    assert_eq!(cuda_line(&with_driver(&no_gpu, &["backends"])), "cuda: driver found, no GPU");
    let impostor = dir.path().join("impostor");
    fake_cuda::fake_driver(&impostor, None);
    let line = cuda_line(&with_driver(&impostor, &["backends"]));
    assert!(line.starts_with("cuda: ") && line.contains("is not an NVIDIA driver (it has no cuInit)"), "{line}");
}

#[test]
fn training_on_cuda_without_a_gpu_is_a_one_line_error() {
    let dir = tempfile::tempdir().expect("temp dir");
    let no_gpu = dir.path().join("no-gpu");
    fake_cuda::fake_driver(&no_gpu, Some((0, 0)));
    let config = write_config(dir.path(), "c.toml", SYNTHETIC);
    let out = dir.path().join("run");
    let args = ["train", "--config", config.to_str().expect("utf8"), "--backend", "cuda", "--out", out.to_str().expect("utf8")];
    assert_one_line_error(&with_driver(&no_gpu, &args), "cuda: driver found, no GPU");
    assert!(!out.exists(), "a run folder was made for a backend that cannot run");
}
