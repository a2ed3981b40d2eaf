//! `actlab bench` against a stand-in PyTorch.

use std::fs;
use std::path::{Path, PathBuf};

use crate::support::*;

/// A stand-in for `python3` that ignores the reference script and prints fixed PyTorch rates, so
/// the test can check what `actlab bench` does with them without torch installed.
fn fake_python(dir: &Path) -> PathBuf {
    let path = dir.join("fake-python");
    let json = r#"{"torch": "fake", "threads": 2, "batch": 8, "runs": [{"activation": "relu", "train_images_per_sec": 100.0, "forward_images_per_sec": 300.0}]}"#;
    fs::write(&path, format!("#!/bin/sh\necho '{json}'\n")).expect("write fake python");
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        fs::set_permissions(&path, fs::Permissions::from_mode(0o755)).expect("chmod");
    }
    path
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
    let rates: Vec<f64> = h["flex_images_per_sec"].as_array().expect("rounds").iter().filter_map(|v| v.as_f64()).collect();
    let ratios: Vec<f64> = h["ratios"].as_array().expect("ratios").iter().filter_map(|v| v.as_f64()).collect();
    assert_eq!(rates.len(), 2, "two rounds");
    for (rate, ratio) in rates.iter().zip(&ratios) {
        assert!((ratio - rate / 100.0).abs() < 1e-9, "ratio {ratio} is flex {rate} / PyTorch 100");
    }
    let markdown = fs::read_to_string(out.join("bench.md")).expect("bench.md");
    assert!(markdown.contains("Head to head") && markdown.contains("conv2 (32→32, 16×16)"), "{markdown}");
}
