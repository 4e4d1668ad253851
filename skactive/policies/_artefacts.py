"""Versioned, scikit-learn-version-independent storage of learned policies.

A pickled scikit-learn forest breaks when the library's tree internals
change, and a 2000-tree forest pickled node for node is hundreds of
megabytes. Learned regressors therefore ship as flat node arrays
(:class:`CompactForestRegressor`) in a compressed ``.npz`` with a JSON header
that names the artefact, its format version and its input width, so loading
the wrong file fails with a clear message instead of a wrong prediction.
"""

import json
import warnings
from importlib import resources

import numpy as np
from sklearn.utils.validation import check_array, check_is_fitted

__all__ = ["CompactForestRegressor", "load_artefact", "read_artefact", "save_artefact",
           "write_artefact"]

#: Bumped whenever the on-disk layout changes; loaders refuse other versions.
FORMAT_VERSION = 1

#: A state feature is "far outside" its training range beyond this share of
#: the range's width on either side.
RANGE_SLACK = 0.5


def warn_out_of_range(features, ranges, names, checked, warned, who, advice):
    """Warn, once per feature, when states lie far outside training.

    Parameters
    ----------
    features : ndarray of shape (n_rows, n_columns)
    ranges : (lo, hi) arrays of shape (n_columns,) or None
        The training range of each column (from the artefact's header).
    names : sequence of str
        Column names.
    checked : ndarray of bool of shape (n_columns,)
        Columns to check (rank or bounded columns are not).
    warned : set
        Names already warned about; updated.
    who, advice : str
        The strategy in the message, and what to do instead.
    """
    if ranges is None or features.shape[0] == 0:
        return
    lo, hi = ranges
    slack = RANGE_SLACK * (hi - lo)
    seen_lo, seen_hi = features.min(axis=0), features.max(axis=0)
    far = ((seen_lo < lo - slack) | (seen_hi > hi + slack)) & checked
    for j in np.flatnonzero(far):
        name = names[j]
        if name in warned:
            continue
        warned.add(name)
        value = seen_hi[j] if seen_hi[j] > hi[j] + slack[j] else seen_lo[j]
        warnings.warn(
            f"{who} state feature {name!r} = {value:.4g} lies far outside the "
            f"range [{lo[j]:.4g}, {hi[j]:.4g}] it was trained on; its ranking "
            f"extrapolates there and may be no better than random. {advice}",
            UserWarning, stacklevel=5)


def state_ranges(states):
    """Per-column 0.1 / 99.9 % quantiles of training states (the OOD guard)."""
    states = np.asarray(states, dtype=np.float64)
    lo, hi = np.quantile(states, [0.001, 0.999], axis=0)
    return lo, hi


def ranges_for_header(training_states, width):
    """``[lo, hi]`` lists of :func:`state_ranges` for a policy ``width`` wide."""
    lo, hi = state_ranges(training_states)
    if lo.shape[0] != width:
        raise ValueError(
            f"training_states are {lo.shape[0]} wide, the policy reads "
            f"{width}-wide states."
        )
    return [lo.tolist(), hi.tolist()]


def header_ranges(header, width):
    """The ``feature_ranges`` of an artefact header, or None (absent or stale)."""
    ranges = header.get("feature_ranges") if header else None
    if ranges is None:
        return None
    lo, hi = (np.asarray(r, dtype=float) for r in ranges)
    return (lo, hi) if lo.shape == hi.shape == (width,) else None


class _StateRangeGuard:
    """Out-of-range warnings for policy strategies reading block states.

    ``_init_range_guard`` is called at fit with the encoder's layout and the
    training ranges; the single-column blocks not in ``skip`` are checked.
    """

    _guard_who = "policy"
    _guard_advice = "Use a heuristic."

    def _init_range_guard(self, layout, ranges, skip=()):
        names, checked = [], []
        for name, a, b in layout:
            names += [name] if b - a == 1 else [f"{name}[{j}]" for j in range(b - a)]
            checked += [b - a == 1 and name not in skip] * (b - a)
        if ranges is not None and ranges[0].shape[0] != len(names):
            ranges = None  # an encoder passed by the user changes the columns
        self.feature_ranges_ = ranges
        self._state_names, self._checked = names, np.array(checked, dtype=bool)
        self._warned = set()

    def _check_range(self, states):
        warn_out_of_range(states, self.feature_ranges_, self._state_names,
                          self._checked, self._warned, self._guard_who,
                          self._guard_advice)


