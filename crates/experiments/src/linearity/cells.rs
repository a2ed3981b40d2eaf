//! The cells of the study: which net with which non-linearity and init, under which folder name.
//! Parts share cells where they ask for the same run (convnet18 with relu is Part A's ReLU
//! convnet, the sweep's α = 0 and a zoo member), so each is trained once.

use actlab_models::{Activation, Arch, InitScheme};
use actlab_train::UncheckedConfig;
use std::f64::consts::SQRT_2;

/// A net of Part A.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Net {
    /// One linear layer on the pixels: softmax regression.
    Linear,
    /// Two hidden layers of 256.
    Mlp,
    /// Eight 3×3 conv layers of 16 channels, global average pool, fc.
    Plain8,
    Convnet18,
}

impl Net {
    pub fn name(self) -> &'static str {
        match self {
            Self::Linear => "linear",
            Self::Mlp => "mlp",
            Self::Plain8 => "plain8",
            Self::Convnet18 => "convnet18",
        }
    }

    /// In words, for the report.
    pub fn describe(self) -> &'static str {
        match self {
            Self::Linear => "one linear layer on the pixels (softmax regression)",
            Self::Mlp => "MLP, 2 hidden layers of 256",
            Self::Plain8 => "plain conv net, 8 layers of 16 channels (3×3), global average pool",
            Self::Convnet18 => "convnet18 (conv, max pool, conv, avg pool, conv, avg pool, fc)",
        }
    }
}

/// A net with a non-linearity: what one cell trains.
#[derive(Clone, Debug, PartialEq)]
pub struct CellSpec {
    pub net: Net,
    pub activation: Activation,
    /// leaky-relu's slope when it is not the default.
    pub slope: Option<f64>,
}

impl CellSpec {
    pub fn new(net: Net, activation: Activation) -> Self {
        Self { net, activation, slope: None }
    }

    /// Leaky ReLU with negative slope α; α = 0 is relu, α = 1 the identity, 0.01 the default.
    pub fn leaky(net: Net, slope: f64) -> Self {
        if slope == 0.0 {
            Self::new(net, Activation::Relu)
        } else if slope == 1.0 {
            Self::new(net, Activation::Identity)
        } else if slope == actlab_models::activation::DEFAULT_NEGATIVE_SLOPE {
            Self::new(net, Activation::LeakyRelu)
        } else {
            Self { net, activation: Activation::LeakyRelu, slope: Some(slope) }
        }
    }

    /// The activation as the report names it.
    pub fn nonlinearity(&self) -> String {
        match self.slope {
            Some(slope) => format!("leaky-relu-{slope}"),
            None => self.activation.to_string(),
        }
    }

    /// The folder name of the cell; the single linear layer has no activation to name.
    pub fn key(&self) -> String {
        match self.net {
            Net::Linear => "linear".into(),
            net => format!("{}-{}", net.name(), self.nonlinearity()),
        }
    }

    /// The Kaiming gain made for the activation: √(2 / (1 + α²)) for the rectifiers (He et al.
    /// 2015; √2 for ReLU, 1 for α = 1), √2 for the smooth ReLU-likes, 1 (LeCun's) for the
    /// saturating and linear ones.
    pub fn init_gain(&self) -> f64 {
        let slope = self.slope.unwrap_or(actlab_models::activation::DEFAULT_NEGATIVE_SLOPE);
        match self.activation {
            Activation::Relu | Activation::Elu | Activation::Gelu | Activation::Silu | Activation::Softplus => SQRT_2,
            Activation::LeakyRelu => (2.0 / (1.0 + slope * slope)).sqrt(),
            Activation::Tanh | Activation::ScaledTanh | Activation::Sigmoid | Activation::AbsTanh | Activation::Identity => 1.0,
        }
    }

    /// The protocol's config with this cell's net, activation and init.
    pub fn config(&self, base: &UncheckedConfig) -> UncheckedConfig {
        let mut config = base.clone();
        let model = &mut config.model;
        model.activation = if self.net == Net::Linear { Activation::Identity } else { self.activation };
        model.negative_slope = self.slope;
        model.init = InitScheme::Kaiming;
        model.init_gain = Some(self.init_gain());
        match self.net {
            Net::Linear => (model.arch, model.hidden) = (Arch::Mlp, Vec::new()),
            Net::Mlp => (model.arch, model.hidden) = (Arch::Mlp, vec![256, 256]),
            Net::Plain8 => (model.arch, model.depth, model.width) = (Arch::Plain, 8, 16),
            Net::Convnet18 => model.arch = Arch::Convnet18,
        }
        config
    }
}

/// How an activation saturates ("both sides", "one side", "none") and whether it is smooth.
pub fn shape(activation: Activation) -> (&'static str, bool) {
    match activation {
        Activation::Tanh | Activation::ScaledTanh | Activation::Sigmoid => ("both sides", true),
        Activation::AbsTanh => ("both sides", false),
        Activation::Relu => ("one side", false),
        Activation::Elu | Activation::Gelu | Activation::Silu | Activation::Softplus => ("one side", true),
        Activation::LeakyRelu => ("none", false),
        Activation::Identity => ("none", true),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sweep_ends_are_relu_and_identity_and_share_their_cells() {
        assert_eq!(CellSpec::leaky(Net::Convnet18, 0.0), CellSpec::new(Net::Convnet18, Activation::Relu));
        assert_eq!(CellSpec::leaky(Net::Convnet18, 1.0).key(), "convnet18-identity");
        assert_eq!(CellSpec::leaky(Net::Convnet18, 0.3).key(), "convnet18-leaky-relu-0.3");
        assert!((CellSpec::leaky(Net::Convnet18, 0.3).init_gain() - (2.0f64 / 1.09).sqrt()).abs() < 1e-12);
        assert_eq!(CellSpec::leaky(Net::Convnet18, 0.0).init_gain(), SQRT_2);
        assert_eq!(CellSpec::new(Net::Linear, Activation::Relu).key(), "linear");
    }
}
