//! Every fast flex op against the plain Burn op on the same inputs: values and gradients agree
//! to 1e-4 of the largest reference magnitude.

#![allow(clippy::unwrap_used)]

use actlab_kernels as flex_ops;
use actlab_kernels::ConvGeometry;
use burn::nn::PaddingConfig2d;
use burn::nn::conv::{Conv2d, Conv2dConfig};
use burn::tensor::module::{avg_pool2d, max_pool2d};
use burn::tensor::ops::{AvgPoolOptions, MaxPoolOptions};
use burn::tensor::{Device, Tensor, TensorData, activation};

const TOLERANCE: f32 = 1e-4;

mod common;

use common::{device, values};

fn assert_close<const D: usize>(what: &str, fast: Tensor<D>, plain: Tensor<D>) {
    assert_eq!(fast.dims(), plain.dims(), "{what}: shapes");
    let fast: Vec<f32> = fast.into_data().try_to_vec().unwrap();
    let plain: Vec<f32> = plain.into_data().try_to_vec().unwrap();
    let scale = plain.iter().fold(0f32, |m, v| m.max(v.abs())).max(1e-12);
    let worst = fast.iter().zip(&plain).map(|(a, b)| (a - b).abs()).fold(0f32, f32::max);
    assert!(worst <= TOLERANCE * scale, "{what}: max |fast - plain| = {worst:e}, {:e} of the scale {scale:e}", worst / scale);
}

/// Value and input gradient of `op` under both paths, driven by the same output weights.
fn check_unary<const D: usize>(what: &str, x: Tensor<D>, fast: impl Fn(Tensor<D>) -> Tensor<D>, plain: impl Fn(Tensor<D>) -> Tensor<D>) {
    let (xf, xp) = (x.clone().require_grad(), x.require_grad());
    let (yf, yp) = (fast(xf.clone()), plain(xp.clone()));
    let g = values(yp.dims(), 99);
    let (gf, gp) = ((yf.clone() * g.clone()).sum().backward(), (yp.clone() * g).sum().backward());
    assert_close(&format!("{what} value"), yf, yp);
    assert_close(&format!("{what} input gradient"), xf.grad(&gf).unwrap(), xp.grad(&gp).unwrap());
}

fn conv(channels: [usize; 2], kernel: usize, stride: usize, padding: usize) -> Conv2d {
    let mut conv = Conv2dConfig::new(channels, [kernel, kernel])
        .with_stride([stride, stride])
        .with_padding(PaddingConfig2d::Explicit(padding, padding, padding, padding))
        .init(&device());
    conv.weight = conv.weight.map(|_| values([channels[1], channels[0], kernel, kernel], 7).require_grad());
    conv.bias = conv.bias.map(|b| b.map(|_| values([channels[1]], 8).require_grad()));
    conv
}

#[test]
fn convolution_matches_burn_conv2d_in_value_and_all_gradients() {
    // convnet18's three layers, then a strided, an unpadded and a 1×1 case.
    let cases = [
        ([3, 32], 5, 1, 2, 32),
        ([32, 32], 5, 1, 2, 16),
        ([32, 64], 5, 1, 2, 8),
        ([4, 6], 3, 2, 1, 9),
        ([5, 3], 3, 1, 0, 7),
        ([6, 2], 1, 1, 0, 4),
    ];
    for (channels, kernel, stride, padding, side) in cases {
        let what = format!("conv {channels:?} k{kernel} s{stride} p{padding}");
        let layer = conv(channels, kernel, stride, padding);
        let x = values([3, channels[0], side, side + 1], 5);
        let (xf, xp) = (x.clone().require_grad(), x.require_grad());
        let geometry = ConvGeometry { stride, padding, groups: 1 };
        let yf = flex_ops::conv2d(xf.clone(), layer.weight.val(), layer.bias.as_ref().map(|b| b.val()), geometry);
        let yp = layer.forward(xp.clone());
        let g = values(yp.dims(), 6);
        let gf = (yf.clone() * g.clone()).sum().backward();
        let gp = (yp.clone() * g).sum().backward();
        assert_close(&format!("{what} value"), yf, yp);
        assert_close(&format!("{what} input gradient"), xf.grad(&gf).unwrap(), xp.grad(&gp).unwrap());
        let weight = layer.weight.val();
        assert_close(&format!("{what} weight gradient"), weight.grad(&gf).unwrap(), weight.grad(&gp).unwrap());
        let bias = layer.bias.as_ref().unwrap().val();
        assert_close(&format!("{what} bias gradient"), bias.grad(&gf).unwrap(), bias.grad(&gp).unwrap());
    }
}

#[test]
fn pooling_matches_burn_max_and_avg_pool_in_ceil_and_floor_mode() {
    for (kernel, stride, side) in [(3, 2, 32), (3, 2, 16), (3, 2, 8), (2, 2, 7), (3, 1, 5)] {
        for ceil in [true, false] {
            let x = values([2, 3, side, side], side as u64);
            let what = format!("pool k{kernel} s{stride} {side}×{side} ceil={ceil}");
            check_unary(
                &format!("max {what}"),
                x.clone(),
                |x| flex_ops::max_pool(x, kernel, stride, ceil),
                |x| max_pool2d(x, MaxPoolOptions::new([kernel, kernel]).with_stride([stride, stride]).with_ceil_mode(ceil)),
            );
            check_unary(
                &format!("avg {what}"),
                x,
                |x| flex_ops::avg_pool(x, kernel, stride, ceil),
                |x| {
                    let options = AvgPoolOptions::new([kernel, kernel])
                        .with_stride([stride, stride])
                        .with_ceil_mode(ceil)
                        .with_count_include_pad(false);
                    avg_pool2d(x, options)
                },
            );
        }
    }
}

#[test]
fn tanh_matches_burn_tanh() {
    let x = values([4, 8, 9, 9], 11).mul_scalar(4.0);
    check_unary("tanh", x, flex_ops::tanh, activation::tanh);
}

#[test]
fn other_backends_take_the_plain_path() {
    // On ndarray the entry points are the Burn ops themselves: identical to the last bit.
    #[allow(deprecated)]
    let device = Device::ndarray();
    let x = Tensor::<4>::from_data(TensorData::new((0..2 * 2 * 5 * 5).map(|v| v as f32 / 7.0).collect::<Vec<_>>(), [2, 2, 5, 5]), &device);
    let fast = flex_ops::max_pool(x.clone(), 3, 2, true).into_data();
    let plain = max_pool2d(x, MaxPoolOptions::new([3, 3]).with_stride([2, 2]).with_ceil_mode(true)).into_data();
    assert_eq!(fast, plain);
}
