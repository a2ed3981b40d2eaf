#!/usr/bin/env bash
# Prepares the LLVM that the `cuda` feature links, from PyPI instead of github.com.
#
# Burn's CUDA runtime (cubecl-cuda 0.11) always pulls cubecl-llvm, whose build dependency
# tracel-llvm-bundler 23.1.0-4 downloads an LLVM 23.1 bundle from github.com releases: with only
# the package registries reachable, `cargo build --features cuda` fails there. The bundler skips
# its download when `${XDG_DATA_HOME:-~/.local/share}/tracel/tracel-llvm-23.1.0-4/
# .tracel-llvm-installed` exists, and then only asks that folder's `bin/llvm-config` for flags.
# mlc-llvm-static 23.1.1 (PyPI, pinned with hashes in offline-llvm.requirements.txt) is a static
# LLVM SDK with such an llvm-config (a Python script) and, in its add-on wheel, the NVPTX back end.
# So: install both wheels in a virtual environment, make its `static/` folder that path, and mark
# it installed. Users with network access need none of this.
#
# Usage: scripts/offline-llvm.sh [DATA_HOME]      (default: ${XDG_DATA_HOME:-~/.local/share})
# then:  XDG_DATA_HOME=DATA_HOME cargo build --release --features cuda
#        (no XDG_DATA_HOME needed when DATA_HOME is the default).
# Idempotent: a second run with the SDK in place only checks it. Prints the LLVM folder.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
data_home=${1:-${XDG_DATA_HOME:-$HOME/.local/share}}
mkdir -p "$data_home/tracel"
data_home=$(cd "$data_home" && pwd)
llvm=$data_home/tracel/tracel-llvm-23.1.0-4
venv=$data_home/tracel/mlc-llvm-static-23.1.1.post0
marker=.tracel-llvm-installed

works() { [ -e "$llvm/$marker" ] && "$llvm/bin/llvm-config" --version 2>/dev/null | grep -q '^23\.1\.' \
    && "$llvm/bin/llvm-config" --components 2>/dev/null | grep -qw nvptx; }
if works; then
    echo "$llvm"
    exit 0
fi
if [ -e "$llvm" ] && [ ! -L "$llvm" ]; then
    echo "offline-llvm: $llvm exists and is not this script's link; move it away first" >&2
    exit 1
fi

python3 -m venv "$venv" >&2
"$venv/bin/pip" install --quiet --disable-pip-version-check --only-binary=:all: --require-hashes \
    -r "$here/offline-llvm.requirements.txt" >&2
static=$("$venv/bin/python" -c 'import mlc_llvm_static, pathlib; print(pathlib.Path(mlc_llvm_static.__file__).parent / "static")')
ln -sfn "$static" "$llvm"
touch "$llvm/$marker"
if ! works; then
    echo "offline-llvm: $llvm/bin/llvm-config does not report LLVM 23.1 with NVPTX" >&2
    exit 1
fi
echo "$llvm"
