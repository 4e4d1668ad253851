"""Distribution of the acquired labeled set over time (Zhou et al. 2021, Sec. 6.4).

Zhou et al. found that the optimal acquisition order keeps the labeled set's
label and input-bin distribution close to the data's at every size, while
heuristics over-sample some classes or bins. These helpers compute that
distribution per step of a run (:func:`acquisition_distribution`,
:func:`learner_distribution`), a distance to a reference distribution per
step (:func:`distribution_distance`) and the stacked-bar figure of the paper
(:func:`plot_acquisition_distribution`).
"""

import numbers

import numpy as np

from ..base import _check_option

__all__ = [
    "DistributionOverTime",
    "acquisition_distribution",
    "category_proportions",
    "distribution_distance",
    "learner_distribution",
    "plot_acquisition_distribution",
]

_METRICS = ("tv", "l1", "kl", "max_deficit")


# -- validation -----------------------------------------------------------------
def _check_values(values, name="values"):
    if isinstance(values, str) or not hasattr(values, "__len__"):
        raise TypeError(
            f"{name} must be an array-like of shape (n,) with one category per "
            f"sample, got {type(values).__name__}."
        )
    values = np.asarray(values)
    if values.ndim != 1:
        raise ValueError(
            f"{name} must be 1-D (one category per sample), got shape "
            f"{values.shape}."
        )
    if values.dtype.kind == "f" and np.isnan(values).any():
        raise ValueError(
            f"{name} contains NaN; give every sample a category (e.g. a label "
            "or a bin id)."
        )
    return values


def _encode(values, categories):
    """Integer codes of ``values`` in ``categories`` and the categories array.

    ``categories=None`` means the sorted unique values; given categories keep
    their order (the plot's stacking order).
    """
    if categories is None:
        cats, codes = np.unique(values, return_inverse=True)
        return codes.reshape(-1), cats
    cats = _check_values(categories, "categories")
    if cats.shape[0] == 0:
        raise ValueError("categories is empty; give at least one category.")
    order = np.argsort(cats, kind="stable")
    sorted_cats = cats[order]
    if np.any(sorted_cats[1:] == sorted_cats[:-1]):
        raise ValueError("categories contains duplicates; each must be unique.")
    if values.shape[0] == 0:
        return np.empty(0, dtype=np.intp), cats
    try:
        pos = np.searchsorted(sorted_cats, values)
    except TypeError:  # e.g. string values against integer categories
        pos = None
    if pos is not None:
        pos = np.minimum(pos, sorted_cats.shape[0] - 1)
        known = sorted_cats[pos] == values
    if pos is None or not np.all(known):
        unknown = values if pos is None else values[~known]
        shown = list(dict.fromkeys(unknown.tolist()))[:5]
        raise ValueError(
            f"values contain categories not in categories, e.g. {shown}; add "
            "them to categories or leave categories=None to use the values' "
            "unique entries."
        )
    return order[pos], cats


def _check_n_labeled(n_labeled, n):
    if isinstance(n_labeled, str) or not hasattr(n_labeled, "__len__"):
        raise TypeError(
            "n_labeled must be an array-like of labeled-set sizes, e.g. "
            "[h['n_labeled'] for h in learner.history_], got "
            f"{type(n_labeled).__name__}."
        )
    arr = np.asarray(n_labeled)
    if arr.ndim != 1 or arr.shape[0] == 0:
        raise ValueError(
            f"n_labeled must be a non-empty 1-D array of sizes, got shape "
            f"{arr.shape}."
        )
    if arr.dtype.kind not in "iu":
        if arr.dtype.kind != "f" or not np.all(arr == np.round(arr)):
            raise TypeError(f"n_labeled must hold integers, got {arr.tolist()}.")
    arr = arr.astype(np.int64)
    if arr[0] < 1:
        raise ValueError(f"n_labeled must be >= 1 (got {arr[0]}): proportions "
                         "of an empty labeled set are undefined.")
    if np.any(np.diff(arr) <= 0):
        raise ValueError(
            f"n_labeled must be strictly increasing (the labeled set grows), "
            f"got {arr.tolist()}."
        )
    if arr[-1] > n:
        raise ValueError(
            f"n_labeled[-1]={arr[-1]} exceeds len(values)={n}; values must "
            "hold a category for every labeled sample, in acquisition order."
        )
    return arr


