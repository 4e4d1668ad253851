"""DAgger: imitation learning of a query policy from an expert.

The meta-fitter is generic: the policy (a binary classifier over candidate
states), the expert (labels the candidates of a state) and the state encoder
are separate objects, so IALE (best of heuristic experts) and ALIL
(one-step roll-out expert) share this loop. It imports neither: each method
passes its own expert, state encoder and policy.

Protocols
---------
state encoder
    ``transform(estimator, X_labeled, y_labeled, X_candidates)`` returns one
    state row per candidate.
expert
    ``label(estimator, X_labeled, y_labeled, X_candidates, y_candidates,
    X_val, y_val, batch_size, random_state)`` returns ``(target, info)``: a
    target of shape ``(n_candidates,)``, 1 for the candidates the expert
    would label (``batch_size`` of them), and a dict (``info["winner"]``
    names the expert that won, when there are several).
policy
    a scikit-learn binary classifier; ``decision_function`` (or
    ``predict_proba[:, 1]``) ranks candidates. When its ``fit`` takes
    ``groups``, it receives the step of every pair (a listwise policy's
    softmax groups).
"""

import inspect
import math
import numbers

import numpy as np
from sklearn.base import BaseEstimator, clone
from sklearn.utils import check_random_state
from sklearn.utils.multiclass import check_classification_targets
from sklearn.utils.validation import check_is_fitted, check_X_y, validate_data
from tqdm.auto import tqdm

from ..base import _check_option, _check_positive_int
from ..evaluation import aubc
from ..strategies._bayesian import _default_net
from ..utils import seed_random_states, stratified_indices, top_k
from ._policy_net import PolicyMLP

__all__ = ["DAgger", "beta_schedule", "policy_scores"]

_SCHEDULES = ("exponential", "linear", "inverse_sigmoid", "alil_linear",
              "alil_exponential", "alil_inverse_sigmoid")


def beta_schedule(beta, episode, n_episodes):
    """Probability that the expert acts in ``episode`` (0-based).

    Parameters
    ----------
    beta : float, str or callable
        A constant in ``[0, 1]`` (ALIL's fixed ``0.5``); ``"exponential"``:
        ``0.9 ** episode`` (the IALE code's "exp" schedule; Ross et al.'s
        ``p ** (i - 1)``); ``"linear"``: from 1 down to 0 at the last
        episode; ``"inverse_sigmoid"``: ``k / (k + exp(episode / k))`` with
        ``k = max(1, n_episodes / 10)`` (scheduled sampling, Bengio et al.
        2015). ALIL's schedules (Liu et al. 2018, Sec. 4.3) use its 1-based
        round ``tau = episode + 1``: ``"alil_linear"``: ``max(0.5, 1 -
        0.01 tau)``; ``"alil_exponential"``: ``0.9 ** tau``;
        ``"alil_inverse_sigmoid"``: ``5 / (5 + exp(tau / 5))``. A callable
        ``beta(episode, n_episodes)``.
    episode : int
    n_episodes : int

    Returns
    -------
    beta : float

    Examples
    --------
    >>> from skactive.policies import beta_schedule
    >>> [round(beta_schedule("linear", e, 5), 2) for e in range(5)]
    [1.0, 0.75, 0.5, 0.25, 0.0]
    >>> beta_schedule(0.5, 3, 10)
    0.5
    >>> round(beta_schedule("alil_inverse_sigmoid", 0, 100), 4)  # tau = 1
    0.8037
    """
    if callable(beta):
        value = beta(episode, n_episodes)
    elif isinstance(beta, str):
        _check_option(beta, "beta", _SCHEDULES)
        tau = episode + 1
        if beta == "exponential":
            value = 0.9 ** episode
        elif beta == "linear":
            value = 1.0 - episode / max(n_episodes - 1, 1)
        elif beta == "inverse_sigmoid":
            k = max(1.0, n_episodes / 10.0)
            value = k / (k + math.exp(episode / k))
        elif beta == "alil_linear":
            value = max(0.5, 1.0 - 0.01 * tau)
        elif beta == "alil_exponential":
            value = 0.9 ** tau
        else:
            value = 5.0 / (5.0 + math.exp(tau / 5.0))
    elif isinstance(beta, numbers.Real) and not isinstance(beta, bool):
        value = beta
    else:
        raise TypeError(
            "beta must be a number in [0, 1], one of "
            f"{list(_SCHEDULES)} or a callable, got {beta!r}."
        )
    value = float(value)
    if not 0.0 <= value <= 1.0:
        raise ValueError(f"beta must lie in [0, 1], got {value} at episode {episode}.")
    return value


