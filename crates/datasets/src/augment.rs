//! Training-time augmentation: random crops from a zero-padded image and horizontal flips.
//! Off by default: the Figure 1 experiment uses no regularisation of any kind.

use rand::RngExt;
use serde::{Deserialize, Serialize};

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(deny_unknown_fields)]
pub struct AugmentConfig {
    /// Pad by this many pixels, then crop back to the original size at a random offset.
    #[serde(default)]
    pub crop_padding: usize,
    /// Mirror left-right with probability ½.
    #[serde(default)]
    pub flip: bool,
}

impl AugmentConfig {
    pub fn is_active(&self) -> bool {
        self.crop_padding > 0 || self.flip
    }

    /// Writes an augmented copy of `image` (`shape` = c, h, w) into `out`.
    pub fn apply<R: RngExt>(&self, image: &[u8], shape: [usize; 3], rng: &mut R, out: &mut Vec<u8>) {
        let [channels, h, w] = shape;
        let pad = self.crop_padding as i32;
        let (dy, dx) = if pad > 0 { (rng.random_range(-pad..=pad), rng.random_range(-pad..=pad)) } else { (0i32, 0i32) };
        let flip = self.flip && rng.random_bool(0.5);
        out.clear();
        for c in 0..channels {
            for y in 0..h as isize {
                for x in 0..w as isize {
                    let sx = if flip { w as isize - 1 - x } else { x } + dx as isize;
                    let sy = y + dy as isize;
                    let inside = (0..h as isize).contains(&sy) && (0..w as isize).contains(&sx);
                    let value = if inside { image[c * h * w + sy as usize * w + sx as usize] } else { 0 };
                    out.push(value);
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use rand::SeedableRng;
    use rand::rngs::StdRng;

    #[test]
    fn flip_mirrors_and_crop_keeps_size() {
        let image: Vec<u8> = (0..6).collect(); // 1 channel, 2 rows, 3 columns
        let mut rng = StdRng::seed_from_u64(1);
        let mut out = Vec::new();
        let flip = AugmentConfig { crop_padding: 0, flip: true };
        let mut seen_flipped = false;
        for _ in 0..20 {
            flip.apply(&image, [1, 2, 3], &mut rng, &mut out);
            assert!(out == image || out == vec![2, 1, 0, 5, 4, 3], "{out:?}");
            seen_flipped |= out != image;
        }
        assert!(seen_flipped);
        let crop = AugmentConfig { crop_padding: 1, flip: false };
        crop.apply(&image, [1, 2, 3], &mut rng, &mut out);
        assert_eq!(out.len(), 6);
    }
}
