//! The run folders and experiment reports under the roots, found by walking them (symlinks are
//! not followed, `checkpoint/` folders are skipped). A folder that cannot be read as a run is
//! listed with an error instead of failing the listing.

use serde::Serialize;
use std::fs;
use std::path::{Path, PathBuf};
use std::time::SystemTime;

use crate::metrics;
use crate::options::Root;
use crate::paths::id_of;

/// How deep under a root the walk looks (experiments nest runs about five folders down).
const MAX_DEPTH: usize = 16;
/// A run whose metrics.csv changed this recently (seconds), with no newer summary, is running.
const RUNNING_WITHIN_S: f64 = 30.0;

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Status {
    Running,
    Finished,
    Diverged,
    Interrupted,
    /// A config and nothing else yet (a run listed by --plan, say).
    Pending,
}

#[derive(Clone, Debug, Serialize)]
pub struct RunInfo {
    pub id: String,
    pub root: String,
    pub path: String,
    pub arch: Option<String>,
    pub activation: Option<String>,
    pub lr: Option<f64>,
    pub seed: Option<i64>,
    pub status: Status,
    pub epochs: Option<f64>,
    pub last_train_error: Option<f64>,
    pub best_train_error: Option<f64>,
    pub last_test_error: Option<f64>,
    /// Why part of the folder could not be read (shown as a badge); the rest is still listed.
    pub error: Option<String>,
}

#[derive(Clone, Debug, Serialize)]
pub struct ExperimentInfo {
    pub id: String,
    pub root: String,
    pub path: String,
    pub title: String,
    /// Runs or cells the report says are not finished yet.
    pub pending: usize,
    pub error: Option<String>,
}

#[derive(Clone, Debug, Default, Serialize)]
pub struct Listing {
    pub runs: Vec<RunInfo>,
    pub experiments: Vec<ExperimentInfo>,
}

/// Everything under `roots`.
pub fn scan(roots: &[Root]) -> Listing {
    let mut listing = Listing::default();
    for (index, root) in roots.iter().enumerate() {
        visit_folders(&root.path, 0, &mut |dir| {
            if dir.join("report.json").is_file() {
                listing.experiments.push(experiment(roots, index, dir));
            }
            let is_run = is_run_folder(dir);
            if is_run {
                listing.runs.push(run(roots, index, dir));
            }
            is_run
        });
    }
    listing.runs.sort_by(|a, b| a.id.cmp(&b.id));
    listing.experiments.sort_by(|a, b| a.id.cmp(&b.id));
    listing
}

/// The run folders under `dir`, found as [`scan`] finds them but without reading them.
pub fn run_folders_under(dir: &Path) -> Vec<PathBuf> {
    let mut folders = Vec::new();
    visit_folders(dir, 0, &mut |d| {
        let is_run = is_run_folder(d);
        if is_run {
            folders.push(d.to_path_buf());
        }
        is_run
    });
    folders
}

fn is_run_folder(dir: &Path) -> bool {
    dir.join("config.toml").is_file()
}

/// Calls `visit` on `dir` and, in name order, on every folder below it (checkpoints aside), not
/// descending into a folder for which `visit` returns true (a run folder).
fn visit_folders(dir: &Path, depth: usize, visit: &mut dyn FnMut(&Path) -> bool) {
    if visit(dir) || depth >= MAX_DEPTH {
        return;
    }
    let Ok(entries) = fs::read_dir(dir) else { return };
    let mut dirs: Vec<_> = entries.flatten().filter(|e| e.file_type().is_ok_and(|t| t.is_dir()) && e.file_name() != "checkpoint").collect();
    dirs.sort_by_key(|e| e.file_name());
    for entry in dirs {
        visit_folders(&entry.path(), depth + 1, visit);
    }
}

fn modified(path: &Path) -> Option<SystemTime> {
    fs::metadata(path).and_then(|m| m.modified()).ok()
}

