//! Where a run's probes live: `PREFIX-EPOCH.json` beside its model, written atomically, so that a
//! study that stops after a probe finds it again and one that stops before writes it again.

use actlab_train::durable::write_atomic;
use serde::Serialize;
use serde::de::DeserializeOwned;
use std::path::{Path, PathBuf};

use crate::ExperimentError;

/// A kind of probe file, named by its prefix.
#[derive(Clone, Copy, Debug)]
pub struct ProbeFiles(&'static str);

/// The depth and sensitivity studies' probes: saturation and gradient norms per layer.
pub const PROBES: ProbeFiles = ProbeFiles("probe");
/// The sparsity study's: every hidden layer's exact zeros.
pub const SPARSITY: ProbeFiles = ProbeFiles("sparsity");

/// What a probe file holds: measurements after some epoch (0: at initialisation).
pub trait EpochProbe: Serialize + DeserializeOwned {
    fn epoch(&self) -> usize;
}

impl ProbeFiles {
    pub fn path(self, folder: &Path, epoch: usize) -> PathBuf {
        folder.join(format!("{}-{epoch}.json", self.0))
    }

    /// The probe after `epoch`, if it was written (an unreadable file counts as not written, so
    /// the study measures it again).
    pub fn read<T: EpochProbe>(self, folder: &Path, epoch: usize) -> Option<T> {
        serde_json::from_str(&std::fs::read_to_string(self.path(folder, epoch)).ok()?).ok()
    }

    /// Every probe of this kind in `folder`, by epoch.
    pub fn read_all<T: EpochProbe>(self, folder: &Path) -> Vec<T> {
        let prefix = format!("{}-", self.0);
        let mut probes: Vec<T> = std::fs::read_dir(folder)
            .into_iter()
            .flatten()
            .flatten()
            .filter(|e| e.file_name().to_string_lossy().starts_with(&prefix))
            .filter_map(|e| serde_json::from_str(&std::fs::read_to_string(e.path()).ok()?).ok())
            .collect();
        probes.sort_by_key(|p| p.epoch());
        probes
    }

    /// Writes `probe` into `folder`, making the folder if the run has not started yet.
    pub fn write<T: EpochProbe>(self, folder: &Path, probe: &T) -> Result<(), ExperimentError> {
        std::fs::create_dir_all(folder).map_err(|e| ExperimentError::io(folder, e))?;
        let path = self.path(folder, probe.epoch());
        write_atomic(&path, serde_json::to_string_pretty(probe).unwrap_or_default().as_bytes(), "probe")
            .map_err(|e| ExperimentError::io(&path, e))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::depth::records::Probe;
    use crate::sparsity::records::EpochSparsity;

    #[test]
    fn probes_are_found_again_by_kind_and_epoch() {
        let dir = tempfile::tempdir().expect("temp dir");
        let folder = dir.path().join("not-started-yet");
        for epoch in [2, 0, 1] {
            PROBES.write(&folder, &Probe { epoch, layers: Vec::new(), gradient_norms: vec![epoch as f64] }).expect("write");
        }
        SPARSITY.write(&folder, &EpochSparsity { epoch: 5, seconds: 0.1, layers: Vec::new() }).expect("write");
        let all: Vec<Probe> = PROBES.read_all(&folder);
        assert_eq!(all.iter().map(|p| p.epoch).collect::<Vec<_>>(), [0, 1, 2], "sorted, and no sparsity file among them");
        assert_eq!(PROBES.read::<Probe>(&folder, 1).map(|p| p.gradient_norms), Some(vec![1.0]));
        assert!(PROBES.read::<Probe>(&folder, 5).is_none());
        assert_eq!(SPARSITY.read::<EpochSparsity>(&folder, 5).map(|p| p.epoch), Some(5));
        std::fs::write(PROBES.path(&folder, 3), "{ torn").expect("write");
        assert!(PROBES.read::<Probe>(&folder, 3).is_none(), "a torn file is measured again");
    }
}
