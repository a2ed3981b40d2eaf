//! The study's measure: an activation's epochs (and seconds) to the target over ReLU's, in one
//! cell, with a percentile-bootstrap interval over the seeds.

use crate::speedup::records::{ActivationResult, SpeedRatio};
use crate::toolkit::stats::{bootstrap_ratio, mean};

/// Bootstrap resamples per ratio (the intervals' last digit moves by less than 0.01 past this).
const RESAMPLES: usize = 10_000;

fn reached(a: &ActivationResult, f: impl Fn(&crate::speedup::records::SpeedRun) -> Option<f64>) -> Option<Vec<f64>> {
    a.runs.iter().map(f).collect()
}

/// `other`'s time to the target over `relu`'s. A ratio only where every seed of both got there;
/// where ReLU did and `other` did not in some seed, a lower bound counting those seeds at the
/// budget; where `other` did and ReLU did not, an upper bound the same way; nothing where neither
/// did in every seed.
pub fn ratio(other: &ActivationResult, relu: &ActivationResult, budget: f64) -> SpeedRatio {
    let relu_epochs = reached(relu, |r| r.epochs_to_target);
    let other_epochs = reached(other, |r| r.epochs_to_target);
    let both = |f: fn(&crate::speedup::records::SpeedRun) -> Option<f64>| {
        let (a, b) = (reached(other, f)?, reached(relu, f)?);
        (!a.is_empty() && !b.is_empty()).then(|| bootstrap_ratio(&a, &b, RESAMPLES, 1))
    };
    let censored = |a: &ActivationResult| -> Vec<f64> { a.runs.iter().map(|r| r.epochs_to_target.unwrap_or(budget)).collect() };
    let (at_least, at_most) = match (&other_epochs, &relu_epochs) {
        (None, Some(relu)) if !relu.is_empty() => (Some(mean(&censored(other)) / mean(relu)), None),
        (Some(o), None) if !o.is_empty() => (None, Some(mean(o) / mean(&censored(relu)))),
        _ => (None, None),
    };
    SpeedRatio {
        activation: other.activation.clone(),
        epochs: both(|r| r.epochs_to_target),
        seconds: both(|r| r.seconds_to_target),
        at_least,
        at_most,
    }
}

/// "6.63 [6.13, 7.21]", "≥ 8.00 (not reached in every seed)", "≤ 0.21 (ReLU not reached in every
/// seed)", or "–".
pub fn fmt(r: Option<&SpeedRatio>) -> String {
    match r {
        Some(SpeedRatio { epochs: Some(e), .. }) => crate::toolkit::markdown::fmt_ratio(Some(e)),
        Some(SpeedRatio { at_least: Some(b), .. }) => format!("≥ {b:.2} (not reached in every seed)"),
        Some(SpeedRatio { at_most: Some(b), .. }) => format!("≤ {b:.2} (ReLU not reached in every seed)"),
        _ => "–".into(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::speedup::records::SpeedRun;
    use crate::toolkit::tuner::{TunerPlan, Tuning};

    fn result(name: &str, epochs: &[Option<f64>]) -> ActivationResult {
        let runs = epochs
            .iter()
            .enumerate()
            .map(|(i, e)| SpeedRun {
                seed: i as u64 + 1,
                folder: String::new(),
                epochs_to_target: *e,
                seconds_to_target: e.map(|e| e * 10.0),
                clock_seconds_to_target: None,
                images_per_sec: None,
                epochs_run: e.unwrap_or(40.0),
                diverged: false,
                commit: String::new(),
                probes: Vec::new(),
            })
            .collect();
        let plan = TunerPlan { start: 1e-2, steps: 1, rungs: vec![40.0], seeds: 1, max_extensions: 0 };
        let tuning = Tuning {
            plan,
            lr: 1e-2,
            best_by_mean: 1e-2,
            lower: 3e-3,
            upper: 3e-2,
            rates: Vec::new(),
            at_edge: false,
            decisions: Vec::new(),
        };
        ActivationResult {
            activation: name.into(),
            lr: 1e-2,
            tuning,
            runs,
            epochs: None,
            seconds: None,
            images_per_sec: None,
            reached: 0,
            conv1_saturated: [None, None],
            conv1_gradient: [None, None],
        }
    }

    #[test]
    fn a_ratio_where_everyone_got_there_and_a_bound_where_not() {
        let relu = result("relu", &[Some(4.0), Some(5.0), Some(6.0)]);
        let tanh = result("tanh", &[Some(24.0), Some(30.0), Some(36.0)]);
        let r = ratio(&tanh, &relu, 40.0);
        assert!((r.epochs.as_ref().expect("ratio").value - 6.0).abs() < 1e-12);
        assert!((r.seconds.as_ref().expect("ratio").value - 6.0).abs() < 1e-12);
        assert_eq!(r.at_least, None);
        // One tanh seed never got there in 40 epochs: at least (24 + 30 + 40) / 3 / 5.
        let slow = result("tanh", &[Some(24.0), Some(30.0), None]);
        let r = ratio(&slow, &relu, 40.0);
        assert!(r.epochs.is_none());
        assert!((r.at_least.expect("bound") - 94.0 / 15.0).abs() < 1e-12);
        assert!(fmt(Some(&r)).starts_with("≥ 6.27"));
        // ReLU not there in one seed of two: at most 30 / ((4 + 40) / 2).
        let r = ratio(&tanh, &result("relu", &[Some(4.0), None]), 40.0);
        assert!(r.epochs.is_none() && r.at_least.is_none());
        assert!((r.at_most.expect("bound") - 30.0 / 22.0).abs() < 1e-12);
        assert!(fmt(Some(&r)).starts_with("≤ 1.36 (ReLU"));
        // Neither there in every seed: nothing.
        let r = ratio(&slow, &result("relu", &[None, Some(5.0), Some(6.0)]), 40.0);
        assert!(r.epochs.is_none() && r.at_least.is_none() && r.at_most.is_none());
        assert_eq!(fmt(Some(&r)), "–");
    }
}
