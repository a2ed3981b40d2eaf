//! The `--backend` flag: which Burn device a run uses. One model code path serves them all.

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
}

#[derive(Debug, Error, PartialEq)]
pub enum BackendError {
    #[error("unknown backend `{0}` (expected flex, ndarray or wgpu)")]
    Unknown(String),
    #[error("{backend} is not available here: {why}")]
    Unavailable { backend: Backend, why: String },
    #[error("{backend}: a test sum gave {sum}, not 4")]
    WrongSum { backend: Backend, sum: f32 },
}

impl Backend {
    pub const ALL: [Backend; 3] = [Self::Flex, Self::Ndarray, Self::Wgpu];

    pub fn name(self) -> &'static str {
        match self {
            Self::Flex => "flex",
            Self::Ndarray => "ndarray",
            Self::Wgpu => "wgpu",
        }
    }

    /// The plain (inference) device; `.autodiff()` of it trains.
    pub fn device(self) -> Device {
        match self {
            Self::Flex => Device::flex(),
            #[allow(deprecated)] // deprecated upstream, still asked for as a comparison point
            Self::Ndarray => Device::ndarray(),
            Self::Wgpu => Device::wgpu(DeviceKind::DefaultDevice),
        }
    }

    /// Whether the backend can run here: wgpu needs a Vulkan (or other) adapter, which a
    /// headless machine may lack. Burn panics when it finds none, so the panic is caught.
    pub fn probe(self) -> Result<Device, BackendError> {
        let previous = std::panic::take_hook();
        std::panic::set_hook(Box::new(|_| {}));
        let result = catch_unwind(AssertUnwindSafe(|| {
            let device = self.device();
            let sum: f32 = Tensor::<1>::ones([4], &device).sum().into_scalar();
            (device, sum)
        }));
        std::panic::set_hook(previous);
        match result {
            Ok((device, 4.0)) => Ok(device),
            Ok((_, sum)) => Err(BackendError::WrongSum { backend: self, sum }),
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

impl fmt::Display for Backend {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

impl FromStr for Backend {
    type Err = BackendError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Self::ALL.into_iter().find(|b| b.name() == s).ok_or_else(|| BackendError::Unknown(s.into()))
    }
}
