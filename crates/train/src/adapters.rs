//! The GPUs (and CPU adapters) wgpu finds here, in the order `--device N` counts them.
//!
//! Burn's `DeviceKind::DiscreteGpu(N)` is the N-th discrete GPU wgpu enumerates, so the list is
//! read from the same `wgpu` crate Burn uses (re-exported by burn-wgpu), not a second copy.

use burn::backend::wgpu::wgpu;
use std::future::Future;
use std::pin::pin;
use std::task::{Context, Poll, Waker};

/// One adapter wgpu can use.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Adapter {
    pub name: String,
    /// `discrete GPU`, `integrated GPU`, `virtual GPU`, `CPU` or `other`.
    pub kind: &'static str,
    /// The graphics API: Vulkan, Metal, Dx12, Gl, ...
    pub api: String,
    pub driver: String,
    /// For discrete GPUs: the N of `--device N` (counted per graphics API, as CubeCL counts).
    pub device_index: Option<usize>,
}

/// The graphics APIs in the order CubeCL's `Auto` tries them (Vulkan wherever it exists).
const APIS: [wgpu::Backend; 4] = [wgpu::Backend::Vulkan, wgpu::Backend::Metal, wgpu::Backend::Dx12, wgpu::Backend::Gl];

/// Every adapter of every graphics API wgpu was built with; discrete GPUs numbered per API.
pub fn wgpu_adapters() -> Vec<Adapter> {
    built_apis().flat_map(adapters_of).collect()
}

/// The APIs of `APIS` this build of wgpu has (an instance asked for one it lacks falls back to
/// all of them, which would list every adapter twice).
fn built_apis() -> impl Iterator<Item = wgpu::Backend> {
    let built = wgpu::Instance::enabled_backend_features();
    APIS.into_iter().filter(move |&api| built.contains(wgpu::Backends::from(api)))
}

fn adapters_of(api: wgpu::Backend) -> Vec<Adapter> {
    let instance =
        wgpu::Instance::new(wgpu::InstanceDescriptor { backends: api.into(), ..wgpu::InstanceDescriptor::new_without_display_handle() });
    let Some(adapters) = ready(instance.enumerate_adapters(api.into())) else { return Vec::new() };
    let mut discrete = 0;
    adapters
        .iter()
        .map(|adapter| {
            let info = adapter.get_info();
            let (kind, device_index) = match info.device_type {
                wgpu::DeviceType::DiscreteGpu => {
                    discrete += 1;
                    ("discrete GPU", Some(discrete - 1))
                }
                wgpu::DeviceType::IntegratedGpu => ("integrated GPU", None),
                wgpu::DeviceType::VirtualGpu => ("virtual GPU", None),
                wgpu::DeviceType::Cpu => ("CPU", None),
                wgpu::DeviceType::Other => ("other", None),
            };
            let driver =
                [info.driver.as_str(), info.driver_info.as_str()].iter().filter(|s| !s.is_empty()).copied().collect::<Vec<_>>().join(" ");
            Adapter { name: info.name, kind, api: format!("{:?}", info.backend), driver, device_index }
        })
        .collect()
}

/// The adapter a wgpu run here would use, on the first graphics API that has any: the N-th
/// discrete GPU when a device index is given, else (as wgpu's high-performance default) the
/// first discrete, integrated, virtual GPU or CPU.
pub fn chosen_wgpu_adapter(index: Option<usize>) -> Option<Adapter> {
    let adapters = built_apis().map(adapters_of).find(|list| !list.is_empty())?;
    if let Some(n) = index {
        return adapters.into_iter().find(|a| a.device_index == Some(n));
    }
    ["discrete GPU", "integrated GPU", "virtual GPU", "CPU", "other"]
        .iter()
        .find_map(|kind| adapters.iter().find(|a| a.kind == *kind).cloned())
}

/// The value of a future that is ready at once (wgpu's native adapter enumeration is), without an
/// async runtime; `None` if it is still pending after a few polls.
fn ready<T>(future: impl Future<Output = T>) -> Option<T> {
    let mut future = pin!(future);
    let mut context = Context::from_waker(Waker::noop());
    for _ in 0..1000 {
        if let Poll::Ready(value) = future.as_mut().poll(&mut context) {
            return Some(value);
        }
        std::thread::yield_now();
    }
    None
}
