#!/usr/bin/env bash
# Distributed training with torchrun (see dist_launch.sh for multi-node).
#   bash tools/dist_train.sh CONFIG NPROC [train.py args...]
set -euo pipefail
exec bash "$(dirname "$0")/dist_launch.sh" train.py "$2" "$1" "${@:3}"
