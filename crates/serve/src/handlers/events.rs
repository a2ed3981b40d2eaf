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
use tokio::io::{AsyncReadExt, AsyncSeekExt};

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

/// The unread end of one metrics.csv.
pub struct Tail {
    path: PathBuf,
    at: usize,
    columns: Option<Vec<String>>,
}

impl Tail {
    /// `path` with its first `at` bytes already sent.
    pub fn new(path: PathBuf, at: usize) -> Self {
        Self { path, at, columns: None }
    }

    /// The header's column names, once a row has been read.
    pub fn columns(&self) -> &[String] {
        self.columns.as_deref().unwrap_or_default()
    }

    /// Bytes sent so far (whole rows only).
    pub fn at(&self) -> usize {
        self.at
    }

    /// The complete rows appended since `at`, reading only the new bytes (a check of the size
    /// is all a poll costs while nothing changes, however long the file).
    pub async fn new_rows(&mut self) -> Option<Vec<Vec<Option<f64>>>> {
        let len = tokio::fs::metadata(&self.path).await.ok()?.len() as usize;
        if len <= self.at {
            return None;
        }
        let mut file = tokio::fs::File::open(&self.path).await.ok()?;
        if self.columns.is_none() {
            let mut head = vec![0; 4096.min(len)];
            file.read_exact(&mut head).await.ok()?;
            let head = String::from_utf8_lossy(&head);
            // The header counts once it is whole; a tail that starts at 0 skips it.
            let header = head.split_inclusive('\n').next().filter(|h| h.ends_with('\n'))?;
            self.columns = Some(metrics::parse(header).columns).filter(|c| !c.is_empty());
            self.at = self.at.max(header.len());
        }
        let columns = self.columns.as_ref()?.len();
        file.seek(std::io::SeekFrom::Start(self.at as u64)).await.ok()?;
        let mut bytes = Vec::with_capacity(len - self.at);
        file.read_to_end(&mut bytes).await.ok()?;
        let text = String::from_utf8_lossy(&bytes);
        let (rows, used) = metrics::parse_after(&text, 0, columns);
        self.at += used;
        (!rows.is_empty()).then_some(rows)
    }
}

pub async fn rows(
    State(state): State<AppState>,
    Query(q): Query<EventsQuery>,
) -> Result<Sse<impl Stream<Item = Result<Event, Infallible>>>, ServeError> {
    let path = resolve(&state.roots, &q.id)?.join("metrics.csv");
    let tail = Tail::new(path, q.from);
    let events = stream::unfold(tail, |mut tail| async move {
        loop {
            tokio::time::sleep(POLL).await;
            let Some(rows) = tail.new_rows().await else { continue };
            let data = serde_json::json!({ "rows": rows, "complete_bytes": tail.at() }).to_string();
            return Some((Ok(Event::default().event("rows").data(data)), tail));
        }
    });
    Ok(Sse::new(events).keep_alive(KeepAlive::default()))
}
