//! `actlab serve` under load, on loopback only and bounded in count and time: 1,000 run folders
//! listed, a 100,000-row metrics.csv thinned for the wide view, 50 live clients that all get an
//! appended row, and 200 listing requests from 8 threads. The figures are printed (run with
//! `--nocapture`); the assertions are generous bounds that only a broken server misses.

use std::io::{Read, Write};
use std::net::{SocketAddr, TcpStream};
use std::path::Path;
use std::time::{Duration, Instant};

mod common;
use common::start;

fn get(addr: SocketAddr, path: &str) -> (u16, usize) {
    let mut stream = TcpStream::connect(addr).expect("connect");
    stream.set_read_timeout(Some(Duration::from_secs(30))).expect("timeout");
    write!(stream, "GET {path} HTTP/1.1\r\nHost: {addr}\r\nConnection: close\r\n\r\n").expect("send");
    let mut response = Vec::new();
    let _ = stream.read_to_end(&mut response);
    let text = String::from_utf8_lossy(&response);
    (text.split(' ').nth(1).and_then(|s| s.parse().ok()).unwrap_or(0), response.len())
}

/// The two tests run one at a time: the soak measures this process's memory.
static ONE_AT_A_TIME: std::sync::Mutex<()> = std::sync::Mutex::new(());

/// What each (non-blocking) client has received since the last call, appended to its text; then
/// a 5 ms pause.
fn read_available(clients: &mut [TcpStream], seen: &mut [String]) {
    let mut buf = [0u8; 8192];
    for (client, text) in clients.iter_mut().zip(seen.iter_mut()) {
        if let Ok(n) = client.read(&mut buf) {
            text.push_str(&String::from_utf8_lossy(&buf[..n]));
        }
    }
    std::thread::sleep(Duration::from_millis(5));
}

const HEADER: &str = "epoch,iteration,train_loss,train_error,test_error,lr,images_per_sec,elapsed_s\n";

fn write_run(dir: &Path, rows: usize) {
    std::fs::create_dir_all(dir).expect("mkdir");
    std::fs::write(dir.join("config.toml"), "[model]\nactivation = \"relu\"\n[optimizer]\nlr = 0.01\n").expect("config");
    let body: String = (1..=rows).map(|i| format!("{},{i},1.0,0.5,,0.01,100.0,{i}\n", i as f64 / 100.0)).collect();
    std::fs::write(dir.join("metrics.csv"), format!("{HEADER}{body}")).expect("metrics");
}

#[test]
fn a_thousand_runs_a_long_run_and_fifty_live_clients() {
    let _alone = ONE_AT_A_TIME.lock().unwrap_or_else(|e| e.into_inner());
    let dir = tempfile::tempdir().expect("tempdir");
    let root = dir.path().join("root");
    for i in 0..1000 {
        write_run(&root.join(format!("study/runs/cell-{}/seed-{}", i / 10, i % 10)), 40);
    }
    write_run(&root.join("long"), 100_000);
    let addr = start(&root);

    let listed = Instant::now();
    let (status, bytes) = get(addr, "/api/runs");
    let list_time = listed.elapsed();
    assert_eq!(status, 200);
    println!("listed 1,001 run folders in {list_time:?} ({bytes} bytes)");
    assert!(list_time < Duration::from_secs(10), "{list_time:?}");

    let thinned = Instant::now();
    let (status, bytes) = get(addr, "/api/metrics?id=0/long");
    println!("100,000-row metrics.csv thinned to the wide view in {:?} ({bytes} bytes)", thinned.elapsed());
    assert!(status == 200 && bytes < 200_000, "{status} {bytes}");

    // 50 clients on the long run's live events; one appended row reaches every one of them.
    let offset = std::fs::metadata(root.join("long/metrics.csv")).expect("size").len();
    let mut clients: Vec<TcpStream> = (0..50)
        .map(|_| {
            let mut s = TcpStream::connect(addr).expect("connect");
            write!(s, "GET /api/events?id=0/long&from={offset} HTTP/1.1\r\nHost: {addr}\r\n\r\n").expect("send");
            s.set_nonblocking(true).expect("non-blocking");
            s
        })
        .collect();
    std::thread::sleep(Duration::from_millis(500));
    let appended = Instant::now();
    let mut file = std::fs::OpenOptions::new().append(true).open(root.join("long/metrics.csv")).expect("open");
    file.write_all(b"1000.01,100001,1.0,0.123456,,0.01,100.0,1\n").expect("append");
    let mut seen = vec![String::new(); clients.len()];
    while seen.iter().any(|s| !s.contains("0.123456")) && appended.elapsed() < Duration::from_secs(10) {
        read_available(&mut clients, &mut seen);
    }
    let reached = seen.iter().filter(|s| s.contains("0.123456")).count();
    println!("{reached} of 50 live clients got the appended row within {:?}", appended.elapsed());
    assert_eq!(reached, 50);

    // 200 listings from 8 threads at once, while the 50 clients stay connected.
    let started = Instant::now();
    let threads: Vec<_> =
        (0..8).map(|_| std::thread::spawn(move || (0..25).map(|_| get(addr, "/api/runs").0).collect::<Vec<_>>())).collect();
    let statuses: Vec<u16> = threads.into_iter().flat_map(|t| t.join().expect("thread")).collect();
    println!("200 listings of 1,001 runs from 8 threads in {:?}", started.elapsed());
    assert!(statuses.iter().all(|s| *s == 200), "{statuses:?}");
    drop(clients);
}

