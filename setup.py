from setuptools import find_packages, setup


def read_version():
    scope = {}
    with open('mmdiffir/version.py') as f:
        exec(f.read(), scope)
    return scope['__version__']


def read_requirements(path):
    with open(path) as f:
        return [ln.strip() for ln in f if ln.strip() and not ln.startswith('#')]


setup(
    name='mmdiffir',
    version=read_version(),
    description='Diffusion training paradigms for image restoration, '
    'OpenMMLab style (EEDTP, DiffIR, DiffUIR)',
    packages=find_packages(exclude=('tests', 'tests.*', 'configs', 'tools')),
    python_requires='>=3.9',
    # Installed by tools/install.sh, which also handles mmcv (ops build) and
    # mmagic (--no-deps); listed here so `pip check`/users see them.
    install_requires=read_requirements('requirements/runtime.txt'),
    extras_require={'tests': read_requirements('requirements/tests.txt')},
    # `mmdiffir-infer CONFIG CHECKPOINT INPUT OUT_DIR` (= tools/infer.py)
    entry_points={
        'console_scripts': ['mmdiffir-infer=mmdiffir.apis.cli:cli'],
    },
    include_package_data=True,
    zip_safe=False,
)