# Rows x trees traversed at once; bounds the temporary node-index arrays.
_BLOCK = 1 << 18


def _float32_floor(threshold):
    """Largest float32 not above each float64 threshold.

    scikit-learn trees compare float32 features against float64 thresholds;
    for a float32 ``x``, ``x <= t`` holds exactly when ``x <= floor32(t)``, so
    float32 thresholds rounded down reproduce every decision exactly.
    """
    t32 = threshold.astype(np.float32)
    above = t32.astype(np.float64) > threshold
    t32[above] = np.nextafter(t32[above], np.float32(-np.inf))
    return t32


class CompactForestRegressor:
    """A fitted regression forest stored as flat node arrays.

    Predictions are those of the scikit-learn ensemble it was built from
    (the mean of the trees' leaf values for a forest, an offset plus their
    sum for gradient boosting), computed by a vectorised traversal of all
    trees at once. The object is small, pickles as plain arrays and does
    not depend on scikit-learn's tree internals, which is what a shipped
    artefact needs.

    Build one with :meth:`from_forest` or :meth:`from_boosting`; load a
    shipped one with
    :func:`skactive.policies.load_lal_regressor`.

    Parameters
    ----------
    feature, threshold, left, right, value : ndarray of shape (n_nodes,)
        Node arrays of all trees, concatenated. Leaves point to themselves
        with an infinite threshold, so the traversal can run a fixed number
        of steps.
    roots : ndarray of shape (n_trees,)
        Index of each tree's root node.
    max_depth : int
        Depth of the deepest tree.
    n_features_in : int
        Number of input features.
    aggregate : {"mean", "sum"}, default="mean"
        How the trees' leaf values combine: their mean (a forest) or
        ``offset`` plus their sum (gradient boosting).
    offset : float, default=0.0
        Added to the aggregate (the boosting baseline).

    Attributes
    ----------
    n_features_in_ : int
        Number of input features.
    n_estimators_ : int
        Number of trees.

    Examples
    --------
    >>> import numpy as np
    >>> from sklearn.ensemble import RandomForestRegressor
    >>> from skactive.policies import CompactForestRegressor
    >>> rng = np.random.RandomState(0)
    >>> X, y = rng.rand(200, 3), rng.rand(200)
    >>> forest = RandomForestRegressor(20, random_state=0).fit(X, y)
    >>> compact = CompactForestRegressor.from_forest(forest)
    >>> bool(np.allclose(compact.predict(X), forest.predict(X)))
    True
    """

    # Class defaults keep objects pickled before these existed usable.
    aggregate = "mean"
    offset = 0.0

    def __init__(self, feature, threshold, left, right, value, roots, max_depth,
                 n_features_in, aggregate="mean", offset=0.0):
        self.feature = np.asarray(feature, dtype=np.int32)
        self.threshold = np.asarray(threshold, dtype=np.float32)
        self.left = np.asarray(left, dtype=np.int32)
        self.right = np.asarray(right, dtype=np.int32)
        self.value = np.asarray(value, dtype=np.float64)
        self.roots = np.asarray(roots, dtype=np.int32)
        self.max_depth = int(max_depth)
        self.n_features_in_ = int(n_features_in)
        self.n_estimators_ = int(self.roots.shape[0])
        self.aggregate = str(aggregate)
        if self.aggregate not in ("mean", "sum"):
            raise ValueError(f"aggregate must be 'mean' or 'sum', got {aggregate!r}.")
        self.offset = float(offset)

    def __sklearn_is_fitted__(self):
        return True

    @classmethod
    def from_forest(cls, forest):
        """Flatten a fitted single-output regression forest.

        Parameters
        ----------
        forest : fitted RandomForestRegressor or ExtraTreesRegressor
            Or any fitted object with ``estimators_`` of scikit-learn
            regression trees and a single output.

        Returns
        -------
        compact : CompactForestRegressor
        """
        check_is_fitted(forest)
        trees = getattr(forest, "estimators_", None)
        if not trees or not all(hasattr(t, "tree_") for t in trees):
            raise TypeError(
                "forest must be a fitted tree ensemble with `estimators_` of "
                f"decision trees, got {type(forest).__name__}."
            )
        if getattr(forest, "n_outputs_", 1) != 1:
            raise ValueError("forest must have a single output.")
        parts = {k: [] for k in ("feature", "threshold", "left", "right", "value")}
        roots, offset, depth = [], 0, 0
        for est in trees:
            tree = est.tree_
            n = tree.node_count
            leaf = tree.children_left == -1
            own = np.arange(offset, offset + n)
            parts["feature"].append(np.where(leaf, 0, tree.feature))
            parts["threshold"].append(
                np.where(leaf, np.inf, _float32_floor(tree.threshold))
            )
            parts["left"].append(np.where(leaf, own, tree.children_left + offset))
            parts["right"].append(np.where(leaf, own, tree.children_right + offset))
            parts["value"].append(tree.value[:, 0, 0])
            roots.append(offset)
            offset += n
            depth = max(depth, tree.max_depth)
        return cls(
            **{k: np.concatenate(v) for k, v in parts.items()},
            roots=np.asarray(roots),
            max_depth=depth,
            n_features_in=forest.n_features_in_,
        )

    @classmethod
    def from_boosting(cls, booster):
        """Flatten a fitted ``HistGradientBoostingRegressor`` (squared error).

        Its numeric splits become the same ``x <= threshold`` nodes as a
        forest's; categorical splits, missing values and non-identity links
        are not supported.

        Parameters
        ----------
        booster : fitted HistGradientBoostingRegressor

        Returns
        -------
        compact : CompactForestRegressor
        """
        check_is_fitted(booster)
        predictors = getattr(booster, "_predictors", None)
        loss = getattr(booster, "loss", None)
        if predictors is None or loss != "squared_error":
            raise TypeError(
                "booster must be a fitted HistGradientBoostingRegressor with "
                f"loss='squared_error', got {type(booster).__name__}."
            )
        parts = {k: [] for k in ("feature", "threshold", "left", "right", "value")}
        roots, offset, depth = [], 0, 0
        for (tree,) in predictors:
            nodes = tree.nodes
            if nodes["is_categorical"].any():
                raise ValueError("categorical splits are not supported.")
            n = nodes.shape[0]
            leaf = nodes["is_leaf"].astype(bool)
            own = np.arange(offset, offset + n)
            parts["feature"].append(np.where(leaf, 0, nodes["feature_idx"]))
            threshold = _float32_floor(nodes["num_threshold"].astype(np.float64))
            parts["threshold"].append(np.where(leaf, np.inf, threshold))
            parts["left"].append(np.where(leaf, own, nodes["left"] + offset))
            parts["right"].append(np.where(leaf, own, nodes["right"] + offset))
            parts["value"].append(np.where(leaf, nodes["value"], 0.0))
            roots.append(offset)
            offset += n
            depth = max(depth, int(nodes["depth"].max()))
        return cls(
            **{k: np.concatenate(v) for k, v in parts.items()},
            roots=np.asarray(roots),
            max_depth=depth,
            n_features_in=booster.n_features_in_,
            aggregate="sum",
            offset=float(np.ravel(booster._baseline_prediction)[0]),
        )

    def predict(self, X):
        """Mean (or offset plus sum) of the leaf values over the trees.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)

        Returns
        -------
        y : ndarray of shape (n_samples,)
        """
        X = check_array(X, dtype=np.float32)
        if X.shape[1] != self.n_features_in_:
            raise ValueError(
                f"X has {X.shape[1]} features, but the regressor expects "
                f"{self.n_features_in_}."
            )
        n, n_trees = X.shape[0], self.n_estimators_
        out = np.empty(n)
        rows = max(1, _BLOCK // n_trees)
        for start in range(0, n, rows):
            block = X[start:start + rows]
            m = block.shape[0]
            flat = block.ravel()
            # Offsets of each row's features in the flattened block.
            base = (np.arange(m, dtype=np.int64) * X.shape[1])[:, None]
            node = np.broadcast_to(self.roots, (m, n_trees)).copy()
            for step in range(self.max_depth):
                go_left = flat[base + self.feature[node]] <= self.threshold[node]
                node = np.where(go_left, self.left[node], self.right[node])
                # Most paths are much shorter than the deepest one.
                if step % 8 == 7 and np.array_equal(self.left[node], node):
                    break
            leaves = self.value[node]
            out[start:start + m] = (leaves.mean(axis=1) if self.aggregate == "mean"
                                    else self.offset + leaves.sum(axis=1))
        return out

    def _arrays(self):
        arrays = {
            "feature": self.feature.astype(np.int8 if self.n_features_in_ < 128
                                           else np.int32),
            "threshold": self.threshold,
            "left": self.left,
            "right": self.right,
            "value": self.value.astype(np.float32),
            "roots": self.roots,
            "max_depth": np.int64(self.max_depth),
            "n_features_in": np.int64(self.n_features_in_),
        }
        if self.aggregate != "mean":
            # Only boosted files carry these, so forest files keep their layout.
            arrays["aggregate"] = np.array(self.aggregate)
            arrays["offset"] = np.float64(self.offset)
        return arrays

    def __repr__(self):
        return (
            f"CompactForestRegressor(n_estimators={self.n_estimators_}, "
            f"n_nodes={self.value.shape[0]}, max_depth={self.max_depth}, "
            f"n_features_in={self.n_features_in_})"
        )


def write_artefact(path, arrays, *, kind, n_features_in, metadata=None):
    """Write named arrays and a JSON header (kind, format version, width).

    Parameters
    ----------
    path : str or path-like
    arrays : dict of str to ndarray
    kind : str
        What the artefact is (e.g. ``"lal-regressor"``); checked on load.
    n_features_in : int
        Input width of the stored model; checked on load.
    metadata : dict or None
        JSON-serialisable provenance: the command that made it, settings,
        scores, versions.
    """
    header = dict(metadata or {})
    header.update(kind=kind, format_version=FORMAT_VERSION,
                  n_features_in=int(n_features_in))
    np.savez_compressed(path, header=np.array(json.dumps(header, sort_keys=True)),
                        **arrays)


def read_artefact(source, *, kind):
    """Arrays and header of a file written by :func:`write_artefact`.

    Parameters
    ----------
    source : str, path-like or importlib Traversable
    kind : str
        Expected artefact kind.

    Returns
    -------
    arrays : dict of str to ndarray
    header : dict
    """
    opener = source.open("rb") if hasattr(source, "open") and \
        not isinstance(source, (str, bytes)) else open(source, "rb")
    with opener as fh:
        data = np.load(fh, allow_pickle=False)
        arrays = {k: data[k] for k in data.files}
    if "header" not in arrays:
        raise ValueError(f"{source} is not a skactive artefact (no header).")
    header = json.loads(str(arrays.pop("header")))
    if header.get("kind") != kind:
        raise ValueError(
            f"{source} holds a {header.get('kind')!r} artefact, not {kind!r}."
        )
    if header.get("format_version") != FORMAT_VERSION:
        raise ValueError(
            f"{source} has artefact format version {header.get('format_version')}, "
            f"but this skactive reads version {FORMAT_VERSION}. Re-create it "
            "with the script named in its header, or install the skactive "
            "version that wrote it."
        )
    return arrays, header


def save_artefact(path, regressor, *, kind, metadata=None):
    """Write a compact regressor and its header to ``path`` (``.npz``).

    Parameters
    ----------
    path : str or path-like
    regressor : CompactForestRegressor
    kind : str
        What the artefact is (e.g. ``"lal-regressor"``); checked on load.
    metadata : dict or None
        JSON-serialisable provenance: the command that made it, settings,
        scores, versions.
    """
    write_artefact(path, regressor._arrays(), kind=kind,
                   n_features_in=regressor.n_features_in_, metadata=metadata)


def load_artefact(source, *, kind, n_features_in=None):
    """Load a compact regressor written by :func:`save_artefact`.

    Parameters
    ----------
    source : str, path-like or importlib Traversable
    kind : str
        Expected artefact kind.
    n_features_in : int or None
        Expected input width; ``None`` skips the check.

    Returns
    -------
    regressor : CompactForestRegressor
    header : dict
    """
    arrays, header = read_artefact(source, kind=kind)
    extra = {}
    if "aggregate" in arrays:
        extra = {"aggregate": str(arrays.pop("aggregate")),
                 "offset": float(arrays.pop("offset"))}
    regressor = CompactForestRegressor(
        max_depth=int(arrays.pop("max_depth")),
        n_features_in=int(arrays.pop("n_features_in")),
        **arrays, **extra,
    )
    if n_features_in is not None and regressor.n_features_in_ != n_features_in:
        raise ValueError(
            f"{source} expects {regressor.n_features_in_} input features, "
            f"but {n_features_in} are needed."
        )
    return regressor, header


def pretrained_path(name):
    """Traversable of a file in ``skactive/policies/pretrained``."""
    return resources.files("skactive.policies").joinpath("pretrained", name)
