//! Training runs: a complete run folder, determinism, resumption, refusals and stops.

use std::fs;
use std::process::Command;

use crate::support::*;

#[test]
fn trains_on_synthetic_data_and_leaves_a_complete_run_folder() {
    let dir = tempfile::tempdir().expect("tempdir");
    let config = write_config(dir.path(), "syn.toml", SYNTHETIC);
    let out = dir.path().join("run");
    let output = train(&config, &out, &["--progress", "lines"]);
    assert!(output.status.success(), "{}", stderr(&output));
    for file in ["config.toml", "metrics.csv", "summary.json", "model.bpk", "checkpoint/state.json"] {
        assert!(out.join(file).exists(), "missing {file}");
    }
    let text = fs::read_to_string(out.join("metrics.csv")).expect("metrics");
    let rows: Vec<Vec<&str>> = text.lines().skip(1).map(|l| l.split(',').collect()).collect();
    // 512 images / 32 = 16 iterations an epoch, a row every 4: 8 rows over 2 epochs.
    assert_eq!(rows.len(), 8, "{text}");
    let first_error: f64 = rows[0][3].parse().expect("f64");
    let last_error: f64 = rows[7][3].parse().expect("f64");
    assert!(last_error < first_error, "training error did not fall: {first_error} -> {last_error}");
    assert!(last_error < 0.5, "final training error {last_error} (chance is 0.9)");
    // Test error at each epoch end only.
    assert!(!rows[3][4].is_empty() && !rows[7][4].is_empty() && rows[0][4].is_empty(), "{text}");

    let summary: serde_json::Value = serde_json::from_str(&fs::read_to_string(out.join("summary.json")).expect("summary")).expect("json");
    assert_eq!(summary["iterations"], 32);
    assert_eq!(summary["stop"]["reason"], "max-epochs");
    assert_eq!(summary["backend"], "flex");
    let final_train: f64 = summary["final_train_error"].as_f64().expect("number");
    assert!((final_train - last_error).abs() < 1e-6, "summary disagrees with metrics.csv");
    let final_test: f64 = summary["final_test_error"].as_f64().expect("number");
    let last_test: f64 = rows[7][4].parse().expect("f64");
    assert!((final_test - last_test).abs() < 1e-6);
}

#[test]
fn same_seed_same_metrics_and_an_interrupted_run_resumes_to_the_same_result() {
    let dir = tempfile::tempdir().expect("tempdir");
    let config = write_config(dir.path(), "syn.toml", SYNTHETIC);
    let (a, b, c) = (dir.path().join("a"), dir.path().join("b"), dir.path().join("c"));
    assert!(train(&config, &a, &["--progress", "quiet"]).status.success());
    assert!(train(&config, &b, &["--progress", "quiet"]).status.success());
    assert_eq!(metrics_without_timing(&a), metrics_without_timing(&b), "same config and seed differ");

    // Stop mid-epoch (1.5 epochs = iteration 24), then continue to 2 epochs in the same folder.
    let half = train(&config, &c, &["--progress", "quiet", "--set", "stop.max_epochs=1.5"]);
    assert!(half.status.success(), "{}", stderr(&half));
    let resumed = train(&config, &c, &["--progress", "quiet"]);
    assert!(resumed.status.success(), "{}", stderr(&resumed));
    let strip_test = |rows: Vec<String>| -> Vec<String> {
        rows.into_iter().map(|r| r.split(',').enumerate().filter(|(i, _)| *i != 4).map(|(_, f)| f).collect::<Vec<_>>().join(",")).collect()
    };
    assert_eq!(strip_test(metrics_without_timing(&a)), strip_test(metrics_without_timing(&c)));

    // Another seed gives another run.
    let d = dir.path().join("d");
    assert!(train(&config, &d, &["--progress", "quiet", "--set", "training.seed=8"]).status.success());
    assert_ne!(metrics_without_timing(&a), metrics_without_timing(&d));
}

#[test]
fn a_different_config_in_an_existing_run_folder_is_refused() {
    let dir = tempfile::tempdir().expect("tempdir");
    let config = write_config(dir.path(), "syn.toml", SYNTHETIC);
    let out = dir.path().join("run");
    assert!(train(&config, &out, &["--set", "stop.max_epochs=0.25"]).status.success());
    let clash = train(&config, &out, &["--set", "optimizer.lr=0.02"]);
    assert!(!clash.status.success());
    assert!(stderr(&clash).contains("different config"), "{}", stderr(&clash));
    let fresh = train(&config, &out, &["--set", "optimizer.lr=0.02", "--set", "stop.max_epochs=0.25", "--fresh"]);
    assert!(fresh.status.success(), "{}", stderr(&fresh));
}

