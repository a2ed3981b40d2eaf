//! `actlab bench`: how fast one training step of convnet18 (the Figure 1 net) runs on each
//! backend, where the time goes, and how that compares with PyTorch on the same machine.
//!
//! Every figure is a median over timed steps after warm-up; each step ends with a device sync,
//! so asynchronous backends (wgpu) are timed to completion.

pub mod flops;
mod isas;
mod markdown;
mod options;
mod profile;
pub mod pytorch;
pub mod records;
mod run;
mod side_by_side;
mod timing;

pub use markdown::markdown;
pub use options::BenchOptions;
pub use records::{BenchReport, HeadToHead, IsaTiming, OpTime, PytorchResult, PytorchRun, StepResult};
pub use run::run;

/// Median of `xs` (NaN when empty).
fn median(mut xs: Vec<f64>) -> f64 {
    xs.sort_by(f64::total_cmp);
    let n = xs.len();
    if n == 0 {
        return f64::NAN;
    }
    if n % 2 == 1 { xs[n / 2] } else { (xs[n / 2 - 1] + xs[n / 2]) / 2.0 }
}

#[cfg(test)]
mod tests {
    #[test]
    fn median_of_even_and_odd() {
        assert_eq!(super::median(vec![3.0, 1.0, 2.0]), 2.0);
        assert_eq!(super::median(vec![4.0, 1.0, 2.0, 3.0]), 2.5);
    }
}
