//! A one-file HTTP server on 127.0.0.1 for download tests. It answers a bounded number of
//! requests and then stops; nothing leaves the machine.

use std::io::{BufRead, BufReader, Write};
use std::net::TcpListener;
use std::thread::{JoinHandle, sleep};
use std::time::Duration;

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

/// How [`serve_slowly`] answers its one request.
#[derive(Clone, Copy, Debug)]
pub enum Pace {
    /// Reads the request and sends nothing for 3 s, then closes.
    Silent,
    /// Sends the headers and this many bytes, then nothing for 3 s, then closes.
    StallAfter(usize),
    /// Sends the headers, then the body in ten pieces with this pause before each.
    Trickle(Duration),
}

/// Serves `body` to one GET at the given pace; every wait is bounded, so the server stops.
pub fn serve_slowly(body: Vec<u8>, pace: Pace) -> (String, JoinHandle<()>) {
    let listener = TcpListener::bind("127.0.0.1:0").expect("bind loopback");
    let url = format!("http://{}", listener.local_addr().expect("addr"));
    let handle = std::thread::spawn(move || {
        let Some(Ok(mut stream)) = listener.incoming().next() else { return };
        let mut reader = BufReader::new(stream.try_clone().expect("clone"));
        let mut line = String::new();
        while reader.read_line(&mut line).map(|n| n > 2).unwrap_or(false) {
            line.clear();
        }
        let header = format!("HTTP/1.1 200 OK\r\nContent-Length: {}\r\nConnection: close\r\n\r\n", body.len());
        match pace {
            Pace::Silent => sleep(Duration::from_secs(3)),
            Pace::StallAfter(n) => {
                let _ = stream.write_all(header.as_bytes()).and_then(|_| stream.write_all(&body[..n])).and_then(|_| stream.flush());
                sleep(Duration::from_secs(3));
            }
            Pace::Trickle(pause) => {
                let _ = stream.write_all(header.as_bytes());
                for piece in body.chunks(body.len().div_ceil(10)) {
                    sleep(pause);
                    let _ = stream.write_all(piece).and_then(|_| stream.flush());
                }
            }
        }
    });
    (url, handle)
}
