"""LabelingSession: a persistent store that never loses a label."""

import os
import signal
import subprocess
import sys
import textwrap
import threading
import time

import numpy as np
import pytest
from sklearn.datasets import load_digits, load_iris
from sklearn.ensemble import RandomForestClassifier
from sklearn.linear_model import LogisticRegression

from skactive import ActiveLearner, RandomSampling, UncertaintySampling
from skactive.labeling import (
    InvalidLabelError,
    LabelingError,
    LabelingSession,
    StaleClaimError,
    UnknownItemError,
    pool_fingerprint,
)
from skactive.stopping import LabelBudget, StabilizingPredictions


@pytest.fixture(scope="module")
def digits():
    X, y = load_digits(return_X_y=True)
    return X[:400] / 16.0, y[:400], X[1000:1300] / 16.0, y[1000:1300]


def _learner(budget=30, batch_size=5, **kw):
    return ActiveLearner(
        UncertaintySampling(RandomForestClassifier(n_estimators=20)),
        batch_size=batch_size, budget=budget, initial_size=10,
        random_state=kw.pop("random_state", 7), **kw)


def _label_all(session, y, annotator="ann", limit=None):
    """Answer every item the session hands out; return the rows in order."""
    seen = []
    while limit is None or len(seen) < limit:
        claims = session.next_items(annotator)
        if not claims:
            break
        c = claims[0]
        session.label(c.row, int(y[c.row]), annotator=annotator,
                      claim_id=c.claim_id)
        seen.append(c.row)
    return seen


def test_session_reaches_target_and_labels_are_the_answers(tmp_path, digits):
    X, y, Xe, ye = digits
    with LabelingSession(tmp_path / "s.db", X, _learner(), classes=range(10),
                         eval_set=(Xe, ye)) as s:
        seen = _label_all(s, y)
        assert len(seen) == len(set(seen)) == 40
        p = s.progress()
        assert p["done"] and p["n_labeled"] == p["target"] == 40
        assert p["stop_reason"] == "the budget of 30 labels is spent"
        rows, labels = s.labels()
        assert sorted(rows.tolist()) == sorted(seen)
        np.testing.assert_array_equal(labels, y[rows])
        curve = s.curve()
        assert [pt["n_labeled"] for pt in curve][-1] == 40
        assert all(pt["score"] is not None for pt in curve)
        learner = s.learner()
        np.testing.assert_array_equal(learner.labeled_indices_, rows)
        assert learner.score(Xe, ye) > 0.5


def test_resume_gives_the_same_next_items(tmp_path, digits):
    X, y, _, _ = digits
    with LabelingSession(tmp_path / "a.db", X, _learner(), classes=range(10)) as s:
        reference = _label_all(s, y)
    s = LabelingSession(tmp_path / "b.db", X, _learner(), classes=range(10))
    first = _label_all(s, y, limit=17)  # mid-round: 10 initial + 7 of a batch of 5
    s.close()
    with LabelingSession(tmp_path / "b.db", X) as s:  # learner from the store
        rows, _ = s.labels()
        assert sorted(rows.tolist()) == sorted(first)
        rest = _label_all(s, y)
    assert first + rest == reference


def test_resume_refuses_other_data_classes_or_learner(tmp_path, digits):
    X, y, _, _ = digits
    path = tmp_path / "s.db"
    LabelingSession(path, X, _learner(), classes=range(10)).close()
    with pytest.raises(ValueError, match="belongs to another pool"):
        LabelingSession(path, X[:-1])
    X2 = X.copy()
    X2[3, 4] += 1e-9
    with pytest.raises(ValueError, match="belongs to another pool"):
        LabelingSession(path, X2)
    with pytest.raises(ValueError, match="classes"):
        LabelingSession(path, X, classes=range(9))
    with pytest.raises(ValueError, match="budget"):
        LabelingSession(path, X, _learner(budget=31))
    LabelingSession(path, X, _learner()).close()  # the same learner resumes


def test_pool_fingerprint_kinds():
    a = np.arange(12.0).reshape(4, 3)
    assert pool_fingerprint(a) == pool_fingerprint(a.copy())
    assert pool_fingerprint(a)[0] != pool_fingerprint(a.astype(np.float32))[0]
    docs = ["ab", "c"]
    assert pool_fingerprint(docs)[0] != pool_fingerprint(["a", "bc"])[0]
    assert pool_fingerprint(docs)[1] == 2
    sp = pytest.importorskip("scipy.sparse")
    assert pool_fingerprint(sp.csr_matrix(a))[1] == 4


