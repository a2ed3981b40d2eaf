//! 2-D convolution as im2col + GEMM on contiguous NCHW `f32` slices, parallel over images.
//!
//! Burn's flex backend computes the weight gradient as a convolution of the input with the
//! output gradient (a 32×32 "kernel" for conv1) and the input gradient as a transposed
//! convolution; both run far below the GEMM rate (`actlab bench`). Here all three products are
//! plain GEMMs on one image's column matrix: forward `W·cols`, input gradient `Wᵀ·dY` scattered
//! back by col2im, weight gradient `dY·colsᵀ` summed over images in a fixed order.

use rayon::prelude::*;

use crate::isa::per_isa;

/// Shapes of one convolution: square kernel, equal stride and symmetric padding on both axes.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ConvShape {
    pub batch: usize,
    pub channels: usize,
    pub height: usize,
    pub width: usize,
    pub filters: usize,
    pub kernel: usize,
    pub stride: usize,
    pub padding: usize,
    pub out_height: usize,
    pub out_width: usize,
}

/// Output positions per GEMM tile: the tile's column matrix (≤ 800 × 128 floats for convnet18)
/// stays in L2 between im2col writing it and the GEMM reading it.
const TILE_POSITIONS: usize = 128;

/// Images whose weight gradients are summed together before the partial sums are added in
/// order: fixed, so the result does not depend on the number of threads. (Putting several
/// images side by side in one GEMM was slower here, for every layer of convnet18.)
const WEIGHT_GRAD_CHUNK: usize = 8;

impl ConvShape {
    /// `None` when the kernel does not fit the padded input.
    pub fn new(x: [usize; 4], w: [usize; 4], stride: usize, padding: usize) -> Option<Self> {
        let [batch, channels, height, width] = x;
        let [filters, w_channels, kernel, kernel_w] = w;
        if w_channels != channels || kernel != kernel_w || stride == 0 {
            return None;
        }
        let out = |side: usize| (side + 2 * padding).checked_sub(kernel).map(|d| d / stride + 1);
        Some(Self { batch, channels, height, width, filters, kernel, stride, padding, out_height: out(height)?, out_width: out(width)? })
    }

    /// Rows of the column matrix: one per (channel, kernel row, kernel column).
    pub fn patch(&self) -> usize {
        self.channels * self.kernel * self.kernel
    }

    /// Columns of the column matrix: one per output position.
    pub fn positions(&self) -> usize {
        self.out_height * self.out_width
    }

    fn image(&self) -> usize {
        self.channels * self.height * self.width
    }

    fn out_image(&self) -> usize {
        self.filters * self.positions()
    }

    /// Output-row ranges of the GEMM tiles.
    fn tiles(&self) -> impl Iterator<Item = std::ops::Range<usize>> + use<> {
        let (oh, per_tile) = (self.out_height, (TILE_POSITIONS / self.out_width.max(1)).max(1));
        (0..oh).step_by(per_tile).map(move |start| start..(start + per_tile).min(oh))
    }

    /// Output column range whose input column `ox·stride + kx − padding` lies inside the image.
    fn valid_columns(&self, kx: usize) -> (usize, usize) {
        let (s, p, w) = (self.stride as isize, self.padding as isize, self.width as isize);
        let first = (p - kx as isize).max(0);
        let first = (first + s - 1) / s;
        let last = ((w - 1 + p - kx as isize).div_euclid(s) + 1).clamp(0, self.out_width as isize);
        (first.min(last) as usize, last as usize)
    }
}

/// One image with its zero padding written out, so that im2col copies whole output rows with
/// no bounds checks (the per-row clipping cost more than the copies for convnet18's 16- and
/// 8-pixel rows).
struct PaddedImage {
    data: Vec<f32>,
    height: usize,
    width: usize,
}

impl PaddedImage {
    fn new(s: &ConvShape) -> Self {
        let (height, width) = (s.height + 2 * s.padding, s.width + 2 * s.padding);
        Self { data: vec![0.0; s.channels * height * width], height, width }
    }

