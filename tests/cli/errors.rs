//! Bad input ends with one clear line; unofficial files warn, or fail with --strict-data.

use std::fs;
use std::path::Path;

use crate::support::*;

#[test]
fn corrupt_inputs_end_with_one_clear_error() {
    let dir = tempfile::tempdir().expect("tempdir");
    let cifar = fake_cifar(dir.path(), 20);
    let cifar_config =
        |path: &Path| SYNTHETIC.replace("name = \"synthetic\"", &format!("name = \"cifar10\"\npath = \"{}\"", path.display()));
    // A truncated batch: the error names the file and the offset of the partial record.
    let batch = cifar.join("data_batch_3.bin");
    let bytes = fs::read(&batch).expect("read");
    fs::write(&batch, &bytes[..bytes.len() - 100]).expect("truncate");
    let config = write_config(dir.path(), "c.toml", &cifar_config(&cifar));
    let output = train(&config, &dir.path().join("r1"), &[]);
    assert_one_line_error(&output, "data_batch_3.bin");
    assert!(stderr(&output).contains("offset 58387"), "{}", stderr(&output));
    fs::write(&batch, &bytes).expect("restore");

    // A label byte of 10 in record 2.
    let mut bad = bytes.clone();
    bad[2 * 3073] = 10;
    fs::write(&batch, &bad).expect("write");
    let output = train(&config, &dir.path().join("r2"), &[]);
    assert_one_line_error(&output, "label 10 at byte offset 6146");
    fs::write(&batch, &bytes).expect("restore");

    // A bad IDX magic number.
    let mnist = dir.path().join("mnist");
    fs::create_dir_all(&mnist).expect("mkdir");
    fs::write(mnist.join("train-images-idx3-ubyte"), [0u8, 0, 8, 1, 0, 0, 0, 0]).expect("write");
    let output = actlab(&["data", "info", mnist.to_str().expect("utf8"), "--dataset", "mnist"]);
    assert_one_line_error(&output, "bad magic number");

    // An unknown config key, and a negative learning rate.
    let config = write_config(dir.path(), "k.toml", &SYNTHETIC.replace("lr = 0.01", "lr = 0.01\nlearning_rate = 3"));
    assert_one_line_error(&train(&config, &dir.path().join("r3"), &[]), "learning_rate");
    let config = write_config(dir.path(), "n.toml", SYNTHETIC);
    let output = train(&config, &dir.path().join("r4"), &["--set", "optimizer.lr=-0.1"]);
    assert_one_line_error(&output, "optimizer.lr");
    // A value of the wrong type names its key.
    let output = train(&config, &dir.path().join("r5"), &["--set", "training.batch_size=\"big\""]);
    assert_one_line_error(&output, "training.batch_size");
    // A missing data folder says how to get the data.
    let config = write_config(dir.path(), "m.toml", &cifar_config(&dir.path().join("nowhere")));
    assert_one_line_error(&train(&config, &dir.path().join("r6"), &[]), "actlab data download cifar10");
}

#[test]
fn unofficial_files_warn_by_default_and_fail_with_strict_data() {
    let dir = tempfile::tempdir().expect("tempdir");
    let cifar = fake_cifar(dir.path(), 40);
    let config = SYNTHETIC.replace("name = \"synthetic\"", &format!("name = \"cifar10\"\npath = \"{}\"", cifar.display()));
    let config = write_config(dir.path(), "c.toml", &config.replace("max_epochs = 2", "max_epochs = 0.5"));
    let output = train(&config, &dir.path().join("r1"), &[]);
    assert!(output.status.success(), "{}", stderr(&output));
    assert!(stderr(&output).contains("warning: ") && stderr(&output).contains("data_batch_1.bin"), "{}", stderr(&output));
    let output = train(&config, &dir.path().join("r2"), &["--strict-data"]);
    assert_one_line_error(&output, "is not the official");

    let info = actlab(&["data", "info", cifar.to_str().expect("utf8")]);
    assert!(info.status.success(), "{}", stderr(&info));
    let text = String::from_utf8_lossy(&info.stdout);
    assert!(text.contains("train: 200 images of 3x32x32"), "{text}");
    assert!(text.contains("NOT official"), "{text}");
}

