# EEDTP stage 2, GEF, single task (METHODS.md §1.5, §1.7): low-light enhancement: trained on LOL-v1 (our485), tested on LOL-v1 (eval15) and, for generalization, LOL-v2 (real, test).
# Fine-tunes the TMDDP checkpoint at t_mat 38 (the paper's table: low-light)
# with the DiffusionAlignLoss; Omega is estimated on 50 batches first. The
# plain baseline of the same experiment, same network and schedule:
# configs/baselines/plain_nafnet-w48_8xb2-lr5e-5-500k_lolv1.py
#   bash tools/dist_train.sh <this config> 8
#   python tools/test.py <this config> CKPT --flip-ensemble   (the reference's test)
_base_ = '../_base_/eedtp_gef_single_task.py'

model = dict(t_mat=38)

train_dataloader = {{_base_.lol_train}}
test_dataloader = [{{_base_.lol_loader}}, {{_base_.lolv2_loader}}]
test_evaluator = [{{_base_.lol_metrics}}, {{_base_.lolv2_metrics}}]
val_dataloader = [{{_base_.lol_loader}}]
val_evaluator = [{{_base_.lol_metrics}}]
