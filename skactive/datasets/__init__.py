"""Data sets for active learning experiments.

Synthetic generators from the active learning literature
(:func:`make_gaussian_clouds`, :func:`make_checkerboard`) and loaders that
return ready-made train/test splits (:func:`load_dataset` for the data sets
bundled with scikit-learn and the synthetic LAL problems,
:func:`load_csv_or_npy` for a user's file). Nothing is downloaded.
"""

from ._loaders import DATASET_NAMES, load_csv_or_npy, load_dataset
from ._synthetic import make_checkerboard, make_gaussian_clouds

__all__ = [
    "DATASET_NAMES",
    "load_csv_or_npy",
    "load_dataset",
    "make_checkerboard",
    "make_gaussian_clouds",
]
