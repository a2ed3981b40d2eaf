//! The arithmetic of one convnet18 image, for GFLOP/s figures.

/// Multiply-accumulates per image of convnet18's weight layers (forward): conv1..conv3, fc.
pub const LAYER_MACS: [(&str, f64); 4] = [
    ("conv1", (32 * 32 * 32 * 3 * 25) as f64),
    ("conv2", (16 * 16 * 32 * 32 * 25) as f64),
    ("conv3", (8 * 8 * 64 * 32 * 25) as f64),
    ("fc", (1024 * 10) as f64),
];

/// Floating-point operations of one training image: the forward pass, the weight gradients and
/// the input gradients (none for conv1, whose input needs no gradient), 2 FLOPs per MAC.
pub fn train_flops_per_image() -> f64 {
    let macs: f64 = LAYER_MACS.iter().map(|(_, m)| m).sum();
    2.0 * (3.0 * macs - LAYER_MACS[0].1)
}

pub fn forward_flops_per_image() -> f64 {
    2.0 * LAYER_MACS.iter().map(|(_, m)| m).sum::<f64>()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn flop_count_matches_the_issue_estimate() {
        // ≈12.3 M forward MACs per image; training without conv1's input gradient.
        let macs: f64 = LAYER_MACS.iter().map(|(_, m)| m).sum();
        assert_eq!(macs, 12_298_240.0);
        assert!((train_flops_per_image() / 1e6 - 68.9).abs() < 0.1);
    }
}
