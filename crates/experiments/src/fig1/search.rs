//! Phase 1: short trials on a log grid of learning rates, extended past an edge while the best
//! rate sits there.

use actlab_models::Activation;
use actlab_train::StopReason;

use crate::ExperimentError;
use crate::fig1::plan::MAX_EXTENSIONS;
use crate::fig1::records::Trial;
use crate::fig1::{Experiment, lr_name};
use crate::toolkit::markdown::fmt_lr;
use crate::toolkit::runner::{RunSpec, progress_note};

/// The trials of one activation; `complete` is false when one was not finished (`--report-only`).
pub(super) struct Search {
    pub trials: Vec<Trial>,
    pub complete: bool,
}

/// Which rate to try next: the grid in increasing order, then (while the best rate is at an edge
/// of those tried) one more past that edge by the grid's own spacing, at most MAX_EXTENSIONS times.
#[derive(Debug)]
pub(super) struct RateGrid {
    queue: std::collections::VecDeque<f64>,
    grid_len: usize,
    spacing: f64,
    tried: Vec<f64>,
    extensions: usize,
    best: Option<(f64, f64)>,
}

impl RateGrid {
    pub fn new(grid: &[f64]) -> Self {
        let mut sorted = grid.to_vec();
        sorted.sort_by(f64::total_cmp);
        let n = sorted.len();
        let spacing = if n >= 2 { (sorted[n - 1] / sorted[n - 2]).max(1.5) } else { 2.0 };
        Self { queue: sorted.into(), grid_len: n, spacing, tried: Vec::new(), extensions: 0, best: None }
    }

    pub fn next_rate(&mut self) -> Option<f64> {
        let lr = match self.queue.pop_front() {
            Some(lr) => lr,
            None => {
                let (lo, hi) = self.tried.iter().fold((f64::INFINITY, 0f64), |(lo, hi), &lr| (lo.min(lr), hi.max(lr)));
                match self.best {
                    Some((b, _)) if self.extensions < MAX_EXTENSIONS && b == hi => hi * self.spacing,
                    Some((b, _)) if self.extensions < MAX_EXTENSIONS && b == lo && self.tried.len() > 1 => lo / self.spacing,
                    _ => return None,
                }
            }
        };
        if self.tried.len() >= self.grid_len {
            self.extensions += 1;
        }
        self.tried.push(lr);
        Some(lr)
    }

    /// The trial of `lr` ended with `error` (None: diverged).
    pub fn record(&mut self, lr: f64, error: Option<f64>) {
        if let Some(e) = error
            && self.best.is_none_or(|(_, b)| e < b)
        {
            self.best = Some((lr, e));
        }
    }

    pub fn any_finite(&self) -> bool {
        self.best.is_some()
    }
}

pub(super) fn search(x: &mut Experiment, activation: Activation) -> Result<Search, ExperimentError> {
    let mut grid = RateGrid::new(&x.plan.lr_grid);
    let mut trials = Vec::new();
    while let Some(lr) = grid.next_rate() {
        let folder = x.options.out.join("search").join(activation.name()).join(lr_name(lr));
        let mut config = x.base.clone();
        config.model.activation = activation;
        config.optimizer.lr = lr;
        config.stop.max_epochs = x.plan.trial_epochs;
        config.stop.target_train_error = None;
        let label = format!("search {activation} lr {}", fmt_lr(lr));
        let Some(summary) = x.runner.run(RunSpec { folder: folder.clone(), config, label })? else {
            let note = progress_note(&folder);
            x.pending.push(format!("{activation}: learning-rate trial {} not finished{note}, so no rate is chosen yet", fmt_lr(lr)));
            return Ok(Search { trials, complete: false });
        };
        let diverged = matches!(summary.stop, Some(StopReason::Diverged { .. }));
        let error = if diverged { None } else { summary.final_train_error };
        grid.record(lr, error);
        let (folder, commit) = (folder.display().to_string(), summary.versions.commit);
        trials.push(Trial { activation, lr, train_error: error, diverged, folder, commit });
    }
    if !grid.any_finite() {
        return Err(ExperimentError::AllDiverged { activation });
    }
    Ok(Search { trials, complete: true })
}

#[cfg(test)]
mod tests {
    use super::RateGrid;

    fn tried(grid: &[f64], score: impl Fn(f64) -> Option<f64>) -> Vec<f64> {
        let mut g = RateGrid::new(grid);
        let mut out = Vec::new();
        while let Some(lr) = g.next_rate() {
            g.record(lr, score(lr));
            out.push(lr);
        }
        out
    }

    #[test]
    fn the_grid_extends_past_the_edge_where_the_best_rate_sits() {
        // Best in the middle: the grid alone, in increasing order.
        assert_eq!(tried(&[3e-3, 1e-3, 1e-2], |lr| Some((lr - 3e-3f64).abs())), vec![1e-3, 3e-3, 1e-2]);
        // Larger is always better: three extensions upward by the grid's top spacing (×2).
        let up = tried(&[1.0, 2.0], |lr| Some(1.0 / lr));
        assert_eq!(up, vec![1.0, 2.0, 4.0, 8.0, 16.0]);
        // Smaller is better: extensions downward.
        let down = tried(&[1.0, 2.0], Some);
        assert_eq!(down, vec![1.0, 2.0, 0.5, 0.25, 0.125]);
        // Everything diverges: the grid only.
        assert_eq!(tried(&[1.0, 2.0], |_| None), vec![1.0, 2.0]);
    }
}
