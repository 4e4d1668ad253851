"""Monte-Carlo builders of LAL regression data (Konyushkova et al., 2017).

DATAMONTECARLO with labeled sets grown at random (LAL-independent) or by
the regressors learned for the smaller sizes (LAL-iterative), on fresh
Gaussian-cloud problems or random splits of the user's data.
"""

import numbers
import warnings

import numpy as np
from joblib import Parallel, delayed
from sklearn.base import BaseEstimator, clone
from sklearn.ensemble import RandomForestRegressor
from sklearn.model_selection import train_test_split
from sklearn.utils import check_random_state
from sklearn.utils.multiclass import check_classification_targets
from sklearn.utils.validation import validate_data
from tqdm.auto import tqdm

from ..base import _check_option, _check_positive_int
from ..datasets import make_gaussian_clouds, make_multiclass_clouds
from ..utils import top_k
from ._lal_features import (
    FEATURE_NAMES,
    _default_classifier,
    _LALState,
    _predict_unique,
)

__all__ = ["LALMonteCarlo"]


# -- Monte-Carlo data generation ------------------------------------------------
def _zero_one_loss(forest, X_test, y_test):
    return float(np.mean(forest.predict(X_test) != y_test))


def _fit_forest(estimator, X, y, seed):
    forest = clone(estimator)
    forest.set_params(random_state=seed)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)
        return forest.fit(X, y)


def _initial_set(y, classes, n_extra, rng):
    """One random sample of each class, then ``n_extra`` random others."""
    first = np.array([rng.choice(np.flatnonzero(y == c)) for c in classes])
    rest = np.setdiff1d(np.arange(y.shape[0]), first)
    return np.r_[first, rng.choice(rest, n_extra, replace=False)].astype(np.intp)


def _monte_carlo_step(data, labeled, estimator, n_candidates, seed, keep_pool,
                      forest_variance="pool", features="paper"):
    """DATAMONTECARLO for one labeled set: features and error reductions.

    Returns the features of ``n_candidates`` random unlabeled samples, the
    reduction of the test error when each is added, and (``keep_pool``) the
    unlabeled indices with their features, for the iterative selection.
    """
    X, y, X_test, y_test = data
    rng = np.random.RandomState(seed)
    seeds = rng.randint(np.iinfo(np.int32).max, size=n_candidates + 1)
    forest = _fit_forest(estimator, X[labeled], y[labeled], seeds[0])
    unlabeled = np.setdiff1d(np.arange(X.shape[0]), labeled)
    # Column 5 over all unlabeled samples, as at query time (the original
    # averaged over the sampled candidates only).
    pool = _LALState(forest, X[labeled], y[labeled]).pool_features(
        X[unlabeled], features=features)
    picks = rng.choice(unlabeled.shape[0], n_candidates, replace=False)
    # A set that only grows (n_candidates=0) needs no test error.
    loss = _zero_one_loss(forest, X_test, y_test) if n_candidates else 0.0
    deltas = np.empty(n_candidates)
    for i, pick in enumerate(picks):
        grown = np.r_[labeled, unlabeled[pick]]
        model = _fit_forest(estimator, X[grown], y[grown], seeds[i + 1])
        deltas[i] = loss - _zero_one_loss(model, X_test, y_test)
    rows = pool[picks]
    if forest_variance == "candidates" and n_candidates:
        # The authors' generator: forest variance over the sampled candidates.
        col = FEATURE_NAMES[features].index("forest_std")
        rows[:, col] = rows[:, 1].mean()
    return rows, deltas, (unlabeled, pool) if keep_pool else None


