//! `--jobs N`: an experiment's independent runs trained N at a time on this machine. It is
//! `--plan` run locally: each wave is the job list of the runs that can start now, run as N child
//! `actlab train` processes with the cores split between them (RAYON_NUM_THREADS), until a wave is
//! empty; then the experiment itself measures and reports, training nothing that has finished.

use anyhow::{Context, Result, bail};
use std::fs::{self, File};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

/// Plans and runs waves until nothing is left; `plan_wave(list)` writes one wave's job list.
pub fn in_waves(jobs: usize, out: &Path, plan_wave: impl Fn(&Path) -> Result<()>) -> Result<()> {
    let cores = std::thread::available_parallelism().map_or(1, |n| n.get());
    let threads = (cores / jobs.max(1)).max(1);
    fs::create_dir_all(out).with_context(|| format!("creating {}", out.display()))?;
    let list = out.join("jobs.txt");
    let mut previous: Vec<String> = Vec::new();
    loop {
        plan_wave(&list)?;
        let lines: Vec<String> =
            fs::read_to_string(&list).with_context(|| format!("reading {}", list.display()))?.lines().map(String::from).collect();
        if lines.is_empty() {
            let _ = fs::remove_file(&list);
            return Ok(());
        }
        // A run trained in stages (to epoch 1 for a probe, then to a rung) is listed again with a
        // longer limit in its config: only the same lines with the same configs mean no progress.
        let listed: Vec<String> = lines.iter().map(|line| with_config(line)).collect();
        if listed == previous {
            bail!("{}: the same {} run(s) are listed again after they ran; they did not finish", list.display(), lines.len());
        }
        eprintln!("wave of {} run(s), {jobs} at a time with {threads} thread(s) each", lines.len());
        run_pool(&lines, jobs.max(1), threads, out)?;
        previous = listed;
    }
}

/// A job line with the text of the config it trains (`--config 'PATH'`, as the runner quotes it).
fn with_config(line: &str) -> String {
    let config = line.split_once("--config '").and_then(|(_, rest)| rest.split_once('\'')).map(|(path, _)| path);
    let text = config.and_then(|path| fs::read_to_string(path).ok()).unwrap_or_default();
    format!("{line}\n{text}")
}

/// A child `actlab train` and where its output goes.
struct Job {
    child: Child,
    line: String,
    log: PathBuf,
    started: Instant,
}

/// Runs `lines` (shell commands), at most `jobs` at a time; the first failure stops the wave.
fn run_pool(lines: &[String], jobs: usize, threads: usize, out: &Path) -> Result<()> {
    let mut queue = lines.iter().enumerate();
    let mut running: Vec<Job> = Vec::new();
    let (wave_started, mut done) = (Instant::now(), 0);
    loop {
        while running.len() < jobs {
            let Some((i, line)) = queue.next() else { break };
            let log = out.join(format!("job-{i}.log"));
            let file = File::create(&log).with_context(|| format!("creating {}", log.display()))?;
            let mut command = Command::new("sh");
            if let Some(gpu) = gpu_for_job(crate::environment::devices(), i) {
                command.env(actlab_train::backend::DEVICE_ENV, gpu.to_string());
            }
            let child = command
                .args(["-c", line])
                .env("RAYON_NUM_THREADS", threads.to_string())
                .stdout(Stdio::null())
                .stderr(file)
                .spawn()
                .with_context(|| format!("starting {line}"))?;
            running.push(Job { child, line: line.clone(), log, started: Instant::now() });
        }
        if running.is_empty() {
            return Ok(());
        }
        std::thread::sleep(Duration::from_millis(100));
        let mut still = Vec::new();
        for mut job in running {
            match job.child.try_wait()? {
                None => still.push(job),
                Some(status) if status.success() => {
                    let _ = fs::remove_file(&job.log);
                    done += 1;
                    let progress = WaveProgress { done, total: lines.len(), elapsed: wave_started.elapsed() };
                    eprintln!("{}", progress.line(out_folder(&job.line).unwrap_or("a run"), job.started.elapsed()));
                }
                Some(status) => {
                    let last = fs::read_to_string(&job.log).unwrap_or_default().lines().last().unwrap_or_default().to_string();
                    bail!("a job failed ({status}): {last} (command: {}; log: {})", job.line, job.log.display());
                }
            }
        }
        running = still;
    }
}

