"""Train/test splits ready for active learning experiments.

:func:`load_dataset` serves the small data sets bundled with scikit-learn and
the synthetic LAL problems; :func:`load_csv_or_npy` does the same for a
user's CSV, ``.npy`` or ``.npz`` file. Nothing is downloaded.
"""

import csv
import numbers
import os
from pathlib import Path

import numpy as np
from sklearn.datasets import load_breast_cancer, load_digits, load_iris, load_wine
from sklearn.model_selection import train_test_split
from sklearn.preprocessing import StandardScaler
from sklearn.utils import Bunch

from ._synthetic import (
    _check_bool,
    _check_rng,
    make_checkerboard,
    make_gaussian_clouds,
)

__all__ = ["DATASET_NAMES", "load_csv_or_npy", "load_dataset"]

DATASET_NAMES = (
    "digits",
    "breast_cancer",
    "wine",
    "iris",
    "checkerboard2x2",
    "checkerboard4x4",
    "rotated_checkerboard2x2",
    "gaussian_clouds",
)

_SKLEARN_LOADERS = {
    "digits": load_digits,
    "breast_cancer": load_breast_cancer,
    "wine": load_wine,
    "iris": load_iris,
}

# Keyword arguments of make_checkerboard for the synthetic boards.
_CHECKERBOARDS = {
    "checkerboard2x2": {"grid": 2, "rotated": False},
    "checkerboard4x4": {"grid": 4, "rotated": False},
    "rotated_checkerboard2x2": {"grid": 2, "rotated": True},
}

_DESCRIPTIONS = {
    "digits": "Handwritten digits: 8x8 grey-level images (64 features), "
    "10 classes (scikit-learn bundled copy of UCI optdigits test set).",
    "breast_cancer": "Wisconsin diagnostic breast cancer: 30 features, "
    "2 classes (malignant / benign).",
    "wine": "Wine recognition: 13 chemical features, 3 cultivars.",
    "iris": "Iris plants: 4 features, 3 species.",
    "checkerboard2x2": "Synthetic 2x2 checkerboard (XOR) on the unit square, "
    "2 features, 2 classes (LAL, Konyushkova et al. 2017).",
    "checkerboard4x4": "Synthetic 4x4 checkerboard on the unit square, "
    "2 features, 2 classes (LAL, Konyushkova et al. 2017).",
    "rotated_checkerboard2x2": "Synthetic 2x2 checkerboard rotated by 45 "
    "degrees, 2 features, 2 classes (LAL, Konyushkova et al. 2017).",
    "gaussian_clouds": "Synthetic pair of random Gaussian clouds with class-1 "
    "share uniform in [0.1, 0.9], 2 features, 2 classes "
    "(LAL, Konyushkova et al. 2017).",
}

# Number of train and of test points drawn for the synthetic entries, as in
# the files shipped with the LAL code.
_N_SYNTHETIC = 1000

_TEXT_SUFFIXES = (".csv", ".tsv", ".txt")
_ARRAY_SUFFIXES = (".npy", ".npz")


def _check_test_size(test_size):
    if isinstance(test_size, (bool, np.bool_)) or not isinstance(
        test_size, numbers.Real
    ):
        raise TypeError(
            "test_size must be a float in (0, 1) or a positive int, got "
            f"{type(test_size).__name__} ({test_size!r})."
        )
    if isinstance(test_size, numbers.Integral):
        if test_size < 1:
            raise ValueError(
                f"test_size must be a positive int when an int, got {test_size}."
            )
        return int(test_size)
    if not 0.0 < test_size < 1.0:
        raise ValueError(
            f"test_size must be in the open interval (0, 1) when a float, "
            f"got {test_size}."
        )
    return float(test_size)


def _split(X, y, test_size, random_state):
    """Stratified train/test split."""
    return train_test_split(
        X, y, test_size=test_size, random_state=random_state, stratify=y
    )


def _bunch(X_train, X_test, y_train, y_test, *, name, description, scale):
    """Scale (``scale`` is False, "standard" or "divide16") and pack."""
    X_train = np.asarray(X_train, dtype=float)
    X_test = np.asarray(X_test, dtype=float)
    if scale == "divide16":
        X_train = X_train / 16.0
        X_test = X_test / 16.0
    elif scale == "standard":
        scaler = StandardScaler().fit(X_train)
        X_train = scaler.transform(X_train)
        X_test = scaler.transform(X_test)
    n_classes = int(np.unique(np.concatenate([y_train, y_test])).size)
    return Bunch(
        X_train=np.ascontiguousarray(X_train),
        X_test=np.ascontiguousarray(X_test),
        y_train=np.asarray(y_train),
        y_test=np.asarray(y_test),
        name=name,
        n_classes=n_classes,
        description=description,
    )


