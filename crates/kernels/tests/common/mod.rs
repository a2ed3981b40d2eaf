//! What the kernel tests share: the device, and deterministic inputs.

use burn::tensor::{Device, Tensor, TensorData};

pub fn device() -> Device {
    Device::flex().autodiff()
}

/// Deterministic values in [-1, 1) (Burn's seeded generator is shared between test threads).
pub fn values<const D: usize>(shape: [usize; D], seed: u64) -> Tensor<D> {
    let len: usize = shape.iter().product();
    let mut state = seed.wrapping_mul(0x9E37_79B9_7F4A_7C15) | 1;
    let v: Vec<f32> = (0..len)
        .map(|_| {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            (state >> 40) as f32 / (1u64 << 23) as f32 - 1.0
        })
        .collect();
    Tensor::from_data(TensorData::new(v, shape), &device())
}
