//! The learning-rate tuner every study uses: successive halving on a log grid, judged by the
//! study's own final measure at the study's own budget (lower is better).
//!
//! - The grid: rates 1, 3, 10, 30, … × 10^k (half-decade steps, ×3 then ×3.33), `steps` points on
//!   each side of a start rate (2: two decades).
//! - The rungs: budgets in whole epochs, about a quarter, a half and all of the study's budget.
//!   Every rate runs (from seed 1) to the first rung; at each rung the worse half stops and the
//!   rest, always with the best rate's two neighbours, resume from their run folders to the next.
//!   A rung's measure is read at exactly that budget, so it is the same run stopped early.
//! - Interior: at the full budget, while the best rate lacks a measured neighbour on either side,
//!   that neighbour is run to it (past the grid's edge: an extension, at most `max_extensions`).
//!   A diverged run counts as worse than any measured one; when every rate of a rung diverged,
//!   a lower one is tried.
//! - The last rung is the full budget. There the best rate and its two neighbours run from every
//!   seed, and the choice is made on the seed means, again with a measured neighbour on each side.
//! - Ties: a neighbour of the best whose mean seed-paired difference from it is at most the
//!   standard deviation of those differences is within the seed noise; of the two, the tuner
//!   picks the one whose own two neighbours have the lower mean, and says so.
//!
//! The tuner decides; `measure` runs. Everything it asks is a resumable run, so calling `tune`
//! again from scratch replays the same decisions from the run folders and continues where it
//! stopped; a run not finished (`--report-only`, `--plan`) makes it return `Tuned::Pending`, after
//! listing every run of the same rung (so a `--plan` wave holds them all).

use actlab_models::Activation;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

use crate::toolkit::markdown::fmt_lr;
use crate::toolkit::stats::{Estimate, mean};

/// How far past the starting grid the tuner may go, in grid steps, looking for an interior best.
pub const MAX_EXTENSIONS: usize = 4;

/// What one run measured at a budget.
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Score {
    /// The study's final measure (lower is better).
    Value(f64),
    /// The loss went NaN or infinite: worse than any value.
    Diverged,
}

impl Score {
    /// For ranking: a diverged run is infinitely bad.
    pub fn rank(self) -> f64 {
        match self {
            Self::Value(v) if v.is_finite() => v,
            _ => f64::INFINITY,
        }
    }

    pub fn value(self) -> Option<f64> {
        match self {
            Self::Value(v) => Some(v),
            Self::Diverged => None,
        }
    }
}

/// What `measure` answers for one run at one budget: its score, or that it has not finished.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Measured {
    Done(Score),
    Pending,
}

/// The tuner's settings for one cell, checked by [`TunerPlan::check`].
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct TunerPlan {
    /// The centre of the starting grid: a point of the 1–3 grid (1e-2, 3e-3, …).
    pub start: f64,
    /// Grid points on each side of the start (2: five rates over two decades).
    pub steps: usize,
    /// Budgets of the rungs, increasing; the last is the study's full budget.
    pub rungs: Vec<f64>,
    /// Seeds run at the full budget for the best rate and its neighbours.
    pub seeds: usize,
    pub max_extensions: usize,
}

/// The rungs for a budget of `epochs`: about a quarter, a half and all of it, in whole epochs.
pub fn halving_rungs(epochs: usize) -> Vec<f64> {
    let mut rungs: Vec<f64> = [4, 2, 1].iter().map(|d| epochs.div_ceil(*d).max(1) as f64).collect();
    rungs.dedup();
    rungs
}

/// The index of `lr` on the 1–3 grid (1e-2 is -4, 3e-2 is -3), if it is a point of it.
pub fn grid_index(lr: f64) -> Option<i32> {
    if !(lr.is_finite() && lr > 0.0) {
        return None;
    }
    let i = (2.0 * lr.log10()).round() as i32;
    ((grid_rate(i) - lr).abs() <= 1e-9 * lr).then_some(i)
}

/// The rate at grid index `i`: 10^⌊i/2⌋, times 3 for odd `i`.
pub fn grid_rate(i: i32) -> f64 {
    let base = 10f64.powi(i.div_euclid(2));
    if i.rem_euclid(2) == 1 { 3.0 * base } else { base }
}

