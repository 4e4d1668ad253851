"""Summary metrics of active learning curves: AUBC, ξ-quality, relative AUBC,
deficiency."""

import numbers

import numpy as np

# np.trapz was renamed np.trapezoid in NumPy 2.0.
_trapezoid = getattr(np, "trapezoid", None) or getattr(np, "trapz")

__all__ = ["aubc", "deficiency", "relative_aubc", "xi_quality"]


def _check_curves(curve, name):
    """Validate a 1-D curve or a 2-D stack of curves (one per row)."""
    if isinstance(curve, (str, bytes)):
        raise TypeError(f"{name} must be an array of scores, got a string.")
    try:
        arr = np.asarray(curve, dtype=float)
    except (TypeError, ValueError) as exc:
        raise TypeError(
            f"{name} must be an array of numeric scores; could not convert "
            f"{type(curve).__name__} to floats ({exc})."
        ) from exc
    if arr.ndim not in (1, 2):
        raise ValueError(
            f"{name} must be 1-D (one curve) or 2-D (one curve per row), got "
            f"an array with {arr.ndim} dimensions and shape {arr.shape}."
        )
    if arr.shape[-1] == 0:
        raise ValueError(f"{name} is empty: a curve needs at least one point.")
    if not np.all(np.isfinite(arr)):
        raise ValueError(
            f"{name} contains NaN or infinite values; every point of a "
            "learning curve must be a finite score."
        )
    return arr


def aubc(scores, n_labeled=None):
    """Area under the budget curve (AUBC) of one or several learning curves.

    The curve is integrated with the trapezoid rule on a budget axis
    normalised to ``[0, 1]``: the first point (the model trained on the
    initial labeled set, before any query) sits at 0 and the last point at 1.
    The AUBC is therefore the average score over the budget and lies in the
    range of the scores; a curve that is constant at ``c`` has AUBC ``c``.
    With equally spaced points it equals the mean of the curve with the two
    end points weighted by one half, which is Zhou et al.'s ξ-quality as
    used by Lüth et al. (2023).

    Parameters
    ----------
    scores : array-like of shape (n_steps,) or (n_curves, n_steps)
        Scores after each acquisition step, the initial point included. A
        2-D array holds one curve per row (e.g. one per repeat) sharing the
        same budget steps.
    n_labeled : array-like of shape (n_steps,), default=None
        Number of labeled samples at each step, strictly increasing. The
        points are placed at ``(n_labeled - n_labeled[0]) /
        (n_labeled[-1] - n_labeled[0])``, so a shorter last batch counts
        less. ``None`` places the points equally spaced.

    Returns
    -------
    aubc : float or ndarray of shape (n_curves,)
        A float for a 1-D ``scores``, one value per row for a 2-D one. A
        curve with a single point has the AUBC of that point.

    See Also
    --------
    relative_aubc : AUBC relative to the random-sampling baseline.
    deficiency : Yang & Loog's deficiency with respect to random sampling.

    References
    ----------
    .. [1] X. Zhan, Q. Wang, K. Huang, H. Xiong, D. Dou, A. B. Chan, "A
       Comparative Survey of Deep Active Learning", 2022, arXiv:2203.13450.
    .. [2] C. Lüth, T. Bungert, L. Klein, P. Jaeger, "Navigating the Pitfalls
       of Active Learning Evaluation", NeurIPS 2023.

    Examples
    --------
    >>> from skactive.evaluation import aubc
    >>> aubc([0.7, 0.7, 0.7])
    0.7
    >>> aubc([0.0, 0.5, 1.0])
    0.5
    >>> aubc([0.0, 1.0, 1.0], n_labeled=[10, 20, 30])
    0.75
    >>> round(aubc([0.0, 1.0, 1.0], n_labeled=[10, 12, 30]), 6)
    0.95
    >>> aubc([[0.5, 0.5], [0.0, 1.0]])
    array([0.5, 0.5])
    """
    y = _check_curves(scores, "scores")
    n_steps = y.shape[-1]
    if n_labeled is None:
        x = np.linspace(0.0, 1.0, n_steps)
    else:
        x = _check_curves(n_labeled, "n_labeled")
        if x.ndim != 1 or x.shape[0] != n_steps:
            raise ValueError(
                f"n_labeled must be 1-D with one entry per step ({n_steps}), "
                f"got shape {x.shape}."
            )
        if n_steps > 1 and np.any(np.diff(x) <= 0):
            raise ValueError(
                f"n_labeled must be strictly increasing, got {x.tolist()}."
            )
        if n_steps > 1:
            x = (x - x[0]) / (x[-1] - x[0])
    if n_steps == 1:
        area = y[..., 0].copy()
    else:
        area = _trapezoid(y, x, axis=-1)
    if area.ndim == 0:
        return float(area)
    return area


