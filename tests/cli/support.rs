//! What the topic modules share: running the binary, a small synthetic config, fake data.

use std::fs;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

pub const SYNTHETIC: &str = r#"
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

pub fn actlab(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_actlab")).args(args).output().expect("actlab runs")
}

pub fn write_config(dir: &Path, name: &str, text: &str) -> PathBuf {
    let path = dir.join(name);
    fs::write(&path, text).expect("write config");
    path
}

pub fn train(config: &Path, out: &Path, extra: &[&str]) -> Output {
    let mut args = vec!["train", "--config", config.to_str().expect("utf8"), "--out", out.to_str().expect("utf8")];
    args.extend_from_slice(extra);
    actlab(&args)
}

pub fn stderr(output: &Output) -> String {
    String::from_utf8_lossy(&output.stderr).into_owned()
}

/// Rows of metrics.csv without the timing columns (images/s, elapsed).
pub fn metrics_without_timing(out: &Path) -> Vec<String> {
    let text = fs::read_to_string(out.join("metrics.csv")).expect("metrics.csv");
    text.lines().map(|l| l.split(',').take(6).collect::<Vec<_>>().join(",")).collect()
}

/// A CIFAR-10 folder of `records` random records per batch file.
pub fn fake_cifar(dir: &Path, records: usize) -> PathBuf {
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

pub fn assert_one_line_error(output: &Output, needle: &str) {
    assert!(!output.status.success(), "expected failure");
    let err = stderr(output);
    assert!(!err.contains("panicked"), "panic: {err}");
    // Every line but warnings counts: a library's stray "error: ..." or a multi-line message
    // breaks the promise as surely as a second error would.
    let lines: Vec<&str> = err.lines().filter(|l| !l.starts_with("warning:")).collect();
    assert_eq!(lines.len(), 1, "not one line: {err}");
    assert!(lines[0].starts_with("error: "), "{err}");
    assert!(lines[0].contains(needle), "`{needle}` not in: {err}");
}

/// An MNIST folder of four raw IDX files: `train` and `test` images of `side`×`side`
/// (`test_side` for the test images).
pub fn fake_mnist(dir: &Path, train: u32, test: u32, side: u32, test_side: u32) -> PathBuf {
    let folder = dir.join("mnist");
    fs::create_dir_all(&folder).expect("mkdir");
    let images = |n: u32, side: u32| {
        let mut bytes = vec![0, 0, 8, 3];
        for d in [n, side, side] {
            bytes.extend(d.to_be_bytes());
        }
        bytes.extend((0..n * side * side).map(|i| (i % 251) as u8));
        bytes
    };
    let labels = |n: u32| {
        let mut bytes = vec![0, 0, 8, 1];
        bytes.extend(n.to_be_bytes());
        bytes.extend((0..n).map(|i| (i % 10) as u8));
        bytes
    };
    fs::write(folder.join("train-images-idx3-ubyte"), images(train, side)).expect("write");
    fs::write(folder.join("train-labels-idx1-ubyte"), labels(train)).expect("write");
    fs::write(folder.join("t10k-images-idx3-ubyte"), images(test, test_side)).expect("write");
    fs::write(folder.join("t10k-labels-idx1-ubyte"), labels(test)).expect("write");
    folder
}

/// `actlab WORDS… --progress quiet --out OUT --set S…` for a study run on synthetic data.
pub fn study_args(words: &[&str], out: &Path, sets: &[&str]) -> Vec<String> {
    let mut args: Vec<String> = words.iter().map(|s| s.to_string()).collect();
    args.extend(["--progress".to_string(), "quiet".to_string(), "--out".to_string(), out.display().to_string()]);
    for set in sets {
        args.extend(["--set".to_string(), set.to_string()]);
    }
    args
}

/// Runs `actlab ARGS…`, which must succeed, and reads the report.json it wrote into `out`.
pub fn run_report<R: serde::de::DeserializeOwned>(args: &[String], out: &Path) -> R {
    let refs: Vec<&str> = args.iter().map(String::as_str).collect();
    let output = actlab(&refs);
    assert!(output.status.success(), "{}", stderr(&output));
    serde_json::from_str(&fs::read_to_string(out.join("report.json")).expect("report.json")).expect("a report")
}

/// Runs an experiment as `--plan` waves: plans with `args` plus `--plan JOBS`, runs each job list
/// with `run_list(jobs, lines)`, until a wave is empty. Each wave's job lines.
pub fn plan_waves(args: &[String], jobs: &Path, run_list: impl Fn(&Path, usize)) -> Vec<Vec<String>> {
    let mut waves = Vec::new();
    // The tuner's rungs, extensions and seeds each wait for the wave before: 20 waves is ample
    // for the small studies of the tests.
    for _ in 0..20 {
        let mut planning = args.to_vec();
        planning.extend(["--plan".to_string(), jobs.display().to_string()]);
        let refs: Vec<&str> = planning.iter().map(String::as_str).collect();
        let output = actlab(&refs);
        assert!(output.status.success(), "{}", stderr(&output));
        let lines: Vec<String> = fs::read_to_string(jobs).expect("job list").lines().map(String::from).collect();
        if lines.is_empty() {
            return waves;
        }
        run_list(jobs, lines.len());
        waves.push(lines);
    }
    panic!("still listing runs after 20 waves: {:?}", waves.iter().map(Vec::len).collect::<Vec<_>>())
}

/// Runs a job list the way GNU parallel would: `xargs -P 2`, one shell per line.
pub fn run_with_xargs(jobs: &Path) {
    let script = format!("xargs -d '\\n' -P 2 -I{{}} sh -c {{}} < '{}'", jobs.display());
    let ran = Command::new("sh").args(["-c", &script]).output().expect("xargs");
    assert!(ran.status.success(), "{}", String::from_utf8_lossy(&ran.stderr));
}