/// A config for `dataset` at `path` (MLP, so any image shape trains).
fn dataset_config(dir: &Path, name: &str, path: &Path) -> std::path::PathBuf {
    let text = SYNTHETIC
        .replace("name = \"synthetic\"", &format!("name = \"{name}\"\npath = \"{}\"", path.display()))
        .replace("arch = \"convnet18\"", "arch = \"mlp\"\nhidden = [16]")
        .replace("max_epochs = 2", "max_epochs = 1");
    write_config(dir, &format!("{name}.toml"), &text)
}

#[test]
fn hostile_datasets_end_with_one_line_before_any_training() {
    let dir = tempfile::tempdir().expect("tempdir");
    // A sparse batch file of a terabyte: refused from its length, nothing allocated.
    let cifar = fake_cifar(dir.path(), 20);
    let batch = fs::OpenOptions::new().write(true).open(cifar.join("data_batch_2.bin")).expect("open");
    batch.set_len(1 << 40).expect("sparse");
    let config = dataset_config(dir.path(), "cifar10", &cifar);
    let output = train(&config, &dir.path().join("r1"), &[]);
    assert_one_line_error(&output, "more than the 10000 records");

    // Test images of another shape than the training images.
    let mnist = fake_mnist(&dir.path().join("a"), 64, 16, 28, 14);
    let config = dataset_config(dir.path(), "mnist", &mnist);
    assert_one_line_error(&train(&config, &dir.path().join("r2"), &[]), "test images are 1x14x14 but training images are 1x28x28");
    assert_one_line_error(&actlab(&["data", "info", mnist.to_str().expect("utf8"), "--dataset", "mnist"]), "test images are 1x14x14");

    // An empty test set: no "final test error 0.0000".
    let mnist = fake_mnist(&dir.path().join("b"), 64, 0, 28, 28);
    let config = dataset_config(dir.path(), "mnist", &mnist);
    assert_one_line_error(&train(&config, &dir.path().join("r3"), &[]), "the test set holds no images");

    // Dimensions whose product overflows.
    let mnist = fake_mnist(&dir.path().join("c"), 64, 16, 28, 28);
    let mut header = vec![0u8, 0, 8, 3];
    header.extend([0xff; 12]);
    header.extend([0; 16]);
    fs::write(mnist.join("train-images-idx3-ubyte"), header).expect("write");
    assert_one_line_error(&actlab(&["data", "info", mnist.to_str().expect("utf8"), "--dataset", "mnist"]), "outside 1..=4096");
}

#[test]
fn absurd_sizes_in_a_config_are_errors_not_aborts() {
    let dir = tempfile::tempdir().expect("tempdir");
    let config = write_config(dir.path(), "s.toml", SYNTHETIC);
    let cases = [
        ("dataset.synthetic.train=100000000000", "dataset.synthetic"),
        ("model.hidden=[1000000000]", "hidden"),
        ("model.width=100000000", "width"),
    ];
    for (set, needle) in cases {
        let mut extra = vec!["--set", set];
        if set.starts_with("model.hidden") {
            extra.extend(["--set", "model.arch=\"mlp\""]);
        }
        if set.starts_with("model.width") {
            extra.extend(["--set", "model.arch=\"plain\""]);
        }
        assert_one_line_error(&train(&config, &dir.path().join("r"), &extra), needle);
    }
}

#[test]
fn syntax_errors_and_io_errors_are_one_line_each() {
    let dir = tempfile::tempdir().expect("tempdir");
    let config = write_config(dir.path(), "bad.toml", &SYNTHETIC.replace("[model]", "[model"));
    let output = train(&config, &dir.path().join("r1"), &[]);
    assert_one_line_error(&output, "bad.toml:10:7: ");
    let missing = dir.path().join("absent.toml");
    let output = train(&missing, &dir.path().join("r2"), &[]);
    assert_one_line_error(&output, "absent.toml");
    let err = stderr(&output);
    assert_eq!(err.matches("No such file or directory").count(), 1, "said twice: {err}");
}