impl TunerPlan {
    pub fn check(&self) -> Result<(), String> {
        if grid_index(self.start).is_none() {
            return Err(format!("learning-rate start {}: must be 1 or 3 times a power of ten (1e-2, 3e-3, …)", self.start));
        }
        if self.steps == 0 {
            return Err("the learning-rate grid needs at least one step on each side of its start".into());
        }
        if self.seeds == 0 {
            return Err("the tuner needs at least one seed".into());
        }
        if self.rungs.is_empty() || self.rungs.iter().any(|b| !(b.is_finite() && *b > 0.0)) || self.rungs.windows(2).any(|w| w[0] >= w[1]) {
            return Err(format!("the tuner's rungs {:?} must be positive and increasing", self.rungs));
        }
        Ok(())
    }

    /// The starting grid, lowest rate first.
    pub fn grid(&self) -> Vec<f64> {
        let c = grid_index(self.start).unwrap_or(-4);
        (c - self.steps as i32..=c + self.steps as i32).map(grid_rate).collect()
    }

    fn full(&self) -> f64 {
        self.rungs.last().copied().unwrap_or(1.0)
    }
}

/// A study's tuning rule: the same for every cell but the start, which depends on the activation.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct TuningRule {
    /// Grid points on each side of the start.
    pub steps: usize,
    /// One start for every cell (`--lr-start`), instead of the activation's own.
    pub start: Option<f64>,
    pub rungs: Vec<f64>,
    pub seeds: usize,
    /// How many grid steps past the starting grid the tuner may go (reports written before this
    /// was a field used [`MAX_EXTENSIONS`]).
    #[serde(default = "default_max_extensions")]
    pub max_extensions: usize,
}

fn default_max_extensions() -> usize {
    MAX_EXTENSIONS
}

/// Where the grid of an activation starts. Sigmoid's slope is at most 1/4 (tanh's and ReLU's
/// are 1), so its gradients are smaller and its good rates larger: its grid starts a decade up.
/// The start only centres the grid; extensions move past it when the best sits at an edge.
pub fn start_rate(activation: Activation) -> f64 {
    match activation {
        Activation::Sigmoid => 1e-1,
        _ => 1e-2,
    }
}

impl TuningRule {
    /// The rule for a study of `epochs` per run and `seeds` seeds: five rates over two decades,
    /// or three over one with `quick`.
    pub fn new(epochs: usize, seeds: usize, quick: bool, start: Option<f64>) -> Self {
        Self { steps: if quick { 1 } else { 2 }, start, rungs: halving_rungs(epochs), seeds, max_extensions: MAX_EXTENSIONS }
    }

    /// The same rule, allowed `n` extensions past the starting grid instead of [`MAX_EXTENSIONS`]
    /// (for a study whose factors move the best rate by more than two decades).
    pub fn with_max_extensions(self, n: usize) -> Self {
        Self { max_extensions: n, ..self }
    }

    /// The tuner's plan for a cell with `activation`.
    pub fn plan(&self, activation: Activation) -> TunerPlan {
        TunerPlan {
            start: self.start.unwrap_or_else(|| start_rate(activation)),
            steps: self.steps,
            rungs: self.rungs.clone(),
            seeds: self.seeds,
            max_extensions: self.max_extensions,
        }
    }

    pub fn check(&self) -> Result<(), String> {
        self.plan(Activation::Relu).check()
    }