    /// Copies image `x` into the interior; the border stays zero from `new`.
    fn load(&mut self, s: &ConvShape, x: &[f32]) {
        let (p, w) = (s.padding, s.width);
        for (plane, src) in self.data.chunks_exact_mut(self.height * self.width).zip(x.chunks_exact(s.height * w)) {
            for (row, src_row) in plane[p * self.width..].chunks_exact_mut(self.width).zip(src.chunks_exact(w)) {
                row[p..p + w].copy_from_slice(src_row);
            }
        }
    }
}

per_isa!(
    /// The column matrix of output rows `rows` of one image:
    /// `cols[(c·k + ky)·k + kx][(oy − rows.start)·ow + ox] = x[c][oy·s + ky − p][ox·s + kx − p]`,
    /// 0 outside the image.
    fn im2col(s: &ConvShape, x: &PaddedImage, cols: &mut [f32], rows: std::ops::Range<usize>) => im2col_body);

#[inline(always)]
fn im2col_body(s: &ConvShape, x: &PaddedImage, cols: &mut [f32], rows: std::ops::Range<usize>) {
    // A copy of a length known at compile time is a few vector moves; an unknown one is a
    // memcpy call, which for convnet18's 8- and 16-float rows cost more than the copying.
    match (s.stride, s.out_width) {
        (1, 8) => im2col_rows::<8>(s, x, cols, rows),
        (1, 16) => im2col_rows::<16>(s, x, cols, rows),
        (1, 32) => im2col_rows::<32>(s, x, cols, rows),
        _ => im2col_rows::<0>(s, x, cols, rows),
    }
}

/// [`im2col`] for output rows of `OW` pixels at stride 1, or of any width and stride if `OW` is 0.
#[inline(always)]
fn im2col_rows<const OW: usize>(s: &ConvShape, x: &PaddedImage, cols: &mut [f32], rows: std::ops::Range<usize>) {
    let (k, ow, st) = (s.kernel, s.out_width, s.stride);
    let l = rows.len() * ow;
    for (c, plane) in x.data.chunks_exact(x.height * x.width).enumerate() {
        for ky in 0..k {
            for kx in 0..k {
                let row = &mut cols[((c * k + ky) * k + kx) * l..][..l];
                for (out, oy) in row.chunks_exact_mut(ow).zip(rows.clone()) {
                    let src = &plane[(oy * st + ky) * x.width + kx..];
                    if OW > 0 {
                        out[..OW].copy_from_slice(&src[..OW]);
                    } else if st == 1 {
                        out.copy_from_slice(&src[..ow]);
                    } else {
                        out.iter_mut().zip(src.iter().step_by(st)).for_each(|(o, v)| *o = *v);
                    }
                }
            }
        }
    }
}

per_isa!(
    /// The adjoint of [`im2col`]: adds every column entry back to the input pixel it came from.
    fn col2im_add(s: &ConvShape, cols: &[f32], dx: &mut [f32]) => col2im_add_body);

#[inline(always)]
fn col2im_add_body(s: &ConvShape, cols: &[f32], dx: &mut [f32]) {
    let (k, l, ow) = (s.kernel, s.positions(), s.out_width);
    for c in 0..s.channels {
        let plane = &mut dx[c * s.height * s.width..][..s.height * s.width];
        for ky in 0..k {
            for kx in 0..k {
                let row = &cols[((c * k + ky) * k + kx) * l..][..l];
                let (first, last) = s.valid_columns(kx);
                for oy in 0..s.out_height {
                    let iy = (oy * s.stride + ky) as isize - s.padding as isize;
                    if iy < 0 || iy >= s.height as isize {
                        continue;
                    }
                    if first == last {
                        continue;
                    }
                    let dst = &mut plane[iy as usize * s.width..][..s.width];
                    let src = &row[oy * ow..][..ow];
                    let start = first * s.stride + kx - s.padding;
                    for (i, v) in src[first..last].iter().enumerate() {
                        dst[start + i * s.stride] += v;
                    }
                }
            }
        }
    }
}

/// A matrix operand: data with its column and row strides (row-major `[r, c]`: `(1, c)`).
struct Operand<'a> {
    data: &'a [f32],
    col_stride: usize,
    row_stride: usize,
}

