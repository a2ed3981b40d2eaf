//! Writes that survive a `kill -9` or a power cut at any moment: a file is written to a
//! temporary name beside it, flushed to disk, renamed over the old one, and the folder is flushed,
//! so a reader sees the old content or the new, never an empty or half-written file.
//!
//! Also the crash test's failpoints: `ACTLAB_FAILPOINT=NAME@K` kills the process with SIGKILL
//! at the K-th time it passes the point NAME (see [`failpoint`]), so a test can stop a run in the
//! middle of a given write as surely as a random `kill -9` stops it somewhere.

use std::collections::HashMap;
use std::fs::{self, File};
use std::io::{self, Write};
use std::path::{Path, PathBuf};
use std::sync::{Mutex, OnceLock};

/// The suffix of every temporary file a run writes; what a kill leaves with it is stale.
pub const TEMP_SUFFIX: &str = ".tmp";

/// `path`'s temporary sibling: `.NAME.PID.tmp`, so two processes never share one.
fn temporary_for(path: &Path) -> PathBuf {
    let name = path.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
    path.with_file_name(format!(".{name}.{}{TEMP_SUFFIX}", std::process::id()))
}

/// Replaces `path` with `bytes` atomically and durably. `point` names the failpoint of this write
/// (`NAME-partial`: half the temporary written; `NAME-written`: renamed, folder not yet flushed).
pub fn write_atomic(path: &Path, bytes: &[u8], point: &str) -> io::Result<()> {
    let tmp = temporary_for(path);
    let result = (|| {
        let mut file = File::create(&tmp)?;
        let half = bytes.len() / 2;
        file.write_all(&bytes[..half])?;
        failpoint(&format!("{point}-partial"));
        file.write_all(&bytes[half..])?;
        file.sync_all()?;
        fs::rename(&tmp, path)
    })();
    if result.is_err() {
        let _ = fs::remove_file(&tmp);
    }
    result?;
    failpoint(&format!("{point}-written"));
    sync_parent(path)
}

/// Flushes a file that something else (Burn's record writer) wrote, and its folder.
pub fn sync_file(path: &Path) -> io::Result<()> {
    File::open(path)?.sync_all()?;
    sync_parent(path)
}

/// Flushes the folder holding `path`, so a rename or a new name in it is on disk.
pub fn sync_parent(path: &Path) -> io::Result<()> {
    match path.parent() {
        Some(dir) if !dir.as_os_str().is_empty() => File::open(dir)?.sync_all(),
        _ => File::open(".")?.sync_all(),
    }
}

/// Removes the temporary files a killed process left in `dir` (not in its subfolders); returns
/// how many. Only for a folder no other process is writing to.
pub fn remove_stale_temporaries(dir: &Path) -> io::Result<usize> {
    let Ok(entries) = fs::read_dir(dir) else { return Ok(0) };
    let mut removed = 0;
    for entry in entries {
        let entry = entry?;
        let stale = entry.file_name().to_string_lossy().ends_with(TEMP_SUFFIX) && entry.file_type()?.is_file();
        if stale {
            fs::remove_file(entry.path())?;
            removed += 1;
        }
    }
    Ok(removed)
}

/// The failpoint named in `ACTLAB_FAILPOINT` (`NAME@K`), read once.
fn armed() -> Option<&'static (String, u64)> {
    static ARMED: OnceLock<Option<(String, u64)>> = OnceLock::new();
    ARMED
        .get_or_init(|| {
            let spec = std::env::var("ACTLAB_FAILPOINT").ok()?;
            let (name, count) = spec.split_once('@').unwrap_or((spec.as_str(), "1"));
            Some((name.to_string(), count.parse().ok()?))
        })
        .as_ref()
}

/// Kills this process with SIGKILL (no destructors, no buffered output flushed: as `kill -9`
/// does) the K-th time it passes the armed point. Does nothing unless `ACTLAB_FAILPOINT` is set.
pub fn failpoint(name: &str) {
    let Some((armed_name, at)) = armed() else { return };
    if armed_name != name {
        return;
    }
    static HITS: Mutex<Option<HashMap<String, u64>>> = Mutex::new(None);
    let mut hits = HITS.lock().unwrap_or_else(|e| e.into_inner());
    let count = hits.get_or_insert_with(HashMap::new).entry(name.to_string()).or_insert(0);
    *count += 1;
    if *count == *at {
        // kill(1) rather than libc, so the workspace stays free of `unsafe`; it returns only
        // after the signal is sent, and SIGKILL cannot be caught.
        let _ = std::process::Command::new("kill").args(["-KILL", &std::process::id().to_string()]).status();
        loop {
            std::thread::sleep(std::time::Duration::from_secs(1));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn atomic_write_replaces_and_leaves_no_temporary() {
        let dir = tempfile::tempdir().expect("tempdir");
        let path = dir.path().join("a.txt");
        write_atomic(&path, b"first", "test").expect("write");
        write_atomic(&path, b"second", "test").expect("rewrite");
        assert_eq!(fs::read_to_string(&path).expect("read"), "second");
        let names: Vec<String> =
            fs::read_dir(dir.path()).expect("ls").map(|e| e.expect("entry").file_name().to_string_lossy().into()).collect();
        assert_eq!(names, vec!["a.txt".to_string()]);
    }

    #[test]
    fn stale_temporaries_are_removed_and_nothing_else() {
        let dir = tempfile::tempdir().expect("tempdir");
        fs::write(dir.path().join(".config.toml.123.tmp"), "half").expect("write");
        fs::write(dir.path().join("model-40.bpk.a1b2.tmp"), "half").expect("write");
        fs::write(dir.path().join("metrics.csv"), "keep").expect("write");
        assert_eq!(remove_stale_temporaries(dir.path()).expect("clean"), 2);
        assert!(dir.path().join("metrics.csv").exists());
        assert_eq!(remove_stale_temporaries(&dir.path().join("absent")).expect("absent"), 0);
    }
}
