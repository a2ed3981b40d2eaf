//! The `[model]` section of a run config.

use serde::{Deserialize, Serialize};
use std::fmt;

use crate::{Activation, InitScheme, ModelError, Nonlinearity};

/// Which network topology to build.
/// The widest layer a config may ask for (units of an MLP layer, channels of a plain net): a
/// 65,536-wide dense layer already holds 4·10⁹ weights, more than this machine's memory.
pub const MAX_WIDTH: usize = 65_536;

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Arch {
    Convnet18,
    Convnet80sec,
    Lenet5,
    Mlp,
    Plain,
    Alexnet,
}

impl fmt::Display for Arch {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let name = match self {
            Self::Convnet18 => "convnet18",
            Self::Convnet80sec => "convnet80sec",
            Self::Lenet5 => "lenet5",
            Self::Mlp => "mlp",
            Self::Plain => "plain",
            Self::Alexnet => "alexnet",
        };
        f.write_str(name)
    }
}

fn default_activation() -> Activation {
    Activation::Relu
}
fn default_hidden() -> Vec<usize> {
    vec![256, 256]
}
fn default_depth() -> usize {
    8
}
fn default_width() -> usize {
    32
}
fn default_dropout() -> f64 {
    0.5
}

/// Architecture, activation and initialisation of a network.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ModelConfig {
    pub arch: Arch,
    #[serde(default = "default_activation")]
    pub activation: Activation,
    /// leaky-relu's slope for negative inputs (default 0.01; 0 is relu, 1 the identity).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub negative_slope: Option<f64>,
    #[serde(default)]
    pub init: InitScheme,
    /// The gain of `init = "kaiming"` (default √2, He et al.'s for ReLU; 1 is LeCun's).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub init_gain: Option<f64>,
    /// Per-weight-layer Gaussian stds for `init = "cuda-convnet"`; the last one repeats.
    /// Empty: the architecture's own cuda-convnet values.
    #[serde(default)]
    pub init_std: Vec<f64>,
    /// cuda-convnet's within-channel response normalisation (convnet18, convnet80sec).
    #[serde(default)]
    pub response_norm: bool,
    /// Batch normalisation after every convolution, before its pooling and activation
    /// (convnet18, convnet80sec): Ioffe & Szegedy (2015), Burn's `BatchNorm`.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub batch_norm: bool,
    /// Hidden widths of `mlp`.
    #[serde(default = "default_hidden")]
    pub hidden: Vec<usize>,
    /// Number of conv layers of `plain`.
    #[serde(default = "default_depth")]
    pub depth: usize,
    /// Channels of every conv layer of `plain`.
    #[serde(default = "default_width")]
    pub width: usize,
    /// Dropout probability of `alexnet`'s fc6 and fc7.
    #[serde(default = "default_dropout")]
    pub dropout: f64,
}

impl ModelConfig {
    pub fn new(arch: Arch, activation: Activation) -> Self {
        Self {
            arch,
            activation,
            negative_slope: None,
            init: InitScheme::default(),
            init_gain: None,
            init_std: Vec::new(),
            response_norm: false,
            batch_norm: false,
            hidden: default_hidden(),
            depth: default_depth(),
            width: default_width(),
            dropout: default_dropout(),
        }
    }

    /// The activation with its parameter.
    pub fn nonlinearity(&self) -> Nonlinearity {
        match self.negative_slope {
            Some(slope) => Nonlinearity::leaky_relu(slope),
            None => Nonlinearity::from(self.activation),
        }
    }

    /// Rejects values that would build a broken network, naming the field.
    /// Checks every value before any weight is allocated: a typo like `hidden = [1000000000]`
    /// is one line of error, not an allocation abort.
    pub fn check(&self) -> Result<(), ModelError> {
        let invalid = |field, reason: String| Err(ModelError::Invalid { field, reason });
        if let Some(std) = self.init_std.iter().find(|s| !(s.is_finite() && **s > 0.0)) {
            return invalid("init_std", format!("{std} is not a positive finite number"));
        }
        if let Some(slope) = self.negative_slope {
            if self.activation != Activation::LeakyRelu {
                return invalid("negative_slope", format!("only used with activation = \"leaky-relu\", not {}", self.activation));
            }
            if !slope.is_finite() {
                return invalid("negative_slope", format!("{slope} is not a finite number"));
            }
        }
        if let Some(gain) = self.init_gain {
            if self.init != InitScheme::Kaiming {
                return invalid("init_gain", "only used with init = \"kaiming\"".into());
            }
            if !(gain.is_finite() && gain > 0.0) {
                return invalid("init_gain", format!("{gain} is not a positive finite number"));
            }
        }
        if self.arch == Arch::Mlp && self.hidden.contains(&0) {
            return invalid("hidden", "a layer width of 0".into());
        }
        if let Some(width) = self.hidden.iter().find(|&&w| w > MAX_WIDTH) {
            return invalid("hidden", format!("a layer width of {width} is above the limit of {MAX_WIDTH}"));
        }
        if self.arch == Arch::Plain && self.width > MAX_WIDTH {
            return invalid("width", format!("{} channels is above the limit of {MAX_WIDTH}", self.width));
        }
        if self.arch == Arch::Plain && !(1..=256).contains(&self.depth) {
            return invalid("depth", format!("{} is outside 1..=256", self.depth));
        }
        if self.arch == Arch::Plain && self.width == 0 {
            return invalid("width", "0 channels".into());
        }
        if self.batch_norm && !matches!(self.arch, Arch::Convnet18 | Arch::Convnet80sec) {
            return invalid("batch_norm", format!("only convnet18 and convnet80sec have it, not {}", self.arch));
        }
        if !(0.0..1.0).contains(&self.dropout) {
            return invalid("dropout", format!("{} is outside [0, 1)", self.dropout));
        }
        Ok(())
    }
}