fn row_major(data: &[f32], cols: usize) -> Operand<'_> {
    Operand { data, col_stride: 1, row_stride: cols }
}

/// The transpose of a row-major `[rows, cols]` matrix.
fn transposed(data: &[f32], cols: usize) -> Operand<'_> {
    Operand { data, col_stride: cols, row_stride: 1 }
}

/// `dst[m, n] (+)= lhs[m, k] · rhs[k, n]` with `dst` rows `dst_row_stride` apart,
/// single-threaded (callers parallelise over images).
#[allow(unsafe_code)] // the one unsafe call in actlab: gemm's pointer-and-stride interface
#[allow(clippy::too_many_arguments)]
fn matmul(m: usize, n: usize, k: usize, dst: &mut [f32], dst_row_stride: usize, lhs: Operand, rhs: Operand, accumulate: bool) {
    assert!(dst_row_stride >= n && dst.len() >= (m - 1) * dst_row_stride + n, "gemm destination too small");
    let last = |o: &Operand, rows: usize, cols: usize| (rows - 1) * o.row_stride + (cols - 1) * o.col_stride;
    assert!(m > 0 && n > 0 && k > 0);
    assert!(last(&lhs, m, k) < lhs.data.len() && last(&rhs, k, n) < rhs.data.len(), "gemm operand too small");
    // SAFETY: the asserts above keep every index the strides reach inside the slices, and `dst`
    // is borrowed mutably, so it aliases neither operand.
    unsafe {
        gemm::gemm(
            m,
            n,
            k,
            dst.as_mut_ptr(),
            1,
            dst_row_stride as isize,
            accumulate,
            lhs.data.as_ptr(),
            lhs.col_stride as isize,
            lhs.row_stride as isize,
            rhs.data.as_ptr(),
            rhs.col_stride as isize,
            rhs.row_stride as isize,
            1.0,
            1.0,
            false,
            false,
            false,
            gemm::Parallelism::None,
        );
    }
}

/// `y = conv(x, w) + bias`, `[batch, filters, out_height, out_width]`: per image, one GEMM per
/// tile of output rows, written straight into the output (row stride: the image's positions).
pub fn forward(s: &ConvShape, x: &[f32], w: &[f32], bias: &[f32]) -> Vec<f32> {
    let (kk, l, ow) = (s.patch(), s.positions(), s.out_width);
    let mut y = vec![0.0f32; s.batch * s.out_image()];
    if y.is_empty() {
        return y;
    }
    y.par_chunks_mut(s.out_image()).zip(x.par_chunks(s.image())).for_each_init(
        || (vec![0.0f32; kk * TILE_POSITIONS.max(ow)], PaddedImage::new(s)),
        |(cols, padded), (y_n, x_n)| {
            for (row, b) in y_n.chunks_mut(l).zip(bias) {
                row.fill(*b);
            }
            padded.load(s, x_n);
            for rows in s.tiles() {
                let t = rows.len() * ow;
                im2col(s, padded, cols, rows.clone());
                let dst = &mut y_n[rows.start * ow..];
                matmul(s.filters, t, kk, dst, l, row_major(w, kk), row_major(cols, t), true);
            }
        },
    );
    y
}

/// Gradient of the input. With stride 1 it is itself a convolution: of the output gradient
/// with the weights flipped and transposed, padded by `k − 1 − p`; that gathers (im2col) where
/// `col2im(Wᵀ · dY)` would scatter, and its GEMM has the forward's well-shaped dimensions.
pub fn backward_input(s: &ConvShape, w: &[f32], dy: &[f32]) -> Vec<f32> {
    let k = s.kernel;
    if s.stride == 1 && s.padding < k {
        let t = ConvShape::new([s.batch, s.filters, s.out_height, s.out_width], [s.channels, s.filters, k, k], 1, k - 1 - s.padding)
            .filter(|t| t.out_height == s.height && t.out_width == s.width);
        if let Some(t) = t {
            let mut flipped = vec![0.0f32; w.len()];
            for o in 0..s.filters {
                for c in 0..s.channels {
                    for ky in 0..k {
                        for kx in 0..k {
                            flipped[((c * s.filters + o) * k + ky) * k + kx] =
                                w[((o * s.channels + c) * k + (k - 1 - ky)) * k + (k - 1 - kx)];
                        }
                    }
                }
            }
            return forward(&t, dy, &flipped, &vec![0.0; s.channels]);
        }
    }
    backward_input_col2im(s, w, dy)
}

