//! Figure 1's learning-rate search on a log grid: the grid's rates in increasing order, then,
//! while the best rate found sits at an edge of those tried, one more past that edge. (Figure 1
//! then races its finalists to the target; the studies use `tuner`.)

/// How many rates beyond the grid a search may try when the best one is at an edge.
pub const MAX_EXTENSIONS: usize = 3;

/// Which rate to try next: the grid in increasing order, then (while the best rate is at an edge
/// of those tried) one more past that edge by the grid's own spacing, at most MAX_EXTENSIONS times.
#[derive(Debug)]
pub struct RateGrid {
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

    /// Whether rates of the grid itself (not extensions) are still to come.
    pub fn grid_left(&self) -> bool {
        !self.queue.is_empty()
    }

    pub fn any_finite(&self) -> bool {
        self.best.is_some()
    }

    /// The rate with the lowest error so far, and that error.
    pub fn best(&self) -> Option<(f64, f64)> {
        self.best
    }
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
