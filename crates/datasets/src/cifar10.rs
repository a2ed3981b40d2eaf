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
/// Records in an official batch file; a file claiming more is refused before it is read.
pub const MAX_RECORDS: usize = 10_000;
/// The official tarball is 170 MB; a larger file is not it, and is refused before it is read.
pub const MAX_TARBALL_BYTES: u64 = 1 << 30;
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
    if records > MAX_RECORDS {
        return Err(too_many_records(path, bytes.len() as u64));
    }
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

fn too_many_records(path: &Path, size: u64) -> DatasetError {
    let reason =
        format!("{size} bytes is more than the {MAX_RECORDS} records of a CIFAR-10 batch file ({} bytes)", MAX_RECORDS * RECORD_LEN);
    DatasetError::Format { path: path.into(), reason }
}

/// Reads a file after checking its length against `limit` (a sparse or corrupt file can claim
/// terabytes; reading it whole would exhaust memory with no error line).
fn read_at_most(path: &Path, limit: u64, too_big: impl Fn(u64) -> DatasetError) -> Result<Vec<u8>, DatasetError> {
    let size = fs::metadata(path).map_err(|e| DatasetError::io(path, e))?.len();
    if size > limit {
        return Err(too_big(size));
    }
    fs::read(path).map_err(|e| DatasetError::io(path, e))
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
        let bytes = read_at_most(&path, (MAX_RECORDS * RECORD_LEN) as u64, |size| too_many_records(&path, size))?;
        files.push(FileCheck::new(path.display().to_string(), name, &bytes));
        parse_batch(&path, &bytes)
    };
    let train = TRAIN_FILES.iter().map(|name| load_one(name)).collect::<Result<Vec<_>, _>>()?;
    let test = load_one(TEST_FILE)?;
    Ok(LoadedDataset { train: image_set(train), test: Some(image_set(vec![test])), files })
}

fn load_tarball(path: &Path) -> Result<LoadedDataset, DatasetError> {
    let bytes = read_at_most(path, MAX_TARBALL_BYTES, |size| DatasetError::Format {
        path: path.into(),
        reason: format!("{size} bytes is larger than any CIFAR-10 tarball ({} MiB at most)", MAX_TARBALL_BYTES >> 20),
    })?;
    parse_tarball(path, &bytes)
}

/// Reads the six batch files out of the bytes of `cifar-10-binary.tar.gz`; `path` only names the
/// file in errors.
pub fn parse_tarball(path: &Path, bytes: &[u8]) -> Result<LoadedDataset, DatasetError> {
    let format_err = |reason: String| DatasetError::Format { path: path.into(), reason };
    let mut files = vec![FileCheck::new(path.display().to_string(), TARBALL, bytes)];
    let mut archive = tar::Archive::new(GzDecoder::new(bytes));
    let mut found: Vec<(String, Vec<u8>)> = Vec::new();
    let entries = archive.entries().map_err(|e| format_err(format!("not a tar.gz archive: {e}")))?;
    for entry in entries {
        let mut entry = entry.map_err(|e| format_err(format!("corrupt archive: {e}")))?;
        let name = entry.path().map_err(|e| format_err(e.to_string()))?.to_string_lossy().into_owned();
        let base = name.rsplit('/').next().unwrap_or_default().to_string();
        if TRAIN_FILES.contains(&base.as_str()) || base == TEST_FILE {
            let size = entry.header().size().map_err(|e| format_err(format!("{name}: {e}")))?;
            if size > (MAX_RECORDS * RECORD_LEN) as u64 {
                return Err(too_many_records(&PathBuf::from(format!("{}!{name}", path.display())), size));
            }
            let mut data = Vec::new();
            entry.read_to_end(&mut data).map_err(|e| format_err(format!("{name}: {e}")))?;
            found.push((base, data));
        }
    }
    // tar stops at its end-of-archive blocks; gzip's CRC and length come after them, so the rest
    // of the stream is read too, or damage there would go unnoticed.
    std::io::copy(&mut archive.into_inner(), &mut std::io::sink()).map_err(|e| format_err(format!("corrupt archive: {e}")))?;
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

    /// A tarball holding the six batch files of `records` records each, as the official one does.
    fn tarball(dir: &Path, records: usize, extra: Option<(&str, usize)>) -> PathBuf {
        use flate2::{Compression, write::GzEncoder};
        let path = dir.join(TARBALL);
        let file = fs::File::create(&path).expect("create");
        let mut builder = tar::Builder::new(GzEncoder::new(file, Compression::fast()));
        let batch: Vec<u8> = (0..records).flat_map(|r| record((r % 10) as u8, r as u8)).collect();
        let mut add = |name: &str, data: &[u8]| {
            let mut header = tar::Header::new_gnu();
            header.set_size(data.len() as u64);
            header.set_mode(0o644);
            header.set_cksum();
            builder.append_data(&mut header, format!("{FOLDER}/{name}"), data).expect("append");
        };
        for name in TRAIN_FILES.iter().chain([&TEST_FILE]) {
            add(name, &batch);
        }
        if let Some((name, size)) = extra {
            add(name, &vec![0; size]);
        }
        builder.into_inner().expect("tar").finish().expect("gzip");
        path
    }

    #[test]
    fn a_tarball_is_read_to_its_checksum_and_oversized_members_are_refused() {
        let dir = tempfile::tempdir().expect("tempdir");
        let path = tarball(dir.path(), 3, None);
        assert_eq!(load(&path).expect("valid").train.len(), 15);
        // Damage in the gzip trailer (CRC and length) comes after tar's end-of-archive blocks.
        let mut bytes = fs::read(&path).expect("read");
        let at = bytes.len() - 6;
        bytes[at] ^= 0x55;
        fs::write(&path, &bytes).expect("write");
        let err = load(&path).expect_err("damaged trailer");
        assert!(err.to_string().contains("corrupt archive"), "{err}");

        // A member claiming more than 10,000 records is refused from its header, before reading.
        let big = dir.path().join("big");
        fs::create_dir_all(&big).expect("mkdir");
        let path = tarball(&big, 1, Some(("data_batch_1.bin", (MAX_RECORDS + 1) * RECORD_LEN)));
        let err = load(&path).expect_err("oversized member");
        assert!(err.to_string().contains("more than the 10000 records"), "{err}");
    }
}
