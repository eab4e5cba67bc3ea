"""Blur-kernel files in the formats of the shared data (MATLAB v7.3 / HDF5
like Levin09.mat, MATLAB v5 like kernels_12.mat), for stand-ins and format
tests."""
import numpy as np


def asymmetric_kernels():
    """Camera-shake-like strokes that are not symmetric under transposition
    or flipping (so a reader that transposes wrongly is caught)."""
    ks = []
    for size, path in ((9, [(1, 1), (1, 2), (2, 3), (3, 3), (4, 5)]),
                       (13, [(2, 9), (3, 8), (4, 8), (6, 7), (9, 6)]),
                       (11, [(5, 1), (5, 2), (6, 4), (6, 5), (8, 9)])):
        k = np.zeros((size, size))
        for w, (y, x) in enumerate(path, 1):
            k[y, x] = w
        ks.append(k / k.sum())
    return ks


def write_matlab_v73(path, kernels, name='kernels'):
    """A MATLAB v7.3 (HDF5) cell array, stored column-major as MATLAB does."""
    import h5py
    with h5py.File(path, 'w') as f:
        refs = [f.create_dataset(f'#refs#/k{i}', data=k.T).ref
                for i, k in enumerate(kernels)]
        cell = f.create_dataset(name, data=np.array(refs, h5py.ref_dtype)
                                [:, None])
        cell.attrs['MATLAB_class'] = np.bytes_('cell')


def write_matlab_v5(path, kernels, name='kernels'):
    from scipy.io import savemat
    cell = np.empty((1, len(kernels)), object)
    for i, k in enumerate(kernels):
        cell[0, i] = k
    savemat(path, {name: cell})
