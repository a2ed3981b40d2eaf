//! Verdicts as seed-paired differences: cell A's final measure minus cell B's, seed by seed (the
//! same seed draws the same data order and the same initial weights' random numbers), with a
//! Student-t interval; and the same difference across the basin of the two cells' tuned rates,
//! so a reader sees whether it holds when each rate moves one grid step.

use serde::{Deserialize, Serialize};

use crate::toolkit::markdown::{Table, fmt_lr};
use crate::toolkit::stats::Estimate;
use crate::toolkit::tuner::{RateTrace, Tuning};

/// The seed-paired difference a − b over the seeds where both have a value (diverged runs have
/// none); None when no seed has both.
pub fn paired(a: &RateTrace, b: &RateTrace) -> Option<Estimate> {
    let diffs: Vec<f64> = a.seeds.iter().zip(&b.seeds).filter_map(|(x, y)| Some(x.value()? - y.value()?)).collect();
    (!diffs.is_empty()).then(|| Estimate::of(&diffs))
}

/// A verdict "A − B" at the tuned rates, and with both rates one grid step down or up.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Verdict {
    pub a: String,
    pub b: String,
    /// At both cells' chosen rates.
    pub chosen: Option<Estimate>,
    /// Both at their lower neighbours, and both at their upper neighbours.
    pub lower: Option<Estimate>,
    pub upper: Option<Estimate>,
    /// Smallest and largest mean difference over the nine pairs of rates (each cell at its
    /// lower neighbour, chosen rate or upper neighbour) run from every seed.
    pub range: Option<(f64, f64)>,
    /// Whether all of those nine means have the sign of the difference at the chosen rates.
    pub holds_across_basin: bool,
}

impl Verdict {
    pub fn of(a: (&str, &Tuning), b: (&str, &Tuning)) -> Self {
        let (ba, bb) = (a.1.basin(), b.1.basin());
        let at = |i: usize| Some(paired(ba[i]?, bb[i]?)).flatten();
        let means: Vec<f64> = ba.iter().flat_map(|x| bb.iter().filter_map(move |y| Some(paired((*x)?, (*y)?)?.mean))).collect();
        let chosen = at(1);
        let range =
            (!means.is_empty()).then(|| means.iter().fold((f64::INFINITY, f64::NEG_INFINITY), |(lo, hi), m| (lo.min(*m), hi.max(*m))));
        let holds_across_basin = chosen.as_ref().is_some_and(|c| means.len() == 9 && means.iter().all(|m| m.signum() == c.mean.signum()));
        Self { a: a.0.into(), b: b.0.into(), chosen, lower: at(0), upper: at(2), range, holds_across_basin }
    }

    /// "−0.034 [−0.051, −0.017] (n=3)", or why there is none.
    fn fmt(e: &Option<Estimate>) -> String {
        match e {
            None => "–".into(),
            Some(e) => match e.ci95 {
                Some((lo, hi)) => format!("{:+.3} [{lo:+.3}, {hi:+.3}] (n={})", e.mean, e.n),
                None => format!("{:+.3} (n={}; no interval)", e.mean, e.n),
            },
        }
    }

    /// The verdict's cells of a Markdown table row: at the chosen rates, both a step down, both
    /// a step up, the range over the basin and whether it holds.
    pub fn cells(&self) -> Vec<String> {
        vec![
            Self::fmt(&self.chosen),
            Self::fmt(&self.lower),
            Self::fmt(&self.upper),
            self.range.map_or("–".into(), |(lo, hi)| format!("{lo:+.3} to {hi:+.3}")),
            if self.holds_across_basin { "yes" } else { "no" }.into(),
        ]
    }

    pub const HEADER: [&'static str; 5] =
        ["at the chosen rates", "both a step lower", "both a step higher", "range over the 3×3 rates", "same sign throughout"];
}

/// The verdicts as a Markdown table, one row per "A − B" (the measure named in the first header).
pub fn table(verdicts: &[Verdict], measure: &str) -> String {
    let first = format!("A − B ({measure})");
    let mut header = vec![first.as_str()];
    header.extend(Verdict::HEADER);
    let mut t = Table::new(&header);
    for v in verdicts {
        let mut cells = vec![format!("{} − {}", v.a, v.b)];
        cells.extend(v.cells());
        t.push(cells);
    }
    t.render()
}

/// "3e-3 < **1e-2** < 3e-2": a cell's chosen rate between its neighbours.
pub fn fmt_basin(t: &Tuning) -> String {
    format!("{} < **{}** < {}", fmt_lr(t.lower), fmt_lr(t.lr), fmt_lr(t.upper))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::toolkit::tuner::{Score, TunerPlan};

    fn trace(lr: f64, seeds: &[f64]) -> RateTrace {
        RateTrace { lr, rungs: Vec::new(), seeds: seeds.iter().map(|v| Score::Value(*v)).collect(), extension: false }
    }

    fn tuning(lr: f64, lower: &[f64], chosen: &[f64], upper: &[f64]) -> Tuning {
        let plan = TunerPlan { start: lr, steps: 1, rungs: vec![1.0], seeds: 3, max_extensions: 0 };
        Tuning {
            plan,
            lr,
            best_by_mean: lr,
            lower: lr / 3.0,
            upper: lr * 3.0,
            rates: vec![trace(lr / 3.0, lower), trace(lr, chosen), trace(lr * 3.0, upper)],
            at_edge: false,
            decisions: Vec::new(),
        }
    }

    #[test]
    fn paired_differences_across_the_basin() {
        let a = tuning(1e-2, &[0.30, 0.31, 0.32], &[0.20, 0.22, 0.21], &[0.25, 0.26, 0.24]);
        let b = tuning(3e-2, &[0.50, 0.52, 0.51], &[0.40, 0.41, 0.42], &[0.45, 0.44, 0.46]);
        let v = Verdict::of(("a", &a), ("b", &b));
        let chosen = v.chosen.clone().expect("paired");
        assert!((chosen.mean - (-0.20)).abs() < 1e-12 && chosen.n == 3, "{chosen:?}");
        assert!((v.lower.clone().expect("lower").mean - (-0.20)).abs() < 1e-12);
        assert!(v.holds_across_basin);
        let (lo, hi) = v.range.expect("range");
        assert!((lo - (0.21 - 0.51)).abs() < 1e-9 && (hi - (0.31 - 0.41)).abs() < 1e-9, "{lo} {hi}");
        // B's lower neighbour is much better than A's chosen rate: the verdict flips there.
        let b2 = tuning(3e-2, &[0.10, 0.11, 0.12], &[0.40, 0.41, 0.42], &[0.45, 0.44, 0.46]);
        assert!(!Verdict::of(("a", &a), ("b", &b2)).holds_across_basin);
        // A diverged seed drops out of the pairs.
        let mut a3 = a.clone();
        a3.rates[1].seeds[0] = Score::Diverged;
        assert_eq!(Verdict::of(("a", &a3), ("b", &b)).chosen.expect("two pairs").n, 2);
    }
}
