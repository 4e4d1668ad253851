"""Train/test splits ready for active learning experiments.

:func:`load_dataset` serves the small data sets bundled with scikit-learn and
the synthetic LAL problems; :func:`load_csv_or_npy` does the same for a
user's CSV, ``.npy`` or ``.npz`` file. Nothing is downloaded.
"""

import csv
import numbers
import os
import re
import warnings
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


def _column_index(value, n_columns, names, path, name):
    """0-based file column of ``value``: an int (negative counts from the
    end) or, with a header, a column name."""
    if isinstance(value, str):
        if names is None:
            raise ValueError(
                f"{name}={value!r} is a column name, but path={str(path)!r} has "
                "no column names (no header row); pass a 0-based column index "
                "instead."
            )
        matches = [i for i, n in enumerate(names) if n == value]
        if not matches:
            raise ValueError(
                f"{name}={value!r} is not a column of path={str(path)!r}; its "
                f"columns are {', '.join(map(repr, names))}."
            )
        if len(matches) > 1:
            raise ValueError(
                f"{name}={value!r} names columns {matches} of path="
                f"{str(path)!r}; pass a 0-based column index instead."
            )
        return matches[0]
    if isinstance(value, (bool, np.bool_)) or not isinstance(value, numbers.Integral):
        raise TypeError(
            f"{name} must be an int or a column name (str), got "
            f"{type(value).__name__} ({value!r})."
        )
    if not -n_columns <= value < n_columns:
        raise ValueError(
            f"{name}={value} is out of range for a file with {n_columns} columns."
        )
    return int(value) % n_columns


def _check_n_columns(n_columns, path):
    if n_columns < 2:
        raise ValueError(
            f"path={str(path)!r} has {n_columns} column(s); at least one feature "
            "column and a target column are needed."
        )


def _check_target_column(target_column, n_columns, path, names=None):
    _check_n_columns(n_columns, path)
    return _column_index(target_column, n_columns, names, path, "target_column")


# What pandas names an unnamed index column: "" when it writes the index of a
# DataFrame, "Unnamed: <i>" when such a file is read back and written again.
_UNNAMED = re.compile(r"(Unnamed: \d+)?")


def _is_integer_column(cells):
    try:
        values = np.asarray(cells, dtype=float)
    except ValueError:
        return False
    return bool(np.all(np.isfinite(values)) and np.all(values == np.round(values)))


def _index_columns(index_column, names, body, target, path):
    """File columns to drop as row indices, and why (for the warning)."""
    if index_column is None:
        return [], None
    if isinstance(index_column, str) and index_column == "auto":
        if names is None:
            return [], None
        # The leading unnamed columns of integers: pandas' index
        # (DataFrame.to_csv writes it by default; after pd.concat its values
        # repeat). As a feature it leaks the row order, which is often sorted
        # by class.
        drop = []
        for col, name in enumerate(names):
            if (col == target or not _UNNAMED.fullmatch(name)
                    or not _is_integer_column(body[:, col])):
                break
            drop.append(col)
        if not drop and names and target != 0 and _is_integer_column(body[:, 0]):
            values = np.asarray(body[:, 0], dtype=float)
            if np.array_equal(np.sort(values), np.arange(values.shape[0])):
                # A named index (df.index.name = "id") cannot be told from a
                # feature by its name: say so, and how to drop it.
                warnings.warn(
                    f"path={str(path)!r}: the first column {names[0]!r} holds "
                    "the row numbers 0 ... n-1, like a DataFrame index written "
                    "with a name; it is kept as a feature. If it is an index, "
                    f"pass index_column={names[0]!r} (--index-column on the "
                    "command line).", UserWarning, stacklevel=3)
        return drop, "auto"
    col = _column_index(index_column, body.shape[1], names, path, "index_column")
    if col == target:
        raise ValueError(
            f"index_column={index_column!r} is also the target column; pass "
            "another index_column, or None to drop no column."
        )
    return [col], "given"


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


def _check_header(header):
    if isinstance(header, str) and header == "auto":
        return header
    if isinstance(header, (bool, np.bool_)):
        return bool(header)
    error = ValueError if isinstance(header, str) else TypeError
    raise error(f"header must be 'auto', True or False, got {header!r}.")


def _check_index_column(index_column):
    ok = index_column is None or isinstance(index_column, str) or (
        isinstance(index_column, numbers.Integral)
        and not isinstance(index_column, (bool, np.bool_))
    )
    if not ok:
        raise TypeError(
            "index_column must be 'auto', None, an int or a column name, got "
            f"{type(index_column).__name__} ({index_column!r})."
        )
    return index_column


def _detect_header(first, target_column, n_columns, path):
    """Whether the first row of a text table is a header (``header="auto"``).

    A column name as ``target_column`` implies one. Otherwise the row is a
    header when one of its feature cells is not a number, or none of its
    cells is (a header whose target name is a number still has feature
    names; a data row with a string label still has numeric features).
    """
    if isinstance(target_column, str):
        return True
    if [c.strip() for c in first] == [str(i) for i in range(n_columns)]:
        # The names pandas gives the columns of an unnamed array
        # (pd.DataFrame(X).to_csv(index=False)).
        return True
    col = _check_target_column(target_column, n_columns, path)
    features = np.arange(n_columns) != col
    return not all(_is_number(c) for c in first[features]) or not any(
        _is_number(c) for c in first
    )


