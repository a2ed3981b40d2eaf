//! `actlab study sparsity` end to end on synthetic data: the report's estimates against the
//! per-epoch counter files of its runs, ReLU's exact zeros against tanh's and sigmoid's, the
//! measuring cost, the figures, and a rerun that trains nothing.

use actlab_experiments::sparsity::{EpochSparsity, Report};
use std::fs;
use std::path::Path;

use crate::support::*;

fn args(out: &Path) -> Vec<String> {
    let words = ["study", "sparsity", "--quick", "--epochs", "2", "--seeds", "2", "--activations", "relu,tanh,sigmoid"];
    study_args(
        &words,
        out,
        &["dataset.name=\"synthetic\"", "dataset.synthetic.side=16", "dataset.synthetic.train=256", "training.batch_size=32"],
    )
}

fn run(args: &[String], out: &Path) -> Report {
    run_report(args, out)
}

#[test]
fn the_sparsity_study_reports_what_its_counters_measured() {
    let dir = tempfile::tempdir().expect("tempdir");
    let out = dir.path().join("study");
    let report = run(&args(&out), &out);
    assert_eq!(report.runs.len(), 6);
    for run in &report.runs {
        assert_eq!(run.epochs.len(), 3, "init and two epochs");
        for probe in &run.epochs {
            let file = Path::new(&run.folder).join(format!("sparsity-{}.json", probe.epoch));
            let saved: EpochSparsity = serde_json::from_str(&fs::read_to_string(file).expect("counter file")).expect("json");
            // JSON keeps the counters exactly; the histogram edges only to the last digit.
            for (a, b) in saved.layers.iter().zip(&probe.layers) {
                assert_eq!((a.exact_zero, a.near_off, a.dead, &a.counts), (b.exact_zero, b.near_off, b.dead, &b.counts), "{}", run.folder);
            }
        }
    }
    let last = |activation: &str| -> Vec<f64> {
        let s = report.summaries.iter().find(|s| s.activation == activation).expect(activation);
        s.layers.iter().filter(|l| l.epoch == 2).map(|l| l.exact_zero.mean).collect()
    };
    assert!(last("relu").iter().all(|&z| z > 0.1), "ReLU outputs exact zeros: {:?}", last("relu"));
    assert!(last("tanh").iter().chain(&last("sigmoid")).all(|&z| z < 0.01), "tanh and sigmoid almost never do");
    // The estimates are the means over the seeds' counters.
    let relu = report.summaries.iter().find(|s| s.activation == "relu").expect("relu");
    let conv1_end = relu.layers.iter().find(|l| l.epoch == 2 && l.layer == "conv1").expect("conv1");
    let values: Vec<f64> = report.runs.iter().filter(|r| r.activation == "relu").map(|r| r.epochs[2].layers[0].near_off).collect();
    assert!((conv1_end.near_off.mean - values.iter().sum::<f64>() / values.len() as f64).abs() < 1e-12);
    assert!(report.measuring_seconds > 0.0 && report.training_seconds > 0.0);
    for picture in ["sparsity.png", "sparsity.svg", "histograms.png", "report.md"] {
        assert!(out.join(picture).exists(), "{picture}");
    }
    let again = run(&args(&out), &out);
    let seconds = |r: &Report| r.runs.iter().map(|run| run.training_seconds).collect::<Vec<_>>();
    assert_eq!(seconds(&again), seconds(&report), "a rerun trains nothing new");
}