def test_bad_requests_change_nothing(tmp_path, digits):
    X, y, _, _ = digits
    with LabelingSession(tmp_path / "s.db", X, _learner(), classes=range(10)) as s:
        c = s.next_items("a")[0]
        before = len(s.history())
        with pytest.raises(InvalidLabelError, match="not one of the session's"):
            s.label(c.row, 11, annotator="a", claim_id=c.claim_id)
        with pytest.raises(UnknownItemError, match="not in the pool"):
            s.label(10_000, 1, annotator="a")
        not_queued = next(r for r in range(len(X)) if r not in s.store.queued()[0])
        with pytest.raises(UnknownItemError, match="not handed out"):
            s.label(not_queued, 1, annotator="a")
        with pytest.raises(StaleClaimError, match="unknown"):
            s.label(c.row, 1, annotator="a", claim_id="nope")
        other = s.next_items("b")[0]
        with pytest.raises(StaleClaimError, match="is for row"):
            s.label(c.row, 1, annotator="a", claim_id=other.claim_id)
        with pytest.raises(LabelingError, match="annotator"):
            s.label(c.row, 1, annotator="  ")
        assert len(s.history()) == before
        s.label(c.row, "3", annotator="a", claim_id=c.claim_id)  # str form ok
        assert s.history()[-1].label == 3
        with pytest.raises(StaleClaimError, match="already answered"):
            s.label(c.row, 4, annotator="a", claim_id=c.claim_id)
        with pytest.raises(StaleClaimError, match="already labeled"):
            s.label(c.row, 4, annotator="a")
        assert len(s.history()) == before + 1


def test_claims_are_distinct_and_an_expired_claim_still_counts(tmp_path, digits):
    X, y, _, _ = digits
    with LabelingSession(tmp_path / "s.db", X, _learner(), classes=range(10),
                         lease_seconds=0.2) as s:
        a = s.next_items("a", n=3)
        b = s.next_items("b", n=3)
        assert not {c.row for c in a} & {c.row for c in b}
        # Asking again gives an annotator back their own items first.
        assert s.next_items("a", n=3)[0].row in {c.row for c in a}
        time.sleep(0.3)
        taken = s.next_items("c", n=10)
        assert {c.row for c in a} <= {c.row for c in taken}
        late = s.label(a[0].row, int(y[a[0].row]), annotator="a",
                       claim_id=a[0].claim_id)
        assert late.late
        # The same row labeled by the new holder too: both labels are kept.
        again = next(c for c in taken if c.row == a[0].row)
        s.label(again.row, int(y[again.row]), annotator="c",
                claim_id=again.claim_id)
        assert [r.annotator for r in s.history(a[0].row)] == ["a", "c"]
        assert s.progress()["n_late"] == 0  # the current label came in time


def test_undo_and_correction_keep_the_history(tmp_path, digits):
    X, y, _, _ = digits
    with LabelingSession(tmp_path / "s.db", X, _learner(), classes=range(10)) as s:
        c = s.next_items("a")[0]
        s.label(c.row, 1, annotator="a", claim_id=c.claim_id)
        undone = s.undo("a")
        assert undone.row == c.row and undone.label == 1
        assert c.row not in s.labels()[0]
        back = s.next_items("a")[0]
        assert back.row == c.row  # the undone item comes back to its annotator
        assert s.next_items("b")[0].row != c.row
        s.label(c.row, 2, annotator="a", claim_id=back.claim_id)
        s.correct(c.row, int(y[c.row]), annotator="reviewer")
        kinds = [r.kind for r in s.history(c.row)]
        assert kinds == ["label", "undo", "label", "correction"]
        rows, labels = s.labels()
        assert labels[list(rows).index(c.row)] == y[c.row]
        assert s.undo("nobody") is None
        with pytest.raises(UnknownItemError, match="no label to correct"):
            s.correct(int(s.next_items("z")[0].row), 1, annotator="z")


