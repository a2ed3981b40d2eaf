//! Small-sample statistics for reports: mean, sample std, Student-t 95% interval, and a
//! percentile bootstrap for the ratio of two means.

use rand::rngs::StdRng;
use rand::{RngExt, SeedableRng};
use serde::{Deserialize, Serialize};

/// Two-sided 95% Student-t critical values for 1..=30 degrees of freedom.
const T95: [f64; 30] = [
    12.706, 4.303, 3.182, 2.776, 2.571, 2.447, 2.365, 2.306, 2.262, 2.228, 2.201, 2.179, 2.160, 2.145, 2.131, 2.120, 2.110, 2.101, 2.093,
    2.086, 2.080, 2.074, 2.069, 2.064, 2.060, 2.056, 2.052, 2.048, 2.045, 2.042,
];

pub fn mean(xs: &[f64]) -> f64 {
    xs.iter().sum::<f64>() / xs.len().max(1) as f64
}

/// Sample standard deviation (n − 1); 0 for fewer than two values.
pub fn std_dev(xs: &[f64]) -> f64 {
    if xs.len() < 2 {
        return 0.0;
    }
    let m = mean(xs);
    (xs.iter().map(|x| (x - m).powi(2)).sum::<f64>() / (xs.len() - 1) as f64).sqrt()
}

/// Mean with its spread and 95% confidence interval.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Estimate {
    pub n: usize,
    pub mean: f64,
    pub std: f64,
    /// None with fewer than two values: one sample gives no interval.
    pub ci95: Option<(f64, f64)>,
}

impl Estimate {
    pub fn of(xs: &[f64]) -> Self {
        let (m, s) = (mean(xs), std_dev(xs));
        let ci95 = (xs.len() >= 2).then(|| {
            let df = xs.len() - 1;
            let t = if df <= 30 { T95[df - 1] } else { 1.96 };
            let half = t * s / (xs.len() as f64).sqrt();
            (m - half, m + half)
        });
        Self { n: xs.len(), mean: m, std: s, ci95 }
    }
}

/// Ratio mean(a) / mean(b) with a percentile-bootstrap 95% interval (each group resampled).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Ratio {
    pub value: f64,
    pub ci95: Option<(f64, f64)>,
    pub resamples: usize,
}

pub fn bootstrap_ratio(a: &[f64], b: &[f64], resamples: usize, seed: u64) -> Ratio {
    let value = mean(a) / mean(b);
    if a.len() < 2 || b.len() < 2 {
        return Ratio { value, ci95: None, resamples: 0 };
    }
    let mut rng = StdRng::seed_from_u64(seed);
    let mut draw = |xs: &[f64]| -> f64 {
        let total: f64 = (0..xs.len()).map(|_| xs[rng.random_range(0..xs.len())]).sum();
        total / xs.len() as f64
    };
    let mut ratios: Vec<f64> = (0..resamples).map(|_| draw(a) / draw(b)).collect();
    ratios.sort_by(f64::total_cmp);
    let at = |q: f64| ratios[((q * (resamples - 1) as f64).round() as usize).min(resamples - 1)];
    Ratio { value, ci95: Some((at(0.025), at(0.975))), resamples }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn estimates() {
        let e = Estimate::of(&[2.0, 4.0, 6.0]);
        assert_eq!(e.mean, 4.0);
        assert_eq!(e.std, 2.0);
        let (lo, hi) = e.ci95.expect("interval");
        assert!((hi - 4.0 - 4.303 * 2.0 / 3f64.sqrt()).abs() < 1e-9 && (4.0 - lo - (hi - 4.0)).abs() < 1e-9);
        assert!(Estimate::of(&[1.0]).ci95.is_none());
    }

    #[test]
    fn bootstrap_interval_contains_the_ratio() {
        let r = bootstrap_ratio(&[30.0, 36.0, 40.0], &[5.0, 6.0, 7.0], 2000, 1);
        assert!((r.value - 106.0 / 18.0).abs() < 1e-12);
        let (lo, hi) = r.ci95.expect("interval");
        assert!(lo < r.value && r.value < hi && lo > 3.0 && hi < 10.0, "{lo} {hi}");
        // Identical groups: every resample is exactly 1.
        let same = bootstrap_ratio(&[2.0, 2.0], &[2.0, 2.0], 100, 1);
        assert_eq!(same.ci95, Some((1.0, 1.0)));
    }
}
