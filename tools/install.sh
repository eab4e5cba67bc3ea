#!/usr/bin/env bash
# Build mmdiffir's virtual environment from nothing (idempotent).
#
#   bash tools/install.sh            # creates ./.venv
#   MMDIFFIR_VENV=/path bash tools/install.sh
#
# Steps, and why each is separate (see docs/en/get_started.md):
#  1. torch 2.14.1 + torchvision 0.29.1 (mmagic imports torchvision at import time).
#  2. runtime requirements under requirements/constraints.txt (numpy<2 etc.).
#  3. mmcv 2.1.0 *with ops*: mmagic's register_all_modules() imports mmcv.ops.
#     PyPI has only the source; a wheel is taken from $MMDIFFIR_WHEELS,
#     ../shared/wheels or the local cache, otherwise built once (c++20 patch for
#     torch 2.14 headers) and cached in ~/.cache/mmdiffir/wheels.
#  4. mmagic 1.2.0 with --no-deps (its declared deps resolve to numpy 2 / a
#     diffusers without paint_by_example and then fail to import).
#  5. mmdiffir itself in editable mode.
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$here"
venv=${MMDIFFIR_VENV:-$here/.venv}
py_bin=${PYTHON:-python3.11}
command -v "$py_bin" >/dev/null 2>&1 || py_bin=python3
cache=${MMDIFFIR_WHEEL_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/mmdiffir/wheels}
cons=requirements/constraints.txt

# Skip everything when the venv was built from exactly these requirement files.
stamp_src=$(cat requirements/*.txt setup.py tools/install.sh | sha256sum | cut -c1-16)
if [ -f "$venv/.mmdiffir-stamp" ] && [ "$(cat "$venv/.mmdiffir-stamp")" = "$stamp_src" ] \
   && "$venv/bin/python" -c "import mmdiffir" 2>/dev/null; then
  echo "[install] $venv is up to date"
  exit 0
fi

log() { echo "[install $(date +%H:%M:%S)] $*"; }
[ -x "$venv/bin/python" ] || { log "creating venv $venv with $py_bin"; "$py_bin" -m venv "$venv"; }
pip() { "$venv/bin/python" -m pip --disable-pip-version-check "$@"; }

log "torch + torchvision"
pip install -q -c "$cons" torch==2.14.1 torchvision==0.29.1
log "runtime and test requirements"
pip install -q -c "$cons" -r requirements/build.txt -r requirements/runtime.txt -r requirements/tests.txt

if ! "$venv/bin/python" -c "import mmcv, mmcv.ops; assert mmcv.__version__ == '2.1.0'" 2>/dev/null; then
  pytag=$("$venv/bin/python" -c "import sys; print(f'cp{sys.version_info[0]}{sys.version_info[1]}')")
  wheel=""
  for d in ${MMDIFFIR_WHEELS:-} "$here/../shared/wheels" "$cache"; do
    for w in "$d"/mmcv-2.1.0-"$pytag"-*.whl; do [ -f "$w" ] && { wheel=$w; break 2; }; done
  done
  if [ -z "$wheel" ]; then
    log "no mmcv 2.1.0 wheel for $pytag found: building it with ops (10-17 min on 2 cores)"
    build=$(mktemp -d)
    pip download -q --no-deps --no-binary :all: -d "$build" mmcv==2.1.0
    tar -xzf "$build"/mmcv-2.1.0.tar.gz -C "$build"
    # torch 2.14's ATen headers refuse anything older than C++20.
    sed -i 's/-std=c++17/-std=c++20/g' "$build"/mmcv-2.1.0/setup.py
    mkdir -p "$cache"
    # CPU ops unless the caller asks for CUDA ops explicitly (FORCE_CUDA=1).
    (cd "$build"/mmcv-2.1.0 && CUDA_VISIBLE_DEVICES=${FORCE_CUDA:+$CUDA_VISIBLE_DEVICES} \
       MMCV_WITH_OPS=1 MAX_JOBS=${MAX_JOBS:-2} \
       "$venv/bin/python" -m pip wheel -q --no-build-isolation --no-deps -w "$cache" .)
    rm -rf "$build"
    wheel=$(ls "$cache"/mmcv-2.1.0-"$pytag"-*.whl | head -n1)
  fi
  log "mmcv from $wheel"
  pip install -q --no-deps "$wheel"
fi

log "mmagic 1.2.0 (--no-deps; its needs are in requirements/runtime.txt)"
pip install -q --no-deps mmagic==1.2.0
log "mmdiffir (editable)"
pip install -q --no-deps --no-build-isolation -e .
"$venv/bin/python" -c "import mmdiffir, mmagic, mmcv.ops; print('[install] mmdiffir', mmdiffir.__version__, 'ready in', '$venv')"
echo "$stamp_src" > "$venv/.mmdiffir-stamp"
