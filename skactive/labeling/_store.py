"""The SQLite store behind a labeling session.

The store is the source of truth: every query, claim and label is a row, a
label is committed (``synchronous=FULL``) before the call that made it
returns, and nothing is ever updated in place or deleted, so corrections and
undos keep their history. WAL mode lets annotators read while one writes, and
several processes may open the same file.
"""

import hashlib
import json
import os
import sqlite3
import threading
import time
import uuid
from contextlib import contextmanager
from dataclasses import dataclass

import numpy as np
import scipy.sparse as sp

__all__ = ["Claim", "LabelRecord", "LabelStore", "pool_fingerprint"]

SCHEMA_VERSION = 1

_SCHEMA = """
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value BLOB);
CREATE TABLE IF NOT EXISTS queue (
    row INTEGER PRIMARY KEY,
    round INTEGER NOT NULL,
    rank INTEGER NOT NULL,
    time REAL NOT NULL,
    UNIQUE (round, rank)
);
CREATE TABLE IF NOT EXISTS rounds (
    round INTEGER PRIMARY KEY,
    n_labeled INTEGER NOT NULL,
    score REAL,
    note TEXT,
    stop_reason TEXT,
    criteria BLOB,
    time REAL NOT NULL
);
CREATE TABLE IF NOT EXISTS claims (
    id TEXT PRIMARY KEY,
    row INTEGER NOT NULL,
    annotator TEXT NOT NULL,
    created REAL NOT NULL,
    expires REAL NOT NULL,
    answered INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX IF NOT EXISTS claims_row ON claims (row);
CREATE INDEX IF NOT EXISTS claims_open ON claims (expires) WHERE answered = 0;
CREATE TABLE IF NOT EXISTS labels (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    row INTEGER NOT NULL,
    label TEXT,
    annotator TEXT NOT NULL,
    time REAL NOT NULL,
    kind TEXT NOT NULL,
    claim TEXT,
    late INTEGER NOT NULL DEFAULT 0,
    retracts INTEGER
);
CREATE INDEX IF NOT EXISTS labels_row ON labels (row);
CREATE INDEX IF NOT EXISTS labels_annotator ON labels (annotator);
CREATE TABLE IF NOT EXISTS current (
    row INTEGER PRIMARY KEY,
    label_id INTEGER NOT NULL
);
"""


@dataclass(frozen=True)
class LabelRecord:
    """One entry of the label history.

    Attributes
    ----------
    id : int
        Position in the history (increasing).
    row : int
        Row of the pool.
    label : object or None
        The class given; None for an undo.
    annotator : str
        Who gave it.
    time : float
        Unix time of the commit.
    kind : {"label", "correction", "undo", "import"}
        ``import``: taken over from an :class:`~skactive.ActiveLearner`.
    late : bool
        The annotator's claim on the row had expired (the label is kept).
    claim_id : str or None
        The claim it answered.
    retracts : int or None
        For an undo, the id of the record it takes back.
    """

    id: int
    row: int
    label: object
    annotator: str
    time: float
    kind: str
    late: bool = False
    claim_id: object = None
    retracts: object = None


@dataclass(frozen=True)
class Claim:
    """An item handed to an annotator, theirs until ``expires_at``.

    Attributes
    ----------
    row : int
        Row of the pool to label.
    claim_id : str
        Token to send back with the label.
    annotator : str
        Who holds it.
    expires_at : float
        Unix time after which another annotator may get the item.
    round : int
        The query round that selected the item.
    """

    row: int
    claim_id: str
    annotator: str
    expires_at: float
    round: int


def _py(value):
    """A numpy scalar as the python value JSON stores."""
    return value.item() if isinstance(value, np.generic) else value


