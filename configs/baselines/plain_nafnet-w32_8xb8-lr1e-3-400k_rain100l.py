# Paper-size plain NAFNet for deraining: trained on RainTrainL (the Rain100L
# training pairs, `rainy/` + `norain/`), tested on Rain100L and Rain100H.
#   bash tools/dist_train.sh <this config> 8
_base_ = [
    '../_base_/default_runtime.py',
    '../_base_/schedules/iter_cosine.py',
    '../_base_/datasets/single_task_rain100l.py',
    '../_base_/models/plain_nafnet-w32.py',
]

# the data of EEDTP's deraining experiment, 8 per GPU, without its vertical
# flips
train_pipeline = [t for t in _base_.paired_train_pipeline
                  if t.get('direction') != 'vertical']
train_dataloader = dict(batch_size=8, dataset=dict(pipeline=train_pipeline))
