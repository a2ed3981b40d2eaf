//! `actlab study linearity` end to end on synthetic data: the report's numbers against the run
//! folders they came from, the affinity check, resuming, and --report-only.

use actlab_experiments::linearity::{Cell, Report};
use actlab_train::metrics::{self, MetricsRow};
use actlab_train::stop::first_hit;
use std::fs;
use std::path::Path;

use crate::support::*;

fn args(out: &Path, seeds: &str) -> Vec<String> {
    let words = [
        "study",
        "linearity",
        "--quick",
        "--slopes",
        "0,0.5,1",
        "--zoo",
        "relu,tanh",
        "--epochs",
        "2",
        "--lr-grid",
        "0.01,0.03",
        "--seeds",
        seeds,
    ];
    study_args(&words, out, &["dataset.name=\"synthetic\"", "dataset.synthetic.side=16", "training.batch_size=32", "training.log_every=4"])
}

fn run(args: &[String], out: &Path) -> Report {
    run_report(args, out)
}

fn rows(folder: &Path) -> Vec<MetricsRow> {
    metrics::read(&folder.join("metrics.csv")).expect("metrics.csv")
}

/// Each run's figures are its metrics' last row and first hit; the cell's means are over its runs;
/// the chosen rate is the trial with the lowest error.
fn check_cell(cell: &Cell, out: &Path, target: f64) {
    for (lr, error) in &cell.trials {
        let folder = out.join("search").join(&cell.key).join(format!("lr-{}", actlab_experiments::toolkit::markdown::fmt_lr(*lr)));
        if let Some(error) = error {
            assert!((rows(&folder).last().expect("a row").train_error - error).abs() < 1e-6, "{} trial {lr}", cell.key);
        }
    }
    let best = cell.trials.iter().filter_map(|(lr, e)| Some((*lr, (*e)?))).min_by(|a, b| a.1.total_cmp(&b.1)).expect("a finite trial");
    assert_eq!(cell.lr, best.0, "{}", cell.key);
    for run in &cell.runs {
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
    for file in ["report.md", "report.json", "activations.png", "activations.svg", "slopes.png", "slopes.svg", "zoo.png", "zoo.svg"] {
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
    let md = fs::read_to_string(out.join("report.md")).expect("md");
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