def load_dataset(name, *, test_size=0.3, scale=True, random_state=0):
    """Load a named data set as a train/test split for active learning.

    Real data sets come from the copies bundled with scikit-learn (nothing is
    downloaded) and are split with a stratified
    :func:`~sklearn.model_selection.train_test_split`. The synthetic entries
    are drawn with :func:`make_checkerboard` / :func:`make_gaussian_clouds`:
    1000 training and 1000 test points from two separate draws, like the
    files shipped with the LAL code (``test_size`` is then ignored).

    Parameters
    ----------
    name : str
        One of :data:`DATASET_NAMES`: ``"digits"``, ``"breast_cancer"``,
        ``"wine"``, ``"iris"``, ``"checkerboard2x2"``, ``"checkerboard4x4"``,
        ``"rotated_checkerboard2x2"`` or ``"gaussian_clouds"``.
    test_size : float or int, default=0.3
        Fraction (float in ``(0, 1)``) or number (int) of samples held out for
        testing. Ignored by the synthetic entries.
    scale : bool, default=True
        If True, standardise the features with a
        :class:`~sklearn.preprocessing.StandardScaler` fitted on the training
        part only, then applied to both parts. ``"digits"`` is the exception:
        its pixel intensities (0 to 16) are divided by 16, which maps them to
        ``[0, 1]`` without estimating anything from the data.
    random_state : int, RandomState instance or None, default=0
        Seeds the split (real data) or the draws (synthetic data).

    Returns
    -------
    data : sklearn.utils.Bunch
        Dictionary-like object with the fields:

        - ``X_train`` : ndarray of shape (n_train, n_features)
        - ``X_test`` : ndarray of shape (n_test, n_features)
        - ``y_train`` : ndarray of shape (n_train,)
        - ``y_test`` : ndarray of shape (n_test,)
        - ``name`` : str, the requested name
        - ``n_classes`` : int, distinct labels in train and test together
        - ``description`` : str, a one-line description

    Raises
    ------
    ValueError
        If ``name`` is unknown (the message lists the valid names).

    See Also
    --------
    load_csv_or_npy : The same for a user's file.
    make_checkerboard, make_gaussian_clouds : The synthetic generators.

    References
    ----------
    .. [1] K. Konyushkova, R. Sznitman and P. Fua, "Learning Active Learning
       from Data", Advances in Neural Information Processing Systems (NIPS),
       2017.

    Examples
    --------
    >>> from skactive.datasets import load_dataset
    >>> data = load_dataset("iris")
    >>> data.X_train.shape, data.X_test.shape, data.n_classes
    ((105, 4), (45, 4), 3)
    >>> data = load_dataset("checkerboard4x4", random_state=1)
    >>> data.X_train.shape, data.X_test.shape
    ((1000, 2), (1000, 2))
    """
    if not isinstance(name, str):
        raise TypeError(f"name must be a str, got {type(name).__name__} ({name!r}).")
    if name not in DATASET_NAMES:
        raise ValueError(
            f"Unknown dataset name={name!r}; valid names are "
            f"{', '.join(repr(n) for n in DATASET_NAMES)}."
        )
    test_size = _check_test_size(test_size)
    scale = _check_bool(scale, "scale")
    description = _DESCRIPTIONS[name]

    if name in _SKLEARN_LOADERS:
        raw = _SKLEARN_LOADERS[name]()
        X_train, X_test, y_train, y_test = _split(
            raw.data, raw.target, test_size, random_state
        )
        method = ("divide16" if name == "digits" else "standard") if scale else False
    else:
        rng = _check_rng(random_state)
        if name == "gaussian_clouds":
            X_train, y_train, X_test, y_test = make_gaussian_clouds(
                _N_SYNTHETIC, n_test=_N_SYNTHETIC, random_state=rng, return_test=True
            )
        else:
            kwargs = _CHECKERBOARDS[name]
            X_train, y_train = make_checkerboard(
                _N_SYNTHETIC, random_state=rng, **kwargs
            )
            X_test, y_test = make_checkerboard(_N_SYNTHETIC, random_state=rng, **kwargs)
        method = "standard" if scale else False

    return _bunch(
        X_train,
        X_test,
        y_train,
        y_test,
        name=name,
        description=description,
        scale=method,
    )


def _is_number(cell):
    try:
        float(cell)
    except ValueError:
        return False
    return True


