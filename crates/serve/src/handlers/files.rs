//! A file under the roots (figures, reports, metrics), with a content type from its extension and
//! headers that keep it inert: no sniffing, and no scripts even in an SVG.

use axum::extract::{Query, State};
use axum::http::header;
use axum::response::{IntoResponse, Response};

use crate::ServeError;
use crate::handlers::IdQuery;
use crate::paths::resolve;
use crate::state::AppState;

fn content_type(name: &str) -> &'static str {
    match name.rsplit_once('.').map(|(_, x)| x) {
        Some("png") => "image/png",
        Some("svg") => "image/svg+xml",
        Some("json") => "application/json",
        Some("md" | "csv" | "toml" | "log" | "txt") => "text/plain; charset=utf-8",
        _ => "application/octet-stream",
    }
}

pub async fn file(State(state): State<AppState>, Query(q): Query<IdQuery>) -> Result<Response, ServeError> {
    let path = resolve(&state.roots, &q.id)?;
    if !path.is_file() {
        return Err(ServeError::NotFound(q.id));
    }
    let bytes = tokio::fs::read(&path).await.map_err(|e| ServeError::io(&q.id, e))?;
    let headers = [
        (header::CONTENT_TYPE, content_type(&q.id)),
        (header::X_CONTENT_TYPE_OPTIONS, "nosniff"),
        (header::CONTENT_SECURITY_POLICY, "default-src 'none'; style-src 'unsafe-inline'; img-src 'self'"),
    ];
    Ok((headers, bytes).into_response())
}