    /// The rule in words, for the reports' protocol paragraphs.
    pub fn describe(&self, measure: &str) -> String {
        let start = match self.start {
            Some(lr) => format!("{} for every cell", fmt_lr(lr)),
            None => format!("{} for sigmoid, {} for the others", fmt_lr(start_rate(Activation::Sigmoid)), fmt_lr(1e-2)),
        };
        let rungs: Vec<String> = self.rungs.iter().map(|r| format!("{r}")).collect();
        format!(
            "each cell's learning rate is tuned by successive halving on {} rates of the 1–3 log grid (half-decade steps) around a start ({start}), judged by {measure}: every rate runs from seed 1 to the first rung, and at each rung ({} epochs) the worse half stops while the rest (always with the best rate's two neighbours) resume; at the full budget the best rate and its two neighbours run from all {} seed(s) and the lowest seed mean is chosen. While the best sits at an edge of the rates tried, the grid is extended past it (at most {} times), so every chosen rate has a worse neighbour on both sides; a diverged run counts as worse. A neighbour within the seed noise of the best (its mean seed-paired difference no larger than the differences' standard deviation) is chosen instead when its own neighbours are better on average",
            2 * self.steps + 1,
            rungs.join(", "),
            self.seeds,
            self.max_extensions
        )
    }
}

/// One rate as the tuner saw it.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct RateTrace {
    pub lr: f64,
    /// Seed 1's score at each rung it reached (the rest it was stopped before).
    pub rungs: Vec<Score>,
    /// Every seed's score at the full budget (seed 1 first), for the best rate and its neighbours;
    /// empty for the others.
    pub seeds: Vec<Score>,
    /// Past the starting grid.
    pub extension: bool,
}

impl RateTrace {
    /// The mean over seeds at the full budget (infinite if any seed diverged), if run from every seed.
    pub fn seed_mean(&self) -> Option<f64> {
        (!self.seeds.is_empty()).then(|| mean(&self.seeds.iter().map(|s| s.rank()).collect::<Vec<_>>()))
    }
}

/// What the tuner decided for a cell, and why.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Tuning {
    pub plan: TunerPlan,
    /// The chosen rate.
    pub lr: f64,
    /// The lowest seed mean at the full budget (differs from `lr` only by the tie rule).
    pub best_by_mean: f64,
    /// The chosen rate's neighbours on the grid (both run from every seed, unless `at_edge`).
    pub lower: f64,
    pub upper: f64,
    /// Every rate tried, lowest first.
    pub rates: Vec<RateTrace>,
    /// True only when `max_extensions` ran out with the best still at an edge: then no interior
    /// best was found, and the report says so.
    pub at_edge: bool,
    /// Each decision in words: who stopped at which rung, extensions, the tie rule.
    pub decisions: Vec<String>,
}

impl Tuning {
    pub fn trace(&self, lr: f64) -> Option<&RateTrace> {
        self.rates.iter().find(|r| (r.lr - lr).abs() <= 1e-12 * lr)
    }

    /// Seed scores at the chosen rate and its neighbours: (lower, chosen, upper).
    pub fn basin(&self) -> [Option<&RateTrace>; 3] {
        [self.trace(self.lower), self.trace(self.lr), self.trace(self.upper)]
    }
}

/// The tuner's answer: a decision, or the run it is waiting for.
#[derive(Clone, Debug, PartialEq)]
pub enum Tuned {
    Done(Box<Tuning>),
    Pending(String),
}

/// Rates by grid index, each with its seed-1 scores by rung and its full-budget seed scores.
#[derive(Default)]
struct Record {
    rungs: BTreeMap<i32, Vec<Score>>,
    seeds: BTreeMap<i32, Vec<Score>>,
}

impl Record {
    fn at(&self, i: i32, rung: usize) -> Option<Score> {
        self.rungs.get(&i).and_then(|s| s.get(rung).copied())
    }

    /// The measured rate with the lowest score at `rung` (lowest index on ties), if any is finite.
    fn best_at(&self, rung: usize) -> Option<i32> {
        let measured = self.rungs.iter().filter_map(|(&i, s)| Some((i, s.get(rung)?.rank())));
        measured.filter(|(_, v)| v.is_finite()).min_by(|a, b| a.1.total_cmp(&b.1)).map(|(i, _)| i)
    }

    /// The lowest rate measured at `rung`.
    fn lowest_at(&self, rung: usize) -> i32 {
        self.rungs.iter().find(|(_, s)| s.len() > rung).map_or(0, |(&i, _)| i)
    }
}

