"""Flip ensemble and tiled inference."""
import pytest
import torch
from torch import nn

from mmdiffir.models.inference_utils import flip_ensemble, tiled_forward


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