def policy_scores(policy, states):
    """Desirability of each candidate under a fitted binary ``policy``.

    Parameters
    ----------
    policy : fitted classifier
        ``decision_function`` is used when present, else
        ``predict_proba[:, 1]``.
    states : ndarray of shape (n_candidates, n_state_features)

    Returns
    -------
    scores : ndarray of shape (n_candidates,)
    """
    if hasattr(policy, "decision_function"):
        return np.asarray(policy.decision_function(states), dtype=np.float64)
    return np.asarray(policy.predict_proba(states))[:, -1].astype(np.float64)


def _accepts_groups(policy):
    try:
        return "groups" in inspect.signature(policy.fit).parameters
    except (TypeError, ValueError):  # pragma: no cover - builtins
        return False


class DAgger(BaseEstimator):
    """Dataset Aggregation (Ross et al. 2011) for active learning policies.

    Each episode draws a fresh partition of the source data into a labeled
    validation split (for the expert's reward), a small stratified initial
    labeled set and a pool, and runs an active learning episode until
    ``budget`` samples are labeled. At every step a random subset of
    ``n_candidates`` pool samples is encoded into states, the expert labels
    them (which candidates it would query) and this (state, action) pair is
    recorded, whoever acts (Ross et al.; ALIL's Algorithm 1, line 18); then
    the expert's picks are labeled with probability ``beta``, the current
    policy's top-scored candidates otherwise. After each episode the policy
    is retrained from scratch on all pairs aggregated so far, with the step
    of each pair as ``groups`` when the policy takes them (a listwise
    policy's softmax groups).

    The first episode is always driven by the expert, since there is no
    policy yet (``beta_1 = 1`` in Ross et al.); ``beta`` applies from the
    second episode on. With ``beta=1`` every action is the expert's and
    DAgger is behaviour cloning.

    Parameters
    ----------
    policy : classifier or None, default=None
        Binary classifier over states, cloned and refitted after every
        episode. ``None`` means :class:`PolicyMLP` (pointwise loss).
    expert : object
        Labels states (see the module protocols): :class:`IALEExpert`,
        :class:`ALILExpert` or your own. Required.
    state_encoder : object
        Encodes candidates into states: :class:`IALEState`,
        :class:`ALILState` or your own. Required.
    estimator : classifier or None, default=None
        The classifier trained in the episodes; ``None`` means
        :func:`skactive.nets.make_mlp`.
    n_episodes : int, default=10
    beta : float, {"exponential", "linear", "inverse_sigmoid"} or callable, default=0.5
        Probability that the expert acts; see :func:`beta_schedule`.
    coin : {"episode", "step"}, default="episode"
        Toss the coin once per episode (ALIL's Algorithm 1 and IALE's code;
        ALIL found it better than per step) or at every step.
    record : {"expert", "executed"}, default="expert"
        The action stored with each state: the expert's (DAgger, ALIL's
        Algorithm 1) or the one executed, the policy's own pick when it
        acts (what ALIL's released code stores; for reproducing it only).
    budget : int, default=100
        Labeled samples at the end of an episode, the initial set included.
    batch_size : int, default=10
        Samples labeled per step (IALE's acquisition size).
    n_candidates : int, default=100
        Size of the random pool subset scored at each step.
    initial_size : int or None, default=None
        Initial labeled set, stratified; ``None`` means two per class.
    validation_size : int or float, default=100
        Labeled validation split that scores the expert's proposals (a
        fraction when a float below 1).
    random_state : int, RandomState instance or None, default=None
        Seeds the partitions, candidate subsets, coins, the classifiers'
        and the policy's initialisations.
    verbose : bool, default=False
        Progress bar over steps.

    Attributes
    ----------
    policy_ : classifier
        The policy trained after the last episode.
    state_encoder_ : object
        The state encoder used (``state_encoder`` or the default).
    states_ : ndarray of shape (n_pairs, n_state_features), float32
        The aggregated states, one row per candidate of every visited step.
    actions_ : ndarray of shape (n_pairs,)
        The expert's action for each state row (the executed one with
        ``record="executed"``).
    pair_episodes_ : ndarray of shape (n_pairs,)
        Episode of each row.
    pair_steps_ : ndarray of shape (n_pairs,)
        Step of each row, numbered over all episodes: the rows of a step are
        the candidates that competed for its pick.
    history_ : dict of lists
        Per episode: ``beta``, ``expert_steps`` and ``policy_steps`` (who
        acted), ``agreement`` (mean share of the expert's picks that the
        policy entering the episode also ranks in its top ``batch_size``,
        over all visited states; NaN in the first episode), ``policy_loss``
        (final training loss of the policy fitted after the episode, NaN if
        the policy reports none), ``aubc`` (area under the episode's
        validation-accuracy curve), ``n_pairs`` (aggregated pairs),
        ``winners`` (how often each expert won, from ``info["winner"]``) and
        ``task`` (the task's index; always 0 after :meth:`fit`).
    n_features_in_ : int
        Set by :meth:`fit` only (the tasks of :meth:`fit_tasks` may differ).

    References
    ----------
    .. [1] S. Ross, G. Gordon, D. Bagnell, "A reduction of imitation learning
       and structured prediction to no-regret online learning", AISTATS 2011.
    .. [2] C. Löffler, C. Mutschler, "IALE: Imitating active learner
       ensembles", JMLR 2022.

    Examples
    --------
    >>> from sklearn.datasets import load_iris
    >>> from sklearn.linear_model import LogisticRegression
    >>> from skactive import UncertaintySampling
    >>> from skactive.policies import DAgger, IALEExpert, IALEState, PolicyMLP
    >>> X, y = load_iris(return_X_y=True)
    >>> expert = IALEExpert({"entropy": UncertaintySampling()})
    >>> dagger = DAgger(PolicyMLP((16, 16), max_epochs=5), expert,
    ...                 IALEState("reduced"), LogisticRegression(),
    ...                 n_episodes=2, budget=20, batch_size=2, n_candidates=10,
    ...                 validation_size=30, random_state=0).fit(X, y)
    >>> dagger.states_.shape, len(dagger.history_["aubc"])
    ((140, 13), 2)
    """

    def __init__(self, policy=None, expert=None, state_encoder=None, estimator=None,
                 *, n_episodes=10, beta=0.5, coin="episode", record="expert",
                 budget=100, batch_size=10, n_candidates=100, initial_size=None,
                 validation_size=100, random_state=None, verbose=False):
        self.policy = policy
        self.expert = expert
        self.state_encoder = state_encoder
        self.estimator = estimator
        self.n_episodes = n_episodes
        self.beta = beta
        self.coin = coin
        self.record = record
        self.budget = budget
        self.batch_size = batch_size
        self.n_candidates = n_candidates
        self.initial_size = initial_size
        self.validation_size = validation_size
        self.random_state = random_state
        self.verbose = verbose

    # -- components -----------------------------------------------------
    def _components(self):
        estimator = _default_net() if self.estimator is None else self.estimator
        policy = PolicyMLP() if self.policy is None else self.policy
        for obj, name, example in ((self.expert, "expert", "IALEExpert() or ALILExpert()"),
                                   (self.state_encoder, "state_encoder",
                                    "IALEState() or ALILState()")):
            if obj is None:
                raise TypeError(
                    f"DAgger needs a {name}, e.g. {example}: the meta-fitter is "
                    "generic and has no default method."
                )
        expert, encoder = self.expert, self.state_encoder
        for obj, name, method in ((expert, "expert", "label"),
                                  (encoder, "state_encoder", "transform"),
                                  (policy, "policy", "fit")):
            if not callable(getattr(obj, method, None)):
                raise TypeError(
                    f"{name} must provide {method}(...); got {type(obj).__name__}."
                )
        return policy, expert, encoder, estimator

    def _check_params(self, y):
        n_episodes = _check_positive_int(self.n_episodes, "n_episodes")
        _check_option(self.coin, "coin", ("episode", "step"))
        _check_option(self.record, "record", ("expert", "executed"))
        for e in range(n_episodes):  # fails early on a bad schedule
            beta_schedule(self.beta, e, n_episodes)
        batch = _check_positive_int(self.batch_size, "batch_size")
        n_cand = _check_positive_int(self.n_candidates, "n_candidates")
        if n_cand <= batch:
            raise ValueError(
                f"n_candidates={n_cand} must exceed batch_size={batch}: the "
                "expert must choose among more candidates than it labels."
            )
        n_classes = np.unique(y).shape[0]
        init = 2 * n_classes if self.initial_size is None else \
            _check_positive_int(self.initial_size, "initial_size", minimum=2)
        budget = _check_positive_int(self.budget, "budget")
        if budget <= init:
            raise ValueError(
                f"budget={budget} must exceed the initial labeled set "
                f"({init} samples): nothing would be queried."
            )
        val = self.validation_size
        n = y.shape[0]
        if isinstance(val, numbers.Real) and not isinstance(val, bool) and 0 < val < 1:
            val = int(round(val * n))
        val = _check_positive_int(val, "validation_size")
        if val + budget + n_cand - batch > n:
            raise ValueError(
                f"The source data has {n} samples; validation_size ({val}) + "
                f"budget ({budget}) + n_candidates ({n_cand}) needs more. "
                "Reduce them or pass more data."
            )
        return n_episodes, batch, n_cand, init, budget, val

    # -- fitting --------------------------------------------------------
    def fit(self, X, y):
        """Learn the policy on a labeled source task.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
            Source data; its labels are revealed to the expert only.
        y : array-like of shape (n_samples,)

        Returns
        -------
        self : DAgger
        """
        X, y = validate_data(self, X, y, ensure_min_samples=2)
        check_classification_targets(y)
        return self._fit_tasks([(X, y, None)])

    def fit_tasks(self, tasks):
        """Learn one policy on several source tasks, episodes taking turns.

        A policy learned on one data set learns its habits; IALE's state is
        meant to transfer, so it is best learned on tasks of several kinds
        (images and tabular, several class counts and networks). Episode
        ``e`` runs on task ``e % len(tasks)``; the pairs of all tasks are
        aggregated into one data set, so the state encoder must give states
        of one width on every task (e.g. ``IALEState("invariant")``).

        Parameters
        ----------
        tasks : list of (X, y) or (X, y, estimator)
            Source tasks; a task's estimator (``None`` for the default)
            replaces ``estimator`` on it, e.g. a CNN for images and an MLP
            for tabular data.

        Returns
        -------
        self : DAgger

        Examples
        --------
        >>> from sklearn.datasets import load_iris, load_wine
        >>> from sklearn.linear_model import LogisticRegression
        >>> from sklearn.preprocessing import scale
        >>> from skactive import UncertaintySampling
        >>> from skactive.policies import DAgger, IALEExpert, IALEState, PolicyMLP
        >>> (Xi, yi), (Xw, yw) = load_iris(return_X_y=True), load_wine(return_X_y=True)
        >>> dagger = DAgger(PolicyMLP((8,), max_epochs=3),
        ...                 IALEExpert({"entropy": UncertaintySampling()}),
        ...                 IALEState("invariant"), LogisticRegression(),
        ...                 n_episodes=2, budget=14, batch_size=2,
        ...                 n_candidates=10, validation_size=30, random_state=0)
        >>> dagger.fit_tasks([(Xi, yi), (scale(Xw), yw)]).history_["task"]
        [0, 1]
        """
        if isinstance(tasks, tuple) or not hasattr(tasks, "__len__") or \
                len(tasks) == 0:
            raise TypeError("tasks must be a non-empty list of (X, y) or "
                            "(X, y, estimator) tuples.")
        checked = []
        for i, task in enumerate(tasks):
            if not isinstance(task, tuple) or len(task) not in (2, 3):
                raise TypeError(
                    f"tasks[{i}] must be (X, y) or (X, y, estimator); got "
                    f"{type(task).__name__}."
                )
            X, y = check_X_y(task[0], task[1], ensure_min_samples=2)
            check_classification_targets(y)
            checked.append((X, y, task[2] if len(task) == 3 else None))
        return self._fit_tasks(checked)

    def _fit_tasks(self, tasks):
        params = [self._check_params(y) for _, y, _ in tasks]
        n_episodes = params[0][0]
        policy, expert, encoder, default_estimator = self._components()
        rng = check_random_state(self.random_state)
        imax = np.iinfo(np.int32).max
        history = {k: [] for k in ("beta", "expert_steps", "policy_steps",
                                   "agreement", "policy_loss", "aubc", "n_pairs",
                                   "winners", "task")}
        states, actions, episodes, steps = [], [], [], []
        n_steps_done = 0
        groups_ok = _accepts_groups(policy)
        fitted = None
        # params[t] = (n_episodes, batch, n_cand, init, budget, n_val)
        n_steps = sum(math.ceil((budget - init) / batch)
                      for _, batch, _, init, budget, _ in
                      (params[e % len(tasks)] for e in range(n_episodes)))
        bar = tqdm(total=n_steps, desc="DAgger", disable=not self.verbose)
        try:
            for e in range(n_episodes):
                t = e % len(tasks)
                X, y, estimator = tasks[t]
                estimator = default_estimator if estimator is None else estimator
                _, batch, n_cand, init, budget, n_val = params[t]
                beta = 1.0 if fitted is None else \
                    beta_schedule(self.beta, e, n_episodes)
                # Separate streams: the policy's picks (their tie-breaking) must
                # not shift the data, coins and seeds of the episode.
                seeds = rng.randint(imax, size=3)
                gen = np.random.default_rng(seeds[0])
                record = self._episode(
                    X, y, gen, np.random.default_rng(seeds[1]), fitted, policy,
                    expert, encoder, estimator, beta, batch, n_cand, init, budget,
                    n_val, bar, (t, states[0].shape[1]) if states else None,
                )
                states += record["states"]
                actions += record["actions"]
                episodes += [np.full(len(a), e) for a in record["actions"]]
                steps += [np.full(len(a), n_steps_done + t_)
                          for t_, a in enumerate(record["actions"])]
                n_steps_done += len(record["actions"])
                S = np.concatenate(states)
                A = np.concatenate(actions)
                # Keep the aggregate only once (the full state is 6 KB a row).
                states, actions = [S], [A]
                G = np.concatenate(steps)
                steps = [G]
                fitted = clone(policy)
                seed_random_states(fitted, np.random.RandomState(seeds[2]))
                if groups_ok:
                    fitted.fit(S, A, groups=G)
                else:
                    fitted.fit(S, A)
                history["beta"].append(beta)
                history["expert_steps"].append(record["expert_steps"])
                history["policy_steps"].append(record["policy_steps"])
                history["agreement"].append(
                    float(np.mean(record["agreement"])) if record["agreement"]
                    else float("nan"))
                history["policy_loss"].append(float(getattr(fitted, "loss_", np.nan)))
                history["aubc"].append(float(aubc(record["curve"], record["sizes"])))
                history["n_pairs"].append(int(A.shape[0]))
                history["winners"].append(record["winners"])
                history["task"].append(t)
        finally:
            bar.close()
        self.policy_ = fitted
        self.state_encoder_ = encoder
        self.states_ = S
        self.actions_ = A
        self.pair_episodes_ = np.concatenate(episodes)
        self.pair_steps_ = G
        self.history_ = history
        return self

    def _episode(self, X, y, gen, policy_gen, fitted, policy, expert, encoder,
                 estimator, beta, batch, n_cand, init, budget, n_val, bar, width):
        n = y.shape[0]
        order = gen.permutation(n)
        val = stratified_indices(y, n_val, gen, order)
        rest = np.setdiff1d(order, val)
        labeled = stratified_indices(y, init, gen, rest)
        pool = np.setdiff1d(rest, labeled)
        X_val, y_val = X[val], y[val]
        template = clone(estimator)
        seed_random_states(template, gen.integers(2**31 - 1))
        model = clone(template).fit(X[labeled], y[labeled])
        curve, sizes = [model.score(X_val, y_val)], [labeled.shape[0]]
        episode_coin = gen.random() < beta
        out = dict(states=[], actions=[], agreement=[], expert_steps=0,
                   policy_steps=0, winners={})
        while labeled.shape[0] < budget and pool.shape[0] > 0:
            k = min(batch, budget - labeled.shape[0], pool.shape[0])
            cand = gen.choice(pool, min(n_cand, pool.shape[0]), replace=False)
            S = np.asarray(encoder.transform(model, X[labeled], y[labeled], X[cand]),
                           dtype=np.float32)
            if width is not None and S.shape[1] != width[1]:
                raise ValueError(
                    f"Task {width[0]} gives {S.shape[1]}-wide states, earlier "
                    f"tasks {width[1]}-wide: the pairs of all tasks train one "
                    "policy. Use a state whose width depends on neither the "
                    "class count nor the embedding width, IALEState('invariant')."
                )
            target, info = expert.label(model, X[labeled], y[labeled], X[cand], y[cand],
                                        X_val, y_val, k, int(gen.integers(2**31 - 1)))
            target = np.asarray(target, dtype=np.float64)
            if target.shape != (cand.shape[0],):
                raise ValueError(
                    f"expert.label returned a target of shape {target.shape}; "
                    f"expected ({cand.shape[0]},), one entry per candidate."
                )
            expert_pick = top_k(target, k, gen)
            out["states"].append(S)
            winner = info.get("winner") if isinstance(info, dict) else None
            if winner is not None:
                out["winners"][winner] = out["winners"].get(winner, 0) + 1
            use_expert = episode_coin if self.coin == "episode" else gen.random() < beta
            if fitted is not None:
                policy_pick = top_k(policy_scores(fitted, S), k, policy_gen)
                out["agreement"].append(
                    np.intersect1d(policy_pick, expert_pick).shape[0] / k)
            if use_expert or fitted is None:
                pick = expert_pick
                out["expert_steps"] += 1
            else:
                pick = policy_pick
                out["policy_steps"] += 1
            if self.record == "expert":
                out["actions"].append((target > 0).astype(np.int64))
            else:
                executed = np.zeros(cand.shape[0], dtype=np.int64)
                executed[pick] = 1
                out["actions"].append(executed)
            chosen = cand[pick]
            labeled = np.concatenate([labeled, chosen])
            pool = np.setdiff1d(pool, chosen)
            model = clone(template).fit(X[labeled], y[labeled])
            curve.append(model.score(X_val, y_val))
            sizes.append(labeled.shape[0])
            bar.update()
        out["curve"], out["sizes"] = curve, sizes
        return out

    def predict_scores(self, states):
        """Scores of the learned policy for encoded states.

        Parameters
        ----------
        states : array-like of shape (n_candidates, n_state_features)

        Returns
        -------
        scores : ndarray of shape (n_candidates,)
        """
        check_is_fitted(self)
        return policy_scores(self.policy_, np.asarray(states, dtype=np.float32))
