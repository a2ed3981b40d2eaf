//! The IDX format of MNIST and Fashion-MNIST (LeCun's): a big-endian magic number whose last
//! byte is the number of dimensions, the dimensions as u32, then unsigned bytes. Raw or gzipped.

use flate2::read::MultiGzDecoder;
use std::fs;
use std::io::Read;
use std::path::{Path, PathBuf};

use crate::checksum::FileCheck;
use crate::{DatasetError, ImageSet, LoadedDataset};

/// The largest image side an IDX file may declare (MNIST's is 28).
pub const MAX_SIDE: usize = 4096;
pub const IMAGES_MAGIC: u32 = 0x0000_0803;
pub const LABELS_MAGIC: u32 = 0x0000_0801;

/// MNIST-format datasets.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum IdxDataset {
    Mnist,
    FashionMnist,
}

impl IdxDataset {
    pub fn key(self) -> &'static str {
        match self {
            Self::Mnist => "mnist",
            Self::FashionMnist => "fashion-mnist",
        }
    }

    pub fn classes(self) -> Vec<String> {
        let names: [&str; 10] = match self {
            Self::Mnist => ["0", "1", "2", "3", "4", "5", "6", "7", "8", "9"],
            Self::FashionMnist => {
                ["t-shirt/top", "trouser", "pullover", "dress", "coat", "sandal", "shirt", "sneaker", "bag", "ankle boot"]
            }
        };
        names.iter().map(|s| s.to_string()).collect()
    }
}

pub const FILES: [&str; 4] = ["train-images-idx3-ubyte", "train-labels-idx1-ubyte", "t10k-images-idx3-ubyte", "t10k-labels-idx1-ubyte"];

fn be_u32(bytes: &[u8], at: usize) -> u32 {
    u32::from_be_bytes([bytes[at], bytes[at + 1], bytes[at + 2], bytes[at + 3]])
}

/// The most bytes a gzipped IDX file may unpack to (MNIST's largest is 47 MB): a small file
/// that unpacks to gigabytes is an error, not an allocation abort.
pub const MAX_UNPACKED_BYTES: u64 = 1 << 30;

/// Decompresses when the bytes start with the gzip magic: every member of a multi-member file
/// (as `cat a.gz b.gz` makes), each checked against its CRC.
pub fn maybe_gunzip(path: &Path, bytes: Vec<u8>) -> Result<Vec<u8>, DatasetError> {
    if !bytes.starts_with(&[0x1f, 0x8b]) {
        return Ok(bytes);
    }
    let mut out = Vec::new();
    MultiGzDecoder::new(bytes.as_slice())
        .take(MAX_UNPACKED_BYTES + 1)
        .read_to_end(&mut out)
        .map_err(|e| DatasetError::Format { path: path.into(), reason: format!("corrupt gzip stream: {e}") })?;
    if out.len() as u64 > MAX_UNPACKED_BYTES {
        let reason = format!("unpacks to more than {} MiB; not an IDX file of images or labels", MAX_UNPACKED_BYTES >> 20);
        return Err(DatasetError::Format { path: path.into(), reason });
    }
    Ok(out)
}

/// Parses an IDX file with `dims` dimensions, returning the dimensions and the data bytes. The
/// size the header claims is computed with overflow checks and compared with the file's before
/// anything is sliced or allocated.
pub fn parse(path: &Path, bytes: &[u8], magic: u32, what: &'static str) -> Result<(Vec<usize>, Vec<u8>), DatasetError> {
    if bytes.is_empty() {
        return Err(DatasetError::Empty { path: path.into() });
    }
    if bytes.len() < 4 {
        return Err(DatasetError::Format { path: path.into(), reason: "shorter than its header".into() });
    }
    let found = be_u32(bytes, 0);
    if found != magic {
        return Err(DatasetError::BadMagic { path: path.into(), found, expected: magic, what });
    }
    let rank = (magic & 0xff) as usize;
    let header = 4 + 4 * rank;
    if bytes.len() < header {
        return Err(DatasetError::Format { path: path.into(), reason: "shorter than its header".into() });
    }
    let dims: Vec<usize> = (0..rank).map(|d| be_u32(bytes, 4 + 4 * d) as usize).collect();
    let format = |reason: String| DatasetError::Format { path: path.into(), reason };
    if let Some(side) = dims.iter().skip(1).find(|&&d| !(1..=MAX_SIDE).contains(&d)) {
        return Err(format(format!("header says dimensions {dims:?}: an image side of {side} is outside 1..={MAX_SIDE}")));
    }
    let expected = dims.iter().try_fold(1usize, |n, &d| n.checked_mul(d)).and_then(|n| n.checked_add(header));
    let Some(expected) = expected else {
        return Err(format(format!("header says dimensions {dims:?}, more bytes than any file can hold")));
    };
    if bytes.len() != expected {
        let reason = format!("header says dimensions {dims:?} ({expected} bytes) but the file has {} bytes", bytes.len());
        return Err(format(reason));
    }
    Ok((dims, bytes[header..].to_vec()))
}

/// Finds `name` or `name.gz` in `dir`.
fn find(dir: &Path, name: &str) -> Result<PathBuf, DatasetError> {
    [dir.join(name), dir.join(format!("{name}.gz"))]
        .into_iter()
        .find(|p| p.is_file())
        .ok_or_else(|| DatasetError::Missing { path: dir.into(), what: format!("{name} (or {name}.gz)") })
}

