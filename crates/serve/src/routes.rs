//! The one router: pages and assets, the read-only API, and the two requests that start or stop
//! work; every request passes the guard first.

use axum::Router;
use axum::middleware;
use axum::routing::{get, post};

use crate::assets;
use crate::guard;
use crate::handlers::{events, experiments, files, race_events, races, runs};
use crate::state::AppState;

pub fn router(state: AppState) -> Router {
    Router::new()
        .route("/", get(assets::index))
        .route("/assets/{name}", get(assets::asset))
        .route("/api/runs", get(runs::list))
        .route("/api/run", get(runs::detail))
        .route("/api/metrics", get(runs::metrics))
        .route("/api/events", get(events::rows))
        .route("/api/file", get(files::file))
        .route("/api/experiment", get(experiments::detail))
        .route("/api/races", get(races::list).post(races::start))
        .route("/api/races/stop", post(races::stop))
        .route("/api/races/events", get(race_events::race))
        .layer(middleware::from_fn_with_state(state.clone(), guard::check))
        .with_state(state)
}
