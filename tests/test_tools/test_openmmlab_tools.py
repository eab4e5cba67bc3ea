"""The OpenMMLab tools users expect (issue 18.10): print_config,
browse_dataset, publish_model (test.py --out is tested with the test tool
in test_train_test_cli.py)."""
import hashlib
import os
import shutil
import subprocess
import sys

import cv2
import numpy as np
import pytest
import yaml

from tests.helpers import DEMO_CONFIG, REPO, load_tool, tiny_train_cfg

TOOLS = {
    'print_config': 'tools/misc/print_config.py',
    'browse_dataset': 'tools/analysis_tools/browse_dataset.py',
    'publish_model': 'tools/model_converters/publish_model.py',
}


def _import(name):
    return load_tool(TOOLS[name])


@pytest.mark.parametrize('name', sorted(TOOLS))
def test_tool_answers_help(name):
    proc = subprocess.run([sys.executable, os.path.join(REPO, TOOLS[name]),
                           '--help'], cwd='/', capture_output=True,
                          text=True, timeout=120)
    assert proc.returncode == 0, proc.stderr[-2000:]
    assert 'usage:' in proc.stdout


def test_print_config_shows_merged_options(tmp_path, capsys):
    tool = _import('print_config')
    text = tool.main([DEMO_CONFIG, '--cfg-options', 'train_cfg.max_iters=7',
                      '--save', str(tmp_path / 'merged.py')])
    assert 'max_iters=7' in text and 'max_iters=7' in capsys.readouterr().out
    assert "type='FastResumeIterBasedTrainLoop'" in open(
        tmp_path / 'merged.py').read()
    typo = tmp_path / 'typo.py'
    typo.write_text(f"_base_ = ['{DEMO_CONFIG}']\nparam_shceduler = []\n")
    with pytest.raises(KeyError, match='param_scheduler'):
        tool.main([str(typo)])


def test_browse_dataset_writes_labelled_pairs(tmp_path, registered):
    tool = _import('browse_dataset')
    files = tool.main([DEMO_CONFIG, '--num', '2', '--out-dir',
                       str(tmp_path)])
    assert len(files) == 2
    grid = cv2.imread(files[0])
    # two panels of equal width (degraded | clean) and a 4-pixel gap,
    # under a title strip and a label strip
    width = (grid.shape[1] - 4) // 2
    body = grid[44:]
    degraded, clean = body[:, :width], body[:, width + 4:]
    assert degraded.shape == clean.shape
    diff = np.abs(degraded.astype(int) - clean.astype(int)).mean()
    assert diff > 3  # the demo's sigma-25 noise is visible
    assert not np.all(grid[:22] == 255)  # the title was drawn


def test_publish_model_drops_training_state_and_records_sha(tmp_path,
                                                            registered):
    sys.path.insert(0, os.path.join(REPO, 'tools'))
    import train as train_tool

    from mmdiffir.utils.checkpoint import safe_torch_load
    cfg = tiny_train_cfg(tmp_path / 'work', max_iters=1, ckpt_interval=1)
    cfg.dump(str(tmp_path / 'cfg.py'))
    train_tool.main([str(tmp_path / 'cfg.py')])
    trained = tmp_path / 'work' / 'iter_1.pth'
    assert 'optimizer' in safe_torch_load(trained)
    metafile = tmp_path / 'metafile.yml'
    shutil.copy(os.path.join(REPO, 'configs/demo/metafile.yml'), metafile)
    name = yaml.safe_load(open(metafile))['Models'][0]['Name']
    tool = _import('publish_model')
    out = tool.main([str(trained), str(tmp_path / 'rel' / 'demo.pth'),
                     '--metafile', str(metafile), '--model', name])
    digest = hashlib.sha256(open(out, 'rb').read()).hexdigest()
    assert out == str(tmp_path / 'rel' / f'demo-{digest[:8]}.pth')
    slim = safe_torch_load(out)
    assert set(slim) == {'state_dict', 'meta'}
    full = safe_torch_load(trained)
    assert all((slim['state_dict'][k] == v).all()
               for k, v in full['state_dict'].items())
    model = {m['Name']: m for m in
             yaml.safe_load(open(metafile))['Models']}[name]
    assert model['Weights'] == out
    with pytest.raises(KeyError, match='no model named nope'):
        tool.main([str(trained), str(tmp_path / 'x.pth'), '--metafile',
                   str(metafile), '--model', 'nope'])
