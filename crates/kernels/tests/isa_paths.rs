//! Every instruction set the kernels are compiled for, forced in turn on this CPU where it runs
//! them: each computes the same bits as the baseline copy, in values and gradients (Rust fuses no
//! multiply-add on its own, so only the vector width changes). A test binary of its own, because
//! the choice is process-wide.

#![allow(clippy::unwrap_used)]

use actlab_kernels::{self as kernels, ConvGeometry, Isa};
use burn::tensor::Tensor;

mod common;

use common::values;

fn floats<const D: usize>(t: Tensor<D>) -> Vec<f32> {
    t.into_data().try_to_vec().unwrap()
}

/// Values and gradients of convnet18's conv → max pool → tanh → avg pool chain (and a strided
/// convolution, which takes the col2im input gradient), each as its own named vector.
fn everything() -> Vec<(&'static str, Vec<f32>)> {
    let x = values([4, 3, 16, 17], 1).require_grad();
    let w = values([8, 3, 5, 5], 2).require_grad();
    let b = values([8], 3).require_grad();
    let w2 = values([6, 8, 3, 3], 4).require_grad();
    let b2 = values([6], 5).require_grad();
    let same = ConvGeometry { stride: 1, padding: 2, groups: 1 };
    let strided = ConvGeometry { stride: 2, padding: 1, groups: 1 };
    let y = kernels::conv2d(x.clone(), w.clone(), Some(b.clone()), same);
    let pooled = kernels::max_pool(y.clone(), 3, 2, true);
    let t = kernels::tanh(pooled.clone());
    let z = kernels::conv2d(t.clone(), w2.clone(), Some(b2.clone()), strided);
    let out = kernels::avg_pool(z.clone(), 3, 2, true);
    let g = values(out.dims(), 6);
    let grads = (out.clone() * g).sum().backward();
    vec![
        ("conv", floats(y)),
        ("max pool", floats(pooled)),
        ("tanh", floats(t)),
        ("strided conv", floats(z)),
        ("avg pool", floats(out)),
        ("input gradient", floats(x.grad(&grads).unwrap())),
        ("weight gradient", floats(w.grad(&grads).unwrap())),
        ("bias gradient", floats(b.grad(&grads).unwrap())),
        ("strided weight gradient", floats(w2.grad(&grads).unwrap())),
        ("strided bias gradient", floats(b2.grad(&grads).unwrap())),
    ]
}

#[test]
fn every_instruction_set_this_cpu_has_computes_the_baseline_bits() {
    kernels::force_kernel_isa(Isa::Baseline).unwrap();
    assert_eq!(kernels::kernel_isa(), Isa::Baseline);
    let baseline = everything();
    let mut covered = vec![Isa::Baseline];
    for isa in [Isa::Avx2, Isa::Avx512] {
        if !isa.supported() {
            let e = kernels::force_kernel_isa(isa).unwrap_err();
            assert!(e.to_string().contains(isa.name()), "{e}");
            assert_eq!(kernels::kernel_isa(), Isa::Baseline, "a refused ISA changes nothing");
            continue;
        }
        kernels::force_kernel_isa(isa).unwrap();
        assert_eq!(kernels::kernel_isa(), isa);
        for ((what, want), (_, got)) in baseline.iter().zip(everything()) {
            let differing = want.iter().zip(&got).filter(|(a, b)| a.to_bits() != b.to_bits()).count();
            assert_eq!((want.len(), differing), (got.len(), 0), "{what} on {isa}: {differing} of {} values differ", want.len());
        }
        covered.push(isa);
    }
    // The widest this CPU has is among those compared, and is the default.
    assert!(covered.contains(&Isa::best()));
    eprintln!("compared on this CPU: {covered:?}");
}
