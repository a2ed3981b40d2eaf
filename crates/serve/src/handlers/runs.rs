//! The runs list, one run's details, and its metrics for the charts.

use axum::Json;
use axum::extract::{Query, State};
use serde::{Deserialize, Serialize};

use crate::ServeError;
use crate::handlers::{IdQuery, blocking};
use crate::metrics::{self, Metrics};
use crate::paths::resolve;
use crate::scan::{self, Listing, RunInfo};
use crate::state::AppState;

pub async fn list(State(state): State<AppState>) -> Result<Json<Listing>, ServeError> {
    let roots = state.roots.clone();
    Ok(Json(blocking(move || scan::scan(&roots)).await?))
}

#[derive(Serialize)]
pub struct RunDetail {
    pub info: RunInfo,
    pub config: String,
    pub summary: Option<serde_json::Value>,
    /// Pictures in the folder (e.g. a filters picture), as ids for /api/file.
    pub images: Vec<String>,
}

pub async fn detail(State(state): State<AppState>, Query(q): Query<IdQuery>) -> Result<Json<RunDetail>, ServeError> {
    let dir = resolve(&state.roots, &q.id)?;
    if !dir.join("config.toml").is_file() {
        return Err(ServeError::NotFound(format!("{}: not a run folder", q.id)));
    }
    let roots = state.roots.clone();
    let index: usize = q.id.split('/').next().and_then(|i| i.parse().ok()).unwrap_or(0);
    let id = q.id.clone();
    blocking(move || {
        let info = scan::run(&roots, index, &dir);
        let config = std::fs::read_to_string(dir.join("config.toml")).unwrap_or_default();
        let summary = std::fs::read_to_string(dir.join("summary.json")).ok().and_then(|t| serde_json::from_str(&t).ok());
        let mut images: Vec<String> = std::fs::read_dir(&dir)
            .into_iter()
            .flatten()
            .flatten()
            .filter(|e| e.path().extension().is_some_and(|x| x == "png"))
            .map(|e| format!("{id}/{}", e.file_name().to_string_lossy()))
            .collect();
        images.sort();
        Json(RunDetail { info, config, summary, images })
    })
    .await
}

#[derive(Debug, Deserialize)]
pub struct MetricsQuery {
    pub id: String,
    /// At most this many rows (default 2,000): the wide view of a long run.
    pub max: Option<usize>,
}

pub async fn metrics(State(state): State<AppState>, Query(q): Query<MetricsQuery>) -> Result<Json<Metrics>, ServeError> {
    let path = resolve(&state.roots, &q.id)?.join("metrics.csv");
    let text = tokio::fs::read_to_string(&path).await.map_err(|_| ServeError::NotFound(format!("{}/metrics.csv", q.id)))?;
    Ok(Json(metrics::parse(&text).thinned(q.max.unwrap_or(2000).clamp(2, 200_000))))
}
