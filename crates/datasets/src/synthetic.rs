//! A tiny, learnable, deterministic dataset for fast tests: each class is a colour and a stripe
//! direction, plus noise. No download, no disk.

use rand::rngs::StdRng;
use rand::{RngExt, SeedableRng};
use serde::{Deserialize, Serialize};

use crate::ImageSet;

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SyntheticConfig {
    #[serde(default = "default_train")]
    pub train: usize,
    #[serde(default = "default_test")]
    pub test: usize,
    #[serde(default = "default_classes")]
    pub classes: usize,
    /// Image side; images are 3×side×side.
    #[serde(default = "default_side")]
    pub side: usize,
    /// Noise amplitude in 0–255 units: larger makes the task harder.
    #[serde(default = "default_noise")]
    pub noise: u8,
    /// The generator's seed; absent, the run's `training.seed`. The studies set it, so that every
    /// run of a study, wherever it is trained, sees the data the study itself loaded.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub seed: Option<u64>,
}

fn default_train() -> usize {
    512
}
fn default_test() -> usize {
    128
}
fn default_classes() -> usize {
    10
}
fn default_side() -> usize {
    32
}
fn default_noise() -> u8 {
    60
}

impl Default for SyntheticConfig {
    fn default() -> Self {
        Self {
            train: default_train(),
            test: default_test(),
            classes: default_classes(),
            side: default_side(),
            noise: default_noise(),
            seed: None,
        }
    }
}

impl SyntheticConfig {
    /// Train and test sets drawn with `seed`; classes are interleaved so any prefix is balanced.
    pub fn generate(&self, seed: u64) -> (ImageSet, ImageSet) {
        let mut rng = StdRng::seed_from_u64(seed);
        let train = self.draw(self.train, &mut rng);
        let test = self.draw(self.test, &mut rng);
        (train, test)
    }

    fn draw(&self, n: usize, rng: &mut StdRng) -> ImageSet {
        let s = self.side;
        let mut pixels = Vec::with_capacity(n * 3 * s * s);
        let mut labels = Vec::with_capacity(n);
        for i in 0..n {
            let class = i % self.classes;
            let colour = [(class * 53) % 256, (class * 97 + 80) % 256, (class * 151 + 160) % 256];
            let period = 2 + class % 5;
            let vertical = (class / 5) % 2 == 1;
            for channel in colour {
                for y in 0..s {
                    for x in 0..s {
                        let along = if vertical { x } else { y };
                        let stripe = if along % period == 0 { 60i32 } else { -20 };
                        let noise = rng.random_range(-(self.noise as i32)..=self.noise as i32);
                        pixels.push((channel as i32 / 2 + 64 + stripe + noise).clamp(0, 255) as u8);
                    }
                }
            }
            labels.push(class as u8);
        }
        ImageSet { shape: [3, s, s], pixels, labels, classes: (0..self.classes).map(|c| format!("class{c}")).collect() }
    }
}
