# CPU variant of EEDTP MTUL on a tiny Restormer (dim 16, one block per
# level) on the 6-task CPU stand-in, from the CPU Restormer TMDDP checkpoint:
#   python tools/train.py configs/eedtp/eedtp-tmddp_restormer-tiny_1xb4-lr1e-3-1k_t91-cpu.py
#   python tools/train.py <this config>
_base_ = './eedtp-mtul_nafnet-w16-tiny_1xb4-lr1e-3-1k_allinone6-cpu.py'

load_from = ('work_dirs/eedtp-tmddp_restormer-tiny_1xb4-lr1e-3-1k_t91-cpu/'
             'iter_1000.pth')
model = dict(
    generator=dict(
        _delete_=True,
        type='Restormer',
        inp_channels=3,
        out_channels=3,
        dim=16,
        num_blocks=[1, 1, 1, 1],
        num_refinement_blocks=1,
        heads=[1, 1, 2, 2],
        ffn_expansion_factor=2.66,
        bias=False,
        LayerNorm_type='BiasFree',
        dual_pixel_task=False),
    # the normalised features inside every TransformerBlock (norm1 feeds
    # attn.qkv, norm2 ffn.project_in: 1x1 convs into which the shift of a
    # BiasFree norm folds exactly at inference)
    conditioner=dict(
        block_types=['LayerNorm'], name_patterns=[r'.*\.norm[12]'],
        shift_fold_into={'norm1': 'attn.qkv', 'norm2': 'ffn.project_in'}),
    adapter=dict(name_patterns=[r'decoder_level\d']),
    data_preprocessor=dict(pad_size_divisor=8))
