# EEDTP MTUL on mmagic's Restormer (the published size) on the 5-task
# setting: the NAFNet-w48 MTUL recipe with another backbone, by config only.
# The norms inside every TransformerBlock are time-modulated; the
# TaskAdapters follow the three
# decoder levels.
_base_ = './eedtp-mtul_nafnet-w48_8xb2-lr5e-5-500k_5task.py'

load_from = ('work_dirs/eedtp-tmddp_restormer_8xb16-lr5e-5-100k_dfwb/'
             'iter_100000.pth')
model = dict(
    generator=dict(
        _delete_=True,
        type='Restormer',
        inp_channels=3,
        out_channels=3,
        dim=48,
        num_blocks=[4, 6, 6, 8],
        num_refinement_blocks=4,
        heads=[1, 2, 4, 8],
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
