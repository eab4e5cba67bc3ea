"""tools/analysis_tools/derive_t_mat.py recovers the step of a known noise
level from real photo pairs (METHODS.md §1.3)."""
import os.path as osp

import numpy as np
import pytest

from mmdiffir.models.diffusion import EEDTPNoiseSchedule
from tests.helpers import REPO, load_tool


tool = load_tool('tools/analysis_tools/derive_t_mat.py')
SCHED = EEDTPNoiseSchedule()


# Clean photos are first mapped into [HEADROOM, 255 - HEADROOM]: with
# saturated pixels (scikit-image's photos have many) the 8-bit clip of the
# noisy image removes part of the noise and the measured sigma drops by
# about one step at t = 12, which is the clipping's effect, not the
# estimator's. 5 sigma of headroom at the largest exact-tested level
# (6.98/255 at t = 12) makes a clip a < 1e-6 event per pixel.
HEADROOM = 35


def write_noisy_pairs(root, photos, sigma255, save_rgb, seed=0):
    """input/ and target/ folders: photos (mapped into the headroom range)
    + Gaussian noise of std sigma255 (0-255 scale), rounded and clipped to
    uint8 as a camera file would be."""
    rng = np.random.default_rng(seed)
    for i, photo in enumerate(photos):
        photo = np.round(HEADROOM + photo * ((255 - 2 * HEADROOM) / 255))
        photo = photo.astype(np.uint8)
        noisy = photo + rng.normal(0, sigma255, photo.shape)
        noisy = np.clip(np.round(noisy), 0, 255).astype(np.uint8)
        save_rgb(root / 'input' / f'img_{i}.png', noisy)
        save_rgb(root / 'target' / f'img_{i}.png', photo)
    return root


# Exact recovery (tolerance 0) holds for t <= ~15, where neighbouring levels
# are >= 0.3/255 apart and nothing is clipped. Beyond t ~ 19 they are
# < 0.2/255 apart, and on real files 8-bit clipping of saturated pixels
# lowers the measured sigma by about that much, so there the tool is
# accurate to +-1 step (not tested as exact).
@pytest.mark.parametrize('t', [4, 12])
@pytest.mark.parametrize('stat', ['rms', 'mad'])
def test_folder_form_recovers_t(t, stat, tmp_path, real_photos, save_rgb,
                                capsys):
    sigma255 = SCHED.sigma_bars[t].item() * 255  # 2.94 and 6.98
    root = write_noisy_pairs(tmp_path / f'noisy{t}', real_photos, sigma255,
                             save_rgb, seed=t)
    chosen = tool.main(['--input-dir', str(root / 'input'), '--gt-dir',
                        str(root / 'target'), '--stat', stat])
    assert chosen == {'input': t}
    out = capsys.readouterr().out
    assert f'{stat} x255 (mean)' in out
    # the schedule table lists every t and marks the chosen one
    marked = [line for line in out.splitlines() if '<- input' in line]
    assert len(marked) == 1 and marked[0].split('|')[1].strip() == str(t)


def test_config_form(tmp_path, real_photos, save_rgb, registered):
    root = write_noisy_pairs(tmp_path / 'set', real_photos[:3],
                             SCHED.sigma_bars[8].item() * 255, save_rgb)
    config = tmp_path / 'cfg.py'
    config.write_text(
        'test_dataloader = dict(dataset=dict(type="PairedImageDataset", '
        f'data_root="{root}", data_prefix=dict(img="input", gt="target"), '
        'pipeline=[]))\n')
    chosen = tool.main(['--dataset-config', str(config), '--split', 'test',
                        '--reduce', 'median'])
    assert chosen == {'paired': 8}


def test_pure_function_and_clamping():
    sb = SCHED.sigma_bars
    assert tool.derive_t_mat([sb[12].item()] * 3, SCHED) == 12
    # mean vs median over pairs
    values = [sb[4].item(), sb[4].item(), sb[30].item()]
    assert tool.derive_t_mat(values, SCHED, reduce='median') == 4
    assert tool.derive_t_mat(values, SCHED, reduce='mean') == \
        SCHED.step_for_sigma(float(np.mean(values)))
    assert tool.derive_t_mat([0.5], SCHED) == 50  # beyond sigma_max -> T
    assert tool.derive_t_mat([0.0], SCHED) == 1  # clean -> mildest step
    with pytest.raises(ValueError, match='no residual'):
        tool.derive_t_mat([], SCHED)