/// Gradient of the input for any stride: `col2im(Wᵀ · dY)` per image.
fn backward_input_col2im(s: &ConvShape, w: &[f32], dy: &[f32]) -> Vec<f32> {
    let (kk, l) = (s.patch(), s.positions());
    let mut dx = vec![0.0f32; s.batch * s.image()];
    if dx.is_empty() {
        return dx;
    }
    dx.par_chunks_mut(s.image()).zip(dy.par_chunks(s.out_image())).for_each_init(
        || vec![0.0f32; kk * l],
        |dcols, (dx_n, dy_n)| {
            matmul(kk, l, s.filters, dcols, l, transposed(w, kk), row_major(dy_n, l), false);
            col2im_add(s, dcols, dx_n);
        },
    );
    dx
}

/// Gradient of the weights, `Σₙ dYₙ · colsₙᵀ` tile by tile, summed in a fixed order. Computed
/// transposed, `colsₙ · dYₙᵀ` (patch × filters): gemm packs the column matrix in its stored
/// order then, and conv2's weight gradient took 11 ms instead of 18.
pub fn backward_weight(s: &ConvShape, x: &[f32], dy: &[f32]) -> Vec<f32> {
    let (kk, l, ow, f) = (s.patch(), s.positions(), s.out_width, s.filters);
    let partials: Vec<Vec<f32>> = x
        .par_chunks(WEIGHT_GRAD_CHUNK * s.image())
        .zip(dy.par_chunks(WEIGHT_GRAD_CHUNK * s.out_image()))
        .map(|(xs, dys)| {
            let mut dw_t = vec![0.0f32; kk * f];
            let mut cols = vec![0.0f32; kk * TILE_POSITIONS.max(ow)];
            let mut padded = PaddedImage::new(s);
            for (x_n, dy_n) in xs.chunks(s.image()).zip(dys.chunks(s.out_image())) {
                padded.load(s, x_n);
                for rows in s.tiles() {
                    let t = rows.len() * ow;
                    im2col(s, &padded, &mut cols, rows.clone());
                    let grad_t = Operand { data: &dy_n[rows.start * ow..], col_stride: l, row_stride: 1 };
                    matmul(kk, f, t, &mut dw_t, f, row_major(&cols, t), grad_t, true);
                }
            }
            dw_t
        })
        .collect();
    let mut dw_t = vec![0.0f32; kk * f];
    for partial in partials {
        dw_t.iter_mut().zip(partial).for_each(|(a, b)| *a += b);
    }
    let mut dw = vec![0.0f32; f * kk];
    for (r, row) in dw_t.chunks_exact(f).enumerate() {
        for (o, &v) in row.iter().enumerate() {
            dw[o * kk + r] = v;
        }
    }
    dw
}

