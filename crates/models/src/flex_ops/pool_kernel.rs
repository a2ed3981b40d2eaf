//! Max and average pooling (no padding, optional ceil mode) on contiguous NCHW `f32` slices,
//! parallel over planes. flex spends ~40 ms on convnet18's first 3/2 max pool of a 128-image
//! batch (`actlab bench`); these loops take a few.

use rayon::prelude::*;

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
    /// `None` when the window does not fit the input.
    pub fn new(x: [usize; 4], kernel: usize, stride: usize, ceil: bool) -> Option<Self> {
        let [n, c, height, width] = x;
        if kernel == 0 || stride == 0 {
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

    /// Input rows and columns of window (oy, ox), clipped to the image.
    #[inline]
    fn window(&self, oy: usize, ox: usize) -> (std::ops::Range<usize>, std::ops::Range<usize>) {
        let (y0, x0) = (oy * self.stride, ox * self.stride);
        (y0..(y0 + self.kernel).min(self.height), x0..(x0 + self.kernel).min(self.width))
    }
}

/// The larger of two values, and NaN if either is (so a diverged network's NaN is not pooled
/// away). Written as a select, not a branch: on real activations `a > b` is a coin flip.
#[inline]
fn nan_max(a: f32, b: f32) -> f32 {
    if a.is_nan() | (a > b) { a } else { b }
}

/// Max pooling as two passes of `nan_max`: over each row's window columns, then over each
/// window's rows.
pub fn max_forward(s: &PoolShape, x: &[f32]) -> Vec<f32> {
    max_pool::<false>(s, x).0
}

/// Max pooling together with, for each output, the in-plane index `y·width + x` of the first
/// (row-major) largest input of its window, which the backward pass needs; `i64`, as Burn's own
/// max pool returns them.
pub fn max_forward_with_indices(s: &PoolShape, x: &[f32]) -> (Vec<f32>, Vec<i64>) {
    max_pool::<true>(s, x)
}

/// Whether `v` is the maximum `m` (NaN counts as equal to NaN).
#[inline]
fn is_max(v: f32, m: f32) -> bool {
    (v == m) | (v.is_nan() & m.is_nan())
}

/// The maxima in two separable passes, then, with `INDICES`, each argmax from the maxima: the
/// topmost window row whose row maximum equals the output, then the leftmost column of that row
/// that does, both picked by selects. Tracking the argmax inside the passes instead took 3× as
/// long (28 ms vs 9 for convnet18's first pool): its compares became unpredictable branches.
fn max_pool<const INDICES: bool>(s: &PoolShape, x: &[f32]) -> (Vec<f32>, Vec<i64>) {
    let (h, w, ow, k, st) = (s.height, s.width, s.out_width, s.kernel, s.stride);
    let mut y = vec![0.0f32; s.planes * s.out_plane()];
    // Without INDICES, one unused slot per plane keeps the parallel zip below the same.
    let index_chunk = if INDICES { s.out_plane().max(1) } else { 1 };
    let mut indices = vec![0i64; s.planes * index_chunk];
    y.par_chunks_mut(s.out_plane().max(1))
        .zip(indices.par_chunks_mut(index_chunk))
        .zip(x.par_chunks(s.plane().max(1)))
        .for_each_init(
            || vec![0.0f32; h * ow],
            |rows_max, ((out, out_at), plane)| {
                for (row, dst) in plane.chunks_exact(w).zip(rows_max.chunks_exact_mut(ow)) {
                    for (ox, d) in dst.iter_mut().enumerate() {
                        let x0 = ox * st;
                        *d = row[x0..(x0 + k).min(w)].iter().fold(row[x0], |m, &v| nan_max(v, m));
                    }
                }
                for (oy, dst) in out.chunks_exact_mut(ow).enumerate() {
                    let y0 = oy * st;
                    dst.copy_from_slice(&rows_max[y0 * ow..][..ow]);
                    for y in y0 + 1..(y0 + k).min(h) {
                        dst.iter_mut().zip(&rows_max[y * ow..][..ow]).for_each(|(d, &v)| *d = nan_max(v, *d));
                    }
                }
                if !INDICES {
                    return;
                }
                for (oy, (maxima, ats)) in out.chunks_exact(ow).zip(out_at.chunks_exact_mut(ow)).enumerate() {
                    let (y0, y1) = (oy * st, (oy * st + k).min(h));
                    for (ox, (&m, at)) in maxima.iter().zip(ats.iter_mut()).enumerate() {
                        let (x0, x1) = (ox * st, (ox * st + k).min(w));
                        let mut top = y0;
                        for y in (y0..y1).rev() {
                            top = if is_max(rows_max[y * ow + ox], m) { y } else { top };
                        }
                        let row = &plane[top * w..][..w];
                        let mut left = x0;
                        for x in (x0..x1).rev() {
                            left = if is_max(row[x], m) { x } else { left };
                        }
                        *at = (top * w + left) as i64;
                    }
                }
            },
        );
    (y, indices)
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

/// Mean over each window's in-image part (padding and ceil-mode overhang are not counted).
pub fn avg_forward(s: &PoolShape, x: &[f32]) -> Vec<f32> {
    let mut y = vec![0.0f32; s.planes * s.out_plane()];
    y.par_chunks_mut(s.out_plane().max(1)).zip(x.par_chunks(s.plane().max(1))).for_each(|(out, plane)| {
        for oy in 0..s.out_height {
            for ox in 0..s.out_width {
                let (rows, cols) = s.window(oy, ox);
                let count = (rows.len() * cols.len()) as f32;
                let sum: f32 = rows.map(|y| plane[y * s.width..][cols.clone()].iter().sum::<f32>()).sum();
                out[oy * s.out_width + ox] = sum / count;
            }
        }
    });
    y
}

pub fn avg_backward(s: &PoolShape, dy: &[f32]) -> Vec<f32> {
    let mut dx = vec![0.0f32; s.planes * s.plane()];
    dx.par_chunks_mut(s.plane().max(1)).zip(dy.par_chunks(s.out_plane().max(1))).for_each(|(d, g)| {
        for oy in 0..s.out_height {
            for ox in 0..s.out_width {
                let (rows, cols) = s.window(oy, ox);
                let share = g[oy * s.out_width + ox] / (rows.len() * cols.len()) as f32;
                for y in rows {
                    d[y * s.width..][cols.clone()].iter_mut().for_each(|v| *v += share);
                }
            }
        }
    });
    dx
}

#[cfg(test)]
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