def xi_quality(scores):
    """Zhou et al.'s ξ-quality: the mean score over the acquisition steps.

    ``q = (1/K) sum_{k=1}^{K} tau(k)``, where ``tau(k)`` is the score after
    the k-th acquired batch. The score of the warm-start model (``k = 0``,
    the first point of ``scores``) is left out, as in the paper's definition
    (their code included it: a constant that only shifts the quality). It is
    the right Riemann sum of the learning curve, whereas :func:`aubc` uses
    the trapezoid rule with the warm-start point.

    Parameters
    ----------
    scores : array-like of shape (K + 1,) or (n_curves, K + 1)
        Scores after 0, 1, ..., K acquired batches (one curve per row). The
        first point is ignored and may be NaN (no warm-start model).

    Returns
    -------
    quality : float or ndarray of shape (n_curves,)

    See Also
    --------
    aubc : Trapezoid area under the budget curve.
    skactive.oracle.OptimalOrderSearch : Searches the order of highest
        ξ-quality.

    References
    ----------
    .. [1] Y. Zhou, A. Renduchintala, X. Li, S. Wang, Y. Mehdad, A. Ghoshal,
       "Towards Understanding the Behaviors of Optimal Deep Active Learning
       Algorithms", AISTATS 2021.

    Examples
    --------
    >>> from skactive.evaluation import xi_quality
    >>> xi_quality([0.5, 0.6, 0.8])
    0.7
    >>> xi_quality([[0.5, 0.6, 0.8], [0.5, 1.0, 1.0]])
    array([0.7, 1. ])
    """
    if isinstance(scores, (str, bytes)):
        raise TypeError("scores must be an array of scores, got a string.")
    y = np.asarray(scores, dtype=float)
    if y.ndim not in (1, 2) or y.shape[-1] < 2:
        raise ValueError(
            "scores must be 1-D (one curve) or 2-D (one curve per row) with the "
            "warm-start point and at least one acquisition step, got shape "
            f"{y.shape}."
        )
    # The warm-start point is not part of the quality and may be NaN (no
    # warm start), so only the acquisition steps are checked.
    q = _check_curves(y[..., 1:], "scores")
    q = q.mean(axis=-1)
    if q.ndim == 0:
        return float(q)
    return q


def relative_aubc(aubc_strategy, aubc_random):
    """AUBC of a strategy relative to random sampling: ``ratio - 1``.

    Parameters
    ----------
    aubc_strategy : float or array-like
        AUBC of the strategy (one value, or one per repeat).
    aubc_random : float or array-like
        AUBC of random sampling, broadcastable against ``aubc_strategy``
        (paired per repeat when both are arrays). Must be non-zero.

    Returns
    -------
    relative : float or ndarray
        ``aubc_strategy / aubc_random - 1``: ``0.05`` means 5% better than
        random, a negative value worse than random.

    See Also
    --------
    aubc : The area under the budget curve.

    Examples
    --------
    >>> from skactive.evaluation import relative_aubc
    >>> round(relative_aubc(0.84, 0.8), 6)
    0.05
    >>> relative_aubc([0.9, 0.6], [0.9, 0.8])
    array([ 0.  , -0.25])
    """
    s = np.asarray(aubc_strategy, dtype=float)
    r = np.asarray(aubc_random, dtype=float)
    if not np.all(np.isfinite(s)):
        raise ValueError("aubc_strategy contains NaN or infinite values.")
    if not np.all(np.isfinite(r)):
        raise ValueError("aubc_random contains NaN or infinite values.")
    if np.any(r == 0):
        raise ValueError(
            "aubc_random contains 0; the relative AUBC is undefined for a "
            "random baseline with zero area."
        )
    try:
        out = s / r - 1.0
    except ValueError as exc:
        raise ValueError(
            f"aubc_strategy of shape {s.shape} and aubc_random of shape "
            f"{r.shape} do not broadcast together."
        ) from exc
    if out.ndim == 0:
        return float(out)
    return out