/// A run folder as the runs page lists it.
pub fn run(roots: &[Root], index: usize, dir: &Path) -> RunInfo {
    let id = id_of(roots, index, dir);
    let mut info = RunInfo {
        path: id.split_once('/').map_or(String::new(), |(_, p)| p.to_string()),
        id,
        root: roots[index].name.clone(),
        arch: None,
        activation: None,
        lr: None,
        seed: None,
        status: Status::Pending,
        epochs: None,
        last_train_error: None,
        best_train_error: None,
        last_test_error: None,
        error: None,
    };
    let mut errors = Vec::new();
    match fs::read_to_string(dir.join("config.toml"))
        .map_err(|e| e.to_string())
        .and_then(|t| t.parse::<toml::Table>().map_err(|e| e.message().to_string()))
    {
        Ok(config) => {
            let get = |section: &str, key: &str| config.get(section).and_then(|s| s.get(key)).cloned();
            info.arch = get("model", "arch").and_then(|v| v.as_str().map(String::from));
            info.activation = get("model", "activation").and_then(|v| v.as_str().map(String::from));
            info.lr = get("optimizer", "lr").and_then(|v| v.as_float().or(v.as_integer().map(|i| i as f64)));
            info.seed = get("training", "seed").and_then(|v| v.as_integer());
        }
        Err(e) => errors.push(format!("config.toml: {e}")),
    }
    let metrics_path = dir.join("metrics.csv");
    let mut last_iteration = None;
    if let Ok(text) = fs::read_to_string(&metrics_path) {
        let m = metrics::parse(&text);
        let col = |name| m.column(name);
        let values = |c: Option<usize>| -> Vec<f64> { c.map(|c| m.rows.iter().filter_map(|r| r[c]).collect()).unwrap_or_default() };
        let train = values(col("train_error"));
        info.last_train_error = train.last().copied();
        info.best_train_error = train.iter().copied().reduce(f64::min);
        info.last_test_error = values(col("test_error")).last().copied();
        info.epochs = values(col("epoch")).last().copied();
        last_iteration = values(col("iteration")).last().copied();
        if m.columns.is_empty() && !text.is_empty() {
            errors.push("metrics.csv: no header line".into());
        }
    }
    info.status = status(dir, &metrics_path, last_iteration, &mut errors);
    info.error = (!errors.is_empty()).then(|| errors.join("; "));
    info
}

/// Running while a process holds the folder's lock (`actlab train` takes an exclusive `flock` on
/// the folder); else finished or diverged when summary.json covers the last row of metrics.csv;
/// running when rows came after it (or there is no summary) and metrics.csv changed in the last
/// 30 s (a run by an older actlab, or on a file system without locks); else interrupted.
/// (Modification times alone mislead: a copied folder gets new ones in any order.)
fn status(dir: &Path, metrics_path: &Path, last_iteration: Option<f64>, errors: &mut Vec<String>) -> Status {
    if locked(dir) {
        return Status::Running;
    }
    let recent = modified(metrics_path).and_then(|t| t.elapsed().ok()).is_some_and(|age| age.as_secs_f64() < RUNNING_WITHIN_S);
    let summary = match fs::read_to_string(dir.join("summary.json")) {
        Ok(text) => match serde_json::from_str::<serde_json::Value>(&text) {
            Ok(summary) => Some(summary),
            Err(e) => {
                errors.push(format!("summary.json: {e}"));
                None
            }
        },
        Err(_) => None,
    };
    let covered = summary.as_ref().is_some_and(|s| s["iterations"].as_f64().unwrap_or(0.0) >= last_iteration.unwrap_or(0.0));
    match summary {
        Some(s) if covered && s["stop"]["reason"] == "diverged" => Status::Diverged,
        Some(_) if covered => Status::Finished,
        _ if recent => Status::Running,
        _ if last_iteration.is_some() => Status::Interrupted,
        _ => Status::Pending,
    }
}

/// Whether a training process holds the folder: a shared lock would have to wait. Only asks.
fn locked(dir: &Path) -> bool {
    fs::File::open(dir).is_ok_and(|d| matches!(d.try_lock_shared(), Err(fs::TryLockError::WouldBlock)))
}

fn experiment(roots: &[Root], index: usize, dir: &Path) -> ExperimentInfo {
    let id = id_of(roots, index, dir);
    let title = fs::read_to_string(dir.join("report.md"))
        .ok()
        .and_then(|md| md.lines().next().map(|l| l.trim_start_matches('#').trim().to_string()))
        .unwrap_or_else(|| dir.file_name().map(|n| n.to_string_lossy().to_string()).unwrap_or_default());
    let report = fs::read_to_string(dir.join("report.json"))
        .map_err(|e| e.to_string())
        .and_then(|t| serde_json::from_str::<serde_json::Value>(&t).map_err(|e| e.to_string()));
    let (pending, error) = match report {
        Ok(r) => (r["pending"].as_array().map_or(0, Vec::len), None),
        Err(e) => (0, Some(format!("report.json: {e}"))),
    };
    ExperimentInfo {
        path: id.split_once('/').map_or(String::new(), |(_, p)| p.to_string()),
        id,
        root: roots[index].name.clone(),
        title,
        pending,
        error,
    }
}
