"""A labeling session: an ActiveLearner driven by people, kept in SQLite."""

import json
import os
import pickle
import threading
import time

import numpy as np
from sklearn.base import clone
from sklearn.utils import _safe_indexing

from .._version import __version__
from ..learner import ActiveLearner, _check_initial_indices, _same_rows
from ..stopping import StoppingState, _first_reason
from ..utils import seed_random_states
from ._store import SCHEMA_VERSION, Claim, LabelStore, _py, pool_fingerprint

__all__ = [
    "InvalidLabelError",
    "LabelingError",
    "LabelingSession",
    "StaleClaimError",
    "UnknownItemError",
]


class LabelingError(ValueError):
    """A request the session refuses; nothing was changed."""


class UnknownItemError(LabelingError):
    """The row is not in the pool, or was never handed out for labeling."""


class InvalidLabelError(LabelingError):
    """The label is not one of the session's classes."""


class StaleClaimError(LabelingError):
    """The claim is unknown, belongs to another row, or was already answered."""


def _params_signature(learner):
    """The learner's parameters as comparable text (estimators by their repr)."""
    params = learner.get_params(deep=True)
    out = {}
    for key in sorted(params):
        if key in ("eval_set", "verbose", "oracle"):
            continue
        value = params[key]
        out[key] = (type(value).__name__ if hasattr(value, "get_params")
                    else repr(value))
    return out


def _check_classes(classes):
    if classes is None:
        raise ValueError(
            "classes is required for a new session: the labels annotators may "
            "give, e.g. classes=['spam', 'ham'] or classes=range(10)."
        )
    classes = [_py(c) for c in (classes.tolist() if hasattr(classes, "tolist")
                                 else list(classes))]
    if len(classes) < 2:
        raise ValueError(f"classes needs at least two labels, got {classes!r}.")
    for c in classes:
        if isinstance(c, bool) or not isinstance(c, (int, str)):
            raise TypeError(
                f"classes must be strings or integers, got {c!r} of type "
                f"{type(c).__name__}."
            )
    if len({type(c) for c in classes}) > 1:
        raise TypeError(
            f"classes mix integers and strings ({classes!r}); a classifier "
            "needs one type. Use strings for all, e.g. ['0', 'other', '2']."
        )
    if len(set(map(str, classes))) != len(classes):
        raise ValueError(f"classes has repeated labels: {classes!r}.")
    return classes