def test_export_csv_and_frame(tmp_path, digits):
    X, y, _, _ = digits
    with LabelingSession(tmp_path / "s.db", X, _learner(), classes=range(10)) as s:
        seen = _label_all(s, y, limit=12)
        s.undo("ann")
        n = s.export_csv(tmp_path / "labels.csv")
        assert n == 11
        lines = (tmp_path / "labels.csv").read_text().splitlines()
        assert lines[0] == "row,label,annotator,time"
        assert [int(line.split(",")[0]) for line in lines[1:]] == seen[:11]
        assert s.export_csv(tmp_path / "h.csv", history=True) == 13
        pd = pytest.importorskip("pandas")
        frame = s.to_frame()
        assert isinstance(frame, pd.DataFrame) and len(frame) == 11
        assert frame["row"].tolist() == seen[:11]
        np.testing.assert_array_equal(frame["label"].to_numpy(int), y[seen[:11]])
        full = s.to_frame(history=True)
        assert len(full) == 13 and full["current"].sum() == 11
        assert full["kind"].tolist()[-1] == "undo"


def test_stopping_criteria_end_the_session(tmp_path, digits):
    X, y, Xe, ye = digits
    learner = _learner(budget=200, stopping=LabelBudget(25))
    with LabelingSession(tmp_path / "s.db", X, learner, classes=range(10),
                         eval_set=(Xe, ye)) as s:
        seen = _label_all(s, y)
        p = s.progress()
        assert len(seen) == 35 and p["done"]
        assert "max_labels=25" in p["stop_reason"]
    learner = ActiveLearner(
        UncertaintySampling(LogisticRegression(max_iter=500)), batch_size=10,
        budget=300, initial_size=10, random_state=0,
        stopping=StabilizingPredictions(window=2, threshold=0.9, random_state=0))
    with LabelingSession(tmp_path / "sp.db", X, learner, classes=range(10)) as s:
        seen = _label_all(s, y)
        assert len(seen) < 310 and "kappa" in s.progress()["stop_reason"].lower()
    # The criteria's state survives a restart.
    with LabelingSession(tmp_path / "sp.db", X) as s:
        assert s.next_items("ann") == [] and s.progress()["done"]


def test_cold_start_is_random_until_two_classes(tmp_path):
    X = np.random.RandomState(0).normal(size=(60, 2))
    y = (X[:, 0] > 1.5).astype(int)  # a rare class
    learner = ActiveLearner(UncertaintySampling(LogisticRegression()),
                            batch_size=4, budget=20, initial_size=4, random_state=1)
    with LabelingSession(tmp_path / "s.db", X, learner, classes=[0, 1]) as s:
        seen = _label_all(s, y)
        assert len(seen) == 24
        notes = [r[3] for r in s.store.rounds()]
        assert notes[0] == "initial set"
        assert notes.count("cold start: random until two classes are labeled") >= 1


def test_text_pool_with_string_classes(tmp_path):
    pytest.importorskip("sklearn.feature_extraction")
    from sklearn.feature_extraction.text import TfidfVectorizer
    from sklearn.pipeline import make_pipeline

    rng = np.random.RandomState(0)
    words = {"spam": ["win", "cash", "prize", "free"],
             "ham": ["meeting", "lunch", "report", "notes"]}
    truth = rng.choice(["spam", "ham"], size=80)
    docs = [" ".join(rng.choice(words[t], size=4)) for t in truth]
    learner = ActiveLearner(
        UncertaintySampling(make_pipeline(TfidfVectorizer(), LogisticRegression())),
        batch_size=4, budget=12, initial_size=6, random_state=0)
    with LabelingSession(tmp_path / "t.db", docs, learner,
                         classes=["ham", "spam"]) as s:
        while claims := s.next_items("a"):
            s.label(claims[0].row, truth[claims[0].row], annotator="a",
                    claim_id=claims[0].claim_id)
        assert s.progress()["n_labeled"] == 18
        assert s.learner().predict(["free cash prize"])[0] == "spam"


