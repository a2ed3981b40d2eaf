//! The `[dataset]` section of a run config, and loading what it names.

use serde::{Deserialize, Serialize};
use std::fmt;
use std::path::{Path, PathBuf};

use crate::augment::AugmentConfig;
use crate::idx::{self, IdxDataset};
use crate::synthetic::SyntheticConfig;
use crate::{DatasetError, LoadedDataset, Normalization, cifar10};

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum DatasetName {
    Cifar10,
    Mnist,
    FashionMnist,
    Synthetic,
}

impl fmt::Display for DatasetName {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Self::Cifar10 => "cifar10",
            Self::Mnist => "mnist",
            Self::FashionMnist => "fashion-mnist",
            Self::Synthetic => "synthetic",
        })
    }
}

/// The most pixel memory a synthetic dataset may ask for (training and test sets together).
pub const MAX_SYNTHETIC_BYTES: usize = 4 << 30;

fn default_path() -> PathBuf {
    PathBuf::from("data")
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DatasetConfig {
    pub name: DatasetName,
    /// The data folder (holding `cifar-10-batches-bin/`, the CIFAR-10 tarball, or `mnist/`…),
    /// the dataset's own folder, or the CIFAR-10 tarball. `--data` overrides it.
    #[serde(default = "default_path")]
    pub path: PathBuf,
    /// Train on the first N training images only.
    #[serde(default)]
    pub subset: Option<usize>,
    /// Train on the first N training images of each class only (a balanced subset).
    #[serde(default)]
    pub subset_per_class: Option<usize>,
    /// Evaluate on the first N test images only.
    #[serde(default)]
    pub test_subset: Option<usize>,
    #[serde(default)]
    pub normalize: Normalization,
    #[serde(default)]
    pub augment: AugmentConfig,
    /// Fail, rather than warn, when a file is not the official release.
    #[serde(default)]
    pub strict: bool,
    #[serde(default)]
    pub synthetic: SyntheticConfig,
}

impl DatasetConfig {
    pub fn new(name: DatasetName) -> Self {
        Self {
            name,
            path: default_path(),
            subset: None,
            subset_per_class: None,
            test_subset: None,
            normalize: Normalization::default(),
            augment: AugmentConfig::default(),
            strict: false,
            synthetic: SyntheticConfig::default(),
        }
    }

    pub fn check(&self) -> Result<(), DatasetError> {
        let bad = |m: String| Err(DatasetError::Config(m));
        if self.subset == Some(0) {
            return bad("dataset.subset: must be at least 1".into());
        }
        if self.subset_per_class == Some(0) {
            return bad("dataset.subset_per_class: must be at least 1".into());
        }
        if self.subset.is_some() && self.subset_per_class.is_some() {
            return bad("dataset.subset and dataset.subset_per_class: give at most one".into());
        }
        if self.test_subset == Some(0) {
            return bad("dataset.test_subset: must be at least 1".into());
        }
        if self.augment.crop_padding > 16 {
            return bad(format!("dataset.augment.crop_padding: {} is above 16", self.augment.crop_padding));
        }
        let s = &self.synthetic;
        if self.name == DatasetName::Synthetic
            && (s.train == 0 || s.test == 0 || !(2..=256).contains(&s.classes) || !(8..=256).contains(&s.side))
        {
            return bad("dataset.synthetic: train and test ≥ 1, classes in 2..=256, side in 8..=256".into());
        }
        let bytes = s.train.checked_add(s.test).and_then(|n| n.checked_mul(3 * s.side * s.side));
        if self.name == DatasetName::Synthetic && bytes.is_none_or(|b| b > MAX_SYNTHETIC_BYTES) {
            let gib = MAX_SYNTHETIC_BYTES >> 30;
            return bad(format!(
                "dataset.synthetic: {} + {} images of side {} need more than the {gib} GiB allowed",
                s.train, s.test, s.side
            ));
        }
        Ok(())
    }

    /// Loads the dataset, applies the subsets, and enforces `strict`.
    pub fn load(&self, seed: u64) -> Result<LoadedDataset, DatasetError> {
        self.check()?;
        let mut loaded = match self.name {
            DatasetName::Cifar10 => cifar10::load(&self.path)?,
            DatasetName::Mnist => idx::load(IdxDataset::Mnist, &dataset_dir(&self.path, "mnist"))?,
            DatasetName::FashionMnist => idx::load(IdxDataset::FashionMnist, &dataset_dir(&self.path, "fashion-mnist"))?,
            DatasetName::Synthetic => {
                let (train, test) = self.synthetic.generate(self.synthetic.seed.unwrap_or(seed));
                LoadedDataset { train, test: Some(test), files: Vec::new() }
            }
        };
        if self.strict
            && let Some(file) = loaded.files.iter().find(|f| !f.is_official())
        {
            return Err(DatasetError::Checksum {
                path: PathBuf::from(&file.file),
                found: file.md5.clone(),
                expected: match &file.verdict {
                    crate::checksum::Verdict::NotOfficial { expected } => expected.clone(),
                    _ => "an official md5 (none is known for this file)".into(),
                },
            });
        }
        if let Some(n) = self.subset {
            loaded.train = loaded.train.first(n);
        }
        if let Some(n) = self.subset_per_class {
            loaded.train = loaded.train.per_class(n);
        }
        if let (Some(n), Some(test)) = (self.test_subset, loaded.test.as_mut()) {
            *test = test.first(n);
        }
        if loaded.test.as_ref().is_some_and(|test| test.is_empty()) {
            return Err(DatasetError::Format { path: self.path.clone(), reason: "the test set holds no images".into() });
        }
        if let Some(test) = &loaded.test
            && test.shape != loaded.train.shape
        {
            let ([c, h, w], [tc, th, tw]) = (loaded.train.shape, test.shape);
            let reason = format!("test images are {tc}x{th}x{tw} but training images are {c}x{h}x{w}");
            return Err(DatasetError::Format { path: self.path.clone(), reason });
        }
        Ok(loaded)
    }
}

/// `root/name` when it exists, else `root` itself.
fn dataset_dir(root: &Path, name: &str) -> PathBuf {
    let nested = root.join(name);
    if nested.is_dir() { nested } else { root.to_path_buf() }
}
