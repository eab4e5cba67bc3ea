"""mmdiffir's packages import downwards only (issue 14.7): utils <- datasets
<- models <- engine <- apis, read from the source with ``ast`` (imports
inside functions count too), so a lazy import cannot hide a layer inversion.

``utils/setup_env.py`` is the one exception by design: its
``register_all_modules()`` imports every package to register it.
"""
import ast
import os
import os.path as osp

import pytest

from tests.helpers import REPO

PKG = osp.join(REPO, 'mmdiffir')
# package -> the mmdiffir packages it must never import
FORBIDDEN = {
    'utils': ('apis', 'engine', 'models', 'datasets', 'evaluation',
              'visualization'),
    'datasets': ('apis', 'engine', 'models', 'evaluation', 'visualization'),
    'models': ('apis',),
    'engine': ('apis',),
    'visualization': ('apis',),
}
REGISTRATION = 'mmdiffir.utils.setup_env'


def _module_name(path):
    rel = osp.relpath(path, REPO)[:-3].replace(os.sep, '.')
    return rel[:-len('.__init__')] if rel.endswith('.__init__') else rel


def imports_of(path):
    """The absolute names of every module ``path`` imports (relative
    imports resolved), at any depth of its code."""
    name = _module_name(path)
    package = name if path.endswith('__init__.py') else name.rsplit('.', 1)[0]
    with open(path) as f:
        tree = ast.parse(f.read())
    found = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found.update(a.name for a in node.names)
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                parts = package.split('.')
                base = parts[:len(parts) - node.level + 1]
                found.add('.'.join(base + [node.module] if node.module
                                   else base))
            else:
                found.add(node.module)
    return found


def _sources():
    for folder, _, files in os.walk(PKG):
        for f in sorted(files):
            if f.endswith('.py'):
                yield osp.join(folder, f)


def test_import_parser_resolves_relative_imports():
    hooks = osp.join(PKG, 'engine', 'hooks', 'test_progress_hook.py')
    assert 'mmdiffir.engine.hooks.save_restored_hook' in imports_of(hooks)
    loading = osp.join(PKG, 'datasets', 'transforms', 'loading.py')
    assert 'mmdiffir.utils.image_file' in imports_of(loading)


@pytest.mark.parametrize('layer', sorted(FORBIDDEN))
def test_layer_imports_no_layer_above_it(layer):
    bad = []
    for path in _sources():
        name = _module_name(path)
        if (name.split('.') + [''])[1] != layer or name == REGISTRATION:
            continue
        for target in imports_of(path):
            parts = target.split('.')
            if parts[0] == 'mmdiffir' and len(parts) > 1 and \
                    parts[1] in FORBIDDEN[layer]:
                bad.append(f'{name} imports {target}')
    assert not bad, bad
