//! tanh and its gradient over contiguous `f32` slices, in parallel chunks. flex's tanh takes
//! ~28 ms for convnet18's first activation (1 M values; `actlab bench`), its backward a few
//! elementwise passes more; one parallel pass each does the same work.

use rayon::prelude::*;

use crate::isa::per_isa;

const CHUNK: usize = 1 << 14;

/// Below this, the odd Taylor series to x¹⁵ (next term < 3e-8 · |x|); above it
/// `1 − 2 / (e^{2|x|} + 1)`, which has no cancellation there. libm's `tanhf` goes through
/// `expm1f` and was ~4× slower on this machine.
const SERIES_LIMIT: f32 = 0.55;

/// Taylor coefficients of tanh: x, x³, …, x¹⁵.
const SERIES: [f32; 8] =
    [1.0, -1.0 / 3.0, 2.0 / 15.0, -17.0 / 315.0, 62.0 / 2835.0, -1382.0 / 155_925.0, 21_844.0 / 6_081_075.0, -929_569.0 / 638_512_875.0];

#[inline]
fn fast_tanh(x: f32) -> f32 {
    let a = x.abs();
    if a < SERIES_LIMIT {
        let x2 = x * x;
        x * SERIES.iter().rev().fold(0.0, |acc, c| acc * x2 + c)
    } else {
        (1.0 - 2.0 / ((2.0 * a).exp() + 1.0)).copysign(x)
    }
}

pub fn forward(x: &[f32]) -> Vec<f32> {
    let mut y = vec![0.0f32; x.len()];
    y.par_chunks_mut(CHUNK).zip(x.par_chunks(CHUNK)).for_each(|(y, x)| {
        y.iter_mut().zip(x).for_each(|(y, x)| *y = fast_tanh(*x));
    });
    y
}

/// `dy · (1 − y²)`, from the forward output `y`.
pub fn backward(y: &[f32], dy: &[f32]) -> Vec<f32> {
    let mut dx = vec![0.0f32; y.len()];
    dx.par_chunks_mut(CHUNK).zip(y.par_chunks(CHUNK)).zip(dy.par_chunks(CHUNK)).for_each(|((dx, y), dy)| backward_chunk(dx, y, dy));
    dx
}

per_isa!(fn backward_chunk(dx: &mut [f32], y: &[f32], dy: &[f32]) => backward_chunk_body);

#[inline(always)]
fn backward_chunk_body(dx: &mut [f32], y: &[f32], dy: &[f32]) {
    dx.iter_mut().zip(y).zip(dy).for_each(|((dx, y), dy)| *dx = dy * (1.0 - y * y));
}

#[cfg(test)]
mod tests {
    #[test]
    fn matches_libm_tanh_to_a_few_ulps() {
        for i in -40_000..=40_000 {
            let x = i as f32 / 4_000.0;
            let (fast, libm) = (super::fast_tanh(x), x.tanh());
            assert!((fast - libm).abs() <= 4.0 * f32::EPSILON * libm.abs().max(1e-30), "x = {x}: {fast} vs {libm}");
        }
        assert_eq!(super::fast_tanh(f32::INFINITY), 1.0);
        assert_eq!(super::fast_tanh(-1e30), -1.0);
        assert!(super::fast_tanh(f32::NAN).is_nan());
    }
}
