//! tanh and its gradient over contiguous `f32` slices, in parallel chunks. flex's tanh takes
//! ~28 ms for convnet18's first activation (1 M values; `actlab bench`), its backward a few
//! elementwise passes more; one parallel pass each does the same work.

use rayon::prelude::*;

const CHUNK: usize = 1 << 14;

pub fn forward(x: &[f32]) -> Vec<f32> {
    let mut y = vec![0.0f32; x.len()];
    y.par_chunks_mut(CHUNK).zip(x.par_chunks(CHUNK)).for_each(|(y, x)| {
        y.iter_mut().zip(x).for_each(|(y, x)| *y = x.tanh());
    });
    y
}

/// `dy · (1 − y²)`, from the forward output `y`.
pub fn backward(y: &[f32], dy: &[f32]) -> Vec<f32> {
    let mut dx = vec![0.0f32; y.len()];
    dx.par_chunks_mut(CHUNK).zip(y.par_chunks(CHUNK)).zip(dy.par_chunks(CHUNK)).for_each(|((dx, y), dy)| {
        dx.iter_mut().zip(y).zip(dy).for_each(|((dx, y), dy)| *dx = dy * (1.0 - y * y));
    });
    dx
}
