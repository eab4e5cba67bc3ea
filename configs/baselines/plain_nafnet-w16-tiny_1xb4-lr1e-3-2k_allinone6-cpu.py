# Plain all-in-one training (the baseline of the EEDTP MTUL benchmark): the
# CPU NAFNet on the 6-task CPU stand-in (noise, rain, JPEG, low light, haze,
# blur synthesised on ../shared/data photos), all tasks mixed with equal
# ratios from the first iteration, L1 loss, no task information.
#   python tools/train.py <this config>
_base_ = [
    '../_base_/default_runtime.py',
    '../_base_/schedules/cpu_2k.py',
    '../_base_/datasets/all_in_one_cpu.py',
    '../_base_/models/plain_nafnet-tiny.py',
]

train_cfg = dict(val_interval=2000)
