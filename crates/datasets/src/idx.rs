//! The IDX format of MNIST and Fashion-MNIST (LeCun's): a big-endian magic number whose last
//! byte is the number of dimensions, the dimensions as u32, then unsigned bytes. Raw or gzipped.

use flate2::read::GzDecoder;
use std::fs;
use std::io::Read;
use std::path::{Path, PathBuf};

use crate::checksum::FileCheck;
use crate::{DatasetError, ImageSet, LoadedDataset};

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

/// Decompresses when the bytes start with the gzip magic.
pub fn maybe_gunzip(path: &Path, bytes: Vec<u8>) -> Result<Vec<u8>, DatasetError> {
    if bytes.starts_with(&[0x1f, 0x8b]) {
        let mut out = Vec::new();
        GzDecoder::new(bytes.as_slice())
            .read_to_end(&mut out)
            .map_err(|e| DatasetError::Format { path: path.into(), reason: format!("corrupt gzip stream: {e}") })?;
        Ok(out)
    } else {
        Ok(bytes)
    }
}

/// Parses an IDX file with `dims` dimensions, returning the dimensions and the data bytes.
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
    let expected = header + dims.iter().product::<usize>();
    if bytes.len() != expected {
        return Err(DatasetError::Format {
            path: path.into(),
            reason: format!("header says dimensions {dims:?} ({expected} bytes) but the file has {} bytes", bytes.len()),
        });
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
}
