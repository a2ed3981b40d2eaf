//! Experiments started from the pages: each the same `actlab … --quick` child process a user would
//! start (arguments passed as a list, never through a shell), writing ordinary resumable run
//! folders under the first root's `races/`, so stopping it (or the server) never corrupts a run.

use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use std::path::PathBuf;
use std::process::Stdio;
use std::sync::Arc;
use std::time::{SystemTime, UNIX_EPOCH};
use tokio::process::{Child, Command};
use tokio::sync::Mutex;

use crate::ServeError;

/// The experiments a page may start, and their command words.
pub const EXPERIMENTS: [(&str, &[&str]); 6] = [
    ("fig1", &["reproduce", "fig1"]),
    ("linearity", &["study", "linearity"]),
    ("depth", &["study", "depth"]),
    ("sparsity", &["study", "sparsity"]),
    ("filters", &["study", "filters"]),
    ("sensitivity", &["study", "sensitivity"]),
];

/// What a page asks for.
#[derive(Clone, Debug, Deserialize)]
pub struct RaceRequest {
    pub experiment: String,
    pub seeds: Option<usize>,
    /// `--set KEY=VALUE` overrides, checked by the experiment itself as on the command line.
    #[serde(default)]
    pub set: Vec<String>,
}

#[derive(Clone, Debug, Serialize)]
pub struct RaceInfo {
    pub id: u64,
    pub experiment: String,
    /// The folder it writes, as the pages name folders ("0/races/fig1-…").
    pub out: String,
    pub running: bool,
    pub exit_code: Option<i32>,
    /// The end of its output: progress lines, or the one-line error of a refused option.
    pub log_tail: String,
}

struct Race {
    experiment: String,
    out: PathBuf,
    log: PathBuf,
    child: Child,
    exit_code: Option<i32>,
}

#[derive(Clone)]
pub struct Races {
    exe: PathBuf,
    extra: Vec<String>,
    root: PathBuf,
    races: Arc<Mutex<BTreeMap<u64, Race>>>,
}

impl Races {
    pub fn new(exe: PathBuf, extra: Vec<String>, root: PathBuf) -> Self {
        Self { exe, extra, root, races: Arc::default() }
    }

    /// Starts `request` as a child process.
    pub async fn start(&self, request: &RaceRequest) -> Result<u64, ServeError> {
        let words = EXPERIMENTS.iter().find(|(name, _)| *name == request.experiment).map(|(_, words)| *words).ok_or_else(|| {
            ServeError::BadRequest(format!(
                "experiment {:?}: one of fig1, linearity, depth, sparsity, filters, sensitivity",
                request.experiment
            ))
        })?;
        if let Some(bad) = request.set.iter().find(|s| !s.contains('=') || s.contains('\n')) {
            return Err(ServeError::BadRequest(format!("set {bad:?}: give KEY=VALUE")));
        }
        if request.seeds.is_some_and(|s| s == 0 || s > 10) {
            return Err(ServeError::BadRequest("seeds: 1 to 10 from a page".into()));
        }
        let mut races = self.races.lock().await;
        if races.values_mut().any(|r| r.child.try_wait().ok().flatten().is_none()) {
            return Err(ServeError::Conflict("a race is already running: stop it first".into()));
        }
        let id = races.keys().last().map_or(1, |k| k + 1);
        let stamp = SystemTime::now().duration_since(UNIX_EPOCH).map_or(0, |d| d.as_secs());
        let out = self.root.join("races").join(format!("{}-{stamp}-{id}", request.experiment));
        std::fs::create_dir_all(&out).map_err(|e| ServeError::io(out.display(), e))?;
        let log = out.join("race.log");
        let file = std::fs::File::create(&log).map_err(|e| ServeError::io(log.display(), e))?;
        let err = file.try_clone().map_err(|e| ServeError::io(log.display(), e))?;
        let mut command = Command::new(&self.exe);
        command.args(words).arg("--quick").arg("--out").arg(&out).args(["--progress", "lines"]);
        if let Some(seeds) = request.seeds {
            command.args(["--seeds", &seeds.to_string()]);
        }
        for item in self.extra.iter().chain(&request.set) {
            command.args(["--set", item]);
        }
        let child = command
            .stdin(Stdio::null())
            .stdout(Stdio::from(file))
            .stderr(Stdio::from(err))
            .kill_on_drop(true)
            .spawn()
            .map_err(|e| ServeError::io(self.exe.display(), e))?;
        races.insert(id, Race { experiment: request.experiment.clone(), out, log, child, exit_code: None });
        Ok(id)
    }