class _SyntheticSource:
    """Fresh Gaussian-cloud train/test sets (the paper's cold-start data).

    Two classes in a fixed dimension are the paper's generator; a range of
    classes or dimensions draws, per problem, the class count (at most the
    labeled-set size), a log-uniform dimension, the class-share
    concentration and the cloud spread of :func:`make_multiclass_clouds`.
    """

    concentration = (0.3, 3.0)
    spread = (0.5, 2.0)

    def __init__(self, n_samples, n_features, n_test, n_classes=(2, 2)):
        self.args = dict(n_samples=n_samples, n_features=n_features, n_test=n_test)
        self.n_classes = n_classes
        self.paper = n_classes == (2, 2) and n_features[0] == n_features[1]

    def draw(self, seed, max_classes=None):
        if self.paper:
            return make_gaussian_clouds(
                self.args["n_samples"],
                n_features=self.args["n_features"][0],
                n_test=self.args["n_test"],
                random_state=seed,
                return_test=True,
            )
        rng = np.random.RandomState(seed)
        lo, hi = self.n_classes
        hi = hi if max_classes is None else max(lo, min(hi, max_classes))
        d_lo, d_hi = self.args["n_features"]

        def log_uniform(a, b):
            return float(np.exp(rng.uniform(np.log(a), np.log(b))))

        return make_multiclass_clouds(
            self.args["n_samples"],
            n_classes=int(rng.randint(lo, hi + 1)),
            n_features=int(round(log_uniform(d_lo, d_hi))),
            concentration=log_uniform(*self.concentration),
            spread=log_uniform(*self.spread),
            n_test=self.args["n_test"],
            random_state=rng,
            return_test=True,
        )


class _SplitSource:
    """Random stratified train/test splits of the user's labeled data.

    The data are not attributes: they travel beside the source as separate
    arguments of every Monte-Carlo unit, so joblib's dask backend scatters
    them to the cluster once per ``Parallel`` call (loky memory-maps them)
    instead of pickling them into every task.
    """

    def __init__(self, test_size):
        self.test_size = test_size

    def split(self, y, seed):
        return train_test_split(
            np.arange(y.shape[0]),
            test_size=self.test_size,
            stratify=y,
            random_state=seed,
        )

    def draw(self, seed, X, y):
        train, test = self.split(y, seed)
        return X[train], y[train], X[test], y[test]


def _draw(source, X, y, seed, tau):
    """A train/test pair: a fresh problem, or a split of the user's ``X, y``."""
    if isinstance(source, _SyntheticSource):
        return source.draw(seed, max_classes=tau)
    return source.draw(seed, X, y)


def _mc_unit(source, X, y, seed_data, seed_step, labeled, tau, estimator,
             n_candidates, keep_pool, forest_variance, features="paper"):
    data = _draw(source, X, y, seed_data, tau if labeled is None else None)
    if labeled is None:
        # Independent: a fresh random labeled set of size tau.
        rng = np.random.RandomState(seed_step)
        classes = np.unique(data[1])
        labeled = _initial_set(data[1], classes, tau - len(classes), rng)
        seed_step = rng.randint(np.iinfo(np.int32).max)
    return _monte_carlo_step(data, labeled, estimator, n_candidates, seed_step,
                             keep_pool, forest_variance, features)


