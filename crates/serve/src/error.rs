//! What can go wrong, each a clear one-line message naming the path or value.

use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use std::net::SocketAddr;
use std::path::PathBuf;

#[derive(Debug, thiserror::Error)]
pub enum ServeError {
    #[error("--root {path}: {why}")]
    Root { path: PathBuf, why: String },
    #[error("--host {host}: not an IP address (give 127.0.0.1, ::1, 0.0.0.0 or another address of this machine)")]
    Host { host: String },
    #[error("cannot listen on {addr}: {source}")]
    Bind { addr: SocketAddr, source: std::io::Error },
    /// A request for something outside the roots, or malformed.
    #[error("{0}")]
    BadPath(String),
    #[error("not found: {0}")]
    NotFound(String),
    #[error("{0}")]
    Forbidden(String),
    #[error("{0}")]
    BadRequest(String),
    #[error("{0}")]
    Conflict(String),
    #[error("{what}: {source}")]
    Io { what: String, source: std::io::Error },
}

impl ServeError {
    pub fn io(what: impl std::fmt::Display, source: std::io::Error) -> Self {
        Self::Io { what: what.to_string(), source }
    }

    fn status(&self) -> StatusCode {
        match self {
            Self::BadPath(_) | Self::BadRequest(_) => StatusCode::BAD_REQUEST,
            Self::NotFound(_) => StatusCode::NOT_FOUND,
            Self::Forbidden(_) => StatusCode::FORBIDDEN,
            Self::Conflict(_) => StatusCode::CONFLICT,
            Self::Root { .. } | Self::Host { .. } | Self::Bind { .. } | Self::Io { .. } => StatusCode::INTERNAL_SERVER_ERROR,
        }
    }
}

impl IntoResponse for ServeError {
    fn into_response(self) -> Response {
        let body = serde_json::json!({ "error": self.to_string() });
        (self.status(), axum::Json(body)).into_response()
    }
}
