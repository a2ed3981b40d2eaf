//! actlab's experiments, each built only on the public API of the training, model and dataset
//! crates: the AlexNet Figure 1 reproduction (`fig1`), the speed benchmark (`bench`), and the
//! toolkit they share (`toolkit`: resumable lists of runs, markdown, machine info, statistics,
//! plots). A new experiment is a module here with the same plan / run / report split.

pub mod answer;
pub mod bench;
pub mod depth;
mod error;
pub mod fig1;
pub mod filters;
pub mod linearity;
pub mod sparsity;
pub mod speedup;
pub mod toolkit;

pub use error::ExperimentError;
