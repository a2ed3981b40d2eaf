//! The `[optimizer]` and `[schedule]` sections: SGD with momentum and cuda-convnet-style weight
//! decay (an L2 term added to the gradient), or Adam; and how the learning rate changes.

use burn::optim::decay::WeightDecayConfig;
use burn::optim::momentum::MomentumConfig;
use burn::optim::{AdamConfig, ModuleOptimizer, SgdConfig};
use serde::{Deserialize, Serialize};

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum OptimizerKind {
    Sgd,
    Adam,
}

fn default_momentum() -> f64 {
    0.9
}
fn default_beta2() -> f64 {
    0.999
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct OptimizerConfig {
    pub kind: OptimizerKind,
    /// Learning rate applied to the batch-mean gradient.
    pub lr: f64,
    /// SGD momentum (v ← m·v + g; w ← w − lr·v), or Adam's β1.
    #[serde(default = "default_momentum")]
    pub momentum: f64,
    /// Adam's β2.
    #[serde(default = "default_beta2")]
    pub beta2: f64,
    /// L2 penalty added to the gradient (cuda-convnet's `wc`). 0: none.
    #[serde(default)]
    pub weight_decay: f64,
}

impl OptimizerConfig {
    pub fn init(&self) -> ModuleOptimizer {
        let decay = (self.weight_decay > 0.0).then(|| WeightDecayConfig::new(self.weight_decay as f32));
        match self.kind {
            OptimizerKind::Sgd => {
                // Dampening 0 makes Burn's momentum the classic heavy-ball update cuda-convnet used.
                let momentum = (self.momentum > 0.0).then(|| MomentumConfig::new().with_momentum(self.momentum).with_dampening(0.0));
                SgdConfig::new().with_momentum(momentum).with_weight_decay(decay).init()
            }
            OptimizerKind::Adam => {
                AdamConfig::new().with_beta_1(self.momentum as f32).with_beta_2(self.beta2 as f32).with_weight_decay(decay).init()
            }
        }
    }

    pub fn check(&self) -> Result<(), String> {
        if !(self.lr.is_finite() && self.lr > 0.0) {
            return Err(format!("optimizer.lr: {} must be a positive number", self.lr));
        }
        if !(0.0..1.0).contains(&self.momentum) {
            return Err(format!("optimizer.momentum: {} is outside [0, 1)", self.momentum));
        }
        if !(0.0..1.0).contains(&self.beta2) {
            return Err(format!("optimizer.beta2: {} is outside [0, 1)", self.beta2));
        }
        if !(self.weight_decay.is_finite() && self.weight_decay >= 0.0) {
            return Err(format!("optimizer.weight_decay: {} must be ≥ 0", self.weight_decay));
        }
        Ok(())
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(rename_all = "lowercase")]
pub enum ScheduleKind {
    #[default]
    Constant,
    /// Multiply by `gamma` every `step_epochs` epochs.
    Step,
    /// Cosine decay from lr to 0 over `stop.max_epochs`.
    Cosine,
}

fn default_step_epochs() -> f64 {
    10.0
}
fn default_gamma() -> f64 {
    0.1
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ScheduleConfig {
    #[serde(default)]
    pub kind: ScheduleKind,
    #[serde(default = "default_step_epochs")]
    pub step_epochs: f64,
    #[serde(default = "default_gamma")]
    pub gamma: f64,
}

impl Default for ScheduleConfig {
    fn default() -> Self {
        Self { kind: ScheduleKind::Constant, step_epochs: default_step_epochs(), gamma: default_gamma() }
    }
}

impl ScheduleConfig {
    /// The learning rate at fractional `epoch` of a run capped at `max_epochs`.
    pub fn lr(&self, base: f64, epoch: f64, max_epochs: f64) -> f64 {
        match self.kind {
            ScheduleKind::Constant => base,
            ScheduleKind::Step => base * self.gamma.powi((epoch / self.step_epochs).floor() as i32),
            ScheduleKind::Cosine => {
                let t = (epoch / max_epochs).clamp(0.0, 1.0);
                base * 0.5 * (1.0 + (std::f64::consts::PI * t).cos())
            }
        }
    }

    pub fn check(&self) -> Result<(), String> {
        if !(self.step_epochs.is_finite() && self.step_epochs > 0.0) {
            return Err(format!("schedule.step_epochs: {} must be positive", self.step_epochs));
        }
        if !(self.gamma.is_finite() && self.gamma > 0.0 && self.gamma <= 1.0) {
            return Err(format!("schedule.gamma: {} is outside (0, 1]", self.gamma));
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn schedules() {
        let step = ScheduleConfig { kind: ScheduleKind::Step, step_epochs: 2.0, gamma: 0.5 };
        assert_eq!(step.lr(1.0, 1.9, 10.0), 1.0);
        assert_eq!(step.lr(1.0, 4.0, 10.0), 0.25);
        let cosine = ScheduleConfig { kind: ScheduleKind::Cosine, ..Default::default() };
        assert!((cosine.lr(2.0, 5.0, 10.0) - 1.0).abs() < 1e-12);
        assert_eq!(ScheduleConfig::default().lr(0.3, 7.0, 10.0), 0.3);
    }
}
