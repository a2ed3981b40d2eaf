#!/usr/bin/env bash
# The GPU check of issue 15, on a machine with an NVIDIA GPU, in one command once built:
#   0. unpack what `pack` staged (when STAGED names its folder): the binary and CIFAR-10;
#   1. build actlab (or take ACTLAB_BIN, a binary built elsewhere); find the CUDA libraries the
#      cuda backend needs at run time (libdevice, from pip's nvidia-nvvm or triton wheels);
#   2. time a 2-iteration training run with an empty autotune cache, then with it filled; list the
#      GPUs and the backends, and run backend parity (one convnet18 step against flex) on every
#      GPU backend (`actlab backends --check`: wgpu and cuda);
#   3. `actlab bench` on the GPU backends with PyTorch on the same GPU side by side, per-op profile;
#   4. the full `actlab reproduce fig1 --backend FIG1_BACKEND --jobs JOBS` on the GPU, for at most
#      FIG1_SECONDS (it is resumable: run the script again with the same OUT to go on), then
#      its report from what finished.
# Everything it measures goes into OUT (default device-check): summary.md (what ran, how long,
# exit codes), log.txt, gpu.txt, backends.txt, bench.md/bench.json, fig1/ (report, runs' metrics).
#
# Usage: scripts/device-check.sh [OUT] [CIFAR10_DIR]
#        scripts/device-check.sh pack [STAGE] [CIFAR10_DIR]   (on the build machine, see below)
# Environment: ACTLAB_BIN (skip the build), CARGO_FEATURES (e.g. cuda), STAGED (a `pack` folder to
# unpack first), JOBS (default 8), FIG1_SECONDS (default 300; 0 skips Figure 1), FIG1_BACKEND
# (default cuda where it runs, else wgpu), PYTHON (default python3), BENCH_STEPS (default 20),
# BENCH_ARGS (more `actlab bench` flags, e.g. "--batch 8 --warmup 1" for a trial on a CPU adapter).
#
# A lent GPU machine has no Rust toolchain and no CIFAR-10, and takes at most 64 MiB of carried
# files per call. `pack` builds the cuda binary here (with scripts/offline-llvm.sh; it has every
# backend, so it is the only binary carried), strips it, compresses it and the CIFAR-10 batches
# with xz, and sorts them into STAGE/load-N folders of at most LOAD_MIB (default 60) MiB each:
# carry one load per call while the machine stays warm, then run `STAGED=STAGE
# scripts/device-check.sh OUT` there (STAGE/README.txt says how). Measured: the cuda binary,
# 245 MB unstripped, is 41.6 MB stripped and compressed; each CIFAR-10 batch 23 MB: four loads.
set -uo pipefail
cd "$(dirname "$0")/.."

# pack [STAGE] [CIFAR10_DIR]: what a lent GPU machine needs, in loads it can take one per call.
pack() {
    local stage=${1:-target/device-stage} cifar=${2:-target/data/cifar-10-batches-bin}
    local limit=$((${LOAD_MIB:-60} * 1024 * 1024)) binary=${ACTLAB_BIN:-}
    rm -rf "$stage" && mkdir -p "$stage/files"
    if [ -z "$binary" ]; then
        local llvm_home=target/offline-llvm
        scripts/offline-llvm.sh "$llvm_home" >/dev/null || return 1
        XDG_DATA_HOME=$PWD/$llvm_home cargo build --release --workspace --features actlab/cuda || return 1
        binary=target/release/actlab
    fi
    strip -o "$stage/files/actlab" "$binary" && xz -T0 -6 "$stage/files/actlab" || return 1
    for batch in "$cifar"/*.bin; do
        xz -T0 -6 -c "$batch" >"$stage/files/$(basename "$batch").xz" || return 1
    done
    # First fit, biggest first: each load stays under the limit a call can carry.
    local load=0 used=$limit file size
    while read -r size file; do
        if [ $((used + size)) -gt "$limit" ]; then
            load=$((load + 1)) used=0
            mkdir -p "$stage/load-$load"
        fi
        mv "$stage/files/$file" "$stage/load-$load/" && used=$((used + size))
    done < <(cd "$stage/files" && find . -type f -printf '%s %f\n' | sort -rn)
    rmdir "$stage/files"
    du -sh "$stage"/load-* | tee "$stage/loads.txt"
    cat <<EOT | tee "$stage/README.txt"
Carry $stage/load-1 .. load-$load, one per call while the machine stays warm (each at most
${LOAD_MIB:-60} MiB; the working tree travels too and counts against the same 64 MiB, so take
docs/ out of it for those calls: git rm -r -q --cached docs, docs/ in .git/info/exclude, and
git reset -q docs afterwards). In the last call:
  STAGED=$stage scripts/device-check.sh OUT
EOT
}
if [ "${1:-}" = pack ]; then
    shift
    pack "$@"
    exit $?
fi

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

# 0. What `pack` staged: the binary and the CIFAR-10 batches, decompressed into OUT.
if [ -n "${STAGED:-}" ]; then
    mkdir -p "$out/staged/cifar-10-batches-bin"
    for file in "$STAGED"/load-*/*.xz; do
        case $(basename "$file") in
        actlab.xz) xz -dc "$file" >"$out/staged/actlab" && chmod +x "$out/staged/actlab" ;;
        *) xz -dc "$file" >"$out/staged/cifar-10-batches-bin/$(basename "$file" .xz)" ;;
        esac
    done
    ACTLAB_BIN=$out/staged/actlab
    data=$out/staged/cifar-10-batches-bin
    echo "unpacked $STAGED: $(ls "$data" | wc -l) CIFAR-10 batch file(s) and the binary" | tee -a "$log"
