//! `actlab study depth` end to end on synthetic data: the report against the run folders and
//! probe files, and staged training (probed between stages) equal to training in one go.

use actlab_experiments::depth::Report;
use actlab_train::metrics;
use std::fs;
use std::path::Path;

use crate::support::*;

fn args(out: &Path) -> Vec<String> {
    let words = ["study", "depth", "--quick", "--depths", "2,5", "--activations", "sigmoid,relu", "--epochs", "3", "--seeds", "2"];
    study_args(&words, out, &["dataset.name=\"synthetic\"", "dataset.synthetic.side=8", "training.batch_size=32", "training.log_every=4"])
}

fn run(args: &[String], out: &Path) -> Report {
    run_report(args, out)
}

#[test]
fn depth_study_on_synthetic_data_reports_what_its_runs_and_probes_measured() {
    let dir = tempfile::tempdir().expect("tempdir");
    let out = dir.path().join("study");
    let report = run(&args(&out), &out);
    for file in ["report.md", "report.json", "errors.png", "gradients.png", "saturation.png", "sensitivity.png"] {
        assert!(out.join(file).exists(), "missing {file}");
    }
    assert_eq!(report.cells.len(), 8, "2 depths × 2 activations × 2 inits");
    for cell in &report.cells {
        let mut ratios = Vec::new();
        for run in &cell.runs {
            let rows = metrics::read(&Path::new(&run.folder).join("metrics.csv")).expect("metrics");
            if !run.diverged {
                assert!((run.train_error.expect("an error") - rows.last().expect("a row").train_error).abs() < 1e-6, "{run:?}");
            }
            // Probes at init, after epoch 1 and at the end; every epoch for the deepest sigmoid nets.
            let epochs: Vec<usize> = run.probes.iter().map(|p| p.epoch).collect();
            let tracked = cell.depth == 5 && cell.activation == "sigmoid";
            if !run.diverged {
                assert_eq!(epochs, if tracked { vec![0, 1, 2, 3] } else { vec![0, 1, 3] }, "{}", cell.key);
            }
            for probe in &run.probes {
                assert_eq!((probe.layers.len(), probe.gradient_norms.len()), (cell.depth, cell.depth + 1), "{}", cell.key);
            }
            ratios.push(run.probes[0].first_to_last().expect("a ratio"));
        }
        let mean = ratios.iter().sum::<f64>() / ratios.len() as f64;
        assert!((cell.first_to_last_at_init.as_ref().expect("an estimate").mean - mean).abs() < 1e-9 * mean.abs().max(1.0), "{}", cell.key);
        let stalled = cell.train_error.as_ref().is_none_or(|e| e.mean >= report.plan.stalled_at);
        assert_eq!(cell.stalled, stalled, "{}", cell.key);
    }
    // Every chosen rate has both neighbours run from every seed; the verdicts compare with ReLU.
    for cell in &report.cells {
        assert!(!cell.tuning.at_edge && cell.tuning.basin().iter().all(|t| t.is_some_and(|t| t.seeds.len() == 2)), "{}", cell.key);
    }
    assert_eq!(report.verdicts.len(), 4, "sigmoid − relu at 2 depths × 2 inits");
    // Training in stages (1 epoch, then on to 3, probing in between) gives the metrics of one go.
    let staged = &report.cells.iter().find(|c| c.key == "d5-sigmoid-xavier").expect("cell").runs[0];
    let one_go = dir.path().join("one-go");
    let output = train(&Path::new(&staged.folder).join("config.toml"), &one_go, &["--progress", "quiet"]);
    assert!(output.status.success(), "{}", stderr(&output));
    let strip = |folder: &Path| -> Vec<String> {
        let text = fs::read_to_string(folder.join("metrics.csv")).expect("metrics");
        text.lines().map(|l| l.split(',').take(4).collect::<Vec<_>>().join(",")).collect()
    };
    assert_eq!(strip(Path::new(&staged.folder)), strip(&one_go));
    // A rerun finds everything finished.
    assert_eq!(run(&args(&out), &out), report);
}
