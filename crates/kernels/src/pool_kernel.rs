//! Max and average pooling (no padding, optional ceil mode) on contiguous NCHW `f32` slices,
//! parallel over planes. flex spends ~40 ms on convnet18's first 3/2 max pool of a 128-image
//! batch (`actlab bench`); these loops take a few.

use rayon::prelude::*;

use crate::isa::per_isa;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct PoolShape {
    /// Images × channels: planes pooled independently.
    pub planes: usize,
    pub height: usize,
    pub width: usize,
    pub kernel: usize,
    pub stride: usize,
    pub out_height: usize,
    pub out_width: usize,
}

/// Output side: windows start inside the input; ceil mode keeps a last, clipped window.
fn pooled(side: usize, kernel: usize, stride: usize, ceil: bool) -> Option<usize> {
    let span = side.checked_sub(kernel)?;
    let out = if ceil { span.div_ceil(stride) + 1 } else { span / stride + 1 };
    Some(if ceil && (out - 1) * stride >= side { out - 1 } else { out })
}

impl PoolShape {
    /// `None` when the window does not fit the input, or a plane has 2²⁴ pixels or more (the
    /// max pool's argmax pass holds in-plane indices in `f32`, exact below that).
    pub fn new(x: [usize; 4], kernel: usize, stride: usize, ceil: bool) -> Option<Self> {
        let [n, c, height, width] = x;
        if kernel == 0 || stride == 0 || height.checked_mul(width)? >= 1 << 24 {
            return None;
        }
        Some(Self {
            planes: n * c,
            height,
            width,
            kernel,
            stride,
            out_height: pooled(height, kernel, stride, ceil)?,
            out_width: pooled(width, kernel, stride, ceil)?,
        })
    }

    fn plane(&self) -> usize {
        self.height * self.width
    }

    fn out_plane(&self) -> usize {
        self.out_height * self.out_width
    }
}

/// The larger of two values, and NaN if either is (so a diverged network's NaN is not pooled
/// away). Written as a select, not a branch: on real activations `a > b` is a coin flip.
#[inline(always)]
fn nan_max(a: f32, b: f32) -> f32 {
    if a.is_nan() | (a > b) { a } else { b }
}

/// Max pooling as two separable passes of `nan_max`.
pub fn max_forward(s: &PoolShape, x: &[f32]) -> Vec<f32> {
    max_pool::<false>(s, x).0
}

/// Max pooling together with, for each output, the in-plane index `y·width + x` of the first
/// (row-major) largest input of its window, which the backward pass needs; `i64`, as Burn's own
/// max pool returns them.
pub fn max_forward_with_indices(s: &PoolShape, x: &[f32]) -> (Vec<f32>, Vec<i64>) {
    max_pool::<true>(s, x)
}

/// Whether `v`, one of the values whose `nan_max` is `m`, is that maximum: equal to it, or NaN
/// (if any value is NaN, `m` is). Two compares that vectorise, where testing `m` for NaN too
/// made the argmax pass 2× slower.
#[inline(always)]
fn holds_max(v: f32, m: f32) -> bool {
    (v == m) | v.is_nan()
}

/// `acc = nan_max(row, acc)`, elementwise. A function of its own so that the slices are known
/// not to overlap: written into the pooling closure, whose buffers come from one tuple, the loop
/// carried a runtime overlap check and ran its scalar, branching version. Inlined (always) into
/// each instruction set's copy of the plane loops, so that it is vectorised to that width.
#[inline(always)]
fn max_into(acc: &mut [f32], row: &[f32]) {
    acc.iter_mut().zip(row).for_each(|(m, &v)| *m = nan_max(v, *m));
}

/// `acc += row`, elementwise (see [`max_into`] for why a function).
#[inline(always)]
fn add_into(acc: &mut [f32], row: &[f32]) {
    acc.iter_mut().zip(row).for_each(|(a, &v)| *a += v);
}

/// `acc = nan_max(row, acc)` and `at` = the in-plane index of the row's value where it is taken
/// (`base` + column): rows come top-down and only a larger value or the first NaN is taken, so
/// `at` ends on the topmost row holding the column's maximum (see [`max_into`] for why a
/// function). Indices are kept as `f32` (exact: PoolShape caps planes at 2²⁴ pixels) so that the
/// selects are between floats, which vectorise. One pass per row, where finding the maximum and
/// then marking the rows holding it took two. On convnet18's first pool, 128 random images, the
/// kernel with indices takes 4.3 ms (avx512 copy) and 4.8 (avx2); scanning each window with one
/// branch-free compare chain instead of the two folds below took 5.1 and 10.8 (2-core EPYC).
#[inline(always)]
fn max_index_into(acc: &mut [f32], at: &mut [f32], row: &[f32], base: f32) {
    // An i32 column counter: converting it to f32 vectorises with SSE2 and AVX2; a usize's
    // conversion needs AVX-512DQ, and the loop ran scalar (and branching) without it.
    for (c, ((m, a), &v)) in (0i32..).zip(acc.iter_mut().zip(at.iter_mut()).zip(row)) {
        let take = (v > *m) | (v.is_nan() & !m.is_nan());
        *m = if take { v } else { *m };
        *a = if take { base + c as f32 } else { *a };
    }
}

