use std::path::PathBuf;
use thiserror::Error;

use crate::backend::BackendError;

#[derive(Debug, Error)]
pub enum TrainError {
    #[error("{path}: {source}")]
    Io { path: PathBuf, source: std::io::Error },
    #[error("{path}: {reason}")]
    Corrupt { path: PathBuf, reason: String },
    #[error(transparent)]
    Dataset(#[from] actlab_datasets::DatasetError),
    #[error(transparent)]
    Model(#[from] actlab_models::ModelError),
    #[error(transparent)]
    Config(#[from] crate::config::ConfigError),
    #[error(transparent)]
    Backend(#[from] BackendError),
    #[error("{path}: {source}")]
    Record { path: PathBuf, source: burn::store::RecordError },
    #[error("the training set is empty")]
    EmptyTrainingSet,
    #[error("the test set is empty; a run that evaluates (training.eval_every > 0) needs test images")]
    EmptyTestSet,
    #[error("{} is being trained by another process; wait for it or stop it, or choose another --out", folder.display())]
    Busy { folder: PathBuf },
    #[error("{} holds a run of a different config; choose another --out, or pass --fresh to discard it", folder.display())]
    DifferentConfig { folder: PathBuf },
}

impl TrainError {
    pub(crate) fn io(path: impl Into<PathBuf>, source: std::io::Error) -> Self {
        Self::Io { path: path.into(), source }
    }
}
