"""MkDocs hook: add the generated pages (model zoo, one page per method)
from tools/gen_model_zoo.py to the build, without writing them to disk."""
import os.path as osp
import sys

ROOT = osp.dirname(osp.dirname(osp.abspath(__file__)))


def on_files(files, config):
    from mkdocs.structure.files import File
    sys.path.insert(0, osp.join(ROOT, 'tools'))
    import gen_model_zoo
    for rel, text in gen_model_zoo.pages(ROOT).items():
        if files.get_file_from_path(rel) is None:  # a written copy wins
            files.append(File.generated(config, rel, content=text))
    return files