def _check_distribution(p, name, n_categories=None):
    """Rows of non-negative weights, each normalised to sum to 1."""
    if isinstance(p, DistributionOverTime):
        p = p.proportions
    try:
        p = np.asarray(p, dtype=float)
    except (TypeError, ValueError) as exc:
        raise TypeError(
            f"{name} must be an array of proportions or counts, got "
            f"{type(p).__name__}."
        ) from exc
    if p.ndim not in (1, 2) or p.shape[-1] == 0:
        raise ValueError(
            f"{name} must have shape (n_categories,) or (n_steps, n_categories), "
            f"got {p.shape}."
        )
    if n_categories is not None and p.shape[-1] != n_categories:
        raise ValueError(
            f"{name} has {p.shape[-1]} categories but proportions have "
            f"{n_categories}; compute both with the same categories (e.g. "
            "category_proportions(y_test, categories=dist.categories))."
        )
    if not np.all(np.isfinite(p)) or np.any(p < 0):
        raise ValueError(f"{name} must be finite and non-negative.")
    total = p.sum(axis=-1, keepdims=True)
    if np.any(total == 0):
        raise ValueError(f"{name} has a row summing to 0; it is no distribution.")
    # Counts are accepted: normalising makes them proportions.
    return p / total


# -- the result -----------------------------------------------------------------
class DistributionOverTime:
    """Category counts of a growing labeled set, one row per step.

    Returned by :func:`acquisition_distribution` and
    :func:`learner_distribution`.

    Parameters
    ----------
    counts : array-like of shape (n_steps, n_categories)
        Number of labeled samples of each category at each step.
    categories : array-like of shape (n_categories,)
        The categories (labels or bin ids), in column order.
    n_labeled : array-like of shape (n_steps,)
        Labeled-set size at each step; equals ``counts.sum(axis=1)``.

    Attributes
    ----------
    counts : ndarray of shape (n_steps, n_categories)
    categories : ndarray of shape (n_categories,)
    n_labeled : ndarray of shape (n_steps,)
    proportions : ndarray of shape (n_steps, n_categories)
        ``counts / n_labeled[:, None]``; every row sums to 1.

    Examples
    --------
    >>> from skactive.evaluation import acquisition_distribution
    >>> dist = acquisition_distribution([0, 0, 1, 2], [2, 4])
    >>> dist
    DistributionOverTime(n_steps=2, categories=[0, 1, 2])
    >>> dist.proportions
    array([[1.  , 0.  , 0.  ],
           [0.5 , 0.25, 0.25]])
    """

    def __init__(self, counts, categories, n_labeled):
        self.counts = np.asarray(counts, dtype=np.int64)
        self.categories = np.asarray(categories)
        self.n_labeled = np.asarray(n_labeled, dtype=np.int64)
        if self.counts.shape != (self.n_labeled.shape[0],
                                 self.categories.shape[0]):
            raise ValueError(
                f"counts must have shape (n_steps, n_categories) = "
                f"({self.n_labeled.shape[0]}, {self.categories.shape[0]}), got "
                f"{self.counts.shape}."
            )
        if not np.array_equal(self.counts.sum(axis=1), self.n_labeled):
            raise ValueError("counts.sum(axis=1) must equal n_labeled.")

    @property
    def proportions(self):
        return self.counts / self.n_labeled[:, None]

    def distance(self, reference, metric="tv", *, smoothing=1e-6):
        """Distance of each step's distribution to ``reference``.

        Shorthand for ``distribution_distance(self, reference, metric)``.

        Parameters
        ----------
        reference : array-like of shape (n_categories,) or DistributionOverTime
            Reference proportions or counts, in ``categories`` order.
        metric : {"tv", "l1", "kl", "max_deficit"}, default="tv"
            See :func:`distribution_distance`.
        smoothing : float, default=1e-6
            Additive smoothing for ``"kl"``.

        Returns
        -------
        distance : ndarray of shape (n_steps,)
            One distance per step.
        """
        return distribution_distance(self, reference, metric, smoothing=smoothing)

    def __repr__(self):
        return (f"{type(self).__name__}(n_steps={self.n_labeled.shape[0]}, "
                f"categories={self.categories.tolist()})")


