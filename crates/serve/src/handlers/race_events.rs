//! A race, live, by server-sent events: one stream for the whole race, so a race of many runs
//! needs one connection (a browser allows six per host; one stream per run would stall a race
//! of twelve). Every poll (250 ms, as for a single run) it looks for new run folders under the
//! race's folder and new rows in their metrics.csv, and sends
//! - `race`: the race's state (running, exit code, the end of its output) whenever it changes;
//! - `runs`: run folders that appeared (id, activation, lr, seed, as the runs page lists them);
//! - `rows`: for one run, its column names and the complete rows appended since the last event.

use axum::extract::{Query, State};
use axum::response::sse::{Event, KeepAlive, Sse};
use futures_util::stream::{self, Stream};
use serde::Deserialize;
use std::collections::{BTreeMap, BTreeSet, VecDeque};
use std::convert::Infallible;

use crate::ServeError;
use crate::handlers::blocking;
use crate::handlers::events::{POLL, Tail};
use crate::paths::{id_of, resolve};
use crate::scan;
use crate::state::AppState;

#[derive(Debug, Deserialize)]
pub struct RaceQuery {
    pub id: u64,
}

/// What the stream remembers between polls.
struct Watch {
    state: AppState,
    race: u64,
    last_race: String,
    tails: BTreeMap<String, Tail>,
    queue: VecDeque<Event>,
}

impl Watch {
    /// One poll: queues an event for each change since the last.
    async fn poll(&mut self) {
        let roots = self.state.roots.clone();
        let races = self.state.races.list(|p| id_of(&roots, 0, p)).await;
        let Some(info) = races.into_iter().find(|r| r.id == self.race) else { return };
        let text = serde_json::to_string(&info).unwrap_or_default();
        if text != self.last_race {
            self.queue.push_back(Event::default().event("race").data(&text));
            self.last_race = text;
        }
        let Ok(dir) = resolve(&roots, &info.out) else { return };
        // Only folders not yet followed are read (their config, for the page's labels); the
        // others are followed by their tails alone.
        let known: BTreeSet<String> = self.tails.keys().cloned().collect();
        let new = blocking(move || {
            let folders = scan::run_folders_under(&dir).into_iter().filter(|d| !known.contains(&id_of(&roots, 0, d)));
            folders.map(|d| scan::run(&roots, 0, &d)).collect::<Vec<_>>()
        })
        .await
        .unwrap_or_default();
        if !new.is_empty() {
            self.queue.push_back(Event::default().event("runs").data(serde_json::to_string(&new).unwrap_or_default()));
        }
        for run in new {
            if let Ok(dir) = resolve(&self.state.roots, &run.id) {
                self.tails.insert(run.id, Tail::new(dir.join("metrics.csv"), 0));
            }
        }
        for (id, tail) in &mut self.tails {
            if let Some(rows) = tail.new_rows().await {
                let data = serde_json::json!({ "id": id, "columns": tail.columns(), "rows": rows });
                self.queue.push_back(Event::default().event("rows").data(data.to_string()));
            }
        }
    }
}

pub async fn race(
    State(state): State<AppState>,
    Query(q): Query<RaceQuery>,
) -> Result<Sse<impl Stream<Item = Result<Event, Infallible>>>, ServeError> {
    let roots = state.roots.clone();
    if !state.races.list(|p| id_of(&roots, 0, p)).await.iter().any(|r| r.id == q.id) {
        return Err(ServeError::NotFound(format!("race {}", q.id)));
    }
    let watch = Watch { state, race: q.id, last_race: String::new(), tails: BTreeMap::new(), queue: VecDeque::new() };
    let events = stream::unfold(watch, |mut watch| async move {
        loop {
            if let Some(event) = watch.queue.pop_front() {
                return Some((Ok(event), watch));
            }
            tokio::time::sleep(POLL).await;
            watch.poll().await;
        }
    });
    Ok(Sse::new(events).keep_alive(KeepAlive::default()))
}
