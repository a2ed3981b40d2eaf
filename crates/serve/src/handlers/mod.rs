//! One small handler per endpoint.

pub mod events;
pub mod experiments;
pub mod files;
pub mod race_events;
pub mod races;
pub mod runs;

use serde::Deserialize;

/// `?id=ROOT/relative/path`.
#[derive(Debug, Deserialize)]
pub struct IdQuery {
    pub id: String,
}

/// Runs blocking file-system work off the async threads.
pub async fn blocking<T: Send + 'static>(f: impl FnOnce() -> T + Send + 'static) -> Result<T, crate::ServeError> {
    tokio::task::spawn_blocking(f).await.map_err(|e| crate::ServeError::io("a background task", std::io::Error::other(e)))
}