class LabelingSession:
    """Active learning with people as the oracle, persisted in SQLite.

    The session holds the pool, asks the learner's strategy which rows to
    label, hands them to annotators and stores every label in an SQLite file
    (WAL mode) before acknowledging it. Opening the same ``path`` again, after
    a normal exit or a ``kill -9``, resumes exactly: every acknowledged label
    is there and, for the same learner and seed, the next items are the ones
    the uninterrupted session would have served. The store refuses a pool
    whose content differs from the one it was created on.

    Rounds follow :class:`~skactive.ActiveLearner`: an initial set, then
    batches of ``learner.batch_size`` chosen by the strategy fitted on every
    label so far, until ``learner.budget`` labels are bought or one of
    ``learner.stopping`` says stop. A round is queried once no item of the
    previous one is left unclaimed. Until two classes are labeled no model can
    be fitted, so those rounds are drawn at random.

    Several annotators (threads, processes, or the browser page of
    ``skactive label``) may work at once: each item is claimed by one
    annotator for ``lease_seconds``; a claim left to expire frees the item for
    others, and a label that arrives after its claim expired is still kept.

    Parameters
    ----------
    path : str or path-like
        The SQLite file. Created if missing, resumed otherwise.
    X : array-like of shape (n_samples, n_features) or list of str
        The pool (a DataFrame, a sparse matrix, or raw documents when the
        learner's classifier reads them). It is not copied into the store;
        pass the same data to resume.
    learner : ActiveLearner or None, default=None
        Strategy, classifier, ``batch_size``, ``budget``, ``initial_size``
        (or ``initial`` row indices), ``stopping`` and ``random_state``. Its
        parameters are stored; on resume ``None`` uses the stored learner and
        a learner with other parameters is refused. ``None`` for a new session
        means ``ActiveLearner(random_state=0)``.
    classes : sequence of str or int or None, default=None
        The labels annotators may give. Required for a new session (unless
        the learner is fitted), checked on resume.
    eval_set : tuple (X_eval, y_eval) or None, default=None
        Labeled held-out data scored after every round: the learning curve of
        :meth:`curve` and of the annotator page.
    lease_seconds : float, default=600
        How long a claimed item stays reserved for its annotator.

    Attributes
    ----------
    X : array-like
        The pool.
    classes : list
        The session's classes.
    store : LabelStore
        The SQLite store.
    learner_params : dict
        The stored learner's parameters, as text.

    See Also
    --------
    skactive.ActiveLearner : The in-memory loop.
    skactive.stopping : Criteria that end a session before its budget.

    Examples
    --------
    >>> import tempfile, os
    >>> from sklearn.datasets import load_iris
    >>> from skactive import ActiveLearner
    >>> from skactive.labeling import LabelingSession
    >>> X, y = load_iris(return_X_y=True)
    >>> path = os.path.join(tempfile.mkdtemp(), "iris.sqlite")
    >>> learner = ActiveLearner(batch_size=5, budget=10, initial_size=6,
    ...                         random_state=0)
    >>> with LabelingSession(path, X, learner, classes=[0, 1, 2]) as session:
    ...     while claims := session.next_items("ann", n=3):
    ...         for claim in claims:
    ...             _ = session.label(claim.row, int(y[claim.row]),
    ...                               annotator="ann", claim_id=claim.claim_id)
    ...     session.progress()["n_labeled"]
    16
    >>> with LabelingSession(path, X) as session:  # resumed from the file
    ...     session.progress()["done"], len(session.history())
    (True, 16)
    """

    def __init__(self, path, X, learner=None, *, classes=None, eval_set=None,
                 lease_seconds=600):
        self._open(path, X, learner, classes, eval_set, lease_seconds)

    def _open(self, path, X, learner, classes, eval_set, lease_seconds,
              handover=None):
        if isinstance(lease_seconds, bool) or not isinstance(
                lease_seconds, (int, float)) or not lease_seconds > 0:
            raise ValueError(
                f"lease_seconds must be a positive number of seconds, got "
                f"{lease_seconds!r}."
            )
        self.X = X
        self.eval_set = eval_set
        self.lease_seconds = float(lease_seconds)
        self._round_lock = threading.Lock()
        self._cache = (None, None)
        digest, n_rows = pool_fingerprint(X)
        self.store = LabelStore(path)
        try:
            exists = self.store.get_meta("pool_sha256") is not None
            if exists and handover is not None:
                raise ValueError(
                    f"{self.store.path} already holds a session; from_learner "
                    "starts a new one: give a new path."
                )
            if not exists:
                plan = self._plan(learner, classes, n_rows, handover)
                # Everything was checked before this one transaction: a
                # failure leaves no session behind, a success a whole one.
                if not self._create(plan, digest, n_rows):
                    if handover is not None:
                        raise ValueError(
                            f"{self.store.path} was created by another process "
                            "meanwhile; from_learner starts a new session.")
                    exists = True  # another process created it first
            if exists:
                self._resume(learner, classes, digest, n_rows)
            self._prepare()
        except BaseException:
            self.store.close()
            raise

    # -- creation and resume ------------------------------------------------
    def _plan(self, learner, classes, n_rows, handover):
        """Everything a new session writes, checked; nothing is written."""
        if learner is None:
            learner = ActiveLearner(random_state=0)
        if not isinstance(learner, ActiveLearner):
            raise TypeError(
                "learner must be an skactive.ActiveLearner holding the strategy, "
                f"batch_size and budget, got {type(learner).__name__}."
            )
        if classes is None and hasattr(learner, "classes_"):
            classes = _natural_sort(_as_class(c, "the learner's classes_")
                                    for c in learner.classes_)
        classes = _check_classes(classes)
        template = clone(learner)
        template._validate_params()
        seed = template.random_state
        if seed is None:
            seed = int(np.random.SeedSequence().generate_state(1)[0])
        elif not isinstance(seed, (int, np.integer)) or isinstance(seed, bool):
            raise ValueError(
                "A session replays its queries from an integer seed; give the "
                "learner random_state=<int> or None, not a RandomState."
            )
        seed = int(seed)
        template.set_params(random_state=seed, eval_set=None, oracle=None)
        # The pool must be readable by the strategy before anything is stored.
        probe = clone(template)
        probe._validate_X(self.X, probe._strategy_param())
        criteria = template._stopping_criteria()
        if handover is None:
            for c in criteria:
                seed_random_states(c, np.random.RandomState([seed, 1]))
            if isinstance(template.initial, str):
                size = min(int(template.initial_size), n_rows - 1)
                rows = np.random.RandomState([seed, 0]).permutation(n_rows)[:size]
            else:
                rows = _check_initial_indices(template.initial, n_rows)
            records, n_initial, note = [], len(rows), "initial set"
        else:
            rows, labels, n_initial, kept = handover
            records = list(zip(rows.tolist(), labels))
            for row, label in records:
                if label not in classes:
                    raise ValueError(
                        f"the learner's label {label!r} (row {row}) is not in "
                        f"classes={classes!r}; add it to classes."
                    )
            if kept is not None:
                criteria = kept
            note = "imported from an ActiveLearner"
        spent = len(rows) - n_initial
        left = n_rows - len(rows)
        if int(template.budget) - spent > left:
            raise ValueError(
                f"The learner's budget={template.budget} is larger than the "
                f"pool: {left} rows are left after the {len(rows)} of the "
                f"initial set; use budget <= {left + spent}."
            )
        return {
            "template": template, "classes": classes, "seed": seed,
            "rows": [int(r) for r in rows], "records": records,
            "n_initial": int(n_initial), "note": note,
            "criteria": pickle.dumps(criteria) if criteria else None,
        }

    def _create(self, plan, digest, n_rows):
        """Write a planned session; False if the file already holds one."""
        store = self.store
        template = plan["template"]
        with store.transaction() as c:
            if c.execute("SELECT 1 FROM meta WHERE key = 'pool_sha256'").fetchone():
                return False
            for key, value in {
                "schema_version": str(SCHEMA_VERSION),
                "skactive_version": __version__,
                "pool_sha256": digest,
                "n_rows": str(n_rows),
                "classes": json.dumps(plan["classes"]),
                "learner_params": json.dumps(_params_signature(template)),
                "learner_pickle": pickle.dumps(template),
                "seed": str(plan["seed"]),
                "n_initial": str(plan["n_initial"]),
                "created": str(time.time()),
            }.items():
                store.insert_meta(c, key, value)
            store.add_round(c, 0, plan["rows"], n_labeled=len(plan["records"]),
                            note=plan["note"], criteria=plan["criteria"])
            for row, label in plan["records"]:
                store.add_label(c, row, label, "import", "import")
        return True

    def _resume(self, learner, classes, digest, n_rows):
        store = self.store
        version = int(store.get_meta("schema_version"))
        if version != SCHEMA_VERSION:
            raise ValueError(
                f"{store.path} was written by a skactive with store schema "
                f"{version}; this version reads schema {SCHEMA_VERSION}."
            )
        if store.get_meta("pool_sha256") != digest or int(
                store.get_meta("n_rows")) != n_rows:
            raise ValueError(
                f"{store.path} belongs to another pool ({store.get_meta('n_rows')} "
                f"rows, SHA-256 {store.get_meta('pool_sha256')[:12]}…), not to "
                f"this X ({n_rows} rows, SHA-256 {digest[:12]}…). Pass the data "
                "the session was created on, or a new path for a new session."
            )
        stored = json.loads(store.get_meta("classes"))
        if classes is not None and _check_classes(classes) != stored:
            raise ValueError(
                f"classes={list(classes)!r} differ from the session's "
                f"{stored!r}; leave classes out to resume."
            )
        template = pickle.loads(store.get_meta("learner_pickle"))
        if learner is not None:
            if not isinstance(learner, ActiveLearner):
                raise TypeError(
                    "learner must be an skactive.ActiveLearner, got "
                    f"{type(learner).__name__}."
                )
            mine = _params_signature(template)
            given = clone(learner).set_params(random_state=template.random_state)
            theirs = _params_signature(given)
            diff = sorted(k for k in set(mine) | set(theirs)
                          if mine.get(k) != theirs.get(k))
            if diff:
                raise ValueError(
                    f"The learner differs from the one {store.path} was created "
                    f"with in {', '.join(diff)}; pass learner=None to resume "
                    "with the stored one, or use a new path."
                )

    def _prepare(self):
        store = self.store
        self.classes = json.loads(store.get_meta("classes"))
        self._seed = int(store.get_meta("seed"))
        learner = pickle.loads(store.get_meta("learner_pickle"))
        self.learner_params = json.loads(store.get_meta("learner_params"))
        if self.eval_set is not None:
            learner.set_params(eval_set=self.eval_set)
        self._template = learner
        # Validated once: the strategy reads the pool as the loop would.
        probe = clone(learner)
        probe._validate_params()
        self._X_in = probe._strategy_input(
            probe._validate_X(self.X, probe._strategy_param()))

    # -- context manager ----------------------------------------------------
    def close(self):
        """Close the store (every label is already on disk)."""
        self.store.close()

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()

    # -- bookkeeping --------------------------------------------------------
    def _n_initial(self):
        return int(self.store.get_meta("n_initial"))

    def _target(self):
        return self._n_initial() + int(self._template.budget)

    def _check_label(self, label):
        label = _py(label)
        if not isinstance(label, bool):
            for c in self.classes:
                if label == c and type(label) is type(c):
                    return c
            if isinstance(label, (int, float)):  # 3.0 for the class 3
                for c in self.classes:
                    if isinstance(c, int) and label == c:
                        return c
        matches = [c for c in self.classes if str(c) == str(label)]
        if len(matches) == 1:
            return matches[0]
        raise InvalidLabelError(
            f"label {label!r} is not one of the session's classes "
            f"{self.classes!r}."
        )

    def _check_row(self, row):
        if isinstance(row, bool) or not isinstance(row, (int, np.integer)):
            raise UnknownItemError(
                f"row must be an integer row of the pool, got {row!r}.")
        n = int(self.store.get_meta("n_rows"))
        if not 0 <= row < n:
            raise UnknownItemError(f"row {row} is not in the pool of {n} rows.")
        return int(row)

    def labels(self):
        """The current labels, in the order their items were queued.

        Returns
        -------
        rows : ndarray of int
            Rows of the pool.
        labels : ndarray
            Their current labels (corrections applied, undos removed).
        """
        queued, _ = self.store.queued()
        return _in_queue_order(queued, self.store.current_labels())

    def history(self, row=None):
        """Every label record (labels, corrections, undos), oldest first.

        Parameters
        ----------
        row : int or None, default=None
            Only this row's records.

        Returns
        -------
        records : list of LabelRecord
        """
        return self.store.history(row)

    # -- the loop -----------------------------------------------------------
    def _fit(self, rows, labels):
        learner = clone(self._template)
        learner.teach(_safe_indexing(self.X, rows), labels, indices=rows)
        return learner

    def _advance(self):
        """Query the next round if it is due. Returns True if one was added."""
        with self._round_lock:
            store = self.store
            rounds = store.rounds()
            if rounds and rounds[-1][4] is not None:
                return False  # stopped
            r = len(rounds)
            # Read before the labels: a label saved during the fit makes the
            # cached model stale rather than passing for included.
            version = store.version()
            queued, _ = store.queued()
            current = store.current_labels()
            unlabeled = [q for q in queued.tolist() if q not in current]
            remaining = self._target() - queued.shape[0]
            if remaining > 0:
                active = store.active_claims()
                if any(q not in active for q in unlabeled):
                    return False  # items are waiting for annotators
            elif unlabeled:
                return False  # the last items are still out
            rows, labels = _in_queue_order(queued, current)
            note, score, stop, criteria_blob, picked = None, None, None, None, []
            rng = np.random.RandomState([self._seed, r])
            pool = np.setdiff1d(np.arange(int(store.get_meta("n_rows"))), queued)
            if len(set(labels.tolist())) < 2:
                note = "cold start: random until two classes are labeled"
                if remaining <= 0:
                    stop = f"the budget of {self._template.budget} labels is spent"
                else:
                    k = min(self._template.batch_size, remaining, pool.shape[0])
                    picked = rng.permutation(pool)[:k]
            else:
                learner = self._fit(rows, labels)
                self._cache = (version, learner)
                score = learner.history_[-1]["score"]
                criteria = self._criteria()
                if remaining <= 0 or pool.shape[0] == 0:
                    stop = f"the budget of {self._template.budget} labels is spent"
                elif criteria:
                    stop = _first_reason(criteria, StoppingState(
                        round=r, estimator=learner.estimator_, X=self._X_in,
                        labeled=rows, unlabeled=pool, y_labeled=labels,
                        n_queried=store.n_queried(self._n_initial()),
                        budget=self._template.budget))
                    criteria_blob = pickle.dumps(criteria)
                if stop is None:
                    k = min(self._template.batch_size, remaining)
                    picked = learner.strategy_._query_candidates(
                        self._X_in, pool, batch_size=k)
            with store.transaction() as c:
                # False when another process queried this round first: its
                # round stands, and the state changed all the same.
                store.add_round(
                    c, r, np.asarray(picked, dtype=np.intp).tolist(),
                    n_labeled=int(rows.shape[0]), score=score, note=note,
                    stop_reason=stop, criteria=criteria_blob)
            return True

    def _criteria(self):
        """The criteria as the last round left them (round 0 stores fresh ones)."""
        blob = self.store.last_criteria()
        return [] if blob is None else pickle.loads(blob)

    # -- annotators ---------------------------------------------------------
    def next_items(self, annotator, n=1):
        """Claim the next items for an annotator.

        An annotator's own unanswered claims come back first (a reloaded
        page shows the same item), then free items in query order. When the
        current round is fully handed out, the next round is queried.

        Parameters
        ----------
        annotator : str
            Who asks.
        n : int, default=1
            Items wanted.

        Returns
        -------
        claims : list of Claim
            At most ``n``; empty when nothing is left to label now (the
            budget is spent, a stopping criterion fired, or the last items
            are out with other annotators).
        """
        annotator = self._check_annotator(annotator)
        if isinstance(n, bool) or not isinstance(n, (int, np.integer)) or n < 1:
            raise ValueError(f"n must be a positive integer, got {n!r}.")
        claims = []
        for _ in range(3):
            claims = self._claim(annotator, int(n))
            if len(claims) == n or not self._advance():
                return claims
        return claims

    def _claim(self, annotator, n):
        store = self.store
        with store.transaction() as c:
            now = time.time()
            own, free = store.open_items(c, annotator, now, n)
            claims = []
            # A reloaded page gets its items back, with a fresh lease.
            for claim_id, row, round_ in own[:n]:
                c.execute("UPDATE claims SET expires = ? WHERE id = ?",
                          (now + self.lease_seconds, claim_id))
                claims.append(Claim(row=row, claim_id=claim_id,
                                    annotator=annotator,
                                    expires_at=now + self.lease_seconds,
                                    round=round_))
            for row, round_ in free[:n - len(claims)]:
                claims.append(store.claim(c, row, annotator, self.lease_seconds,
                                          round_))
            return claims

    @staticmethod
    def _check_annotator(annotator):
        if not isinstance(annotator, str) or not annotator.strip():
            raise LabelingError(
                f"annotator must be a non-empty name, got {annotator!r}.")
        if len(annotator) > 200:
            raise LabelingError("annotator names are at most 200 characters.")
        return annotator.strip()

    def label(self, row, label, *, annotator, claim_id=None):
        """Store a label; it is on disk when this returns.

        Parameters
        ----------
        row : int
            Row of the pool, as given by :meth:`next_items`.
        label : str or int
            One of ``classes`` (its string form is accepted too).
        annotator : str
            Who labels.
        claim_id : str or None, default=None
            The claim being answered. A claim that has expired still has its
            label kept (``late=True``); an unknown claim, one for another row
            or one already answered raises :class:`StaleClaimError`.

        Returns
        -------
        record : LabelRecord
        """
        annotator = self._check_annotator(annotator)
        row = self._check_row(row)
        label = self._check_label(label)
        store = self.store
        with store.transaction() as c:
            if c.execute("SELECT 1 FROM queue WHERE row = ?", (row,)).fetchone() is None:
                raise UnknownItemError(
                    f"row {row} was not handed out for labeling; label the "
                    "items next_items gives."
                )
            late = False
            if claim_id is not None:
                found = store.get_claim(c, str(claim_id))
                if found is None:
                    raise StaleClaimError(f"claim {claim_id!r} is unknown.")
                if found[1] != row:
                    raise StaleClaimError(
                        f"claim {claim_id!r} is for row {found[1]}, not {row}.")
                if found[2] != annotator:
                    raise StaleClaimError(
                        f"claim {claim_id!r} was handed to {found[2]!r}, not to "
                        f"{annotator!r}; ask next_items for your own items.")
                if found[4]:
                    raise StaleClaimError(
                        f"claim {claim_id!r} was already answered. To change "
                        "the label use correct(row, label); if it was undone, "
                        "ask next_items for a new claim."
                    )
                late = time.time() > found[3]
            else:
                if store.is_labeled(c, row):
                    raise StaleClaimError(
                        f"row {row} is already labeled; use correct(row, label) "
                        "to change its label."
                    )
                holder = store.active_claims(c).get(row)
                if holder is not None and holder[1] != annotator:
                    raise StaleClaimError(
                        f"row {row} is claimed by {holder[1]!r} until "
                        f"{time.strftime('%H:%M:%S', time.localtime(holder[2]))}; "
                        "label the items next_items gives you."
                    )
            return store.add_label(c, row, label, annotator, "label",
                                   claim=None if claim_id is None else str(claim_id),
                                   late=late)

    def correct(self, row, label, *, annotator):
        """Replace a row's label; the previous one stays in the history.

        Parameters
        ----------
        row : int
        label : str or int
        annotator : str

        Returns
        -------
        record : LabelRecord
        """
        annotator = self._check_annotator(annotator)
        row = self._check_row(row)
        label = self._check_label(label)
        with self.store.transaction() as c:
            if not self.store.is_labeled(c, row):
                raise UnknownItemError(
                    f"row {row} has no label to correct; use label().")
            return self.store.add_label(c, row, label, annotator, "correction")

    def undo(self, annotator):
        """Take back the annotator's last label; the item is served to them again.

        Parameters
        ----------
        annotator : str

        Returns
        -------
        record : LabelRecord or None
            The label taken back, or None if the annotator has none.
        """
        annotator = self._check_annotator(annotator)
        store = self.store
        with store.transaction() as c:
            last = store.last_label_of(c, annotator)
            if last is None:
                return None
            store.add_label(c, last.row, None, annotator, "undo", retracts=last.id)
            # The item comes back to this annotator, unless someone holds it.
            if not store.is_labeled(c, last.row) and last.row not in \
                    store.active_claims(c):
                store.claim(c, last.row, annotator, self.lease_seconds, -1)
            return last

    # -- reports --------------------------------------------------------------
    def progress(self):
        """Where the session stands.

        Returns
        -------
        progress : dict
            ``n_labeled``, ``n_queried`` (labels bought beyond the initial
            set), ``budget``, ``target`` (labels wanted in all), ``round``,
            ``n_claimed`` (items out with annotators), ``n_late`` (current
            labels that arrived after their claim expired), ``n_conflicts``
            (rows labeled by more than one annotator, see
            :meth:`conflicts`), ``done`` and ``stop_reason``.
        """
        store = self.store
        n_labeled, n_open, n_claimed, n_late = store.counts()
        last = store.read(
            "SELECT round, stop_reason FROM rounds ORDER BY round DESC LIMIT 1")
        stop = last[0][1] if last else None
        return {
            "n_labeled": n_labeled,
            "n_queried": store.n_queried(self._n_initial()),
            "budget": int(self._template.budget),
            "target": self._target(),
            "round": last[0][0] if last else 0,
            "n_claimed": n_claimed,
            "n_late": n_late,
            "n_conflicts": len(store.conflict_rows()),
            "done": stop is not None and n_open == 0,
            "stop_reason": stop,
        }

    def conflicts(self):
        """Rows that more than one label (not a correction) answered.

        Happens when an annotator's claim expired, another annotator got the
        item and both answered: both labels are kept, the newer one counts.
        Review them and :meth:`correct` where needed.

        Returns
        -------
        conflicts : dict
            ``{row: [LabelRecord, ...]}``, oldest first.
        """
        return {row: [r for r in self.store.history(row) if r.kind == "label"]
                for row in self.store.conflict_rows()}

    def curve(self):
        """The learning curve: one point per round with a fitted model.

        Returns
        -------
        points : list of dict
            ``round``, ``n_labeled`` and ``score`` (on ``eval_set``; None
            without one).
        """
        return [{"round": r, "n_labeled": n, "score": s}
                for r, n, s, note, _ in self.store.rounds() if r > 0
                and note is None]

    def learner(self):
        """An :class:`~skactive.ActiveLearner` fitted on the current labels.

        Returns
        -------
        learner : ActiveLearner
            Use its ``predict``; ``labeled_indices_`` are rows of the pool.
        """
        version = self.store.version()
        if self._cache[0] == version:
            return self._cache[1]
        rows, labels = self.labels()
        if len(set(labels.tolist())) < 2:
            raise ValueError(
                "The session has fewer than two labeled classes; a classifier "
                "needs at least two."
            )
        learner = self._fit(rows, labels)
        self._cache = (version, learner)
        return learner

    def to_frame(self, *, history=False):
        """The labeled set (or the whole history) as a pandas DataFrame.

        Parameters
        ----------
        history : bool, default=False
            False: one row per labeled item, in queue order, with columns
            ``row``, ``label``, ``annotator`` and ``time`` (UTC). True: every
            record, with ``id``, ``kind``, ``late``, ``retracts`` and
            ``current`` (whether it gives the row's current label) too.

        Returns
        -------
        frame : pandas.DataFrame
        """
        import pandas as pd

        records, current = self._records(history)
        columns = {
            "row": [r.row for r in records],
            "label": pd.Series([r.label for r in records], dtype=object),
            "annotator": [r.annotator for r in records],
            "time": pd.to_datetime([r.time for r in records], unit="s", utc=True),
        }
        if history:
            columns = {
                "id": [r.id for r in records], **columns,
                "kind": [r.kind for r in records],
                "late": [r.late for r in records],
                "retracts": pd.array([r.retracts for r in records], dtype="Int64"),
                "current": [r.id in current for r in records],
            }
        return pd.DataFrame(columns)

    def _records(self, history):
        """The records to export and the ids of the current labels."""
        current = self.store.current_labels()
        ids = {r.id for r in current.values()}
        if history:
            return self.history(), ids
        order, _ = self.labels()
        return [current[r] for r in order.tolist()], ids

    def export_csv(self, path, *, history=False):
        """Write the labeled set (or the whole history) to a CSV file.

        Parameters
        ----------
        path : str or path-like
        history : bool, default=False
            False: one line per labeled row, ``row,label,annotator,time``.
            True: every record, ``id,row,label,annotator,time,kind,late,
            retracts``.

        Returns
        -------
        n_lines : int
            Data lines written.
        """
        import csv

        records, _ = self._records(history)
        with open(path, "w", newline="", encoding="utf-8") as fh:
            writer = csv.writer(fh)
            if history:
                writer.writerow(["id", "row", "label", "annotator", "time", "kind",
                                 "late", "retracts"])
                for r in records:
                    writer.writerow([r.id, r.row, "" if r.label is None else r.label,
                                     r.annotator, f"{r.time:.6f}", r.kind,
                                     int(r.late), "" if r.retracts is None
                                     else r.retracts])
            else:
                writer.writerow(["row", "label", "annotator", "time"])
                for r in records:
                    writer.writerow([r.row, r.label, r.annotator, f"{r.time:.6f}"])
        return len(records)

    # -- hand-over from the in-memory loop -------------------------------------
    @classmethod
    def from_learner(cls, path, learner, X, *, classes=None, eval_set=None,
                     lease_seconds=600):
        """Start a session from the labels an ActiveLearner holds.

        Use it after ``fit`` stopped (an oracle that raised, a
        KeyboardInterrupt) or after labeling with ``teach``: the learner's
        labels are imported (annotator ``"import"``), the labels it had bought
        count against its ``budget``, its stopping criteria go on from where
        they were, and the session buys the rest. Everything is checked
        before the store is written, in one transaction: a failed hand-over
        leaves no session behind, and the same call can be retried.

        Parameters
        ----------
        path : str or path-like
            A new SQLite file.
        learner : ActiveLearner
            Holding ``labeled_indices_`` (rows of ``X``) and ``y_labeled_``.
        X : array-like
            The data the learner was fitted on; its rows at
            ``labeled_indices_`` must equal ``X_labeled_``.
        classes : sequence or None, default=None
            The session's classes. Defaults to the learner's classes and the
            labels it holds, in sorted order; pass them when annotators may
            give classes the learner has not seen yet.
        eval_set, lease_seconds
            As for :class:`LabelingSession`.

        Returns
        -------
        session : LabelingSession
        """
        if not hasattr(learner, "labeled_indices_"):
            raise ValueError(
                "learner holds no labels yet; fit or teach it first, or create "
                "a LabelingSession directly."
            )
        rows = np.asarray(learner.labeled_indices_, dtype=np.intp)
        n = pool_fingerprint(X)[1]
        if rows.shape[0] and rows.max() >= n:
            raise ValueError(
                "learner.labeled_indices_ has rows beyond X; teach with "
                "indices= (rows of X) so the labels can be matched to the pool."
            )
        if rows.shape[0] and not _same_rows(_safe_indexing(X, rows),
                                            learner.X_labeled_):
            raise ValueError(
                "X is not the data the learner's labels were taught on: its "
                "rows at labeled_indices_ differ from X_labeled_. Pass the X "
                "given to fit."
            )
        labels = [_as_class(v, "the learner's labels")
                  for v in np.asarray(learner.y_labeled_).tolist()]
        if classes is None:
            known = [_as_class(c, "the learner's classes_")
                     for c in getattr(learner, "classes_", [])]
            classes = _natural_sort(set(labels) | set(known))
        n_initial = getattr(learner, "_n_initial", rows.shape[0])
        criteria = getattr(learner, "stopping_", None) or None
        session = cls.__new__(cls)
        session._open(path, X, learner, classes, eval_set, lease_seconds,
                      handover=(rows, labels, n_initial, criteria))
        return session


def _in_queue_order(queued, current):
    """Rows of ``queued`` that have a label in ``current``, and the labels."""
    rows = np.asarray([r for r in queued.tolist() if r in current], dtype=np.intp)
    return rows, np.asarray([current[r].label for r in rows.tolist()])


def _as_class(value, what):
    """A label as the session stores it: int or str (3.0 becomes 3)."""
    value = _py(value)
    if isinstance(value, float) and value.is_integer():
        return int(value)
    if isinstance(value, bool) or not isinstance(value, (int, str)):
        raise TypeError(
            f"{what} include {value!r} of type {type(value).__name__}; a "
            "session's classes are strings or integers. Cast the labels (e.g. "
            "y.astype(int) or y.astype(str)) before fitting."
        )
    return value


def _natural_sort(values):
    values = list(values)
    if all(isinstance(v, int) for v in values):
        return sorted(values)
    return sorted(values, key=str)
