"""Flip ensemble, tiled inference and their composition (tile_flip_forward),
the test-time path of every restorer."""
import pytest
import torch
from torch import nn

from mmdiffir.models.inference_utils import (flip_ensemble, report_passes,
                                             tile_flip_forward, tiled_forward)


def _local_net():
    """Two 3x3 convs: receptive-field radius 2, no global operation."""
    torch.manual_seed(0)
    return nn.Sequential(nn.Conv2d(3, 8, 3, padding=1), nn.ReLU(),
                         nn.Conv2d(8, 3, 3, padding=1)).eval()


@pytest.mark.parametrize('tile,overlap', [(24, 8), (32, 6), (20, 4)])
def test_tiled_equals_untiled_for_a_local_network(tile, overlap):
    net = _local_net()
    x = torch.rand(1, 3, 57, 70)
    with torch.no_grad():
        assert torch.allclose(tiled_forward(net, x, tile, overlap), net(x),
                              atol=1e-5)


def test_tiling_with_too_small_overlap_differs():
    net = _local_net()
    x = torch.rand(1, 3, 57, 70)
    with torch.no_grad():
        assert not torch.allclose(tiled_forward(net, x, 24, 0), net(x),
                                  atol=1e-5)


def test_flip_ensemble_of_an_equivariant_op_is_the_op():
    x = torch.rand(2, 3, 16, 20)
    assert torch.allclose(flip_ensemble(lambda t: t * 2, x, 8), x * 2)
    net = _local_net()
    with torch.no_grad():
        ens = flip_ensemble(net, x, 8)
    assert ens.shape == x.shape and not torch.allclose(ens, net(x))
    with pytest.raises(ValueError, match='1, 2, 4 or 8'):
        flip_ensemble(net, x, 3)


def _not_equivariant(x):
    """Neither flip- nor shift-equivariant: every flip and tile differs."""
    h, w = x.shape[-2:]
    ramp = torch.linspace(0, 1, h * w).reshape(1, 1, h, w)
    return x * (1 + ramp) + x.cumsum(-1) * 0.01


@pytest.mark.parametrize('n', [1, 2, 8])
def test_tile_flip_forward_is_the_flip_ensemble_around_the_tiles(n):
    x = torch.rand(1, 3, 50, 67)
    cfg = dict(tile=24, tile_overlap=8, flip_ensemble=n)
    ref = flip_ensemble(lambda z: tiled_forward(_not_equivariant, z, 24, 8),
                        x, n)
    assert torch.equal(tile_flip_forward(_not_equivariant, x, cfg), ref)
    # the overlap default is 32; no tile: one pass (inside the flips)
    assert torch.equal(
        tile_flip_forward(_not_equivariant, x, dict(tile=40)),
        tiled_forward(_not_equivariant, x, 40, 32))
    assert torch.equal(tile_flip_forward(_not_equivariant, x, {}),
                       _not_equivariant(x))
    with pytest.raises(ValueError, match='1, 2, 4 or 8'):
        tile_flip_forward(_not_equivariant, x, dict(flip_ensemble=3))
    with pytest.raises(ValueError, match='smaller than the tile'):
        tile_flip_forward(_not_equivariant, x, dict(tile=8, tile_overlap=8))


def test_tiles_are_padded_to_the_divisor():
    """A network that needs sides divisible by 8 runs with a tile of 20 on
    a padded 40 x 56 image; its tiles' outputs are cropped back."""
    sides = []

    def needs_eight(z):
        sides.append(tuple(z.shape[-2:]))
        assert z.shape[-2] % 8 == 0 and z.shape[-1] % 8 == 0
        return z * 2
    x = torch.rand(1, 3, 40, 56)
    y = tile_flip_forward(needs_eight, x, dict(tile=20, tile_overlap=4),
                          pad_size_divisor=8)
    assert torch.equal(y, x * 2) and set(sides) == {(24, 24)}


def test_tiled_super_resolution_reads_the_scale():
    """x2 nearest upsampling of a local net: tiled == untiled at twice the
    size (the scale is read from the first tile's output)."""
    net = _local_net()

    def sr(z):
        return nn.functional.interpolate(net(z), scale_factor=2)
    x = torch.rand(1, 3, 40, 52)
    with torch.no_grad():
        y = tile_flip_forward(sr, x, dict(tile=24, tile_overlap=8))
        assert y.shape[-2:] == (80, 104)
        assert torch.allclose(y, sr(x), atol=1e-5)


def test_report_passes_counts_tiles_times_flips():
    calls = []
    x = torch.rand(1, 3, 50, 67)  # 3 x 4 tiles of 24 with overlap 8
    with report_passes(lambda done, total: calls.append((done, total))):
        tile_flip_forward(_not_equivariant, x,
                          dict(tile=24, tile_overlap=8, flip_ensemble=4))
    assert calls == [(i, 48) for i in range(1, 49)]
    tile_flip_forward(_not_equivariant, x, dict(tile=24, tile_overlap=8))
    assert len(calls) == 48  # outside the block nothing is reported


def test_plain_restorer_tiles_and_flips_in_eval_only(registered):
    from mmdiffir.registry import MODELS
    model = MODELS.build(dict(
        type='PlainRestorer',
        generator=dict(type='NAFNet', img_channels=3, mid_channels=8,
                       enc_blk_nums=[1], middle_blk_num=1, dec_blk_nums=[1]),
        pixel_loss=dict(type='L1Loss'),
        test_cfg=dict(tile=24, tile_overlap=8, flip_ensemble=8),
        data_preprocessor=dict(type='DataPreprocessor', mean=[0.] * 3,
                               std=[255.] * 3)))
    x = torch.rand(1, 3, 40, 44)
    with torch.no_grad():
        model.eval()
        ref = flip_ensemble(lambda z: tiled_forward(model.generator, z, 24,
                                                    8), x, 8)
        assert torch.equal(model(x, mode='tensor'), ref)
        model.train()  # training runs the whole batch once
        assert torch.equal(model(x, mode='tensor'), model.generator(x))
