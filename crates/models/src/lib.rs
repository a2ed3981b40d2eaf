//! Network definitions for actlab.
//!
//! Every architecture takes any [`Activation`], so the same topology can be trained with ReLU,
//! tanh, sigmoid, … and compared like for like.

pub mod activation;
pub mod affinity;
pub mod alexnet;
pub mod config;
pub mod convnet18;
pub mod convnet80sec;
mod error;
pub mod init;
pub mod layers;
pub mod lenet5;
pub mod mlp;
pub mod model;
pub mod norm;
pub mod plain;
pub mod probe;

pub use activation::{Activation, Nonlinearity};
pub use config::{Arch, ModelConfig};
pub use error::ModelError;
pub use init::InitScheme;
pub use model::Model;

/// Shape of one input image: channels, height, width.
pub type InputShape = [usize; 3];

/// Number of parameters (scalars) in a module.
pub fn parameter_count<M: burn::module::Module>(module: &M) -> usize {
    module.num_params()
}