# -- computing it ---------------------------------------------------------------
def category_proportions(values, *, categories=None):
    """Proportion of each category in ``values``: a reference distribution.

    Parameters
    ----------
    values : array-like of shape (n,)
        One category per sample, e.g. the test labels or the bins of the
        whole pool.
    categories : array-like of shape (n_categories,) or None, default=None
        Categories in column order; ``None`` means the sorted unique values.
        Pass the categories of the :class:`DistributionOverTime` you compare
        with so the columns line up.

    Returns
    -------
    proportions : ndarray of shape (n_categories,)
        Sums to 1; a category absent from ``values`` gets 0.

    Examples
    --------
    >>> from skactive.evaluation import category_proportions
    >>> category_proportions(["a", "b", "b", "b"], categories=["b", "a", "c"])
    array([0.75, 0.25, 0.  ])
    """
    values = _check_values(values)
    if values.shape[0] == 0:
        raise ValueError("values is empty; a reference needs at least one sample.")
    codes, cats = _encode(values, categories)
    return np.bincount(codes, minlength=cats.shape[0]) / values.shape[0]


def acquisition_distribution(values, n_labeled=None, *, categories=None):
    """Category counts and proportions of the labeled set at each step.

    Step ``k`` describes ``values[:n_labeled[k]]``, the first ``n_labeled[k]``
    samples labeled. This is the label (or input-bin) distribution over time
    of Zhou et al. (2021), Sec. 6.4, Figs. 7-9.

    Parameters
    ----------
    values : array-like of shape (n,)
        One category (a class label, or a bin id such as a k-means cluster or
        a sentence-length group) per labeled sample, in acquisition order,
        the initial set first.
    n_labeled : array-like of shape (n_steps,) or None, default=None
        Strictly increasing labeled-set sizes, e.g.
        ``[h["n_labeled"] for h in learner.history_]``; the last must not
        exceed ``n``. ``None`` means every size ``1, ..., n``.
    categories : array-like of shape (n_categories,) or None, default=None
        Categories in column order. ``None`` means the sorted unique values;
        fix them (e.g. ``np.unique(y)``) to compare strategies, since a
        strategy may never pick some class. Categories absent from
        ``values`` get zero columns; values not among them are an error.

    Returns
    -------
    dist : DistributionOverTime
        ``dist.counts`` and ``dist.proportions`` of shape
        (n_steps, n_categories), with ``dist.categories`` and
        ``dist.n_labeled``.

    See Also
    --------
    learner_distribution : The same from a fitted :class:`ActiveLearner`.
    distribution_distance : Distance to a reference distribution per step.
    plot_acquisition_distribution : Stacked bars per strategy.

    Examples
    --------
    >>> from skactive.evaluation import acquisition_distribution
    >>> dist = acquisition_distribution(["b", "b", "a", "b", "a", "a"],
    ...                                 [2, 4, 6], categories=["a", "b", "c"])
    >>> dist.counts
    array([[0, 2, 0],
           [1, 3, 0],
           [3, 3, 0]])
    >>> dist.proportions.round(2)
    array([[0.  , 1.  , 0.  ],
           [0.25, 0.75, 0.  ],
           [0.5 , 0.5 , 0.  ]])
    """
    values = _check_values(values)
    if n_labeled is None:
        if values.shape[0] == 0:
            raise ValueError("values is empty; give at least one labeled sample.")
        n_labeled = np.arange(1, values.shape[0] + 1)
    n_labeled = _check_n_labeled(n_labeled, values.shape[0])
    codes, cats = _encode(values, categories)
    n_cats = cats.shape[0]
    m = int(n_labeled[-1])
    # Sample i first counts at the first step k with i < n_labeled[k]: count
    # each sample in its own step, then accumulate over steps. O(n + steps * K)
    # memory, unlike a one-hot (n, K) matrix.
    step = np.searchsorted(n_labeled, np.arange(m), side="right")
    new = np.bincount(step * n_cats + codes[:m], minlength=n_labeled.shape[0] * n_cats)
    counts = np.cumsum(new.reshape(n_labeled.shape[0], n_cats), axis=0)
    return DistributionOverTime(counts, cats, n_labeled)


