//! Process-wide settings made before anything else runs, so libraries a command does not use stay
//! silent. Measured on a machine without a display: every resume printed four lines of
//! `error: XDG_RUNTIME_DIR is invalid or not set in the environment.`, because Burn's
//! `ModuleOptimizer::load` puts the optimizer state on `Device::default()`, which is the first
//! compiled GPU backend (wgpu), and initialising it loads the Vulkan stack and libwayland-client.

/// Makes flex the default device unless `BURN_DEVICE` says otherwise (the state is moved to the
/// run's own device at the next step, as Burn documents), and, when no display session has set
/// `XDG_RUNTIME_DIR`, points it at a folder that does not exist: libwayland then finds no
/// display and says nothing, instead of printing an error for a display nobody asked for.
pub fn quiet_defaults() {
    let set = |key: &str, value: &std::ffi::OsStr| {
        if std::env::var_os(key).is_none() {
            // SAFETY: called first thing in `main`, before any thread exists, so nothing can
            // read the environment while it changes.
            #[allow(unsafe_code)]
            unsafe {
                std::env::set_var(key, value);
            }
        }
    };
    set("BURN_DEVICE", "flex".as_ref());
    default_sigpipe();
    set("XDG_RUNTIME_DIR", std::env::temp_dir().join("actlab-no-display-session").as_os_str());
}

/// A closed pipe ends the process quietly, as it does `cat` or `grep` (`actlab backends | head -1`):
/// Rust ignores SIGPIPE, and the next `println!` then panicked with a backtrace.
fn default_sigpipe() {
    #[cfg(unix)]
    // SAFETY: called first thing in `main`, before any thread exists; SIG_DFL is a valid action
    // for SIGPIPE.
    #[allow(unsafe_code)]
    unsafe {
        libc::signal(libc::SIGPIPE, libc::SIG_DFL);
    }
}

/// `ACTLAB_ISA`: the instruction set actlab's own CPU loops run on (`baseline`, `avx2`,
/// `avx512`), instead of the widest the CPU has; one the CPU lacks is an error here, before any
/// work. `--jobs` children inherit it with the environment.
pub fn kernel_isa() -> anyhow::Result<()> {
    actlab_kernels::kernel_isa_from_env()?;
    Ok(())
}

static DEVICES: std::sync::OnceLock<Vec<u16>> = std::sync::OnceLock::new();

/// `--device N[,N...]`: the first GPU becomes ACTLAB_DEVICE for this process (and the children
/// it starts); the list is kept for `--jobs`, which gives each job the next one in turn. A GPU
/// index for an experiment on a CPU backend is an error, not a silent no-op.
pub fn select_devices(devices: &[u16], backend: Option<actlab_train::Backend>) -> anyhow::Result<()> {
    // An ACTLAB_DEVICE set by hand that is no index fails here, before any run folder is made.
    actlab_train::Backend::gpu_index()?;
    let Some(first) = devices.first() else { return Ok(()) };
    if let Some(b) = backend.filter(|b| !b.is_gpu()) {
        anyhow::bail!("--device {first} names a GPU, but --backend {b} runs on the CPU (use --backend wgpu)");
    }
    // SAFETY: called in `main` after parsing, before any thread exists.
    #[allow(unsafe_code)]
    unsafe {
        std::env::set_var(actlab_train::backend::DEVICE_ENV, first.to_string());
    }
    let _ = DEVICES.set(devices.to_vec());
    Ok(())
}

/// The GPUs `--device` listed (empty: none given).
pub fn devices() -> &'static [u16] {
    DEVICES.get().map_or(&[], Vec::as_slice)
}
