//! One training step of convnet18 gives the same loss and weights on every backend as on flex.
//! Like candle's `test_device!`, one body (`actlab_train::parity`, also behind
//! `actlab backends --check`) runs per backend; flex is the reference.

use actlab_models::Activation;
use actlab_train::Backend;
use actlab_train::parity::{self, LAYERS, TOLERANCE};

fn assert_parity(backend: Backend) {
    let results = match parity::check(backend, &[Activation::Relu, Activation::Tanh]) {
        Ok(results) => results,
        Err(why) => {
            eprintln!("SKIPPED {backend}: {why}");
            return;
        }
    };
    for p in results {
        for (layer, rel) in LAYERS.iter().zip(&p.weights_relative) {
            eprintln!("{backend} {} {layer}: max |difference| relative to max |weight|: {rel:e}", p.activation);
        }
        assert!(p.loss_relative < TOLERANCE, "{backend} {}: loss differs by {:e} (relative)", p.activation, p.loss_relative);
        assert!(p.passed(), "{backend} {}: weights differ by up to {:e} (relative), over {TOLERANCE:e}", p.activation, p.worst());
    }
}

#[test]
fn ndarray_matches_flex() {
    assert_parity(Backend::Ndarray);
}

/// wgpu with Burn's fusion and autotune (the build's features); on CI through Mesa's lavapipe.
#[test]
fn wgpu_matches_flex() {
    assert_parity(Backend::Wgpu);
}

/// Needs an NVIDIA GPU and the `cuda` build feature; scripts/device-check.sh runs it there.
#[cfg(feature = "cuda")]
#[test]
#[ignore = "needs an NVIDIA GPU: run with --ignored where there is one"]
fn cuda_matches_flex() {
    assert_parity(Backend::Cuda);
}
