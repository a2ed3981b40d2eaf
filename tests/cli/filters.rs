//! `actlab study filters` and `actlab show filters` end to end on synthetic data: the report's
//! numbers against the run folders and models they came from, the pictures, resuming, and a
//! clear error for a folder without a model.

use actlab_experiments::filters::Report;
use actlab_train::Summary;
use std::fs;
use std::path::Path;

use crate::support::*;

fn args(out: &Path) -> Vec<String> {
    let words = ["study", "filters", "--quick", "--epochs", "1", "--seeds", "2"];
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
fn the_filters_study_reports_what_its_runs_measured() {
    let dir = tempfile::tempdir().expect("tempdir");
    let out = dir.path().join("study");
    let report = run(&args(&out), &out);
    assert!(report.same_init, "relu and tanh from seed 1 start from the same filters in the Figure 1 setting");
    assert_eq!(report.runs.len(), 4);
    for run in &report.runs {
        let summary: Summary =
            serde_json::from_str(&fs::read_to_string(Path::new(&run.folder).join("summary.json")).expect("summary")).expect("json");
        assert_eq!(run.final_train_error, summary.final_train_error, "{run:?}");
        // Random 5×5 filters spread their energy evenly (9/25 = 0.36 at low frequencies).
        assert!((0.2..0.55).contains(&run.low_frequency_init), "{run:?}");
        assert!(run.relative_change > 0.0 && run.relative_change.is_finite(), "{run:?}");
    }
    for summary in &report.summaries {
        let mine: Vec<f64> = report.runs.iter().filter(|r| r.activation == summary.activation).map(|r| r.low_frequency_trained).collect();
        let mean = mine.iter().sum::<f64>() / mine.len() as f64;
        assert!((summary.low_frequency_trained.mean - mean).abs() < 1e-12, "{summary:?}");
        assert_eq!(summary.relative_change.n, 2);
    }
    for picture in ["filters.png", "filters.svg", "features.png", "features.svg", "report.md"] {
        assert!(out.join(picture).metadata().expect(picture).len() > 100, "{picture}");
    }
    // Rerunning trains nothing and reports the same numbers.
    let again = run(&args(&out), &out);
    assert_eq!(again.runs, report.runs);

    // Any run folder's filters, and a clear line for a folder without a model.
    let folder = report.runs[0].folder.clone();
    let pictures = dir.path().join("pictures");
    let output = actlab(&["show", "filters", &folder, "--out", pictures.to_str().expect("utf8")]);
    assert!(output.status.success(), "{}", stderr(&output));
    assert!(pictures.join("filters.png").exists() && pictures.join("filters.svg").exists());
    fs::remove_file(Path::new(&folder).join("model.bpk")).expect("rm model");
    assert_one_line_error(&actlab(&["show", "filters", &folder]), "no model.bpk");
    assert_one_line_error(&actlab(&["show", "filters", dir.path().to_str().expect("utf8")]), "is not a run folder");
}