fn read_checked(dataset: IdxDataset, dir: &Path, name: &str, files: &mut Vec<FileCheck>) -> Result<(PathBuf, Vec<u8>), DatasetError> {
    let path = find(dir, name)?;
    let raw = fs::read(&path).map_err(|e| DatasetError::io(&path, e))?;
    let gz = raw.starts_with(&[0x1f, 0x8b]);
    let gz_check = gz.then(|| FileCheck::new("", &format!("{}/{name}.gz", dataset.key()), &raw));
    let content = maybe_gunzip(&path, raw)?;
    // The content is what matters: a re-gzipped official file is still the official data.
    let mut check = FileCheck::new(path.display().to_string(), &format!("{}/{name}", dataset.key()), &content);
    if let Some(gz_check) = gz_check
        && check.verdict == crate::checksum::Verdict::Unknown
    {
        check.verdict = gz_check.verdict;
        check.md5 = gz_check.md5;
    }
    files.push(check);
    Ok((path, content))
}

fn load_split(dataset: IdxDataset, dir: &Path, images: &str, labels: &str, files: &mut Vec<FileCheck>) -> Result<ImageSet, DatasetError> {
    let (image_path, image_bytes) = read_checked(dataset, dir, images, files)?;
    let (dims, pixels) = parse(&image_path, &image_bytes, IMAGES_MAGIC, "IDX images, 3 dimensions")?;
    let (label_path, label_bytes) = read_checked(dataset, dir, labels, files)?;
    let (label_dims, labels) = parse(&label_path, &label_bytes, LABELS_MAGIC, "IDX labels, 1 dimension")?;
    if dims[0] != label_dims[0] {
        return Err(DatasetError::Format {
            path: label_path,
            reason: format!("{} labels for {} images in {}", label_dims[0], dims[0], image_path.display()),
        });
    }
    if let Some(i) = labels.iter().position(|&l| l > 9) {
        return Err(DatasetError::BadLabel { path: label_path, label: labels[i], offset: 8 + i as u64, max: 9 });
    }
    Ok(ImageSet { shape: [1, dims[1], dims[2]], pixels, labels, classes: dataset.classes() })
}

/// Loads the four IDX files of MNIST or Fashion-MNIST from `dir`, gzipped or not.
pub fn load(dataset: IdxDataset, dir: &Path) -> Result<LoadedDataset, DatasetError> {
    if !dir.is_dir() {
        return Err(DatasetError::Missing {
            path: dir.into(),
            what: format!("{} folder with the four IDX files; get it with `actlab data download {}`", dataset.key(), dataset.key()),
        });
    }
    let mut files = Vec::new();
    let train = load_split(dataset, dir, FILES[0], FILES[1], &mut files)?;
    let test = load_split(dataset, dir, FILES[2], FILES[3], &mut files)?;
    Ok(LoadedDataset { train, test: Some(test), files })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_and_checks_headers() {
        let path = Path::new("x-idx3-ubyte");
        let mut bytes = vec![0, 0, 8, 3, 0, 0, 0, 2, 0, 0, 0, 2, 0, 0, 0, 2];
        bytes.extend([1, 2, 3, 4, 5, 6, 7, 8]);
        let (dims, data) = parse(path, &bytes, IMAGES_MAGIC, "images").expect("valid");
        assert_eq!(dims, vec![2, 2, 2]);
        assert_eq!(data, vec![1, 2, 3, 4, 5, 6, 7, 8]);
        let err = parse(path, &bytes[..20], IMAGES_MAGIC, "images").expect_err("short");
        assert!(err.to_string().contains("24 bytes"), "{err}");
        let mut bad = bytes.clone();
        bad[3] = 1;
        let err = parse(path, &bad, IMAGES_MAGIC, "images").expect_err("magic");
        assert!(err.to_string().contains("bad magic number 0x00000801"), "{err}");
    }

    #[test]
    fn dimensions_whose_product_overflows_are_an_error_not_a_panic() {
        let path = Path::new("x-idx3-ubyte");
        // Three dimensions of 2^32-1: their product wraps around a u64; before the checks a
        // wrapped size could match the file's length and the slicing then panicked.
        let mut bytes = vec![0, 0, 8, 3, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff];
        bytes.extend([0; 16]);
        let err = parse(path, &bytes, IMAGES_MAGIC, "images").expect_err("absurd sides");
        assert!(err.to_string().contains("side of 4294967295 is outside 1..=4096"), "{err}");
        let mut count = bytes.clone();
        count[8..16].copy_from_slice(&[0, 0, 0, 28, 0, 0, 0, 28]);
        let err = parse(path, &count, IMAGES_MAGIC, "images").expect_err("absurd count");
        assert!(err.to_string().contains("(3367254359296 bytes) but the file has 32 bytes"), "{err}");
        let mut zero_side = vec![0, 0, 8, 3, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0, 5];
        zero_side.extend([0; 4]);
        let err = parse(path, &zero_side, IMAGES_MAGIC, "images").expect_err("zero side");
        assert!(err.to_string().contains("side of 0"), "{err}");
    }

    #[test]
    fn multi_member_gzip_is_read_whole_and_a_damaged_stream_is_refused() {
        use flate2::{Compression, write::GzEncoder};
        use std::io::Write;
        let gz = |part: &[u8]| {
            let mut encoder = GzEncoder::new(Vec::new(), Compression::default());
            encoder.write_all(part).expect("gzip");
            encoder.finish().expect("gzip")
        };
        let path = Path::new("x.gz");
        let two = [gz(b"first half "), gz(b"second half")].concat();
        assert_eq!(maybe_gunzip(path, two).expect("multi-member"), b"first half second half");
        let mut damaged = gz(&[7u8; 4000]);
        let last = damaged.len() - 5;
        damaged[last] ^= 0xff; // the CRC's last byte... and the length: the checksum must be read
        assert!(maybe_gunzip(path, damaged).is_err());
    }
}