/// Gradient of the bias: the output gradient summed over images and positions.
pub fn backward_bias(s: &ConvShape, dy: &[f32]) -> Vec<f32> {
    let l = s.positions();
    (0..s.filters).into_par_iter().map(|f| (0..s.batch).map(|n| dy[(n * s.filters + f) * l..][..l].iter().sum::<f32>()).sum()).collect()
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    /// Direct convolution, the definition.
    fn direct(s: &ConvShape, x: &[f32], w: &[f32], b: &[f32]) -> Vec<f32> {
        let mut y = vec![0.0; s.batch * s.out_image()];
        for n in 0..s.batch {
            for f in 0..s.filters {
                for oy in 0..s.out_height {
                    for ox in 0..s.out_width {
                        let mut acc = b[f] as f64;
                        for c in 0..s.channels {
                            for ky in 0..s.kernel {
                                for kx in 0..s.kernel {
                                    let iy = (oy * s.stride + ky) as isize - s.padding as isize;
                                    let ix = (ox * s.stride + kx) as isize - s.padding as isize;
                                    if iy >= 0 && ix >= 0 && (iy as usize) < s.height && (ix as usize) < s.width {
                                        acc += (x[((n * s.channels + c) * s.height + iy as usize) * s.width + ix as usize]
                                            * w[((f * s.channels + c) * s.kernel + ky) * s.kernel + kx])
                                            as f64;
                                    }
                                }
                            }
                        }
                        y[((n * s.filters + f) * s.out_height + oy) * s.out_width + ox] = acc as f32;
                    }
                }
            }
        }
        y
    }

    fn values(len: usize, seed: u32) -> Vec<f32> {
        (0..len).map(|i| ((i as u32).wrapping_mul(2654435761).wrapping_add(seed) % 1000) as f32 / 500.0 - 1.0).collect()
    }

    fn dot(a: &[f32], b: &[f32]) -> f64 {
        a.iter().zip(b).map(|(x, y)| (*x as f64) * (*y as f64)).sum()
    }

    #[test]
    fn forward_matches_direct_convolution_for_strides_and_paddings() {
        for (stride, padding, kernel, side) in [(1, 2, 5, 9), (2, 1, 3, 8), (1, 0, 3, 6), (3, 2, 5, 11), (2, 0, 1, 5)] {
            let s = ConvShape::new([3, 2, side, side + 1], [4, 2, kernel, kernel], stride, padding).unwrap();
            let (x, w, b) = (values(3 * 2 * side * (side + 1), 1), values(4 * 2 * kernel * kernel, 2), values(4, 3));
            let fast = forward(&s, &x, &w, &b);
            let reference = direct(&s, &x, &w, &b);
            for (a, r) in fast.iter().zip(&reference) {
                assert!((a - r).abs() <= 1e-4 * (1.0 + r.abs()), "stride {stride} padding {padding}: {a} vs {r}");
            }
        }
    }

    #[test]
    fn gradients_are_the_adjoints_of_the_forward_map() {
        // <conv(x, w), g> is bilinear, so <dx, x'> = <conv(x', w), g> and <dw, w'> = <conv(x, w'), g>.
        for (stride, padding) in [(1, 2), (2, 1), (3, 0)] {
            let s = ConvShape::new([9, 3, 10, 7], [5, 3, 5, 5], stride, padding).unwrap();
            let zero = vec![0.0; 5];
            let (x, w) = (values(9 * 3 * 70, 4), values(5 * 3 * 25, 5));
            let (x2, w2) = (values(9 * 3 * 70, 6), values(5 * 3 * 25, 7));
            let g = values(s.batch * s.out_image(), 8);
            let dx = backward_input(&s, &w, &g);
            let dw = backward_weight(&s, &x, &g);
            let db = backward_bias(&s, &g);
            let close = |a: f64, b: f64| (a - b).abs() <= 1e-3 * (1.0 + b.abs());
            assert!(close(dot(&dx, &x2), dot(&forward(&s, &x2, &w, &zero), &g)));
            assert!(close(dot(&dw, &w2), dot(&forward(&s, &x, &w2, &zero), &g)));
            let ones = vec![1.0; 5];
            let no_weights = vec![0.0; w.len()];
            assert!(close(db.iter().map(|v| *v as f64).sum(), dot(&forward(&s, &x, &no_weights, &ones), &g)));
        }
    }

    #[test]
    fn stride_one_input_gradient_equals_the_col2im_one() {
        let s = ConvShape::new([4, 3, 9, 8], [5, 3, 5, 5], 1, 2).unwrap();
        let (w, g) = (values(5 * 3 * 25, 9), values(s.batch * s.out_image(), 10));
        let (a, b) = (backward_input(&s, &w, &g), backward_input_col2im(&s, &w, &g));
        assert!(a.iter().zip(&b).all(|(x, y)| (x - y).abs() <= 1e-4 * (1.0 + y.abs())));
    }

    #[test]
    fn rejects_a_kernel_larger_than_the_padded_input() {
        assert!(ConvShape::new([1, 1, 2, 2], [1, 1, 5, 5], 1, 1).is_none());
        assert!(ConvShape::new([1, 2, 8, 8], [1, 3, 3, 3], 1, 1).is_none());
    }
}
