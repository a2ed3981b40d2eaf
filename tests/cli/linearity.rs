//! `actlab study linearity` end to end on synthetic data: the report's numbers against the run
//! folders they came from, the affinity check, resuming, and --report-only.

use actlab_experiments::linearity::{Cell, Report};
use actlab_experiments::toolkit::markdown::fmt_lr;
use actlab_experiments::toolkit::tuner::Score;
use actlab_train::metrics::{self, MetricsRow};
use actlab_train::stop::{first_hit, max_iterations};
use std::fs;
use std::path::Path;

use crate::support::*;

fn args(out: &Path, seeds: &str) -> Vec<String> {
    let words = ["study", "linearity", "--quick", "--slopes", "0,0.5,1", "--zoo", "relu,tanh", "--epochs", "2", "--seeds", seeds];
    study_args(&words, out, &["dataset.name=\"synthetic\"", "dataset.synthetic.side=16", "training.batch_size=32", "training.log_every=4"])
}

fn run(args: &[String], out: &Path) -> Report {
    run_report(args, out)
}

fn rows(folder: &Path) -> Vec<MetricsRow> {
    metrics::read(&folder.join("metrics.csv")).expect("metrics.csv")
}

/// Every score the tuner read is seed 1's metrics row where its run stopped at that rung; the
/// chosen rate is interior (both neighbours ran from every seed) and has the lowest seed mean,
/// unless the tie rule says why not.
fn check_tuning(cell: &Cell, out: &Path) {
    let t = &cell.tuning;
    for rate in &t.rates {
        let folder = |seed: u64| out.join("runs").join(&cell.key).join(format!("lr-{}", fmt_lr(rate.lr))).join(format!("seed-{seed}"));
        let rows = rows(&folder(1));
        let summary: serde_json::Value =
            serde_json::from_str(&fs::read_to_string(folder(1).join("summary.json")).expect("summary")).expect("json");
        let images = summary["dataset"]["train_images"].as_u64().expect("train images") as usize;
        for (score, budget) in rate.rungs.iter().zip(&t.plan.rungs) {
            if let Score::Value(v) = score {
                let at = max_iterations(*budget, images, 32);
                let row = rows.iter().find(|r| r.iteration == at).expect("a row where the rung stopped");
                assert!((row.train_error - v).abs() < 1e-6, "{} {} at {budget}", cell.key, rate.lr);
            }
        }
    }
    assert!(!t.at_edge, "{}: {t:?}", cell.key);
    for trace in t.basin() {
        assert_eq!(trace.expect("a neighbour").seeds.len(), t.plan.seeds, "{}", cell.key);
    }
    let best = t.rates.iter().filter_map(|r| Some((r.lr, r.seed_mean()?))).min_by(|a, b| a.1.total_cmp(&b.1)).expect("a seed mean");
    assert_eq!(best.0, t.best_by_mean, "{}", cell.key);
    assert!(t.lr == t.best_by_mean || t.decisions.iter().any(|d| d.starts_with("tie:")), "{t:?}");
    assert_eq!(cell.lr, t.lr);
}

/// Each run's figures are its metrics' last row and first hit; the cell's means are over its runs.
fn check_cell(cell: &Cell, out: &Path, target: f64) {
    check_tuning(cell, out);
    for run in &cell.runs {
        assert!(run.folder.contains(&format!("lr-{}", fmt_lr(cell.lr))), "{run:?}");
        let rows = rows(Path::new(&run.folder));
        let last = rows.last().expect("a row");
        if !run.diverged {
            assert!((run.train_error.expect("an error") - last.train_error).abs() < 1e-6, "{run:?}");
            assert!((run.test_error.expect("evaluated at the end") - last.test_error.expect("a test error")).abs() < 1e-6, "{run:?}");
        }
        assert_eq!(run.epochs_to_target, first_hit(&rows, target).map(|r| r.epoch), "{run:?}");
    }
    let errors: Vec<f64> = cell.runs.iter().filter_map(|r| r.train_error).collect();
    let mean = errors.iter().sum::<f64>() / errors.len() as f64;
    assert!((cell.train_error.as_ref().expect("an estimate").mean - mean).abs() < 1e-9, "{}", cell.key);
}

