"""Data sets for active learning experiments.

Synthetic generators from the active learning literature
(:func:`make_gaussian_clouds`, :func:`make_checkerboard`), loaders that
return ready-made train/test splits (:func:`load_dataset` for the data sets
bundled with scikit-learn and the synthetic LAL problems,
:func:`load_csv_or_npy` for a user's file), and real text data:
:func:`load_sentiment` gives human-rated sentiment snippets (movie reviews,
product reviews, editorials, tweets; Hutto & Gilbert, 2014) shipped with the
package. Nothing is downloaded.
"""

from ._loaders import DATASET_NAMES, load_csv_or_npy, load_dataset
from ._synthetic import make_checkerboard, make_gaussian_clouds, make_multiclass_clouds
from ._text import SENTIMENT_DOMAINS, load_sentiment

__all__ = [
    "DATASET_NAMES",
    "SENTIMENT_DOMAINS",
    "load_csv_or_npy",
    "load_dataset",
    "load_sentiment",
    "make_checkerboard",
    "make_gaussian_clouds",
    "make_multiclass_clouds",
]
