//! End-to-end tests of the `actlab` command: training runs, run folders, resumption,
//! determinism, and clear one-line errors for bad input.

use std::fs;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

const SYNTHETIC: &str = r#"
[dataset]
name = "synthetic"
normalize = "per-channel"
[dataset.synthetic]
train = 512
test = 128
side = 16

[model]
arch = "convnet18"
activation = "relu"
init = "kaiming"

[optimizer]
kind = "sgd"
lr = 0.01
momentum = 0.9

[training]
batch_size = 32
log_every = 4
seed = 7

[stop]
max_epochs = 2
"#;

fn actlab(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_actlab")).args(args).output().expect("actlab runs")
}

fn write_config(dir: &Path, name: &str, text: &str) -> PathBuf {
    let path = dir.join(name);
    fs::write(&path, text).expect("write config");
    path
}

fn train(config: &Path, out: &Path, extra: &[&str]) -> Output {
    let mut args = vec!["train", "--config", config.to_str().expect("utf8"), "--out", out.to_str().expect("utf8")];
    args.extend_from_slice(extra);
    actlab(&args)
}

fn stderr(output: &Output) -> String {
    String::from_utf8_lossy(&output.stderr).into_owned()
}

/// Rows of metrics.csv without the timing columns (images/s, elapsed).
fn metrics_without_timing(out: &Path) -> Vec<String> {
    let text = fs::read_to_string(out.join("metrics.csv")).expect("metrics.csv");
    text.lines().map(|l| l.split(',').take(6).collect::<Vec<_>>().join(",")).collect()
}

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

/// A CIFAR-10 folder of `records` random records per batch file.
fn fake_cifar(dir: &Path, records: usize) -> PathBuf {
    let folder = dir.join("cifar-10-batches-bin");
    fs::create_dir_all(&folder).expect("mkdir");
    for (b, name) in ["data_batch_1.bin", "data_batch_2.bin", "data_batch_3.bin", "data_batch_4.bin", "data_batch_5.bin", "test_batch.bin"]
        .iter()
        .enumerate()
    {
        let mut bytes = Vec::new();
        for r in 0..records {
            bytes.push(((r + b) % 10) as u8);
            bytes.extend((0..3072).map(|i| ((i * 7 + r * 13 + b) % 256) as u8));
        }
        fs::write(folder.join(name), bytes).expect("write batch");
    }
    folder
}

fn assert_one_line_error(output: &Output, needle: &str) {
    assert!(!output.status.success(), "expected failure");
    let err = stderr(output);
    assert!(!err.contains("panicked"), "panic: {err}");
    let errors: Vec<&str> = err.lines().filter(|l| l.starts_with("error:")).collect();
    assert_eq!(errors.len(), 1, "{err}");
    assert!(errors[0].contains(needle), "`{needle}` not in: {err}");
}

