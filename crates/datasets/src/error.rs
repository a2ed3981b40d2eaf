use std::path::PathBuf;
use thiserror::Error;

/// Everything that can be wrong with a dataset on disk or on the wire. Each names the file.
#[derive(Debug, Error)]
pub enum DatasetError {
    #[error("{path}: {source}")]
    Io { path: PathBuf, source: std::io::Error },
    #[error("{path}: empty file")]
    Empty { path: PathBuf },
    #[error("{path}: size {size} bytes is not a multiple of the {record}-byte record (trailing {rest} bytes at offset {offset})")]
    Truncated { path: PathBuf, size: u64, record: usize, rest: u64, offset: u64 },
    #[error("{path}: label {label} at byte offset {offset} is out of range 0..={max}")]
    BadLabel { path: PathBuf, label: u8, offset: u64, max: u8 },
    #[error("{path}: missing {what}")]
    Missing { path: PathBuf, what: String },
    #[error("{path}: bad magic number {found:#010x} (expected {expected:#010x}: {what})")]
    BadMagic { path: PathBuf, found: u32, expected: u32, what: &'static str },
    #[error("{path}: {reason}")]
    Format { path: PathBuf, reason: String },
    #[error("{path}: md5 {found} is not the official {expected}")]
    Checksum { path: PathBuf, found: String, expected: String },
    #[error("download of {url} failed: {reason}")]
    Download { url: String, reason: String },
    #[error("dataset config: {0}")]
    Config(String),
}

impl DatasetError {
    pub(crate) fn io(path: impl Into<PathBuf>, source: std::io::Error) -> Self {
        Self::Io { path: path.into(), source }
    }
}
