//! Two numbers for a set of first-layer filters (`[filters, channels, k, k]`, row-major): how far
//! each moved from its initial value, and how much of its energy lies in low spatial frequencies.

/// ‖trained − init‖ / ‖init‖ for each filter.
pub fn relative_change(init: &[f32], trained: &[f32], filters: usize) -> Vec<f64> {
    let size = init.len() / filters.max(1);
    init.chunks(size)
        .zip(trained.chunks(size))
        .map(|(a, b)| {
            let moved: f64 = a.iter().zip(b).map(|(x, y)| (f64::from(*y) - f64::from(*x)).powi(2)).sum();
            let norm: f64 = a.iter().map(|x| f64::from(*x).powi(2)).sum();
            (moved / norm.max(1e-30)).sqrt()
        })
        .collect()
}

/// The share of a filter's energy (summed over its channels) at spatial frequencies (u, v) of its
/// k×k discrete Fourier transform with |u| ≤ 1 and |v| ≤ 1 (the mean, and one cycle across the
/// filter in each direction). White noise spreads its energy evenly, so it scores 9/k² (0.36 for
/// 5×5); a smooth blob or a single edge scores near 1; a checkerboard near 0.
pub fn low_frequency_share(filter: &[f32], k: usize) -> f64 {
    let (mut low, mut total) = (0.0, 0.0);
    for channel in filter.chunks(k * k) {
        for u in 0..k {
            for v in 0..k {
                let energy = dft_energy(channel, k, u, v);
                total += energy;
                if is_low(u, k) && is_low(v, k) {
                    low += energy;
                }
            }
        }
    }
    if total > 0.0 { low / total } else { 0.0 }
}

/// Frequency index `u` of a k-point transform is within one cycle of zero (0, 1 or k − 1).
fn is_low(u: usize, k: usize) -> bool {
    u <= 1 || u + 1 == k
}

/// |X(u, v)|² of one k×k channel.
fn dft_energy(channel: &[f32], k: usize, u: usize, v: usize) -> f64 {
    let (mut re, mut im) = (0.0, 0.0);
    for y in 0..k {
        for x in 0..k {
            let phase = -2.0 * std::f64::consts::PI * ((u * y) as f64 + (v * x) as f64) / k as f64;
            let value = f64::from(channel[y * k + x]);
            re += value * phase.cos();
            im += value * phase.sin();
        }
    }
    re * re + im * im
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn relative_change_per_filter() {
        let init = [1.0, 0.0, 0.0, 2.0];
        let trained = [1.0, 1.0, 0.0, 2.0];
        assert_eq!(relative_change(&init, &trained, 2), vec![1.0, 0.0]);
    }

    #[test]
    fn low_frequency_share_of_known_patterns() {
        let k = 5;
        let flat = vec![0.7f32; k * k];
        assert!((low_frequency_share(&flat, k) - 1.0).abs() < 1e-9);
        let checker: Vec<f32> = (0..k * k).map(|i| if (i / k + i % k) % 2 == 0 { 1.0 } else { -1.0 }).collect();
        assert!(low_frequency_share(&checker, k) < 0.3, "{}", low_frequency_share(&checker, k));
        // A unit impulse has a flat spectrum: exactly the share of low frequencies, 9/25.
        let mut impulse = vec![0.0f32; k * k];
        impulse[12] = 1.0;
        assert!((low_frequency_share(&impulse, k) - 9.0 / 25.0).abs() < 1e-9);
        // A vertical edge (left half bright) is mostly low-frequency.
        let edge: Vec<f32> = (0..k * k).map(|i| if i % k < 2 { 1.0 } else { -1.0 }).collect();
        assert!(low_frequency_share(&edge, k) > 0.8, "{}", low_frequency_share(&edge, k));
    }
}