def _read_text_table(path):
    """Rows of a delimited numeric text file as a 2-D array of str cells.

    The delimiter is the first of ``,``, ``;``, tab found in the first data
    line (whitespace otherwise); blank lines and lines starting with ``#``
    are skipped.
    """
    with open(path, newline="", encoding="utf-8-sig") as handle:
        lines = [
            line
            for line in handle.read().splitlines()
            if line.strip() and not line.lstrip().startswith("#")
        ]
    if not lines:
        raise ValueError(f"path={str(path)!r} contains no data rows.")
    delimiter = next((d for d in (",", ";", "\t") if d in lines[0]), None)
    if delimiter is None:
        rows = [line.split() for line in lines]
    else:
        reader = csv.reader(lines, delimiter=delimiter)
        rows = [[cell.strip() for cell in row] for row in reader]
    width = len(rows[0])
    for lineno, row in enumerate(rows, start=1):
        if len(row) != width:
            raise ValueError(
                f"path={str(path)!r}: data row {lineno} has {len(row)} fields, "
                f"expected {width} like the first row."
            )
    return np.array(rows, dtype=str)


def _text_to_float(cells, path, columns):
    """Vectorised float conversion with the first bad cell in the message.

    ``columns`` maps the columns of ``cells`` to 0-based file columns.
    """
    try:
        return cells.astype(float)
    except ValueError:
        bad = ~np.vectorize(_is_number, otypes=[bool])(cells)
        row, col = np.argwhere(bad)[0]
        raise ValueError(
            f"path={str(path)!r}: non-numeric or missing value "
            f"{str(cells[row, col])!r} at data row {row + 1} (1-based, header "
            f"excluded), column {columns[col]} (0-based); feature columns must "
            "be numeric."
        ) from None


def _check_target_column(target_column, n_columns, path):
    if isinstance(target_column, (bool, np.bool_)) or not isinstance(
        target_column, numbers.Integral
    ):
        raise TypeError(
            "target_column must be an int, got "
            f"{type(target_column).__name__} ({target_column!r})."
        )
    if n_columns < 2:
        raise ValueError(
            f"path={str(path)!r} has {n_columns} column(s); at least one feature "
            "column and a target column are needed."
        )
    if not -n_columns <= target_column < n_columns:
        raise ValueError(
            f"target_column={target_column} is out of range for a file with "
            f"{n_columns} columns."
        )
    return int(target_column) % n_columns


def _as_labels(y, path):
    """Class labels: integral numbers become ints, strings stay strings."""
    y = np.asarray(y)
    if y.dtype.kind in "US":
        try:
            y = y.astype(float)
        except ValueError:
            return y
    if y.dtype.kind == "b":
        return y.astype(int)
    if y.dtype.kind in "iu":
        return y
    if y.dtype.kind != "f":
        raise TypeError(
            f"path={str(path)!r}: target has unsupported dtype {y.dtype}; "
            "expected numbers or strings."
        )
    if not np.all(np.isfinite(y)):
        raise ValueError(f"path={str(path)!r}: target contains NaN or infinity.")
    if not np.all(y == np.round(y)):
        raise ValueError(
            f"path={str(path)!r}: target contains non-integer values; class "
            "labels (integers or strings) are expected."
        )
    return y.astype(np.int64)


def _check_features(X, path):
    X = np.asarray(X)
    if X.dtype.kind not in "biuf":
        raise TypeError(
            f"path={str(path)!r}: features have dtype {X.dtype}; numeric "
            "features are expected."
        )
    X = X.astype(float)
    if not np.all(np.isfinite(X)):
        raise ValueError(f"path={str(path)!r}: features contain NaN or infinity.")
    return X


