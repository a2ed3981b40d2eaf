//! The bodies of the fuzz targets for the dataset parsers, shared by `fuzz/` (cargo fuzz,
//! libFuzzer) and the smoke run in the test suite. Each takes any bytes, must not panic, and
//! checks what a successful parse promises.

use std::path::Path;

use crate::cifar10::{self, RECORD_LEN};
use crate::idx::{self, IMAGES_MAGIC, LABELS_MAGIC};

/// A CIFAR-10 batch file: on success, one label (0..=9) and 3,072 pixels per record.
pub fn cifar_batch(data: &[u8]) {
    if let Ok((pixels, labels)) = cifar10::parse_batch(Path::new("fuzz.bin"), data) {
        assert_eq!(labels.len() * (RECORD_LEN - 1), pixels.len());
        assert_eq!(labels.len() * RECORD_LEN, data.len());
        assert!(labels.iter().all(|&l| l <= 9));
    }
}

/// `cifar-10-binary.tar.gz`: on success, five training batches and one test batch of records.
pub fn cifar_tarball(data: &[u8]) {
    if let Ok(loaded) = cifar10::parse_tarball(Path::new("fuzz.tar.gz"), data) {
        let test = loaded.test.as_ref().map_or(0, |t| t.len());
        assert_eq!(loaded.train.pixels.len(), loaded.train.len() * (RECORD_LEN - 1));
        assert!(loaded.train.len() <= 5 * cifar10::MAX_RECORDS && test <= cifar10::MAX_RECORDS);
        assert_eq!(loaded.files.len(), 7);
    }
}

/// An IDX file, raw or gzipped, read as images and as labels: on success, the dimensions
/// multiply out to the data's length.
pub fn idx_file(data: &[u8]) {
    let path = Path::new("fuzz-idx");
    let Ok(content) = idx::maybe_gunzip(path, data.to_vec()) else { return };
    for magic in [IMAGES_MAGIC, LABELS_MAGIC] {
        if let Ok((dims, bytes)) = idx::parse(path, &content, magic, "fuzz") {
            assert_eq!(dims.len(), (magic & 0xff) as usize);
            assert_eq!(dims.iter().product::<usize>(), bytes.len());
        }
    }
}
