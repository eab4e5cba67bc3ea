"""docs/en/user_guides/new_backbone.md stays true: every path it names
exists, and its code blocks (network, backbone file, method bases, leaf
config), written where the guide says, give a model that builds, is
time-conditioned where the backbone file says, and restores."""
import importlib.util
import os.path as osp
import re
import shutil

import pytest
import torch
from mmengine.config import Config

from tests.helpers import REPO

GUIDE = osp.join(REPO, 'docs', 'en', 'user_guides', 'new_backbone.md')


def _guide():
    with open(GUIDE) as f:
        return f.read()


def _files():
    """{path: text} of the guide's python blocks whose first line names the
    file they belong in (``# path/to/file.py``)."""
    files = {}
    for block in re.findall(r'```python\n(.*?)```', _guide(), re.S):
        first = block.splitlines()[0]
        m = re.fullmatch(r'# (\S+\.py)', first)
        if m:
            files[m.group(1)] = block
    return files


def test_guide_names_the_homes_and_paths_that_exist():
    text = _guide()
    files = _files()
    paths = {p for p in re.findall(r'`([^`\s]+)`', text)
             if '/' in p and re.search(r'(\.py|\.md|/)$', p)}
    assert {'mmdiffir/models/backbones/', 'configs/_base_/backbones/<name>.py',
            'configs/_base_/models/<method>_<name>.py'} <= paths
    for p in sorted(paths):
        if p in files:  # the guide's own example, written by the test below
            continue
        if '<' in p:  # a pattern: its folder exists
            p = p[:p.index('<')]
        assert osp.exists(osp.join(REPO, p)), p
    # the network's home is a package that registration imports
    with open(osp.join(REPO, 'mmdiffir', 'models', '__init__.py')) as f:
        assert 'from .backbones import' in f.read()


def test_guide_example_builds_and_restores(tmp_path, registered):
    from mmdiffir.registry import MODELS
    files = _files()
    net = 'mmdiffir/models/backbones/tiny_resnet.py'
    assert {net, 'configs/_base_/backbones/tinyresnet.py',
            'configs/_base_/models/eedtp_tinyresnet.py',
            'configs/_base_/models/plain_tinyresnet.py',
            'configs/eedtp/eedtp-tmddp_tinyresnet_1xb4-lr1e-3-1k_t91-cpu.py'
            } <= set(files)
    # the network module, imported from a copy (the package stays as is);
    # registered once per process
    (tmp_path / 'tiny_resnet.py').write_text(files[net])
    if 'TinyResNet' not in MODELS.module_dict:
        spec = importlib.util.spec_from_file_location(
            'guide_tiny_resnet', tmp_path / 'tiny_resnet.py')
        spec.loader.exec_module(importlib.util.module_from_spec(spec))
    # the config files, next to the repository's own bases
    root = tmp_path / 'repo'
    shutil.copytree(osp.join(REPO, 'configs'), root / 'configs')
    for path, text in files.items():
        if path.startswith('configs/'):
            (root / path).write_text(text)

    leaf = Config.fromfile(
        str(root / 'configs/eedtp/'
            'eedtp-tmddp_tinyresnet_1xb4-lr1e-3-1k_t91-cpu.py'))
    assert leaf.model.type == 'EEDTPRestorer'
    assert leaf.model.generator == dict(type='TinyResNet', channels=16,
                                        num_blocks=2)
    model = MODELS.build(leaf.model)
    assert model.conditioner.selected == ['body.0.conv1', 'body.1.conv1']
    plain = MODELS.build(Config.fromfile(
        str(root / 'configs/_base_/models/plain_tinyresnet.py')).model)
    plain.generator.load_state_dict(model.generator.state_dict())

    x = torch.rand(1, 3, 20, 24)
    model.eval()
    plain.eval()
    with torch.no_grad():
        out = model(x, mode='tensor')
        ref = plain(x, mode='tensor')
    assert out.shape == x.shape
    # zero-initialised time heads: the freshly conditioned network is the
    # plain one
    torch.testing.assert_close(out, ref)