def deficiency(curve, random_curve, full_score):
    """Deficiency of a learning curve with respect to random sampling.

    Yang & Loog (2018) compare the area between a strategy's curve and the
    score of the model trained on all the data with the same area for random
    sampling::

        deficiency = sum_t (a_full - a_s(t)) / sum_t (a_full - a_rand(t))

    A value below 1 means the strategy approaches the full-data score faster
    than random sampling on average over the curve, above 1 slower; random
    sampling itself scores 1. Both curves must be measured at the same
    budget steps.

    The value is negative exactly when one curve averages above
    ``full_score`` and the other below it. Usually random's curve is below,
    and a negative deficiency means the strategy's curve averages above the
    score of the model trained on all the data (its labeled subsets beat
    the full training set, e.g. with noisy labels). When random's curve
    averages above ``full_score`` the denominator is negative and the ratio
    no longer ranks strategies (lower is not better).

    Parameters
    ----------
    curve : array-like of shape (n_steps,) or (n_curves, n_steps)
        Scores of the strategy; one curve per row when 2-D.
    random_curve : array-like of the same shape as ``curve``
        Scores of random sampling at the same steps (paired row by row).
    full_score : float or array-like of shape (n_curves,)
        Score of the classifier trained on the whole training set (one per
        row when the curves are 2-D).

    Returns
    -------
    deficiency : float or ndarray of shape (n_curves,)
        NaN where random sampling's curve has zero area below ``full_score``
        (the ratio is then undefined).

    See Also
    --------
    aubc : The area under the budget curve.

    References
    ----------
    .. [1] Y. Yang, M. Loog, "A benchmark and comparison of active learning
       for logistic regression", Pattern Recognition 83, 2018.

    Examples
    --------
    >>> from skactive.evaluation import deficiency
    >>> deficiency([0.6, 0.8, 0.9], [0.6, 0.7, 0.8], full_score=1.0)
    0.777...
    >>> deficiency([0.6, 0.7, 0.8], [0.6, 0.7, 0.8], full_score=1.0)
    1.0
    """
    a_s = _check_curves(curve, "curve")
    a_r = _check_curves(random_curve, "random_curve")
    if a_s.shape != a_r.shape:
        raise ValueError(
            f"curve and random_curve must have the same shape (same steps), "
            f"got {a_s.shape} and {a_r.shape}."
        )
    if isinstance(full_score, numbers.Real) and not isinstance(full_score, bool):
        full = np.float64(full_score)
    else:
        full = np.asarray(full_score, dtype=float)
    if not np.all(np.isfinite(full)):
        raise ValueError("full_score contains NaN or infinite values.")
    if a_s.ndim == 1 and full.ndim != 0:
        raise ValueError(
            f"full_score must be a scalar for a 1-D curve, got shape {full.shape}."
        )
    if a_s.ndim == 2:
        if full.ndim == 0:
            full = np.full(a_s.shape[0], float(full))
        if full.shape != (a_s.shape[0],):
            raise ValueError(
                f"full_score must be a scalar or have one value per curve "
                f"({a_s.shape[0]}), got shape {full.shape}."
            )
        full = full[:, None]
    num = np.sum(full - a_s, axis=-1)
    den = np.sum(full - a_r, axis=-1)
    with np.errstate(divide="ignore", invalid="ignore"):
        out = np.where(den == 0, np.nan, num / np.where(den == 0, 1.0, den))
    if out.ndim == 0:
        return float(out)
    return out
