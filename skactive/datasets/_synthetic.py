"""Synthetic binary problems used in the active learning literature.

Two generators:

* :func:`make_gaussian_clouds`: two random Gaussian clouds with a random
  class ratio, the generator on which Learning Active Learning (LAL) policies
  are trained;
* :func:`make_checkerboard`: XOR-like checkerboards on the unit square
  (2x2, 4x4 and the 2x2 board rotated by 45 degrees) on which uncertainty
  sampling is known to struggle.
"""

import numbers

import numpy as np
from sklearn.utils import check_random_state

__all__ = ["make_checkerboard", "make_gaussian_clouds", "make_multiclass_clouds"]


def _check_int(value, name, min_value):
    """Return ``value`` as an int, or raise naming ``name``."""
    if isinstance(value, (bool, np.bool_)) or not isinstance(
        value, numbers.Integral
    ):
        raise TypeError(
            f"{name} must be an integer, got {type(value).__name__} ({value!r})."
        )
    if value < min_value:
        raise ValueError(f"{name} must be >= {min_value}, got {value}.")
    return int(value)


def _check_bool(value, name):
    if not isinstance(value, (bool, np.bool_)):
        raise TypeError(
            f"{name} must be a bool, got {type(value).__name__} ({value!r})."
        )
    return bool(value)


def _check_rng(random_state):
    """``check_random_state`` with an error message naming the parameter."""
    try:
        return check_random_state(random_state)
    except (ValueError, TypeError) as exc:
        raise ValueError(
            "random_state must be None, an int in [0, 2**32 - 1] or a "
            f"numpy.random.RandomState instance, got {random_state!r}."
        ) from exc


def _gaussian_cloud_pair(n1, n0, mean1, cov1, mean0, cov0, rng):
    """Draw ``n1`` class-1 and ``n0`` class-0 points, then shuffle the rows."""
    X = np.concatenate(
        [
            rng.multivariate_normal(mean1, cov1, size=n1),
            rng.multivariate_normal(mean0, cov0, size=n0),
        ],
        axis=0,
    )
    y = np.concatenate([np.ones(n1, dtype=int), np.zeros(n0, dtype=int)])
    order = rng.permutation(n1 + n0)
    return X[order], y[order]


def make_gaussian_clouds(
    n_samples=400,
    *,
    n_features=2,
    n_test=None,
    random_state=None,
    return_test=False,
):
    """Two random Gaussian clouds with a random class ratio (LAL generator).

    This is the synthetic generator of Konyushkova et al. (2017), written as
    in the authors' code:

    1. the share of class 1 is ``p1 = 0.5 + 0.8 * (u - 0.5)`` with
       ``u ~ U[0, 1]``, so ``p1`` is uniform on ``[0.1, 0.9]``;
    2. ``n1 = int(n_samples * p1)`` points get label 1 and
       ``n0 = n_samples - n1`` get label 0;
    3. each class independently gets a mean uniform on the unit cube
       ``[0, 1]^n_features`` and a covariance ``A @ A.T`` with the entries of
       ``A`` uniform on ``[-0.5, 0.5]``;
    4. points are drawn from the two Gaussians. No scaling is applied.

    Random numbers are drawn in the same order as the original code (``u``,
    class-1 parameters, class-0 parameters, class-1 points, class-0 points),
    so with ``random_state=seed`` the training points are the ones the
    original draws after ``np.random.seed(seed)``, up to the row order: the
    rows are shuffled here, whereas the original stacks class 1 above
    class 0.

    Parameters
    ----------
    n_samples : int, default=400
        Number of training points. For ``n_samples < 10`` one class may be
        empty.
    n_features : int, default=2
        Dimension of the clouds. The LAL paper uses 2; other values are a
        straightforward generalisation (same recipe in ``n_features``
        dimensions).
    n_test : int or None, default=None
        Number of test points when ``return_test=True``. ``None`` means
        ``10 * n_samples``, as in the original code (4000 test points for
        400 training points). The test set is drawn from the same two
        Gaussians with the same class proportion: it has
        ``round(n_test * n1 / n_samples)`` points of class 1, which is
        exactly ``10 * n1`` by default.
    random_state : int, RandomState instance or None, default=None
        Seeds the draw. Pass an int for reproducible output.
    return_test : bool, default=False
        If True, also return a test set from the same distribution. The
        training set does not depend on this flag.

    Returns
    -------
    X : ndarray of shape (n_samples, n_features)
        Training points, rows shuffled.
    y : ndarray of shape (n_samples,)
        Integer labels in ``{0, 1}``.
    X_test : ndarray of shape (n_test, n_features)
        Test points, only returned when ``return_test=True``.
    y_test : ndarray of shape (n_test,)
        Test labels, only returned when ``return_test=True``.

    See Also
    --------
    make_checkerboard : XOR-like checkerboard problems.
    load_dataset : The ``"gaussian_clouds"`` entry draws 1000 + 1000 points.

    References
    ----------
    .. [1] K. Konyushkova, R. Sznitman and P. Fua, "Learning Active Learning
       from Data", Advances in Neural Information Processing Systems (NIPS),
       2017.

    Examples
    --------
    >>> from skactive.datasets import make_gaussian_clouds
    >>> X, y = make_gaussian_clouds(400, random_state=0)
    >>> X.shape, y.shape
    ((400, 2), (400,))
    >>> sorted(set(y.tolist()))
    [0, 1]
    >>> bool(0.1 <= y.mean() <= 0.9)
    True
    >>> X, y, X_test, y_test = make_gaussian_clouds(
    ...     400, random_state=0, return_test=True)
    >>> X_test.shape, int(y_test.sum()) == 10 * int(y.sum())
    ((4000, 2), True)
    """
    n_samples = _check_int(n_samples, "n_samples", 1)
    n_features = _check_int(n_features, "n_features", 1)
    if n_test is not None:
        n_test = _check_int(n_test, "n_test", 1)
    return_test = _check_bool(return_test, "return_test")
    rng = _check_rng(random_state)

    # Share of class 1, uniform on [0.1, 0.9].
    p1 = (rng.rand() - 0.5) * 0.8 + 0.5
    n1 = int(n_samples * p1)
    n0 = n_samples - n1

    # Cloud parameters, class 1 first (the order of the original code).
    mean1 = rng.rand(n_features)
    a1 = rng.rand(n_features, n_features) - 0.5
    cov1 = a1 @ a1.T
    mean0 = rng.rand(n_features)
    a0 = rng.rand(n_features, n_features) - 0.5
    cov0 = a0 @ a0.T

    X, y = _gaussian_cloud_pair(n1, n0, mean1, cov1, mean0, cov0, rng)
    if not return_test:
        return X, y

    if n_test is None:
        n_test = 10 * n_samples
    # Same class proportion as the training set, rounded to the nearest int.
    n1_test = (2 * n_test * n1 + n_samples) // (2 * n_samples)
    X_test, y_test = _gaussian_cloud_pair(
        n1_test, n_test - n1_test, mean1, cov1, mean0, cov0, rng
    )
    return X, y, X_test, y_test


