//! Turning raw bytes into network inputs. cuda-convnet subtracted the training set's mean image
//! from raw 0–255 values, and the AlexNet-era learning rates and init stds assume that scale.

use serde::{Deserialize, Serialize};

use crate::ImageSet;

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(rename_all = "kebab-case")]
pub enum Normalization {
    /// x − mean image, on the raw 0–255 scale (cuda-convnet).
    #[default]
    MeanImage,
    /// (x/255 − channel mean) / channel std.
    PerChannel,
    /// x/255.
    Unit,
}

/// A normalisation with its statistics, computed once from the training images.
#[derive(Clone, Debug, PartialEq)]
pub struct Normalizer {
    /// value = (byte − offset[i]) · scale[i], i indexing a pixel of the image.
    offset: Vec<f32>,
    scale: Vec<f32>,
}

impl Normalizer {
    pub fn fit(kind: Normalization, train: &ImageSet) -> Self {
        let n = train.image_len();
        let [channels, h, w] = train.shape;
        let plane = h * w;
        match kind {
            Normalization::MeanImage => {
                let mut sum = vec![0f64; n];
                for i in 0..train.len() {
                    for (s, &p) in sum.iter_mut().zip(train.image(i)) {
                        *s += p as f64;
                    }
                }
                let count = train.len().max(1) as f64;
                Self { offset: sum.iter().map(|s| (s / count) as f32).collect(), scale: vec![1.0; n] }
            }
            Normalization::PerChannel => {
                let mut offset = vec![0f32; n];
                let mut scale = vec![0f32; n];
                for c in 0..channels {
                    let (mut sum, mut sum_sq, mut count) = (0f64, 0f64, 0f64);
                    for i in 0..train.len() {
                        for &p in &train.image(i)[c * plane..(c + 1) * plane] {
                            let v = p as f64 / 255.0;
                            sum += v;
                            sum_sq += v * v;
                            count += 1.0;
                        }
                    }
                    let mean = sum / count.max(1.0);
                    let std = (sum_sq / count.max(1.0) - mean * mean).max(1e-12).sqrt();
                    offset[c * plane..(c + 1) * plane].fill((mean * 255.0) as f32);
                    scale[c * plane..(c + 1) * plane].fill((1.0 / (255.0 * std)) as f32);
                }
                Self { offset, scale }
            }
            Normalization::Unit => Self { offset: vec![0.0; n], scale: vec![1.0 / 255.0; n] },
        }
    }

    /// Normalises one image (already augmented) into `out`.
    pub fn apply(&self, image: &[u8], out: &mut Vec<f32>) {
        out.extend(image.iter().zip(self.offset.iter().zip(&self.scale)).map(|(&p, (o, s))| (p as f32 - o) * s));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn mean_image_and_per_channel() {
        let set = ImageSet { shape: [1, 1, 2], pixels: vec![0, 10, 20, 30], labels: vec![0, 1], classes: vec!["a".into(), "b".into()] };
        let mut out = Vec::new();
        Normalizer::fit(Normalization::MeanImage, &set).apply(&[10, 20], &mut out);
        assert_eq!(out, vec![0.0, 0.0]);
        out.clear();
        Normalizer::fit(Normalization::PerChannel, &set).apply(&[0, 30], &mut out);
        // mean 15, population std √125 ≈ 11.18 (in byte units)
        assert!((out[0] + 15.0 / 125f32.sqrt()).abs() < 1e-4, "{out:?}");
        assert!((out[1] - 15.0 / 125f32.sqrt()).abs() < 1e-4, "{out:?}");
    }
}
