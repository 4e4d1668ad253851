"""Simulated-annealing search for the optimal labeling order (Zhou et al. 2021).

An acquisition function run for ``K`` batches of ``B`` samples is, for a
fixed training randomness ξ, nothing but a partial order of the pool: the
first ``K·B`` pool indices, in batches. The ξ-quality of an order is the mean
validation score of the models trained on the warm start plus the first
``1, ..., K`` batches. :class:`OptimalOrderSearch` searches the order of
highest ξ-quality by simulated annealing followed by a greedy phase, which
gives the upper bound any strategy with this classifier could reach.
"""

import contextlib
import hashlib
import math
import numbers
import time
from collections import OrderedDict

import numpy as np
from joblib import Parallel, delayed, effective_n_jobs
from sklearn.base import BaseEstimator, ClassifierMixin, clone
from sklearn.metrics import check_scoring
from sklearn.utils import check_random_state
from sklearn.utils.multiclass import check_classification_targets
from sklearn.utils.validation import _num_samples, check_is_fitted, check_X_y
from tqdm.auto import tqdm

from ..base import _check_positive_int, default_estimator
from ..evaluation import xi_quality
from ..utils import check_indices, seed_random_states, vstack_rows

__all__ = ["OptimalOrderSearch", "acceptance_probability", "propose_order"]


