//! actlab's trainer: run configs, the training loop, run folders, metrics and checkpoints.

pub mod backend;
pub mod bench;
pub mod checkpoint;
pub mod config;
mod error;
pub mod metrics;
pub mod optimizer;
pub mod plot;
pub mod progress;
pub mod reproduce;
pub mod run;
pub mod stats;
pub mod summary;
pub mod training;

pub use backend::Backend;
pub use config::{RunConfig, UncheckedConfig};
pub use error::TrainError;
pub use summary::{StopReason, Summary};
pub use training::{RunOptions, train};