class LALMonteCarlo(BaseEstimator):
    """Learn a LAL regressor by Monte-Carlo simulation (Konyushkova et al.).

    For each labeled-set size ``tau`` in ``tau_range`` and each of
    ``n_repetitions`` repetitions (DATAMONTECARLO):

    1. draw a train/test pair (a fresh Gaussian-cloud problem with
       :meth:`fit_synthetic`, a random stratified split of the given data
       with :meth:`fit`);
    2. form a labeled set of ``tau`` samples: one of each class, then
       random samples (``mode="independent"``, BUILDLALINDEPENDENT) or
       samples chosen one by one by the regressors learned for the smaller
       sizes (``mode="iterative"``, BUILDLALITERATIVE);
    3. fit the forest, record the :func:`lal_features` of ``n_candidates``
       random unlabeled samples and, for each, the reduction of the test
       zero-one loss when the forest is retrained with it.

    A regressor fitted on all rows is the learned strategy; pass the fitted
    object (or its ``regressor_``) to :class:`LALStrategy`.

    Parameters
    ----------
    mode : {"iterative", "independent"}, default="iterative"
        How labeled sets are grown, see above.
    estimator : RandomForestClassifier or None, default=None
        The classifier whose learning states are simulated; ``None`` means
        ``RandomForestClassifier(n_estimators=50)``. Its ``random_state`` is
        set per fit from ``random_state``.
    regressor : regressor or None, default=None
        Fitted on all rows to give ``regressor_``. ``None`` means
        ``RandomForestRegressor(n_estimators=100, max_features=6,
        min_samples_leaf=0.01)``: leaves of 1 % of the rows. The paper's
        2000 fully grown trees memorise the Monte-Carlo units and predict new
        learning states worse than the mean; large leaves won the grouped
        cross-validation of ``scripts/train_lal.py`` (see the user guide).
    step_regressor : regressor or None, default=None
        ``mode="iterative"`` only: the regressor fitted on the rows of each
        ``tau`` to choose the next labeled sample. ``None`` means a clone of
        ``regressor``.
    n_repetitions : int, default=500
        Repetitions per ``tau`` (the paper's Q).
    n_candidates : int, default=10
        Candidates evaluated per labeled set (the paper's M).
    n_trajectories : int or None, default=None
        ``mode="iterative"`` only: how many labeled sets are grown side by
        side. ``None`` means ``n_repetitions``: every set is scored at every
        ``tau``, so all rows come from ``n_repetitions`` problems. A larger
        value scores a fresh random subset of ``n_repetitions`` sets at each
        ``tau`` and only grows the others (one forest fit each), which moves
        the rows towards the paper's fresh problem per row at a fraction of
        its ``O(tau_max^2)`` cost.
    growth : {"persistent", "fresh"}, default="persistent"
        ``mode="iterative"`` only. ``"persistent"`` grows each labeled set
        through all sizes and scores it at every size it passes (see
        ``n_trajectories``). ``"fresh"`` is the authors' protocol: the
        ``n_repetitions`` sets scored at one size are grown from ``tau_min``
        on problems of their own by the step regressors of the smaller
        sizes and are scored only there, so no row shares a problem with a
        row of another size. It costs ``O(tau_max^2)`` forest fits and
        takes ``n_trajectories=None``.
    tau_range : tuple of two ints, default=(2, 49)
        Smallest and largest labeled-set size, inclusive (the paper's
        ``tau_min, tau_max``). The smallest must be at least the number of
        classes.
    n_samples : int, default=400
        :meth:`fit_synthetic`: training points per problem.
    n_features : int or tuple of two ints, default=2
        :meth:`fit_synthetic`: dimension of the clouds, or an inclusive
        range from which each problem draws its dimension log-uniformly.
    n_classes : int or tuple of two ints, default=2
        :meth:`fit_synthetic`: classes per problem, or an inclusive range
        from which each problem draws its count (at most the labeled-set
        size in ``mode="independent"``). Anything but 2 draws the problems
        from :func:`~skactive.datasets.make_multiclass_clouds`, with the
        class-share concentration log-uniform on [0.3, 3] and the cloud
        spread log-uniform on [0.5, 2]; a range of dimensions does too.
        Use it with ``features="multiclass"``: the paper's features read
        more than two classes one-vs-rest.
    n_test : int or None, default=None
        :meth:`fit_synthetic`: test points per problem; ``None`` means
        ``10 * n_samples`` as in the paper.
    test_size : float or int, default=0.5
        :meth:`fit`: share (or number) of the given samples held out as the
        test set of each repetition.
    forest_variance : {"pool", "candidates"}, default="pool"
        What the forest-variance feature (column 5) averages over in the
        simulated rows: all unlabeled samples, as at query time, or only the
        ``n_candidates`` sampled ones, as the authors' generator did (a
        train/test mismatch kept for replication studies).
    features : {"paper", "multiclass"}, default="paper"
        The state features (:func:`lal_features`): the paper's eight binary
        columns, or the eleven of :data:`LAL_MULTICLASS_FEATURE_NAMES`,
        which mean the same for any number of classes.
    n_jobs : int or None, default=None
        Joblib workers over repetitions (and for the regressor fits when
        they take ``n_jobs``). Under ``joblib.parallel_config(backend=
        "dask")`` the Monte-Carlo units run on the cluster (``None`` then
        uses all its workers). A unit's seeds are drawn before it is
        dispatched; :meth:`fit` passes ``X, y`` to every unit as the same
        objects, so the data go to the workers once per size ``tau`` (once
        in all with ``mode="independent"``), not once per unit.
    random_state : int, RandomState instance or None, default=None
        Seeds the problems, the labeled sets, the forests and the regressors.
        Results do not depend on ``n_jobs`` nor on the joblib backend.
    verbose : bool, default=False
        Show a progress bar.

    Attributes
    ----------
    regressor_ : regressor
        Fitted on ``(states_, deltas_)``.
    states_ : ndarray of shape (n_rows, 8) or (n_rows, 11)
        The learning states (Ξ), columns :data:`LAL_FEATURE_NAMES` (or
        :data:`LAL_MULTICLASS_FEATURE_NAMES`).
    deltas_ : ndarray of shape (n_rows,)
        The error reductions (Δ).
    step_regressors_ : list of regressors
        ``mode="iterative"``: the regressor of each ``tau`` but the last.
    trajectories_ : ndarray of shape (n_trajectories, tau_max)
        ``mode="iterative"``: the order in which each repetition's labeled
        set was grown (with ``growth="fresh"``, the ``n_repetitions`` sets
        scored at ``tau_max``) (indices into that repetition's training set; with
        :meth:`fit`, indices into ``X``).

    See Also
    --------
    LALStrategy : Uses the fitted regressor.

    Notes
    -----
    Departures from the authors' code, each deliberate:

    * the forest variance feature averages over all unlabeled samples, as
      at query time (the code averaged over the ``n_candidates`` sampled);
    * the per-``tau`` regressors see all eight features (the code dropped
      ``n_labeled``, which is constant within one ``tau`` and so never
      used by a tree anyway);
    * ``mode="iterative"`` grows one labeled set per repetition through
      all ``tau`` (the code re-simulated every set from two samples for
      each ``tau``, which costs ``O(tau_max^2)`` forest fits instead of
      ``O(tau_max)``; every set has the same distribution;
      ``growth="fresh"`` restores the authors' protocol). Because a
      deep step regressor nearly memorises its rows, a set scored at one
      size is grown by a regressor fitted on the other half of the scored
      sets (cross-fitting), never by one that saw its own candidates' error
      reductions: the authors' fresh problem per row has the same property;
    * ``step_regressors_`` holds the regressor fitted on all rows of each
      size (the halves are discarded once they have chosen);
    * ties in the iterative selection are broken at random, not by index.

    Examples
    --------
    >>> from skactive.policies import LALMonteCarlo
    >>> mc = LALMonteCarlo("independent", n_repetitions=4, n_candidates=3,
    ...                    tau_range=(2, 4), random_state=0)
    >>> mc = mc.fit_synthetic()
    >>> mc.states_.shape, mc.deltas_.shape  # 3 sizes x 4 repetitions x 3
    ((36, 8), (36,))
    """

    def __init__(
        self,
        mode="iterative",
        *,
        estimator=None,
        regressor=None,
        step_regressor=None,
        n_repetitions=500,
        n_candidates=10,
        n_trajectories=None,
        growth="persistent",
        tau_range=(2, 49),
        n_samples=400,
        n_features=2,
        n_classes=2,
        n_test=None,
        test_size=0.5,
        forest_variance="pool",
        features="paper",
        n_jobs=None,
        random_state=None,
        verbose=False,
    ):
        self.mode = mode
        self.estimator = estimator
        self.regressor = regressor
        self.step_regressor = step_regressor
        self.n_repetitions = n_repetitions
        self.n_candidates = n_candidates
        self.n_trajectories = n_trajectories
        self.growth = growth
        self.tau_range = tau_range
        self.n_samples = n_samples
        self.n_features = n_features
        self.n_classes = n_classes
        self.n_test = n_test
        self.test_size = test_size
        self.forest_variance = forest_variance
        self.features = features
        self.n_jobs = n_jobs
        self.random_state = random_state
        self.verbose = verbose

    def fit_synthetic(self):
        """Learn from fresh Gaussian-cloud problems (the paper's 2-D data).

        Returns
        -------
        self : object
        """
        n_classes = _check_range(self.n_classes, "n_classes", 2)
        n_samples = _check_positive_int(self.n_samples, "n_samples", 2 * n_classes[1])
        n_features = _check_range(self.n_features, "n_features", 1)
        n_test = (
            None if self.n_test is None
            else _check_positive_int(self.n_test, "n_test", n_classes[1])
        )
        self.n_features_in_ = n_features[0] if n_features[0] == n_features[1] else None
        source = _SyntheticSource(n_samples, n_features, n_test, n_classes)
        return self._run(source, None, None, n_train=n_samples,
                         class_range=n_classes)

    def fit(self, X, y):
        """Learn from the labeled data of a task (the paper's warm start).

        Each repetition splits ``(X, y)`` into a training pool and a test set
        (``test_size``) at random, stratified by class.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
        y : array-like of shape (n_samples,)

        Returns
        -------
        self : object
        """
        X, y = validate_data(self, X, y, dtype=np.float64)
        check_classification_targets(y)
        classes, counts = np.unique(y, return_counts=True)
        if classes.shape[0] < 2 or counts.min() < 2:
            raise ValueError(
                "LALMonteCarlo.fit needs at least two classes with at least "
                "two samples each, so that every train/test split holds each "
                "class."
            )
        source = _SplitSource(self.test_size)
        n_train = y.shape[0] - _n_test_samples(self.test_size, y.shape[0])
        k = classes.shape[0]
        return self._run(source, X, y, n_train=n_train, class_range=(k, k))

    # -- the simulation ---------------------------------------------------
    def _check_params(self, class_range, n_train):
        _check_option(self.mode, "mode", ("iterative", "independent"))
        _check_option(self.features, "features", tuple(FEATURE_NAMES))
        # Independent sets draw at most tau classes; an iterative set is
        # grown from tau_min and must hold one sample of each class.
        n_classes = class_range[1] if self.mode == "iterative" else class_range[0]
        _check_option(self.forest_variance, "forest_variance",
                      ("pool", "candidates"))
        q = _check_positive_int(self.n_repetitions, "n_repetitions")
        m = _check_positive_int(self.n_candidates, "n_candidates")
        tr = self.tau_range
        if (
            not isinstance(tr, (tuple, list))
            or len(tr) != 2
            or not all(isinstance(t, numbers.Integral) for t in tr)
            or tr[0] > tr[1]
        ):
            raise ValueError(
                f"tau_range must be a pair (tau_min, tau_max) of ints with "
                f"tau_min <= tau_max, got {tr!r}."
            )
        if tr[0] < n_classes:
            raise ValueError(
                f"tau_range starts at {tr[0]}, but every labeled set holds one "
                f"sample of each of the {n_classes} classes; use tau_min >= "
                f"{n_classes}."
            )
        if tr[1] + m > n_train:
            raise ValueError(
                f"tau_max + n_candidates = {tr[1] + m} exceeds the {n_train} "
                "training samples of a repetition; lower them or give more data."
            )
        if self.n_trajectories is not None and (
            not isinstance(self.n_trajectories, numbers.Integral)
            or isinstance(self.n_trajectories, bool)
            or self.n_trajectories < q
        ):
            raise ValueError(
                f"n_trajectories must be None or an int >= n_repetitions = {q}, "
                f"got {self.n_trajectories!r}."
            )
        _check_option(self.growth, "growth", ("persistent", "fresh"))
        if self.growth == "fresh" and self.n_trajectories is not None:
            raise ValueError(
                "growth='fresh' grows n_repetitions new sets for every size; "
                f"leave n_trajectories=None, got {self.n_trajectories!r}."
            )
        return q, m, np.arange(tr[0], tr[1] + 1)

    def _regressors(self):
        base = (
            RandomForestRegressor(n_estimators=100, max_features=6,
                                  min_samples_leaf=0.01)
            if self.regressor is None else self.regressor
        )
        step = base if self.step_regressor is None else self.step_regressor
        return base, step

    def _fit_regressor(self, template, X, y, rng):
        reg = clone(template)
        params = reg.get_params()
        if "random_state" in params and params["random_state"] is None:
            reg.set_params(random_state=int(rng.randint(np.iinfo(np.int32).max)))
        if "n_jobs" in params and params["n_jobs"] is None and self.n_jobs is not None:
            reg.set_params(n_jobs=self.n_jobs)
        return reg.fit(X, y)

    def _run(self, source, X, y, n_train, class_range):
        q, m, taus = self._check_params(class_range, n_train)
        estimator = _default_classifier() if self.estimator is None else self.estimator
        if not hasattr(estimator, "fit") or not hasattr(estimator, "predict_proba"):
            raise TypeError(
                "estimator must be a random-forest classifier, got "
                f"{type(estimator).__name__}."
            )
        rng = check_random_state(self.random_state)
        base, step = self._regressors()
        imax = np.iinfo(np.int32).max
        parallel = Parallel(n_jobs=self.n_jobs, return_as="generator")
        bar = tqdm(total=q * len(taus), desc=f"LAL Monte-Carlo ({self.mode})",
                   disable=not self.verbose)
        states, deltas, sizes = [], [], []
        try:
            if self.mode == "independent":
                seeds = rng.randint(imax, size=(len(taus), q, 2))
                units = [
                    delayed(_mc_unit)(source, X, y, s[0], s[1], None, tau,
                                      estimator, m, False, self.forest_variance,
                                      self.features)
                    for tau, row in zip(taus, seeds) for s in row
                ]
                unit_taus = np.repeat(taus, q)
                for tau, (F, d, _) in zip(unit_taus, parallel(units)):
                    states.append(F)
                    deltas.append(d)
                    sizes.append(np.full(d.shape[0], tau))
                    bar.update()
            else:
                self._run_iterative(source, X, y, estimator, step, q, m, taus,
                                    rng, parallel, bar, states, deltas, sizes)
        finally:
            bar.close()
        self.states_ = np.concatenate(states)
        self.deltas_ = np.concatenate(deltas)
        self.n_labeled_ = np.concatenate(sizes)
        self.regressor_ = self._fit_regressor(base, self.states_, self.deltas_, rng)
        return self

    def _cross_fitted(self, step, g, F, d, results, scored, rng):
        """``[(regressor, trajectories it grows), ...]`` for one size.

        A deep step regressor nearly memorises its rows, so a trajectory
        grown by the regressor fitted on its own candidates would mostly pick
        the candidate whose test-error reduction it has already seen: an
        oracle pick that no policy makes at query time, which shifts the
        labeled sets of the larger sizes away from what LAL-iterative
        reaches (the authors draw a fresh problem for every row, so theirs
        never see their own rows). The scored trajectories are therefore
        split in two halves, each grown by the regressor fitted on the other
        half; the unscored ones by ``g``, fitted on all rows.
        """
        members = np.flatnonzero(scored)
        if members.shape[0] < 2:
            return [(g, np.arange(len(results)))]
        owner = _split_owners(results)
        halves = np.array_split(rng.permutation(members), 2)
        chooser = [(g, np.flatnonzero(~scored))] if not scored.all() else []
        for k, half in enumerate(halves):
            other = np.isin(owner, halves[1 - k])
            chooser.append((self._fit_regressor(step, F[other], d[other], rng),
                            np.sort(half)))
        return chooser

    def _run_iterative(self, source, X, y, estimator, step, q, m, taus, rng,
                       parallel, bar, states, deltas, sizes):
        imax = np.iinfo(np.int32).max
        fresh = self.mode == "iterative" and self.growth == "fresh"
        n_traj = (q * len(taus) if fresh
                  else q if self.n_trajectories is None else self.n_trajectories)
        # growth="fresh": trajectory j is scored once, at size taus[target[j]],
        # and dropped; those of larger sizes grow in lockstep beside it, which
        # is the authors' regrowth from tau_min with one forest fit per step.
        target = np.repeat(np.arange(len(taus)), q) if fresh else None
        data_seeds = rng.randint(imax, size=n_traj)
        start_seeds = rng.randint(imax, size=n_traj)
        step_seeds = rng.randint(imax, size=(len(taus), n_traj))
        # Every repetition starts from one random sample of each class plus
        # random ones up to tau_min, as the independent sets do.
        starts = []
        for seed, start_seed in zip(data_seeds, start_seeds):
            y_train = _draw(source, X, y, seed, None)[1]
            classes = np.unique(y_train)
            starts.append(_initial_set(
                y_train, classes, taus[0] - len(classes),
                np.random.RandomState(start_seed)))
        labeled = list(starts)
        self.step_regressors_ = []
        last = len(taus) - 1
        for t, tau in enumerate(taus):
            keep = t < last
            # With more trajectories than repetitions, a fresh random subset
            # of q trajectories is scored at each size; the others only grow
            # (one forest fit each), so the rows of one size come from q
            # problems and the whole set from many more.
            if fresh:
                active = np.flatnonzero(target >= t)
                scored = target[active] == t
            else:
                active = np.arange(n_traj)
                scored = (np.ones(n_traj, dtype=bool) if n_traj == q
                          else np.isin(np.arange(n_traj),
                                       rng.choice(n_traj, q, replace=False)))
            results = list(parallel(
                delayed(_mc_unit)(source, X, y, data_seeds[j], step_seeds[t, j],
                                  labeled[j], tau, estimator,
                                  m if scored[i] else 0, keep,
                                  self.forest_variance, self.features)
                for i, j in enumerate(active)
            ))
            bar.update(q)
            F = np.concatenate([r[0] for r in results])
            d = np.concatenate([r[1] for r in results])
            states.append(F)
            deltas.append(d)
            sizes.append(np.full(d.shape[0], tau))
            if not keep:
                break
            # BUILDLALITERATIVE: the regressor of this size picks the next
            # sample of every repetition.
            g = self._fit_regressor(step, F, d, rng)
            self.step_regressors_.append(g)
            if fresh:
                # No set that grows on was scored, so nothing can leak.
                keep_rows = ~scored
                results = [r for r, k in zip(results, keep_rows) if k]
                active = active[keep_rows]
                chooser = [(g, np.arange(len(results)))]
            else:
                chooser = self._cross_fitted(step, g, F, d, results, scored, rng)
            width = len(FEATURE_NAMES[self.features])
            scores = [None] * len(results)
            for reg, members in chooser:
                # One regressor call for all the pools it scores.
                pools = [results[j][2][1] for j in members]
                bounds = np.cumsum([0] + [p.shape[0] for p in pools])
                flat = _predict_unique(reg, np.concatenate(pools), n_varying=width)
                for k, j in enumerate(members):
                    scores[j] = flat[bounds[k]:bounds[k + 1]]
            for i, (j, (_, _, (unlabeled, _))) in enumerate(zip(active, results)):
                pick = top_k(scores[i], 1, np.random.default_rng(rng.randint(imax)))[0]
                labeled[j] = np.r_[labeled[j], unlabeled[pick]]
        # growth="fresh" keeps the trajectories of the largest size: the
        # others stopped short of tau_max.
        final = np.flatnonzero(target == len(taus) - 1) if fresh else range(n_traj)
        self.trajectories_ = np.array([labeled[j] for j in final])
        if isinstance(source, _SplitSource):
            # Indices into X rather than into each repetition's split.
            self.trajectories_ = np.array([
                source.split(y, data_seeds[j])[0][labeled[j]] for j in final
            ])


def _split_owners(results):
    """Trajectory index of every scored row, in the order of ``results``."""
    return np.repeat(np.arange(len(results)), [r[1].shape[0] for r in results])


def _check_range(value, name, min_value):
    """An int or an inclusive ``(low, high)`` pair of ints, as a pair."""
    pair = (value, value) if isinstance(value, numbers.Integral) else value
    if (
        not isinstance(pair, (tuple, list))
        or len(pair) != 2
        or not all(isinstance(v, numbers.Integral) and not isinstance(v, bool)
                   for v in pair)
        or pair[0] < min_value
        or pair[0] > pair[1]
    ):
        raise ValueError(
            f"{name} must be an int >= {min_value} or a pair (low, high) of "
            f"such ints with low <= high, got {value!r}."
        )
    return int(pair[0]), int(pair[1])


def _n_test_samples(test_size, n):
    if isinstance(test_size, numbers.Integral):
        return int(test_size)
    return int(np.ceil(float(test_size) * n))
