//! Killing a training run anywhere loses nothing: after `kill -9`s at random moments and at
//! every kind of write (through `ACTLAB_FAILPOINT`), rerunning the same command finishes with the
//! metrics of a run that was never interrupted, and leaves no temporary files behind.

use std::fs;
use std::os::unix::process::ExitStatusExt;
use std::path::Path;
use std::process::{Command, Stdio};
use std::thread::sleep;
use std::time::{Duration, Instant};

use crate::support::{SYNTHETIC, metrics_without_timing, stderr, train, write_config};

/// SYNTHETIC with a checkpoint after (nearly) every iteration, so kills land in checkpoint writes.
fn crash_config(dir: &Path) -> std::path::PathBuf {
    let text = SYNTHETIC.replace("seed = 7", "seed = 7\ncheckpoint_minutes = 0.0001");
    write_config(dir, "crash.toml", &text)
}

fn train_command(config: &Path, out: &Path) -> Command {
    let mut command = Command::new(env!("CARGO_BIN_EXE_actlab"));
    command.args(["train", "--progress", "quiet", "--config"]).arg(config).arg("--out").arg(out);
    command.stdout(Stdio::null()).stderr(Stdio::piped());
    command
}

/// Files a kill may leave that a finished, resumed run must have cleaned up.
fn leftovers(out: &Path) -> Vec<String> {
    let mut found = Vec::new();
    for dir in [out.to_path_buf(), out.join("checkpoint")] {
        for entry in fs::read_dir(&dir).expect("ls") {
            let name = entry.expect("entry").file_name().to_string_lossy().into_owned();
            if name.ends_with(".tmp") {
                found.push(name);
            }
        }
    }
    let checkpoint_files = fs::read_dir(out.join("checkpoint")).expect("ls").filter(|e| {
        let name = e.as_ref().expect("entry").file_name().to_string_lossy().into_owned();
        name.ends_with(".bpk")
    });
    if checkpoint_files.count() != 2 {
        found.push("more than one checkpoint".into());
    }
    found
}

/// The point, and at which passing of it, each killed run dies; in this order they cover the
/// writes of the config, the metrics (the resume's rewrite and a row), a checkpoint (between its
/// files, within and after its state) and the summary.
const FAILPOINTS: [&str; 12] = [
    "config-partial@1",
    "config-written@1",
    "metrics-partial@1",
    "metrics-row@2",
    "metrics-written@1",
    "checkpoint-model@3",
    "checkpoint-state-partial@2",
    "metrics-row@3",
    "checkpoint-state-written@5",
    "checkpoint-model@4",
    "summary-partial@1",
    "summary-written@1",
];

#[test]
fn kills_at_every_kind_of_write_and_at_random_moments_lose_nothing() {
    let dir = tempfile::tempdir().expect("tempdir");
    let config = crash_config(dir.path());
    let reference = dir.path().join("reference");
    let clean = train(&config, &reference, &["--progress", "quiet"]);
    assert!(clean.status.success(), "{}", stderr(&clean));
    let expected = metrics_without_timing(&reference);

    let at_writes = dir.path().join("at-writes");
    for point in FAILPOINTS {
        let output = train_command(&config, &at_writes).env("ACTLAB_FAILPOINT", point).output().expect("runs");
        assert_eq!(output.status.signal(), Some(9), "failpoint {point} did not kill the run: {}", stderr(&output));
    }
    let finished = train(&config, &at_writes, &["--progress", "quiet"]);
    assert!(finished.status.success(), "{}", stderr(&finished));
    assert_eq!(metrics_without_timing(&at_writes), expected, "resumed after kills at writes");
    assert_eq!(leftovers(&at_writes), Vec::<String>::new());

    let mut kills = 0;
    for folder in 0..20 {
        let random = dir.path().join(format!("random-{folder}"));
        kills += kill_at_random_moments(&config, &random, folder as u64);
        assert_eq!(metrics_without_timing(&random), expected, "resumed after random kills, folder {folder}");
        assert_eq!(leftovers(&random), Vec::<String>::new());
        if kills >= 24 {
            break;
        }
    }
    eprintln!("crash test: {} kills at writes, {kills} at random moments", FAILPOINTS.len());
    assert!(FAILPOINTS.len() + kills >= 36, "only {} kills", FAILPOINTS.len() + kills);
}

/// Earlier builds wrote config.toml in place, so a kill could leave it empty, and every
/// rerun then failed with "missing field `dataset`". Such a folder now resumes.
#[test]
fn an_empty_config_left_by_an_old_kill_resumes_instead_of_failing() {
    let dir = tempfile::tempdir().expect("tempdir");
    let config = crash_config(dir.path());
    let (reference, out) = (dir.path().join("reference"), dir.path().join("out"));
    assert!(train(&config, &reference, &["--progress", "quiet"]).status.success());
    let half = train(&config, &out, &["--progress", "quiet", "--set", "stop.max_epochs=1"]);
    assert!(half.status.success(), "{}", stderr(&half));
    fs::remove_file(out.join("summary.json")).expect("rm summary");
    fs::write(out.join("config.toml"), "").expect("empty config");
    let resumed = train(&config, &out, &["--progress", "quiet"]);
    assert!(resumed.status.success(), "{}", stderr(&resumed));
    assert!(!fs::read_to_string(out.join("config.toml")).expect("config").is_empty());
    assert_eq!(metrics_without_timing(&out), metrics_without_timing(&reference));
}

/// Starts the run again and again, each time killing it after a pseudo-random delay, until a
/// run ends by itself; then checks the last one succeeded. Returns how many runs were killed.
fn kill_at_random_moments(config: &Path, out: &Path, seed: u64) -> usize {
    let (mut kills, mut state) = (0, 0x2545_f491_u64 ^ seed);
    loop {
        state = state.wrapping_mul(6_364_136_223_846_793_005).wrapping_add(1_442_695_040_888_963_407);
        let delay = Duration::from_millis(30 + (state >> 33) % 400);
        let mut child = train_command(config, out).spawn().expect("spawn");
        let started = Instant::now();
        while started.elapsed() < delay && child.try_wait().expect("wait").is_none() {
            sleep(Duration::from_millis(2));
        }
        if child.try_wait().expect("wait").is_some() {
            let output = child.wait_with_output().expect("output");
            assert!(output.status.success(), "after {kills} kills: {}", stderr(&output));
            return kills;
        }
        child.kill().expect("kill -9");
        let status = child.wait().expect("wait");
        // On a loaded machine the run can finish between the check above and the kill.
        if status.success() {
            return kills;
        }
        assert_eq!(status.signal(), Some(9), "after {kills} kills: {status}");
        kills += 1;
    }
}
