//! Weight initialisation. cuda-convnet drew every weight from a zero-mean Gaussian with a
//! per-layer standard deviation and set biases to zero; the AlexNet-era nets depend on it.

use burn::nn::conv::Conv2dConfig;
use burn::nn::{Initializer, Linear, LinearConfig, PaddingConfig2d};
use burn::tensor::Device;
use serde::{Deserialize, Serialize};

use crate::layers::Conv2d;
use actlab_kernels::ConvGeometry;

/// How a network's weights are drawn. Biases always start at zero.
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize, Default)]
#[serde(rename_all = "kebab-case")]
pub enum InitScheme {
    /// Gaussian with the architecture's cuda-convnet standard deviations (or `init_std`).
    #[default]
    CudaConvnet,
    /// He et al. (2015): Gaussian with std √(2 / fan_in).
    Kaiming,
    /// Glorot & Bengio (2010): Gaussian with std √(2 / (fan_in + fan_out)).
    Xavier,
}

/// Builds layers with one scheme, taking the Gaussian std of the i-th weight layer from `stds`.
#[derive(Clone, Debug)]
pub struct LayerInit {
    pub scheme: InitScheme,
    pub stds: Vec<f64>,
    /// Kaiming's gain (√2 unless set).
    pub gain: Option<f64>,
}

impl LayerInit {
    fn initializer(&self, layer: usize) -> Initializer {
        match self.scheme {
            InitScheme::CudaConvnet => {
                let std = self.stds.get(layer).or(self.stds.last()).copied().unwrap_or(0.01);
                Initializer::Normal { mean: 0.0, std }
            }
            InitScheme::Kaiming => Initializer::KaimingNormal { gain: self.gain.unwrap_or(std::f64::consts::SQRT_2), fan_out_only: false },
            InitScheme::Xavier => Initializer::XavierNormal { gain: 1.0 },
        }
    }

    /// A square convolution; `layer` indexes the weight layers in forward order.
    #[allow(clippy::too_many_arguments)]
    pub fn conv(
        &self,
        layer: usize,
        channels: [usize; 2],
        kernel: usize,
        stride: usize,
        padding: usize,
        groups: usize,
        device: &Device,
    ) -> Conv2d {
        let mut conv = Conv2dConfig::new(channels, [kernel, kernel])
            .with_stride([stride, stride])
            .with_groups(groups)
            .with_padding(PaddingConfig2d::Explicit(padding, padding, padding, padding))
            .with_initializer(self.initializer(layer))
            .init(device);
        conv.bias = Some(Initializer::Zeros.init([channels[1]], device));
        Conv2d::from_burn(conv, ConvGeometry { stride, padding, groups })
    }

    pub fn linear(&self, layer: usize, d_input: usize, d_output: usize, device: &Device) -> Linear {
        let mut linear = LinearConfig::new(d_input, d_output).with_initializer(self.initializer(layer)).init(device);
        linear.bias = Some(Initializer::Zeros.init([d_output], device));
        linear
    }
}