/// Resuming a flex run used to print four `error: XDG_RUNTIME_DIR ...` lines from the Vulkan
/// stack (Burn's optimizer loading initialised the default device, wgpu); so did `backends`.
#[test]
fn libraries_a_run_does_not_use_print_nothing() {
    let dir = tempfile::tempdir().expect("tempdir");
    let config = write_config(dir.path(), "s.toml", SYNTHETIC);
    let out = dir.path().join("r");
    let run = |extra: &[&str]| {
        let mut command = std::process::Command::new(env!("CARGO_BIN_EXE_actlab"));
        command.args(["train", "--progress", "quiet", "--config"]).arg(&config).arg("--out").arg(&out).args(extra);
        command.env_remove("XDG_RUNTIME_DIR").env_remove("BURN_DEVICE").output().expect("runs")
    };
    assert!(run(&["--set", "stop.max_epochs=1"]).status.success());
    let resumed = run(&[]);
    assert!(resumed.status.success(), "{}", stderr(&resumed));
    assert!(!stderr(&resumed).contains("error"), "stray output on resume: {}", stderr(&resumed));
    let backends =
        std::process::Command::new(env!("CARGO_BIN_EXE_actlab")).arg("backends").env_remove("XDG_RUNTIME_DIR").output().expect("runs");
    assert!(!stderr(&backends).contains("XDG_RUNTIME_DIR"), "{}", stderr(&backends));
}

/// Options a study would override or that would make two runs share a folder fail at once, with
/// one line, before any run folder is made.
#[test]
fn experiment_options_are_checked_before_any_training() {
    let dir = tempfile::tempdir().expect("tempdir");
    let out = dir.path().join("x");
    let o = out.to_str().expect("utf8");
    let cases: [(&[&str], &str); 5] = [
        (&["reproduce", "fig1", "--quick", "--out", o, "--set", "stop.max_epochs=nan"], "use --max-epochs"),
        (&["reproduce", "fig1", "--quick", "--out", o, "--lr-grid", "0.001,0.0010001"], "share the run folder lr-1e-3"),
        (&["study", "linearity", "--quick", "--out", o, "--set", "optimizer.lr=0.1"], "use --lr-start"),
        (
            &["study", "depth", "--quick", "--out", o, "--lr-start", "0.005"],
            "--lr-start: learning-rate start 0.005: must be 1 or 3 times a power of ten",
        ),
        (&["study", "depth", "--quick", "--out", o, "--set", "training.seed=3"], "use --seeds"),
    ];
    for (args, needle) in cases {
        assert_one_line_error(&actlab(args), needle);
        assert!(!out.join("runs").exists() && !out.join("search").exists(), "{args:?} made run folders");
    }
}

/// `--device` names a GPU: on a CPU backend it is an error, and so is an ACTLAB_DEVICE that is no
/// index, each one line before any run folder is made.
#[test]
fn a_gpu_index_is_checked_before_any_training() {
    let dir = tempfile::tempdir().expect("tempdir");
    let out = dir.path().join("x");
    let o = out.to_str().expect("utf8");
    assert_one_line_error(&actlab(&["--device", "0", "reproduce", "fig1", "--quick", "--out", o]), "--backend flex runs on the CPU");
    assert_one_line_error(&actlab(&["study", "sparsity", "--quick", "--out", o, "--device", "1"]), "--backend flex runs on the CPU");
    let config = write_config(dir.path(), "run.toml", SYNTHETIC);
    assert_one_line_error(&train(&config, &out, &["--device", "0"]), "trains on flex (the CPU)");
    let bad = std::process::Command::new(env!("CARGO_BIN_EXE_actlab"))
        .args(["train", "--config", config.to_str().expect("utf8"), "--backend", "wgpu", "--out", o])
        .env("ACTLAB_DEVICE", "first")
        .output()
        .expect("runs");
    assert_one_line_error(&bad, "ACTLAB_DEVICE=`first` is not a GPU index");
    assert!(!out.join("config.toml").exists(), "a run folder was made");
}
