//! Datasets for actlab: the official CIFAR-10 and (Fashion-)MNIST file formats parsed directly,
//! preprocessing and augmentation as the AlexNet-era papers used them, and batching into tensors.

pub mod augment;
pub mod batcher;
pub mod checksum;
pub mod cifar10;
pub mod config;
pub mod download;
mod error;
pub mod fuzz_targets;
pub mod idx;
pub mod image_set;
pub mod info;
pub mod normalize;
pub mod synthetic;

pub use batcher::{Batch, Batcher};
pub use config::{DatasetConfig, DatasetName};
pub use error::DatasetError;
pub use image_set::{ImageSet, Split};
pub use normalize::{Normalization, Normalizer};

/// Train and test splits of one dataset, with the checksums of the files they came from.
#[derive(Clone, Debug)]
pub struct LoadedDataset {
    pub train: ImageSet,
    pub test: Option<ImageSet>,
    pub files: Vec<checksum::FileCheck>,
}
