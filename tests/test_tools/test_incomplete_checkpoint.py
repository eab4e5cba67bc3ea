"""tools/test.py, dist_test.sh (which runs test.py on each rank) and the
inferencer refuse a checkpoint that lacks the trained conditioner or
adapter weights of the model they build (issue 13.6): mmengine's
non-strict load_from would only warn and test the plain / adapter-less
network. The checkpoint is a real one: the MTUL CPU config trained for two
iterations by tools/train.py."""
import glob
import os
import subprocess
import sys

import pytest
import torch

from mmdiffir.utils.checkpoint import safe_torch_load
from tests.helpers import REPO

sys.path.insert(0, os.path.join(REPO, 'tools'))
import test as test_tool  # noqa: E402
import train as train_tool  # noqa: E402

MTUL = os.path.join(REPO, 'configs/eedtp/'
                    'eedtp-mtul_nafnet-w16-tiny_1xb4-lr1e-3-1k_allinone6-cpu.py')
NUM_TASKS = 6
KERNELS = 'deblur/kernels/Levin09.mat'


@pytest.fixture(scope='module')
def trained(tmp_path_factory, data_tree, registered):
    work = tmp_path_factory.mktemp('mtul')
    options = ['train_cfg.max_iters=2', 'train_dataloader.batch_size=2',
               'train_dataloader.sampler.batch_size=2',
               'train_dataloader.num_workers=0', 'val_cfg=None',
               'val_dataloader=None', 'val_evaluator=None', 'load_from=None',
               'custom_hooks.0.num_batches=1',
               'train_dataloader.sampler.stage_iters=[1,1,1,1,1,1]',
               'param_scheduler.periods=[1,1,1,1,1,1]',
               'default_hooks.checkpoint.interval=2',
               'train_dataloader.dataset.tasks.5.dataset.pipeline.4.'
               f'kernel_file={data_tree}/{KERNELS}']
    options += [f'train_dataloader.dataset.tasks.{i}.dataset.data_root='
                f'{data_tree}/train' for i in range(NUM_TASKS)]
    train_tool.main([MTUL, '--work-dir', str(work), '--cfg-options',
                     *options])
    return work / 'iter_2.pth'


def _without(ckpt, prefix, path):
    state = safe_torch_load(ckpt)
    dropped = [k for k in state['state_dict'] if k.startswith(prefix)]
    assert dropped, prefix
    for k in dropped:
        del state['state_dict'][k]
    torch.save(state, path)
    return str(path), dropped


def _test_options(tmp_path, real_photos, save_rgb, data_tree):
    save_rgb(tmp_path / 'sets' / 'Kodak24' / 'k0.png',
             real_photos[0][:48, :48])
    options = []
    for i in range(NUM_TASKS):
        options += [f'test_dataloader.{i}.dataset.tasks.0.dataset.data_root='
                    f'{tmp_path}/sets', f'test_dataloader.{i}.num_workers=0']
    options.append(f'test_dataloader.5.dataset.tasks.0.dataset.pipeline.1.'
                   f'kernel_file={data_tree}/{KERNELS}')
    return options


def test_test_tool_exits_naming_missing_adapter_weights(
        trained, tmp_path, real_photos, save_rgb, data_tree):
    ckpt, dropped = _without(trained, 'adapter.', tmp_path / 'no_adapter.pth')
    options = _test_options(tmp_path, real_photos, save_rgb, data_tree)
    proc = subprocess.run(
        [sys.executable, os.path.join(REPO, 'tools/test.py'), MTUL, ckpt,
         '--work-dir', str(tmp_path / 'work'), '--no-images',
         '--cfg-options', *options], cwd=REPO, capture_output=True,
        text=True, timeout=300)
    assert proc.returncode != 0
    assert 'lacks' in proc.stderr and dropped[0] in proc.stderr
    assert not glob.glob(f'{tmp_path}/work/*/benchmark_table.json')


def test_test_tool_refuses_missing_conditioner_but_tests_the_full_one(
        trained, tmp_path, real_photos, save_rgb, data_tree):
    ckpt, dropped = _without(trained, 'conditioner.',
                             tmp_path / 'no_conditioner.pth')
    options = _test_options(tmp_path, real_photos, save_rgb, data_tree)
    with pytest.raises(RuntimeError, match='lacks') as err:
        test_tool.main([MTUL, ckpt, '--work-dir', str(tmp_path / 'w1'),
                        '--no-images', '--cfg-options', *options])
    assert dropped[0] in str(err.value) and 'conditioner' in str(err.value)
    # the intact checkpoint of the same run is tested (one row per task)
    test_tool.main([MTUL, str(trained), '--work-dir', str(tmp_path / 'w2'),
                    '--no-images', '--cfg-options', *options])
    assert glob.glob(f'{tmp_path}/w2/*/benchmark_table.json')


@pytest.mark.parametrize('prefix', ['adapter.', 'conditioner.'])
def test_inferencer_refuses_missing_trained_parts(trained, tmp_path, prefix):
    from mmdiffir.apis import RestorationInferencer
    ckpt, dropped = _without(trained, prefix, tmp_path / 'part.pth')
    with pytest.raises(RuntimeError, match='missing keys') as err:
        RestorationInferencer(MTUL, ckpt, device='cpu', task='rain')
    assert dropped[0] in str(err.value)
    RestorationInferencer(MTUL, str(trained), device='cpu', task='rain')


def test_multi_task_checkpoint_refuses_untrained_tasks(trained):
    """Issue 18.6: the 6-task model has no snow task (the paper's table
    would give t_mat 15): refused, listing the trained ones; an explicit
    untrained --t-mat needs allow_untrained_t_mat. The tasks come from the
    training config mmengine stored in the checkpoint's meta."""
    from mmdiffir.apis import RestorationInferencer
    from mmdiffir.apis.inferencer import trained_tasks
    meta = safe_torch_load(trained)['meta']
    assert trained_tasks(meta, None) == dict(
        noise=4, rain=8, jpeg=12, lowlight=38, haze=47, blur=50)
    with pytest.raises(ValueError, match=r'task "snow" \(t_mat 15\).*'
                       r'trained tasks: noise \(t_mat 4\)'):
        RestorationInferencer(MTUL, str(trained), device='cpu', task='snow')
    with pytest.raises(ValueError, match='t_mat 15 is not a step.*'
                       'allow-untrained-t-mat'):
        RestorationInferencer(MTUL, str(trained), device='cpu', t_mat=15)
    inf = RestorationInferencer(MTUL, str(trained), device='cpu', t_mat=15,
                                allow_untrained_t_mat=True)
    assert inf.t_mat == 15
    # trained tasks by name, by the paper's name, or by their t_mat
    assert RestorationInferencer(MTUL, str(trained), device='cpu',
                                 task='haze').t_mat == 47
    assert RestorationInferencer(MTUL, str(trained), device='cpu',
                                 t_mat=8).t_mat == 8
