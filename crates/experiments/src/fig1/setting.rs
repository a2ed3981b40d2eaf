//! The Figure 1 setting, read from `configs/fig1.toml` (compiled in, so the binary works from any
//! folder): the one place the experiment, the bench and the ready configs take it from.

use actlab_models::Activation;
use actlab_train::{ConfigError, UncheckedConfig};

pub const FIG1_TOML: &str = include_str!("../../../../configs/fig1.toml");

/// The rates `actlab reproduce fig1` chose in the full Figure 1 run (docs/fig1-full; also in
/// configs/fig1-relu.toml and fig1-tanh.toml), for studies that train each activation at its own
/// Figure 1 rate.
pub const CHOSEN_RATES: [(Activation, f64); 2] = [(Activation::Relu, 3e-3), (Activation::Tanh, 1e-2)];

/// The setting with `overrides` (`section.key=value`) applied.
pub fn base(overrides: &[String]) -> Result<UncheckedConfig, ConfigError> {
    UncheckedConfig::parse(FIG1_TOML, "fig1 base config", overrides)
}

/// The setting with `activation`.
pub fn with_activation(activation: Activation) -> UncheckedConfig {
    let mut config = base(&[]).expect("configs/fig1.toml is a valid config (tested)");
    config.model.activation = activation;
    config
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_setting_and_the_ready_configs_agree() {
        let base = base(&[]).expect("parses").check("fig1.toml").expect("valid");
        assert_eq!(base.stop.target_train_error, Some(0.25));
        let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../configs");
        // The ready configs carry the chosen rates the studies use.
        for (activation, lr) in CHOSEN_RATES {
            let file = format!("fig1-{activation}.toml");
            let ready = UncheckedConfig::load(&root.join(&file), &[]).expect("loads");
            let mut expected = with_activation(activation);
            expected.optimizer.lr = lr;
            assert_eq!(ready, expected, "{file}");
        }
    }
}
