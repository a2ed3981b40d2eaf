//! Which instruction set the kernels run on, chosen at run time.
//!
//! - The convolutions' GEMMs: gemm 0.19 picks its microkernels once, at run time: AVX-512F ones
//!   where the CPU has AVX-512F (compiled in by its `x86-v4` feature, which actlab turns on), else
//!   AVX2+FMA ones, else scalar code ([`gemm_isa`]).
//! - actlab's own loops (pooling, im2col, tanh's backward): a crate built for plain x86-64 would
//!   vectorise them with SSE2 only, 4 lanes, on every machine. [`per_isa!`] compiles each of them
//!   three times, for AVX-512 (x86-64-v4), AVX2 (x86-64-v3) and the baseline, and runs the widest
//!   the CPU has, or the one `ACTLAB_ISA` asks for ([`force_kernel_isa`]). Rust never fuses a
//!   multiply and an add on its own, so every version computes the same bits (tested).

use std::sync::atomic::{AtomicU8, Ordering};

/// The instruction sets actlab's own loops are compiled for.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum Isa {
    /// Plain x86-64 (SSE2), or whatever the target has off x86.
    Baseline,
    /// x86-64-v3: AVX2, FMA, BMI.
    Avx2,
    /// x86-64-v4: AVX-512 F, BW, CD, DQ, VL on top of v3.
    Avx512,
}

impl Isa {
    pub const ALL: [Isa; 3] = [Isa::Baseline, Isa::Avx2, Isa::Avx512];

    pub fn name(self) -> &'static str {
        match self {
            Isa::Baseline => "baseline",
            Isa::Avx2 => "avx2",
            Isa::Avx512 => "avx512",
        }
    }

    pub fn parse(name: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|isa| isa.name() == name.trim().to_ascii_lowercase())
    }

    /// Whether this CPU runs code compiled for it.
    pub fn supported(self) -> bool {
        match self {
            Isa::Baseline => true,
            Isa::Avx2 => has(&["avx2", "fma", "bmi1", "bmi2", "lzcnt", "movbe"]),
            Isa::Avx512 => Isa::Avx2.supported() && has(&["avx512f", "avx512bw", "avx512cd", "avx512dq", "avx512vl"]),
        }
    }

    /// The widest this CPU has.
    pub fn best() -> Self {
        Self::ALL.into_iter().rev().find(|isa| isa.supported()).unwrap_or(Isa::Baseline)
    }
}

impl std::fmt::Display for Isa {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.name())
    }
}

impl std::str::FromStr for Isa {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let known: Vec<&str> = Self::ALL.iter().map(|i| i.name()).collect();
        Self::parse(s).ok_or_else(|| format!("unknown instruction set '{s}' (known: {})", known.join(", ")))
    }
}

/// The environment variable that picks the kernels' instruction set (one of [`Isa::name`]).
pub const ISA_ENV: &str = "ACTLAB_ISA";

/// 0: not chosen yet; else 1 + the index in [`Isa::ALL`].
static CHOSEN: AtomicU8 = AtomicU8::new(0);

/// The instruction set actlab's own loops run on: the one forced, else the widest the CPU has.
pub fn kernel_isa() -> Isa {
    match CHOSEN.load(Ordering::Relaxed) {
        0 => {
            let best = Isa::best();
            CHOSEN.store(1 + best as u8, Ordering::Relaxed);
            best
        }
        n => Isa::ALL[(n - 1) as usize],
    }
}

/// An instruction set asked for that the kernels cannot run: unknown, or not on this CPU.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum UnsupportedIsa {
    #[error("{ISA_ENV}={asked}: not an instruction set the kernels are compiled for (this CPU runs: {choices})")]
    Unknown { asked: String, choices: String },
    #[error("{ISA_ENV}={asked}: this CPU cannot run it (the widest it has is {best}; choose from {choices})")]
    Missing { asked: String, best: Isa, choices: String },
}

/// Makes the kernels run `isa` from now on (benchmarks and tests compare the versions); an
/// error, and no change, if the CPU lacks it.
pub fn force_kernel_isa(isa: Isa) -> Result<(), UnsupportedIsa> {
    if !isa.supported() {
        return Err(unsupported(isa.name()));
    }
    CHOSEN.store(1 + isa as u8, Ordering::Relaxed);
    Ok(())
}

/// Applies `ACTLAB_ISA` when it is set: the binary calls this before any kernel runs.
pub fn kernel_isa_from_env() -> Result<Isa, UnsupportedIsa> {
    match std::env::var(ISA_ENV) {
        Ok(value) if !value.trim().is_empty() => {
            let isa = Isa::parse(&value).ok_or_else(|| UnsupportedIsa::Unknown { asked: value.clone(), choices: supported_isas() })?;
            force_kernel_isa(isa)?;
            Ok(isa)
        }
        _ => Ok(kernel_isa()),
    }
}

/// The instruction sets this CPU runs, widest last ("baseline, avx2, avx512").
pub fn supported_isas() -> String {
    Isa::ALL.iter().filter(|i| i.supported()).map(|i| i.name()).collect::<Vec<_>>().join(", ")
}

