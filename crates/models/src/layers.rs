//! The layers actlab's nets are built from. Each picks its own fastest path: on flex the
//! convolution and pooling run actlab's kernels (`actlab-kernels`), elsewhere Burn's plain ops,
//! so no net chooses a path at its call sites and every net gets the fast one.

use burn::module::{Module, Param};
use burn::nn::conv::Conv2d as BurnConv2d;
use burn::tensor::Tensor;

use actlab_kernels::ConvGeometry;

/// A square 2-D convolution. Its parameters are named `weight` and `bias`, as in Burn's own
/// `Conv2d`, which actlab's nets held before: their model files and checkpoints still load.
#[derive(Module, Debug)]
pub struct Conv2d {
    pub weight: Param<Tensor<4>>,
    pub bias: Option<Param<Tensor<1>>>,
    #[module(skip)]
    pub stride: usize,
    #[module(skip)]
    pub padding: usize,
    #[module(skip)]
    pub groups: usize,
}

impl Conv2d {
    /// Takes the parameters of a Burn convolution built (and initialised) with `geometry`.
    pub fn from_burn(conv: BurnConv2d, geometry: ConvGeometry) -> Self {
        let ConvGeometry { stride, padding, groups } = geometry;
        Self { weight: conv.weight, bias: conv.bias, stride, padding, groups }
    }

    pub fn geometry(&self) -> ConvGeometry {
        ConvGeometry { stride: self.stride, padding: self.padding, groups: self.groups }
    }

    pub fn forward(&self, x: Tensor<4>) -> Tensor<4> {
        actlab_kernels::conv2d(x, self.weight.val(), self.bias.as_ref().map(Param::val), self.geometry())
    }
}

/// Max or average pooling over square windows, no padding. In ceil mode a last window that
/// overhangs the image is kept, and an average window then averages only the pixels it covers.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Pool2d {
    pub max: bool,
    pub kernel: usize,
    pub stride: usize,
    pub ceil: bool,
}

impl Pool2d {
    pub const fn max(kernel: usize, stride: usize) -> Self {
        Self { max: true, kernel, stride, ceil: false }
    }

    pub const fn avg(kernel: usize, stride: usize) -> Self {
        Self { max: false, kernel, stride, ceil: false }
    }

    pub const fn ceil_mode(self) -> Self {
        Self { ceil: true, ..self }
    }

    /// Output side for an input side (windows start inside the input).
    pub fn output_side(self, side: usize) -> usize {
        let span = side.saturating_sub(self.kernel);
        let out = if self.ceil { span.div_ceil(self.stride) + 1 } else { span / self.stride + 1 };
        if self.ceil && (out - 1) * self.stride >= side { out - 1 } else { out }
    }

    pub fn forward(self, x: Tensor<4>) -> Tensor<4> {
        if self.max {
            actlab_kernels::max_pool(x, self.kernel, self.stride, self.ceil)
        } else {
            actlab_kernels::avg_pool(x, self.kernel, self.stride, self.ceil)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::Pool2d;

    #[test]
    fn pooled_sides() {
        // convnet18: 32 → 16 → 8 → 4 with 3/2 in ceil mode; floor mode gives 15 → 7 → 3.
        let ceil = Pool2d::max(3, 2).ceil_mode();
        assert_eq!([32, 16, 8].map(|s| ceil.output_side(s)), [16, 8, 4]);
        assert_eq!([32, 15, 7].map(|s| Pool2d::max(3, 2).output_side(s)), [15, 7, 3]);
        // AlexNet: 55 → 27 → 13 → 6; LeNet-5: 28 → 14.
        assert_eq!([55, 27, 13].map(|s| Pool2d::max(3, 2).output_side(s)), [27, 13, 6]);
        assert_eq!(Pool2d::avg(2, 2).output_side(28), 14);
    }
}