/// Resident memory of this process (the server runs in it), in MB.
fn rss_mb() -> f64 {
    let status = std::fs::read_to_string("/proc/self/status").unwrap_or_default();
    status.lines().find(|l| l.starts_with("VmRSS:")).and_then(|l| l.split_whitespace().nth(1)?.parse::<f64>().ok()).unwrap_or(0.0) / 1024.0
}

/// A soak: 20 live clients for 10 s while a row is appended every 50 ms; every client gets every
/// row, in order, and the server's memory does not grow with the rows streamed.
#[test]
fn twenty_clients_get_every_row_for_ten_seconds() {
    let _alone = ONE_AT_A_TIME.lock().unwrap_or_else(|e| e.into_inner());
    let dir = tempfile::tempdir().expect("tempdir");
    let root = dir.path().join("root");
    write_run(&root.join("live"), 10);
    let addr = start(&root);
    let offset = std::fs::metadata(root.join("live/metrics.csv")).expect("size").len();
    let mut clients: Vec<TcpStream> = (0..20)
        .map(|_| {
            let mut s = TcpStream::connect(addr).expect("connect");
            write!(s, "GET /api/events?id=0/live&from={offset} HTTP/1.1\r\nHost: {addr}\r\n\r\n").expect("send");
            s.set_nonblocking(true).expect("non-blocking");
            s
        })
        .collect();
    let mut file = std::fs::OpenOptions::new().append(true).open(root.join("live/metrics.csv")).expect("open");
    std::thread::sleep(Duration::from_millis(500));
    let before = rss_mb();
    let mut seen = vec![String::new(); clients.len()];
    let started = Instant::now();
    let rows = 200;
    for i in 0..rows {
        writeln!(file, "{},{},1.0,0.5,,0.01,100.0,{i}", i as f64 / 100.0, 200_000 + i).expect("append");
        let tick = Instant::now();
        while tick.elapsed() < Duration::from_millis(50) {
            read_available(&mut clients, &mut seen);
        }
    }
    let last = format!("{}.0", 200_000 + rows - 1);
    while seen.iter().any(|s| !s.contains(&last)) && started.elapsed() < Duration::from_secs(30) {
        read_available(&mut clients, &mut seen);
    }
    let after = rss_mb();
    println!("20 clients × {rows} rows over {:?}; resident memory {before:.1} MB before, {after:.1} MB after", started.elapsed());
    for text in &seen {
        let positions: Vec<usize> = (0..rows).map(|i| text.find(&format!("{}.0", 200_000 + i)).unwrap_or(usize::MAX)).collect();
        assert!(positions.iter().all(|p| *p != usize::MAX), "a client missed a row");
        assert!(positions.windows(2).all(|w| w[0] < w[1]), "rows out of order");
    }
    assert!(after - before < 20.0, "memory grew from {before} to {after} MB");
}
