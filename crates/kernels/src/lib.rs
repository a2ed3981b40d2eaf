//! Faster CPU ops for Burn's flex backend, where `actlab bench` found flex slowest on convnet18:
//! convolution (im2col + GEMM for the forward pass and both gradients), max and average pooling,
//! and tanh, plugged into Burn as a backend extension with their own backward passes.
//!
//! The functions here are what actlab's layers call. Each takes the fast path only on flex and
//! only where it computes what the plain Burn op does (tests/flex_ops.rs checks values and
//! gradients against it); everywhere else it calls the plain Burn op. Measured on convnet18
//! (2-core AVX2 EPYC, `actlab bench`): 914 training images/s with these kernels against 369 with
//! Burn's plain ops on flex (ReLU), 1,151 against 280 (tanh).

mod conv_kernel;
mod extension;
mod isa;
mod pool_kernel;
mod tanh_kernel;

use burn::backend::Dispatch;
use burn::tensor::module::{avg_pool2d, conv2d as plain_conv2d, max_pool2d};
use burn::tensor::ops::{AvgPoolOptions, ConvOptions, MaxPoolOptions};
use burn::tensor::{Device, Tensor};
use std::sync::atomic::{AtomicBool, Ordering};

pub use extension::FastCpuOps;
pub use isa::{ISA_ENV, Isa, UnsupportedIsa, force_kernel_isa, gemm_isa, kernel_isa, kernel_isa_from_env, supported_isas};

static ENABLED: AtomicBool = AtomicBool::new(true);

/// Turns the fast paths on or off for the whole process (`actlab bench` times both; tests).
pub fn set_enabled(enabled: bool) {
    ENABLED.store(enabled, Ordering::Relaxed);
}

pub fn enabled() -> bool {
    ENABLED.load(Ordering::Relaxed)
}

fn fast_on(device: &Device) -> bool {
    enabled() && device.clone().inner() == Device::flex()
}

/// A square convolution's geometry: stride, symmetric zero padding and groups (no dilation).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ConvGeometry {
    pub stride: usize,
    pub padding: usize,
    pub groups: usize,
}

/// `x` convolved with `weight` (`[out, in/groups, k, k]`) plus `bias`.
pub fn conv2d(x: Tensor<4>, weight: Tensor<4>, bias: Option<Tensor<1>>, geometry: ConvGeometry) -> Tensor<4> {
    let ConvGeometry { stride, padding, groups } = geometry;
    let [_, _, kh, kw] = weight.dims();
    match bias {
        Some(bias) if groups == 1 && kh == kw && fast_on(&x.device()) => {
            let y = <Dispatch as FastCpuOps>::fast_conv2d(x.into_dispatch(), weight.into_dispatch(), bias.into_dispatch(), stride, padding);
            Tensor::from_dispatch(y)
        }
        bias => plain_conv2d(x, weight, bias, ConvOptions::new([stride, stride], [padding, padding], [1, 1], groups)),
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
