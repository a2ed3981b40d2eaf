//! A one-file HTTP server on 127.0.0.1 for download tests. It answers a bounded number of
//! requests and then stops; nothing leaves the machine.

use std::io::{BufRead, BufReader, Write};
use std::net::TcpListener;
use std::thread::JoinHandle;

/// Serves `body` to up to `requests` GETs. With `cut_at`, it announces the full length but
/// closes the connection after that many bytes, as a dropped download would.
pub fn serve(body: Vec<u8>, requests: usize, cut_at: Option<usize>) -> (String, JoinHandle<()>) {
    let listener = TcpListener::bind("127.0.0.1:0").expect("bind loopback");
    let url = format!("http://{}", listener.local_addr().expect("addr"));
    let handle = std::thread::spawn(move || {
        for stream in listener.incoming().take(requests) {
            let Ok(mut stream) = stream else { continue };
            let mut reader = BufReader::new(stream.try_clone().expect("clone"));
            let mut line = String::new();
            while reader.read_line(&mut line).map(|n| n > 2).unwrap_or(false) {
                line.clear();
            }
            let header = format!(
                "HTTP/1.1 200 OK\r\nContent-Length: {}\r\nContent-Type: application/octet-stream\r\nConnection: close\r\n\r\n",
                body.len()
            );
            let _ = stream.write_all(header.as_bytes());
            let _ = stream.write_all(&body[..cut_at.unwrap_or(body.len()).min(body.len())]);
            let _ = stream.flush();
        }
    });
    (url, handle)
}
