#!/usr/bin/env bash
# The GPU check of issue 15, on a machine with an NVIDIA GPU, in one command once built:
#   1. build actlab (or take ACTLAB_BIN, a binary built elsewhere);
#   2. time a 2-iteration training run with an empty autotune cache, then with it filled; list the
#      GPUs and the backends, and run backend parity (one convnet18 step against flex) on every
#      GPU backend (`actlab backends --check`);
#   3. `actlab bench` on the GPU backends with PyTorch on the same GPU side by side, per-op profile;
#   4. the full `actlab reproduce fig1 --backend wgpu --jobs JOBS` on the GPU, for at most
#      FIG1_SECONDS (it is resumable: run the script again with the same OUT to go on), then
#      its report from what finished.
# Everything it measures goes into OUT (default device-check): summary.md (what ran, how long,
# exit codes), log.txt, gpu.txt, backends.txt, bench.md/bench.json, fig1/ (report, runs' metrics).
#
# Usage: scripts/device-check.sh [OUT] [CIFAR10_DIR]
# Environment: ACTLAB_BIN (skip the build), CARGO_FEATURES (e.g. cuda), JOBS (default 8),
# FIG1_SECONDS (default 300; 0 skips Figure 1), PYTHON (default python3), BENCH_STEPS (default 20),
# BENCH_ARGS (more `actlab bench` flags, e.g. "--batch 8 --warmup 1" for a trial on a CPU adapter).
set -uo pipefail
cd "$(dirname "$0")/.."

out=${1:-device-check}
data=${2:-data/cifar-10-batches-bin}
jobs=${JOBS:-8}
fig1_seconds=${FIG1_SECONDS:-300}
python=${PYTHON:-python3}
mkdir -p "$out"
out=$(cd "$out" && pwd)
log="$out/log.txt"
summary="$out/summary.md"
rows="$out/stages.tmp"
: >"$log"
: >"$rows"
printf '# device check, %s\n\n' "$(date -u +%FT%TZ)" >"$summary"

# stage NAME COMMAND...: runs COMMAND with its output in log.txt and a row in summary.md.
stage() {
    local name=$1
    shift
    echo "== $name: $*" | tee -a "$log"
    local start=$SECONDS
    "$@" 2>&1 | tee -a "$log"
    local rc=${PIPESTATUS[0]}
    printf '| %s | %d | %d |\n' "$name" $((SECONDS - start)) "$rc" >>"$rows"
    return "$rc"
}

actlab=${ACTLAB_BIN:-}
if [ -z "$actlab" ]; then
    features=()
    [ -n "${CARGO_FEATURES:-}" ] && features=(--features "$CARGO_FEATURES")
    stage build cargo build --release "${features[@]}" || exit 1
    actlab=target/release/actlab
fi
actlab=$(realpath "$actlab")
echo "$("$actlab" --version), $(git rev-parse --short HEAD 2>/dev/null || echo 'no git')" >>"$summary"

nvidia-smi -L >"$out/gpu.txt" 2>&1
nvidia-smi --query-gpu=name,driver_version,memory.total --format=csv >>"$out/gpu.txt" 2>&1
gpu_backends=$("$actlab" backends | awk -F: '$2 ~ /available/ && $2 !~ /unavailable/ && ($1 == "wgpu" || $1 == "cuda") {print $1}' | paste -sd, -)
echo "GPU backends available: ${gpu_backends:-none}" | tee -a "$log" "$summary"

# What the on-disk autotune cache saves at start: Figure 1's ReLU run for 2 iterations, in a cache
# of its own (CUBECL_ENVIRONMENT names a separate database), first empty, then filled by the first.
backend=${gpu_backends%%,*}
if [ -n "$gpu_backends" ] && [ -d "$data" ]; then
    fresh="device-check-$(date +%s)"
    for pass in empty filled; do
        stage "start-up, $pass cache (fig1-relu.toml, 2 iterations, $backend)" \
            env CUBECL_ENVIRONMENT="$fresh" "$actlab" train --config configs/fig1-relu.toml \
            --backend "$backend" --set dataset.path="$data" --set dataset.subset_per_class=26 \
            --set stop.max_epochs=1 --out "$out/startup-$pass" --progress quiet
    done
fi

stage backends "$actlab" backends --check >"$out/backends.txt"
cat "$out/backends.txt" >>"$log"

if [ -n "$gpu_backends" ]; then
    data_flag=()
    [ -d "$data" ] && data_flag=(--data "$data")
    stage bench "$actlab" bench --backends "flex,$gpu_backends" --profile "$gpu_backends" --no-plain \
        --steps "${BENCH_STEPS:-20}" --rounds 3 --python "$python" "${data_flag[@]}" --out "$out" ${BENCH_ARGS:-}
fi

if [ "$fig1_seconds" -gt 0 ] && [ -n "$gpu_backends" ]; then
    runs="$out/fig1-runs"
    stage "fig1 (--backend $backend --jobs $jobs, at most ${fig1_seconds} s)" \
        timeout --signal=INT --kill-after=20 "$fig1_seconds" \
        "$actlab" reproduce fig1 --backend "$backend" --jobs "$jobs" --data "$data" --out "$runs" --progress lines
    stage "fig1 report" "$actlab" reproduce fig1 --backend "$backend" --data "$data" --out "$runs" --report-only
    # The runs' configs, metrics and summaries (not their checkpoints), with the report.
    mkdir -p "$out/fig1"
    (cd "$runs" && find . -name '*.toml' -o -name '*.csv' -o -name '*.json' -o -name '*.md' -o -name '*.png' -o -name '*.svg' |
        tar -cf - -T - | tar -xf - -C "$out/fig1")
    finished=$(find "$runs" -name summary.json | wc -l)
    echo "fig1: $finished run(s) finished" | tee -a "$summary"
fi
printf '\n| stage | seconds | exit |\n|---|---|---|\n' >>"$summary"
cat "$rows" >>"$summary"
rm -f "$rows"
echo "wrote $out" | tee -a "$log"