#[test]
fn a_run_folder_another_process_is_training_is_refused_until_it_lets_go() {
    let dir = tempfile::tempdir().expect("tempdir");
    let config = write_config(dir.path(), "syn.toml", SYNTHETIC);
    let out = dir.path().join("run");
    // The lock `actlab train` takes, held here as a second training process would hold it.
    let held = actlab_train::RunFolder::new(&out).lock().expect("a free folder");
    assert_one_line_error(&train(&config, &out, &["--progress", "quiet"]), "is being trained by another process");
    assert!(!out.join("config.toml").exists(), "the refused process wrote into the folder");
    drop(held);
    let after = train(&config, &out, &["--progress", "quiet", "--set", "stop.max_epochs=0.25"]);
    assert!(after.status.success(), "{}", stderr(&after));
}

#[test]
fn target_training_error_stops_the_run_and_is_recorded() {
    let dir = tempfile::tempdir().expect("tempdir");
    let config = write_config(dir.path(), "syn.toml", SYNTHETIC);
    let out = dir.path().join("run");
    // A row every batch (1/16 of an epoch): rows early in an epoch cover too little to count.
    let output =
        train(&config, &out, &["--set", "stop.target_train_error=0.6", "--set", "stop.max_epochs=5", "--set", "training.log_every=1"]);
    assert!(output.status.success(), "{}", stderr(&output));
    let summary: serde_json::Value = serde_json::from_str(&fs::read_to_string(out.join("summary.json")).expect("summary")).expect("json");
    assert_eq!(summary["stop"]["reason"], "target-reached");
    let hit_iteration = summary["target_reached"]["iteration"].as_u64().expect("iteration");
    // The hit is the first metrics row at or below the target, and the last row written.
    let text = fs::read_to_string(out.join("metrics.csv")).expect("metrics");
    let rows: Vec<(u64, f64, f64)> = text
        .lines()
        .skip(1)
        .map(|l| {
            let f: Vec<&str> = l.split(',').collect();
            (f[1].parse().expect("u64"), f[3].parse().expect("f64"), f[0].parse().expect("f64"))
        })
        .collect();
    // Share of the epoch the row's running error covers (1 at an epoch end).
    let coverage = |epoch: f64| if epoch.fract() == 0.0 { 1.0 } else { epoch.fract() };
    let first = rows.iter().find(|(_, e, epoch)| *e <= 0.6 && coverage(*epoch) >= 0.2).expect("a row under target");
    assert_eq!(first.0, hit_iteration);
    assert_eq!(rows.last().expect("rows").0, hit_iteration);
}

#[test]
fn a_nan_loss_is_reported_as_divergence() {
    let dir = tempfile::tempdir().expect("tempdir");
    let config = write_config(dir.path(), "syn.toml", SYNTHETIC);
    let out = dir.path().join("run");
    let output = train(&config, &out, &["--set", "optimizer.lr=1e30"]);
    assert!(!output.status.success());
    let err = stderr(&output);
    assert!(err.contains("diverged"), "{err}");
    assert!(!err.contains("panicked"), "{err}");
}

/// Every instruction set actlab's own loops are compiled for gives the same training, bit for
/// bit, on tanh (its gradient loop) and convnet18's convolutions and pools; each one this CPU has
/// is forced in turn with ACTLAB_ISA.
#[test]
fn every_instruction_set_of_the_kernels_trains_the_same_run() {
    let dir = tempfile::tempdir().expect("tempdir");
    let config = write_config(dir.path(), "syn.toml", &SYNTHETIC.replace("activation = \"relu\"", "activation = \"tanh\""));
    let mut runs = Vec::new();
    for isa in actlab_kernels::Isa::ALL.into_iter().filter(|isa| isa.supported()) {
        let out = dir.path().join(isa.name());
        let output = Command::new(env!("CARGO_BIN_EXE_actlab"))
            .args(["train", "--progress", "quiet", "--set", "stop.max_epochs=1", "--config"])
            .arg(&config)
            .arg("--out")
            .arg(&out)
            .env(actlab_kernels::ISA_ENV, isa.name())
            .output()
            .expect("actlab runs");
        assert!(output.status.success(), "{isa}: {}", stderr(&output));
        runs.push((isa, metrics_without_timing(&out)));
    }
    let (first, want) = &runs[0];
    assert!(want.len() > 2, "rows were logged");
    for (isa, got) in &runs[1..] {
        assert_eq!(got, want, "{isa} trained differently from {first}");
    }
}

#[test]
fn an_instruction_set_that_is_unknown_or_missing_is_a_one_line_error() {
    let run = |value: &str| {
        Command::new(env!("CARGO_BIN_EXE_actlab")).arg("backends").env(actlab_kernels::ISA_ENV, value).output().expect("runs")
    };
    assert_one_line_error(&run("sse9"), "ACTLAB_ISA=sse9: not an instruction set the kernels are compiled for");
    if let Some(missing) = actlab_kernels::Isa::ALL.into_iter().find(|isa| !isa.supported()) {
        assert_one_line_error(&run(missing.name()), &format!("ACTLAB_ISA={missing}: this CPU cannot run it"));
    }
    assert!(run("baseline").status.success());
}
