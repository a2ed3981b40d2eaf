//! CIFAR-10 in its official "binary version": records of 1 label byte then 1024 red, 1024 green
//! and 1024 blue bytes, row-major 32×32; five training batches and one test batch of 10,000.
//! Read from the unpacked folder or straight from `cifar-10-binary.tar.gz`.

use flate2::read::GzDecoder;
use std::fs;
use std::io::Read;
use std::path::{Path, PathBuf};

use crate::checksum::FileCheck;
use crate::{DatasetError, ImageSet, LoadedDataset};

pub const RECORD_LEN: usize = 1 + 3 * 32 * 32;
pub const TRAIN_FILES: [&str; 5] = ["data_batch_1.bin", "data_batch_2.bin", "data_batch_3.bin", "data_batch_4.bin", "data_batch_5.bin"];
pub const TEST_FILE: &str = "test_batch.bin";
pub const FOLDER: &str = "cifar-10-batches-bin";
pub const TARBALL: &str = "cifar-10-binary.tar.gz";
pub const CLASSES: [&str; 10] = ["airplane", "automobile", "bird", "cat", "deer", "dog", "frog", "horse", "ship", "truck"];

/// Parses one batch file's bytes into (pixels, labels). `path` only names the file in errors.
pub fn parse_batch(path: &Path, bytes: &[u8]) -> Result<(Vec<u8>, Vec<u8>), DatasetError> {
    if bytes.is_empty() {
        return Err(DatasetError::Empty { path: path.into() });
    }
    let rest = bytes.len() % RECORD_LEN;
    if rest != 0 {
        return Err(DatasetError::Truncated {
            path: path.into(),
            size: bytes.len() as u64,
            record: RECORD_LEN,
            rest: rest as u64,
            offset: (bytes.len() - rest) as u64,
        });
    }
    let records = bytes.len() / RECORD_LEN;
    let mut pixels = Vec::with_capacity(records * (RECORD_LEN - 1));
    let mut labels = Vec::with_capacity(records);
    for (i, record) in bytes.chunks_exact(RECORD_LEN).enumerate() {
        let label = record[0];
        if label > 9 {
            let offset = (i * RECORD_LEN) as u64;
            return Err(DatasetError::BadLabel { path: path.into(), label, offset, max: 9 });
        }
        labels.push(label);
        pixels.extend_from_slice(&record[1..]);
    }
    Ok((pixels, labels))
}

fn image_set(parts: Vec<(Vec<u8>, Vec<u8>)>) -> ImageSet {
    let mut set =
        ImageSet { shape: [3, 32, 32], pixels: Vec::new(), labels: Vec::new(), classes: CLASSES.iter().map(|c| c.to_string()).collect() };
    for (pixels, labels) in parts {
        set.pixels.extend(pixels);
        set.labels.extend(labels);
    }
    set
}

fn read(path: &Path) -> Result<Vec<u8>, DatasetError> {
    fs::read(path).map_err(|e| DatasetError::io(path, e))
}

/// Loads CIFAR-10 from a folder of batch files, a folder holding `cifar-10-batches-bin/` or the
/// tarball, or the tarball itself.
pub fn load(path: &Path) -> Result<LoadedDataset, DatasetError> {
    if path.is_file() {
        return load_tarball(path);
    }
    if !path.is_dir() {
        return Err(DatasetError::Missing {
            path: path.into(),
            what: format!(
                "CIFAR-10 data (a folder with {} or the file {TARBALL}); get it with `actlab data download cifar10`",
                TRAIN_FILES[0]
            ),
        });
    }
    if !path.join(TRAIN_FILES[0]).exists() {
        if path.join(FOLDER).is_dir() {
            return load_folder(&path.join(FOLDER));
        }
        if path.join(TARBALL).is_file() {
            return load_tarball(&path.join(TARBALL));
        }
    }
    load_folder(path)
}

fn load_folder(dir: &Path) -> Result<LoadedDataset, DatasetError> {
    let mut files = Vec::new();
    let mut load_one = |name: &str| -> Result<(Vec<u8>, Vec<u8>), DatasetError> {
        let path = dir.join(name);
        if !path.is_file() {
            return Err(DatasetError::Missing { path, what: format!("batch file {name}") });
        }
        let bytes = read(&path)?;
        files.push(FileCheck::new(path.display().to_string(), name, &bytes));
        parse_batch(&path, &bytes)
    };
    let train = TRAIN_FILES.iter().map(|name| load_one(name)).collect::<Result<Vec<_>, _>>()?;
    let test = load_one(TEST_FILE)?;
    Ok(LoadedDataset { train: image_set(train), test: Some(image_set(vec![test])), files })
}

fn load_tarball(path: &Path) -> Result<LoadedDataset, DatasetError> {
    let bytes = read(path)?;
    let mut files = vec![FileCheck::new(path.display().to_string(), TARBALL, &bytes)];
    let mut archive = tar::Archive::new(GzDecoder::new(bytes.as_slice()));
    let mut found: Vec<(String, Vec<u8>)> = Vec::new();
    let format_err = |reason: String| DatasetError::Format { path: path.into(), reason };
    let entries = archive.entries().map_err(|e| format_err(format!("not a tar.gz archive: {e}")))?;
    for entry in entries {
        let mut entry = entry.map_err(|e| format_err(format!("corrupt archive: {e}")))?;
        let name = entry.path().map_err(|e| format_err(e.to_string()))?.to_string_lossy().into_owned();
        let base = name.rsplit('/').next().unwrap_or_default().to_string();
        if TRAIN_FILES.contains(&base.as_str()) || base == TEST_FILE {
            let mut data = Vec::new();
            entry.read_to_end(&mut data).map_err(|e| format_err(format!("{name}: {e}")))?;
            found.push((base, data));
        }
    }
    let mut take = |name: &str| -> Result<(Vec<u8>, Vec<u8>), DatasetError> {
        let member = PathBuf::from(format!("{}!{FOLDER}/{name}", path.display()));
        let (_, data) = found
            .iter()
            .find(|(n, _)| n == name)
            .ok_or_else(|| DatasetError::Missing { path: path.into(), what: format!("archive member {FOLDER}/{name}") })?;
        files.push(FileCheck::new(member.display().to_string(), name, data));
        parse_batch(&member, data)
    };
    let train = TRAIN_FILES.iter().map(|name| take(name)).collect::<Result<Vec<_>, _>>()?;
    let test = take(TEST_FILE)?;
    Ok(LoadedDataset { train: image_set(train), test: Some(image_set(vec![test])), files })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn record(label: u8, fill: u8) -> Vec<u8> {
        let mut r = vec![fill; RECORD_LEN];
        r[0] = label;
        r
    }

    #[test]
    fn parses_records_and_rejects_bad_ones() {
        let path = Path::new("b.bin");
        let bytes: Vec<u8> = [record(3, 7), record(9, 1)].concat();
        let (pixels, labels) = parse_batch(path, &bytes).expect("valid");
        assert_eq!(labels, vec![3, 9]);
        assert_eq!(pixels.len(), 2 * 3072);
        assert_eq!(pixels[3072], 1);

        let err = parse_batch(path, &bytes[..RECORD_LEN + 5]).expect_err("truncated");
        assert!(err.to_string().contains("offset 3073"), "{err}");
        let err = parse_batch(path, &[record(0, 0), record(10, 0)].concat()).expect_err("label");
        assert!(err.to_string().contains("label 10 at byte offset 3073"), "{err}");
        assert!(parse_batch(path, &[]).expect_err("empty").to_string().contains("empty"));
    }
}