def test_concurrent_annotators_threads(tmp_path, digits):
    X, y, _, _ = digits
    acked = []
    errors = []
    lock = threading.Lock()
    with LabelingSession(tmp_path / "s.db", X, _learner(budget=60),
                         classes=range(10)) as s:
        def work(name):
            try:
                while True:
                    claims = s.next_items(name)
                    if not claims:
                        if s.progress()["done"]:
                            return
                        time.sleep(0.01)
                        continue
                    c = claims[0]
                    s.label(c.row, int(y[c.row]), annotator=name,
                            claim_id=c.claim_id)
                    with lock:
                        acked.append(c.row)
            except Exception as exc:  # pragma: no cover - reported below
                errors.append(exc)

        threads = [threading.Thread(target=work, args=(f"t{i}",)) for i in range(4)]
        for t in threads:
            t.start()
        for t in threads:
            t.join(timeout=60)
        assert not errors
        assert len(acked) == len(set(acked)) == 70
        assert len(s.history()) == 70 == s.progress()["n_labeled"]


def test_another_process_resumes_the_store(tmp_path, digits):
    """Two session objects on one file (as two processes would be)."""
    X, y, _, _ = digits
    path = tmp_path / "s.db"
    a = LabelingSession(path, X, _learner(), classes=range(10))
    b = LabelingSession(path, X)
    ca = a.next_items("a", n=4)
    cb = b.next_items("b", n=4)
    assert not {c.row for c in ca} & {c.row for c in cb}
    for c in ca:
        a.label(c.row, int(y[c.row]), annotator="a", claim_id=c.claim_id)
    assert b.progress()["n_labeled"] == 4
    a.close()
    b.close()


# -- the in-memory loop keeps its labels -------------------------------------
class _FlakyOracle:
    def __init__(self, y, fail_after):
        self.y, self.fail_after, self.asked = y, fail_after, []

    def __call__(self, idx):
        if len(self.asked) >= self.fail_after:
            raise ConnectionError("annotation service went away")
        self.asked.extend(idx.tolist())
        return self.y[idx]


def test_fit_keeps_answered_labels_when_the_oracle_raises(digits):
    X, y, Xe, ye = digits
    y_missing = np.full_like(y, -1)
    y_missing[:10] = y[:10]
    oracle = _FlakyOracle(y, fail_after=20)
    al = ActiveLearner(UncertaintySampling(LogisticRegression(max_iter=300)),
                       batch_size=5, budget=40, oracle=oracle, random_state=0)
    with pytest.raises(ConnectionError):
        al.fit(X, y_missing)
    assert len(al.labeled_indices_) == 30 and len(al.X_labeled_) == 30
    np.testing.assert_array_equal(al.labeled_indices_[10:], oracle.asked)
    np.testing.assert_array_equal(al.y_labeled_, y[al.labeled_indices_])
    assert al.predict(Xe).shape == ye.shape  # the last model trained
    # Continue: no label is asked twice and the budget is met exactly.
    oracle.fail_after = 10**9
    al.set_params(warm_start=True).fit(X, y_missing)
    assert len(oracle.asked) == len(set(oracle.asked)) == 40
    assert len(al.labeled_indices_) == 50
    assert al.stop_reason_ == "the budget of 40 labels is spent"
    # The same labels a never-interrupted run would use.
    ref = ActiveLearner(UncertaintySampling(LogisticRegression(max_iter=300)),
                        batch_size=5, budget=40, oracle=_FlakyOracle(y, 10**9),
                        random_state=0).fit(X, y_missing)
    np.testing.assert_array_equal(np.sort(ref.labeled_indices_),
                                  np.sort(al.labeled_indices_))


def test_keyboard_interrupt_keeps_labels_and_hands_over_to_a_session(tmp_path, digits):
    X, y, _, _ = digits

    class Interrupting(_FlakyOracle):
        def __call__(self, idx):
            if len(self.asked) >= self.fail_after:
                raise KeyboardInterrupt
            return super().__call__(idx)

    y_missing = np.full_like(y, -1)
    y_missing[[0, 1, 2, 3, 5, 13]] = y[[0, 1, 2, 3, 5, 13]]
    oracle = Interrupting(y, fail_after=12)
    al = ActiveLearner(UncertaintySampling(LogisticRegression(max_iter=300)),
                       batch_size=4, budget=24, oracle=oracle, random_state=0)
    with pytest.raises(KeyboardInterrupt):
        al.fit(X, y_missing)
    assert len(al.labeled_indices_) == 18
    with LabelingSession.from_learner(tmp_path / "s.db", al, X,
                                      classes=range(10)) as s:
        rows, labels = s.labels()
        np.testing.assert_array_equal(rows, al.labeled_indices_)
        np.testing.assert_array_equal(labels, al.y_labeled_)
        assert {r.annotator for r in s.history()} == {"import"}
        seen = _label_all(s, y)
        assert len(seen) == 12  # the rest of the budget of 24
        assert not set(seen) & set(rows.tolist())
    with pytest.raises(ValueError, match="already holds a session"):
        LabelingSession.from_learner(tmp_path / "s.db", al, X, classes=range(10))


