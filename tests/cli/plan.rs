//! `--plan`: a study's runs written as a job list, run by an ordinary job runner (xargs -P, as
//! GNU parallel or a Slurm array would), wave after wave, give the report a sequential run gives.

use actlab_experiments::linearity::Report;
use std::path::Path;
use std::process::Command;

use crate::support::*;

fn args(out: &Path) -> Vec<String> {
    let words = ["study", "linearity", "--quick", "--slopes", "0,1", "--zoo", "relu", "--epochs", "2", "--seeds", "2"];
    study_args(&words, out, &["dataset.name=\"synthetic\"", "dataset.synthetic.side=16", "training.batch_size=32", "training.log_every=4"])
}

/// Plans wave after wave into `out`, running each job list with `run_list`, then reports; the
/// waves' sizes, after checking that the first one holds every cell's whole starting grid (seed
/// 1 of each rate to the first rung).
fn planned(out: &Path, jobs: &Path, run_list: impl Fn(&Path, usize)) -> (Report, Vec<usize>) {
    let waves = plan_waves(&args(out), jobs, run_list);
    let report: Report = run_report(&args(out), out);
    let first_rung = |rate: &str| waves[0].iter().filter(|l| l.contains(&format!("/lr-{rate}/seed-1'"))).count();
    let cells = report.cells.len();
    assert!(cells > 0 && ["3e-3", "1e-2", "3e-2"].iter().all(|r| first_rung(r) == cells), "first wave: {:?}", waves[0]);
    assert_eq!(waves[0].len(), 3 * cells, "first wave: {:?}", waves[0]);
    (report, waves.iter().map(Vec::len).collect())
}

/// The study planned into `dir` and run wave by wave with `run_list` gives the sequential report.
fn assert_planned_gives_the_sequential_report(dir: &Path, run_list: impl Fn(&Path, usize)) {
    let sequential: Report = run_report(&args(&dir.join("sequential")), &dir.join("sequential"));
    let (planned, waves) = planned(&dir.join("planned"), &dir.join("jobs.txt"), run_list);
    assert!(waves.len() >= 3, "rungs, then seeds: {waves:?}");
    assert!(planned.provenance.pending.is_empty(), "{:?}", planned.provenance.pending);
    assert_eq!(cells(&planned), cells(&sequential));
}

fn cells(r: &Report) -> Vec<(String, f64, Option<f64>)> {
    r.cells.iter().map(|c| (c.key.clone(), c.lr, c.train_error.as_ref().map(|e| e.mean))).collect()
}

#[test]
fn a_planned_study_run_by_a_job_runner_gives_the_sequential_report() {
    let dir = tempfile::tempdir().expect("tempdir");
    assert_planned_gives_the_sequential_report(dir.path(), |jobs, _| run_with_xargs(jobs));
}

/// The same through a Slurm job array (scripts/slurm-array.sh). Needs a running cluster named by
/// SLURM_CONF: `.ci/run` starts a single-node one with scripts/slurm-local.sh and runs this test
/// with `--ignored`.
#[test]
#[ignore = "needs a Slurm cluster; .ci/run starts one (scripts/slurm-local.sh) and runs it"]
fn a_planned_study_run_as_a_slurm_array_gives_the_sequential_report() {
    assert!(std::env::var_os("SLURM_CONF").is_some(), "SLURM_CONF must name the test cluster's slurm.conf");
    let dir = tempfile::tempdir().expect("tempdir");
    let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../scripts/slurm-array.sh");
    let logs = dir.path().join("slurm-%A-%a.log");
    let sbatch = |jobs: &Path, lines: usize| {
        let array = format!("--array=1-{lines}");
        let output = Command::new("sbatch")
            .args(["--wait", &array, "--cpus-per-task=1", "--output"])
            .arg(&logs)
            .arg(&script)
            .arg(jobs)
            .output()
            .expect("sbatch");
        assert!(output.status.success(), "sbatch: {}", String::from_utf8_lossy(&output.stderr));
    };
    assert_planned_gives_the_sequential_report(dir.path(), sbatch);
}

/// `--jobs 2`: the same waves run here, two child processes at a time, then the report.
#[test]
fn jobs_on_one_machine_give_the_sequential_report() {
    let dir = tempfile::tempdir().expect("tempdir");
    let sequential: Report = run_report(&args(&dir.path().join("sequential")), &dir.path().join("sequential"));
    let out = dir.path().join("jobs");
    let mut parallel = args(&out);
    parallel.extend(["--jobs".to_string(), "2".to_string()]);
    let concurrent: Report = run_report(&parallel, &out);
    assert!(concurrent.provenance.pending.is_empty(), "{:?}", concurrent.provenance.pending);
    assert_eq!(cells(&concurrent), cells(&sequential));
    assert!(!out.join("jobs.txt").exists(), "the last, empty job list is removed");
}
