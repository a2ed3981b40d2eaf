//! `--plan`: a study's runs written as a job list, run by an ordinary job runner (xargs -P, as
//! GNU parallel or a Slurm array would), wave after wave, give the report a sequential run gives.

use actlab_experiments::linearity::Report;
use std::fs;
use std::path::Path;
use std::process::Command;

use crate::support::*;

fn args(out: &Path) -> Vec<String> {
    let words =
        ["study", "linearity", "--quick", "--slopes", "0,1", "--zoo", "relu", "--epochs", "2", "--lr-grid", "0.01,0.03", "--seeds", "2"];
    study_args(&words, out, &["dataset.name=\"synthetic\"", "dataset.synthetic.side=16", "training.batch_size=32", "training.log_every=4"])
}

#[test]
fn a_planned_study_run_by_a_job_runner_gives_the_sequential_report() {
    let dir = tempfile::tempdir().expect("tempdir");
    let sequential: Report = run_report(&args(&dir.path().join("sequential")), &dir.path().join("sequential"));

    let out = dir.path().join("planned");
    let jobs = dir.path().join("jobs.txt");
    let mut waves = Vec::new();
    for _ in 0..6 {
        let mut planning = args(&out);
        planning.extend(["--plan".to_string(), jobs.display().to_string()]);
        let refs: Vec<&str> = planning.iter().map(String::as_str).collect();
        let output = actlab(&refs);
        assert!(output.status.success(), "{}", stderr(&output));
        let listed = fs::read_to_string(&jobs).expect("job list").lines().count();
        if listed == 0 {
            break;
        }
        waves.push(listed);
        let script = format!("xargs -d '\\n' -P 2 -I{{}} sh -c {{}} < '{}'", jobs.display());
        let ran = Command::new("sh").args(["-c", &script]).output().expect("xargs");
        assert!(ran.status.success(), "{}", String::from_utf8_lossy(&ran.stderr));
    }
    assert!(waves.len() >= 2, "trials, then seeds: {waves:?}");
    let planned: Report = run_report(&args(&out), &out);
    assert!(planned.provenance.pending.is_empty(), "{:?}", planned.provenance.pending);
    let cells = |r: &Report| r.cells.iter().map(|c| (c.key.clone(), c.lr, c.train_error.as_ref().map(|e| e.mean))).collect::<Vec<_>>();
    assert_eq!(cells(&planned), cells(&sequential));
}
