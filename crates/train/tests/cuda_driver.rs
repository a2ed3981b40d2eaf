//! The CUDA driver probe against stand-in drivers: each way a machine can lack CUDA gets its own
//! one-line answer, and a working driver's device count comes through.

#[path = "../../../tests/support/fake_cuda.rs"]
mod fake_cuda;

use actlab_train::cuda_driver::{NoCuda, gpu_count_with};
use fake_cuda::fake_driver;

fn probe(dir: &tempfile::TempDir, name: &str, answers: Option<(i32, i32)>) -> Result<usize, NoCuda> {
    let library = fake_driver(&dir.path().join(name), answers);
    gpu_count_with(library.to_str().expect("a UTF-8 temporary path"))
}

#[test]
fn a_missing_library_is_no_driver() {
    let missing = "/nonexistent/actlab/libcuda.so.1";
    let error = gpu_count_with(missing).expect_err("no library there");
    assert_eq!(error, NoCuda::NoDriver { library: missing.into() });
    assert_eq!(error.to_string(), format!("no NVIDIA driver found ({missing})"));
}

#[test]
fn each_answer_of_the_driver_has_its_own_message() {
    let dir = tempfile::tempdir().expect("temp dir");
    assert_eq!(probe(&dir, "two-gpus", Some((0, 2))), Ok(2));
    assert_eq!(probe(&dir, "no-device", Some((100, 0))), Err(NoCuda::NoGpu));
    assert_eq!(probe(&dir, "zero-devices", Some((0, 0))), Err(NoCuda::NoGpu));
    assert_eq!(probe(&dir, "broken", Some((999, 0))), Err(NoCuda::DriverError { call: "cuInit", code: 999 }));
    assert_eq!(NoCuda::NoGpu.to_string(), "driver found, no GPU");
    let impostor = probe(&dir, "impostor", None).expect_err("no cuInit");
    assert!(matches!(impostor, NoCuda::NotADriver { symbol: "cuInit", .. }), "{impostor:?}");
}
