//! When a run ends: its iteration budget, its wall-clock limit, or the target training error.

use crate::config::RunConfig;
use crate::metrics::MetricsRow;
use crate::summary::StopReason;

/// Share of an epoch the running training error must cover before it can meet the target: on
/// CIFAR-10 one 10,000-image batch file, the unit cuda-convnet reported. Just after an epoch
/// boundary the running error would be the error of a handful of batches.
pub const MIN_TARGET_COVERAGE: f64 = 0.2;

/// The stop conditions of one run, for a training set of a given size.
#[derive(Clone, Debug, PartialEq)]
pub struct StopRule {
    pub max_iterations: u64,
    pub max_seconds: Option<f64>,
    pub target: Option<f64>,
    train_images: usize,
}

/// Iterations in `max_epochs` (rounded up) of `train_images` images in batches of `batch_size`.
pub fn max_iterations(max_epochs: f64, train_images: usize, batch_size: usize) -> u64 {
    let batch = batch_size.min(train_images).max(1);
    (max_epochs * train_images.div_ceil(batch) as f64).ceil() as u64
}

impl StopRule {
    pub fn new(config: &RunConfig, train_images: usize) -> Self {
        Self {
            max_iterations: max_iterations(config.stop.max_epochs, train_images, config.training.batch_size),
            max_seconds: config.stop.max_seconds,
            target: config.stop.target_train_error,
            train_images,
        }
    }

    /// `MaxTime` once `elapsed_s` has used the time limit.
    pub fn out_of_time(&self, elapsed_s: f64) -> Option<StopReason> {
        self.max_seconds.filter(|limit| elapsed_s >= *limit).map(|_| StopReason::MaxTime)
    }

    /// Whether a running `train_error` over `epoch_seen` images of the epoch meets the target:
    /// at or under it, and covering at least [`MIN_TARGET_COVERAGE`] of the epoch (or its end).
    pub fn target_met(&self, train_error: f64, epoch_seen: u64, epoch_end: bool) -> bool {
        let covered = epoch_end || epoch_seen as f64 >= MIN_TARGET_COVERAGE * self.train_images as f64;
        self.target.is_some_and(|target| covered && train_error <= target)
    }
}

/// The first row of a run's metrics at which the loop's rule would count `target` as met: a
/// running error at or under it that covers at least [`MIN_TARGET_COVERAGE`] of its epoch (or
/// ends the epoch). For runs trained without a target, read off afterwards.
pub fn first_hit(rows: &[MetricsRow], target: f64) -> Option<&MetricsRow> {
    let covered = |epoch: f64| epoch.fract() == 0.0 || epoch.fract() >= MIN_TARGET_COVERAGE;
    rows.iter().find(|r| r.train_error <= target && covered(r.epoch))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rule(target: Option<f64>, max_seconds: Option<f64>) -> StopRule {
        StopRule { max_iterations: 10, max_seconds, target, train_images: 1000 }
    }

    #[test]
    fn iterations_round_up_to_whole_batches() {
        // 100 images in batches of 32: 4 batches an epoch (the last of 4 images).
        assert_eq!(max_iterations(1.0, 100, 32), 4);
        assert_eq!(max_iterations(0.9, 100, 32), 4);
        assert_eq!(max_iterations(0.5, 512, 32), 8);
        // A batch larger than the set is one batch an epoch.
        assert_eq!(max_iterations(3.0, 10, 128), 3);
    }

    #[test]
    fn the_target_counts_only_once_a_fifth_of_the_epoch_is_covered() {
        let r = rule(Some(0.25), None);
        assert!(!r.target_met(0.10, 199, false), "under a fifth of the epoch");
        assert!(r.target_met(0.25, 200, false), "exactly a fifth, at the target");
        assert!(!r.target_met(0.2501, 900, false), "above the target");
        assert!(r.target_met(0.2, 5, true), "an epoch end always counts");
        assert!(!rule(None, None).target_met(0.0, 1000, true), "no target, never met");
    }

    #[test]
    fn a_hit_read_off_the_metrics_follows_the_same_rule() {
        let row = |epoch: f64, train_error: f64| MetricsRow {
            epoch,
            iteration: 0,
            train_loss: 0.0,
            train_error,
            test_error: None,
            lr: 0.0,
            images_per_sec: 0.0,
            elapsed_s: 0.0,
        };
        let rows = [row(0.1, 0.1), row(1.0, 0.6), row(1.1, 0.2), row(1.3, 0.45), row(2.0, 0.4)];
        assert_eq!(first_hit(&rows, 0.5).map(|r| r.epoch), Some(1.3), "1.1 covers a tenth of its epoch");
        assert_eq!(first_hit(&rows, 0.6).map(|r| r.epoch), Some(1.0), "an epoch end counts");
        assert_eq!(first_hit(&rows, 0.05), None);
    }

    #[test]
    fn time_runs_out_at_the_limit() {
        let r = rule(None, Some(60.0));
        assert_eq!(r.out_of_time(59.9), None);
        assert_eq!(r.out_of_time(60.0), Some(StopReason::MaxTime));
        assert_eq!(rule(None, None).out_of_time(1e9), None);
    }
}