def make_multiclass_clouds(
    n_samples=400,
    *,
    n_classes=3,
    n_features=2,
    concentration=1.0,
    spread=1.0,
    n_test=None,
    random_state=None,
    return_test=False,
):
    """``n_classes`` random Gaussian clouds with random class shares.

    The multi-class generalisation of :func:`make_gaussian_clouds`, used to
    simulate learning states for LAL with any number of classes:

    1. class shares ``w ~ Dirichlet(concentration)``; every class gets two
       points and the remaining ``n_samples - 2 * n_classes`` are split
       multinomially by ``w`` (a small ``concentration`` gives strong
       imbalance, a large one nearly balanced classes);
    2. each class gets a mean uniform on ``[0, 1]^n_features`` and a
       covariance ``A @ A.T`` with the entries of ``A`` uniform on
       ``[-0.5, 0.5]`` times ``spread * sqrt(2 / n_features)``, so a cloud's
       total variance does not grow with the dimension and ``spread``
       controls the overlap (``n_features=2, spread=1`` are the paper's
       clouds);
    3. the test set, ``10 * n_samples`` points by default, has the same
       class shares.

    Parameters
    ----------
    n_samples : int, default=400
        Training points; at least ``2 * n_classes``.
    n_classes : int, default=3
        Number of classes, at least 2.
    n_features : int, default=2
        Dimension of the clouds.
    concentration : float, default=1.0
        Dirichlet concentration of the class shares (> 0).
    spread : float, default=1.0
        Scale of the clouds relative to the unit cube of the means (> 0).
    n_test : int or None, default=None
        Test points when ``return_test=True``; ``None`` means
        ``10 * n_samples``.
    random_state : int, RandomState instance or None, default=None
        Seeds the draw.
    return_test : bool, default=False
        Also return a test set from the same distribution.

    Returns
    -------
    X : ndarray of shape (n_samples, n_features)
    y : ndarray of shape (n_samples,)
        Labels ``0 .. n_classes - 1``, every class present.
    X_test, y_test : ndarrays
        Only with ``return_test=True``.

    See Also
    --------
    make_gaussian_clouds : The paper's two-class generator.

    Examples
    --------
    >>> from skactive.datasets import make_multiclass_clouds
    >>> X, y = make_multiclass_clouds(200, n_classes=4, n_features=5,
    ...                               random_state=0)
    >>> X.shape, sorted(set(y.tolist()))
    ((200, 5), [0, 1, 2, 3])
    """
    n_classes = _check_int(n_classes, "n_classes", 2)
    n_samples = _check_int(n_samples, "n_samples", 2 * n_classes)
    n_features = _check_int(n_features, "n_features", 1)
    for name, value in (("concentration", concentration), ("spread", spread)):
        if not isinstance(value, numbers.Real) or isinstance(value, bool) \
                or not value > 0:
            raise ValueError(f"{name} must be a positive number, got {value!r}.")
    if n_test is not None:
        n_test = _check_int(n_test, "n_test", n_classes)
    return_test = _check_bool(return_test, "return_test")
    rng = _check_rng(random_state)

    shares = rng.dirichlet(np.full(n_classes, float(concentration)))
    counts = 2 + rng.multinomial(n_samples - 2 * n_classes, shares)
    scale = float(spread) * np.sqrt(2.0 / n_features)
    means = rng.rand(n_classes, n_features)
    factors = (rng.rand(n_classes, n_features, n_features) - 0.5) * scale

    def draw(sizes):
        X = np.concatenate([
            means[c] + rng.standard_normal((k, n_features)) @ factors[c].T
            for c, k in enumerate(sizes)
        ])
        y = np.repeat(np.arange(n_classes), sizes)
        order = rng.permutation(y.shape[0])
        return X[order], y[order]

    X, y = draw(counts)
    if not return_test:
        return X, y
    n_test = 10 * n_samples if n_test is None else n_test
    # Same shares, every class present, exactly n_test points.
    test_counts = np.maximum(1, np.floor(counts * n_test / n_samples)).astype(int)
    test_counts[np.argmax(test_counts)] += n_test - test_counts.sum()
    X_test, y_test = draw(test_counts)
    return X, y, X_test, y_test


