//! `actlab serve` over HTTP on loopback: the listings, a run's data, a live row by server-sent
//! events, every path-traversal form refused, the Host, Origin and token checks, and a corrupt
//! folder shown as an error instead of failing the listing. Plain HTTP/1.1 over a TcpStream, so
//! the test sees exactly the bytes a browser would send and get.

use std::io::{Read, Write};
use std::net::{SocketAddr, TcpStream};
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

mod common;
use common::{TOKEN, start};

/// One request; the status code and the body.
fn request(addr: SocketAddr, method: &str, path: &str, headers: &[(&str, &str)], body: &str) -> (u16, String) {
    let mut stream = TcpStream::connect(addr).expect("connect");
    stream.set_read_timeout(Some(Duration::from_secs(10))).expect("timeout");
    let host = headers.iter().find(|(k, _)| k.eq_ignore_ascii_case("host")).map_or(addr.to_string(), |(_, v)| v.to_string());
    let mut text = format!("{method} {path} HTTP/1.1\r\nHost: {host}\r\nConnection: close\r\nContent-Length: {}\r\n", body.len());
    for (k, v) in headers.iter().filter(|(k, _)| !k.eq_ignore_ascii_case("host")) {
        text.push_str(&format!("{k}: {v}\r\n"));
    }
    text.push_str("\r\n");
    text.push_str(body);
    stream.write_all(text.as_bytes()).expect("send");
    let mut response = Vec::new();
    let _ = stream.read_to_end(&mut response);
    let response = String::from_utf8_lossy(&response).to_string();
    let status = response.split(' ').nth(1).and_then(|s| s.parse().ok()).unwrap_or(0);
    let body = response.split_once("\r\n\r\n").map_or(String::new(), |(_, b)| b.to_string());
    (status, body)
}

fn get(addr: SocketAddr, path: &str) -> (u16, String) {
    request(addr, "GET", path, &[], "")
}

const HEADER: &str = "epoch,iteration,train_loss,train_error,test_error,lr,images_per_sec,elapsed_s\n";

/// A root with a finished run, a run still being written (torn last row), a corrupt one, a
/// report, and a secret beside the root with a symlink to it.
fn fixture(dir: &Path) -> PathBuf {
    let root = dir.join("root");
    let run = root.join("exp/runs/relu/seed-1");
    std::fs::create_dir_all(&run).expect("mkdir");
    std::fs::write(
        run.join("config.toml"),
        "[model]\narch = \"convnet18\"\nactivation = \"relu\"\n[optimizer]\nlr = 0.01\n[training]\nseed = 1\n",
    )
    .expect("config");
    let rows: String = (1..=50)
        .map(|i| format!("{},{},{},{},,0.01,100.0,{}\n", i as f64 / 10.0, i * 10, 2.0 / i as f64, 0.9 - i as f64 / 100.0, i))
        .collect();
    std::fs::write(run.join("metrics.csv"), format!("{HEADER}{rows}")).expect("metrics");
    std::fs::write(run.join("summary.json"), "{\"stop\":{\"reason\":\"max-epochs\"},\"iterations\":500}").expect("summary");
    let torn = root.join("exp/runs/tanh/seed-1");
    std::fs::create_dir_all(&torn).expect("mkdir");
    std::fs::write(torn.join("config.toml"), "[model]\nactivation = \"tanh\"\n").expect("config");
    std::fs::write(torn.join("metrics.csv"), format!("{HEADER}0.1,10,2.0,0.9,,0.01,100.0,1\n0.2,20,1.9,0.8")).expect("metrics");
    let corrupt = root.join("exp/runs/broken");
    std::fs::create_dir_all(&corrupt).expect("mkdir");
    std::fs::write(corrupt.join("config.toml"), "[model\nthis is not toml").expect("config");
    std::fs::write(corrupt.join("summary.json"), "{ not json").expect("summary");
    std::fs::write(root.join("exp/report.json"), "{\"pending\": [\"tanh seed 2\"]}").expect("report");
    std::fs::write(root.join("exp/report.md"), "# A report\n\n| a | b |\n|---|---|\n| 1 | 2 |\n").expect("report");
    std::fs::write(dir.join("secret.txt"), "SECRET").expect("secret");
    #[cfg(unix)]
    std::os::unix::fs::symlink(dir, root.join("out")).expect("symlink");
    root
}

#[test]
fn lists_runs_reports_and_errors() {
    let dir = tempfile::tempdir().expect("tempdir");
    let addr = start(&fixture(dir.path()));
    let (status, body) = get(addr, "/api/runs");
    assert_eq!(status, 200, "{body}");
    let listing: serde_json::Value = serde_json::from_str(&body).expect("json");
    let runs = listing["runs"].as_array().expect("runs");
    let by_path = |p: &str| runs.iter().find(|r| r["path"] == p).unwrap_or_else(|| panic!("{p} in {body}"));
    let relu = by_path("exp/runs/relu/seed-1");
    assert_eq!((relu["status"].as_str(), relu["activation"].as_str(), relu["lr"].as_f64()), (Some("finished"), Some("relu"), Some(0.01)));
    assert!((relu["last_train_error"].as_f64().expect("error") - 0.4).abs() < 1e-9);
    let broken = by_path("exp/runs/broken");
    assert!(broken["error"].as_str().is_some_and(|e| e.contains("config.toml") && e.contains("summary.json")), "{broken}");
    // The torn row is left out until its newline arrives.
    assert!((by_path("exp/runs/tanh/seed-1")["last_train_error"].as_f64().expect("error") - 0.9).abs() < 1e-9);
    let experiments = listing["experiments"].as_array().expect("experiments");
    assert_eq!((experiments[0]["title"].as_str(), experiments[0]["pending"].as_u64()), (Some("A report"), Some(1)));
    let (status, page) = get(addr, "/");
    assert!(status == 200 && page.contains("/assets/app.js"), "{page}");
    let (status, js) = get(addr, "/assets/uPlot.iife.min.js");
    assert!(status == 200 && js.contains("uPlot"));
}

