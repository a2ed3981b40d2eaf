//! `actlab serve`: a web server over the run folders under one or more roots. It lists every run
//! (recursively, as experiments nest them), draws each run's curves live as its metrics.csv grows
//! (server-sent events), overlays runs to compare them, shows each experiment's report.json, and
//! starts or stops a quick experiment as the same child process a user would start.
//!
//! It reads nothing but the run folders (no other store), binds 127.0.0.1 unless told otherwise,
//! checks Host and Origin on every request (against DNS rebinding), asks a random token for
//! anything that starts or stops work, serves only files under the roots, and runs no shell.

mod assets;
mod error;
mod guard;
mod handlers;
pub mod metrics;
mod options;
pub mod paths;
mod race;
mod routes;
pub mod scan;
mod state;

pub use error::ServeError;
pub use options::{Checked, ServeOptions};
pub use routes::router;
pub use state::AppState;

/// Serves on a runtime of its own until Ctrl-C; `ready` is told the bound address first.
pub fn run(options: Checked, ready: impl FnOnce(std::net::SocketAddr)) -> Result<(), ServeError> {
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .map_err(|e| ServeError::io("the server's runtime", e))?;
    runtime.block_on(serve(options, ready))
}

/// Serves until the process is stopped (Ctrl-C); `ready` is told the bound address first.
pub async fn serve(options: Checked, ready: impl FnOnce(std::net::SocketAddr)) -> Result<(), ServeError> {
    let listener = tokio::net::TcpListener::bind(options.addr).await.map_err(|e| ServeError::Bind { addr: options.addr, source: e })?;
    let addr = listener.local_addr().map_err(|e| ServeError::Bind { addr: options.addr, source: e })?;
    let state = AppState::new(options, addr);
    ready(addr);
    let app = router(state.clone());
    let shutdown = async move {
        let _ = tokio::signal::ctrl_c().await;
        state.races.stop_all().await;
    };
    axum::serve(listener, app).with_graceful_shutdown(shutdown).await.map_err(|e| ServeError::Bind { addr, source: e })
}
