#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| actlab_datasets::fuzz_targets::cifar_batch(data));
