//! One type for every architecture, so the trainer has a single code path.

use burn::module::Module;
use burn::tensor::{Device, Tensor};

use crate::alexnet::{self, AlexNet};
use crate::convnet18::{self, ConvNet18};
use crate::convnet80sec::{self, ConvNet80Sec};
use crate::init::{InitScheme, LayerInit};
use crate::lenet5::LeNet5;
use crate::mlp::Mlp;
use crate::norm::ResponseNorm;
use crate::plain::Plain;
use crate::probe::{Collect, Hidden, NoTap, Tap, Weight};
use crate::{Arch, InputShape, ModelConfig, ModelError};

#[derive(Module, Debug)]
#[allow(clippy::large_enum_variant)]
pub enum Model {
    ConvNet18(ConvNet18),
    ConvNet80Sec(ConvNet80Sec),
    LeNet5(LeNet5),
    Mlp(Mlp),
    Plain(Plain),
    AlexNet(AlexNet),
}

impl Model {
    /// Builds the network for images of `input` shape and `classes` outputs.
    pub fn new(config: &ModelConfig, input: InputShape, classes: usize, device: &Device) -> Result<Self, ModelError> {
        config.check()?;
        let stds = if config.init_std.is_empty() {
            match config.arch {
                Arch::Convnet18 => convnet18::CUDA_CONVNET_STDS.to_vec(),
                Arch::Convnet80sec => convnet80sec::CUDA_CONVNET_STDS.to_vec(),
                _ => vec![0.01],
            }
        } else {
            config.init_std.clone()
        };
        let init = LayerInit { scheme: config.init, stds, gain: config.init_gain };
        let act = config.nonlinearity();
        let norm = config.response_norm.then(ResponseNorm::cuda_convnet);
        if input[1] < 8 || input[2] < 8 {
            return Err(ModelError::Invalid {
                field: "arch",
                reason: format!("input {}x{} is too small (at least 8x8)", input[1], input[2]),
            });
        }
        let model = match config.arch {
            Arch::Convnet18 => Self::ConvNet18(ConvNet18::new(input, classes, act, &init, norm, config.batch_norm, device)),
            Arch::Convnet80sec => Self::ConvNet80Sec(ConvNet80Sec::new(input, classes, act, &init, norm, config.batch_norm, device)),
            Arch::Lenet5 => {
                if input[1] < 16 || input[2] < 16 {
                    return Err(ModelError::Invalid { field: "arch", reason: "lenet5 needs inputs of at least 16x16".into() });
                }
                Self::LeNet5(LeNet5::new(input, classes, act, &init, device))
            }
            Arch::Mlp => Self::Mlp(Mlp::new(input, classes, &config.hidden, act, &init, device)),
            Arch::Plain => Self::Plain(Plain::new(input, classes, config.depth, config.width, act, &init, device)),
            Arch::Alexnet => {
                if input != alexnet::INPUT {
                    return Err(ModelError::Invalid {
                        field: "arch",
                        reason: format!("alexnet needs 3x227x227 inputs, the data is {input:?}"),
                    });
                }
                Self::AlexNet(AlexNet::new(classes, act, config.dropout, &init, device))
            }
        };
        if config.init != InitScheme::CudaConvnet && !config.init_std.is_empty() {
            return Err(ModelError::Invalid { field: "init_std", reason: "only used with init = \"cuda-convnet\"".into() });
        }
        Ok(model)
    }

    /// Writes the model to a burnpack file. Burn's running state (batch normalisation's mean and
    /// variance) takes its last update lazily, and saving reads it without taking it: a model
    /// saved right after a training step lagged one update behind (its reloaded inference logits
    /// were off by 0.05 in tests/batch_norm.rs). `valid()` takes every pending update first.
    pub fn save(&self, path: &std::path::Path) -> Result<(), burn::store::RecordError> {
        let _synced = self.valid();
        self.clone().save_file(path)
    }

    /// Class scores (logits) for a batch of images `[batch, channels, height, width]`.
    pub fn forward(&self, x: Tensor<4>) -> Tensor<2> {
        self.forward_with(x, &mut NoTap)
    }

    /// The forward pass, showing `tap` each hidden layer's output (after its activation).
    pub fn forward_with(&self, x: Tensor<4>, tap: &mut impl Tap) -> Tensor<2> {
        match self {
            Self::ConvNet18(m) => m.forward_with(x, tap),
            Self::ConvNet80Sec(m) => m.forward_with(x, tap),
            Self::LeNet5(m) => m.forward_with(x, tap),
            Self::Mlp(m) => m.forward_with(x, tap),
            Self::Plain(m) => m.forward_with(x, tap),
            Self::AlexNet(m) => m.forward_with(x, tap),
        }
    }

    /// The logits and every hidden layer's output, in forward order.
    pub fn forward_probed(&self, x: Tensor<4>) -> (Tensor<2>, Vec<(String, Hidden)>) {
        let mut collect = Collect::default();
        let logits = self.forward_with(x, &mut collect);
        (logits, collect.layers)
    }

    /// Every weight layer's weight, in forward order (for gradient norms after a backward pass).
    pub fn weights(&self) -> Vec<(String, Weight)> {
        match self {
            Self::ConvNet18(m) => m.weights(),
            Self::ConvNet80Sec(m) => m.weights(),
            Self::LeNet5(m) => m.weights(),
            Self::Mlp(m) => m.weights(),
            Self::Plain(m) => m.weights(),
            Self::AlexNet(m) => m.weights(),
        }
    }
}
