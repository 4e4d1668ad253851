"""Labeling-session latency: what one annotator's answer costs.

``test_label_cycle_vs_sqlite_floor``: one ``next_items`` + ``label`` cycle
of a :class:`~skactive.labeling.LabelingSession` that already holds
``N_HELD`` labels, against the floor of a durable acknowledgement: one
``INSERT`` + ``COMMIT`` into a bare SQLite table with the same settings (WAL,
``synchronous=FULL``). The cycle does more (it claims the item, checks the
claim, and reads the label history to know which items are free), so the
ratio says what that bookkeeping costs on top of the disk write every label
needs anyway. Target: ratio <= 10 at 2,000 held labels, i.e. a cycle well
under the time a person takes to read an item.

The strategy is ``RandomSampling`` with a batch larger than the labels
timed, so no round (no model fit) falls inside the timed cycles.
"""

import itertools
import sqlite3

import numpy as np
import pytest

from _common import scaled
from skactive import ActiveLearner, RandomSampling
from skactive.labeling import LabelingSession

N_POOL = 20_000
N_HELD = 2_000
FLOOR_TARGET = 10.0


@pytest.fixture(scope="module")
def session(tmp_path_factory):
    n_pool = scaled(N_POOL)
    n_held = min(scaled(N_HELD), n_pool // 4)  # small smoke pools
    rng = np.random.default_rng(0)
    X = rng.standard_normal((n_pool, 20))
    learner = ActiveLearner(RandomSampling(), batch_size=n_pool // 2,
                            budget=n_pool // 2, initial_size=n_held + 1,
                            random_state=0)
    path = tmp_path_factory.mktemp("labeling") / "bench.sqlite"
    s = LabelingSession(path, X, learner, classes=[0, 1])
    # The initial set is drawn at random, so the held labels need no model.
    for claim in s.next_items("warm-up", n=n_held):
        s.label(claim.row, int(claim.row % 2), annotator="warm-up",
                claim_id=claim.claim_id)
    yield s
    s.close()


@pytest.fixture(scope="module")
def floor_db(tmp_path_factory):
    path = tmp_path_factory.mktemp("floor") / "floor.sqlite"
    conn = sqlite3.connect(path, isolation_level=None)
    conn.execute("PRAGMA journal_mode=WAL")
    conn.execute("PRAGMA synchronous=FULL")
    conn.execute("CREATE TABLE labels (id INTEGER PRIMARY KEY, row INTEGER, "
                 "label TEXT, annotator TEXT, time REAL)")
    yield conn
    conn.close()


def test_label_cycle_vs_sqlite_floor(session, floor_db, paired, report):
    counter = itertools.count()
    cycles = []

    def cycle():
        cycles.append(1)
        claim = session.next_items("bench")[0]
        return session.label(claim.row, claim.row % 2, annotator="bench",
                             claim_id=claim.claim_id)

    def floor():
        i = next(counter)
        floor_db.execute("BEGIN IMMEDIATE")
        floor_db.execute(
            "INSERT INTO labels (row, label, annotator, time) VALUES (?, ?, ?, ?)",
            (i, "1", "bench", 0.0))
        floor_db.execute("COMMIT")

    n_before = session.progress()["n_labeled"]
    res = paired(cycle, {"sqlite_floor": floor}, rounds=30, warmup_rounds=2)
    # Every acknowledged cycle is in the store (timing on or off).
    assert session.progress()["n_labeled"] == n_before + len(cycles)
    report(
        "labeling", f"held={n_before}",
        {
            "cycle_ms": res.median() * 1e3,
            "floor_ms": res.median("sqlite_floor") * 1e3,
            "ratio": res.ratio("sqlite_floor"),
        },
        target=("ratio", FLOOR_TARGET),
    )
