//! `actlab study sensitivity` end to end on synthetic data: the report's epochs, ratios and probe
//! figures against the run folders they came from, and the paper's cell sharing the runs of a
//! `reproduce fig1` of the same setting instead of training its own.

use actlab_experiments::depth::records::Probe;
use actlab_experiments::speedup::{Report, SpeedRun};
use actlab_train::Summary;
use std::fs;
use std::path::Path;

use crate::support::*;

/// Settings both commands share, so the paper's cell and Figure 1 train the same configs.
const SETS: [&str; 4] = ["dataset.name=\"synthetic\"", "dataset.synthetic.side=16", "training.batch_size=32", "training.log_every=4"];

fn fig1_args(out: &Path) -> Vec<String> {
    let words = [
        "reproduce",
        "fig1",
        "--quick",
        "--seeds",
        "2",
        "--lr-grid",
        "0.003,0.01",
        "--trial-epochs",
        "0.5",
        "--finalists",
        "2",
        "--max-epochs",
        "6",
        "--target",
        "0.5",
    ];
    study_args(&words, out, &SETS)
}

fn study(out: &Path, fig1: &Path) -> Vec<String> {
    let fig1 = fig1.display().to_string();
    let words = [
        "study",
        "sensitivity",
        "--quick",
        "--cells",
        "paper,modern",
        "--activations",
        "relu,tanh",
        "--seeds",
        "2",
        "--epochs",
        "6",
        "--target",
        "0.5",
        "--per-class",
        "1000",
        "--fig1",
        &fig1,
    ];
    study_args(&words, out, &SETS)
}

fn summary(run: &SpeedRun) -> Summary {
    serde_json::from_str(&fs::read_to_string(Path::new(&run.folder).join("summary.json")).expect("summary")).expect("json")
}

fn mean(xs: &[f64]) -> f64 {
    xs.iter().sum::<f64>() / xs.len() as f64
}

