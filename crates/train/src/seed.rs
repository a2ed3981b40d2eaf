//! Seeds for the data order and augmentation: functions of the run's seed and position alone, so
//! a resumed run sees the same batches as an uninterrupted one.

use rand::SeedableRng;
use rand::rngs::StdRng;
use rand::seq::SliceRandom;

/// SplitMix64: turns (seed, counter) into well-spread seeds for per-epoch and per-batch streams.
pub fn mix_seed(seed: u64, stream: u64, counter: u64) -> u64 {
    let mut z = seed ^ stream.wrapping_mul(0x9E37_79B9_7F4A_7C15) ^ counter.wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^ (z >> 31)
}

/// The order of the training images in `epoch`.
pub fn epoch_order(len: usize, seed: u64, epoch: u64) -> Vec<usize> {
    let mut order: Vec<usize> = (0..len).collect();
    order.shuffle(&mut StdRng::seed_from_u64(mix_seed(seed, 1, epoch)));
    order
}

/// The generator for the augmentation of the batch at `iteration`.
pub fn batch_rng(seed: u64, iteration: u64) -> StdRng {
    StdRng::seed_from_u64(mix_seed(seed, 2, iteration))
}
