"""Plots of active learning curves (matplotlib, imported lazily)."""

import numpy as np

__all__ = ["plot_learning_curves"]


def _import_pyplot():
    try:
        import matplotlib.pyplot as plt
    except ImportError as exc:
        raise ImportError(
            "plot_learning_curves needs matplotlib, which is not installed. "
            "Install it with `pip install skactive[plot]` (or `pip install "
            "matplotlib`)."
        ) from exc
    return plt


def plot_learning_curves(result, ax=None, title=None):
    """Plot the mean learning curve ± one standard deviation per strategy.

    Parameters
    ----------
    result : ActiveLearningCurveResult
        Output of :func:`active_learning_curve`.
    ax : matplotlib.axes.Axes or None, default=None
        Axes to draw on; ``None`` creates a new figure with
        :func:`matplotlib.pyplot.subplots`.
    title : str or None, default=None
        Axes title.

    Returns
    -------
    ax : matplotlib.axes.Axes
        The axes drawn on. The legend gives each strategy's mean AUBC.

    Raises
    ------
    ImportError
        When matplotlib is not installed (``pip install skactive[plot]``).

    See Also
    --------
    active_learning_curve : Computes the curves.

    Examples
    --------
    >>> import matplotlib
    >>> matplotlib.use("Agg")
    >>> from sklearn.datasets import load_iris
    >>> from skactive import RandomSampling
    >>> from skactive.evaluation import active_learning_curve, plot_learning_curves
    >>> X, y = load_iris(return_X_y=True)
    >>> result = active_learning_curve([RandomSampling()], X, y, batch_size=5,
    ...                                budget=10, initial_size=6, n_repeats=2)
    >>> ax = plot_learning_curves(result, title="iris")
    >>> ax.get_title()
    'iris'
    """
    if not hasattr(result, "scores") or not hasattr(result, "n_labeled"):
        raise TypeError(
            "result must be an ActiveLearningCurveResult (from "
            f"active_learning_curve), got {type(result).__name__}."
        )
    if ax is None:
        plt = _import_pyplot()
        _, ax = plt.subplots(figsize=(7, 4.5))
    else:
        _import_pyplot()
    x = np.asarray(result.n_labeled)
    for name, scores in result.scores.items():
        scores = np.atleast_2d(scores)
        mean = scores.mean(axis=0)
        std = scores.std(axis=0)
        area = float(np.mean(result.aubc[name]))
        (line,) = ax.plot(x, mean, marker="o", markersize=3,
                          label=f"{name} (AUBC {area:.3f})")
        if scores.shape[0] > 1:
            ax.fill_between(x, mean - std, mean + std, alpha=0.2,
                            color=line.get_color(), linewidth=0)
    scoring = getattr(result, "params", {}).get("scoring")
    ax.set_xlabel("labeled samples")
    ax.set_ylabel("test score" if scoring is None else f"test {scoring}")
    if title is not None:
        ax.set_title(title)
    ax.grid(True, alpha=0.3)
    ax.legend(loc="lower right", fontsize="small")
    return ax
