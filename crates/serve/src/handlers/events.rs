//! Live rows of a run by server-sent events: the file is polled every 250 ms (measured: a file
//! watcher adds a dependency and platform differences for no gain at this rate; a poll of one
//! file's size costs microseconds), and every complete row appended since the client's offset
//! is sent as one `rows` event. A torn last row waits for its newline.

use axum::extract::{Query, State};
use axum::response::sse::{Event, KeepAlive, Sse};
use futures_util::stream::{self, Stream};
use serde::Deserialize;
use std::convert::Infallible;
use std::path::PathBuf;
use std::time::Duration;

use crate::ServeError;
use crate::metrics;
use crate::paths::resolve;
use crate::state::AppState;

pub const POLL: Duration = Duration::from_millis(250);

#[derive(Debug, Deserialize)]
pub struct EventsQuery {
    pub id: String,
    /// Bytes of metrics.csv the client already has (`complete_bytes` of its /api/metrics).
    pub from: usize,
}

struct Tail {
    path: PathBuf,
    at: usize,
    columns: Option<usize>,
}

pub async fn rows(
    State(state): State<AppState>,
    Query(q): Query<EventsQuery>,
) -> Result<Sse<impl Stream<Item = Result<Event, Infallible>>>, ServeError> {
    let path = resolve(&state.roots, &q.id)?.join("metrics.csv");
    let tail = Tail { path, at: q.from, columns: None };
    let events = stream::unfold(tail, |mut tail| async move {
        loop {
            tokio::time::sleep(POLL).await;
            let Ok(text) = tokio::fs::read_to_string(&tail.path).await else { continue };
            let columns = *tail.columns.get_or_insert_with(|| metrics::parse(&text).columns.len());
            if text.len() <= tail.at || columns == 0 {
                continue;
            }
            let (rows, at) = metrics::parse_after(&text, tail.at, columns);
            if rows.is_empty() {
                continue;
            }
            tail.at = at;
            let data = serde_json::json!({ "rows": rows, "complete_bytes": at }).to_string();
            return Some((Ok(Event::default().event("rows").data(data)), tail));
        }
    });
    Ok(Sse::new(events).keep_alive(KeepAlive::default()))
}