def learner_distribution(learner, bins=None, *, categories=None):
    """Label (or input-bin) distribution over the rounds of a fitted learner.

    Parameters
    ----------
    learner : ActiveLearner
        A fitted :class:`~skactive.ActiveLearner`.
    bins : array-like of shape (n_samples,) or None, default=None
        ``None`` uses the acquired labels (``learner.y_labeled_``). Otherwise
        one bin per row of your data (e.g. ``KMeans(5).fit_predict(X)`` or
        binned sentence lengths), read at ``learner.labeled_indices_``: rows
        of the ``X`` given to ``fit``, and the ``indices`` of samples added
        by ``teach``.
    categories : array-like or None, default=None
        See :func:`acquisition_distribution`. For labels, pass
        ``np.unique(y)`` to compare strategies that may miss a class.

    Returns
    -------
    dist : DistributionOverTime
        One step per entry of ``learner.history_``.

    Examples
    --------
    >>> import numpy as np
    >>> from sklearn.datasets import load_iris
    >>> from skactive import ActiveLearner, RandomSampling
    >>> from skactive.evaluation import learner_distribution
    >>> X, y = load_iris(return_X_y=True)
    >>> al = ActiveLearner(RandomSampling(), batch_size=10, budget=20,
    ...                    initial_size=6, random_state=0).fit(X, y)
    >>> dist = learner_distribution(al, categories=[0, 1, 2])
    >>> dist.n_labeled
    array([ 6, 16, 26])
    >>> bool((dist.counts[0] >= 1).all())  # the initial set is stratified
    True
    >>> bool((dist.counts[-1] == np.bincount(al.y_labeled_)).all())
    True
    """
    if not hasattr(learner, "history_") or not hasattr(learner, "y_labeled_"):
        raise TypeError(
            "learner must be a fitted skactive ActiveLearner (call fit first), "
            f"got {type(learner).__name__}."
        )
    n_labeled = [h["n_labeled"] for h in learner.history_]
    if bins is None:
        values = learner.y_labeled_
    else:
        bins = _check_values(bins, "bins")
        idx = np.asarray(learner.labeled_indices_)
        if idx.shape[0] and idx.max() >= bins.shape[0]:
            raise ValueError(
                f"bins has {bins.shape[0]} entries but the learner labeled row "
                f"{idx.max()}; give one bin per row of your data. Samples "
                "taught without indices are numbered after the rows of the X "
                "passed to fit: teach them with indices=their rows, or use "
                "bins=None for labels."
            )
        values = bins[idx]
    return acquisition_distribution(values, n_labeled, categories=categories)


