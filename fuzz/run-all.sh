#!/usr/bin/env bash
# The long fuzz runs: every target for RUNS executions (default 1,000,000), each starting from the
# seeds in fuzz/corpus/TARGET and keeping what it finds in runs/fuzz/TARGET (so the committed seeds
# stay as they are). Needs nightly Rust and `cargo install cargo-fuzz`. Prints libFuzzer's
# closing line of each target; a crash stops the script with the input in fuzz/artifacts/.
set -euo pipefail
cd "$(dirname "$0")"
runs=${1:-1000000}
for target in cifar_batch cifar_tarball idx_file config_text; do
    mkdir -p "../runs/fuzz/$target"
    start=$(date +%s)
    cargo +nightly fuzz run -O "$target" "../runs/fuzz/$target" "corpus/$target" -- -runs="$runs" -print_final_stats=1 \
        > "../runs/fuzz/$target.log" 2>&1
    echo "$target: $(grep -E '^Done [0-9]+ runs' "../runs/fuzz/$target.log") (wall $(( $(date +%s) - start )) s, corpus $(ls "../runs/fuzz/$target" | wc -l) inputs)"
done
