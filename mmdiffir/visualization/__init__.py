from .labelled_grid import ConcatImageVisualizer, labelled, side_by_side

__all__ = ['ConcatImageVisualizer', 'labelled', 'side_by_side']
