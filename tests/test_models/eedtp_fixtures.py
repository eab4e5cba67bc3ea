"""A tiny EEDTP restorer and a real-photo batch for the EEDTP tests."""
import numpy as np
import torch
from mmagic.structures import DataSample

from mmdiffir.registry import MODELS


def build_tiny(loss=None, **cfg):
    """A GEF-stage EEDTPRestorer on a width-8 NAFNet, its NAFBlocks
    time-conditioned (``cfg`` adds or replaces keys, ``loss`` is the
    DiffusionAlignLoss's arguments), built and initialised under seed 0."""
    cfg = dict(
        dict(type='EEDTPRestorer',
             generator=dict(type='NAFNet', img_channels=3, mid_channels=8,
                            enc_blk_nums=[1, 1], middle_blk_num=1,
                            dec_blk_nums=[1, 1]),
             conditioner=dict(type='TimeConditioner', embed_dim=16,
                              block_types=['NAFBlock']),
             pixel_loss=dict(type='DiffusionAlignLoss', **(loss or {})),
             t_mat=20, stage='gef',
             data_preprocessor=dict(type='DataPreprocessor',
                                    mean=[0., 0., 0.],
                                    std=[255., 255., 255.])), **cfg)
    torch.manual_seed(0)
    model = MODELS.build(cfg)
    model.init_weights()
    return model


def tiny_restorer(**loss):
    """:func:`build_tiny` with random time heads."""
    model = build_tiny(loss)
    # Non-zero heads, so the conditioner takes part in every gradient.
    with torch.no_grad():
        for head in model.conditioner.heads.values():
            head[-1].weight.normal_(std=0.02)
    return model


def photo_batch(real_photos, sigma=25, size=32):
    """(inputs, data_samples): noisy/clean real crops in [0, 1]."""
    rng = np.random.default_rng(0)
    gts = [torch.from_numpy(p[:size, :size].astype(np.float32) / 255)
           .permute(2, 0, 1) for p in real_photos[:2]]
    gt = torch.stack(gts)
    noisy = gt + torch.from_numpy(rng.normal(
        0, sigma / 255, gt.shape).astype(np.float32))
    samples = DataSample.stack([DataSample(gt_img=g) for g in gts])
    return noisy, samples