fi

# The cuda backend compiles kernels with LLVM (Burn's default CUDA compiler), which links NVIDIA's
# libdevice.10.bc for tanh and exp: it looks in $CUDA_PATH/nvvm/libdevice, else /usr/local/cuda.
# A machine with PyTorch's CUDA wheels has the file without a toolkit: in nvidia-nvvm
# (nvidia/cu13/nvvm/libdevice/, a toolkit-shaped folder) or in triton
# (triton/backends/nvidia/lib/, linked into a folder of that shape here). The C++ compiler
# (cubecl-cuda's `cpp` feature) would need libnvrtc.so.13 (nvidia-cuda-nvrtc, 110 MB) instead.
cuda_libraries() {
    [ -n "${CUDA_PATH:-}" ] && return 0
    [ -f /usr/local/cuda/nvvm/libdevice/libdevice.10.bc ] && return 0
    local sites libdevice
    sites=$("$python" -c 'import site; print(" ".join(site.getsitepackages()))' 2>/dev/null) || return 0
    # shellcheck disable=SC2086
    libdevice=$(find $sites -name libdevice.10.bc 2>/dev/null | sort | head -n 1)
    [ -z "$libdevice" ] && { echo "cuda: no libdevice.10.bc in $sites" | tee -a "$log"; return 0; }
    case $libdevice in
    */nvvm/libdevice/libdevice.10.bc) export CUDA_PATH=${libdevice%/nvvm/libdevice/libdevice.10.bc} ;;
    *)
        mkdir -p "$out/cuda-root/nvvm/libdevice"
        ln -sf "$libdevice" "$out/cuda-root/nvvm/libdevice/libdevice.10.bc"
        export CUDA_PATH=$out/cuda-root
        ;;
    esac
    echo "cuda: CUDA_PATH=$CUDA_PATH (libdevice from $libdevice)" | tee -a "$log" "$summary"
}

actlab=${ACTLAB_BIN:-}
if [ -z "$actlab" ]; then
    features=()
    [ -n "${CARGO_FEATURES:-}" ] && features=(--features "$CARGO_FEATURES")
    stage build cargo build --release "${features[@]}" || exit 1
    actlab=target/release/actlab
fi
actlab=$(realpath "$actlab")
cuda_libraries
echo "$("$actlab" --version), $(git rev-parse --short HEAD 2>/dev/null || echo 'no git')" >>"$summary"

nvidia-smi -L >"$out/gpu.txt" 2>&1
nvidia-smi --query-gpu=name,driver_version,memory.total --format=csv >>"$out/gpu.txt" 2>&1
gpu_backends=$("$actlab" backends | awk -F: '$2 ~ /available/ && $2 !~ /unavailable/ && ($1 == "wgpu" || $1 == "cuda") {print $1}' | paste -sd, -)
echo "GPU backends available: ${gpu_backends:-none}" | tee -a "$log" "$summary"

# What the on-disk autotune cache saves at start: Figure 1's ReLU run for 2 iterations, in a cache
# of its own (CUBECL_ENVIRONMENT names a separate database), first empty, then filled by the first.
# Figure 1 and the start-up timing on FIG1_BACKEND, else cuda where it runs, else wgpu.
case ",$gpu_backends," in
*,cuda,*) backend=${FIG1_BACKEND:-cuda} ;;
*) backend=${FIG1_BACKEND:-${gpu_backends%%,*}} ;;
esac
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
