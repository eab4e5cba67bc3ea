"""Restore images with a trained model (same as the `mmdiffir-infer`
console command installed by setup.py):

    python tools/infer.py CONFIG CHECKPOINT INPUT OUT_DIR [--task rain]
        [--tile 512 --tile-overlap 32] [--flip 8] [--dry-run]

INPUT is an image file, a folder or a quoted glob pattern; see
`python tools/infer.py -h` and mmdiffir/apis/cli.py.
"""
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

from mmdiffir.apis.cli import cli, main  # noqa: E402,F401

if __name__ == '__main__':
    cli()
