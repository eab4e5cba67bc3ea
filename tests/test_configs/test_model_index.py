"""model-index.yml collects every configs/*/metafile.yml, and every model in
them names an existing config of the same name."""
import glob
import os.path as osp

import yaml

from tests.helpers import REPO


def test_model_index_imports_every_metafile():
    with open(osp.join(REPO, 'model-index.yml')) as f:
        index = yaml.safe_load(f)
    found = sorted(osp.relpath(p, REPO) for p in glob.glob(
        osp.join(REPO, 'configs', '*', 'metafile.yml')))
    assert sorted(index['Import']) == found


def test_metafile_models_point_at_configs():
    for meta in glob.glob(osp.join(REPO, 'configs', '*', 'metafile.yml')):
        with open(meta) as f:
            data = yaml.safe_load(f)
        collections = {c['Name'] for c in data['Collections']}
        for model in data['Models']:
            cfg = osp.join(REPO, model['Config'])
            assert osp.isfile(cfg), (meta, model['Config'])
            assert osp.splitext(osp.basename(cfg))[0] == model['Name']
            assert model['In Collection'] in collections
            for result in model.get('Results') or []:
                for value in result['Metrics'].values():
                    assert isinstance(value, (int, float)), (
                        f'{meta}: {model["Name"]} has a non-numeric metric '
                        f'{value!r}')
