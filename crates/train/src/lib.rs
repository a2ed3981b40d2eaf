//! actlab's training library: a run's config, the training step, the loop with its stop rule and
//! checkpoints, and the run folder it all lives in. No command-line or plotting code: the
//! experiments and the `actlab` binary are built on this crate's public API.

pub mod adapters;
pub mod backend;
pub mod checkpoint;
pub mod config;
pub mod cuda_driver;
pub mod durable;
mod error;
pub mod evaluate;
pub mod fuzz_target;
pub mod loop_state;
pub mod metrics;
pub mod optimizer;
pub mod parity;
pub mod progress;
pub mod run_folder;
pub mod seed;
pub mod step;
pub mod stop;
pub mod summary;
pub mod training;

pub use backend::{Backend, BackendError};
pub use config::{ConfigError, RunConfig, UncheckedConfig};
pub use error::TrainError;
pub use run_folder::{Prepared, RunFolder};
pub use step::TrainStep;
pub use summary::{StopReason, Summary};
pub use training::{RunOptions, train};