#[test]
fn the_sensitivity_study_reports_what_its_runs_measured_and_shares_figure_1s() {
    let dir = tempfile::tempdir().expect("tempdir");
    let (fig1, out) = (dir.path().join("fig1"), dir.path().join("study"));
    let output = actlab(&fig1_args(&fig1).iter().map(String::as_str).collect::<Vec<_>>());
    assert!(output.status.success(), "{}", stderr(&output));
    let report: Report = run_report(&study(&out, &fig1), &out);
    assert!(report.provenance.pending.is_empty(), "{:?}", report.provenance.pending);
    assert_eq!(report.cells.iter().map(|c| c.key.as_str()).collect::<Vec<_>>(), ["paper", "modern"]);

    // The paper's cell reads Figure 1's runs where their configs are the same (its race ran its
    // finalists from seed 1, at rates the study's grid 3e-3, 1e-2, 3e-2 also holds) and trains
    // only the rest in its own folder.
    for activation in ["relu", "tanh"] {
        let raced: Vec<String> = fs::read_dir(fig1.join("runs").join(activation))
            .expect("Figure 1's runs")
            .flatten()
            .map(|e| e.file_name().to_string_lossy().into_owned())
            .filter(|lr| fig1.join("runs").join(activation).join(lr).join("seed-1/summary.json").exists())
            .collect();
        assert!(!raced.is_empty(), "Figure 1 raced no {activation} rate");
        for lr in raced {
            let ours = out.join("runs/paper").join(activation).join(&lr).join("seed-1");
            assert!(!ours.exists(), "the study trained its own copy of Figure 1's {activation} {lr} seed 1");
        }
    }
    assert!(out.join("runs/paper/relu/lr-3e-2/seed-1/summary.json").exists(), "a rate Figure 1 did not run is the study's own");

    for cell in &report.cells {
        for a in &cell.activations {
            assert_eq!(a.runs.len(), 2, "{} {}", cell.key, a.activation);
            let mut reached = Vec::new();
            for run in &a.runs {
                // Each seed's epochs to the target are its run folder's.
                let s = summary(run);
                let hit = s.target_reached.as_ref().map(|h| h.epoch).filter(|&e| e <= 6.0 + 1e-9);
                assert_eq!(run.epochs_to_target, hit, "{}", run.folder);
                reached.extend(hit);
                // Its speed is the 90th percentile of the images/s its metrics.csv logged, and its
                // seconds are its epochs at the activation's speed: the fastest run's.
                let metrics = fs::read_to_string(Path::new(&run.folder).join("metrics.csv")).expect("metrics.csv");
                let mut speeds: Vec<f64> = metrics.lines().skip(1).filter_map(|l| l.split(',').nth(6)?.parse().ok()).collect();
                speeds.sort_by(f64::total_cmp);
                assert_eq!(run.images_per_sec, speeds.get(speeds.len() * 9 / 10).copied(), "{}", run.folder);
                let fastest = a.runs.iter().filter_map(|r| r.images_per_sec).fold(f64::MIN, f64::max);
                assert_eq!(a.images_per_sec, Some(fastest));
                let seconds = hit.map(|e| e * s.dataset.train_images as f64 / fastest);
                assert!(run.seconds_to_target.zip(seconds).is_none_or(|(a, b)| (a - b).abs() < 1e-9), "{}", run.folder);
                assert_eq!(run.seconds_to_target.is_some(), hit.is_some());
                assert_eq!(run.clock_seconds_to_target, s.target_reached.as_ref().filter(|h| h.epoch <= 6.0 + 1e-9).map(|h| h.seconds));
                if !run.folder.starts_with(&fig1.display().to_string()) {
                    // The study's own runs were probed at init and after epoch 1 (unless the
                    // target came first).
                    for epoch in [0, 1].into_iter().filter(|&e| e == 0 || s.epochs >= 1.0) {
                        let file = Path::new(&run.folder).join(format!("probe-{epoch}.json"));
                        let probe: Probe = serde_json::from_str(&fs::read_to_string(&file).expect("probe")).expect("json");
                        assert!(run.probes.contains(&probe), "{}", file.display());
                    }
                }
            }
            assert_eq!(a.reached, reached.len());
            if let Some(e) = &a.epochs {
                assert!((e.mean - mean(&reached)).abs() < 1e-9);
            }
            let saturated: Vec<f64> = a.runs.iter().filter_map(|r| r.probes.iter().find(|p| p.epoch == 0)?.layers[0].saturated).collect();
            if let Some(e) = &a.conv1_saturated[0] {
                assert!((e.mean - mean(&saturated)).abs() < 1e-9, "conv1 saturation at init, {} {}", cell.key, a.activation);
            }
        }
        // The ratio is tanh's mean epochs over relu's, where both reached the target every time.
        let (relu, tanh) = (cell.activation("relu").expect("relu"), cell.activation("tanh").expect("tanh"));
        let ratio = cell.ratio("tanh").expect("a ratio entry");
        match (&relu.epochs, &tanh.epochs, &ratio.epochs) {
            (Some(r), Some(t), Some(x)) if relu.reached == 2 && tanh.reached == 2 => assert!((x.value - t.mean / r.mean).abs() < 1e-9),
            (_, _, x) => assert!(x.is_none(), "no ratio without every seed at the target"),
        }
    }
    for file in ["report.md", "forest.png", "forest.svg", "sensitivity.png"] {
        assert!(out.join(file).exists(), "{file}");
    }
    let md = fs::read_to_string(out.join("report.md")).expect("report.md");
    assert!(md.contains("Hypotheses, stated before the runs") && md.contains("## Answer"), "{md}");
}

/// One activation of one cell: key, activation, chosen rate, each seed's epochs, probes read.
type Decision = (String, String, f64, Vec<Option<f64>>, usize);

/// What a report decided and measured, for comparing two runs of the study.
fn decisions(r: &Report) -> Vec<Decision> {
    r.cells
        .iter()
        .flat_map(|c| {
            c.activations.iter().map(|a| {
                let epochs = a.runs.iter().map(|r| r.epochs_to_target).collect();
                (c.key.clone(), a.activation.clone(), a.lr, epochs, a.runs.iter().map(|r| r.probes.len()).sum())
            })
        })
        .collect()
}

/// `--jobs 2` (the waves of `--plan`, each run stopped after epoch 1 for its probe first) gives
/// the report a sequential run gives.
#[test]
fn jobs_on_one_machine_give_the_sequential_sensitivity_report() {
    let dir = tempfile::tempdir().expect("tempdir");
    let args = |out: &Path| {
        let words = ["study", "sensitivity", "--quick", "--cells", "paper", "--activations", "relu,tanh", "--seeds", "2", "--epochs", "4"];
        study_args(&words, out, &SETS)
    };
    let sequential: Report = run_report(&args(&dir.path().join("sequential")), &dir.path().join("sequential"));
    let out = dir.path().join("jobs");
    let mut parallel = args(&out);
    parallel.extend(["--jobs".to_string(), "2".to_string()]);
    let concurrent: Report = run_report(&parallel, &out);
    assert!(concurrent.provenance.pending.is_empty(), "{:?}", concurrent.provenance.pending);
    assert_eq!(decisions(&concurrent), decisions(&sequential));
    assert!(decisions(&sequential).iter().all(|d| d.4 > 0), "every run probed: {:?}", decisions(&sequential));
}