def test_warm_start_refuses_other_data(digits):
    X, y, _, _ = digits
    al = ActiveLearner(RandomSampling(LogisticRegression(max_iter=200)),
                       batch_size=5, budget=10, random_state=0).fit(X, y)
    with pytest.raises(ValueError, match="not the data"):
        al.set_params(warm_start=True, budget=20).fit(X[::-1], y[::-1])
    al.fit(X, y)
    assert len(al.labeled_indices_) == 30


# -- SIGKILL mid-round --------------------------------------------------------
_WORKER = textwrap.dedent("""
    import sys, time
    import numpy as np
    from sklearn.datasets import load_digits
    from sklearn.ensemble import RandomForestClassifier
    from skactive import ActiveLearner, UncertaintySampling
    from skactive.labeling import LabelingSession

    X, y = load_digits(return_X_y=True)
    X, y = X[:400] / 16.0, y[:400]
    learner = ActiveLearner(
        UncertaintySampling(RandomForestClassifier(n_estimators=20)),
        batch_size=5, budget=30, initial_size=10, random_state=7)
    s = LabelingSession(sys.argv[1], X, learner, classes=range(10))
    while True:
        c = s.next_items("ann")
        if not c:
            break
        s.label(c[0].row, int(y[c[0].row]), annotator="ann",
                claim_id=c[0].claim_id)
        print("ACK", c[0].row, flush=True)  # only after the commit
        time.sleep(0.05)
    print("DONE", flush=True)
    time.sleep(60)
""")


@pytest.mark.skipif(sys.platform == "win32", reason="SIGKILL is POSIX")
def test_sigkill_mid_round_loses_no_acknowledged_label(tmp_path, digits):
    X, y, _, _ = digits
    with LabelingSession(tmp_path / "ref.db", X, _learner(), classes=range(10)) as s:
        reference = _label_all(s, y)
    script = tmp_path / "worker.py"
    script.write_text(_WORKER)
    path = tmp_path / "killed.db"
    proc = subprocess.Popen([sys.executable, str(script), str(path)],
                            stdout=subprocess.PIPE, text=True)
    acked = []
    try:
        deadline = time.monotonic() + 120
        while len(acked) < 17 and time.monotonic() < deadline:
            line = proc.stdout.readline()
            assert line.startswith("ACK"), line
            acked.append(int(line.split()[1]))
    finally:
        os.kill(proc.pid, signal.SIGKILL)
        proc.wait(timeout=30)
        proc.stdout.close()
    assert proc.returncode == -signal.SIGKILL
    assert len(acked) == 17  # mid-round: 10 initial + 7 of 5-item batches
    with LabelingSession(tmp_path / "killed.db", X) as s:
        rows, labels = s.labels()
        stored = s.history()
        # Every acknowledged label is there (one more may have been
        # committed before its ACK was printed).
        assert set(acked) <= set(rows.tolist())
        np.testing.assert_array_equal(labels, y[rows])
        order = [r.row for r in stored]
        assert order == reference[:len(order)]
        rest = _label_all(s, y)
    assert order + rest == reference


# -- hand-over and creation are all or nothing --------------------------------
def _interrupted(X, y, fail_after=12, **kw):
    y_missing = np.full_like(y, -1)
    y_missing[[0, 1, 2, 3, 5, 13]] = y[[0, 1, 2, 3, 5, 13]]
    al = ActiveLearner(UncertaintySampling(LogisticRegression(max_iter=300)),
                       batch_size=4, budget=24, oracle=_FlakyOracle(y, fail_after),
                       random_state=0, **kw)
    with pytest.raises(ConnectionError):
        al.fit(X, y_missing)
    return al


