"""Print a config as mmdiffir's tools see it: _base_ files merged,
--cfg-options applied, the same checks as tools/train.py (misspelt
top-level keys, option types).

    python tools/misc/print_config.py CONFIG [--cfg-options k=v ...]
                                      [--save FILE.py]
"""
import argparse
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.dirname(
    os.path.abspath(__file__)))))

from mmdiffir.utils.config import add_common_args, load_config  # noqa: E402


def parse_args(argv=None):
    parser = add_common_args(argparse.ArgumentParser(
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter))
    parser.add_argument('--save', metavar='FILE.py',
                        help='also write the merged config to this file')
    return parser.parse_args(argv)


def main(argv=None) -> str:
    args = parse_args(argv)
    cfg = load_config(args)
    text = cfg.pretty_text
    print(text)
    if args.save:
        cfg.dump(args.save)
        print(f'saved to {args.save}', file=sys.stderr)
    return text


if __name__ == '__main__':
    main()