#[test]
fn corrupt_inputs_end_with_one_clear_error() {
    let dir = tempfile::tempdir().expect("tempdir");
    let cifar = fake_cifar(dir.path(), 20);
    let cifar_config =
        |path: &Path| SYNTHETIC.replace("name = \"synthetic\"", &format!("name = \"cifar10\"\npath = \"{}\"", path.display()));
    // A truncated batch: the error names the file and the offset of the partial record.
    let batch = cifar.join("data_batch_3.bin");
    let bytes = fs::read(&batch).expect("read");
    fs::write(&batch, &bytes[..bytes.len() - 100]).expect("truncate");
    let config = write_config(dir.path(), "c.toml", &cifar_config(&cifar));
    let output = train(&config, &dir.path().join("r1"), &[]);
    assert_one_line_error(&output, "data_batch_3.bin");
    assert!(stderr(&output).contains("offset 58387"), "{}", stderr(&output));
    fs::write(&batch, &bytes).expect("restore");

    // A label byte of 10 in record 2.
    let mut bad = bytes.clone();
    bad[2 * 3073] = 10;
    fs::write(&batch, &bad).expect("write");
    let output = train(&config, &dir.path().join("r2"), &[]);
    assert_one_line_error(&output, "label 10 at byte offset 6146");
    fs::write(&batch, &bytes).expect("restore");

    // A bad IDX magic number.
    let mnist = dir.path().join("mnist");
    fs::create_dir_all(&mnist).expect("mkdir");
    fs::write(mnist.join("train-images-idx3-ubyte"), [0u8, 0, 8, 1, 0, 0, 0, 0]).expect("write");
    let output = actlab(&["data", "info", mnist.to_str().expect("utf8"), "--dataset", "mnist"]);
    assert_one_line_error(&output, "bad magic number");

    // An unknown config key, and a negative learning rate.
    let config = write_config(dir.path(), "k.toml", &SYNTHETIC.replace("lr = 0.01", "lr = 0.01\nlearning_rate = 3"));
    assert_one_line_error(&train(&config, &dir.path().join("r3"), &[]), "learning_rate");
    let config = write_config(dir.path(), "n.toml", SYNTHETIC);
    let output = train(&config, &dir.path().join("r4"), &["--set", "optimizer.lr=-0.1"]);
    assert_one_line_error(&output, "optimizer.lr");
    // A value of the wrong type names its key.
    let output = train(&config, &dir.path().join("r5"), &["--set", "training.batch_size=\"big\""]);
    assert_one_line_error(&output, "training.batch_size");
    // A missing data folder says how to get the data.
    let config = write_config(dir.path(), "m.toml", &cifar_config(&dir.path().join("nowhere")));
    assert_one_line_error(&train(&config, &dir.path().join("r6"), &[]), "actlab data download cifar10");
}

#[test]
fn unofficial_files_warn_by_default_and_fail_with_strict_data() {
    let dir = tempfile::tempdir().expect("tempdir");
    let cifar = fake_cifar(dir.path(), 40);
    let config = SYNTHETIC.replace("name = \"synthetic\"", &format!("name = \"cifar10\"\npath = \"{}\"", cifar.display()));
    let config = write_config(dir.path(), "c.toml", &config.replace("max_epochs = 2", "max_epochs = 0.5"));
    let output = train(&config, &dir.path().join("r1"), &[]);
    assert!(output.status.success(), "{}", stderr(&output));
    assert!(stderr(&output).contains("warning: ") && stderr(&output).contains("data_batch_1.bin"), "{}", stderr(&output));
    let output = train(&config, &dir.path().join("r2"), &["--strict-data"]);
    assert_one_line_error(&output, "is not the official");

    let info = actlab(&["data", "info", cifar.to_str().expect("utf8")]);
    assert!(info.status.success(), "{}", stderr(&info));
    let text = String::from_utf8_lossy(&info.stdout);
    assert!(text.contains("train: 200 images of 3x32x32"), "{text}");
    assert!(text.contains("NOT official"), "{text}");
}