def load_csv_or_npy(
    path, *, target_column=-1, test_size=0.3, random_state=0, scale=True
):
    """Load a user's data file as a train/test split for active learning.

    Supported files:

    * delimited text (``.csv``, ``.tsv``, ``.txt``): numeric feature columns
      separated by ``,``, ``;``, tabs or whitespace (detected from the first
      line). An optional header row is detected automatically: the first row
      is a header when one of its feature cells is not a number. Blank lines
      and lines starting with ``#`` are skipped. The target column may hold
      numbers or strings.
    * ``.npy``: a 2-D numeric array whose column ``target_column`` holds the
      labels and whose other columns are the features.
    * ``.npz``: an archive with arrays ``X`` (2-D) and ``y`` (1-D); the LAL
      spelling ``x`` is also accepted. ``target_column`` is ignored.

    Integral numeric labels (such as ``1.0``) are returned as ints. The split
    is a stratified :func:`~sklearn.model_selection.train_test_split`, so
    every class needs at least two samples.

    Parameters
    ----------
    path : str or os.PathLike
        File to read.
    target_column : int, default=-1
        Column holding the labels (negative values count from the end) for
        text and ``.npy`` files.
    test_size : float or int, default=0.3
        Fraction (float in ``(0, 1)``) or number (int) of samples held out for
        testing.
    random_state : int, RandomState instance or None, default=0
        Seeds the split.
    scale : bool, default=True
        If True, standardise the features with a
        :class:`~sklearn.preprocessing.StandardScaler` fitted on the training
        part only.

    Returns
    -------
    data : sklearn.utils.Bunch
        Fields ``X_train``, ``X_test``, ``y_train``, ``y_test``, ``name`` (the
        file name without its suffix), ``n_classes`` and ``description``, as
        in :func:`load_dataset`.

    Raises
    ------
    FileNotFoundError
        If ``path`` does not exist.
    ValueError
        If the suffix is not supported, values are missing or non-numeric,
        labels are not class labels, or ``target_column`` is out of range.
    TypeError
        If an argument has the wrong type.

    See Also
    --------
    load_dataset : Named bundled and synthetic data sets.

    Examples
    --------
    >>> import os, tempfile
    >>> import numpy as np
    >>> from skactive.datasets import load_csv_or_npy
    >>> rng = np.random.RandomState(0)
    >>> table = np.column_stack([rng.rand(20, 3), np.arange(20) % 2])
    >>> with tempfile.TemporaryDirectory() as tmp:
    ...     path = os.path.join(tmp, "toy.csv")
    ...     np.savetxt(path, table, delimiter=",", header="a,b,c,label",
    ...                comments="")
    ...     data = load_csv_or_npy(path, test_size=0.25)
    >>> data.name, data.X_train.shape, data.X_test.shape, data.n_classes
    ('toy', (15, 3), (5, 3), 2)
    >>> data.y_train.dtype.kind
    'i'
    """
    if not isinstance(path, (str, os.PathLike)):
        raise TypeError(
            f"path must be a str or os.PathLike, got {type(path).__name__}."
        )
    path = Path(path)
    suffix = path.suffix.lower()
    if suffix not in _TEXT_SUFFIXES + _ARRAY_SUFFIXES:
        raise ValueError(
            f"path={str(path)!r} has unsupported suffix {path.suffix!r}; "
            f"supported: {', '.join(_TEXT_SUFFIXES + _ARRAY_SUFFIXES)}."
        )
    if not path.is_file():
        raise FileNotFoundError(f"path={str(path)!r} does not exist.")
    test_size = _check_test_size(test_size)
    scale = _check_bool(scale, "scale")

    if suffix == ".npz":
        with np.load(path, allow_pickle=False) as archive:
            keys = set(archive.files)
            x_key = "X" if "X" in keys else "x" if "x" in keys else None
            if x_key is None or "y" not in keys:
                raise ValueError(
                    f"path={str(path)!r} must contain arrays 'X' and 'y'; found "
                    f"{sorted(keys)}."
                )
            X, y = archive[x_key], archive["y"]
        if X.ndim != 2:
            raise ValueError(f"path={str(path)!r}: X must be 2-D, got {X.ndim}-D.")
        if y.ndim == 2 and 1 in y.shape:
            y = y.ravel()
        if y.ndim != 1 or y.shape[0] != X.shape[0]:
            raise ValueError(
                f"path={str(path)!r}: y must be 1-D with {X.shape[0]} entries "
                f"(one per row of X), got shape {y.shape}."
            )
    elif suffix == ".npy":
        table = np.load(path, allow_pickle=False)
        if table.ndim != 2:
            raise ValueError(
                f"path={str(path)!r}: a .npy file must hold a 2-D array, got "
                f"{table.ndim}-D."
            )
        col = _check_target_column(target_column, table.shape[1], path)
        y = table[:, col]
        X = np.delete(table, col, axis=1)
    else:
        cells = _read_text_table(path)
        col = _check_target_column(target_column, cells.shape[1], path)
        feature_mask = np.arange(cells.shape[1]) != col
        first = cells[0]
        has_header = not all(_is_number(c) for c in first[feature_mask]) or not any(
            _is_number(c) for c in first
        )
        body = cells[1:] if has_header else cells
        if body.shape[0] == 0:
            raise ValueError(f"path={str(path)!r} contains no data rows.")
        X = _text_to_float(
            body[:, feature_mask], path, np.flatnonzero(feature_mask)
        )
        y = body[:, col]

    X = _check_features(X, path)
    y = _as_labels(y, path)
    X_train, X_test, y_train, y_test = _split(X, y, test_size, random_state)
    n_classes = np.unique(y).size
    description = (
        f"User data from {path.name}: {X.shape[0]} samples, {X.shape[1]} "
        f"features, {n_classes} classes."
    )
    return _bunch(
        X_train,
        X_test,
        y_train,
        y_test,
        name=path.stem,
        description=description,
        scale="standard" if scale else False,
    )
