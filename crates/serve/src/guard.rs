//! Checks made before any handler runs: the Host header (a page on another site that rebinds its
//! name to 127.0.0.1 sends its own name), the Origin of anything but a GET (a page on another
//! site may post to localhost), and the token on every request that starts or stops work.

use axum::extract::{Request, State};
use axum::http::{HeaderMap, Method, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};

use crate::ServeError;
use crate::state::AppState;

/// The header that carries the token (the page reads it from its own URL's `#token=`).
pub const TOKEN_HEADER: &str = "x-actlab-token";

pub async fn check(State(state): State<AppState>, request: Request, next: Next) -> Response {
    match allowed(&state, request.method(), request.headers()) {
        Ok(()) => next.run(request).await,
        Err(e) => e.into_response(),
    }
}

fn allowed(state: &AppState, method: &Method, headers: &HeaderMap) -> Result<(), ServeError> {
    let value = |name| headers.get(name).and_then(|v| v.to_str().ok());
    if !state.hosts.is_empty() {
        let host = value(header::HOST).unwrap_or("");
        if !state.hosts.iter().any(|h| h == host) {
            return Err(ServeError::Forbidden(format!("Host {host:?} is not this server's address")));
        }
    }
    if method != Method::GET && method != Method::HEAD {
        if let Some(origin) = value(header::ORIGIN) {
            let host = value(header::HOST).unwrap_or("");
            if origin != format!("http://{host}") {
                return Err(ServeError::Forbidden(format!("Origin {origin:?} is not this server")));
            }
        }
        if headers.get(TOKEN_HEADER).and_then(|v| v.to_str().ok()) != Some(state.token.as_str()) {
            return Err(ServeError::Forbidden(
                "this request starts or stops work: it needs the token printed when the server started".into(),
            ));
        }
    }
    Ok(())
}
