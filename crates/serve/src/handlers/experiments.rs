//! One experiment's report: its report.json as it stands (a report written while the experiment
//! runs lists what is pending), and the figures beside it.

use axum::Json;
use axum::extract::{Query, State};
use serde::Serialize;

use crate::ServeError;
use crate::handlers::IdQuery;
use crate::paths::resolve;
use crate::state::AppState;

#[derive(Serialize)]
pub struct ExperimentDetail {
    pub id: String,
    pub report: serde_json::Value,
    pub markdown: String,
    pub figures: Vec<String>,
}

pub async fn detail(State(state): State<AppState>, Query(q): Query<IdQuery>) -> Result<Json<ExperimentDetail>, ServeError> {
    let dir = resolve(&state.roots, &q.id)?;
    let text =
        tokio::fs::read_to_string(dir.join("report.json")).await.map_err(|_| ServeError::NotFound(format!("{}/report.json", q.id)))?;
    let report = serde_json::from_str(&text).map_err(|e| ServeError::BadRequest(format!("{}/report.json: {e}", q.id)))?;
    let markdown = tokio::fs::read_to_string(dir.join("report.md")).await.unwrap_or_default();
    let mut figures: Vec<String> = std::fs::read_dir(&dir)
        .into_iter()
        .flatten()
        .flatten()
        .filter(|e| e.path().extension().is_some_and(|x| x == "png"))
        .map(|e| format!("{}/{}", q.id, e.file_name().to_string_lossy()))
        .collect();
    figures.sort();
    Ok(Json(ExperimentDetail { id: q.id, report, markdown, figures }))
}
