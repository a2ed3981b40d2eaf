//! Stand-ins for NVIDIA's `libcuda.so.1`, compiled with the system's C compiler (the one Rust
//! links with), so the CUDA driver probe is tested on machines without a driver or a GPU.

use std::path::{Path, PathBuf};
use std::process::Command;

/// What the stand-in's `cuInit` returns and how many devices `cuDeviceGetCount` reports;
/// `None`: a library without the driver's entry points.
pub fn fake_driver(dir: &Path, answers: Option<(i32, i32)>) -> PathBuf {
    std::fs::create_dir_all(dir).expect("a folder for the stand-in driver");
    let source = dir.join("fake_cuda.c");
    let body = match answers {
        Some((init, count)) => format!(
            "int cuInit(unsigned int flags) {{ (void)flags; return {init}; }}\n\
             int cuDeviceGetCount(int *count) {{ *count = {count}; return 0; }}\n"
        ),
        None => "int not_the_driver(void) { return 0; }\n".to_string(),
    };
    std::fs::write(&source, body).expect("write the stand-in's source");
    let library = dir.join("libcuda.so.1");
    let status = Command::new(std::env::var("CC").unwrap_or_else(|_| "cc".into()))
        .args(["-shared", "-fPIC", "-o"])
        .arg(&library)
        .arg(&source)
        .status()
        .expect("the C compiler Rust links with (cc) runs");
    assert!(status.success(), "cc could not build the stand-in driver");
    library
}