def test_failed_hand_over_leaves_no_session_and_can_be_retried(tmp_path, digits):
    X, y, _, _ = digits
    al = _interrupted(X, y)
    path = tmp_path / "s.db"
    with pytest.raises(ValueError, match="not in classes"):
        LabelingSession.from_learner(path, al, X, classes=[0, 1])
    with LabelingSession.from_learner(path, al, X, classes=range(10)) as s:
        assert s.progress()["n_labeled"] == 18


def test_hand_over_refuses_other_data(tmp_path, digits):
    X, y, _, _ = digits
    al = _interrupted(X, y)
    with pytest.raises(ValueError, match="not the data"):
        LabelingSession.from_learner(tmp_path / "s.db", al, X[::-1],
                                     classes=range(10))


def test_hand_over_counts_the_labels_the_learner_bought(tmp_path, digits):
    X, y, _, _ = digits
    al = _interrupted(X, y, stopping=LabelBudget(20))
    assert al.stop_reason_.startswith("interrupted by ConnectionError")
    with LabelingSession.from_learner(tmp_path / "s.db", al, X,
                                      classes=range(10)) as s:
        assert s.progress()["n_queried"] == 12
        seen = _label_all(s, y)
        p = s.progress()
    # LabelBudget(20) stops after 20 bought labels in all, not 20 more.
    assert len(seen) == 8 and p["n_queried"] == 20
    assert "max_labels=20" in p["stop_reason"]


def test_hand_over_of_float_labels(tmp_path, digits):
    X, y, _, _ = digits
    y_missing = np.full(len(y), np.nan)
    y_missing[[0, 1, 2, 3, 5, 13]] = y[[0, 1, 2, 3, 5, 13]]
    al = ActiveLearner(UncertaintySampling(LogisticRegression(max_iter=300)),
                       batch_size=4, budget=8, missing_label=np.nan,
                       oracle=lambda idx: y[idx].astype(float), random_state=0)
    al.fit(X, y_missing)
    with LabelingSession.from_learner(tmp_path / "s.db", al, X) as s:
        assert s.classes == sorted(s.classes) and isinstance(s.classes[0], int)
        rows, labels = s.labels()
        np.testing.assert_array_equal(labels, y[rows])


def test_bad_settings_are_refused_before_anything_is_stored(tmp_path, digits):
    X, y, _, _ = digits
    path = tmp_path / "s.db"
    with pytest.raises(ValueError, match="budget"):
        LabelingSession(path, X, _learner(budget=len(X)), classes=range(10))
    from skactive.stopping import MaxUncertainty

    with pytest.raises(ValueError, match="threshold"):
        LabelingSession(path, X, _learner(stopping=MaxUncertainty(threshold=2)),
                        classes=range(10))
    with pytest.raises(TypeError, match="mix integers and strings"):
        LabelingSession(path, X, _learner(), classes=[0, "other"])
    # Nothing was stored: the corrected settings create the session.
    with LabelingSession(path, X, _learner(), classes=range(10)) as s:
        assert s.progress()["target"] == 40


def test_a_session_created_meanwhile_by_another_process_is_resumed(
        tmp_path, digits, monkeypatch):
    X, y, _, _ = digits
    path = tmp_path / "s.db"
    plan = LabelingSession._plan
    raced = []

    def racing_plan(self, *args):
        # Another process creates the session between our check and our write.
        if not raced:
            raced.append(True)
            LabelingSession(path, X, _learner(), classes=range(10)).close()
        return plan(self, *args)

    monkeypatch.setattr(LabelingSession, "_plan", racing_plan)
    with LabelingSession(path, X, _learner(random_state=8),
                         classes=range(10)) as s:
        assert raced and s._seed == 7  # the first writer's session stands


def test_items_held_by_others_are_not_labeled_by_accident(tmp_path, digits):
    X, y, _, _ = digits
    with LabelingSession(tmp_path / "s.db", X, _learner(), classes=range(10)) as s:
        a = s.next_items("a")[0]
        with pytest.raises(StaleClaimError, match="handed to 'a'"):
            s.label(a.row, 1, annotator="b", claim_id=a.claim_id)
        with pytest.raises(StaleClaimError, match="claimed by 'a'"):
            s.label(a.row, 1, annotator="b")
        assert s.history() == []
        # b undoing a label on a's item does not hand the item to b too.
        s.label(a.row, 1, annotator="a", claim_id=a.claim_id)
        s.undo("a")
        b = s.next_items("b")[0]
        assert b.row != a.row
        assert s.next_items("a")[0].row == a.row


