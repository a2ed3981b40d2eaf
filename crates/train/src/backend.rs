//! The `--backend` flag: which Burn device a run uses. One model code path serves them all.
//!
//! Which GPU a GPU backend uses is not part of a run (a run can resume on another card): it is
//! the process's `ACTLAB_DEVICE` (`actlab --device N` sets it; `--jobs` gives each job its own).

use burn::tensor::{Device, DeviceKind, Tensor};
use serde::{Deserialize, Serialize};
use std::fmt;
use std::panic::{AssertUnwindSafe, catch_unwind};
use std::str::FromStr;
use thiserror::Error;

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(rename_all = "lowercase")]
pub enum Backend {
    /// Burn's pure-Rust CPU backend, with actlab's fast conv/pool/tanh kernels: the fastest CPU path here.
    #[default]
    Flex,
    /// Burn's ndarray CPU backend (deprecated upstream, kept for comparison).
    Ndarray,
    /// wgpu: a GPU through Vulkan/Metal/DX12, or a CPU through Mesa's lavapipe.
    Wgpu,
    /// Burn's CUDA backend (the `cuda` build feature).
    #[cfg(feature = "cuda")]
    Cuda,
}

/// The variable that names the GPU index for wgpu (the N-th discrete GPU) and cuda.
pub const DEVICE_ENV: &str = "ACTLAB_DEVICE";

#[derive(Debug, Error, PartialEq)]
pub enum BackendError {
    #[error("unknown backend `{0}` (expected {expected})", expected = Backend::names())]
    Unknown(String),
    #[error("{DEVICE_ENV}=`{0}` is not a GPU index (0, 1, ...)")]
    BadIndex(String),
    #[error("{backend} is not available here: {why}")]
    Unavailable { backend: Backend, why: String },
    /// No NVIDIA driver or no GPU, found before Burn's CUDA backend starts.
    #[error("cuda: {0}")]
    NoCuda(#[from] crate::cuda_driver::NoCuda),
    #[error("{backend}: a test sum gave {sum}, not 4")]
    WrongSum { backend: Backend, sum: f32 },
}

impl Backend {
    #[cfg(not(feature = "cuda"))]
    pub const ALL: &[Backend] = &[Self::Flex, Self::Ndarray, Self::Wgpu];
    #[cfg(feature = "cuda")]
    pub const ALL: &[Backend] = &[Self::Flex, Self::Ndarray, Self::Wgpu, Self::Cuda];

    pub fn name(self) -> &'static str {
        match self {
            Self::Flex => "flex",
            Self::Ndarray => "ndarray",
            Self::Wgpu => "wgpu",
            #[cfg(feature = "cuda")]
            Self::Cuda => "cuda",
        }
    }

    /// The backends this build has, for messages: "flex, ndarray or wgpu".
    pub fn names() -> String {
        let names: Vec<&str> = Self::ALL.iter().map(|b| b.name()).collect();
        match names.split_last() {
            Some((last, rest)) if !rest.is_empty() => format!("{} or {last}", rest.join(", ")),
            _ => names.join(""),
        }
    }

    /// Whether the backend runs on a GPU (wgpu may also be a CPU adapter such as lavapipe).
    pub fn is_gpu(self) -> bool {
        !matches!(self, Self::Flex | Self::Ndarray)
    }

    /// The GPU index `ACTLAB_DEVICE` names, if any.
    pub fn gpu_index() -> Result<Option<usize>, BackendError> {
        parse_gpu_index(std::env::var(DEVICE_ENV).ok().as_deref())
    }

    /// The plain (inference) device; `.autodiff()` of it trains. wgpu and cuda take the GPU that
    /// `ACTLAB_DEVICE` names, else the default one (wgpu: the best adapter it finds).
    pub fn device(self) -> Result<Device, BackendError> {
        let index = if self.is_gpu() { Self::gpu_index()? } else { None };
        Ok(match self {
            Self::Flex => Device::flex(),
            #[allow(deprecated)] // deprecated upstream, still asked for as a comparison point
            Self::Ndarray => Device::ndarray(),
            Self::Wgpu => Device::wgpu(index.map_or(DeviceKind::DefaultDevice, DeviceKind::DiscreteGpu)),
            #[cfg(feature = "cuda")]
            Self::Cuda => Device::cuda(index.unwrap_or(0)),
        })
    }

    /// Whether the backend can run here: wgpu needs a Vulkan (or other) adapter, which a
    /// headless machine may lack. Burn panics when it finds none, so the panic is caught.
    pub fn probe(self) -> Result<Device, BackendError> {
        // Burn's CUDA runtime fails on a machine without a driver or GPU from inside a runner
        // thread, with a message that names neither; the driver is asked first.
        #[cfg(feature = "cuda")]
        if self == Self::Cuda {
            crate::cuda_driver::check_gpu(Self::gpu_index()?.unwrap_or(0))?;
        }
        let previous = std::panic::take_hook();
        std::panic::set_hook(Box::new(|_| {}));
        let result = catch_unwind(AssertUnwindSafe(|| {
            let device = self.device()?;
            let sum: f32 = Tensor::<1>::ones([4], &device).sum().into_scalar();
            Ok((device, sum))
        }));
        std::panic::set_hook(previous);
        match result {
            Ok(Err(error)) => Err(error),
            Ok(Ok((device, 4.0))) => Ok(device),
            Ok(Ok((_, sum))) => Err(BackendError::WrongSum { backend: self, sum }),
            Err(panic) => {
                let why = panic
                    .downcast_ref::<String>()
                    .cloned()
                    .or_else(|| panic.downcast_ref::<&str>().map(|s| s.to_string()))
                    .unwrap_or_else(|| "no adapter".into());
                Err(BackendError::Unavailable { backend: self, why })
            }
        }
    }
}

/// The value of `ACTLAB_DEVICE`: unset or blank is no choice, else a GPU index.
fn parse_gpu_index(value: Option<&str>) -> Result<Option<usize>, BackendError> {
    match value.map(str::trim) {
        None | Some("") => Ok(None),
        Some(text) => text.parse().map(Some).map_err(|_| BackendError::BadIndex(text.into())),
    }
}

impl fmt::Display for Backend {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

impl FromStr for Backend {
    type Err = BackendError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Self::ALL.iter().copied().find(|b| b.name() == s).ok_or_else(|| BackendError::Unknown(s.into()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_gpu_index_is_a_number_or_nothing() {
        assert_eq!(parse_gpu_index(None), Ok(None));
        assert_eq!(parse_gpu_index(Some(" ")), Ok(None));
        assert_eq!(parse_gpu_index(Some("1")), Ok(Some(1)));
        assert_eq!(parse_gpu_index(Some("0,1")), Err(BackendError::BadIndex("0,1".into())));
        assert_eq!(parse_gpu_index(Some("-1")), Err(BackendError::BadIndex("-1".into())));
    }

    #[test]
    fn names_round_trip_and_say_which_run_on_a_gpu() {
        for &b in Backend::ALL {
            assert_eq!(b.name().parse::<Backend>(), Ok(b));
        }
        assert!(Backend::Wgpu.is_gpu() && !Backend::Flex.is_gpu() && !Backend::Ndarray.is_gpu());
        let unknown = "metal".parse::<Backend>().expect_err("not a backend").to_string();
        assert!(unknown.contains("flex, ndarray or wgpu"), "{unknown}");
    }
}
