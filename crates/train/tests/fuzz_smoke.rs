//! A short run of the config parser's fuzz target in the test suite: the seed corpus of
//! `fuzz/corpus/config_text` (the project's configs) and 20,000 mutants of it. The long runs use
//! cargo fuzz; see the README's reliability section.

#[path = "../../../tests/support/mutate.rs"]
mod mutate;

use actlab_train::fuzz_target::config_text;
use std::path::Path;

#[test]
fn config_parser_survives_mutants_and_round_trips() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../fuzz/corpus/config_text");
    let mut seeds: Vec<Vec<u8>> =
        std::fs::read_dir(&dir).expect("fuzz corpus").map(|e| std::fs::read(e.expect("entry").path()).expect("seed")).collect();
    seeds.sort();
    assert!(seeds.len() >= 5, "seeds in {}", dir.display());
    assert_eq!(mutate::smoke(&seeds, 20_000, config_text), 20_000 + seeds.len());
}
