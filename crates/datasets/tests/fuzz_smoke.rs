//! A short run of each dataset fuzz target in the test suite: the seed corpus of `fuzz/corpus/`
//! and 20,000 mutants of it each. The long runs (millions of inputs) use cargo fuzz; see the
//! README's reliability section.

#[path = "../../../tests/support/mutate.rs"]
mod mutate;

use actlab_datasets::fuzz_targets::{cifar_batch, cifar_tarball, idx_file};
use std::path::Path;

const EXECUTIONS: usize = 20_000;

fn corpus(target: &str) -> Vec<Vec<u8>> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../fuzz/corpus").join(target);
    let mut seeds: Vec<Vec<u8>> =
        std::fs::read_dir(&dir).expect("fuzz corpus").map(|e| std::fs::read(e.expect("entry").path()).expect("seed")).collect();
    assert!(!seeds.is_empty(), "no seeds in {}", dir.display());
    seeds.sort();
    seeds
}

#[test]
fn cifar_batch_parser_survives_mutants() {
    assert_eq!(mutate::smoke(&corpus("cifar_batch"), EXECUTIONS, cifar_batch), EXECUTIONS + 1);
}

#[test]
fn cifar_tarball_reader_survives_mutants() {
    assert_eq!(mutate::smoke(&corpus("cifar_tarball"), EXECUTIONS, cifar_tarball), EXECUTIONS + 1);
}

#[test]
fn idx_parser_survives_mutants() {
    assert_eq!(mutate::smoke(&corpus("idx_file"), EXECUTIONS, idx_file), EXECUTIONS + 4);
}