def propose_order(order, batch_size, n_batches, rng):
    """Zhou et al.'s transition kernel: a new order one swap away.

    With equal probability the kernel either swaps two acquired samples that
    lie in different batches (which order the sets are acquired in), or
    swaps an acquired sample with one that is never acquired (which samples
    are acquired at all). Order inside a batch does not matter, so two
    positions of the same batch are never swapped. When only one of the two
    moves is possible (a single batch, or a pool that is acquired entirely),
    the kernel always makes that one.

    Parameters
    ----------
    order : array-like of shape (n_pool,)
        A permutation of the pool indices; its first
        ``batch_size * n_batches`` entries are the acquisitions, in batches.
    batch_size : int
        Samples per batch.
    n_batches : int
        Number of acquired batches.
    rng : numpy.random.Generator
        Source of the move.

    Returns
    -------
    new_order : ndarray of shape (n_pool,)
        A new array; ``order`` is not modified.

    Examples
    --------
    >>> import numpy as np
    >>> from skactive.oracle import propose_order
    >>> order = np.arange(10)
    >>> new = propose_order(order, batch_size=2, n_batches=3,
    ...                     rng=np.random.default_rng(0))
    >>> sorted(new.tolist()) == list(range(10)), int((new != order).sum())
    (True, 2)
    """
    order = np.array(order, dtype=np.intp)
    n_acq = batch_size * n_batches
    n_pool = order.shape[0]
    can_swap = n_batches >= 2
    can_replace = n_pool > n_acq
    if not (can_swap or can_replace):
        raise ValueError(
            "No order differs from this one: with a single batch that takes "
            "the whole pool there is nothing to search."
        )
    i = int(rng.integers(n_acq))
    if can_swap and (not can_replace or rng.random() < 0.5):
        # j uniform over the acquired positions outside i's batch.
        start = (i // batch_size) * batch_size
        j = int(rng.integers(n_acq - batch_size))
        if j >= start:
            j += batch_size
    else:
        j = n_acq + int(rng.integers(n_pool - n_acq))
    order[i], order[j] = order[j], order[i]
    return order


def acceptance_probability(delta_quality, step, gamma):
    """Probability that simulated annealing accepts a proposal.

    ``min(1, exp(gamma * step * delta_quality))``: improvements are always
    accepted, a loss ``delta_quality < 0`` with a probability that shrinks as
    the inverse temperature ``gamma * step`` grows linearly with the step
    (Zhou et al.'s schedule; their "temperature" is an inverse temperature).

    Parameters
    ----------
    delta_quality : float
        Quality of the proposal minus that of the current order.
    step : int
        1-based annealing step.
    gamma : float
        Linear annealing factor.

    Returns
    -------
    p : float

    Examples
    --------
    >>> from skactive.oracle import acceptance_probability
    >>> acceptance_probability(0.01, step=5, gamma=0.1)
    1.0
    >>> round(acceptance_probability(-0.01, step=1000, gamma=0.1), 4)
    0.3679
    """
    if not math.isfinite(delta_quality):
        raise ValueError(
            f"delta_quality must be a finite number, got {delta_quality!r}."
        )
    return math.exp(min(0.0, gamma * step * delta_quality))


def _batches(order, batch_size, n_batches):
    """The acquired batches, each sorted: order inside a batch is not part of
    an acquisition, so it is normalised (and ``order_`` is stored so)."""
    acquired = np.asarray(order[: batch_size * n_batches])
    return np.sort(acquired.reshape(n_batches, batch_size), axis=1)


def _prefix_sets(order, batch_size, n_batches):
    """Training rows of the first 1..K batches, in acquisition order, and
    their cache keys (a digest of the batch sequence)."""
    batches = _batches(order, batch_size, n_batches)
    sets, keys = [], []
    h = hashlib.blake2b(digest_size=16)
    for k in range(1, n_batches + 1):
        h.update(batches[k - 1].tobytes())
        sets.append(batches[:k].ravel())
        keys.append(h.copy().digest())
    return sets, keys


class _ConstantClassifier(ClassifierMixin, BaseEstimator):
    """Predicts the one class of its training labels, knowing all classes.

    Stands in for a classifier trained on a single-class labeled set, which
    most classifiers refuse; knowing every class keeps probability-based
    scorers (ROC AUC, log loss) working.
    """

    def __init__(self, classes):
        self.classes = classes

    def fit(self, X, y):
        self.classes_ = np.asarray(self.classes)
        values, counts = np.unique(y, return_counts=True)
        self._proba = (self.classes_ == values[np.argmax(counts)]).astype(float)
        return self

    def predict_proba(self, X):
        return np.tile(self._proba, (_num_samples(X), 1))

    def predict(self, X):
        return self.classes_[np.full(_num_samples(X), np.argmax(self._proba))]


def _caller_array(original, checked):
    """``original`` if ``checked`` is a view of all of it, else ``checked``."""
    if (isinstance(original, np.ndarray) and type(checked) is np.ndarray
            and type(original) is np.ndarray
            and original.shape == checked.shape
            and original.dtype == checked.dtype
            and original.strides == checked.strides
            and original.__array_interface__["data"][0]
            == checked.__array_interface__["data"][0]):
        return original
    return checked


def _fit_score(estimator, scorer, X, y, X_val, y_val, classes):
    if np.unique(y).shape[0] < 2:
        # Most classifiers cannot train on one class; the model predicts it.
        model = _ConstantClassifier(classes).fit(X, y)
    else:
        model = clone(estimator).fit(X, y)
    return float(scorer(model, X_val, y_val))


def _score_sets(estimator, scorer, X_init, y_init, X_pool, y_pool, X_val, y_val,
                index_sets, classes):
    """Validation score of the model trained on warm start + each index set.

    The arrays are separate arguments, never a tuple: joblib's dask backend
    scatters a large top-level argument once per ``Parallel`` call (and
    recognises arrays scattered with ``parallel_config(scatter=...)``), but
    pickles a tuple of arrays into every task.
    """
    out = []
    for idx in index_sets:
        X_tr, y_tr = X_pool[idx], y_pool[idx]
        if X_init is not None:
            X_tr = vstack_rows(X_init, X_tr)
            y_tr = np.concatenate([y_init, y_tr])
        out.append(_fit_score(estimator, scorer, X_tr, y_tr, X_val, y_val,
                              classes))
    return out


class _Cache:
    """Bounded map prefix key → score, least recently used evicted."""

    def __init__(self, maxsize):
        self.maxsize = maxsize
        self._d = OrderedDict()

    def get(self, key):
        value = self._d.get(key)
        if value is not None:
            self._d.move_to_end(key)
        return value

    def put(self, key, value):
        if self.maxsize <= 0:
            return
        self._d[key] = value
        self._d.move_to_end(key)
        if len(self._d) > self.maxsize:
            self._d.popitem(last=False)

    def __len__(self):
        return len(self._d)


class _Evaluator:
    """ξ-quality of orders, training each prefix not in the cache once."""

    def __init__(self, estimator, scorer, data, classes, batch_size, n_batches,
                 cache, parallel, n_workers):
        self.estimator = estimator
        self.classes = classes
        self.scorer = scorer
        self.data = data
        self.batch_size = batch_size
        self.n_batches = n_batches
        self.cache = _Cache(cache)
        self.use_cache = cache > 0
        self.parallel = parallel
        self.n_workers = n_workers
        self.n_fits = 0
        self.n_hits = 0

    def curves(self, orders, warm_score):
        """Validation curves (K + 1 points) of several orders at once."""
        todo = OrderedDict()  # key -> index set: distinct and not cached
        rows = []  # per order, per prefix: a cached score or a key of `todo`
        for order in orders:
            row = []
            for idx, key in zip(*_prefix_sets(order, self.batch_size,
                                              self.n_batches)):
                if not self.use_cache:
                    # Every prefix trained again: the naive search that the
                    # benchmark compares against.
                    key = len(todo)
                else:
                    score = self.cache.get(key)
                    if score is not None or key in todo:
                        self.n_hits += 1
                        row.append(score if score is not None else key)
                        continue
                todo[key] = idx
                row.append(key)
            rows.append(row)
        fresh = dict(zip(todo, self._train(list(todo.values()))))
        if self.use_cache:
            for key, score in fresh.items():
                self.cache.put(key, score)
        return [
            np.array([warm_score] + [
                v if isinstance(v, float) else fresh[v] for v in row
            ])
            for row in rows
        ]

    def _train(self, index_sets):
        self.n_fits += len(index_sets)
        if not index_sets:
            return []
        if self.parallel is None or len(index_sets) == 1:
            return _score_sets(self.estimator, self.scorer, *self.data, index_sets,
                               self.classes)
        # One task per worker, each training a share of the models; every
        # task gets the same data objects (see _score_sets).
        n_chunks = min(self.n_workers, len(index_sets))
        chunks = [index_sets[c::n_chunks] for c in range(n_chunks)]
        results = self.parallel(
            delayed(_score_sets)(self.estimator, self.scorer, *self.data, chunk,
                                 self.classes)
            for chunk in chunks
        )
        # Undo the round-robin split.
        scores = [None] * len(index_sets)
        for c, chunk_scores in enumerate(results):
            scores[c::n_chunks] = chunk_scores
        return scores


class _Chain:
    def __init__(self, order, curve):
        self.order = order
        self.curve = curve
        self.quality = xi_quality(curve)
        self.best_order = order
        self.best_curve = curve
        self.best_quality = self.quality


def _check_positive_real(value, name):
    if isinstance(value, (bool, np.bool_)) or not isinstance(value, numbers.Real):
        raise TypeError(f"{name} must be a real number, got {value!r}.")
    if not np.isfinite(value) or value <= 0:
        raise ValueError(f"{name} must be finite and > 0, got {value}.")
    return float(value)


class OptimalOrderSearch(BaseEstimator):
    """Search the labeling order of highest ξ-quality by simulated annealing.

    The oracle of Zhou et al. (2021): for a classifier with fixed training
    randomness it finds, on a validation set, the order in which labeling
    ``n_batches`` batches of ``batch_size`` pool samples gives the highest
    mean score over the acquisition steps (the ξ-quality,
    :func:`~skactive.evaluation.xi_quality`). No query strategy with this
    classifier can do better than the optimal order, so the search tells how
    far a heuristic is from what active learning could reach, and its orders
    can be analysed (e.g. their label distribution,
    :func:`~skactive.evaluation.acquisition_distribution`) or replayed with
    :class:`ReplayOrder`.

    The search starts from a random order and runs ``n_steps`` steps of
    simulated annealing: each step proposes an order one move away
    (:func:`propose_order`: swap two samples of different batches, or an
    acquired sample with an unacquired one, with equal probability) and
    accepts it with probability ``min(1, exp(gamma * t * Δq))``
    (:func:`acceptance_probability`). A greedy phase of ``greedy_steps``
    proposals from the best order found then accepts strict improvements
    only.

    **Training randomness.** The paper defines the optimum for a fixed
    randomness ξ of training. Here ξ is the classifier's seed: every
    ``random_state`` parameter of ``estimator`` that is None is set from
    this search's ``random_state`` before the search, and every model of the
    search is a clone of that seeded classifier (``estimator_``). As in the
    authors' code, a model is trained on the warm-start rows followed by the
    acquired batches in acquisition order, without shuffling; rows within a
    batch are in ascending pool index (order inside a batch is not part of
    an acquisition, and ``order_`` lists each batch so). This is also what
    :class:`~skactive.ActiveLearner` trains on when it replays ``order_``
    with :class:`ReplayOrder`, so the replayed curve is the search's for any
    classifier, including those whose fit depends on row order (forests,
    SGD, networks). Another seed is another problem with another optimum
    (Sec. 6.2 of the paper).

    **Speed.** A proposal that changes batch ``j`` leaves the first ``j``
    points of the curve unchanged. Scores are cached by batch sequence, so a
    step trains only the models from its first changed batch on (about 60 %
    of them for 10 batches), and a prefix evaluated before (e.g. the current
    order's, after a rejected move) is not trained again while it stays in
    the cache. With ``n_jobs > 1`` several steps' proposals are evaluated at
    once: all are drawn from the current order and, as in a sequential
    chain, the first accepted one wins and later ones are drawn again from
    the new order. Every step's proposal and coin come from a seed of their
    own, so for a classifier whose training is deterministic the result does
    not depend on ``n_jobs`` (the number of models trained does).

    Parameters
    ----------
    estimator : classifier or None, default=None
        The classifier; ``None`` means ``LogisticRegression(max_iter=1000)``.
    batch_size : int, default=10
        Samples per acquired batch (``B``).
    n_batches : int, default=10
        Number of acquired batches (``K``); the order acquires
        ``batch_size * n_batches`` pool samples.
    n_steps : int, default=2000
        Simulated-annealing steps (``T_S``; the paper used 25 000 on GPUs).
    greedy_steps : int, default=200
        Greedy proposals after annealing (``T_G``; paper 5 000).
    gamma : float, default=0.1
        Linear annealing factor: the inverse temperature at step ``t`` is
        ``gamma * t``. With fewer steps than the paper a larger value cools
        to the same final inverse temperature (``gamma * n_steps``).
    scoring : str, callable or None, default=None
        Validation metric (:func:`sklearn.metrics.check_scoring`); ``None``
        is the classifier's ``score`` (accuracy). Weighted F1 as in the
        paper's text tasks is ``"f1_weighted"``.
    n_chains : int, default=1
        Independent annealing chains from different random orders; the best
        order over all chains is kept. Chains share the score cache.
    cache_size : int, default=200000
        Most labeled-set scores kept (least recently used dropped first).
        ``0`` disables caching: every proposal retrains all ``n_batches``
        models (the naive search, for comparison).
    random_state : int, RandomState instance or None, default=None
        Seeds the initial orders, the proposals and the acceptance coins, and
        the classifier's unset seeds (ξ).
    n_jobs : int or None, default=None
        Parallel model trainings through :class:`joblib.Parallel`: each
        step's models (of all chains, and of the steps drawn ahead) are
        shared among the workers, one task per worker. Under
        ``joblib.parallel_config(backend="dask")`` they train on the
        cluster (``None`` then uses all its workers), with the same result.
        The data go to the workers once per step (joblib's dask backend
        scatters each large array once per call); scatter the arrays once
        for the whole search with
        ``parallel_config(backend="dask", scatter=[X_pool, y_pool, X_val,
        y_val])`` (and ``X_init, y_init``) around :meth:`fit`, passing it
        the same NumPy arrays (used as given, not copied).
    verbose : bool, default=False
        Show a progress bar over the steps.

    Attributes
    ----------
    order_ : ndarray of shape (batch_size * n_batches,)
        Pool indices of the best order, in acquisition order: batch ``k`` is
        ``order_[k * batch_size:(k + 1) * batch_size]``, in ascending index.
    quality_ : float
        Its ξ-quality on the validation set.
    curve_ : ndarray of shape (n_batches + 1,)
        Its validation curve: the warm-start score (NaN without a warm start)
        then the score after each batch.
    initial_quality_ : float
        ξ-quality of the best initial random order.
    n_labeled_ : ndarray of shape (n_batches + 1,)
        Labeled-set size at each point of the curve.
    estimator_ : classifier
        The seeded classifier every model of the search is cloned from.
    classes_ : ndarray
        Every label of the warm start, pool and validation set (a model
        trained on a single class predicts it with these classes).
    history_ : dict
        Per step of every chain (arrays of shape ``(n_chains, n_steps +
        greedy_steps)``): ``proposal_quality``, ``quality`` (the chain's
        order after the step), ``best_quality``, ``accepted`` and
        ``inverse_temperature`` (``gamma * t``; ``inf`` in the greedy phase);
        and per chain ``acceptance_rate`` (annealing phase) and
        ``greedy_improvements``.
    n_fits_ : int
        Models trained.
    n_evaluations_ : int
        Orders evaluated, including proposals drawn ahead for parallel
        evaluation and then discarded.
    cache_hits_ : int
        Prefix scores taken from the cache instead of training.
    search_time_ : float
        Wall-clock seconds of the search.

    See Also
    --------
    ReplayOrder : Replays an order as a query strategy.
    skactive.strategies.IDMR : The distribution-matching regularizer the
        search's analysis motivates.

    Notes
    -----
    The fitted search keeps the warm start, pool and validation data (for
    :meth:`curve` and :meth:`score`), so a pickle of it carries them.

    References
    ----------
    .. [1] Y. Zhou, A. Renduchintala, X. Li, S. Wang, Y. Mehdad, A. Ghoshal,
       "Towards Understanding the Behaviors of Optimal Deep Active Learning
       Algorithms", AISTATS 2021.

    Examples
    --------
    >>> from sklearn.datasets import load_digits
    >>> from sklearn.linear_model import LogisticRegression
    >>> from skactive.oracle import OptimalOrderSearch
    >>> X, y = load_digits(return_X_y=True)
    >>> X = X / 16.0
    >>> search = OptimalOrderSearch(LogisticRegression(max_iter=500),
    ...                             batch_size=5, n_batches=4, n_steps=60,
    ...                             greedy_steps=20, gamma=1.0, random_state=0)
    >>> search = search.fit(X[20:220], y[20:220], X[1000:1300], y[1000:1300],
    ...                     X_init=X[:20], y_init=y[:20])
    >>> search.order_.shape
    (20,)
    >>> bool(search.quality_ >= search.initial_quality_)
    True
    >>> test_quality = search.score(X[1300:], y[1300:])
    """

    def __init__(
        self,
        estimator=None,
        *,
        batch_size=10,
        n_batches=10,
        n_steps=2000,
        greedy_steps=200,
        gamma=0.1,
        scoring=None,
        n_chains=1,
        cache_size=200_000,
        random_state=None,
        n_jobs=None,
        verbose=False,
    ):
        self.estimator = estimator
        self.batch_size = batch_size
        self.n_batches = n_batches
        self.n_steps = n_steps
        self.greedy_steps = greedy_steps
        self.gamma = gamma
        self.scoring = scoring
        self.n_chains = n_chains
        self.cache_size = cache_size
        self.random_state = random_state
        self.n_jobs = n_jobs
        self.verbose = verbose

    # -- validation -----------------------------------------------------
    def _validate_params(self):
        _check_positive_int(self.batch_size, "batch_size")
        _check_positive_int(self.n_batches, "n_batches")
        _check_positive_int(self.n_steps, "n_steps", minimum=0)
        _check_positive_int(self.greedy_steps, "greedy_steps", minimum=0)
        _check_positive_int(self.n_chains, "n_chains")
        _check_positive_int(self.cache_size, "cache_size", minimum=0)
        _check_positive_real(self.gamma, "gamma")

    @staticmethod
    def _check_Xy(X, y):
        X_in, y_in = X, y
        X, y = check_X_y(X, y, accept_sparse="csr")
        check_classification_targets(y)
        # The caller's own arrays when the checks did not convert them (y is
        # a fresh view of itself), so that arrays scattered to a dask cluster
        # with parallel_config(scatter=[...]) are recognised by identity.
        return _caller_array(X_in, X), _caller_array(y_in, y)

    def _check_inputs(self, X_pool, y_pool, X_val, y_val, X_init, y_init):
        """Validated ``(X_init, y_init, X_pool, y_pool, X_val, y_val)``."""
        X_pool, y_pool = self._check_Xy(X_pool, y_pool)
        X_val, y_val = self._check_Xy(X_val, y_val)
        if (X_init is None) != (y_init is None):
            raise ValueError(
                "Pass both X_init and y_init (the warm-start set) or neither."
            )
        if X_init is not None:
            X_init, y_init = self._check_Xy(X_init, y_init)
        for name, X in (("X_val", X_val), ("X_init", X_init)):
            if X is not None and X.shape[1] != X_pool.shape[1]:
                raise ValueError(
                    f"{name} has {X.shape[1]} features but X_pool has "
                    f"{X_pool.shape[1]}."
                )
        n_acq = self.batch_size * self.n_batches
        if n_acq > X_pool.shape[0]:
            raise ValueError(
                f"batch_size * n_batches = {n_acq} acquisitions exceed the pool "
                f"of {X_pool.shape[0]} samples; lower n_batches or batch_size."
            )
        if self.n_batches == 1 and n_acq == X_pool.shape[0]:
            raise ValueError(
                "A single batch that takes the whole pool leaves nothing to "
                "search; use n_batches >= 2 or a larger pool."
            )
        return X_init, y_init, X_pool, y_pool, X_val, y_val

    # -- search -----------------------------------------------------------
    def fit(self, X_pool, y_pool, X_val, y_val, X_init=None, y_init=None):
        """Search the best order of the pool.

        Parameters
        ----------
        X_pool : array-like of shape (n_pool, n_features)
            Samples that can be acquired.
        y_pool : array-like of shape (n_pool,)
            Their labels (the simulated annotator).
        X_val, y_val : array-like
            Validation set the ξ-quality is measured on. Report the found
            order's quality on an independent test set with :meth:`score`.
        X_init, y_init : array-like or None, default=None
            Warm-start labeled set, part of every training set.

        Returns
        -------
        self : object
        """
        self._validate_params()
        data = self._check_inputs(X_pool, y_pool, X_val, y_val, X_init, y_init)
        rng = check_random_state(self.random_state)
        estimator = clone(default_estimator() if self.estimator is None
                          else self.estimator)
        seed_random_states(estimator, rng)
        scorer = check_scoring(estimator, scoring=self.scoring)
        seed = int(rng.randint(np.iinfo(np.int32).max))
        X_init, y_init, X_pool, y_pool, X_val, y_val = data
        classes = np.unique(np.concatenate(
            [y_pool, y_val] + ([] if y_init is None else [y_init])))
        n_pool = X_pool.shape[0]
        B, K = self.batch_size, self.n_batches

        t0 = time.perf_counter()
        n_workers = max(1, effective_n_jobs(self.n_jobs))
        with contextlib.ExitStack() as stack:
            # One pool of workers for the whole search, not one per step.
            parallel = (stack.enter_context(Parallel(n_jobs=self.n_jobs))
                        if n_workers > 1 else None)
            evaluator = _Evaluator(estimator, scorer, data, classes, B, K,
                                   self.cache_size, parallel, n_workers)
            warm = (_fit_score(estimator, scorer, X_init, y_init, X_val, y_val,
                               classes)
                    if X_init is not None else np.nan)
            orders = [np.random.default_rng([seed, c]).permutation(n_pool)
                      for c in range(self.n_chains)]
            chains = [_Chain(o, c) for o, c in
                      zip(orders, evaluator.curves(orders, warm))]
            initial_quality = max(c.quality for c in chains)
            T = self.n_steps + self.greedy_steps
            hist = {
                "proposal_quality": np.full((self.n_chains, T), np.nan),
                "quality": np.full((self.n_chains, T), np.nan),
                "best_quality": np.full((self.n_chains, T), np.nan),
                "accepted": np.zeros((self.n_chains, T), dtype=bool),
                "inverse_temperature": np.full((self.n_chains, T), np.inf),
            }
            bar = stack.enter_context(tqdm(total=self.n_chains * T,
                                           desc="order search",
                                           disable=not self.verbose, leave=False))
            n_evaluations = self.n_chains + sum(
                self._phase(chains, evaluator, warm, seed, hist, bar, greedy,
                            n_workers)
                for greedy in (False, True)
            )

        best = max(range(self.n_chains), key=lambda c: chains[c].best_quality)
        n_sa = self.n_steps
        hist["acceptance_rate"] = (
            hist["accepted"][:, :n_sa].mean(axis=1) if n_sa else
            np.full(self.n_chains, np.nan)
        )
        hist["greedy_improvements"] = hist["accepted"][:, n_sa:].sum(axis=1)
        self.estimator_ = estimator
        self.order_ = _batches(chains[best].best_order, B, K).ravel()
        self.classes_ = classes
        self.curve_ = chains[best].best_curve
        self.quality_ = chains[best].best_quality
        self.initial_quality_ = initial_quality
        n0 = 0 if X_init is None else X_init.shape[0]
        self.n_labeled_ = n0 + B * np.arange(K + 1)
        self.history_ = hist
        self.n_fits_ = evaluator.n_fits
        self.n_evaluations_ = n_evaluations
        self.cache_hits_ = evaluator.n_hits
        self.search_time_ = time.perf_counter() - t0
        self._data = data
        self._scorer = scorer
        return self

    def _phase(self, chains, evaluator, warm, seed, hist, bar, greedy, n_workers):
        n_steps = self.greedy_steps if greedy else self.n_steps
        offset = self.n_steps if greedy else 0
        phase = 1 if greedy else 0
        B, K = self.batch_size, self.n_batches
        next_step = [1] * len(chains)  # 1-based step each chain is at
        n_evaluations = 0
        while True:
            active = [c for c in range(len(chains)) if next_step[c] <= n_steps]
            if not active:
                return n_evaluations
            # Several steps per chain are drawn ahead when workers would idle.
            ahead = max(1, -(-n_workers // len(active)))
            props = []
            for c in active:
                base = chains[c].best_order if greedy else chains[c].order
                for t in range(next_step[c], min(next_step[c] + ahead, n_steps + 1)):
                    step_rng = np.random.default_rng([seed, phase, c, t])
                    order = propose_order(base, B, K, step_rng)
                    props.append((c, t, order, step_rng.random()))
            curves = evaluator.curves([p[2] for p in props], warm)
            n_evaluations += len(props)
            done = set()
            for (c, t, order, u), curve in zip(props, curves):
                if c in done:
                    continue  # drawn from an order that a previous step replaced
                chain = chains[c]
                q = xi_quality(curve)
                if greedy:
                    accept = q > chain.best_quality
                else:
                    accept = u < acceptance_probability(q - chain.quality, t,
                                                        self.gamma)
                    hist["inverse_temperature"][c, offset + t - 1] = self.gamma * t
                if accept:
                    if not greedy:
                        chain.order, chain.curve, chain.quality = order, curve, q
                    if q > chain.best_quality:
                        chain.best_order, chain.best_curve = order, curve
                        chain.best_quality = q
                    done.add(c)
                col = offset + t - 1
                hist["proposal_quality"][c, col] = q
                hist["quality"][c, col] = (chain.best_quality if greedy
                                           else chain.quality)
                hist["best_quality"][c, col] = chain.best_quality
                hist["accepted"][c, col] = accept
                next_step[c] = t + 1
                bar.update(1)

    # -- evaluation -------------------------------------------------------
    def _fitted_shape(self):
        """``(batch_size, n_batches)`` of the fit, whatever set_params did since."""
        K = self.n_labeled_.shape[0] - 1
        return self.order_.shape[0] // K, K

    def _check_order(self, order, B, K):
        return check_indices(self.order_ if order is None else order, "order",
                             n=self._data[2].shape[0], size=B * K,
                             what="pool indices (batch_size * n_batches)")

    def curve(self, X, y, order=None):
        """Learning curve of an order on another labeled set.

        Trains the search's classifier (``estimator_``) on the warm start
        plus the first ``0, 1, ..., n_batches`` batches of ``order``, in
        acquisition order, exactly as the search did, and scores each model
        on ``(X, y)`` with ``scoring``.

        Parameters
        ----------
        X, y : array-like
            Evaluation set, e.g. the test set.
        order : array-like of shape (batch_size * n_batches,), default=None
            Pool indices in acquisition order; ``None`` is ``order_``. Any
            strategy's acquisitions from the same warm start can be scored
            this way (e.g. ``ActiveLearner.labeled_indices_`` minus the warm
            start); rows within a batch are trained in ascending pool index.

        Returns
        -------
        curve : ndarray of shape (n_batches + 1,)
            The warm-start score (NaN without a warm start), then one score
            per batch.
        """
        check_is_fitted(self)
        B, K = self._fitted_shape()
        order = self._check_order(order, B, K)
        X, y = check_X_y(X, y, accept_sparse="csr")
        X_init, y_init, X_pool, y_pool = self._data[:4]
        if X.shape[1] != X_pool.shape[1]:
            raise ValueError(
                f"X has {X.shape[1]} features but the pool has {X_pool.shape[1]}."
            )
        data = (X_init, y_init, X_pool, y_pool, X, y)
        sets, _ = _prefix_sets(order, B, K)
        classes = np.union1d(self.classes_, y)
        warm = (_fit_score(self.estimator_, self._scorer, X_init, y_init, X, y,
                           classes)
                if X_init is not None else np.nan)
        return np.array([warm] + _score_sets(self.estimator_, self._scorer, *data,
                                             sets, classes))

    def score(self, X, y, order=None):
        """ξ-quality of an order on another labeled set (e.g. the test set).

        ``quality_`` is measured on the validation set the search maximised
        and is optimistic; this is the unbiased estimate on held-out data.

        Parameters
        ----------
        X, y : array-like
            Evaluation set.
        order : array-like, default=None
            Pool indices in acquisition order; ``None`` is ``order_``.

        Returns
        -------
        quality : float
        """
        return xi_quality(self.curve(X, y, order))