def pool_fingerprint(X):
    """SHA-256 of a pool's content and its row count.

    Two pools with the same fingerprint hold the same values in the same
    order; a session refuses to resume on any other pool.

    Parameters
    ----------
    X : ndarray, sparse matrix, DataFrame or list of str

    Returns
    -------
    digest : str
        Hexadecimal SHA-256.
    n_rows : int

    Examples
    --------
    >>> import numpy as np
    >>> from skactive.labeling import pool_fingerprint
    >>> a = np.arange(6.0).reshape(3, 2)
    >>> pool_fingerprint(a)[1]
    3
    >>> pool_fingerprint(a)[0] == pool_fingerprint(a.copy())[0]
    True
    >>> pool_fingerprint(a)[0] == pool_fingerprint(a[::-1])[0]
    False
    """
    h = hashlib.sha256()
    if hasattr(X, "columns") and hasattr(X, "to_numpy"):
        h.update(json.dumps([str(c) for c in X.columns]).encode())
        X = X.to_numpy()
    if sp.issparse(X):
        # One form per content: sorted, summed duplicates, no stored zeros.
        X = sp.csr_matrix(X, copy=True)
        X.sum_duplicates()
        X.eliminate_zeros()
        X.sort_indices()
        h.update(f"csr{X.shape}{X.dtype}".encode())
        for part in (X.indptr, X.indices, X.data):
            h.update(np.ascontiguousarray(part).tobytes())
        return h.hexdigest(), int(X.shape[0])
    arr = np.asarray(X) if not isinstance(X, list) else None
    if arr is not None and arr.dtype.kind in "biufc":
        arr = np.ascontiguousarray(arr, dtype=arr.dtype.newbyteorder("="))
        h.update(f"nd{arr.shape}{arr.dtype.str}".encode())
        h.update(memoryview(arr).cast("B"))
        return h.hexdigest(), int(arr.shape[0])
    rows = list(X)
    h.update(f"seq{len(rows)}".encode())
    for row in rows:
        text = row if isinstance(row, str) else repr(np.asarray(row).tolist())
        data = text.encode("utf-8", "surrogatepass")
        # Length-prefixed, so ["ab", "c"] and ["a", "bc"] differ.
        h.update(len(data).to_bytes(8, "little"))
        h.update(data)
    return h.hexdigest(), len(rows)


