//! Is there an NVIDIA driver and a GPU? Asked before Burn's CUDA backend starts, so a machine
//! without one gets a one-line answer. Without this, Burn's first CUDA operation on such a
//! machine failed inside its fusion runner thread, and `actlab backends` printed
//! `... the fusion server failed to run a task: CallError(task panicked on device runner thread:
//! Should have handle for tensor TensorId { value: 3 })`, which names neither cause.
//!
//! The probe loads the driver library the way cudarc does (by name, through the dynamic loader,
//! so `LD_LIBRARY_PATH` counts) and calls two entry points of the CUDA driver API: `cuInit(0)` and
//! `cuDeviceGetCount`. It needs no CUDA toolkit and is compiled in every build, so it is tested
//! here against stand-in libraries (tests/cuda_driver.rs) whether or not the `cuda` feature is on.

use thiserror::Error;

/// The driver library NVIDIA's driver installs (cudarc also accepts the unversioned name).
pub const DRIVER_LIBRARY: &str = "libcuda.so.1";
const DRIVER_LIBRARY_UNVERSIONED: &str = "libcuda.so";

/// `CUDA_ERROR_NO_DEVICE`: `cuInit` found no CUDA-capable device.
const CUDA_ERROR_NO_DEVICE: i32 = 100;

/// Why the CUDA backend cannot run here, in words a user can act on.
#[derive(Debug, Error, PartialEq, Eq)]
pub enum NoCuda {
    #[error("no NVIDIA driver found ({library})")]
    NoDriver { library: String },
    #[error("{library} is not an NVIDIA driver (it has no {symbol})")]
    NotADriver { library: String, symbol: &'static str },
    #[error("driver found, no GPU")]
    NoGpu,
    #[error("driver found, but {call} failed with CUDA error {code}")]
    DriverError { call: &'static str, code: i32 },
    #[error("GPU {index} asked for (ACTLAB_DEVICE), but the driver sees {count}")]
    NoSuchGpu { index: usize, count: usize },
}

/// The number of GPUs the system's driver sees, or why there are none.
pub fn gpu_count() -> Result<usize, NoCuda> {
    match gpu_count_with(DRIVER_LIBRARY) {
        Err(NoCuda::NoDriver { .. }) => {
            gpu_count_with(DRIVER_LIBRARY_UNVERSIONED).map_err(|e| match e {
                // Name the library a driver installation provides, not the fallback.
                NoCuda::NoDriver { .. } => NoCuda::NoDriver { library: DRIVER_LIBRARY.into() },
                other => other,
            })
        }
        other => other,
    }
}

/// Checks that GPU `index` (0 when none was asked for) exists.
pub fn check_gpu(index: usize) -> Result<(), NoCuda> {
    let count = gpu_count()?;
    if index < count { Ok(()) } else { Err(NoCuda::NoSuchGpu { index, count }) }
}

/// [`gpu_count`] with the driver library named (a path or a name the loader searches for).
pub fn gpu_count_with(library: &str) -> Result<usize, NoCuda> {
    type CuInit = unsafe extern "C" fn(u32) -> i32;
    type CuDeviceGetCount = unsafe extern "C" fn(*mut i32) -> i32;
    let no_symbol = |symbol| NoCuda::NotADriver { library: library.into(), symbol };
    // SAFETY: loading a library runs its initialisers; this is the library the CUDA backend
    // itself would load a moment later. The two symbols are declared with the signatures of the
    // CUDA driver API (`CUresult cuInit(unsigned int)`, `CUresult cuDeviceGetCount(int*)`, CUresult
    // being a C enum, i.e. int), and the count is written into a live local.
    #[allow(unsafe_code)]
    unsafe {
        let Ok(loaded) = libloading::Library::new(library) else {
            return Err(NoCuda::NoDriver { library: library.into() });
        };
        // Never unloaded: `cuInit` starts driver threads that run the library's code, and the
        // CUDA backend loads the same library again anyway.
        let driver: &'static libloading::Library = Box::leak(Box::new(loaded));
        let init: libloading::Symbol<CuInit> = driver.get(b"cuInit\0").map_err(|_| no_symbol("cuInit"))?;
        let count_devices: libloading::Symbol<CuDeviceGetCount> =
            driver.get(b"cuDeviceGetCount\0").map_err(|_| no_symbol("cuDeviceGetCount"))?;
        match init(0) {
            0 => {}
            CUDA_ERROR_NO_DEVICE => return Err(NoCuda::NoGpu),
            code => return Err(NoCuda::DriverError { call: "cuInit", code }),
        }
        let mut count = 0i32;
        match count_devices(&mut count) {
            0 if count > 0 => Ok(count as usize),
            0 => Err(NoCuda::NoGpu),
            code => Err(NoCuda::DriverError { call: "cuDeviceGetCount", code }),
        }
    }
}
