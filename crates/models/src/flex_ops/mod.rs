//! Faster CPU ops for the flex backend, where `actlab bench` found flex slowest on convnet18:
//! convolution (im2col + GEMM for the forward pass and both gradients), max and average pooling,
//! and tanh, plugged into Burn as a backend extension with their own backward passes.
//!
//! The functions here are what the models call. Each takes the fast path only on flex and only
//! where it computes what the plain Burn op does (tests/flex_ops.rs checks values and gradients
//! against it); everywhere else it calls the plain Burn op.

mod conv_kernel;
mod extension;
mod pool_kernel;
mod tanh_kernel;

use burn::backend::Dispatch;
use burn::nn::PaddingConfig2d;
use burn::nn::conv::Conv2d;
use burn::tensor::module::{avg_pool2d, max_pool2d};
use burn::tensor::ops::{AvgPoolOptions, MaxPoolOptions};
use burn::tensor::{Device, Tensor};
use std::sync::atomic::{AtomicBool, Ordering};

pub use extension::FastCpuOps;

static ENABLED: AtomicBool = AtomicBool::new(true);

/// Turns the fast paths on or off for the whole process (`actlab bench --plain-ops`, tests).
pub fn set_enabled(enabled: bool) {
    ENABLED.store(enabled, Ordering::Relaxed);
}

pub fn enabled() -> bool {
    ENABLED.load(Ordering::Relaxed)
}

fn fast_on(device: &Device) -> bool {
    enabled() && device.clone().inner() == Device::flex()
}

/// Stride and symmetric padding, if `conv` is a shape the fast path handles.
fn conv_params(conv: &Conv2d) -> Option<(usize, usize)> {
    let [stride_h, stride_w] = conv.stride;
    let [kh, kw] = conv.kernel_size;
    let padding = match conv.padding {
        PaddingConfig2d::Valid => 0,
        PaddingConfig2d::Explicit(top, left, bottom, right) if top == left && left == bottom && bottom == right => top,
        _ => return None,
    };
    let plain = conv.groups == 1 && conv.dilation == [1, 1] && stride_h == stride_w && kh == kw && conv.bias.is_some();
    plain.then_some((stride_h, padding))
}

/// `conv.forward(x)`.
pub fn conv2d(conv: &Conv2d, x: Tensor<4>) -> Tensor<4> {
    match conv_params(conv) {
        Some((stride, padding)) if fast_on(&x.device()) => {
            let bias = conv.bias.as_ref().expect("checked by conv_params").val();
            let y = <Dispatch as FastCpuOps>::fast_conv2d(
                x.into_dispatch(),
                conv.weight.val().into_dispatch(),
                bias.into_dispatch(),
                stride,
                padding,
            );
            Tensor::from_dispatch(y)
        }
        _ => conv.forward(x),
    }
}

/// Max pooling with a `kernel`² window every `stride` pixels, no padding.
pub fn max_pool(x: Tensor<4>, kernel: usize, stride: usize, ceil: bool) -> Tensor<4> {
    if fast_on(&x.device()) {
        return Tensor::from_dispatch(<Dispatch as FastCpuOps>::fast_pool2d(x.into_dispatch(), true, kernel, stride, ceil));
    }
    let options = MaxPoolOptions::new([kernel, kernel]).with_stride([stride, stride]).with_ceil_mode(ceil);
    max_pool2d(x, options)
}

/// Average pooling with a `kernel`² window every `stride` pixels, no padding; a window clipped
/// by ceil mode averages only the pixels it covers.
pub fn avg_pool(x: Tensor<4>, kernel: usize, stride: usize, ceil: bool) -> Tensor<4> {
    if fast_on(&x.device()) {
        return Tensor::from_dispatch(<Dispatch as FastCpuOps>::fast_pool2d(x.into_dispatch(), false, kernel, stride, ceil));
    }
    let options = AvgPoolOptions::new([kernel, kernel]).with_stride([stride, stride]).with_ceil_mode(ceil).with_count_include_pad(false);
    avg_pool2d(x, options)
}

pub fn tanh<const D: usize>(x: Tensor<D>) -> Tensor<D> {
    if fast_on(&x.device()) {
        return Tensor::from_dispatch(<Dispatch as FastCpuOps>::fast_tanh(x.into_dispatch()));
    }
    burn::tensor::activation::tanh(x)
}