/// How far a wave has got, for the line printed as each of its runs finishes.
struct WaveProgress {
    done: usize,
    total: usize,
    elapsed: Duration,
}

impl WaveProgress {
    /// "run 12 of 69 done: FOLDER (41 s); about 18 min left in this wave", the time left
    /// extrapolated from the wave's pace so far (the runs of one wave are alike: the same rung).
    fn line(&self, folder: &str, took: Duration) -> String {
        let left = match (self.total - self.done, self.done) {
            (0, _) => "the wave is done".to_string(),
            (rest, done) => format!("about {} left in this wave", fmt_duration(self.elapsed.mul_f64(rest as f64 / done as f64))),
        };
        format!("run {} of {} done: {folder} ({}); {left}", self.done, self.total, fmt_duration(took))
    }
}

/// "41 s", "18 min", "2.3 h".
fn fmt_duration(d: Duration) -> String {
    match d.as_secs_f64() {
        s if s < 100.0 => format!("{s:.0} s"),
        s if s < 6000.0 => format!("{:.0} min", s / 60.0),
        s => format!("{:.1} h", s / 3600.0),
    }
}

/// The run folder a job line trains into (`--out 'PATH'`, as the runner quotes it).
fn out_folder(line: &str) -> Option<&str> {
    line.split_once("--out '").and_then(|(_, rest)| rest.split_once('\'')).map(|(path, _)| path)
}

/// The GPU of the `i`-th job: `--device`'s list in turn (none given: the process's own).
fn gpu_for_job(devices: &[u16], i: usize) -> Option<u16> {
    (!devices.is_empty()).then(|| devices[i % devices.len()])
}

/// `in_waves` when `--jobs` was given; nothing otherwise.
pub fn if_jobs(jobs: Option<u16>, out: &Path, plan_wave: impl Fn(&Path) -> Result<()>) -> Result<()> {
    match jobs {
        Some(n) => in_waves(usize::from(n), out, plan_wave),
        None => Ok(()),
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn a_run_listed_again_with_a_longer_limit_is_progress() {
        let dir = tempfile::tempdir().expect("tempdir");
        let config = dir.path().join("config.toml");
        let line = format!("'actlab' train --config '{}' --out 'x'", config.display());
        std::fs::write(&config, "[stop]\nmax_epochs = 1.0\n").expect("write");
        let first = super::with_config(&line);
        std::fs::write(&config, "[stop]\nmax_epochs = 2.0\n").expect("write");
        assert_ne!(super::with_config(&line), first);
        assert_eq!(super::with_config(&line), super::with_config(&line));
    }

    #[test]
    fn a_finished_run_says_how_much_of_its_wave_is_left() {
        use std::time::Duration;
        let progress = super::WaveProgress { done: 3, total: 9, elapsed: Duration::from_secs(120) };
        let line = progress.line("runs/x/seed-1", Duration::from_secs(41));
        assert_eq!(line, "run 3 of 9 done: runs/x/seed-1 (41 s); about 4 min left in this wave");
        let last = super::WaveProgress { done: 9, total: 9, elapsed: Duration::from_secs(9000) };
        assert!(last.line("r", Duration::from_secs(7200)).ends_with("(2.0 h); the wave is done"));
        assert_eq!(super::out_folder("'actlab' train --config 'a/config.toml' --out 'a b/seed-2'"), Some("a b/seed-2"));
        assert_eq!(super::out_folder("something else"), None);
    }

    #[test]
    fn jobs_take_the_listed_gpus_in_turn() {
        let jobs: Vec<Option<u16>> = (0..5).map(|i| super::gpu_for_job(&[0, 2], i)).collect();
        assert_eq!(jobs, [Some(0), Some(2), Some(0), Some(2), Some(0)]);
        assert_eq!(super::gpu_for_job(&[], 3), None);
    }
}
