//! One training step as a unit, as burn-train's `TrainStep`: forward and loss, backward, and the
//! optimizer update. The training loop, `actlab bench` and the backend parity test all run it,
//! so what is timed and compared is what trains.

use actlab_datasets::Batch;
use actlab_models::Model;
use burn::nn::loss::{CrossEntropyLoss, CrossEntropyLossConfig};
use burn::optim::{GradientsParams, ModuleOptimizer};
use burn::tensor::{Device, Int, Tensor};

use crate::evaluate::count_wrong;

/// Cross-entropy training of a [`Model`] on batches.
pub struct TrainStep {
    loss: CrossEntropyLoss,
}

/// The forward half of a step: the batch's mean loss, still attached to the graph.
pub struct Forward {
    pub loss: Tensor<1>,
    logits: Tensor<2>,
    targets: Tensor<1, Int>,
}

/// What a completed step measured on its batch.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct StepOutcome {
    pub loss: f64,
    pub wrong: i64,
}

/// A step either updates the model or finds a NaN or infinite loss and leaves it as it was.
pub enum Stepped {
    Updated(Model, StepOutcome),
    Diverged(Model, f64),
}

impl TrainStep {
    pub fn new(device: &Device) -> Self {
        Self { loss: CrossEntropyLossConfig::new().init(device) }
    }

    pub fn forward(&self, model: &Model, batch: Batch) -> Forward {
        let logits = model.forward(batch.images);
        let loss = self.loss.forward(logits.clone(), batch.targets.clone());
        Forward { loss, logits, targets: batch.targets }
    }

    /// A whole step: forward, loss, and (unless the loss is not finite) backward and update.
    pub fn run(&self, model: Model, optimizer: &mut ModuleOptimizer, lr: f64, batch: Batch) -> Stepped {
        let forward = self.forward(&model, batch);
        let loss = forward.loss_value();
        if !loss.is_finite() {
            return Stepped::Diverged(model, loss);
        }
        let wrong = forward.wrong();
        let grads = forward.gradients(&model);
        Stepped::Updated(optimizer.step(lr, model, grads), StepOutcome { loss, wrong })
    }
}

impl Forward {
    /// The loss as a number (this waits for the device).
    pub fn loss_value(&self) -> f64 {
        self.loss.clone().into_scalar::<f32>() as f64
    }

    /// Misclassified images in the batch.
    pub fn wrong(&self) -> i64 {
        count_wrong(self.logits.clone().detach(), self.targets.clone())
    }

    /// The backward pass: the gradient of every parameter of `model`.
    pub fn gradients(self, model: &Model) -> GradientsParams {
        GradientsParams::from_grads(self.loss.backward(), model)
    }
}
