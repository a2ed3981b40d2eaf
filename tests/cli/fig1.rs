//! `actlab reproduce fig1` end to end on synthetic data, its report read back with the report's
//! own types and checked against the run folders it came from.

use actlab_experiments::fig1::{Report, SeedRun, Trial};
use actlab_models::Activation;
use actlab_train::metrics::{self, MetricsRow};
use actlab_train::stop::MIN_TARGET_COVERAGE;
use std::collections::BTreeSet;
use std::fs;
use std::path::{Path, PathBuf};

use crate::support::*;

const TARGET: f64 = 0.5;

fn args(out: &Path, seeds: &'static str) -> Vec<String> {
    let mut args: Vec<String> = [
        "reproduce",
        "fig1",
        "--quick",
        "--seeds",
        seeds,
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
    ]
    .iter()
    .map(|s| s.to_string())
    .collect();
    args.push(out.display().to_string());
    for set in [
        "dataset.name=\"synthetic\"",
        "dataset.synthetic.side=16",
        "dataset.normalize=\"per-channel\"",
        "model.init=\"kaiming\"",
        "training.batch_size=32",
        "training.log_every=4",
    ] {
        args.extend(["--set".to_string(), set.to_string()]);
    }
    args
}

fn run(args: &[String]) -> Report {
    let out = PathBuf::from(&args[args.iter().position(|a| a == "--out").expect("--out") + 1]);
    run_report(args, &out)
}

/// Each activation's chosen rate and each seed's epochs to the target.
fn outcomes(report: &Report) -> Vec<(String, f64, Vec<Option<f64>>)> {
    report.results.iter().map(|r| (r.activation.to_string(), r.chosen_lr, r.runs.iter().map(|s| s.epochs_to_target).collect())).collect()
}

fn rows(folder: &str) -> Vec<MetricsRow> {
    metrics::read(&Path::new(folder).join("metrics.csv")).expect("metrics.csv")
}

/// Epochs to target, read off the metrics: the first row at or under the target that covers at
/// least a fifth of its epoch (or ends it).
fn first_hit(folder: &str) -> Option<f64> {
    let covered = |epoch: f64| epoch.fract() == 0.0 || epoch.fract() >= MIN_TARGET_COVERAGE;
    rows(folder).iter().find(|r| r.train_error <= TARGET && covered(r.epoch)).map(|r| r.epoch)
}

/// Every trial's score is the last training error in its metrics.csv; 1e30 diverges for relu.
fn check_trials(trials: &[Trial]) {
    // 2 activations x 3 rates, plus at most 3 edge extensions each.
    assert!((6..=12).contains(&trials.len()), "{} trials", trials.len());
    // relu overflows to NaN at lr 1e30 (tanh saturates and may stay finite).
    assert!(trials.iter().any(|t| t.activation == Activation::Relu && t.lr == 1e30 && t.diverged));
    for trial in trials {
        if trial.diverged {
            assert!(trial.train_error.is_none(), "{trial:?}");
            continue;
        }
        let last = rows(&trial.folder).last().expect("a row").train_error;
        assert!((trial.train_error.expect("a score") - last).abs() < 1e-6, "{trial:?} vs {last}");
    }
}

fn check_run(run: &SeedRun) {
    let hit = first_hit(&run.folder);
    assert_eq!(run.reached, hit.is_some(), "{run:?}");
    match (run.epochs_to_target, hit) {
        (Some(a), Some(b)) => assert!((a - b).abs() < 1e-6, "{run:?}: {a} vs {b}"),
        (a, b) => assert_eq!(a, b, "{run:?}"),
    }
}

/// The finalists are the two best-scoring trials, each run from seed 1 to the target; the chosen
/// rate is the one that got there first (else the best score), and its run is seed 1's.
fn check_results(report: &Report) {
    for result in &report.results {
        let mut scored: Vec<(f64, f64)> =
            report.trials.iter().filter(|t| t.activation == result.activation).filter_map(|t| Some((t.lr, t.train_error?))).collect();
        scored.sort_by(|a, b| a.1.total_cmp(&b.1));
        assert_eq!(result.finalists.len(), 2.min(scored.len()), "{result:?}");
        for (finalist, (lr, score)) in result.finalists.iter().zip(&scored) {
            assert_eq!((finalist.lr, finalist.trial_error), (*lr, *score));
            assert!(finalist.run.folder.ends_with("seed-1") && finalist.run.seed == 1, "{finalist:?}");
            check_run(&finalist.run);
        }
        let fastest = result
            .finalists
            .iter()
            .filter(|f| f.run.epochs_to_target.is_some())
            .min_by(|a, b| a.run.epochs_to_target.expect("reached").total_cmp(&b.run.epochs_to_target.expect("reached")));
        let chosen = fastest.unwrap_or(&result.finalists[0]);
        assert_eq!(result.chosen_lr, chosen.lr);
        assert_eq!(result.runs[0], chosen.run);
        result.runs.iter().for_each(check_run);
        let reached = result.epochs_reached();
        if !reached.is_empty() {
            let mean = reached.iter().sum::<f64>() / reached.len() as f64;
            assert!((result.epochs_to_target.as_ref().expect("estimate").mean - mean).abs() < 1e-6);
        }
    }
}

