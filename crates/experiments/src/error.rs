use actlab_models::Activation;
use std::path::PathBuf;
use thiserror::Error;

use crate::toolkit::plot::PlotError;

#[derive(Debug, Error)]
pub enum ExperimentError {
    #[error(transparent)]
    Train(#[from] actlab_train::TrainError),
    #[error(transparent)]
    Config(#[from] actlab_train::ConfigError),
    #[error(transparent)]
    Dataset(#[from] actlab_datasets::DatasetError),
    #[error(transparent)]
    Plot(#[from] PlotError),
    #[error("{path}: {source}")]
    Io { path: PathBuf, source: std::io::Error },
    /// An option out of range, found before anything is trained.
    #[error("{command}: {message}")]
    InvalidOption { command: &'static str, message: String },
    /// A report.json that lacks what the README's answer reads from it.
    #[error("{}: {reason}", path.display())]
    BadReport { path: PathBuf, reason: String },
    #[error("reproduce: every learning rate diverged for {activation}")]
    AllDiverged { activation: Activation },
}

impl ExperimentError {
    pub(crate) fn io(path: impl Into<PathBuf>, source: std::io::Error) -> Self {
        Self::Io { path: path.into(), source }
    }
}