def test_residual_sigma_and_errors(tmp_path, real_photos, save_rgb):
    gt = real_photos[0] / 255.0
    assert tool.residual_sigma(gt, gt, 'rms') == 0
    # a constant offset (a haze-like veil) counts for rms, not for mad
    assert tool.residual_sigma(gt * 0.9 + 0.1, gt, 'rms') > 0.03
    assert tool.residual_sigma(gt + 0.05, gt, 'mad') < 1e-12
    # with the 8-bit bin interpolation a flat residual reads ~0.27/255: the
    # estimator's floor, far below sigmabar_1 = 1/255
    assert tool.residual_sigma(gt + 0.05, gt, 'mad', 1 / 255) < 0.3 / 255
    save_rgb(tmp_path / 'input' / 'a.png', real_photos[0])
    save_rgb(tmp_path / 'target' / 'b.png', real_photos[0])
    with pytest.raises(ValueError, match='a.png'):  # unmatched stem named
        tool.main(['--input-dir', str(tmp_path / 'input'), '--gt-dir',
                   str(tmp_path / 'target')])
    with pytest.raises(SystemExit):
        tool.main(['--input-dir', str(tmp_path / 'input')])


# ------------------------------------------------ the model form (issue 13)
TMDDP_CPU_CONFIG = osp.join(
    REPO, 'configs/eedtp',
    'eedtp-tmddp_nafnet-w16-tiny_1xb4-lr1e-3-1k_t91-cpu.py')


@pytest.fixture(scope='session')
def tiny_tmddp_checkpoint(tmp_path_factory, data_tree, registered):
    """The default CPU TMDDP config's model, trained here for a few hundred
    iterations (L_gen, Adam as the config's, cosine lr) on random crops of
    real photos (the training photos of ../shared/data, or the embedded
    stand-ins), saved as an mmengine-style checkpoint."""
    import cv2
    import torch
    from mmengine.config import Config

    from mmdiffir.datasets import list_images
    from mmdiffir.registry import MODELS
    torch.manual_seed(0)
    model = MODELS.build(Config.fromfile(TMDDP_CPU_CONFIG).model)
    photos = []
    for sub in ('train/T91', 'denoise/CBSD68'):
        folder = data_tree / sub
        photos += [cv2.imread(str(folder / f))[..., ::-1].astype(np.float32)
                   / 255 for f in list_images(str(folder))[:40]]
    rng = np.random.default_rng(0)
    iters, crop, batch = 300, 48, 8
    opt = torch.optim.Adam(model.parameters(), lr=1e-3, betas=(0.9, 0.99))
    model.train()
    for it in range(iters):
        crops = []
        for _ in range(batch):
            im = photos[rng.integers(len(photos))]
            y = rng.integers(0, im.shape[0] - crop + 1)
            x = rng.integers(0, im.shape[1] - crop + 1)
            crops.append(im[y:y + crop, x:x + crop].transpose(2, 0, 1))
        for group in opt.param_groups:
            group['lr'] = 1e-3 * 0.5 * (1 + np.cos(np.pi * it / iters))
        loss = model.diffusion_loss(torch.from_numpy(np.stack(crops)),
                                    step=it)
        opt.zero_grad()
        loss.backward()
        opt.step()
    path = tmp_path_factory.mktemp('tmddp') / 'tmddp.pth'
    torch.save(dict(state_dict=model.state_dict()), str(path))
    return str(path)


# mild -> strong settings of the project's degradations (derive_t_mat.py
# --degrade): noise sigma, JPEG quality, Gaussian blur sigma, haze density
# beta, rain streak density
FAMILIES = dict(noise=['5', '15', '50'], jpeg=['90', '40', '10'],
                blur=['0.5', '1.5', '3'], haze=['0.25', '0.5', '1.5'],
                rain=['0.0002', '0.002', '0.01'])


def test_model_form_orders_five_families_by_strength(
        tiny_tmddp_checkpoint, data_tree, capsys):
    """On real photos (Kodak24 or its stand-in) with the project's noise,
    JPEG, blur, haze and rain degradations, the t derived by restoration in
    the default mode (tolerance) never decreases as the degradation gets
    stronger and differs between the mildest and the strongest setting; the
    result is printed beside the paper's table."""
    chosen = tool.main([
        '--model-config', TMDDP_CPU_CONFIG, '--checkpoint',
        tiny_tmddp_checkpoint, '--clean-dir',
        str(data_tree / 'denoise' / 'Kodak24'), '--max-pairs', '4',
        '--crop', '96', '--degrade'] +
        [f'{name}={",".join(levels)}' for name, levels in FAMILIES.items()])
    for name, levels in FAMILIES.items():
        ts = [chosen[f'{name}={v}'] for v in levels]
        assert all(a <= b for a, b in zip(ts, ts[1:])), (name, ts)
        assert ts[0] < ts[-1], (name, ts)
    out = capsys.readouterr().out
    assert 'paper table' in out and 'PSNR f(y, t_mat)' in out
    assert 'mode tolerance' in out
    # the paper's tasks sit on their rows of the table
    rows = {line.split('|')[1].strip(): line for line in out.splitlines()
            if line.startswith('|') and line.split('|')[1].strip().isdigit()}
    assert 'noise' in rows['4'] and 'blur' in rows['50']
    assert '<- noise=5' in rows[str(chosen['noise=5'])]


