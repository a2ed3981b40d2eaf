//! What the serve tests share: a server over a root, on a free loopback port.

use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::time::Duration;

use actlab_serve::ServeOptions;

pub const TOKEN: &str = "0123456789abcdef";

/// A server over `root` in a thread of its own (it ends with the test process).
pub fn start(root: &Path) -> SocketAddr {
    let options = ServeOptions {
        roots: vec![root.to_path_buf()],
        host: "127.0.0.1".into(),
        port: 0,
        token: Some(TOKEN.into()),
        exe: PathBuf::from("/bin/false"),
        race_args: Vec::new(),
    }
    .check()
    .expect("options");
    let (tx, rx) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        let _ = actlab_serve::run(options, move |addr| {
            let _ = tx.send(addr);
        });
    });
    rx.recv_timeout(Duration::from_secs(10)).expect("the server started")
}