def load_csv_or_npy(
    path,
    *,
    target_column=-1,
    header="auto",
    index_column="auto",
    test_size=0.3,
    random_state=0,
    scale=True,
):
    """Load a user's data file as a train/test split for active learning.

    Supported files:

    * delimited text (``.csv``, ``.tsv``, ``.txt``): numeric feature columns
      separated by ``,``, ``;``, tabs or whitespace (detected from the first
      line), with an optional header row (see ``header``). Blank lines and
      lines starting with ``#`` are skipped. The target column may hold
      numbers or strings.
    * ``.npy``: a 2-D numeric array whose column ``target_column`` holds the
      labels and whose other columns are the features.
    * ``.npz``: an archive with arrays ``X`` (2-D) and ``y`` (1-D); the LAL
      spelling ``x`` is also accepted. ``target_column``, ``header`` and
      ``index_column`` are ignored.

    A file written by :meth:`pandas.DataFrame.to_csv` starts with the
    frame's index: a column with an empty name (``"Unnamed: 0"`` once read
    and written again) holding the row numbers. Used as a feature it leaks
    the row order, which is often sorted by class, so with
    ``index_column="auto"`` such leading columns of unique integers are
    dropped, with a :class:`UserWarning`.

    Integral numeric labels (such as ``1.0``) are returned as ints. The split
    is a stratified :func:`~sklearn.model_selection.train_test_split`, so
    every class needs at least two samples.

    Parameters
    ----------
    path : str or os.PathLike
        File to read.
    target_column : int or str, default=-1
        Column holding the labels: a 0-based index over the file's columns
        (an index column included; negative values count from the end) or,
        for a text file with a header, the column's name. Text and ``.npy``
        files.
    header : {"auto", True, False}, default="auto"
        Whether the first row of a text file holds column names. ``"auto"``
        takes it for a header when one of its feature cells is not a number,
        when it reads ``0, 1, ..., n_columns - 1`` (the names pandas gives
        an array's columns), or when ``target_column`` is a name.
    index_column : "auto", int, str or None, default="auto"
        A column of row indices, dropped from the features. ``"auto"`` drops
        the leading columns that have an empty or ``"Unnamed: <i>"`` name in
        the header and hold integers (the index pandas writes), and warns
        when a named first column holds the row numbers ``0 ... n-1`` (an
        index written with a name, kept); ``None`` keeps every column; an
        int or a name drops that column.
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
        labels are not class labels, or a column is out of range or not a
        column name of the file (the message lists the names).
    TypeError
        If an argument has the wrong type.

    Warns
    -----
    UserWarning
        When ``index_column="auto"`` drops an index column.

    See Also
    --------
    load_dataset : Named bundled and synthetic data sets.

    Examples
    --------
    >>> import os, tempfile
    >>> import numpy as np
    >>> from skactive.datasets import load_csv_or_npy
    >>> rng = np.random.RandomState(0)
    >>> table = np.column_stack([np.arange(20) % 2, rng.rand(20, 3)])
    >>> with tempfile.TemporaryDirectory() as tmp:
    ...     path = os.path.join(tmp, "toy.csv")
    ...     np.savetxt(path, table, delimiter=",", header="label,a,b,c",
    ...                comments="")
    ...     data = load_csv_or_npy(path, target_column="label", test_size=0.25)
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
    header = _check_header(header)
    index_column = _check_index_column(index_column)
    notes, drop = [], []

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
    else:
        if suffix == ".npy":
            body = np.load(path, allow_pickle=False)
            if body.ndim != 2:
                raise ValueError(
                    f"path={str(path)!r}: a .npy file must hold a 2-D array, got "
                    f"{body.ndim}-D."
                )
            names = None
        else:
            cells = _read_text_table(path)
            if header == "auto":
                has_header = _detect_header(cells[0], target_column,
                                            cells.shape[1], path)
            else:
                has_header = header
            names = [str(c) for c in cells[0]] if has_header else None
            body = cells[1:] if has_header else cells
            if body.shape[0] == 0:
                raise ValueError(f"path={str(path)!r} contains no data rows.")
        col = _check_target_column(target_column, body.shape[1], path, names)
        drop, why = _index_columns(index_column, names, body, col, path)
        if drop and why == "auto":
            shown = ", ".join(f"{c} ({names[c]!r})" for c in drop)
            notes.append(
                f"path={str(path)!r}: dropped column {shown}, which has no name "
                "and holds unique integers: the row index that "
                "pandas.DataFrame.to_csv writes. Pass index_column=None to keep "
                "it as a feature."
            )
        features = np.setdiff1d(np.arange(body.shape[1]), drop + [col])
        if features.size == 0:
            raise ValueError(
                f"path={str(path)!r} has no feature column left besides the "
                "target and index columns."
            )
        y = body[:, col]
        if suffix == ".npy":
            X = body[:, features]
        else:
            X = _text_to_float(body[:, features], path, features)

    X = _check_features(X, path)
    y = _as_labels(y, path)
    classes, counts = np.unique(y, return_counts=True)
    if (counts < 2).any():
        # The stratified split needs two samples a class; a lone class is
        # most often a header read as data or a mistyped label.
        raise ValueError(
            f"path={str(path)!r}: class(es) {classes[counts < 2].tolist()} have "
            "a single sample, too few to split into train and test. If the "
            "first line holds column names, pass header=True (--header); "
            "otherwise fix or drop those rows."
        )
    X_train, X_test, y_train, y_test = _split(X, y, test_size, random_state)
    n_classes = np.unique(y).size
    description = (
        f"User data from {path.name}: {X.shape[0]} samples, {X.shape[1]} "
        f"features, {n_classes} classes"
        + (f"; index column {', '.join(map(str, drop))} dropped." if notes else ".")
    )
    for note in notes:
        warnings.warn(note, UserWarning, stacklevel=2)
    return _bunch(
        X_train,
        X_test,
        y_train,
        y_test,
        name=path.stem,
        description=description,
        scale="standard" if scale else False,
    )