def _checkerboard_labels(X, grid=2, rotated=False):
    """Labels of points ``X`` (shape ``(n, 2)``) on the checkerboard."""
    x1, x2 = X[:, 0], X[:, 1]
    if rotated:
        parity = np.floor(x1 - x2) + np.floor(x1 + x2)
        return np.mod(parity, 2).astype(int)
    parity = np.floor(grid * x1) + np.floor(grid * x2)
    return (np.mod(parity, 2) == 0).astype(int)


def make_checkerboard(n_samples=1000, *, grid=2, rotated=False, random_state=None):
    """XOR-like checkerboard on the unit square.

    Points are uniform on ``[0, 1]^2``. On the ``grid x grid`` board a point
    gets label 1 when it lies in a cell whose row and column indices have an
    even sum (the cell at the origin is class 1)::

        y = 1 if (floor(grid * x1) + floor(grid * x2)) is even else 0

    The rotated board (``rotated=True``, only for ``grid=2``) is the 2x2
    board rotated by 45 degrees about the origin, as in the LAL experiments:
    the cell boundaries become the lines ``x1 - x2 = k`` and ``x1 + x2 = k``
    for integer ``k``, and::

        y = (floor(x1 - x2) + floor(x1 + x2)) mod 2

    Inside the unit square the two diagonals split it into four triangles;
    the left and right triangles are class 1 and the bottom and top ones
    class 0, i.e. ``y = [x1 + x2 < 1] XOR [x1 > x2]`` up to the boundaries.

    Both classes cover half of the square, so the labels are balanced in
    expectation. Neither class is linearly separable, which makes these
    boards a standard stress test for uncertainty sampling.

    Parameters
    ----------
    n_samples : int, default=1000
        Number of points.
    grid : int, default=2
        Number of cells along each axis (the LAL paper uses 2 and 4). Any
        integer ``>= 1`` is accepted for the axis-aligned board; ``grid=1``
        gives a single cell, i.e. all labels 1.
    rotated : bool, default=False
        Use the 2x2 board rotated by 45 degrees. Requires ``grid=2``.
    random_state : int, RandomState instance or None, default=None
        Seeds the draw. Pass an int for reproducible output.

    Returns
    -------
    X : ndarray of shape (n_samples, 2)
        Points uniform on the unit square.
    y : ndarray of shape (n_samples,)
        Integer labels in ``{0, 1}``.

    Raises
    ------
    ValueError
        If ``rotated=True`` and ``grid != 2``, or if an argument is out of
        range.

    See Also
    --------
    make_gaussian_clouds : The LAL Gaussian cloud generator.
    load_dataset : The ``"checkerboard2x2"``, ``"checkerboard4x4"`` and
        ``"rotated_checkerboard2x2"`` entries draw 1000 + 1000 points.

    References
    ----------
    .. [1] K. Konyushkova, R. Sznitman and P. Fua, "Learning Active Learning
       from Data", Advances in Neural Information Processing Systems (NIPS),
       2017.

    Examples
    --------
    >>> from skactive.datasets import make_checkerboard
    >>> X, y = make_checkerboard(1000, grid=4, random_state=0)
    >>> X.shape, y.shape
    ((1000, 2), (1000,))
    >>> bool(X.min() >= 0 and X.max() < 1)
    True
    >>> bool(0.45 < y.mean() < 0.55)
    True
    >>> X, y = make_checkerboard(200, rotated=True, random_state=0)
    >>> bool(((y == 1) == ((X.sum(axis=1) < 1) ^ (X[:, 0] > X[:, 1]))).all())
    True
    """
    n_samples = _check_int(n_samples, "n_samples", 1)
    grid = _check_int(grid, "grid", 1)
    rotated = _check_bool(rotated, "rotated")
    if rotated and grid != 2:
        raise ValueError(
            f"rotated=True is only defined for grid=2, got grid={grid}."
        )
    rng = _check_rng(random_state)

    X = rng.uniform(0.0, 1.0, size=(n_samples, 2))
    return X, _checkerboard_labels(X, grid=grid, rotated=rotated)