# -- comparing it -----------------------------------------------------------------
def distribution_distance(proportions, reference, metric="tv", *, smoothing=1e-6):
    """Distance between the labeled set's distribution and a reference, per step.

    Zhou et al. (2021) observe qualitatively that the optimal order matches
    the data distribution; this turns it into a number, e.g. the mean total
    variation over steps, to put strategies side by side in a table.

    Parameters
    ----------
    proportions : DistributionOverTime or array-like of shape \
(n_steps, n_categories) or (n_categories,)
        Distribution of the labeled set at each step. Rows of counts are
        normalised.
    reference : array-like of shape (n_categories,) or (n_steps, n_categories), \
or DistributionOverTime
        Reference distribution (e.g. :func:`category_proportions` of the test
        labels), in the same category order. Counts are normalised to sum
        to 1. A 2-D reference gives one per step (e.g. another strategy's
        proportions).
    metric : {"tv", "l1", "kl", "max_deficit"}, default="tv"
        With ``p`` the labeled set's and ``q`` the reference distribution:

        - ``"tv"``: total variation, ``0.5 * sum|p - q|``, in [0, 1].
        - ``"l1"``: ``sum|p - q|``, in [0, 2].
        - ``"kl"``: ``KL(p || q) = sum p log(p / q)`` after adding
          ``smoothing`` to both and renormalising, so a category missing
          from the reference gives a large but finite value.
        - ``"max_deficit"``: ``max(q - p)``, the most under-represented
          category's shortfall; the quantity IDMR (Sec. 6.5) acts on.
    smoothing : float, default=1e-6
        Additive smoothing of ``p`` and ``q`` for ``"kl"``; ignored otherwise.

    Returns
    -------
    distance : ndarray of shape (n_steps,), or float for 1-D inputs
        0 when the distributions agree.

    Examples
    --------
    >>> from skactive.evaluation import acquisition_distribution
    >>> from skactive.evaluation import distribution_distance
    >>> dist = acquisition_distribution([0, 0, 1, 1], [2, 4])
    >>> distribution_distance(dist, [0.5, 0.5])
    array([0.5, 0. ])
    >>> float(distribution_distance([1, 3], [1, 1], metric="max_deficit"))
    0.25
    """
    _check_option(metric, "metric", _METRICS)
    if isinstance(proportions, DistributionOverTime) and isinstance(
        reference, DistributionOverTime
    ):
        a, b = proportions.categories, reference.categories
        if a.shape != b.shape or not np.all(a == b):
            raise ValueError(
                f"proportions have categories {a.tolist()} but reference has "
                f"{b.tolist()}; compute both with the same categories=."
            )
    if (isinstance(smoothing, (bool, np.bool_))
            or not isinstance(smoothing, numbers.Real) or not smoothing > 0):
        raise ValueError(f"smoothing must be a positive float, got {smoothing!r}.")
    p = _check_distribution(proportions, "proportions")
    q = _check_distribution(reference, "reference", n_categories=p.shape[-1])
    if p.ndim == 1 and q.ndim == 2:
        raise ValueError(
            "reference is 2-D (one per step) but proportions is 1-D; give "
            "proportions of shape (n_steps, n_categories)."
        )
    if p.ndim == 2 and q.ndim == 2 and q.shape[0] != p.shape[0]:
        raise ValueError(
            f"reference has {q.shape[0]} steps but proportions have "
            f"{p.shape[0]}; give one reference row per step, or a single one."
        )
    if metric == "tv":
        d = 0.5 * np.abs(p - q).sum(axis=-1)
    elif metric == "l1":
        d = np.abs(p - q).sum(axis=-1)
    elif metric == "max_deficit":
        d = np.max(q - p, axis=-1)
    else:
        ps = p + smoothing
        ps /= ps.sum(axis=-1, keepdims=True)
        qs = q + smoothing
        qs /= qs.sum(axis=-1, keepdims=True)
        d = np.sum(ps * np.log(ps / qs), axis=-1)
    return float(d) if np.ndim(d) == 0 else d


# -- plotting it -------------------------------------------------------------------
def _import_pyplot():
    try:
        import matplotlib.pyplot as plt
    except ImportError as exc:
        raise ImportError(
            "plot_acquisition_distribution needs matplotlib, which is not "
            "installed. Install it with `pip install skactive[plot]` (or `pip "
            "install matplotlib`)."
        ) from exc
    return plt


def _category_colors(n):
    from matplotlib import colormaps

    if n <= 10:
        return [colormaps["tab10"](i) for i in range(n)]
    if n <= 20:
        return [colormaps["tab20"](i) for i in range(n)]
    return [colormaps["viridis"](x) for x in np.linspace(0, 1, n)]