/// Tunes one cell: `measure(lr, budget, seed)` runs (or reads) one run and says what it measured
/// at `budget`; `name` labels the pending message.
pub fn tune<E>(plan: &TunerPlan, name: &str, measure: impl FnMut(f64, f64, u64) -> Result<Measured, E>) -> Result<Tuned, E> {
    let mut tuner = Tuner { plan, name, measure, record: Record::default(), grid: Vec::new(), extensions: 0, decisions: Vec::new() };
    tuner.run()
}

struct Tuner<'a, F> {
    plan: &'a TunerPlan,
    name: &'a str,
    measure: F,
    record: Record,
    grid: Vec<i32>,
    extensions: usize,
    decisions: Vec<String>,
}

/// Stop here and report why (a run not finished).
type Step<E> = Result<Result<(), String>, E>;

impl<E, F: FnMut(f64, f64, u64) -> Result<Measured, E>> Tuner<'_, F> {
    fn run(&mut self) -> Result<Tuned, E> {
        let centre = grid_index(self.plan.start).unwrap_or(-4);
        self.grid = (centre - self.plan.steps as i32..=centre + self.plan.steps as i32).collect();
        let mut active = self.grid.clone();
        let last = self.plan.rungs.len() - 1;
        let mut rung = 0;
        loop {
            if let Err(why) = self.rung(&active, rung)? {
                return Ok(Tuned::Pending(why));
            }
            let at_edge = match self.make_interior(rung)? {
                Ok(edge) => edge,
                Err(why) => return Ok(Tuned::Pending(why)),
            };
            if rung == last {
                return self.finish(at_edge);
            }
            active = self.survivors(rung);
            rung += 1;
        }
    }

    fn lr(i: i32) -> f64 {
        grid_rate(i)
    }

    /// Seed 1 of every rate in `active` to `rung` (each one rung at a time, so every rung's score
    /// is read where the run stopped). All are asked before a pending one stops the tuner.
    fn rung(&mut self, active: &[i32], rung: usize) -> Step<E> {
        let mut waiting = None;
        for &i in active {
            if let Err(why) = self.reach(i, rung)? {
                waiting.get_or_insert(why);
            }
        }
        Ok(waiting.map_or(Ok(()), Err))
    }

    /// Seed 1 of rate `i` up to `rung`, through every rung before it that it has not reached.
    fn reach(&mut self, i: i32, rung: usize) -> Step<E> {
        let done = self.record.rungs.get(&i).map_or(0, Vec::len);
        for r in done..=rung {
            let budget = self.plan.rungs[r];
            match (self.measure)(Self::lr(i), budget, 1)? {
                Measured::Done(score) => self.record.rungs.entry(i).or_default().push(score),
                Measured::Pending => {
                    return Ok(Err(format!(
                        "{}: learning rate {} (seed 1) not finished to {budget} epochs",
                        self.name,
                        fmt_lr(Self::lr(i))
                    )));
                }
            }
        }
        Ok(Ok(()))
    }

    /// At the full budget, runs neighbours until the best rate has a measured rate on both sides;
    /// at any rung where everything diverged, a lower rate. Ok(true) when the extensions ran out
    /// first.
    fn make_interior(&mut self, rung: usize) -> Result<Result<bool, String>, E> {
        loop {
            let wanted: Vec<i32> = match self.record.best_at(rung) {
                // Before the full budget an edge best only says where short runs do well (often
                // at rates that plateau later): it is not chased there, only at the full budget.
                Some(_) if rung + 1 < self.plan.rungs.len() => Vec::new(),
                Some(b) => [b - 1, b + 1].into_iter().filter(|n| self.record.at(*n, rung).is_none()).collect(),
                None => vec![self.record.lowest_at(rung) - 1],
            };
            if wanted.is_empty() {
                return Ok(Ok(false));
            }
            for n in wanted {
                if !self.record.rungs.contains_key(&n) && !self.grid.contains(&n) {
                    if self.extensions == self.plan.max_extensions {
                        self.decisions.push(format!("rung {rung}: no interior best after {} extensions", self.extensions));
                        return Ok(Ok(true));
                    }
                    self.extensions += 1;
                    self.decisions.push(format!(
                        "rung {} ({} epochs): extended the grid to {}, past the best rate at its edge",
                        rung + 1,
                        self.plan.rungs[rung],
                        fmt_lr(Self::lr(n))
                    ));
                }
                if let Err(why) = self.reach(n, rung)? {
                    return Ok(Err(why));
                }
            }
        }
    }

    /// The better half of the rates measured at `rung`, with the best one's neighbours.
    fn survivors(&mut self, rung: usize) -> Vec<i32> {
        let mut ranked: Vec<(i32, f64)> = self.record.rungs.iter().filter_map(|(&i, s)| Some((i, s.get(rung)?.rank()))).collect();
        ranked.sort_by(|a, b| a.1.total_cmp(&b.1).then(a.0.cmp(&b.0)));
        let mut keep: Vec<i32> = ranked.iter().take(ranked.len().div_ceil(2)).map(|r| r.0).collect();
        if let Some(b) = self.record.best_at(rung) {
            keep.extend([b - 1, b + 1].into_iter().filter(|n| self.record.rungs.contains_key(n)));
        }
        keep.sort_unstable();
        keep.dedup();
        let stopped: Vec<String> = ranked.iter().filter(|r| !keep.contains(&r.0)).map(|r| fmt_lr(Self::lr(r.0))).collect();
        self.decisions.push(format!(
            "rung {} ({} epochs): {} go on{}",
            rung + 1,
            self.plan.rungs[rung],
            keep.iter().map(|&i| fmt_lr(Self::lr(i))).collect::<Vec<_>>().join(", "),
            if stopped.is_empty() { String::new() } else { format!("; stopped {}", stopped.join(", ")) }
        ));
        keep
    }

    /// Every seed of rate `i` at the full budget (seed 1 is the last rung's run).
    fn seeds(&mut self, i: i32) -> Step<E> {
        let full = self.plan.full();
        let mut scores = vec![self.record.at(i, self.plan.rungs.len() - 1).unwrap_or(Score::Diverged)];
        let mut waiting = None;
        for seed in 2..=self.plan.seeds as u64 {
            match (self.measure)(Self::lr(i), full, seed)? {
                Measured::Done(score) => scores.push(score),
                Measured::Pending => {
                    waiting.get_or_insert(format!("{}: learning rate {} seed {seed} not finished", self.name, fmt_lr(Self::lr(i))));
                }
            }
        }
        if waiting.is_none() {
            self.record.seeds.insert(i, scores);
        }
        Ok(waiting.map_or(Ok(()), Err))
    }

    /// The full-budget stage: every seed for the best rate and its neighbours, then (by seed
    /// means) the same interior rule, and the outer neighbour of a neighbour that ties with the
    /// best (for the tie rule).
    fn finish(&mut self, mut at_edge: bool) -> Result<Tuned, E> {
        let last = self.plan.rungs.len() - 1;
        let Some(first_best) = self.record.best_at(last) else {
            return Ok(Tuned::Pending(format!("{}: every learning rate tried diverged", self.name)));
        };
        let mut finalists: Vec<i32> =
            [first_best - 1, first_best, first_best + 1].into_iter().filter(|i| self.record.at(*i, last).is_some()).collect();
        loop {
            let mut waiting = None;
            for i in finalists.clone() {
                if !self.record.seeds.contains_key(&i)
                    && let Err(why) = self.seeds(i)?
                {
                    waiting.get_or_insert(why);
                }
            }
            if let Some(why) = waiting {
                return Ok(Tuned::Pending(why));
            }
            let best = self.best_by_mean(&finalists);
            let mut wanted: Vec<(i32, bool)> =
                [best - 1, best + 1].into_iter().filter(|n| !finalists.contains(n)).map(|n| (n, false)).collect();
            if wanted.is_empty() {
                let outer = [best - 1, best + 1].into_iter().filter(|&c| self.within_noise(c, best)).map(|c| (2 * c - best, true));
                wanted.extend(outer.filter(|(n, _)| !finalists.contains(n)));
            }
            if wanted.is_empty() || at_edge {
                break;
            }
            for (n, for_tie) in wanted {
                if !for_tie && !self.record.rungs.contains_key(&n) && !self.grid.contains(&n) {
                    if self.extensions == self.plan.max_extensions {
                        at_edge = true;
                        continue;
                    }
                    self.extensions += 1;
                    self.decisions
                        .push(format!("full budget: extended the grid to {}, past the best seed mean at its edge", fmt_lr(Self::lr(n))));
                }
                if let Err(why) = self.reach(n, last)? {
                    return Ok(Tuned::Pending(why));
                }
                finalists.push(n);
            }
            finalists.sort_unstable();
        }
        Ok(Tuned::Done(Box::new(self.decide(&finalists, at_edge))))
    }

    fn best_by_mean(&self, finalists: &[i32]) -> i32 {
        let means = finalists.iter().map(|&i| (i, self.seed_mean(i)));
        means.min_by(|a, b| a.1.total_cmp(&b.1)).map_or(finalists[0], |m| m.0)
    }

    fn seed_mean(&self, i: i32) -> f64 {
        self.record.seeds.get(&i).map_or(f64::INFINITY, |s| mean(&s.iter().map(|x| x.rank()).collect::<Vec<_>>()))
    }

    /// The tie rule on the finalists, and the trace of every rate.
    fn decide(&mut self, finalists: &[i32], at_edge: bool) -> Tuning {
        let best = self.best_by_mean(finalists);
        let measured = |i: i32| finalists.contains(&i) && self.record.seeds.contains_key(&i);
        let neighbours = |i: i32| (self.seed_mean(i - 1) + self.seed_mean(i + 1)) / 2.0;
        let tied: Vec<i32> = std::iter::once(best)
            .chain([best - 1, best + 1].into_iter().filter(|&c| measured(c - 1) && measured(c + 1) && self.within_noise(c, best)))
            .collect();
        // min_by keeps the first of equal values: the best by mean, listed first.
        let chosen = tied.iter().copied().min_by(|a, b| neighbours(*a).total_cmp(&neighbours(*b))).unwrap_or(best);
        if chosen != best {
            self.decisions.push(format!(
                "tie: {} is within the seed noise of the best seed mean ({}) and its neighbours are better on average ({:.4} vs {:.4}): chose {}",
                fmt_lr(Self::lr(chosen)),
                fmt_lr(Self::lr(best)),
                neighbours(chosen),
                neighbours(best),
                fmt_lr(Self::lr(chosen))
            ));
        } else if tied.len() > 1 {
            let others: Vec<String> = tied.iter().filter(|&&i| i != best).map(|&i| fmt_lr(Self::lr(i))).collect();
            self.decisions.push(format!(
                "tie: {} within the seed noise of {}, whose neighbours are as good or better: kept {}",
                others.join(", "),
                fmt_lr(Self::lr(best)),
                fmt_lr(Self::lr(best))
            ));
        }
        let rates = self
            .record
            .rungs
            .iter()
            .map(|(&i, rungs)| RateTrace {
                lr: Self::lr(i),
                rungs: rungs.clone(),
                seeds: self.record.seeds.get(&i).cloned().unwrap_or_default(),
                extension: !self.grid.contains(&i),
            })
            .collect();
        Tuning {
            plan: self.plan.clone(),
            lr: Self::lr(chosen),
            best_by_mean: Self::lr(best),
            lower: Self::lr(chosen - 1),
            upper: Self::lr(chosen + 1),
            rates,
            at_edge,
            decisions: std::mem::take(&mut self.decisions),
        }
    }

    /// Whether rates `a` and `b` differ by no more than the seed noise: the mean of their
    /// seed-paired differences is at most the standard deviation of those differences. (A 95%
    /// interval from 2 or 3 seeds is 13 or 4.3 standard errors wide and would call almost any two
    /// rates a tie; in the depth study it moved 32-layer ReLU from 0.095 to 0.134.)
    fn within_noise(&self, a: i32, b: i32) -> bool {
        let (Some(x), Some(y)) = (self.record.seeds.get(&a), self.record.seeds.get(&b)) else { return false };
        let diffs: Vec<f64> = x.iter().zip(y).map(|(p, q)| p.rank() - q.rank()).collect();
        if diffs.len() < 2 || diffs.iter().any(|d| !d.is_finite()) {
            return false;
        }
        let e = Estimate::of(&diffs);
        e.mean.abs() <= e.std
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::cell::RefCell;

    fn plan(start: f64, steps: usize, rungs: &[f64], seeds: usize) -> TunerPlan {
        TunerPlan { start, steps, rungs: rungs.to_vec(), seeds, max_extensions: MAX_EXTENSIONS }
    }

    /// Tunes with a synthetic "final measure" `f(lr, budget, seed)` (None: diverged); also
    /// returns every (lr, budget, seed) asked, in order.
    fn run(plan: &TunerPlan, f: impl Fn(f64, f64, u64) -> Option<f64>) -> (Tuning, Vec<(f64, f64, u64)>) {
        let asked = RefCell::new(Vec::new());
        let tuned = tune::<()>(plan, "cell", |lr, budget, seed| {
            asked.borrow_mut().push((lr, budget, seed));
            Ok(Measured::Done(f(lr, budget, seed).map_or(Score::Diverged, Score::Value)))
        });
        match tuned {
            Ok(Tuned::Done(t)) => (*t, asked.into_inner()),
            other => panic!("{other:?}"),
        }
    }

    fn is(a: f64, b: f64) -> bool {
        (a - b).abs() <= 1e-12 * b.abs()
    }

    #[test]
    fn the_grid_is_the_one_three_sequence() {
        assert_eq!(grid_index(1e-2), Some(-4));
        assert_eq!(grid_index(3e-2), Some(-3));
        assert_eq!(grid_index(0.3), Some(-1));
        assert_eq!(grid_index(5e-3), None);
        assert!(is(grid_rate(-5), 3e-3) && is(grid_rate(0), 1.0) && is(grid_rate(1), 3.0));
        let grid = plan(1e-2, 2, &[1.0], 1).grid();
        assert_eq!(grid.len(), 5);
        assert!(is(grid[0], 1e-3) && is(grid[4], 1e-1), "{grid:?}");
        assert_eq!(halving_rungs(8), vec![2.0, 4.0, 8.0]);
        assert_eq!(halving_rungs(5), vec![2.0, 3.0, 5.0]);
        assert_eq!(halving_rungs(1), vec![1.0]);
        assert!(plan(5e-3, 2, &[1.0], 1).check().expect_err("off the grid").contains("0.005"));
        assert!(plan(1e-2, 2, &[2.0, 1.0], 1).check().is_err());
    }

    /// Short runs favour large rates, which then plateau: after 1 epoch the best is 1e-1, after
    /// the full 8 it is 1e-2. A 1-epoch trial would pick 1e-1; the tuner picks 1e-2.
    #[test]
    fn the_full_budget_winner_beats_the_short_trial_winner() {
        let f = |lr: f64, budget: f64, _seed: u64| {
            let x = lr.log10();
            let early = 0.9 - 0.1 * (x + 3.0); // lower for larger rates
            let late = 0.2 + 0.1 * (x + 2.0).powi(2); // best at 1e-2
            let w = (budget - 1.0) / 7.0;
            Some(early * (1.0 - w) + late * w)
        };
        let one_epoch_winner = plan(1e-2, 2, &[1.0], 1)
            .grid()
            .into_iter()
            .min_by(|a, b| f(*a, 1.0, 1).unwrap_or(9.0).total_cmp(&f(*b, 1.0, 1).unwrap_or(9.0)));
        assert!(is(one_epoch_winner.expect("a rate"), 1e-1));
        let (t, asked) = run(&plan(1e-2, 2, &[2.0, 4.0, 8.0], 3), f);
        assert!(is(t.lr, 1e-2), "{t:?}");
        assert!(is(t.lower, 3e-3) && is(t.upper, 3e-2) && !t.at_edge);
        // Every seed at the chosen rate and its neighbours, at the full budget.
        for lr in [3e-3, 1e-2, 3e-2] {
            assert_eq!(t.trace(lr).expect("traced").seeds.len(), 3, "{lr}");
        }
        // Halving: 5 rates at rung 1, fewer at rung 2, and seed 1 only before the full budget.
        let at = |b: f64| asked.iter().filter(|a| a.1 == b && a.2 == 1).count();
        assert_eq!(at(2.0), 5);
        assert!(at(4.0) < 5 && at(8.0) <= at(4.0), "{asked:?}");
        assert!(asked.iter().all(|a| a.2 == 1 || a.1 == 8.0));
    }

    /// The best rate keeps being the largest tried: the grid grows upward until a larger rate is
    /// worse, and the choice is interior.
    #[test]
    fn an_edge_best_extends_the_grid() {
        let f = |lr: f64, _b: f64, _s: u64| Some((lr.log10() - 0.3f64.log10()).abs());
        let (t, _) = run(&plan(1e-2, 1, &[1.0, 2.0], 2), f);
        assert!(is(t.lr, 0.3), "{t:?}");
        assert!(is(t.upper, 1.0) && t.trace(1.0).is_some_and(|r| r.extension));
        assert!(!t.at_edge);
        assert!(t.decisions.iter().any(|d| d.contains("extended the grid")), "{:?}", t.decisions);
        // With too few extensions allowed, the tuner says the best is at an edge.
        let mut short = plan(1e-2, 1, &[1.0, 2.0], 2);
        short.max_extensions = 1;
        let (t, _) = run(&short, f);
        assert!(t.at_edge, "{t:?}");
    }

    /// Rates above 3e-2 diverge; the best (1e-2 by the measure) sits next to a diverged rate,
    /// which counts as worse and is recorded.
    #[test]
    fn a_diverged_run_counts_as_worse_and_is_recorded() {
        let f = |lr: f64, _b: f64, _s: u64| (lr <= 1e-2).then_some(0.5 - 10.0 * lr);
        let (t, _) = run(&plan(1e-2, 1, &[1.0, 2.0], 2), f);
        assert!(is(t.lr, 1e-2), "{t:?}");
        assert_eq!(t.trace(3e-2).expect("traced").rungs[0], Score::Diverged);
        // Everything diverging at the start: the tuner goes down the grid until something trains.
        let g = |lr: f64, _b: f64, _s: u64| (lr < 1e-3).then(|| (lr.log10() + 4.0).abs());
        let (t, _) = run(&plan(1e-2, 1, &[1.0], 1), g);
        assert!(is(t.lr, 1e-4) || t.at_edge, "{t:?}");
    }

    /// Two rates within the seed noise: the one whose neighbours are good is chosen.
    #[test]
    fn ties_go_to_the_rate_with_good_neighbours() {
        // 1e-2 is a narrow dip (its upper neighbour is bad); 3e-3 is as good within the noise and
        // sits in a broad basin.
        let values = |lr: f64| -> f64 {
            match fmt_lr(lr).as_str() {
                "1e-3" => 0.42,
                "3e-3" => 0.401,
                "1e-2" => 0.400,
                "3e-2" => 0.60,
                "1e-4" | "3e-4" => 0.45,
                _ => 0.7,
            }
        };
        let noise = |seed: u64| [0.0, 0.02, -0.02][(seed - 1) as usize % 3];
        let (t, _) = run(&plan(1e-2, 1, &[1.0, 2.0], 3), |lr, _b, s| Some(values(lr) + noise(s) * if lr < 5e-3 { -1.0 } else { 1.0 }));
        assert!(is(t.best_by_mean, 1e-2), "{t:?}");
        assert!(is(t.lr, 3e-3), "{t:?}");
        assert!(t.decisions.iter().any(|d| d.starts_with("tie:")), "{:?}", t.decisions);
    }

    /// A run not finished stops the tuner with a reason, after asking for every run of its rung.
    #[test]
    fn pending_runs_are_listed_then_waited_for() {
        let asked = RefCell::new(Vec::new());
        let p = plan(1e-2, 2, &[1.0, 2.0], 2);
        let tuned = tune::<()>(&p, "cell", |lr, b, s| {
            asked.borrow_mut().push((lr, b, s));
            Ok(Measured::Pending)
        });
        assert!(matches!(tuned, Ok(Tuned::Pending(ref why)) if why.contains("cell: learning rate 1e-3")), "{tuned:?}");
        assert_eq!(asked.borrow().len(), 5, "the whole first rung is asked");
    }
}