/// Two separable passes per output row: down each input column over the window's rows
/// (contiguous, so vectorised; with INDICES, together with the topmost row holding each
/// column's maximum, as selects), then across each window's columns. The row-major first
/// maximum of a window is, among the columns holding its maximum, the one whose topmost maximum
/// has the smallest in-plane index.
/// Columns first halves the strided work of rows first (convnet18's 3/2 pools: 16 output rows
/// from 32 input rows).
fn max_pool<const INDICES: bool>(s: &PoolShape, x: &[f32]) -> (Vec<f32>, Vec<i64>) {
    let mut y = vec![0.0f32; s.planes * s.out_plane()];
    // Without INDICES, one unused slot per plane keeps the parallel zip below the same.
    let index_chunk = if INDICES { s.out_plane().max(1) } else { 1 };
    let mut indices = vec![0i64; s.planes * index_chunk];
    y.par_chunks_mut(s.out_plane().max(1)).zip(indices.par_chunks_mut(index_chunk)).zip(x.par_chunks(s.plane().max(1))).for_each_init(
        || (vec![0.0f32; s.width], vec![0.0f32; s.width]),
        |(col_max, col_at), ((out, out_at), plane)| {
            let plane = MaxPlane { shape: s, plane, out, out_at, col_max, col_at };
            if INDICES { max_plane_with_indices(plane) } else { max_plane_values(plane) }
        },
    );
    (y, indices)
}

/// One plane of a max pool: its input, outputs, argmax slots and the column buffers.
struct MaxPlane<'a> {
    shape: &'a PoolShape,
    plane: &'a [f32],
    out: &'a mut [f32],
    out_at: &'a mut [i64],
    /// Each column's maximum over an output row's window rows, and the in-plane index of its
    /// topmost occurrence.
    col_max: &'a mut [f32],
    col_at: &'a mut [f32],
}

