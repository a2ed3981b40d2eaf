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
    set("XDG_RUNTIME_DIR", std::env::temp_dir().join("actlab-no-display-session").as_os_str());
}
