//! The activation functions actlab compares. Burn's own functions are used where it has them.

use burn::tensor::{Tensor, activation};
use serde::{Deserialize, Serialize};
use std::fmt;
use std::str::FromStr;

use crate::ModelError;

/// A pointwise non-linearity, applied between layers.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub enum Activation {
    Relu,
    Tanh,
    /// LeCun's 1.7159·tanh(2x/3): unit variance for unit-variance input, f(±1) = ±1.
    ScaledTanh,
    Sigmoid,
    /// Slope 0.01 for negative inputs.
    LeakyRelu,
    /// α = 1.
    Elu,
    Gelu,
    Silu,
    /// β = 1.
    Softplus,
    /// |tanh x|, the rectified tanh of Jarrett et al. (2009).
    AbsTanh,
    /// No non-linearity: the network collapses to a linear model.
    Identity,
}

impl Activation {
    pub const ALL: [Activation; 11] = [
        Self::Relu,
        Self::Tanh,
        Self::ScaledTanh,
        Self::Sigmoid,
        Self::LeakyRelu,
        Self::Elu,
        Self::Gelu,
        Self::Silu,
        Self::Softplus,
        Self::AbsTanh,
        Self::Identity,
    ];
    pub const NAMES: [&'static str; 11] =
        ["relu", "tanh", "scaled-tanh", "sigmoid", "leaky-relu", "elu", "gelu", "silu", "softplus", "abs-tanh", "identity"];

    pub fn name(self) -> &'static str {
        let index = Self::ALL.iter().position(|a| *a == self).unwrap_or_default();
        Self::NAMES[index]
    }

    pub fn apply<const D: usize>(self, x: Tensor<D>) -> Tensor<D> {
        match self {
            Self::Relu => activation::relu(x),
            Self::Tanh => actlab_kernels::tanh(x),
            Self::ScaledTanh => actlab_kernels::tanh(x.mul_scalar(2.0 / 3.0)).mul_scalar(1.7159),
            Self::Sigmoid => activation::sigmoid(x),
            Self::LeakyRelu => activation::leaky_relu(x, DEFAULT_NEGATIVE_SLOPE),
            Self::Elu => activation::elu(x, 1.0),
            Self::Gelu => activation::gelu(x),
            Self::Silu => activation::silu(x),
            Self::Softplus => activation::softplus(x, 1.0),
            Self::AbsTanh => actlab_kernels::tanh(x).abs(),
            Self::Identity => x,
        }
    }
}

/// An activation with its parameter: what a net applies between layers.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Nonlinearity {
    pub activation: Activation,
    /// leaky-relu's slope for negative inputs.
    pub negative_slope: f64,
}

/// leaky-relu's slope when none is given.
pub const DEFAULT_NEGATIVE_SLOPE: f64 = 0.01;

impl Nonlinearity {
    pub fn leaky_relu(negative_slope: f64) -> Self {
        Self { activation: Activation::LeakyRelu, negative_slope }
    }

    pub fn apply<const D: usize>(self, x: Tensor<D>) -> Tensor<D> {
        match self.activation {
            Activation::LeakyRelu => activation::leaky_relu(x, self.negative_slope),
            other => other.apply(x),
        }
    }
}

impl From<Activation> for Nonlinearity {
    fn from(activation: Activation) -> Self {
        Self { activation, negative_slope: DEFAULT_NEGATIVE_SLOPE }
    }
}

impl fmt::Display for Nonlinearity {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.activation {
            Activation::LeakyRelu if self.negative_slope != DEFAULT_NEGATIVE_SLOPE => write!(f, "leaky-relu({})", self.negative_slope),
            other => write!(f, "{other}"),
        }
    }
}

impl FromStr for Activation {
    type Err = ModelError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let wanted = s.trim().to_ascii_lowercase().replace('_', "-");
        Self::NAMES
            .iter()
            .position(|name| *name == wanted)
            .map(|i| Self::ALL[i])
            .ok_or_else(|| ModelError::UnknownActivation(s.to_string()))
    }
}

impl TryFrom<String> for Activation {
    type Error = ModelError;
    fn try_from(s: String) -> Result<Self, Self::Error> {
        s.parse()
    }
}

impl From<Activation> for String {
    fn from(a: Activation) -> String {
        a.name().to_string()
    }
}

impl fmt::Display for Activation {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use burn::tensor::{Device, TensorData};

    fn values(a: Activation, xs: &[f32]) -> Vec<f32> {
        let device = Device::flex();
        let x = Tensor::<1>::from_data(TensorData::new(xs.to_vec(), [xs.len()]), &device);
        a.apply(x).into_data().try_to_vec::<f32>().expect("f32 data")
    }

    #[test]
    fn names_round_trip() {
        for a in Activation::ALL {
            assert_eq!(a.name().parse::<Activation>().expect("parses"), a);
        }
        assert!("swish2".parse::<Activation>().is_err());
    }

    #[test]
    fn values_match_their_definitions() {
        let xs = [-2.0f32, -0.5, 0.0, 0.5, 2.0];
        let close = |a: &[f32], b: &[f32]| a.iter().zip(b).all(|(x, y)| (x - y).abs() < 1e-5);
        let expect = |f: fn(f32) -> f32| xs.iter().map(|&x| f(x)).collect::<Vec<_>>();
        assert!(close(&values(Activation::Relu, &xs), &expect(|x| x.max(0.0))));
        assert!(close(&values(Activation::Tanh, &xs), &expect(f32::tanh)));
        assert!(close(&values(Activation::ScaledTanh, &xs), &expect(|x| 1.7159 * (2.0 * x / 3.0).tanh())));
        assert!(close(&values(Activation::Sigmoid, &xs), &expect(|x| 1.0 / (1.0 + (-x).exp()))));
        assert!(close(&values(Activation::LeakyRelu, &xs), &expect(|x| if x > 0.0 { x } else { 0.01 * x })));
        assert!(close(&values(Activation::Elu, &xs), &expect(|x| if x > 0.0 { x } else { x.exp() - 1.0 })));
        assert!(close(&values(Activation::Silu, &xs), &expect(|x| x / (1.0 + (-x).exp()))));
        assert!(close(&values(Activation::Softplus, &xs), &expect(|x| (1.0 + x.exp()).ln())));
        assert!(close(&values(Activation::AbsTanh, &xs), &expect(|x| x.tanh().abs())));
        assert!(close(&values(Activation::Identity, &xs), &xs));
        let leaky = |slope: f64| {
            let x = Tensor::<1>::from_data(TensorData::new(xs.to_vec(), [xs.len()]), &Device::flex());
            Nonlinearity::leaky_relu(slope).apply(x).into_data().try_to_vec::<f32>().expect("f32 data")
        };
        assert!(close(&leaky(0.0), &values(Activation::Relu, &xs)));
        assert!(close(&leaky(1.0), &xs));
        assert!(close(&leaky(0.3), &expect(|x| if x > 0.0 { x } else { 0.3 * x })));
        // GELU(x) = x·Φ(x): check against known values rather than re-deriving erf.
        let gelu = values(Activation::Gelu, &[0.0, 1.0, -1.0]);
        assert!((gelu[0]).abs() < 1e-6 && (gelu[1] - 0.841_345).abs() < 1e-4);
        assert!((gelu[2] + 0.158_655).abs() < 1e-4);
    }
}