fn unsupported(asked: &str) -> UnsupportedIsa {
    UnsupportedIsa::Missing { asked: asked.to_string(), best: Isa::best(), choices: supported_isas() }
}

/// Defines `fn $name(args) -> R` that runs `$body(args)` compiled for [`kernel_isa`]: one copy
/// per instruction set, so that the loops `$body` inlines are vectorised to that width. `$body`
/// should be `#[inline(always)]`, with its own hot helpers, or the wide copies call the
/// baseline code.
macro_rules! per_isa {
    ($(#[$meta:meta])* $vis:vis fn $name:ident($($arg:ident: $ty:ty),* $(,)?) $(-> $ret:ty)? => $body:path) => {
        $(#[$meta])*
        $vis fn $name($($arg: $ty),*) $(-> $ret)? {
            #[cfg(target_arch = "x86_64")]
            {
                #[target_feature(enable = "avx512f,avx512bw,avx512cd,avx512dq,avx512vl,avx2,fma,bmi1,bmi2,lzcnt,movbe")]
                fn avx512($($arg: $ty),*) $(-> $ret)? {
                    $body($($arg),*)
                }
                #[target_feature(enable = "avx2,fma,bmi1,bmi2,lzcnt,movbe")]
                fn avx2($($arg: $ty),*) $(-> $ret)? {
                    $body($($arg),*)
                }
                match $crate::isa::kernel_isa() {
                    // SAFETY: kernel_isa() is only ever an instruction set the CPU supports
                    // (Isa::best, or force_kernel_isa after its check).
                    #[allow(unsafe_code)]
                    $crate::isa::Isa::Avx512 => unsafe { avx512($($arg),*) },
                    #[allow(unsafe_code)]
                    $crate::isa::Isa::Avx2 => unsafe { avx2($($arg),*) },
                    $crate::isa::Isa::Baseline => $body($($arg),*),
                }
            }
            #[cfg(not(target_arch = "x86_64"))]
            {
                $body($($arg),*)
            }
        }
    };
}
pub(crate) use per_isa;

/// The GEMM microkernels this process runs: "avx512f", "fma" (AVX2), or "scalar".
pub fn gemm_isa() -> &'static str {
    gemm_isa_for(has(&["avx512f"]), has(&["fma"]))
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

fn has(features: &[&str]) -> bool {
    features.iter().all(|f| has_one(f))
}

fn has_one(feature: &str) -> bool {
    #[cfg(target_arch = "x86_64")]
    {
        match feature {
            "avx2" => std::arch::is_x86_feature_detected!("avx2"),
            "fma" => std::arch::is_x86_feature_detected!("fma"),
            "bmi1" => std::arch::is_x86_feature_detected!("bmi1"),
            "bmi2" => std::arch::is_x86_feature_detected!("bmi2"),
            "lzcnt" => std::arch::is_x86_feature_detected!("lzcnt"),
            "movbe" => std::arch::is_x86_feature_detected!("movbe"),
            "avx512f" => std::arch::is_x86_feature_detected!("avx512f"),
            "avx512bw" => std::arch::is_x86_feature_detected!("avx512bw"),
            "avx512cd" => std::arch::is_x86_feature_detected!("avx512cd"),
            "avx512dq" => std::arch::is_x86_feature_detected!("avx512dq"),
            "avx512vl" => std::arch::is_x86_feature_detected!("avx512vl"),
            _ => false,
        }
    }
    #[cfg(not(target_arch = "x86_64"))]
    {
        let _ = feature;
        false
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_gemm_path_follows_the_cpu() {
        // Every CPU kind gets its own path, in gemm's order of preference.
        assert_eq!(gemm_isa_for(true, true), "avx512f");
        assert_eq!(gemm_isa_for(false, true), "fma");
        assert_eq!(gemm_isa_for(false, false), "scalar");
        // And this CPU gets the widest it has: a build without gemm's x86-v4 feature would run
        // AVX2 kernels on an AVX-512 machine.
        let expected = if has(&["avx512f"]) {
            "avx512f"
        } else if has(&["fma"]) {
            "fma"
        } else {
            "scalar"
        };
        assert_eq!(gemm_isa(), expected);
    }

    #[test]
    fn names_parse_back_and_the_best_is_supported() {
        for isa in Isa::ALL {
            assert_eq!(Isa::parse(isa.name()), Some(isa));
        }
        assert_eq!(Isa::parse(" AVX2 "), Some(Isa::Avx2));
        assert_eq!(Isa::parse("sse4"), None);
        assert!(Isa::best().supported() && Isa::Baseline.supported());
        // Each level includes the one below.
        assert!(!Isa::Avx512.supported() || Isa::Avx2.supported());
    }

    #[test]
    fn an_unsupported_isa_is_refused_by_name() {
        let e = unsupported("avx512");
        assert!(e.to_string().starts_with("ACTLAB_ISA=avx512: this CPU cannot run it"), "{e}");
        assert!(e.to_string().contains("choose from baseline"), "{e}");
    }
}
