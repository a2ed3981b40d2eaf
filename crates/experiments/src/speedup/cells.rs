//! The study's cells: the paper's setting, each factor changed alone, and the modern combination.
//! A cell is a change to the Figure 1 config, which may depend on the activation (the init).

use actlab_datasets::Normalization;
use actlab_models::{Activation, Arch, InitScheme};
use actlab_train::UncheckedConfig;
use actlab_train::optimizer::OptimizerKind;

/// One factor of the setting, changed from the paper's.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Cell {
    /// cuda-convnet's protocol, as Figure 1 ran it.
    Paper,
    /// Per-channel standardised pixels instead of raw 0–255 minus the mean image.
    Standardised,
    /// Kaiming (ReLU) / LeCun (tanh, sigmoid) Gaussians instead of cuda-convnet's fixed stds.
    FanInInit,
    /// cuda-convnet's within-channel response normalisation after conv1 and conv2.
    ResponseNorm,
    /// A batch normalisation after every convolution.
    BatchNorm,
    /// Adam (β1 0.9, β2 0.999) instead of SGD with momentum 0.9.
    Adam,
    Batch32,
    Batch512,
    /// cuda-convnet's `layers-80sec`: the same conv stack with a 64-unit hidden fc layer.
    Convnet80sec,
    /// Standardised input, fan-in init and batch normalisation together.
    Modern,
}

impl Cell {
    pub const ALL: [Cell; 10] = [
        Cell::Paper,
        Cell::Standardised,
        Cell::FanInInit,
        Cell::ResponseNorm,
        Cell::BatchNorm,
        Cell::Adam,
        Cell::Batch32,
        Cell::Batch512,
        Cell::Convnet80sec,
        Cell::Modern,
    ];

    pub fn key(self) -> &'static str {
        match self {
            Cell::Paper => "paper",
            Cell::Standardised => "standardised-input",
            Cell::FanInInit => "fan-in-init",
            Cell::ResponseNorm => "response-norm",
            Cell::BatchNorm => "batch-norm",
            Cell::Adam => "adam",
            Cell::Batch32 => "batch-32",
            Cell::Batch512 => "batch-512",
            Cell::Convnet80sec => "convnet80sec",
            Cell::Modern => "modern",
        }
    }

    pub fn parse(key: &str) -> Option<Cell> {
        Cell::ALL.into_iter().find(|c| c.key() == key)
    }

    /// What the cell changes, in words, for the report.
    pub fn change(self) -> &'static str {
        match self {
            Cell::Paper => "the paper's setting (raw pixels minus the mean image, cuda-convnet init, SGD with momentum, batch 128)",
            Cell::Standardised => "input: per-channel standardised pixels instead of the mean image subtracted",
            Cell::FanInInit => "init: Kaiming for ReLU, LeCun for tanh and sigmoid, instead of fixed stds 1e-4/1e-2",
            Cell::ResponseNorm => "cuda-convnet's response normalisation on",
            Cell::BatchNorm => "batch normalisation after every convolution",
            Cell::Adam => "optimizer: Adam instead of SGD with momentum",
            Cell::Batch32 => "batch size 32 instead of 128",
            Cell::Batch512 => "batch size 512 instead of 128",
            Cell::Convnet80sec => "architecture: convnet80sec (a 64-unit hidden fc layer)",
            Cell::Modern => "the modern combination: standardised input, fan-in init and batch normalisation",
        }
    }

    /// The cell's run config for `activation`, from the Figure 1 base.
    pub fn apply(self, config: &mut UncheckedConfig, activation: Activation) {
        config.model.activation = activation;
        match self {
            Cell::Paper => {}
            Cell::Standardised => config.dataset.normalize = Normalization::PerChannel,
            Cell::FanInInit => fan_in_init(config, activation),
            Cell::ResponseNorm => config.model.response_norm = true,
            Cell::BatchNorm => config.model.batch_norm = true,
            Cell::Adam => config.optimizer.kind = OptimizerKind::Adam,
            Cell::Batch32 => config.training.batch_size = 32,
            Cell::Batch512 => config.training.batch_size = 512,
            Cell::Convnet80sec => config.model.arch = Arch::Convnet80sec,
            Cell::Modern => {
                config.dataset.normalize = Normalization::PerChannel;
                fan_in_init(config, activation);
                config.model.batch_norm = true;
            }
        }
    }

    /// Where the cell's learning-rate grid starts, given the activation's usual start: Adam's
    /// step is about the rate itself whatever the gradient's size, so its good rates lie about a
    /// decade below SGD's (the tuner extends the grid if not).
    pub fn start(self, usual: f64) -> f64 {
        if self == Cell::Adam { usual / 10.0 } else { usual }
    }
}

/// He et al.'s √(2/fan_in) for ReLU; LeCun's √(1/fan_in) (gain 1) for the saturating ones.
fn fan_in_init(config: &mut UncheckedConfig, activation: Activation) {
    config.model.init = InitScheme::Kaiming;
    config.model.init_std.clear();
    config.model.init_gain = (activation != Activation::Relu).then_some(1.0);
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::fig1::setting;

    #[test]
    fn every_cell_is_a_valid_config_that_differs_from_the_paper_where_it_says() {
        let paper = setting::with_activation(Activation::Tanh);
        for cell in Cell::ALL {
            assert_eq!(Cell::parse(cell.key()), Some(cell));
            for activation in [Activation::Relu, Activation::Tanh, Activation::Sigmoid] {
                let mut config = setting::base(&[]).expect("base");
                cell.apply(&mut config, activation);
                config.clone().check(cell.key()).unwrap_or_else(|e| panic!("{}: {e}", cell.key()));
                assert_eq!(config.model.activation, activation);
            }
            let mut tanh = setting::base(&[]).expect("base");
            cell.apply(&mut tanh, Activation::Tanh);
            assert_eq!(tanh == paper, cell == Cell::Paper, "{}", cell.key());
        }
        let mut relu = setting::base(&[]).expect("base");
        Cell::Modern.apply(&mut relu, Activation::Relu);
        assert_eq!((relu.model.init, relu.model.init_gain, relu.model.batch_norm), (InitScheme::Kaiming, None, true));
        assert_eq!(relu.dataset.normalize, Normalization::PerChannel);
        let mut tanh = setting::base(&[]).expect("base");
        Cell::FanInInit.apply(&mut tanh, Activation::Tanh);
        assert_eq!(tanh.model.init_gain, Some(1.0));
    }
}