/// A run whose folder a training process holds (its `flock`) is running, whatever its files say;
/// let go, it is what its files say (here: finished).
#[test]
fn a_locked_run_folder_is_running() {
    let dir = tempfile::tempdir().expect("tempdir");
    let root = fixture(dir.path());
    let addr = start(&root);
    let status_of_relu = || {
        let (_, body) = get(addr, "/api/runs");
        let listing: serde_json::Value = serde_json::from_str(&body).expect("json");
        let runs = listing["runs"].as_array().expect("runs").clone();
        runs.into_iter().find(|r| r["path"] == "exp/runs/relu/seed-1").expect("relu")["status"].as_str().map(String::from)
    };
    let held = std::fs::File::open(root.join("exp/runs/relu/seed-1")).expect("open the folder");
    held.lock().expect("lock it as actlab train does");
    assert_eq!(status_of_relu().as_deref(), Some("running"));
    drop(held);
    assert_eq!(status_of_relu().as_deref(), Some("finished"));
}

#[test]
fn metrics_thin_and_grow_live() {
    let dir = tempfile::tempdir().expect("tempdir");
    let root = fixture(dir.path());
    let addr = start(&root);
    let (status, body) = get(addr, "/api/metrics?id=0/exp/runs/relu/seed-1&max=10");
    assert_eq!(status, 200, "{body}");
    let m: serde_json::Value = serde_json::from_str(&body).expect("json");
    assert_eq!(m["total_rows"], 50);
    assert!(m["rows"].as_array().expect("rows").len() <= 11);
    let from = m["complete_bytes"].as_u64().expect("bytes");

    // Server-sent events: a row appended to metrics.csv arrives within about a second.
    let mut stream = TcpStream::connect(addr).expect("connect");
    stream.set_read_timeout(Some(Duration::from_secs(5))).expect("timeout");
    let get =
        format!("GET /api/events?id=0/exp/runs/relu/seed-1&from={from} HTTP/1.1\r\nHost: {addr}\r\nAccept: text/event-stream\r\n\r\n");
    stream.write_all(get.as_bytes()).expect("send");
    std::thread::sleep(Duration::from_millis(300));
    let appended = Instant::now();
    let mut file = std::fs::OpenOptions::new().append(true).open(root.join("exp/runs/relu/seed-1/metrics.csv")).expect("open");
    file.write_all(b"5.1,510,0.01,0.123456,0.2,0.01,100.0,51\n").expect("append");
    let mut seen = String::new();
    let mut buf = [0u8; 4096];
    while !seen.contains("0.123456") && appended.elapsed() < Duration::from_secs(5) {
        let n = stream.read(&mut buf).unwrap_or(0);
        seen.push_str(&String::from_utf8_lossy(&buf[..n]));
    }
    let latency = appended.elapsed();
    assert!(seen.contains("event: rows") && seen.contains("0.123456"), "{seen}");
    assert!(latency < Duration::from_millis(1500), "{latency:?}");
}

#[test]
fn nothing_outside_the_roots_is_served() {
    let dir = tempfile::tempdir().expect("tempdir");
    let addr = start(&fixture(dir.path()));
    for id in [
        "0/../secret.txt",
        "0/%2e%2e/secret.txt",
        "0%2F..%2Fsecret.txt",
        "0/exp/../../secret.txt",
        "0//etc/passwd",
        "0/out/secret.txt",
        "1/secret.txt",
        "..%2Fsecret.txt",
    ] {
        let (status, body) = get(addr, &format!("/api/file?id={id}"));
        assert!((400..500).contains(&status) && !body.contains("SECRET"), "{id}: {status} {body}");
    }
    let (status, body) = get(addr, "/api/file?id=0/exp/report.md");
    assert!(status == 200 && body.contains("A report"), "{status} {body}");
}

#[test]
fn host_origin_and_token_are_checked() {
    let dir = tempfile::tempdir().expect("tempdir");
    let addr = start(&fixture(dir.path()));
    // DNS rebinding: a page at evil.example whose name now points at 127.0.0.1.
    let (status, _) = request(addr, "GET", "/api/runs", &[("Host", "evil.example:8080")], "");
    assert_eq!(status, 403);
    let body = r#"{"experiment":"fig1","seeds":1}"#;
    let json = ("Content-Type", "application/json");
    let (status, text) = request(addr, "POST", "/api/races", &[json], body);
    assert!(status == 403 && text.contains("token"), "{status} {text}");
    let (status, _) = request(addr, "POST", "/api/races", &[json, ("x-actlab-token", "wrong")], body);
    assert_eq!(status, 403);
    let (status, text) = request(addr, "POST", "/api/races", &[json, ("x-actlab-token", TOKEN), ("Origin", "http://evil.example")], body);
    assert!(status == 403 && text.contains("Origin"), "{status} {text}");
    // With the token and its own origin, a bad request is refused for what it is.
    let origin = format!("http://{addr}");
    let (status, text) =
        request(addr, "POST", "/api/races", &[json, ("x-actlab-token", TOKEN), ("Origin", &origin)], r#"{"experiment":"rm -rf /"}"#);
    assert!(status == 400 && text.contains("one of fig1"), "{status} {text}");
}
