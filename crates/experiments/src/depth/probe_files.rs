//! Where a run's probes live: `probe-EPOCH.json` beside its model, written atomically. The depth
//! and sensitivity studies keep them this way.

use actlab_train::durable::write_atomic;
use std::path::{Path, PathBuf};

use crate::ExperimentError;
use crate::depth::records::Probe;

pub(crate) fn probe_path(folder: &Path, epoch: usize) -> PathBuf {
    folder.join(format!("probe-{epoch}.json"))
}

pub(crate) fn read_probe(folder: &Path, epoch: usize) -> Option<Probe> {
    serde_json::from_str(&std::fs::read_to_string(probe_path(folder, epoch)).ok()?).ok()
}

/// Every probe in `folder`, by epoch.
pub(crate) fn read_probes(folder: &Path) -> Vec<Probe> {
    let mut probes: Vec<Probe> = std::fs::read_dir(folder)
        .into_iter()
        .flatten()
        .flatten()
        .filter(|e| e.file_name().to_string_lossy().starts_with("probe-"))
        .filter_map(|e| serde_json::from_str(&std::fs::read_to_string(e.path()).ok()?).ok())
        .collect();
    probes.sort_by_key(|p| p.epoch);
    probes
}

/// Writes `probe` into `folder`, making the folder if the run has not started yet.
pub(crate) fn write_probe(folder: &Path, probe: &Probe) -> Result<(), ExperimentError> {
    std::fs::create_dir_all(folder).map_err(|e| ExperimentError::io(folder, e))?;
    let path = probe_path(folder, probe.epoch);
    write_atomic(&path, serde_json::to_string_pretty(probe).unwrap_or_default().as_bytes(), "probe")
        .map_err(|e| ExperimentError::io(&path, e))
}