def test_conflicting_late_labels_are_reported(tmp_path, digits):
    X, y, _, _ = digits
    with LabelingSession(tmp_path / "s.db", X, _learner(), classes=range(10),
                         lease_seconds=0.1) as s:
        a = s.next_items("a")[0]
        time.sleep(0.2)
        b = s.next_items("b")[0]
        assert b.row == a.row
        s.label(b.row, 2, annotator="b", claim_id=b.claim_id)
        s.label(a.row, 3, annotator="a", claim_id=a.claim_id)  # late, kept
        assert s.progress()["n_conflicts"] == 1
        [(row, records)] = s.conflicts().items()
        assert row == a.row and [r.label for r in records] == [2, 3]
        assert records[1].late
        s.correct(row, 2, annotator="reviewer")
        assert s.labels()[1][list(s.labels()[0]).index(row)] == 2


def test_same_seed_same_stop(digits):
    X, y, _, _ = digits
    stops = {
        len(ActiveLearner(UncertaintySampling(LogisticRegression(max_iter=300)),
                          batch_size=5, budget=200, random_state=0,
                          stopping=StabilizingPredictions(stop_set_size=100))
            .fit(X, y).labeled_indices_)
        for _ in range(3)}
    assert len(stops) == 1


def test_interrupted_loop_stops_where_an_uninterrupted_one_would(digits):
    X, y, _, _ = digits
    y_missing = np.full_like(y, -1)
    y_missing[:10] = y[:10]

    def learner(oracle):
        return ActiveLearner(
            UncertaintySampling(LogisticRegression(max_iter=300)), batch_size=5,
            budget=300, oracle=oracle, random_state=0,
            stopping=StabilizingPredictions(stop_set_size=200, window=2))

    ref = learner(_FlakyOracle(y, 10**9)).fit(X, y_missing)
    oracle = _FlakyOracle(y, 15)
    al = learner(oracle)
    with pytest.raises(ConnectionError):
        al.fit(X, y_missing)
    oracle.fail_after = 10**9
    al.set_params(warm_start=True).fit(X, y_missing)
    assert len(al.labeled_indices_) == len(ref.labeled_indices_) < 310
    assert al.stop_reason_ == ref.stop_reason_
    # The criterion went on from its state: it saw the same rounds.
    np.testing.assert_allclose(al.stopping_[0].kappas_, ref.stopping_[0].kappas_)
    # One history entry per round, as in the uninterrupted run.
    assert [h["n_labeled"] for h in al.history_] == [
        h["n_labeled"] for h in ref.history_]


def test_partial_oracle_answers_are_kept(digits):
    X, y, _, _ = digits
    y_missing = np.full_like(y, -1)
    y_missing[:10] = y[:10]

    def oracle(idx):
        out = y[idx].copy()
        out[-1] = -1  # skipped
        return out

    al = ActiveLearner(UncertaintySampling(LogisticRegression(max_iter=300)),
                       batch_size=4, budget=8, oracle=oracle, random_state=0)
    with pytest.raises(ValueError, match="the labels it gave are kept"):
        al.fit(X, y_missing)
    assert len(al.labeled_indices_) == 13
    np.testing.assert_array_equal(al.y_labeled_, y[al.labeled_indices_])


def test_failed_fresh_fit_drops_the_model_of_another_fit(digits):
    X, y, _, _ = digits
    Xi, yi = load_iris(return_X_y=True)
    al = ActiveLearner(UncertaintySampling(LogisticRegression(max_iter=300)),
                       batch_size=5, budget=10, random_state=0).fit(Xi, yi)

    class Boom(LogisticRegression):
        def fit(self, X, y):
            raise RuntimeError("boom")

    al.set_params(strategy=UncertaintySampling(Boom()))
    with pytest.raises(RuntimeError):
        al.fit(X, y)
    assert not hasattr(al, "estimator_") and not hasattr(al, "classes_")
    assert al.X_labeled_.shape[1] == 64
    assert al.stop_reason_ == "interrupted by RuntimeError: boom"
