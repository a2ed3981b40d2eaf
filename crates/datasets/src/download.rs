//! Downloads of the official files: md5-verified, with a progress bar, written atomically (to a
//! `.partial` file renamed only once complete and verified, so a half download never looks done).

use indicatif::{ProgressBar, ProgressStyle};
use md5::{Digest, Md5};
use std::fs::{self, File};
use std::io::{Read, Write};
use std::path::{Path, PathBuf};
use std::time::Duration;

use crate::checksum::{md5_hex, official_md5};
use crate::idx::{FILES, IdxDataset};
use crate::{DatasetError, DatasetName, cifar10};

pub const CIFAR10_BASE: &str = "https://www.cs.toronto.edu/~kriz/";
pub const MNIST_BASE: &str = "https://ossci-datasets.s3.amazonaws.com/mnist/";
pub const FASHION_MNIST_BASE: &str = "http://fashion-mnist.s3-website.eu-central-1.amazonaws.com/";

/// One file to fetch: where from, where to, and its official md5.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Source {
    pub url: String,
    pub dest: PathBuf,
    pub md5: String,
}

/// The official files of `name`, fetched from `mirror` instead of the official host if given.
pub fn sources(name: DatasetName, dir: &Path, mirror: Option<&str>) -> Result<Vec<Source>, DatasetError> {
    let join = |base: &str, file: &str| format!("{}/{file}", base.trim_end_matches('/'));
    let md5 = |key: &str| official_md5(key).unwrap_or_default().to_string();
    match name {
        DatasetName::Cifar10 => Ok(vec![Source {
            url: join(mirror.unwrap_or(CIFAR10_BASE), cifar10::TARBALL),
            dest: dir.join(cifar10::TARBALL),
            md5: md5(cifar10::TARBALL),
        }]),
        DatasetName::Mnist | DatasetName::FashionMnist => {
            let (dataset, base) =
                if name == DatasetName::Mnist { (IdxDataset::Mnist, MNIST_BASE) } else { (IdxDataset::FashionMnist, FASHION_MNIST_BASE) };
            Ok(FILES
                .iter()
                .map(|file| {
                    let gz = format!("{file}.gz");
                    Source {
                        url: join(mirror.unwrap_or(base), &gz),
                        dest: dir.join(dataset.key()).join(&gz),
                        md5: md5(&format!("{}/{gz}", dataset.key())),
                    }
                })
                .collect())
        }
        DatasetName::Synthetic => Err(DatasetError::Config("the synthetic dataset is generated, not downloaded".into())),
    }
}

/// How long a download may wait: for the response's headers once connected, and for the next
/// bytes of the body at any point (an idle limit, not a total one: the 170 MB CIFAR-10 tarball
/// takes as long as the line needs, as long as bytes keep coming).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Timeouts {
    pub headers: Duration,
    pub idle: Duration,
}

impl Default for Timeouts {
    fn default() -> Self {
        Self::both(Duration::from_secs(60))
    }
}

impl Timeouts {
    /// The same limit for the headers and for each pause in the body.
    pub fn both(limit: Duration) -> Self {
        Self { headers: limit, idle: limit }
    }
}

/// Fetches `source` unless a file with the right md5 is already there. Returns whether it downloaded.
pub fn fetch(source: &Source, progress: bool, timeouts: Timeouts) -> Result<bool, DatasetError> {
    if let Ok(existing) = fs::read(&source.dest)
        && md5_hex(&existing) == source.md5
    {
        return Ok(false);
    }
    let dir = source.dest.parent().filter(|d| !d.as_os_str().is_empty()).unwrap_or(Path::new("."));
    fs::create_dir_all(dir).map_err(|e| DatasetError::io(dir, e))?;
    let partial = source.dest.with_extension(format!("{}.partial", source.dest.extension().and_then(|e| e.to_str()).unwrap_or("")));
    let result = download_to(source, &partial, progress, timeouts);
    if result.is_err() {
        let _ = fs::remove_file(&partial);
    }
    result?;
    fs::rename(&partial, &source.dest).map_err(|e| DatasetError::io(&source.dest, e))?;
    // The rename is durable only once the folder's entry is on disk: without this a crash right
    // after could leave the `.partial` name (or none), and the next fetch would download again.
    File::open(dir).and_then(|d| d.sync_all()).map_err(|e| DatasetError::io(dir, e))?;
    Ok(true)
}

fn download_to(source: &Source, partial: &Path, progress: bool, timeouts: Timeouts) -> Result<(), DatasetError> {
    let failed = |reason: String| DatasetError::Download { url: source.url.clone(), reason };
    let agent = ureq::Agent::config_builder()
        .timeout_connect(Some(Duration::from_secs(20)))
        .timeout_recv_response(Some(timeouts.headers))
        .timeout_per_read(Some(timeouts.idle))
        .build()
        .new_agent();
    let response = agent.get(&source.url).call().map_err(|e| {
        if let ureq::Error::Timeout(ureq::Timeout::RecvResponse | ureq::Timeout::PerRead) = e {
            return failed(format!("the server sent no response within {} s", timeouts.headers.as_secs_f64()));
        }
        let offline = matches!(e, ureq::Error::Io(_) | ureq::Error::HostNotFound | ureq::Error::ConnectionFailed | ureq::Error::Timeout(_));
        if offline {
            failed(format!("{e}. If this machine is offline, fetch the files another way and pass their folder with --data DIR"))
        } else {
            failed(e.to_string())
        }
    })?;
    let (_, body) = response.into_parts();
    let total = body.content_length();
    let bar = if progress { ProgressBar::new(total.unwrap_or(0)) } else { ProgressBar::hidden() };
    bar.set_style(
        ProgressStyle::with_template("{msg} {bar:40} {bytes}/{total_bytes} {bytes_per_sec} eta {eta}")
            .unwrap_or_else(|_| ProgressStyle::default_bar()),
    );
    bar.set_message(source.dest.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default());
    let mut reader = body.into_reader();
    let mut file = File::create(partial).map_err(|e| DatasetError::io(partial, e))?;
    let mut hasher = Md5::new();
    let mut buf = vec![0u8; 1 << 16];
    let mut received = 0u64;
    loop {
        let n = reader.read(&mut buf).map_err(|e| {
            if is_timeout(&e) {
                failed(format!("no data for {} s after {received} bytes", timeouts.idle.as_secs_f64()))
            } else {
                failed(format!("connection broke after {received} bytes: {e}"))
            }
        })?;
        if n == 0 {
            break;
        }
        hasher.update(&buf[..n]);
        file.write_all(&buf[..n]).map_err(|e| DatasetError::io(partial, e))?;
        received += n as u64;
        bar.set_position(received);
    }
    bar.finish_and_clear();
    if let Some(total) = total
        && received != total
    {
        return Err(failed(format!("got {received} of {total} bytes")));
    }
    file.sync_all().map_err(|e| DatasetError::io(partial, e))?;
    let found: String = hasher.finalize().iter().map(|b| format!("{b:02x}")).collect();
    if found != source.md5 {
        return Err(DatasetError::Checksum { path: source.dest.clone(), found, expected: source.md5.clone() });
    }
    Ok(())
}

/// Whether a body read failed for want of data: ureq reports its per-read limit as an I/O error
/// that carries its own `Timeout` error.
fn is_timeout(e: &std::io::Error) -> bool {
    e.kind() == std::io::ErrorKind::TimedOut
        || e.get_ref().and_then(|inner| inner.downcast_ref::<ureq::Error>()).is_some_and(|u| matches!(u, ureq::Error::Timeout(_)))
}
