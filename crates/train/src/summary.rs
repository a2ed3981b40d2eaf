//! `summary.json`: how a run ended and what it ran on.

use actlab_datasets::checksum::FileCheck;
use serde::{Deserialize, Serialize};
use std::fmt;

/// Why the loop stopped.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case", tag = "reason")]
pub enum StopReason {
    /// The running training error reached `stop.target_train_error`.
    TargetReached,
    /// `stop.max_epochs` ran out first; the target (if any) was not reached.
    MaxEpochs,
    /// `stop.max_seconds` ran out first; the target (if any) was not reached.
    MaxTime,
    /// The loss became NaN or infinite.
    Diverged {
        epoch: f64,
        iteration: u64,
        /// Written as `null` (JSON has no NaN or infinity), read back as NaN.
        #[serde(deserialize_with = "nan_if_null")]
        loss: f64,
    },
}

impl fmt::Display for StopReason {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Self::TargetReached => "target reached",
            Self::MaxEpochs => "max epochs (target not reached)",
            Self::MaxTime => "max time (target not reached)",
            Self::Diverged { .. } => "diverged",
        })
    }
}

impl StopReason {
    /// A run that ended this way is over for good: more epochs or time would not change it.
    pub fn is_final(&self) -> bool {
        matches!(self, Self::TargetReached | Self::Diverged { .. })
    }
}

/// A number, or NaN for `null`: so a diverged run's summary can be read back, and a rerun finds
/// it finished instead of training it again.
fn nan_if_null<'de, D: serde::Deserializer<'de>>(deserializer: D) -> Result<f64, D::Error> {
    Ok(Option::<f64>::deserialize(deserializer)?.unwrap_or(f64::NAN))
}

/// When the target training error was first reached.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct TargetHit {
    pub epoch: f64,
    pub iteration: u64,
    pub seconds: f64,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Versions {
    pub actlab: String,
    pub burn: String,
    pub commit: String,
}

impl Versions {
    pub fn current() -> Self {
        Self {
            actlab: env!("CARGO_PKG_VERSION").into(),
            burn: "0.22.1".into(),
            commit: option_env!("ACTLAB_COMMIT").unwrap_or("unknown").into(),
        }
    }
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct DatasetSummary {
    pub name: String,
    pub train_images: usize,
    pub test_images: Option<usize>,
    pub files: Vec<FileSummary>,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct FileSummary {
    pub file: String,
    pub md5: String,
    pub official: bool,
}

impl From<&FileCheck> for FileSummary {
    fn from(f: &FileCheck) -> Self {
        Self { file: f.file.clone(), md5: f.md5.clone(), official: f.is_official() }
    }
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Summary {
    pub stop: Option<StopReason>,
    pub target_train_error: Option<f64>,
    pub target_reached: Option<TargetHit>,
    pub epochs: f64,
    pub iterations: u64,
    pub seconds: f64,
    pub final_train_loss: Option<f64>,
    pub final_train_error: Option<f64>,
    pub final_test_error: Option<f64>,
    pub mean_images_per_sec: f64,
    pub backend: String,
    pub threads: usize,
    pub versions: Versions,
    pub dataset: DatasetSummary,
}

#[cfg(test)]
mod tests {
    use super::StopReason;

    #[test]
    fn a_diverged_stop_with_a_nan_loss_reads_back() {
        let stop = StopReason::Diverged { epoch: 0.5, iteration: 3, loss: f64::NAN };
        let json = serde_json::to_string(&stop).expect("serialize");
        assert!(json.contains("\"loss\":null"), "{json}");
        match serde_json::from_str::<StopReason>(&json).expect("read back") {
            StopReason::Diverged { iteration: 3, loss, .. } => assert!(loss.is_nan()),
            other => panic!("{other:?}"),
        }
    }
}
