//! Local response normalisation, in the two forms of the cuda-convnet era.

use burn::tensor::Tensor;
use burn::tensor::module::avg_pool2d;
use burn::tensor::ops::AvgPoolOptions;

/// cuda-convnet's `rnorm`: each unit is divided by (1 + scale·mean(x²))^pow, the mean taken
/// over a size×size spatial window of its own channel (cuda-convnet divided `scale` by size²).
#[derive(Clone, Debug, PartialEq)]
pub struct ResponseNorm {
    pub size: usize,
    pub scale: f64,
    pub pow: f64,
}

impl ResponseNorm {
    /// The `layers-18pct` setting: size 3, scale 5e-5, pow 0.75.
    pub fn cuda_convnet() -> Self {
        Self { size: 3, scale: 5e-5, pow: 0.75 }
    }

    pub fn forward(&self, x: Tensor<4>) -> Tensor<4> {
        let pad = self.size / 2;
        // count_include_pad keeps the divisor at size², as cuda-convnet's edge handling did.
        let options = AvgPoolOptions::new([self.size, self.size]).with_stride([1, 1]).with_padding([pad, pad]).with_count_include_pad(true);
        let mean_sq = avg_pool2d(x.clone().powi_scalar(2), options);
        let denom = mean_sq.mul_scalar(self.scale).add_scalar(1.0).powf_scalar(self.pow);
        x.div(denom)
    }
}

/// AlexNet's cross-channel LRN: b = a / (k + α·Σ a²)^β over n adjacent channels.
#[derive(Clone, Debug, PartialEq)]
pub struct CrossChannelNorm {
    pub n: usize,
    pub k: f64,
    pub alpha: f64,
    pub beta: f64,
}

impl CrossChannelNorm {
    /// The paper's k = 2, n = 5, α = 1e-4, β = 0.75.
    pub fn alexnet() -> Self {
        Self { n: 5, k: 2.0, alpha: 1e-4, beta: 0.75 }
    }

    pub fn forward(&self, x: Tensor<4>) -> Tensor<4> {
        let [b, c, h, w] = x.dims();
        // Pool the squares along the channel axis by viewing channels as a spatial dimension.
        let squares = x.clone().powi_scalar(2).reshape([b, 1, c, h * w]);
        let options = AvgPoolOptions::new([self.n, 1]).with_stride([1, 1]).with_padding([self.n / 2, 0]).with_count_include_pad(true);
        let sums = avg_pool2d(squares, options).mul_scalar(self.n as f64).reshape([b, c, h, w]);
        x.div(sums.mul_scalar(self.alpha).add_scalar(self.k).powf_scalar(self.beta))
    }
}
