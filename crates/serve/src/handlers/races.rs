//! Start, list and stop races (the guard has checked the token and Origin of the POSTs).

use axum::Json;
use axum::extract::State;
use serde::Deserialize;

use crate::ServeError;
use crate::paths::id_of;
use crate::race::{RaceInfo, RaceRequest};
use crate::state::AppState;

pub async fn list(State(state): State<AppState>) -> Json<Vec<RaceInfo>> {
    let roots = state.roots.clone();
    Json(state.races.list(|p| id_of(&roots, 0, p)).await)
}

pub async fn start(State(state): State<AppState>, Json(request): Json<RaceRequest>) -> Result<Json<serde_json::Value>, ServeError> {
    let id = state.races.start(&request).await?;
    Ok(Json(serde_json::json!({ "id": id })))
}

#[derive(Deserialize)]
pub struct StopRequest {
    pub id: u64,
}

pub async fn stop(State(state): State<AppState>, Json(request): Json<StopRequest>) -> Result<Json<serde_json::Value>, ServeError> {
    state.races.stop(request.id).await?;
    Ok(Json(serde_json::json!({ "stopped": request.id })))
}