#[test]
fn linearity_study_on_synthetic_data_reports_what_its_runs_measured() {
    let dir = tempfile::tempdir().expect("tempdir");
    let out = dir.path().join("study");
    let report = run(&args(&out, "2"), &out);
    for file in ["report.md", "report.json", "activations.png", "slopes.png", "zoo.png", "sensitivity.png", "sensitivity.svg"] {
        assert!(out.join(file).exists(), "missing {file}");
    }
    // Cells are shared between the parts: α = 0 is relu, α = 1 the identity, as in Part A and the zoo.
    let keys: Vec<&str> = report.slopes.iter().map(|p| p.key.as_str()).collect();
    assert_eq!(keys, ["convnet18-relu", "convnet18-leaky-relu-0.5", "convnet18-identity"]);
    assert_eq!(report.cells.len(), 9, "7 of Part A, leaky 0.5, tanh: {:?}", report.cells.iter().map(|c| &c.key).collect::<Vec<_>>());
    for cell in &report.cells {
        check_cell(cell, &out, report.plan.target);
    }
    // The affinity check: the nets with no non-linearity are affine, the rest are not.
    for row in &report.collapse {
        let deviation = report.cell(&row.key).and_then(|c| c.affine_deviation).expect("measured");
        if row.linear {
            assert!(deviation < 1e-4, "{}: {deviation:e}", row.key);
        } else {
            assert!(deviation > 1e-3, "{}: {deviation:e}", row.key);
        }
    }
    // Verdicts are seed-paired: tanh − relu at the chosen rates is the mean of the per-seed differences.
    let verdict = report.verdicts.iter().find(|v| v.a == "convnet18-tanh" && v.b == "convnet18-relu").expect("tanh vs relu");
    let (tanh, relu) = (report.cell("convnet18-tanh").expect("tanh"), report.cell("convnet18-relu").expect("relu"));
    let diffs: Vec<f64> = tanh.runs.iter().zip(&relu.runs).filter_map(|(a, b)| Some(a.train_error? - b.train_error?)).collect();
    let chosen = verdict.chosen.as_ref().expect("paired");
    // metrics.csv keeps six decimals, summary.json all of them.
    assert!((chosen.mean - diffs.iter().sum::<f64>() / diffs.len() as f64).abs() < 1e-5, "{verdict:?} {diffs:?}");
    let md = fs::read_to_string(out.join("report.md")).expect("md");
    assert!(md.contains("## Verdicts") && md.contains("sensitivity.png") && md.contains("successive halving"), "{md}");
    assert!(md.contains("## A.") && md.contains("## B.") && md.contains("## C.") && md.contains("Reduced run"), "{md}");

    // A rerun finds every run finished; a third seed asked with --report-only is listed as pending.
    assert_eq!(run(&args(&out, "2"), &out), report);
    let mut more = args(&out, "3");
    more.push("--report-only".into());
    let partial = run(&more, &out);
    assert!(
        partial.cells.is_empty() && partial.provenance.pending.iter().all(|p| p.contains("seed 3")),
        "{:?}",
        partial.provenance.pending
    );
}

#[test]
fn linearity_options_out_of_range_fail_before_training() {
    let dir = tempfile::tempdir().expect("tempdir");
    let out = dir.path().join("study");
    let mut bad = args(&out, "2");
    let at = bad.iter().position(|a| a == "--slopes").expect("slopes") + 1;
    bad[at] = "0,1.5".into();
    let refs: Vec<&str> = bad.iter().map(String::as_str).collect();
    assert_one_line_error(&actlab(&refs), "--slopes");
    assert!(!out.join("search").exists());
}
