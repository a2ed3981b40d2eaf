//! What every handler shares: the checked options and the races started from the pages.

use std::net::SocketAddr;
use std::sync::Arc;

use crate::options::{Checked, Root};
use crate::race::Races;

/// Shared by every handler (cheap to clone).
#[derive(Clone)]
pub struct AppState {
    pub roots: Arc<Vec<Root>>,
    pub token: Arc<String>,
    /// Host header values accepted: the bound address, and localhost/127.0.0.1/[::1] with its port.
    pub hosts: Arc<Vec<String>>,
    pub races: Races,
}

impl AppState {
    pub fn new(options: Checked, addr: SocketAddr) -> Self {
        let port = addr.port();
        let mut hosts = vec![addr.to_string(), format!("localhost:{port}"), format!("127.0.0.1:{port}"), format!("[::1]:{port}")];
        if !options.loopback {
            // Exposed on purpose (--host): any name may reach it; the token still guards work.
            hosts.clear();
        }
        let races = Races::new(options.exe.clone(), options.race_args.clone(), options.roots[0].path.clone());
        Self { roots: Arc::new(options.roots), token: Arc::new(options.token), hosts: Arc::new(hosts), races }
    }
}
