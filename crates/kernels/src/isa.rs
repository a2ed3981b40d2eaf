//! Which instruction set the convolutions' GEMMs run on. gemm 0.19 picks its microkernels once,
//! at run time: AVX-512F ones where the CPU has AVX-512F (compiled in by its `x86-v4` feature,
//! which actlab turns on), else AVX2+FMA ones, else scalar code. actlab's kernels choose nothing
//! themselves beyond that (tile sizes are fixed by convnet18's shapes), so this is the path.

/// The GEMM microkernels this process runs: "avx512f", "fma" (AVX2), or "scalar".
pub fn gemm_isa() -> &'static str {
    gemm_isa_for(has("avx512f"), has("fma"))
}

/// The choice gemm-common's `init_gemm_fn` makes for a CPU with these features (x86-64).
pub fn gemm_isa_for(avx512f: bool, fma: bool) -> &'static str {
    if avx512f && cfg!(any(target_arch = "x86", target_arch = "x86_64")) {
        "avx512f"
    } else if fma {
        "fma"
    } else {
        "scalar"
    }
}

fn has(feature: &str) -> bool {
    #[cfg(any(target_arch = "x86", target_arch = "x86_64"))]
    {
        match feature {
            "avx512f" => std::arch::is_x86_feature_detected!("avx512f"),
            "fma" => std::arch::is_x86_feature_detected!("fma"),
            _ => false,
        }
    }
    #[cfg(not(any(target_arch = "x86", target_arch = "x86_64")))]
    {
        let _ = feature;
        false
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_path_follows_the_cpu() {
        // Every CPU kind gets its own path, in gemm's order of preference.
        assert_eq!(gemm_isa_for(true, true), "avx512f");
        assert_eq!(gemm_isa_for(false, true), "fma");
        assert_eq!(gemm_isa_for(false, false), "scalar");
        // And this CPU gets the widest it has: a build without gemm's x86-v4 feature would run
        // AVX2 kernels on an AVX-512 machine (the Intel 0.74× of issue 28).
        let expected = if has("avx512f") {
            "avx512f"
        } else if has("fma") {
            "fma"
        } else {
            "scalar"
        };
        assert_eq!(gemm_isa(), expected);
    }
}