def test_pick_step_knee_and_model_form_errors(tmp_path):
    from mmdiffir.evaluation.t_mat_search import knee_step, pick_step
    sb = SCHED.sigma_bars.tolist()
    knee = knee_step(sb)
    # the first step within 2% of sigma_max (9.8/255): t = 28 at T = 50
    assert knee == 28 and sb[28] >= 0.98 * sb[-1] > sb[27]
    steps = list(range(1, 51))
    curve = np.zeros(50)
    curve[9] = 1.0  # best at t = 10: below the knee, the argmax
    assert pick_step(curve, steps, knee) == 10
    curve[40] = 2.0  # best at t = 41: above the knee, one level with it
    assert pick_step(curve, steps, knee) == 28
    assert pick_step(np.ones(50), steps, knee) == 1  # flat: mildest step
    with pytest.raises(ValueError, match='knee_tol'):
        knee_step(sb, 1.5)
    with pytest.raises(ValueError, match='must be non-empty'):
        pick_step([1.0], [1, 2], knee)
    with pytest.raises(ValueError, match='NAME=v1'):
        tool.parse_degrade(['speckle=3'])
    with pytest.raises(SystemExit):  # synthesised pairs need a model
        tool.main(['--clean-dir', str(tmp_path), '--degrade', 'noise=5'])


def test_a_degradation_no_step_improves_is_flagged(real_photos):
    """A model that returns its input (as a denoiser does, at best, for blur
    or haze) improves on no pair: the result says so instead of passing
    t = 1 off as a measurement."""
    import torch

    from mmdiffir.evaluation.t_mat_search import derive_by_restoration

    class Identity(torch.nn.Module):
        schedule = SCHED

        def __init__(self):
            super().__init__()
            self.w = torch.nn.Parameter(torch.zeros(1))
            self.conditioner = type('C', (), {'set_time': lambda s, t: None})()

        def restore(self, x, t):
            return x

    gt = real_photos[0] / 255.0
    deg = np.clip(gt * 0.8 + 0.1, 0, 1)
    found = derive_by_restoration(Identity(), {'veil': [(deg, gt)]},
                                  steps=[1, 2, 28], mode='best')
    assert found['veil']['t_mat'] == 1 and not found['veil']['improves']
    # an identity loses nothing at any step: mode tolerance reads the knee
    assert found['veil']['t_tol'] == 28 and found['veil']['tol_found']
    assert found['veil']['psnr_best'] == pytest.approx(
        found['veil']['psnr_in'])


def test_tolerance_step_is_the_largest_step_within_tol_of_the_reference():
    """Mode tolerance: the largest t <= knee within tol_db of max(input,
    best step); the input is the reference when no step beats it; with no
    step within tol_db, the smallest step and False."""
    from mmdiffir.evaluation.t_mat_search import tolerance_step
    steps = [1, 2, 3, 4, 5]
    curve = [30.0, 30.5, 30.45, 30.3, 30.41]
    # best 30.5 at t = 2; within 0.1 dB: t = 2, 3, 5 -> 5, unless capped
    assert tolerance_step(curve, steps, 20.0, t_knee=5) == (5, True)
    assert tolerance_step(curve, steps, 20.0, t_knee=4) == (3, True)
    # the input is better than every step: it is the reference
    assert tolerance_step(curve, steps, 30.55, t_knee=5) == (3, True)
    assert tolerance_step(curve, steps, 31.0, t_knee=5) == (1, False)
    # a best step above the knee counts as the knee, even when no step
    # below it is within tol_db (noise sigma 15 at 0.02 dB on Kodak24)
    assert tolerance_step([30.0, 30.1, 30.3, 30.2, 31.0], steps, 20.0,
                          t_knee=3, tol_db=0.02) == (3, True)
    with pytest.raises(ValueError, match='tol_db'):
        tolerance_step(curve, steps, 20.0, 5, tol_db=-1)
    with pytest.raises(ValueError, match='must be non-empty'):
        tolerance_step([1.0], [1, 2], 0.0, 5)
