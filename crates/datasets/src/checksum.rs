//! md5 checks against the official releases. A mismatch is reported, not fatal, unless asked:
//! a reconstructed or re-encoded file can still be useful, but its figures must say so.

use md5::{Digest, Md5};
use serde::Serialize;

/// md5 of the official unpacked files, by file name.
pub const OFFICIAL_MD5: &[(&str, &str)] = &[
    ("data_batch_1.bin", "5dd7e06a14cb22eb9f671a540d1b7c25"),
    ("data_batch_2.bin", "5ea93a67294ea407fff1d09f752e9692"),
    ("data_batch_3.bin", "942cd6a4bcdd0dd3c604fbe906cb4421"),
    ("data_batch_4.bin", "ae636b3ba5c66a11e91e8cb52e771fcb"),
    ("data_batch_5.bin", "53f37980c15c3d472c316c40844f3f0d"),
    ("test_batch.bin", "803d5f7f4d78ea53de84dbe85f74fb6d"),
    ("cifar-10-binary.tar.gz", "c32a1d4ab5d03f1284b67883e8d87530"),
    // MNIST, unzipped IDX files.
    ("mnist/train-images-idx3-ubyte", "6bbc9ace898e44ae57da46a324031adb"),
    ("mnist/train-labels-idx1-ubyte", "a25bea736e30d166cdddb491f175f624"),
    ("mnist/t10k-images-idx3-ubyte", "2646ac647ad5339dbf082846283269ea"),
    ("mnist/t10k-labels-idx1-ubyte", "27ae3e4e09519cfbb04c329615203637"),
    // MNIST and Fashion-MNIST, gzipped as distributed.
    ("mnist/train-images-idx3-ubyte.gz", "f68b3c2dcbeaaa9fbdd348bbdeb94873"),
    ("mnist/train-labels-idx1-ubyte.gz", "d53e105ee54ea40749a09fcbcd1e9432"),
    ("mnist/t10k-images-idx3-ubyte.gz", "9fb629c4189551a2d022fa330f9573f3"),
    ("mnist/t10k-labels-idx1-ubyte.gz", "ec29112dd5afa0611ce80d1b7f02629c"),
    ("fashion-mnist/train-images-idx3-ubyte.gz", "8d4fb7e6c68d591d4c3dfef9ec88bf0d"),
    ("fashion-mnist/train-labels-idx1-ubyte.gz", "25c81989df183df01b3e8a0aad5dffbe"),
    ("fashion-mnist/t10k-images-idx3-ubyte.gz", "bef4ecab320f06d8554ea6380940ec79"),
    ("fashion-mnist/t10k-labels-idx1-ubyte.gz", "bb300cfdad3c16e7a12a480ee83cd310"),
];

pub fn md5_hex(bytes: &[u8]) -> String {
    let digest = Md5::digest(bytes);
    digest.iter().map(|b| format!("{b:02x}")).collect()
}

/// The official md5 of a file known by `key` (file name, prefixed by the dataset for IDX files).
pub fn official_md5(key: &str) -> Option<&'static str> {
    OFFICIAL_MD5.iter().find(|(name, _)| *name == key).map(|(_, md5)| *md5)
}

/// Whether a file read is byte-for-byte the official one.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Verdict {
    Official,
    NotOfficial { expected: String },
    Unknown,
}

/// One file's checksum and verdict, as reported in `data info` and a run's summary.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct FileCheck {
    pub file: String,
    pub md5: String,
    pub verdict: Verdict,
}

impl FileCheck {
    pub fn new(file: impl Into<String>, key: &str, bytes: &[u8]) -> Self {
        let md5 = md5_hex(bytes);
        let verdict = match official_md5(key) {
            Some(expected) if expected == md5 => Verdict::Official,
            Some(expected) => Verdict::NotOfficial { expected: expected.to_string() },
            None => Verdict::Unknown,
        };
        Self { file: file.into(), md5, verdict }
    }

    pub fn is_official(&self) -> bool {
        self.verdict == Verdict::Official
    }

    /// The warning to show when the file is not the official one.
    pub fn warning(&self) -> Option<String> {
        match &self.verdict {
            Verdict::NotOfficial { expected } => Some(format!(
                "{}: md5 {} differs from the official {expected}; results from it are not comparable to published ones",
                self.file, self.md5
            )),
            _ => None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn md5_of_known_strings() {
        assert_eq!(md5_hex(b""), "d41d8cd98f00b204e9800998ecf8427e");
        assert_eq!(md5_hex(b"abc"), "900150983cd24fb0d6963f7d28e17f72");
    }

    #[test]
    fn verdicts() {
        let check = FileCheck::new("x/test_batch.bin", "test_batch.bin", b"abc");
        assert!(matches!(check.verdict, Verdict::NotOfficial { .. }));
        assert!(check.warning().expect("warns").contains("test_batch.bin"));
        assert_eq!(FileCheck::new("y", "unlisted", b"").verdict, Verdict::Unknown);
    }
}