per_isa!(fn max_plane_values(p: MaxPlane<'_>) => max_plane);
per_isa!(fn max_plane_with_indices(p: MaxPlane<'_>) => max_plane_indexed);

#[inline(always)]
fn max_plane(p: MaxPlane<'_>) {
    let MaxPlane { shape: s, plane, out, col_max, .. } = p;
    let (h, w, ow, k, st) = (s.height, s.width, s.out_width, s.kernel, s.stride);
    for (oy, dst) in out.chunks_exact_mut(ow).enumerate() {
        let (y0, y1) = (oy * st, (oy * st + k).min(h));
        col_max.copy_from_slice(&plane[y0 * w..][..w]);
        for row in y0 + 1..y1 {
            max_into(col_max, &plane[row * w..][..w]);
        }
        for (ox, d) in dst.iter_mut().enumerate() {
            let (x0, x1) = (ox * st, (ox * st + k).min(w));
            *d = col_max[x0 + 1..x1].iter().fold(col_max[x0], |m, &v| nan_max(v, m));
        }
    }
}

/// [`max_plane`] with each output's argmax: each column's maximum and the index of its topmost
/// occurrence, then across each window its maximum and, among the columns holding it, the
/// smallest such index: the first maximum in row-major order. (Scanning the window offsets over
/// a whole output row instead, to vectorise the second pass, was slower: 5.2 against 4.1 ms on
/// convnet18's first pool.)
#[inline(always)]
fn max_plane_indexed(p: MaxPlane<'_>) {
    let MaxPlane { shape: s, plane, out, out_at, col_max, col_at } = p;
    let (h, w, ow, k, st) = (s.height, s.width, s.out_width, s.kernel, s.stride);
    for ((oy, dst), dst_at) in out.chunks_exact_mut(ow).enumerate().zip(out_at.chunks_exact_mut(ow)) {
        let (y0, y1) = (oy * st, (oy * st + k).min(h));
        col_max.copy_from_slice(&plane[y0 * w..][..w]);
        let top = (y0 * w) as f32;
        col_at.iter_mut().zip(0i32..).for_each(|(a, c)| *a = top + c as f32);
        for row in y0 + 1..y1 {
            max_index_into(col_max, col_at, &plane[row * w..][..w], (row * w) as f32);
        }
        for ((d, d_at), ox) in dst.iter_mut().zip(dst_at.iter_mut()).zip(0..) {
            let (x0, x1) = (ox * st, (ox * st + k).min(w));
            let m = col_max[x0 + 1..x1].iter().fold(col_max[x0], |m, &v| nan_max(v, m));
            // The smallest index among the columns that hold the window's maximum.
            let first = col_max[x0..x1]
                .iter()
                .zip(&col_at[x0..x1])
                .fold(f32::INFINITY, |first, (&v, &index)| if holds_max(v, m) { first.min(index) } else { first });
            (*d, *d_at) = (m, first as i64);
        }
    }
}

/// Each output's gradient added to the input its forward pass took (`indices` from
/// [`max_forward_with_indices`]); `None` if an index lies outside its plane.
pub fn max_backward(s: &PoolShape, indices: &[i64], dy: &[f32]) -> Option<Vec<f32>> {
    let plane = s.plane();
    if indices.iter().any(|&i| i < 0 || i as usize >= plane) || indices.len() != dy.len() {
        return None;
    }
    let mut dx = vec![0.0f32; s.planes * plane];
    dx.par_chunks_mut(plane.max(1))
        .zip(indices.par_chunks(s.out_plane().max(1)))
        .zip(dy.par_chunks(s.out_plane().max(1)))
        .for_each(|((d, at), g)| at.iter().zip(g).for_each(|(&i, &g)| d[i as usize] += g));
    Some(dx)
}

/// Mean over each window's in-image part (ceil-mode overhang is not counted), as sums down the
/// columns of each output row's window (vectorised), then across each window's columns.
pub fn avg_forward(s: &PoolShape, x: &[f32]) -> Vec<f32> {
    let mut y = vec![0.0f32; s.planes * s.out_plane()];
    y.par_chunks_mut(s.out_plane().max(1))
        .zip(x.par_chunks(s.plane().max(1)))
        .for_each_init(|| vec![0.0f32; s.width], |col_sum, (out, plane)| avg_plane(s, plane, out, col_sum));
    y
}

per_isa!(fn avg_plane(s: &PoolShape, plane: &[f32], out: &mut [f32], col_sum: &mut [f32]) => avg_plane_body);

#[inline(always)]
fn avg_plane_body(s: &PoolShape, plane: &[f32], out: &mut [f32], col_sum: &mut [f32]) {
    let (h, w, ow, k, st) = (s.height, s.width, s.out_width, s.kernel, s.stride);
    for (oy, dst) in out.chunks_exact_mut(ow).enumerate() {
        let (y0, y1) = (oy * st, (oy * st + k).min(h));
        col_sum.copy_from_slice(&plane[y0 * w..][..w]);
        for row in y0 + 1..y1 {
            add_into(col_sum, &plane[row * w..][..w]);
        }
        for (ox, d) in dst.iter_mut().enumerate() {
            let (x0, x1) = (ox * st, (ox * st + k).min(w));
            *d = col_sum[x0..x1].iter().sum::<f32>() / ((y1 - y0) * (x1 - x0)) as f32;
        }
    }
}

/// The adjoint of [`avg_forward`]: each output's share spread across its window's columns,
/// then down its rows.
pub fn avg_backward(s: &PoolShape, dy: &[f32]) -> Vec<f32> {
    let mut dx = vec![0.0f32; s.planes * s.plane()];
    dx.par_chunks_mut(s.plane().max(1))
        .zip(dy.par_chunks(s.out_plane().max(1)))
        .for_each_init(|| vec![0.0f32; s.width], |col_grad, (d, g)| avg_grad_plane(s, g, d, col_grad));
    dx
}

per_isa!(fn avg_grad_plane(s: &PoolShape, g: &[f32], d: &mut [f32], col_grad: &mut [f32]) => avg_grad_plane_body);

#[inline(always)]
fn avg_grad_plane_body(s: &PoolShape, g: &[f32], d: &mut [f32], col_grad: &mut [f32]) {
    let (h, w, ow, k, st) = (s.height, s.width, s.out_width, s.kernel, s.stride);
    for (oy, g_row) in g.chunks_exact(ow).enumerate() {
        let (y0, y1) = (oy * st, (oy * st + k).min(h));
        col_grad.fill(0.0);
        for (ox, &g) in g_row.iter().enumerate() {
            let (x0, x1) = (ox * st, (ox * st + k).min(w));
            let share = g / ((y1 - y0) * (x1 - x0)) as f32;
            col_grad[x0..x1].iter_mut().for_each(|v| *v += share);
        }
        for row in y0..y1 {
            add_into(&mut d[row * w..][..w], col_grad);
        }
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    #[test]
    fn ceil_mode_sides_match_convnet18() {
        // 32 → 16 → 8 → 4 with a 3/2 ceil-mode pool; floor mode gives 15 → 7 → 3.
        assert_eq!(pooled(32, 3, 2, true), Some(16));
        assert_eq!(pooled(16, 3, 2, true), Some(8));
        assert_eq!(pooled(8, 3, 2, true), Some(4));
        assert_eq!(pooled(32, 3, 2, false), Some(15));
        assert_eq!(pooled(2, 3, 2, true), None);
    }

    #[test]
    fn clipped_windows_average_only_what_they_cover() {
        // One 1×1×4×4 plane 0..16, 3/2 ceil: the last row and column of windows are clipped.
        let s = PoolShape::new([1, 1, 4, 4], 3, 2, true).unwrap();
        let x: Vec<f32> = (0..16).map(|v| v as f32).collect();
        let y = avg_forward(&s, &x);
        assert_eq!(y, vec![5.0, 6.5, 11.0, 12.5]);
        assert_eq!(max_forward(&s, &x), vec![10.0, 11.0, 14.0, 15.0]);
        // Every input's gradient share sums back to the total output gradient.
        let dx = avg_backward(&s, &[1.0; 4]);
        assert!((dx.iter().sum::<f32>() - 4.0).abs() < 1e-6);
        let (y, indices) = max_forward_with_indices(&s, &x);
        assert_eq!((y, indices.clone()), (vec![10.0, 11.0, 14.0, 15.0], vec![10, 11, 14, 15]));
        let dx = max_backward(&s, &indices, &[1.0, 2.0, 3.0, 4.0]).unwrap();
        assert_eq!((dx[10], dx[11], dx[14], dx[15]), (1.0, 2.0, 3.0, 4.0));
        assert_eq!(max_backward(&s, &[0, 1, 2, 16], &[1.0; 4]), None, "index past the plane");
    }

    /// The first (row-major) largest value of each window, NaN first of all, by brute force.
    fn reference_argmax(s: &PoolShape, plane: &[f32]) -> Vec<(f32, i64)> {
        let mut out = vec![];
        for oy in 0..s.out_height {
            for ox in 0..s.out_width {
                let mut best: Option<(f32, usize)> = None;
                for y in oy * s.stride..(oy * s.stride + s.kernel).min(s.height) {
                    for x in ox * s.stride..(ox * s.stride + s.kernel).min(s.width) {
                        let (v, i) = (plane[y * s.width + x], y * s.width + x);
                        best = match best {
                            None => Some((v, i)),
                            Some((m, _)) if !m.is_nan() && (v.is_nan() || v > m) => Some((v, i)),
                            keep => keep,
                        };
                    }
                }
                let (m, i) = best.unwrap();
                out.push((m, i as i64));
            }
        }
        out
    }

    #[test]
    fn argmax_matches_brute_force_with_many_ties_and_some_nans() {
        let mut state = 12345u64;
        let mut next = move || {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            state
        };
        for (side, kernel, stride, ceil) in
            [(32, 3, 2, true), (9, 3, 2, true), (9, 3, 2, false), (10, 2, 2, false), (7, 3, 1, false), (8, 4, 3, true)]
        {
            let s = PoolShape::new([2, 3, side, side + 1], kernel, stride, ceil).unwrap();
            // Four levels make ties common; one value in 50 is NaN, one in 9 is -∞.
            let x: Vec<f32> = (0..s.planes * s.plane())
                .map(|_| match next() % 450 {
                    0..9 => f32::NAN,
                    9..59 => f32::NEG_INFINITY,
                    r => (r % 4) as f32,
                })
                .collect();
            let (y, at) = max_forward_with_indices(&s, &x);
            let values = max_forward(&s, &x);
            for (p, plane) in x.chunks(s.plane()).enumerate() {
                for (o, (m, i)) in reference_argmax(&s, plane).into_iter().enumerate() {
                    let j = p * s.out_plane() + o;
                    let what = format!("side {side} k{kernel} s{stride} ceil {ceil}, plane {p}, output {o}");
                    assert_eq!(at[j], i, "{what}: index");
                    assert!(y[j] == m || (y[j].is_nan() && m.is_nan()), "{what}: {} vs {m}", y[j]);
                    assert!(values[j] == m || (values[j].is_nan() && m.is_nan()), "{what}: values-only path");
                }
            }
        }
    }

    #[test]
    fn max_pool_takes_the_first_of_equal_maxima_and_propagates_nan() {
        let s = PoolShape::new([1, 1, 4, 4], 3, 2, true).unwrap();
        let (y, indices) = max_forward_with_indices(&s, &[1.0; 16]);
        assert_eq!((y, indices), (vec![1.0; 4], vec![0, 2, 8, 10]));
        let mut x = vec![0.0; 16];
        (x[5], x[6]) = (f32::NAN, f32::NAN);
        let (y, indices) = max_forward_with_indices(&s, &x);
        assert!(y[0].is_nan() && y[1].is_nan() && y[2] == 0.0 && y[3] == 0.0);
        assert_eq!(indices, vec![5, 6, 8, 10]);
    }
}
