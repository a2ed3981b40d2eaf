//! Where the training loop stands: the position in the data and the running figures of the
//! current epoch. It is what a checkpoint saves, so a resumed run carries on exactly.

use serde::{Deserialize, Serialize};

use crate::metrics::MetricsRow;
use crate::step::StepOutcome;
use crate::summary::TargetHit;

#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct LoopState {
    pub iteration: u64,
    pub epoch: u64,
    pub batch_in_epoch: u64,
    pub epoch_seen: u64,
    pub epoch_wrong: u64,
    pub epoch_loss_sum: f64,
    pub epoch_batches: u64,
    pub elapsed_s: f64,
    pub last_test_error: Option<f64>,
    /// When the target was first reached (absent in checkpoints written before it was kept here).
    #[serde(default)]
    pub target_hit: Option<TargetHit>,
    pub model_file: String,
    pub optimizer_file: String,
}

impl LoopState {
    /// The start of a run.
    pub fn new() -> Self {
        Self::default()
    }

    /// Counts a finished step of `images` images.
    pub fn record(&mut self, images: usize, outcome: StepOutcome) {
        self.iteration += 1;
        self.batch_in_epoch += 1;
        self.epoch_seen += images as u64;
        self.epoch_wrong += outcome.wrong as u64;
        self.epoch_loss_sum += outcome.loss;
        self.epoch_batches += 1;
    }

    /// Moves to the first batch of the next epoch, clearing the running figures.
    pub fn start_next_epoch(&mut self) {
        self.epoch += 1;
        self.batch_in_epoch = 0;
        self.epoch_seen = 0;
        self.epoch_wrong = 0;
        self.epoch_loss_sum = 0.0;
        self.epoch_batches = 0;
    }

    /// Fractional epochs for a training set of `n` images.
    pub fn epochs(&self, n: usize) -> f64 {
        self.epoch as f64 + self.epoch_seen as f64 / n as f64
    }

    /// The metrics row for where the loop stands: running loss and error over the current epoch.
    pub fn row(&self, n: usize, test_error: Option<f64>, lr: f64, images_per_sec: f64, elapsed_s: f64) -> MetricsRow {
        MetricsRow {
            epoch: self.epochs(n),
            iteration: self.iteration,
            train_loss: self.epoch_loss_sum / self.epoch_batches as f64,
            train_error: self.epoch_wrong as f64 / self.epoch_seen as f64,
            test_error,
            lr,
            images_per_sec,
            elapsed_s,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_epoch_counts_then_resets() {
        let mut state = LoopState::new();
        state.record(32, StepOutcome { loss: 2.0, wrong: 16 });
        state.record(16, StepOutcome { loss: 1.0, wrong: 8 });
        let row = state.row(96, None, 0.1, 0.0, 0.0);
        assert_eq!((row.iteration, row.epoch), (2, 0.5));
        assert_eq!((row.train_loss, row.train_error), (1.5, 0.5));
        state.start_next_epoch();
        assert_eq!((state.epoch, state.batch_in_epoch, state.epoch_seen, state.epoch_batches), (1, 0, 0, 0));
        assert_eq!(state.iteration, 2);
    }
}