/// The run folders on disk are exactly the reported runs and finalists.
fn check_no_stray_runs(out: &Path, report: &Report) {
    for result in &report.results {
        let on_disk: BTreeSet<PathBuf> = fs::read_dir(out.join("runs").join(result.activation.name()))
            .expect("runs")
            .flatten()
            .flat_map(|lr| fs::read_dir(lr.path()).expect("lr").flatten().map(|seed| seed.path()))
            .collect();
        let reported: BTreeSet<PathBuf> =
            result.runs.iter().chain(result.finalists.iter().map(|f| &f.run)).map(|r| PathBuf::from(&r.folder)).collect();
        assert_eq!(on_disk, reported, "{}", result.activation);
    }
}

#[test]
fn reproduce_fig1_pipeline_on_synthetic_data_reports_what_its_runs_measured() {
    let dir = tempfile::tempdir().expect("tempdir");
    let out = dir.path().join("fig1");
    let report = run(&args(&out, "2"));
    for file in ["report.md", "report.json", "fig1.png", "fig1.svg"] {
        assert!(out.join(file).exists(), "missing {file}");
    }
    assert!(fs::metadata(out.join("fig1.png")).expect("png").len() > 5_000, "empty-looking figure");
    let md = fs::read_to_string(out.join("report.md")).expect("md");
    assert!(md.contains("Reduced run") && md.contains("class-balanced subset"), "{md}");
    assert!(md.contains("## Learning-rate finalists") && !md.contains("without racing"), "{md}");
    check_trials(&report.trials);
    check_results(&report);

    // A rerun finds everything finished and writes the same report.
    assert_eq!(run(&args(&out, "2")), report);

    // Planned wave by wave (--plan, run by xargs -P 2) it gives the same rates and epochs, and the
    // first wave holds every rate of both grids, the trials being independent runs.
    let waves: Vec<usize> =
        plan_waves(&args(&dir.path().join("planned"), "2"), &dir.path().join("jobs.txt"), |jobs, _| run_with_xargs(jobs))
            .iter()
            .map(Vec::len)
            .collect();
    assert_eq!(waves[0], 6, "3 grid rates × 2 activations in the first wave: {waves:?}");
    let planned = run(&args(&dir.path().join("planned"), "2"));
    assert_eq!(outcomes(&planned), outcomes(&report), "waves {waves:?}");

    // --report-only with a third seed asked for trains nothing: the report keeps what finished and
    // lists the missing runs, and no folder is made for them.
    let mut more = args(&out, "3");
    more.push("--report-only".into());
    let partial = run(&more);
    assert_eq!(partial.results, report.results);
    assert_eq!(partial.pending.len(), 2, "{:?}", partial.pending);
    assert!(partial.pending[0].starts_with("relu seed 3") && partial.pending[1].starts_with("tanh seed 3"), "{:?}", partial.pending);
    check_no_stray_runs(&out, &report);
    assert!(fs::read_to_string(out.join("report.md")).expect("md").contains("Not finished yet"));

    // On an empty folder it reports that no search has finished, and creates no run folders.
    let empty = dir.path().join("empty");
    let mut none = args(&empty, "2");
    none.push("--report-only".into());
    let nothing = run(&none);
    assert!(nothing.results.is_empty());
    assert!(nothing.pending.iter().all(|p| p.contains("learning-rate trial")), "{:?}", nothing.pending);
    assert!(!empty.join("search").exists() && !empty.join("runs").exists());
}

#[test]
fn options_out_of_range_fail_before_anything_is_trained() {
    let dir = tempfile::tempdir().expect("tempdir");
    for (flag, value) in [("--target", "1.5"), ("--max-epochs", "nan"), ("--trial-epochs", "0")] {
        let out = dir.path().join(flag.trim_start_matches('-'));
        let mut args = args(&out, "2");
        let at = args.iter().position(|a| a == flag).expect("the flag is among the test's arguments");
        args[at + 1] = value.to_string();
        let refs: Vec<&str> = args.iter().map(String::as_str).collect();
        let output = actlab(&refs);
        assert_one_line_error(&output, flag);
        assert!(!out.join("search").exists(), "{flag}: trained before checking");
    }
}
