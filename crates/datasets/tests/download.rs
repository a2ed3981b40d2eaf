//! Downloads against a local HTTP server serving a CIFAR-10 tarball built here.

#[path = "../../../tests/support/http.rs"]
mod http;

use actlab_datasets::checksum::md5_hex;
use actlab_datasets::download::{Source, Timeouts, fetch};
use actlab_datasets::{DatasetError, cifar10};
use flate2::Compression;
use flate2::write::GzEncoder;
use std::time::{Duration, Instant};

fn tarball(records: usize) -> Vec<u8> {
    let mut builder = tar::Builder::new(GzEncoder::new(Vec::new(), Compression::fast()));
    let mut names: Vec<&str> = cifar10::TRAIN_FILES.to_vec();
    names.push(cifar10::TEST_FILE);
    for (b, name) in names.iter().enumerate() {
        let mut data = Vec::new();
        for r in 0..records {
            data.push(((r + b) % 10) as u8);
            data.extend((0..3072).map(|i| ((i + r) % 251) as u8));
        }
        let mut header = tar::Header::new_gnu();
        header.set_size(data.len() as u64);
        header.set_mode(0o644);
        header.set_cksum();
        builder.append_data(&mut header, format!("cifar-10-batches-bin/{name}"), data.as_slice()).expect("append");
    }
    builder.into_inner().expect("tar").finish().expect("gzip")
}

#[test]
fn downloads_verify_md5_and_are_atomic() {
    let body = tarball(30);
    let dir = tempfile::tempdir().expect("tempdir");
    let dest = dir.path().join(cifar10::TARBALL);

    // A good download lands, verified, and is then read straight from the tarball.
    let (url, server) = http::serve(body.clone(), 1, None);
    let source = Source { url: format!("{url}/{}", cifar10::TARBALL), dest: dest.clone(), md5: md5_hex(&body) };
    assert!(fetch(&source, false, Timeouts::default()).expect("download"));
    server.join().expect("server");
    assert_eq!(std::fs::read(&dest).expect("file"), body);
    assert!(!fetch(&source, false, Timeouts::default()).expect("present"), "a verified file is not fetched again");
    let loaded = cifar10::load(dir.path()).expect("loads from the tarball");
    assert_eq!(loaded.train.len(), 150);
    assert_eq!(loaded.test.as_ref().map(|t| t.len()), Some(30));
    std::fs::remove_file(&dest).expect("rm");

    // A wrong md5 is an error naming both sums, and leaves nothing behind.
    let (url, server) = http::serve(body.clone(), 1, None);
    let wrong = Source { url: format!("{url}/x"), dest: dest.clone(), md5: "0".repeat(32) };
    let err = fetch(&wrong, false, Timeouts::default()).expect_err("md5 mismatch");
    server.join().expect("server");
    assert!(matches!(err, DatasetError::Checksum { .. }), "{err}");
    assert!(err.to_string().contains(&md5_hex(&body)), "{err}");
    assert_eq!(std::fs::read_dir(dir.path()).expect("ls").count(), 0, "a failed download left files");

    // A connection that drops half-way is an error, and leaves nothing behind.
    let (url, server) = http::serve(body.clone(), 1, Some(body.len() / 2));
    let cut = Source { url: format!("{url}/x"), dest: dest.clone(), md5: md5_hex(&body) };
    let err = fetch(&cut, false, Timeouts::default()).expect_err("truncated");
    server.join().expect("server");
    assert!(matches!(err, DatasetError::Download { .. }), "{err}");
    assert_eq!(std::fs::read_dir(dir.path()).expect("ls").count(), 0, "a failed download left files");
}

#[test]
fn an_unreachable_host_says_to_use_local_files() {
    // Port 9 on loopback: nothing listens, so the connection is refused at once.
    let dir = tempfile::tempdir().expect("tempdir");
    let source = Source { url: "http://127.0.0.1:9/f".into(), dest: dir.path().join("f"), md5: "0".repeat(32) };
    let err = fetch(&source, false, Timeouts::default()).expect_err("refused");
    assert!(err.to_string().contains("--data DIR"), "{err}");
}

#[test]
fn a_silent_server_times_out_on_headers_a_stalled_one_when_idle_and_a_slow_one_finishes() {
    let body = tarball(4);
    let dir = tempfile::tempdir().expect("tempdir");
    let source = |url: &str| Source { url: format!("{url}/x"), dest: dir.path().join("x"), md5: md5_hex(&body) };
    let quick = Timeouts::both(Duration::from_millis(500));

    // Accepts the connection and never answers: before, this waited forever.
    let (url, server) = http::serve_slowly(body.clone(), http::Pace::Silent);
    let started = Instant::now();
    let err = fetch(&source(&url), false, quick).expect_err("silent");
    assert!(err.to_string().contains("no response within 0.5 s"), "{err}");
    assert!(started.elapsed() < Duration::from_secs(5));
    server.join().expect("server");

    // Sends half the body, then nothing.
    let (url, server) = http::serve_slowly(body.clone(), http::Pace::StallAfter(body.len() / 2));
    let err = fetch(&source(&url), false, quick).expect_err("stalled");
    assert!(err.to_string().contains(&format!("no data for 0.5 s after {} bytes", body.len() / 2)), "{err}");
    server.join().expect("server");
    assert_eq!(std::fs::read_dir(dir.path()).expect("ls").count(), 0, "a failed download left files");

    // Sends the body in ten pieces 200 ms apart: 2 s in all, four times the idle limit.
    let (url, server) = http::serve_slowly(body.clone(), http::Pace::Trickle(Duration::from_millis(200)));
    let started = Instant::now();
    assert!(fetch(&source(&url), false, quick).expect("a slow but steady download finishes"));
    assert!(started.elapsed() >= Duration::from_millis(1800));
    server.join().expect("server");
}