    /// Kills race `id` (its run folders resume on the next start, as after any crash).
    pub async fn stop(&self, id: u64) -> Result<(), ServeError> {
        let mut races = self.races.lock().await;
        let race = races.get_mut(&id).ok_or_else(|| ServeError::NotFound(format!("race {id}")))?;
        let _ = race.child.start_kill();
        let _ = race.child.wait().await;
        Ok(())
    }

    pub async fn stop_all(&self) {
        let ids: Vec<u64> = self.races.lock().await.keys().copied().collect();
        for id in ids {
            let _ = self.stop(id).await;
        }
    }

    /// Every race, with `out` named by `id_of`.
    pub async fn list(&self, id_of: impl Fn(&std::path::Path) -> String) -> Vec<RaceInfo> {
        let mut races = self.races.lock().await;
        let mut out = Vec::new();
        for (id, race) in races.iter_mut() {
            if race.exit_code.is_none()
                && let Ok(Some(status)) = race.child.try_wait()
            {
                race.exit_code = Some(status.code().unwrap_or(-1));
            }
            let text = log_end(&race.log);
            let tail: Vec<&str> = text.lines().rev().take(8).collect();
            out.push(RaceInfo {
                id: *id,
                experiment: race.experiment.clone(),
                out: id_of(&race.out),
                running: race.exit_code.is_none(),
                exit_code: race.exit_code,
                log_tail: tail.into_iter().rev().collect::<Vec<_>>().join("\n"),
            });
        }
        out
    }
}

/// The last [`LOG_END_BYTES`] of a race's log (less where it is shorter), so that a poll does not
/// read a long race's whole log for its last lines; an unreadable log reads as empty.
fn log_end(path: &std::path::Path) -> String {
    use std::io::{Read, Seek, SeekFrom};
    let Ok(mut file) = std::fs::File::open(path) else { return String::new() };
    let length = file.metadata().map(|m| m.len()).unwrap_or(0);
    let start = length.saturating_sub(LOG_END_BYTES);
    let mut bytes = Vec::new();
    if file.seek(SeekFrom::Start(start)).and_then(|_| file.take(LOG_END_BYTES).read_to_end(&mut bytes)).is_err() {
        return String::new();
    }
    let text = String::from_utf8_lossy(&bytes).into_owned();
    // A cut through the first line leaves part of it: drop it unless the log was read whole.
    match (start, text.find('\n')) {
        (0, _) | (_, None) => text,
        (_, Some(i)) => text[i + 1..].to_string(),
    }
}

/// Enough for the last 8 lines of progress output, which are at most a few hundred bytes each.
const LOG_END_BYTES: u64 = 16 * 1024;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_end_of_a_long_log_is_its_last_whole_lines() {
        let dir = tempfile::tempdir().expect("temp dir");
        let path = dir.path().join("race.log");
        let lines: Vec<String> = (0..5000).map(|i| format!("line {i} of a long race")).collect();
        std::fs::write(&path, lines.join("\n") + "\n").expect("write");
        let end = log_end(&path);
        assert!(end.len() as u64 <= LOG_END_BYTES);
        assert!(end.starts_with("line ") && end.ends_with("line 4999 of a long race\n"), "{}", &end[..40]);
        std::fs::write(&path, "short\nlog").expect("write");
        assert_eq!(log_end(&path), "short\nlog");
        assert_eq!(log_end(&dir.path().join("missing.log")), "");
    }
}
