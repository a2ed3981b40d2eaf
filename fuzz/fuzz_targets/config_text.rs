#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| actlab_train::fuzz_target::config_text(data));