#[test]
fn reproduce_fig1_pipeline_on_synthetic_data_reports_what_its_runs_measured() {
    let dir = tempfile::tempdir().expect("tempdir");
    let out = dir.path().join("fig1");
    let args = [
        "reproduce",
        "fig1",
        "--quick",
        "--seeds",
        "2",
        "--lr-grid",
        "0.003,0.01,1e30",
        "--trial-epochs",
        "0.5",
        "--finalists",
        "2",
        "--max-epochs",
        "6",
        "--target",
        "0.5",
        "--progress",
        "quiet",
        "--out",
        out.to_str().expect("utf8"),
        "--set",
        "dataset.name=\"synthetic\"",
        "--set",
        "dataset.synthetic.side=16",
        "--set",
        "dataset.normalize=\"per-channel\"",
        "--set",
        "model.init=\"kaiming\"",
        "--set",
        "training.batch_size=32",
        "--set",
        "training.log_every=4",
    ];
    let output = actlab(&args);
    assert!(output.status.success(), "{}", stderr(&output));
    for file in ["report.md", "report.json", "fig1.png", "fig1.svg"] {
        assert!(out.join(file).exists(), "missing {file}");
    }
    assert!(fs::metadata(out.join("fig1.png")).expect("png").len() > 5_000, "empty-looking figure");
    let md = fs::read_to_string(out.join("report.md")).expect("md");
    assert!(md.contains("Reduced run") && md.contains("class-balanced subset"), "{md}");
    assert!(md.contains("## Learning-rate finalists") && !md.contains("without racing"), "{md}");
    let report: serde_json::Value = serde_json::from_str(&fs::read_to_string(out.join("report.json")).expect("json")).expect("parse");

    // Every trial's score is the last training error in its metrics.csv; 1e30 diverges.
    let trials = report["trials"].as_array().expect("trials");
    // 2 activations x 3 rates, plus at most 3 edge extensions each.
    assert!((6..=12).contains(&trials.len()), "{} trials", trials.len());
    // relu overflows to NaN at lr 1e30 (tanh saturates and may stay finite).
    assert!(trials.iter().any(|t| t["activation"] == "relu" && t["lr"].as_f64() == Some(1e30) && t["diverged"] == true));
    for trial in trials {
        let folder = PathBuf::from(trial["folder"].as_str().expect("folder"));
        if trial["diverged"] == true {
            assert!(trial["train_error"].is_null(), "{trial}");
            continue;
        }
        let last_row = fs::read_to_string(folder.join("metrics.csv")).expect("metrics").lines().last().expect("row").to_string();
        let error: f64 = last_row.split(',').nth(3).expect("col").parse().expect("f64");
        assert!((trial["train_error"].as_f64().expect("score") - error).abs() < 1e-6, "{trial} vs {last_row}");
    }
    // Epochs to target: the first metrics row at or under the target that covers at least a
    // fifth of its epoch.
    let first_hit = |folder: &str| {
        let text = fs::read_to_string(Path::new(folder).join("metrics.csv")).expect("metrics");
        let covered = |epoch: f64| epoch.fract() == 0.0 || epoch.fract() >= 0.2;
        text.lines()
            .skip(1)
            .map(|l| l.split(',').map(|f| f.parse::<f64>().unwrap_or(f64::NAN)).collect::<Vec<_>>())
            .find(|f| f[3] <= 0.5 && covered(f[0]))
            .map(|f| f[0])
    };
    let close = |a: &serde_json::Value, b: Option<f64>| match b {
        Some(b) => (a.as_f64().expect("number") - b).abs() < 1e-6,
        None => a.is_null(),
    };
    for result in report["results"].as_array().expect("results") {
        let activation = result["activation"].as_str().expect("name");
        // The finalists are the two best-scoring trials, each run from seed 1 to the target.
        let mut scored: Vec<(f64, f64)> = trials
            .iter()
            .filter(|t| t["activation"] == activation && !t["train_error"].is_null())
            .map(|t| (t["lr"].as_f64().expect("lr"), t["train_error"].as_f64().expect("score")))
            .collect();
        scored.sort_by(|a, b| a.1.total_cmp(&b.1));
        let finalists = result["finalists"].as_array().expect("finalists");
        assert_eq!(finalists.len(), 2.min(scored.len()), "{result}");
        for (finalist, (lr, score)) in finalists.iter().zip(&scored) {
            assert_eq!(finalist["lr"].as_f64(), Some(*lr));
            assert_eq!(finalist["trial_error"].as_f64(), Some(*score));
            let folder = finalist["folder"].as_str().expect("folder");
            assert!(folder.ends_with("seed-1"), "{folder}");
            assert_eq!(finalist["seed"], 1, "{finalist}");
            assert!(close(&finalist["epochs_to_target"], first_hit(folder)), "{finalist}");
        }
        // The chosen rate is the finalist that reached the target first (else the best score),
        // and its finalist run is the full run of seed 1.
        let fastest = finalists
            .iter()
            .filter(|f| !f["epochs_to_target"].is_null())
            .min_by(|a, b| a["epochs_to_target"].as_f64().expect("e").total_cmp(&b["epochs_to_target"].as_f64().expect("e")));
        let chosen = fastest.unwrap_or(&finalists[0]);
        assert_eq!(result["chosen_lr"], chosen["lr"]);
        for field in ["seed", "folder", "reached", "epochs_to_target", "seconds_to_target", "epochs_run", "stop", "commit"] {
            assert_eq!(result["runs"][0][field], chosen[field], "{field}");
        }
        let mut reached = Vec::new();
        for run in result["runs"].as_array().expect("runs") {
            let hit = first_hit(run["folder"].as_str().expect("f"));
            assert!(close(&run["epochs_to_target"], hit), "{run}");
            assert_eq!(run["reached"], hit.is_some(), "{run}");
            reached.extend(hit);
        }
        if !reached.is_empty() {
            let mean = reached.iter().sum::<f64>() / reached.len() as f64;
            assert!((result["epochs_to_target"]["mean"].as_f64().expect("mean") - mean).abs() < 1e-6);
        }
    }
    // A rerun finds everything finished and writes the same report.
    let again = actlab(&args);
    assert!(again.status.success(), "{}", stderr(&again));
    let report_again: serde_json::Value = serde_json::from_str(&fs::read_to_string(out.join("report.json")).expect("json")).expect("parse");
    assert_eq!(report, report_again);

    // --report-only with a third seed asked for trains nothing: the report keeps what finished and
    // lists the missing runs.
    let mut more = args.to_vec();
    assert_eq!((more[3], more[4]), ("--seeds", "2"));
    more[4] = "3";
    more.push("--report-only");
    let partial = actlab(&more);
    assert!(partial.status.success(), "{}", stderr(&partial));
    let report3: serde_json::Value = serde_json::from_str(&fs::read_to_string(out.join("report.json")).expect("json")).expect("parse");
    assert_eq!(report3["results"], report["results"]);
    let pending: Vec<&str> = report3["pending"].as_array().expect("pending").iter().filter_map(|p| p.as_str()).collect();
    assert_eq!(pending.len(), 2, "{pending:?}");
    assert!(pending[0].starts_with("relu seed 3") && pending[1].starts_with("tanh seed 3"), "{pending:?}");
    // No folder for the seeds not run: the run folders on disk are exactly the finished runs and finalists.
    for result in report["results"].as_array().expect("results") {
        let activation = result["activation"].as_str().expect("name");
        let on_disk: std::collections::BTreeSet<PathBuf> = fs::read_dir(out.join("runs").join(activation))
            .expect("runs")
            .flatten()
            .flat_map(|lr| fs::read_dir(lr.path()).expect("lr").flatten().map(|seed| seed.path()))
            .collect();
        let reported: std::collections::BTreeSet<PathBuf> = ["runs", "finalists"]
            .iter()
            .flat_map(|key| result[*key].as_array().expect("list").iter().map(|r| PathBuf::from(r["folder"].as_str().expect("folder"))))
            .collect();
        assert_eq!(on_disk, reported, "{activation}");
    }
    assert!(fs::read_to_string(out.join("report.md")).expect("md").contains("Not finished yet"));

    // On an empty folder it reports that no search has finished, and creates no run folders.
    let empty = dir.path().join("empty");
    let mut none = args.to_vec();
    let out_at = none.iter().position(|a| *a == "--out").expect("--out") + 1;
    none[out_at] = empty.to_str().expect("utf8");
    none.push("--report-only");
    let nothing = actlab(&none);
    assert!(nothing.status.success(), "{}", stderr(&nothing));
    let report0: serde_json::Value = serde_json::from_str(&fs::read_to_string(empty.join("report.json")).expect("json")).expect("parse");
    assert_eq!(report0["results"].as_array().map(Vec::len), Some(0));
    assert!(report0["pending"].as_array().expect("pending").iter().all(|p| p.as_str().is_some_and(|p| p.contains("learning-rate trial"))));
    assert!(!empty.join("search").exists() && !empty.join("runs").exists());
}

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
