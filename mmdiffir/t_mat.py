"""EEDTP's time-step matching table (METHODS.md §1.3), in one place.

A plain module with no torch import: datasets, models, configs' tests and
the inferencer all read it (``mmdiffir.models.diffusion`` re-exports it).
"""

# The paper's time-step matching table (§1.3): the fixed t at which a task's
# restoration pass runs. Milder degradations sit at smaller t. The one table
# of the toolbox, keyed by the task names the configs, MultiTaskDataset and
# the inferencer's ``--task`` use (the paper's noisy, rainy, snowy, shadowed,
# low-light, hazy, blurry are noise, rain, snow, shadow, lowlight, haze, blur).
T_MAT = {
    'noise': 4,
    'rain': 8,
    'jpeg': 12,
    'snow': 15,
    'inpainting': 19,
    'raindrop': 22,
    'shadow': 27,
    'lowlight': 38,
    'haze': 47,
    'blur': 50,
}


def t_mat_of(task: str, owner: str = 'T_MAT') -> int:
    """The table's t_mat of ``task``; an unknown name raises a KeyError
    naming it (and ``owner``, who asked) and listing the known names."""
    if task not in T_MAT:
        raise KeyError(f'{owner}: unknown task {task!r}; the t_mat table '
                       f'(METHODS.md §1.3) knows {", ".join(T_MAT)}')
    return T_MAT[task]