class LabelStore:
    """Rows of a labeling session in one SQLite file.

    Thread-safe (one connection per store, behind a lock) and safe across
    processes (WAL, ``BEGIN IMMEDIATE`` for every write).

    Parameters
    ----------
    path : str or path-like
        The database file; created if missing.
    timeout : float, default=30.0
        Seconds to wait for another process's write lock.
    """

    def __init__(self, path, timeout=30.0):
        self.path = os.fspath(path)
        self._lock = threading.RLock()
        self._conn = sqlite3.connect(
            self.path, timeout=timeout, isolation_level=None,
            check_same_thread=False)
        self._conn.execute("PRAGMA journal_mode=WAL")
        # FULL: a commit is on disk before we acknowledge it, even in WAL.
        self._conn.execute("PRAGMA synchronous=FULL")
        self._conn.execute("PRAGMA foreign_keys=ON")
        with self.transaction() as c:
            for stmt in _SCHEMA.strip().split(";"):
                if stmt.strip():
                    c.execute(stmt)

    # -- plumbing -------------------------------------------------------
    @contextmanager
    def transaction(self):
        """A write transaction: everything in it lands, or nothing."""
        with self._lock:
            c = self._conn
            c.execute("BEGIN IMMEDIATE")
            try:
                yield c
            except BaseException:
                c.execute("ROLLBACK")
                raise
            else:
                c.execute("COMMIT")

    def read(self, sql, params=()):
        with self._lock:
            return self._conn.execute(sql, params).fetchall()

    def close(self):
        with self._lock:
            self._conn.close()

    # -- meta -------------------------------------------------------------
    def get_meta(self, key, default=None):
        rows = self.read("SELECT value FROM meta WHERE key = ?", (key,))
        return rows[0][0] if rows else default

    def insert_meta(self, c, key, value):
        # INSERT, not REPLACE: a second writer fails instead of overwriting.
        c.execute("INSERT INTO meta (key, value) VALUES (?, ?)", (key, value))

    # -- queue and rounds ---------------------------------------------------
    def queued(self):
        """Rows of the queue, in (round, rank) order, and their rounds."""
        rows = self.read("SELECT row, round FROM queue ORDER BY round, rank")
        if not rows:
            return np.empty(0, dtype=np.intp), np.empty(0, dtype=np.intp)
        arr = np.asarray(rows, dtype=np.intp)
        return arr[:, 0], arr[:, 1]

    def rounds(self):
        return self.read(
            "SELECT round, n_labeled, score, note, stop_reason FROM rounds "
            "ORDER BY round")

    def last_criteria(self):
        rows = self.read(
            "SELECT criteria FROM rounds WHERE criteria IS NOT NULL "
            "ORDER BY round DESC LIMIT 1")
        return rows[0][0] if rows else None

    def add_round(self, c, round_, rows, *, n_labeled, score=None, note=None,
                  stop_reason=None, criteria=None):
        """Record a round and queue its rows; False if another got there first."""
        if c.execute("SELECT 1 FROM rounds WHERE round = ?", (round_,)).fetchone():
            return False
        now = time.time()
        c.execute(
            "INSERT INTO rounds (round, n_labeled, score, note, stop_reason, "
            "criteria, time) VALUES (?, ?, ?, ?, ?, ?, ?)",
            (round_, n_labeled, score, note, stop_reason, criteria, now))
        c.executemany(
            "INSERT INTO queue (row, round, rank, time) VALUES (?, ?, ?, ?)",
            [(int(r), round_, i, now) for i, r in enumerate(rows)])
        return True

    # -- labels -------------------------------------------------------------
    def _record(self, row):
        id_, r, label, annotator, t, kind, claim, late, retracts = row
        return LabelRecord(
            id=id_, row=r, label=None if label is None else json.loads(label),
            annotator=annotator, time=t, kind=kind, late=bool(late),
            claim_id=claim, retracts=retracts)

    def history(self, row=None):
        sql = ("SELECT id, row, label, annotator, time, kind, claim, late, "
               "retracts FROM labels")
        if row is None:
            rows = self.read(sql + " ORDER BY id")
        else:
            rows = self.read(sql + " WHERE row = ? ORDER BY id", (int(row),))
        return [self._record(r) for r in rows]

    def current_labels(self):
        """{row: the record that gives its current label}.

        The newest record of a row that is neither an undo nor undone; a row
        whose every label was undone has none. Kept in the ``current`` table,
        updated in the transaction that adds each record.
        """
        rows = self.read(
            "SELECT l.id, l.row, l.label, l.annotator, l.time, l.kind, l.claim, "
            "l.late, l.retracts FROM current c JOIN labels l ON l.id = c.label_id "
            "ORDER BY l.id")
        return {r[1]: self._record(r) for r in rows}

    def is_labeled(self, c, row):
        return c.execute("SELECT 1 FROM current WHERE row = ?",
                         (int(row),)).fetchone() is not None

    def last_label_of(self, c, annotator):
        """The annotator's newest label or correction not undone, or None."""
        row = c.execute(
            "SELECT id, row, label, annotator, time, kind, claim, late, retracts "
            "FROM labels WHERE annotator = ? AND kind IN ('label', 'correction') "
            "AND id NOT IN (SELECT retracts FROM labels WHERE kind = 'undo') "
            "ORDER BY id DESC LIMIT 1", (annotator,)).fetchone()
        return None if row is None else self._record(row)

    def _set_current(self, c, row):
        found = c.execute(
            "SELECT id FROM labels WHERE row = ? AND kind != 'undo' AND id NOT IN "
            "(SELECT retracts FROM labels WHERE row = ? AND kind = 'undo') "
            "ORDER BY id DESC LIMIT 1", (row, row)).fetchone()
        if found is None:
            c.execute("DELETE FROM current WHERE row = ?", (row,))
        else:
            c.execute("INSERT OR REPLACE INTO current (row, label_id) VALUES (?, ?)",
                      (row, found[0]))

    def version(self):
        """Changes whenever a record is added (the newest record's id)."""
        return self.read("SELECT COALESCE(MAX(id), 0) FROM labels")[0][0]

    def counts(self, now=None):
        """(labeled, queued and unlabeled, of those claimed, current late)."""
        now = time.time() if now is None else now
        return self.read(
            "SELECT (SELECT COUNT(*) FROM current), "
            "(SELECT COUNT(*) FROM queue WHERE row NOT IN (SELECT row FROM current)), "
            "(SELECT COUNT(DISTINCT row) FROM claims WHERE answered = 0 AND "
            " expires > ? AND row NOT IN (SELECT row FROM current)), "
            "(SELECT COUNT(*) FROM current c JOIN labels l ON l.id = c.label_id "
            " WHERE l.late = 1)", (now,))[0]

    def n_queried(self, n_initial):
        """Labels bought beyond the initial set: labeled rows queried after
        round 0, plus round-0 rows beyond ``n_initial`` (labels an imported
        learner had bought)."""
        after, first = self.read(
            "SELECT COALESCE(SUM(q.round > 0), 0), COALESCE(SUM(q.round = 0), 0) "
            "FROM current c JOIN queue q ON q.row = c.row")[0]
        return int(after) + max(int(first) - n_initial, 0)

    def conflict_rows(self):
        """Rows with more than one label record (not undone, not a correction)."""
        return [r[0] for r in self.read(
            "SELECT row FROM labels WHERE kind = 'label' AND id NOT IN "
            "(SELECT retracts FROM labels WHERE kind = 'undo') "
            "GROUP BY row HAVING COUNT(*) > 1 ORDER BY row")]

    def open_items(self, c, annotator, now, n):
        """The annotator's unexpired claims, then free queued rows (at most n)."""
        own = c.execute(
            "SELECT c.id, c.row, q.round FROM claims c JOIN queue q ON q.row = c.row "
            "WHERE c.annotator = ? AND c.answered = 0 AND c.expires > ? "
            "AND c.row NOT IN (SELECT row FROM current) ORDER BY c.created",
            (annotator, now)).fetchall()
        free = c.execute(
            "SELECT row, round FROM queue WHERE row NOT IN (SELECT row FROM current) "
            "AND row NOT IN (SELECT row FROM claims WHERE answered = 0 AND "
            "expires > ?) ORDER BY round, rank LIMIT ?", (now, n)).fetchall()
        return own, free

    def add_label(self, c, row, label, annotator, kind, *, claim=None,
                  late=False, retracts=None):
        now = time.time()
        encoded = None if label is None else json.dumps(_py(label))
        cur = c.execute(
            "INSERT INTO labels (row, label, annotator, time, kind, claim, late, "
            "retracts) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
            (int(row), encoded, annotator, now, kind, claim, int(late), retracts))
        if claim is not None:
            c.execute("UPDATE claims SET answered = 1 WHERE id = ?", (claim,))
        self._set_current(c, int(row))
        return LabelRecord(
            id=cur.lastrowid, row=int(row), label=_py(label), annotator=annotator,
            time=now, kind=kind, late=bool(late), claim_id=claim,
            retracts=retracts)

    # -- claims -------------------------------------------------------------
    def claim(self, c, row, annotator, lease, round_):
        now = time.time()
        claim_id = uuid.uuid4().hex
        c.execute(
            "INSERT INTO claims (id, row, annotator, created, expires) "
            "VALUES (?, ?, ?, ?, ?)",
            (claim_id, int(row), annotator, now, now + lease))
        return Claim(row=int(row), claim_id=claim_id, annotator=annotator,
                     expires_at=now + lease, round=int(round_))

    def get_claim(self, c, claim_id):
        return c.execute(
            "SELECT id, row, annotator, expires, answered FROM claims WHERE id = ?",
            (claim_id,)).fetchone()

    def active_claims(self, c=None, now=None):
        """{row: (claim id, annotator, expires)} of unanswered, unexpired claims.

        ``c``: the connection of an open transaction, or None to read alone.
        """
        now = time.time() if now is None else now
        sql = ("SELECT row, id, annotator, expires FROM claims "
               "WHERE answered = 0 AND expires > ? ORDER BY created")
        rows = (self.read(sql, (now,)) if c is None
                else c.execute(sql, (now,)).fetchall())
        return {r[0]: (r[1], r[2], r[3]) for r in rows}
