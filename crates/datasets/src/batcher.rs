//! Mini-batches as tensors on a device.

use burn::tensor::{Device, Int, Tensor, TensorData};
use rand::rngs::StdRng;

use crate::augment::AugmentConfig;
use crate::{ImageSet, Normalizer};

/// Images `[batch, c, h, w]` and their class indices `[batch]`.
#[derive(Clone, Debug)]
pub struct Batch {
    pub images: Tensor<4>,
    pub targets: Tensor<1, Int>,
}

/// Builds batches from an in-memory image set: augment (training only), normalise, upload.
#[derive(Clone, Debug)]
pub struct Batcher {
    pub normalizer: Normalizer,
    pub augment: AugmentConfig,
}

impl Batcher {
    pub fn new(normalizer: Normalizer, augment: AugmentConfig) -> Self {
        Self { normalizer, augment }
    }

    /// The images at `indices`; augmented only when `rng` is given.
    pub fn batch(&self, set: &ImageSet, indices: &[usize], rng: Option<&mut StdRng>, device: &Device) -> Batch {
        let [c, h, w] = set.shape;
        let mut values = Vec::with_capacity(indices.len() * set.image_len());
        let mut labels = Vec::with_capacity(indices.len());
        match rng {
            Some(rng) if self.augment.is_active() => {
                let mut scratch = Vec::with_capacity(set.image_len());
                for &i in indices {
                    self.augment.apply(set.image(i), set.shape, rng, &mut scratch);
                    self.normalizer.apply(&scratch, &mut values);
                    labels.push(set.labels[i] as i64);
                }
            }
            _ => {
                for &i in indices {
                    self.normalizer.apply(set.image(i), &mut values);
                    labels.push(set.labels[i] as i64);
                }
            }
        }
        let n = indices.len();
        let images = Tensor::<4>::from_data(TensorData::new(values, [n, c, h, w]), device);
        let targets = Tensor::<1, Int>::from_data(TensorData::new(labels, [n]), device);
        Batch { images, targets }
    }
}
