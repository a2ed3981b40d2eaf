//! `actlab serve`'s options, checked (`ServeOptions::check`) into what the server runs with
//! before it binds anything.

use rand::RngExt;
use std::net::{IpAddr, SocketAddr};
use std::path::PathBuf;

use crate::ServeError;

/// As given on the command line.
#[derive(Clone, Debug)]
pub struct ServeOptions {
    pub roots: Vec<PathBuf>,
    pub host: String,
    pub port: u16,
    /// The token for requests that start or stop work; a random one when None.
    pub token: Option<String>,
    /// The actlab binary that races run as (the one serving, normally).
    pub exe: PathBuf,
    /// Extra arguments every race gets (e.g. `--data DIR`), after the experiment's own.
    pub race_args: Vec<String>,
}

/// A root folder: its canonical path and the name the pages show.
#[derive(Clone, Debug)]
pub struct Root {
    pub path: PathBuf,
    pub name: String,
}

/// Checked options.
#[derive(Clone, Debug)]
pub struct Checked {
    pub roots: Vec<Root>,
    pub addr: SocketAddr,
    pub token: String,
    /// Whether the address is a loopback one (otherwise the server is reachable from the network).
    pub loopback: bool,
    pub exe: PathBuf,
    pub race_args: Vec<String>,
}

impl ServeOptions {
    pub fn check(self) -> Result<Checked, ServeError> {
        if self.roots.is_empty() {
            return Err(ServeError::Root { path: PathBuf::from("(none)"), why: "give at least one folder".into() });
        }
        let mut roots = Vec::new();
        for path in &self.roots {
            let canonical = path.canonicalize().map_err(|e| ServeError::Root { path: path.clone(), why: e.to_string() })?;
            if !canonical.is_dir() {
                return Err(ServeError::Root { path: path.clone(), why: "not a folder".into() });
            }
            let name = path.display().to_string();
            roots.push(Root { path: canonical, name });
        }
        let ip: IpAddr = self.host.parse().map_err(|_| ServeError::Host { host: self.host.clone() })?;
        let token = self.token.unwrap_or_else(random_token);
        Ok(Checked {
            roots,
            addr: SocketAddr::new(ip, self.port),
            token,
            loopback: ip.is_loopback(),
            exe: self.exe,
            race_args: self.race_args,
        })
    }
}

/// 32 hexadecimal digits from the thread's cryptographically seeded generator.
fn random_token() -> String {
    let mut rng = rand::rng();
    (0..16).map(|_| format!("{:02x}", rng.random::<u8>())).collect()
}