def plot_acquisition_distribution(distributions, reference=None, *,
                                  category_names=None, axes=None, title=None):
    """Stacked bars of the labeled set's distribution per step, per strategy.

    One panel per strategy, like Figs. 7-9 of Zhou et al. (2021): at each
    labeled-set size a bar split by the proportion of each category (first
    category at the bottom), the same colour for a category in every panel.
    A reference distribution is drawn as a hatched bar right of the steps
    (marked "ref") and as dashed lines at its cumulative proportions.

    Parameters
    ----------
    distributions : dict of str to DistributionOverTime, or DistributionOverTime
        Strategy name -> its distribution over time, all with the same
        categories (pass ``categories=`` when computing them).
    reference : array-like of shape (n_categories,) or None, default=None
        Reference proportions (or counts), e.g. of the test labels.
    category_names : sequence of str or None, default=None
        Legend labels, one per category; ``None`` uses the categories.
    axes : sequence of matplotlib.axes.Axes or None, default=None
        One axes per strategy; ``None`` creates a figure with a row of
        panels.
    title : str or None, default=None
        Figure title.

    Returns
    -------
    fig : matplotlib.figure.Figure
        The figure of the axes drawn on.

    Raises
    ------
    ImportError
        When matplotlib is not installed (``pip install skactive[plot]``).

    Examples
    --------
    >>> import matplotlib
    >>> matplotlib.use("Agg")
    >>> import matplotlib.pyplot as plt
    >>> from skactive.evaluation import (acquisition_distribution,
    ...                                  plot_acquisition_distribution)
    >>> cats = [0, 1]
    >>> dists = {
    ...     "balanced": acquisition_distribution([0, 1, 0, 1], [2, 4],
    ...                                          categories=cats),
    ...     "skewed": acquisition_distribution([0, 1, 1, 1], [2, 4],
    ...                                        categories=cats),
    ... }
    >>> fig = plot_acquisition_distribution(dists, reference=[0.5, 0.5],
    ...                                     category_names=["cat", "dog"])
    >>> [ax.get_title() for ax in fig.axes]
    ['balanced', 'skewed']
    >>> plt.close(fig)
    """
    if isinstance(distributions, DistributionOverTime):
        distributions = {"": distributions}
    if not isinstance(distributions, dict) or not distributions:
        raise TypeError(
            "distributions must be a non-empty dict strategy name -> "
            "DistributionOverTime (from acquisition_distribution), got "
            f"{type(distributions).__name__}."
        )
    first = None
    for name, dist in distributions.items():
        if not isinstance(dist, DistributionOverTime):
            raise TypeError(
                f"distributions[{name!r}] must be a DistributionOverTime (from "
                f"acquisition_distribution), got {type(dist).__name__}."
            )
        if first is None:
            first = dist
        elif not (dist.categories.shape == first.categories.shape
                  and np.all(dist.categories == first.categories)):
            raise ValueError(
                f"distributions[{name!r}] has categories "
                f"{dist.categories.tolist()} but the first has "
                f"{first.categories.tolist()}; compute all with the same "
                "categories= so colours mean the same in every panel."
            )
    n_cats = first.categories.shape[0]
    ref = None
    if reference is not None:
        ref = _check_distribution(reference, "reference", n_categories=n_cats)
        if ref.ndim != 1:
            raise ValueError("reference must be 1-D, one proportion per category.")
    if category_names is None:
        names = [str(c) for c in first.categories.tolist()]
    else:
        names = [str(c) for c in category_names]
        if len(names) != n_cats:
            raise ValueError(
                f"category_names has {len(names)} names for {n_cats} categories; "
                "give one name per category, in category order."
            )
    plt = _import_pyplot()
    if axes is None:
        n = len(distributions)
        fig, axes = plt.subplots(1, n, figsize=(3.2 * n + 1.5, 3.6), sharey=True,
                                 squeeze=False)
        axes = list(axes[0])
    else:
        axes = list(np.ravel(axes)) if not hasattr(axes, "bar") else [axes]
        if len(axes) != len(distributions):
            raise ValueError(
                f"axes has {len(axes)} axes for {len(distributions)} "
                "distributions; give one axes per strategy."
            )
        fig = axes[0].figure
    colors = _category_colors(n_cats)
    handles = None
    for ax, (name, dist) in zip(axes, distributions.items()):
        x = dist.n_labeled.astype(float)
        gaps = np.diff(x)
        width = 0.8 * (gaps.min() if gaps.size else 1.0)
        props = dist.proportions
        bottom = np.zeros(x.shape[0])
        bars = []
        for j in range(n_cats):
            bars.append(ax.bar(x, props[:, j], width=width, bottom=bottom,
                               color=colors[j], label=names[j], linewidth=0))
            bottom += props[:, j]
        handles = bars
        if ref is not None:
            x_ref = x[-1] + 1.5 * (gaps.min() if gaps.size else 1.0)
            cum = np.concatenate([[0.0], np.cumsum(ref)])
            for j in range(n_cats):
                ax.bar(x_ref, ref[j], width=width, bottom=cum[j], color=colors[j],
                       edgecolor="black", hatch="//", linewidth=0.5)
            for level in cum[1:-1]:
                ax.axhline(level, color="black", linestyle="--", linewidth=0.7,
                           alpha=0.7)
            ax.text(x_ref, 1.01, "ref", ha="center", va="bottom", fontsize="small",
                    transform=ax.get_xaxis_transform())
        ax.set_ylim(0, 1)
        ax.set_xlabel("labeled samples")
        if name:
            ax.set_title(name)
    axes[0].set_ylabel("proportion")
    # Reversed so the legend reads top to bottom like the stacks.
    axes[-1].legend(handles[::-1], names[::-1], loc="center left",
                    bbox_to_anchor=(1.02, 0.5), fontsize="small", frameon=False)
    if title is not None:
        fig.suptitle(title)
    return fig
