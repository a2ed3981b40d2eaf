use thiserror::Error;

/// A model configuration that cannot be built.
#[derive(Debug, Error)]
pub enum ModelError {
    #[error("unknown activation `{0}` (expected one of: {list})", list = crate::Activation::NAMES.join(", "))]
    UnknownActivation(String),
    #[error("model.{field}: {reason}")]
    Invalid { field: &'static str, reason: String },
}
