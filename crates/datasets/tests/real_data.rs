//! Tests on the real CIFAR-10 and MNIST files. They look in $ACTLAB_DATA, else in target/data
//! (where `.ci/run` unpacks ../shared/data); with no data there they say so and check nothing.

use actlab_datasets::idx::{self, IdxDataset};
use actlab_datasets::{checksum::Verdict, cifar10};
use std::path::PathBuf;
use std::time::Instant;

fn data_dir() -> PathBuf {
    std::env::var_os("ACTLAB_DATA")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../target/data"))
}

#[test]
fn real_cifar10_loads_whole_and_its_training_batches_are_official() {
    let dir = data_dir().join(cifar10::FOLDER);
    if !dir.is_dir() {
        eprintln!("SKIPPED: no CIFAR-10 at {} (run ../shared/data/prepare.sh target/data)", dir.display());
        return;
    }
    let started = Instant::now();
    let data = cifar10::load(&dir).expect("real CIFAR-10 loads");
    let seconds = started.elapsed().as_secs_f64();
    eprintln!("loaded CIFAR-10 (60,000 images, 184 MB) in {seconds:.2} s");
    assert_eq!(data.train.len(), 50_000);
    assert_eq!(data.train.class_counts(), vec![5_000; 10]);
    assert_eq!(data.test.as_ref().map(|t| t.len()), Some(10_000));
    for file in &data.files {
        eprintln!("{} {} {:?}", file.md5, file.file, file.verdict);
        if file.file.contains("data_batch_") {
            assert_eq!(file.verdict, Verdict::Official, "{}", file.file);
        }
    }
}

#[test]
fn real_mnist_loads_and_is_official() {
    let dir = data_dir().join("mnist");
    if !dir.is_dir() {
        eprintln!("SKIPPED: no MNIST at {} (run ../shared/data/prepare.sh target/data)", dir.display());
        return;
    }
    let data = idx::load(IdxDataset::Mnist, &dir).expect("real MNIST loads");
    assert_eq!(data.train.len(), 60_000);
    assert_eq!(data.train.shape, [1, 28, 28]);
    assert_eq!(data.test.as_ref().map(|t| t.len()), Some(10_000));
    assert_eq!(data.files.len(), 4);
    for file in &data.files {
        assert_eq!(file.verdict, Verdict::Official, "{}", file.file);
    }
}
