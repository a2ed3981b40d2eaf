//! `actlab bench` against a stand-in PyTorch.

use std::fs;
use std::path::{Path, PathBuf};

use crate::support::*;

/// A stand-in for `python3` that ignores the reference script and prints fixed PyTorch rates, so
/// the test can check what `actlab bench` does with them without torch installed.
fn fake_python(dir: &Path) -> PathBuf {
    let path = dir.join("fake-python");
    let json = r#"{"torch": "fake", "threads": 2, "batch": 8, "runs": [{"activation": "relu", "train_images_per_sec": 100.0, "forward_images_per_sec": 300.0, "ops": [{"op": "aten::mkldnn_convolution", "self_ms": 12.5, "calls": 3}, {"op": "aten::convolution_backward", "self_ms": 20.0, "calls": 3}]}]}"#;
    executable(&path, &format!("#!/bin/sh\necho '{json}'\n"))
}

#[test]
#[cfg(unix)]
fn bench_reports_flex_against_the_reference_round_by_round() {
    let dir = tempfile::tempdir().expect("tempdir");
    let python = fake_python(dir.path());
    let out = dir.path().join("bench");
    let output = actlab(&[
        "bench",
        "--backends",
        "flex",
        "--activations",
        "relu",
        "--batch",
        "8",
        "--steps",
        "1",
        "--warmup",
        "0",
        "--no-plain",
        "--profile",
        "flex",
        "--rounds",
        "2",
        "--isas",
        "baseline",
        "--python",
        python.to_str().expect("utf8"),
        "--out",
        out.to_str().expect("utf8"),
    ]);
    assert!(output.status.success(), "{}", stderr(&output));
    let report: serde_json::Value = serde_json::from_str(&fs::read_to_string(out.join("bench.json")).expect("bench.json")).expect("json");
    let flex = report["steps_results"][0]["train_images_per_sec"].as_f64().expect("flex rate");
    assert!(flex > 0.0 && flex.is_finite());
    assert_eq!(report["pytorch"]["runs"][0]["train_images_per_sec"].as_f64(), Some(100.0));
    let h = &report["head_to_head"][0];
    let rates: Vec<f64> = h["actlab_images_per_sec"].as_array().expect("rounds").iter().filter_map(|v| v.as_f64()).collect();
    let ratios: Vec<f64> = h["ratios"].as_array().expect("ratios").iter().filter_map(|v| v.as_f64()).collect();
    assert_eq!(rates.len(), 2, "two rounds");
    for (rate, ratio) in rates.iter().zip(&ratios) {
        assert!((ratio - rate / 100.0).abs() < 1e-9, "ratio {ratio} is flex {rate} / PyTorch 100");
    }
    let markdown = fs::read_to_string(out.join("bench.md")).expect("bench.md");
    assert!(markdown.contains("Head to head") && markdown.contains("conv2 (32→32, 16×16)"), "{markdown}");
    // --isas: the baseline copy of the own loops, timed once per round, with its own profile.
    let isa = &report["isa_timings"][0];
    assert_eq!((isa["isa"].as_str(), isa["activation"].as_str()), (Some("baseline"), Some("relu")));
    assert_eq!(isa["train_images_per_sec"].as_array().map(Vec::len), Some(2), "one timing per round");
    assert_eq!(report["machine"]["kernel_path"].as_str(), Some(actlab_kernels::Isa::best().name()), "the main run's path");
    assert!(markdown.contains("| baseline | relu |") && markdown.contains("baseline, ms"), "{markdown}");
    // flex's profile beside PyTorch's: 12.5 ms of convolution forward, 20 backward; the step's
    // other 80 − 32.5 ms (batch 8 at 100 images/s) are PyTorch's "everything else".
    assert!(markdown.contains("Side by side, relu"), "{markdown}");
    let row = |name: &str| markdown.lines().find(|l| l.starts_with(&format!("| {name}"))).unwrap_or_default().to_string();
    assert!(row("convolutions, forward").contains("| 12.5 |"), "{}", row("convolutions, forward"));
    assert!(row("convolutions, backward").contains("| 20.0 |"), "{}", row("convolutions, backward"));
    assert!(row("everything else").contains("| 47.5 |"), "{}", row("everything else"));
}

/// A stand-in for `python3` that answers with the `--device` it was given: 100 images/s on the
/// CPU, 50 on `cuda:0`, so the test can see which PyTorch run each backend was compared with.
fn fake_python_by_device(dir: &Path) -> PathBuf {
    let path = dir.join("fake-python-gpu");
    let script = r#"#!/bin/sh
device=cpu
while [ $# -gt 0 ]; do [ "$1" = "--device" ] && device=$2; shift; done
rate=100.0; [ "$device" = cpu ] || rate=50.0
echo "{\"torch\": \"fake\", \"threads\": 2, \"batch\": 8, \"device\": \"$device\", \"device_name\": null, \"runs\": [{\"activation\": \"relu\", \"train_images_per_sec\": $rate, \"forward_images_per_sec\": 300.0}]}"
"#;
    executable(&path, script)
}

/// Writes `script` to `path` as an executable file.
fn executable(path: &Path, script: &str) -> PathBuf {
    fs::write(path, script).expect("write fake python");
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        fs::set_permissions(path, fs::Permissions::from_mode(0o755)).expect("chmod");
    }
    path.to_path_buf()
}

/// A GPU backend is compared with PyTorch on the GPU (`--device cuda:N`), flex with PyTorch on the
/// CPU, each head to head. wgpu runs here through lavapipe, which .ci/run installs.
#[test]
#[cfg(unix)]
fn bench_compares_a_gpu_backend_with_pytorch_on_the_gpu() {
    let dir = tempfile::tempdir().expect("tempdir");
    let python = fake_python_by_device(dir.path());
    let out = dir.path().join("bench");
    let python = python.to_str().expect("utf8");
    let args = ["bench", "--backends", "flex,wgpu", "--activations", "relu", "--batch", "8", "--steps", "1", "--warmup", "1"];
    let output = actlab(
        &[&args[..], &["--no-plain", "--profile", "flex", "--rounds", "1", "--python", python], &["--out", out.to_str().expect("utf8")]]
            .concat(),
    );
    let text = stderr(&output);
    if text.contains("wgpu: skipped") {
        eprintln!("SKIPPED: no wgpu adapter here ({})", text.lines().find(|l| l.contains("wgpu: skipped")).unwrap_or_default());
        return;
    }
    assert!(output.status.success(), "{text}");
    let report: serde_json::Value = serde_json::from_str(&fs::read_to_string(out.join("bench.json")).expect("bench.json")).expect("json");
    assert_eq!(report["pytorch"]["device"], "cpu");
    assert_eq!(report["pytorch_gpu"]["device"], "cuda:0", "PyTorch on the first GPU when no --device is given");
    let rows = report["head_to_head"].as_array().expect("head to head");
    for (backend, pytorch_rate) in [("flex", 100.0), ("wgpu", 50.0)] {
        let row = rows.iter().find(|r| r["backend"] == backend).unwrap_or_else(|| panic!("no {backend} row: {rows:?}"));
        let ours = row["actlab_images_per_sec"][0].as_f64().expect("rate");
        let ratio = row["ratios"][0].as_f64().expect("ratio");
        assert!((ratio - ours / pytorch_rate).abs() < 1e-9, "{backend}: ratio {ratio} is {ours} / {pytorch_rate}");
    }
    let markdown = fs::read_to_string(out.join("bench.md")).expect("bench.md");
    assert!(markdown.contains("PyTorch fake (cuda:0)") && markdown.contains("GPU: "), "{markdown}");
}
