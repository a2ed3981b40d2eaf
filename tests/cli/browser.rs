//! `actlab serve` in a real browser: Debian's chromium, headless, driven over WebDriver by
//! chromedriver (`.ci/run` installs both and runs this test with `--ignored`). It opens the runs
//! page, a run's chart, watches the chart grow as rows are appended to metrics.csv, compares two
//! runs, opens a report, and starts and stops a race of synthetic data from the page. Each page's
//! screenshot is kept in target/browser-screenshots/ as a test artefact.

use serde_json::{Value, json};
use std::io::{BufRead, BufReader, Read, Write};
use std::net::{SocketAddr, TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

const TOKEN: &str = "feedfacecafebeef";

/// A child process killed when the test ends, passed or failed.
struct Killed(Child);

impl Drop for Killed {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0").and_then(|l| l.local_addr()).map(|a| a.port()).expect("a free port")
}

/// One HTTP/1.1 exchange with chromedriver; its JSON answer.
fn http(addr: SocketAddr, method: &str, path: &str, body: Option<&Value>) -> Value {
    let mut stream = TcpStream::connect(addr).expect("chromedriver");
    stream.set_read_timeout(Some(Duration::from_secs(60))).expect("timeout");
    let body = body.map(Value::to_string).unwrap_or_default();
    let request = format!(
        "{method} {path} HTTP/1.1\r\nHost: {addr}\r\nContent-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
        body.len()
    );
    stream.write_all(request.as_bytes()).expect("send");
    // chromedriver keeps the connection open: read the headers, then exactly Content-Length bytes.
    let mut reader = BufReader::new(stream);
    let mut length = 0;
    let mut line = String::new();
    while reader.read_line(&mut line).is_ok_and(|n| n > 0) && line != "\r\n" {
        if let Some((name, value)) = line.split_once(':')
            && name.eq_ignore_ascii_case("content-length")
        {
            length = value.trim().parse().unwrap_or(0);
        }
        line.clear();
    }
    let mut body = vec![0; length];
    reader.read_exact(&mut body).expect("chromedriver's answer");
    serde_json::from_slice(&body).unwrap_or_else(|e| panic!("chromedriver answered {:?}: {e}", String::from_utf8_lossy(&body)))
}

/// A WebDriver session: the few commands the test needs.
struct Browser {
    driver: SocketAddr,
    session: String,
    _process: Killed,
}

impl Browser {
    fn start(profile: &Path) -> Self {
        let port = free_port();
        let process = Command::new("chromedriver")
            .arg(format!("--port={port}"))
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("chromedriver (Debian's chromium-driver) is installed");
        let driver: SocketAddr = format!("127.0.0.1:{port}").parse().expect("addr");
        let started = Instant::now();
        while TcpStream::connect(driver).is_err() {
            assert!(started.elapsed() < Duration::from_secs(20), "chromedriver did not start");
            std::thread::sleep(Duration::from_millis(100));
        }
        let args = [
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-quic",
            "--no-first-run",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--window-size=1280,900",
        ]
        .iter()
        .map(|a| a.to_string())
        .chain([format!("--user-data-dir={}", profile.display())])
        .collect::<Vec<_>>();
        let capabilities = json!({"capabilities": {"alwaysMatch": {"goog:chromeOptions": {"binary": "/usr/bin/chromium", "args": args}}}});
        let answer = http(driver, "POST", "/session", Some(&capabilities));
        let session = answer["value"]["sessionId"].as_str().unwrap_or_else(|| panic!("no session: {answer}")).to_string();
        Self { driver, session, _process: Killed(process) }
    }

    fn goto(&self, url: &str) {
        http(self.driver, "POST", &format!("/session/{}/url", self.session), Some(&json!({ "url": url })));
    }

    fn run(&self, script: &str) -> Value {
        let answer =
            http(self.driver, "POST", &format!("/session/{}/execute/sync", self.session), Some(&json!({"script": script, "args": []})));
        answer["value"].clone()
    }

    /// Waits until `script` returns true.
    fn wait(&self, what: &str, script: &str) {
        let started = Instant::now();
        while self.run(script) != json!(true) {
            assert!(
                started.elapsed() < Duration::from_secs(60),
                "timed out waiting for {what}; page: {}",
                self.run("return document.body.innerText")
            );
            std::thread::sleep(Duration::from_millis(200));
        }
    }

    fn screenshot(&self, name: &str) {
        let answer = http(self.driver, "GET", &format!("/session/{}/screenshot", self.session), None);
        let png = base64(answer["value"].as_str().expect("a screenshot"));
        let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../target/browser-screenshots");
        std::fs::create_dir_all(&dir).expect("mkdir");
        std::fs::write(dir.join(format!("{name}.png")), png).expect("save the screenshot");
    }
}

impl Drop for Browser {
    fn drop(&mut self) {
        let _ = TcpStream::connect(self.driver).map(|_| http(self.driver, "DELETE", &format!("/session/{}", self.session), None));
    }
}

fn base64(text: &str) -> Vec<u8> {
    let value = |c: u8| match c {
        b'A'..=b'Z' => Some(c - b'A'),
        b'a'..=b'z' => Some(c - b'a' + 26),
        b'0'..=b'9' => Some(c - b'0' + 52),
        b'+' => Some(62),
        b'/' => Some(63),
        _ => None,
    };
    let digits: Vec<u8> = text.bytes().filter_map(value).collect();
    digits
        .chunks(4)
        .flat_map(|c| {
            let n = c.iter().enumerate().fold(0u32, |n, (i, d)| n | (u32::from(*d) << (18 - 6 * i)));
            let bytes = [(n >> 16) as u8, (n >> 8) as u8, n as u8];
            bytes.into_iter().take(c.len().saturating_sub(1))
        })
        .collect()
}

const HEADER: &str = "epoch,iteration,train_loss,train_error,test_error,lr,images_per_sec,elapsed_s\n";

fn rows(from: usize, to: usize, offset: f64) -> String {
    (from..to)
        .map(|i| {
            format!(
                "{},{},{},{},,0.01,100.0,{}\n",
                i as f64 / 4.0,
                i * 10,
                2.0 / (i as f64 + 1.0),
                (0.9 - i as f64 / 60.0 + offset).max(0.05),
                i
            )
        })
        .collect()
}

/// Two runs (relu and tanh, two seeds of relu) and a report, as an experiment leaves them.
fn fixture(root: &Path) -> Vec<PathBuf> {
    let mut folders = Vec::new();
    for (activation, seed, offset) in [("relu", 1, 0.0), ("relu", 2, 0.02), ("tanh", 1, 0.15)] {
        let dir = root.join(format!("exp/runs/{activation}/seed-{seed}"));
        std::fs::create_dir_all(&dir).expect("mkdir");
        let config =
            format!("[model]\narch = \"convnet18\"\nactivation = \"{activation}\"\n[optimizer]\nlr = 0.01\n[training]\nseed = {seed}\n");
        std::fs::write(dir.join("config.toml"), config).expect("config");
        std::fs::write(dir.join("metrics.csv"), format!("{HEADER}{}", rows(1, 40, offset))).expect("metrics");
        folders.push(dir);
    }
    std::fs::write(root.join("exp/report.json"), r#"{"pending": []}"#).expect("report");
    std::fs::write(
        root.join("exp/report.md"),
        "# Figure 1, a test report\n\n| activation | run | lr | tanh, seed 1 |\n|---|---|---|---|\n| relu | `exp/runs/relu/seed-1` | [1e-2](runs/relu) | [0.412](runs/tanh/seed-1) |\n",
    )
    .expect("md");
    folders
}

/// `actlab serve` on a free port; the page's address with the token.
fn serve(root: &Path) -> (Killed, String) {
    let synthetic = ["dataset.name=\"synthetic\"", "dataset.synthetic.side=8", "dataset.synthetic.train=256", "training.batch_size=32"];
    let mut command = Command::new(env!("CARGO_BIN_EXE_actlab"));
    command.args(["serve", "--port", &free_port().to_string(), "--root"]).arg(root);
    for s in synthetic {
        command.args(["--race-set", s]);
    }
    let mut child = command.env("ACTLAB_TOKEN", TOKEN).stdout(Stdio::piped()).stderr(Stdio::null()).spawn().expect("actlab serve");
    let mut line = String::new();
    let mut reader = BufReader::new(child.stdout.take().expect("stdout"));
    reader.read_line(&mut line).expect("the address line");
    // Keep reading (and dropping) what the server prints, so its pipe stays open.
    std::thread::spawn(move || std::io::copy(&mut reader, &mut std::io::sink()));
    let url = line.trim().strip_prefix("actlab serve: ").unwrap_or_else(|| panic!("{line}")).to_string();
    (Killed(child), url)
}

#[test]
#[ignore = "needs Debian's chromium and chromium-driver; .ci/run installs them and runs it"]
fn the_pages_work_in_a_real_browser() {
    let dir = tempfile::tempdir().expect("tempdir");
    let root = dir.path().join("root");
    let folders = fixture(&root);
    let (_server, url) = serve(&root);
    let base = url.split('#').next().expect("base").to_string();
    let browser = Browser::start(&dir.path().join("profile"));

    // Runs: every run folder listed, with its status.
    browser.goto(&url);
    browser.wait("the runs table", "return document.querySelectorAll('#runs tr[data-id]').length === 3");
    assert_eq!(browser.run("return document.querySelector('#token-state').textContent"), json!("token set: races allowed"));
    browser.screenshot("runs");
    // Filters by field: "activation:tanh" keeps the tanh run; "seed<2 relu" the first relu seed.
    let filter = |query: &str| {
        browser.run(&format!(
            "const f = document.querySelector('#filter'); f.value = {query:?}; f.dispatchEvent(new Event('input')); return [...document.querySelectorAll('#runs tr[data-id]')].map(r => r.dataset.id)"
        ))
    };
    assert_eq!(filter("activation:tanh"), json!(["0/exp/runs/tanh/seed-1"]));
    assert_eq!(filter("seed<2 relu"), json!(["0/exp/runs/relu/seed-1"]));
    assert_eq!(filter("").as_array().map(Vec::len), Some(3));

    // Run: the chart draws (pixels on its canvas), then grows as rows are appended.
    browser.goto(&format!("{base}#/run/0%2Fexp%2Fruns%2Frelu%2Fseed-1"));
    browser.wait("the chart", "const c = document.querySelector('#chart-error canvas'); if (!c) return false; const d = c.getContext('2d').getImageData(0, 0, c.width, c.height).data; let ink = 0; for (let i = 0; i < d.length; i += 4) if (d[i+3] > 0 && (d[i] < 200 || d[i+1] < 200)) ink++; return ink > 500;");
    let points = browser.run("return document.querySelector('#chart-error .uplot').dataset.points");
    assert_eq!(points, json!("39"));
    let mut file = std::fs::OpenOptions::new().append(true).open(folders[0].join("metrics.csv")).expect("open");
    file.write_all(rows(40, 60, 0.0).as_bytes()).expect("append");
    let appended = Instant::now();
    browser.wait("the live rows", "return document.querySelector('#chart-error .uplot').dataset.points === '59'");
    println!("live update reached the chart in {:?}", appended.elapsed());
    browser.screenshot("run");

    // Compare: two seeds of relu as a band, tanh as a line.
    let ids = ["relu/seed-1", "relu/seed-2", "tanh/seed-1"].map(|p| format!("0%2Fexp%2Fruns%2F{}", p.replace('/', "%2F"))).join(",");
    browser.goto(&format!("{base}#/compare/{ids}"));
    browser.wait(
        "the comparison",
        "return !!document.querySelector('#chart-compare canvas') && document.querySelectorAll('.u-legend .u-series').length >= 5",
    );
    browser.screenshot("compare");

    // Experiments: the report, its run folder a link to the run.
    browser.goto(&format!("{base}#/experiments"));
    browser.wait("the experiments list", "return document.querySelectorAll('#experiments a').length === 1");
    browser.run("document.querySelector('#experiments a').click(); return true");
    browser.wait("the report", "return [...document.querySelectorAll('.report a')].some(a => a.getAttribute('href').startsWith('#/run/'))");
    browser.screenshot("experiment");
    // A number linked to a folder of runs (a rate's seeds) opens the runs page filtered to them;
    // one linked to a run folder opens that run.
    browser.run("document.querySelector('.report a.folder').click(); return true");
    browser.wait("the runs under the folder", "return document.querySelectorAll('#runs tr[data-id]').length === 2");
    assert_eq!(browser.run("return document.querySelector('#filter').value"), "path:exp/runs/relu/");
    browser.run("history.back(); return true");
    browser.wait("the report again", "return [...document.querySelectorAll('.report a')].some(a => a.textContent === '0.412')");
    browser.run("[...document.querySelectorAll('.report a')].find(a => a.textContent === '0.412').click(); return true");
    browser.wait("the linked run", "return location.hash.includes('tanh')");

    // Race: start the quick Figure 1 on synthetic data from the page, watch it, stop it.
    browser.goto(&format!("{base}#/race"));
    browser.wait("the race form", "return !!document.querySelector('#race-start')");
    browser.run("document.querySelector('#race-seeds').value = 1; document.querySelector('#race-start').click(); return true");
    browser.wait("a running race", "return !!document.querySelector('.race-stop')");
    browser.wait("the race's runs on the chart", "return !!document.querySelector('#chart-race canvas')");
    // New rows keep arriving on the race's one event stream while it runs.
    browser.wait("the race's curves growing", "return +(document.querySelector('#chart-race > div')?.dataset.points || 0) >= 2");
    browser.screenshot("race");
    browser.run("document.querySelector('.race-stop').click(); return true");
    browser.wait(
        "the race stopped",
        "return !document.querySelector('.race-stop') && document.querySelector('#races').innerText.includes('exit')",
    );
    let races: Vec<_> = std::fs::read_dir(root.join("races")).expect("races folder").flatten().collect();
    assert_eq!(races.len(), 1, "one race folder");
}
