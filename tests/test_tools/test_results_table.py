import json
import os
import sys

import pytest

from tests.helpers import REPO

sys.path.insert(0, os.path.join(REPO, 'tools', 'analysis_tools'))
import results_table  # noqa: E402


def test_newest_table_per_run_becomes_rows(tmp_path):
    run = tmp_path / 'run_a'
    for stamp, psnr in (('20260101_000000', 1.0), ('20260102_000000', 30.5)):
        (run / stamp).mkdir(parents=True)
        (run / stamp / 'benchmark_table.json').write_text(json.dumps(
            {'CBSD68': {'PSNR': psnr, 'SSIM': 0.81234}}))
    text = results_table.markdown([str(run)])
    assert '| run_a | CBSD68 | 30.50 | 0.8123 |' in text.splitlines()


def test_missing_table_is_named(tmp_path):
    with pytest.raises(FileNotFoundError, match='run_b'):
        results_table.markdown([str(tmp_path / 'run_b')])
