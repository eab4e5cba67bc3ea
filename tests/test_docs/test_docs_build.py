"""The docs build with MkDocs (strict, offline), the generated model zoo and
method pages are in it, and every command the docs show exists."""
import os
import re
import subprocess
import sys

import pytest

from tests.helpers import REPO

sys.path.insert(0, os.path.join(REPO, 'tools'))
import gen_model_zoo  # noqa: E402

pytest.importorskip('mkdocs')
DOCS = os.path.join(REPO, 'docs', 'en')


@pytest.fixture(scope='session')
def built_site(tmp_path_factory):
    site = tmp_path_factory.mktemp('site')
    proc = subprocess.run(
        [sys.executable, '-m', 'mkdocs', 'build', '--strict', '-q', '-f',
         os.path.join(REPO, 'mkdocs.yml'), '-d', str(site)],
        cwd=REPO, capture_output=True, text=True, timeout=300)
    assert proc.returncode == 0, proc.stdout[-3000:] + proc.stderr[-3000:]
    return site


def test_site_has_every_page(built_site):
    for page in ('index.html', 'get_started/index.html',
                 'user_guides/inference/index.html',
                 'user_guides/new_task/index.html',
                 'user_guides/new_backbone/index.html',
                 'user_guides/distributed/index.html',
                 'user_guides/config/index.html',
                 'methods/eedtp/index.html', 'methods/diffir/index.html',
                 'model_zoo/index.html'):
        assert (built_site / page).is_file(), page


def test_model_zoo_lists_every_indexed_model(built_site):
    from mmdiffir.apis import load_model_index
    html = (built_site / 'model_zoo' / 'index.html').read_text()
    names = [m['Name'] for m in load_model_index(
        os.path.join(REPO, 'model-index.yml'))]
    assert len(names) > 10
    assert all(n in html for n in names)


def test_method_pages_carry_their_results_tables():
    pages = gen_model_zoo.pages(REPO)
    eedtp = pages['methods/eedtp.md']
    assert 'Benchmark' in eedtp and '|---|' in eedtp
    # repository links are rewritten to paths (not dead links in the site)
    assert '](../' not in eedtp and '](configs/' not in eedtp


def _doc_texts():
    texts = {}
    for folder, _, files in os.walk(DOCS):
        for f in files:
            if f.endswith('.md'):
                path = os.path.join(folder, f)
                texts[os.path.relpath(path, DOCS)] = open(path).read()
    generated = {k: v for k, v in gen_model_zoo.pages(REPO).items()
                 if k not in texts}
    return texts, generated


def _code_lines(text):
    blocks = re.findall(r'```(?:bash|shell|sh)?\n(.*?)```', text, re.S)
    lines, joined = [], ''
    for block in blocks:
        for line in block.splitlines():
            joined += line.rstrip('\\').strip() + ' '
            if not line.rstrip().endswith('\\'):
                lines.append(joined.strip())
                joined = ''
    return lines


def _flag_sources(script):
    srcs = [os.path.join(REPO, script)]
    if script in ('tools/train.py', 'tools/test.py', 'tools/infer.py'):
        srcs += [os.path.join(REPO, 'mmdiffir/utils/config.py'),
                 os.path.join(REPO, 'mmdiffir/apis/cli.py')]
    return ''.join(open(s).read() for s in srcs if os.path.isfile(s))


def test_every_command_shown_exists():
    own, generated = _doc_texts()
    setup = open(os.path.join(REPO, 'setup.py')).read()
    makefile = open(os.path.join(REPO, 'Makefile')).read()
    problems, checked = [], 0
    for page, text in {**own, **generated}.items():
        for line in _code_lines(text):
            # scripts of the repository (tools/...) and test files shown in
            # pytest commands (tests/...): each must exist
            for script in re.findall(
                    r'(?<![\w/])((?:tools|tests)/[\w/]+\.(?:py|sh))', line):
                checked += 1
                if not os.path.isfile(os.path.join(REPO, script)):
                    problems.append(f'{page}: {script} does not exist')
                    continue
                if page in own and script.startswith('tools/') and \
                        script.endswith('.py'):
                    src = _flag_sources(script)
                    for flag in re.findall(r'\s(--[a-z][\w-]*)', line):
                        if f"'{flag}'" not in src:
                            problems.append(f'{page}: {script} has no {flag}')
            for cfg in re.findall(r'(configs/[\w./-]+\.py)', line):
                if re.search(r'\b[A-Z]{3,}\b', cfg):
                    continue  # a placeholder such as configs/x/CONFIG.py
                checked += 1
                if not os.path.isfile(os.path.join(REPO, cfg)):
                    problems.append(f'{page}: {cfg} does not exist')
            if line.startswith('mmdiffir-infer'):
                checked += 1
                if 'mmdiffir-infer=' not in setup:
                    problems.append(f'{page}: no mmdiffir-infer entry point')
            m = re.match(r'make (\w+)', line)
            if m:
                checked += 1
                if not re.search(rf'^{m.group(1)}:', makefile, re.M):
                    problems.append(f'{page}: no make target {m.group(1)}')
    assert checked > 30
    assert not problems, '\n'.join(problems)
