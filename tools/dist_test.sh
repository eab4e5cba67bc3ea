#!/usr/bin/env bash
# Distributed testing with torchrun (see dist_launch.sh for multi-node).
#   bash tools/dist_test.sh CONFIG CHECKPOINT NPROC [test.py args...]
set -euo pipefail
exec bash "$(dirname "$0")/dist_launch.sh" test.py "$3" "$1" "$2" "${@:4}"
