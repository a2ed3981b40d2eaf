//! The page and its files, compiled into the binary (no CDN, no build step): index.html, app.js,
//! app.css, and uPlot (vendored from its npm package with its licence, assets/vendor/).

use axum::extract::Path;
use axum::http::{StatusCode, header};
use axum::response::{Html, IntoResponse, Response};

const INDEX: &str = include_str!("../assets/index.html");
const FILES: [(&str, &str, &str); 4] = [
    ("app.js", "text/javascript; charset=utf-8", include_str!("../assets/app.js")),
    ("app.css", "text/css; charset=utf-8", include_str!("../assets/app.css")),
    ("uPlot.iife.min.js", "text/javascript; charset=utf-8", include_str!("../assets/vendor/uPlot.iife.min.js")),
    ("uPlot.min.css", "text/css; charset=utf-8", include_str!("../assets/vendor/uPlot.min.css")),
];

/// Scripts only from this server: an injected inline script would not run.
const CSP: &str = "default-src 'self'; img-src 'self' data:; style-src 'self' 'unsafe-inline'; connect-src 'self'";

pub async fn index() -> Response {
    ([(header::CONTENT_SECURITY_POLICY, CSP)], Html(INDEX)).into_response()
}

pub async fn asset(Path(name): Path<String>) -> Response {
    match FILES.iter().find(|(n, _, _)| *n == name) {
        Some((_, kind, body)) => ([(header::CONTENT_TYPE, *kind), (header::CACHE_CONTROL, "no-cache")], *body).into_response(),
        None => (StatusCode::NOT_FOUND, "no such asset").into_response(),
    }
}
