"""Tests of the annotator page (``skactive.labeling._app``) and ``skactive label``.

The HTTP tests run a server in-process on a free loopback port; the browser
tests (marked ``browser``) drive the page in headless Chromium through
Selenium and are skipped where chromium or chromedriver is missing.
"""

import http.client
import json
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import threading
import time
from contextlib import contextmanager
from urllib.parse import urlsplit

import numpy as np
import pytest
from sklearn.datasets import load_digits, load_iris
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.linear_model import LogisticRegression
from sklearn.pipeline import make_pipeline

from skactive import ActiveLearner, RandomSampling
from skactive.cli import main
from skactive.labeling import LabelingSession
from skactive.labeling._app import MAX_BODY, _detect_kind, make_server

XSS = "<script>window.__pwned = 1; alert(1)</script>"
DOCS = [
    f"{XSS} first review, quite good",
    "<b>x</b> bold claim <img src=x onerror=\"window.__pwned=2\">",
    "a plain negative note",
    "great product & fast delivery",
    "terrible, it broke at once",
    "okay I guess, nothing special",
    "would buy again, lovely",
    "never again: awful support",
    "fine value for the money",
    "bad: arrived late and damaged",
    "superb quality, five stars",
    "meh",
]
CLASSES = ["neg", "pos"]


# -- helpers ------------------------------------------------------------------

def text_session(path, docs=DOCS, *, budget=6, lease=600):
    est = make_pipeline(TfidfVectorizer(), LogisticRegression(max_iter=200))
    learner = ActiveLearner(RandomSampling(est), batch_size=2, budget=budget,
                            initial_size=4, random_state=0)
    return LabelingSession(path, list(docs), learner, classes=CLASSES,
                           lease_seconds=lease)


@contextmanager
def running(server):
    thread = threading.Thread(target=server.serve_forever, args=(0.05,),
                              daemon=True)
    thread.start()
    try:
        yield server
    finally:
        server.shutdown()
        server.server_close()
        thread.join(5)


class Client:
    """Raw HTTP against the server: exact paths, headers and bodies."""

    def __init__(self, server, host="127.0.0.1", token=None):
        self.host, self.port, self.token = host, server.port, token

    def request(self, method, path, body=None, headers=None, ctype=None):
        conn = http.client.HTTPConnection(self.host, self.port, timeout=30)
        headers = dict(headers or {})
        if self.token is not None:
            headers.setdefault("X-Skactive-Token", self.token)
        if body is not None and not isinstance(body, bytes):
            body = json.dumps(body).encode()
            ctype = ctype or "application/json"
        if ctype is not None:
            headers["Content-Type"] = ctype
        try:
            conn.request(method, path, body=body, headers=headers)
            resp = conn.getresponse()
            raw = resp.read()
            return resp.status, dict(resp.getheaders()), raw
        finally:
            conn.close()

    def json(self, method, path, body=None, **kw):
        status, headers, raw = self.request(method, path, body, **kw)
        assert headers["Content-Type"].startswith("application/json"), raw
        return status, json.loads(raw)

    def next(self, annotator="ann"):
        status, data = self.json("GET", f"/api/next?annotator={annotator}")
        assert status == 200, data
        return data

    def label(self, item, label, annotator="ann"):
        return self.json("POST", "/api/label", {
            "row": item["row"], "label": label, "annotator": annotator,
            "claim_id": item["claim_id"]})


def snapshot(session):
    """What a refused request must leave alone."""
    progress = dict(session.progress())
    return progress, len(session.history())


@pytest.fixture
def text_server(tmp_path):
    session = text_session(tmp_path / "s.sqlite")
    server = make_server(session)
    with running(server):
        yield server, session
    session.close()


# -- the JSON API -------------------------------------------------------------

def test_next_label_undo_round_trip(text_server):
    server, session = text_server
    client = Client(server)
    item = client.next("alice")
    assert item["kind"] == "text" and item["classes"] == CLASSES
    assert item["text"] == DOCS[item["row"]]
    assert item["progress"]["n_labeled"] == 0 and item["expires_at"] > time.time()
    # A reloaded page gets the same item back.
    assert client.next("alice")["row"] == item["row"]

    status, data = client.label(item, "pos", "alice")
    assert status == 200, data
    assert data["label"]["row"] == item["row"] and data["label"]["label"] == "pos"
    assert data["progress"]["n_labeled"] == 1
    rows, labels = session.labels()
    assert rows.tolist() == [item["row"]] and labels.tolist() == ["pos"]

    following = client.next("alice")
    assert following["row"] != item["row"]

    status, data = client.json("POST", "/api/undo", {"annotator": "alice"})
    assert status == 200 and data["undone"]["row"] == item["row"]
    assert data["progress"]["n_labeled"] == 0 and len(session.labels()[0]) == 0
    # The undone item is served to its annotator again, with the one shown.
    held = {c.row for c in session.next_items("alice", n=2)}
    assert held == {item["row"], following["row"]}
    # Nothing left to undo: null, not an error.
    status, data = client.json("POST", "/api/undo", {"annotator": "bob"})
    assert status == 200 and data["undone"] is None

    status, progress = client.json("GET", "/api/progress")
    assert status == 200 and progress == session.progress() | {
        "n_claimed": progress["n_claimed"]}
    status, curve = client.json("GET", "/api/curve")
    assert status == 200 and curve == session.curve()


def test_labels_map_to_int_classes(tmp_path):
    """A button sends a string; the store keeps the class itself."""
    X, y = load_iris(return_X_y=True)
    learner = ActiveLearner(batch_size=3, budget=3, initial_size=3, random_state=0)
    with LabelingSession(tmp_path / "i.sqlite", X, learner, classes=[0, 1, 2]) as s:
        with running(make_server(s)) as server:
            client = Client(server)
            item = client.next()
            assert item["kind"] == "table"
            assert [f[0] for f in item["fields"]] == [f"x{j}" for j in range(4)]
            assert [f[1] for f in item["fields"]] == X[item["row"]].tolist()
            assert client.label(item, "2")[0] == 200
            item = client.next()
            assert client.label(item, 1.0)[0] == 200
            item = client.next()
            assert client.label(item, True)[0] == 422
            assert client.label(item, 0)[0] == 200
        assert sorted(s.labels()[1].tolist()) == [0, 1, 2]
        assert all(type(v) is int for v in s.labels()[1].tolist())


def _label_cases():
    good = {"annotator": "ann"}
    return [
        ("malformed json", b"{not json", "application/json", 400),
        ("json array", b"[1, 2]", "application/json", 400),
        ("not utf-8", b"\xff\xfe{", "application/json", 400),
        ("wrong content type", {"row": 0, "label": "pos", **good},
         "text/plain", 400),
        ("form post", b"row=0&label=pos&annotator=ann",
         "application/x-www-form-urlencoded", 400),
        ("missing row", {"label": "pos", **good}, None, 400),
        ("missing label", {"row": "ROW", **good}, None, 400),
        ("missing annotator", {"row": "ROW", "label": "pos"}, None, 400),
        ("empty annotator", {"row": "ROW", "label": "pos", "annotator": " "},
         None, 400),
        ("row not an int", {"row": 1.5, "label": "pos", **good}, None, 400),
        ("row a bool", {"row": True, "label": "pos", **good}, None, 400),
        ("claim id not a str", {"row": "ROW", "label": "pos", "claim_id": 5,
                                **good}, None, 400),
        ("row outside the pool", {"row": 10_000, "label": "pos", **good},
         None, 404),
        ("negative row", {"row": -1, "label": "pos", **good}, None, 404),
        ("row never queued", {"row": "UNQUEUED", "label": "pos", **good},
         None, 404),
        ("label outside classes", {"row": "ROW", "label": "maybe",
                                   "claim_id": "CLAIM", **good}, None, 422),
        ("label a list", {"row": "ROW", "label": ["pos"], "claim_id": "CLAIM",
                          **good}, None, 422),
        ("unknown claim", {"row": "ROW", "label": "pos", "claim_id": "f00",
                           **good}, None, 409),
        ("claim of another row", {"row": "OTHER", "label": "pos",
                                  "claim_id": "CLAIM", **good}, None, 409),
        ("body too large", {"row": "ROW", "label": "pos", "pad": "x" * MAX_BODY,
                            **good}, None, 413),
    ]


@pytest.mark.parametrize("name, body, ctype, status", _label_cases(),
                         ids=[c[0] for c in _label_cases()])
def test_bad_label_requests_change_nothing(text_server, name, body, ctype,
                                           status):
    server, session = text_server
    client = Client(server)
    item = client.next("ann")
    other = client.next("ann2")
    queued = set(session.store.queued()[0].tolist())
    unqueued = min(set(range(len(DOCS))) - queued)
    before = snapshot(session)
    if isinstance(body, dict):
        fill = {"ROW": item["row"], "OTHER": other["row"], "UNQUEUED": unqueued,
                "CLAIM": item["claim_id"]}
        body = {k: fill.get(v, v) if isinstance(v, str) else v
                for k, v in body.items()}
        body = json.dumps(body).encode()
    got, headers, raw = client.request("POST", "/api/label", body,
                                       ctype=ctype or "application/json")
    assert got == status, raw
    assert headers["Content-Type"].startswith("application/json")
    assert json.loads(raw)["error"]
    assert snapshot(session) == before
    # The claim still stands: the right request then succeeds.
    assert client.label(item, "neg")[0] == 200


def test_answered_claim_is_stale(text_server):
    server, session = text_server
    client = Client(server)
    item = client.next()
    assert client.label(item, "neg")[0] == 200
    before = snapshot(session)
    status, data = client.label(item, "pos")
    assert status == 409 and "already answered" in data["error"]
    assert snapshot(session) == before


@pytest.mark.parametrize("method, path, body, status", [
    ("GET", "/api/next", None, 400),
    ("GET", "/api/next?annotator=", None, 400),
    ("GET", "/api/next?annotator=" + "a" * 65, None, 400),
    ("GET", "/api/next?annotator=ev%0Ail", None, 400),
    ("POST", "/api/undo", {}, 400),
    ("POST", "/api/undo", {"annotator": 3}, 400),
    ("GET", "/api/label", None, 405),
    ("POST", "/api/next", {"annotator": "ann"}, 405),
    ("PUT", "/api/label", {}, 405),
    ("DELETE", "/", None, 405),
    ("OPTIONS", "/api/label", None, 405),
])
def test_other_bad_requests(text_server, method, path, body, status):
    server, session = text_server
    client = Client(server)
    client.next()
    before = snapshot(session)
    got, headers, raw = client.request(method, path, body)
    assert got == status, raw
    assert json.loads(raw)["error"]
    # No CORS grant, ever.
    assert "Access-Control-Allow-Origin" not in headers
    assert snapshot(session) == before


@pytest.mark.parametrize("path", [
    "/../../etc/passwd", "/%2e%2e/%2e%2e/etc/passwd", "/%2e%2e/",
    "/api/../../../etc/passwd", "//etc/passwd", "/index.html", "/static/app.js",
    "/api/next/../../etc/passwd", "/api", "/api/", "/favicon.ico",
    "/..%2f..%2fetc%2fpasswd", "/" + os.path.abspath(__file__).lstrip("/"),
])
def test_no_files_are_served(text_server, path):
    server, _ = text_server
    status, _, raw = Client(server).request("GET", path)
    assert status == 404
    assert json.loads(raw) == {"error": "not found"}
    assert b"root:" not in raw


def test_server_error_is_json_without_traceback(text_server, monkeypatch, caplog):
    server, session = text_server

    def broken():
        raise RuntimeError("secret internal detail")

    monkeypatch.setattr(session, "curve", broken)
    with caplog.at_level("CRITICAL", logger="skactive.labeling"):
        status, headers, raw = Client(server).request("GET", "/api/curve")
    assert status == 500
    assert headers["Content-Type"].startswith("application/json")
    text = raw.decode()
    assert "error" in json.loads(text)
    assert "Traceback" not in text and "secret" not in text


def test_pool_text_is_data_not_markup(tmp_path):
    docs = [XSS, "<b>x</b>"] * 3
    with text_session(tmp_path / "x.sqlite", docs, budget=1) as session:
        with running(make_server(session)) as server:
            client = Client(server)
            status, headers, page = client.request("GET", "/")
            assert status == 200
            assert headers["Content-Type"] == "text/html; charset=utf-8"
            csp = headers["Content-Security-Policy"]
            assert "script-src 'sha256-" in csp and "unsafe-inline" not in csp
            assert "default-src 'none'" in csp
            assert headers["X-Content-Type-Options"] == "nosniff"
            for doc in docs:
                assert doc.encode() not in page
            assert b"alert(1)" not in page and b"<b>x</b>" not in page
            # The page renders items with textContent only.
            assert b"innerHTML" not in page and b"insertAdjacentHTML" not in page
            assert b"document.write" not in page and b"eval(" not in page
            seen = set()
            for i in range(4):  # the initial set: both texts are in it
                status, _, raw = client.request("GET", f"/api/next?annotator=a{i}")
                assert b"<" not in raw and b">" not in raw  # escaped as \u003c
                seen.add(json.loads(raw)["text"])
            assert seen == {XSS, "<b>x</b>"}


def test_page_is_self_contained(text_server):
    server, _ = text_server
    status, _, page = Client(server).request("GET", "/")
    html = page.decode()
    assert status == 200
    assert not re.search(r"""(src|href)\s*=\s*["']?(https?:)?//""", html)
    assert "@import" not in html
    for element_id in ("item", "buttons", "undo", "progress", "curve", "status"):
        assert f'id="{element_id}"' in html


def test_image_payload(tmp_path):
    X, y = load_digits(return_X_y=True)
    learner = ActiveLearner(batch_size=5, budget=5, initial_size=5, random_state=0)
    with LabelingSession(tmp_path / "d.sqlite", X[:200], learner,
                         classes=list(range(10))) as session:
        with running(make_server(session)) as server:
            item = Client(server).next()
    assert item["kind"] == "image" and item["shape"] == [8, 8]
    assert item["pixels"] == X[item["row"]].tolist()


def test_detect_kind():
    assert _detect_kind(["a", "b"], None, None) == ("text", None)
    assert _detect_kind(np.array(["a", "b"], dtype=object), None, None)[0] == "text"
    assert _detect_kind(np.zeros((3, 64)), None, None) == ("image", (8, 8))
    assert _detect_kind(np.zeros((3, 784)), None, None) == ("image", (28, 28))
    assert _detect_kind(np.zeros((3, 36)), None, None) == ("table", None)
    assert _detect_kind(np.zeros((3, 4)), None, None) == ("table", None)
    assert _detect_kind(np.zeros((3, 12)), None, (3, 4)) == ("image", (3, 4))
    assert _detect_kind(np.zeros((3, 64)), "table", None) == ("table", None)
    with pytest.raises(ValueError, match="image_shape"):
        _detect_kind(np.zeros((3, 12)), None, (3, 5))
    with pytest.raises(ValueError, match="image_shape"):
        _detect_kind(np.zeros((3, 12)), "image", None)
    with pytest.raises(ValueError, match="kind"):
        _detect_kind(np.zeros((3, 12)), "video", None)
    with pytest.raises(ValueError, match="strings"):
        _detect_kind(np.zeros((3, 12)), "text", None)


def test_feature_names_of_a_dataframe(tmp_path):
    pd = pytest.importorskip("pandas")
    X, _ = load_iris(return_X_y=True, as_frame=True)
    learner = ActiveLearner(batch_size=3, budget=3, initial_size=3, random_state=0)
    with LabelingSession(tmp_path / "f.sqlite", X, learner,
                         classes=[0, 1, 2]) as session:
        assert isinstance(session.X, pd.DataFrame)
        with running(make_server(session)) as server:
            item = Client(server).next()
        assert [f[0] for f in item["fields"]] == list(X.columns)
        assert [f[1] for f in item["fields"]] == X.iloc[item["row"]].tolist()
        with pytest.raises(ValueError, match="feature_names"):
            make_server(session, feature_names=["a"])


# -- access control -----------------------------------------------------------

def test_off_loopback_needs_a_token(tmp_path):
    with text_session(tmp_path / "t.sqlite") as session:
        for host in ("0.0.0.0", "::", "192.0.2.1", "example.com"):
            with pytest.raises(ValueError, match="token"):
                make_server(session, host=host)
        # Bound on every interface only here, and only for these requests.
        with running(make_server(session, host="0.0.0.0",
                                 token="s3cret")) as server:
            assert server.url.endswith("/?token=s3cret")
            client = Client(server)
            for path in ("/", "/api/progress", "/api/next?annotator=a",
                         "/nowhere"):
                status, _, raw = client.request("GET", path)
                assert status == 403 and b"token" in raw
            wrong = Client(server, token="s3cre")
            assert wrong.request("GET", "/api/progress")[0] == 403
            status, _, raw = client.request("GET", "/?token=wrong")
            assert status == 403
            # The page takes the token from its URL and sends it as a header.
            status, _, page = client.request("GET", "/?token=s3cret")
            assert status == 200 and b"X-Skactive-Token" in page
            assert b"s3cret" not in page
            good = Client(server, token="s3cret")
            item = good.next()
            before = snapshot(session)
            body = {"row": item["row"], "label": "pos", "annotator": "ann",
                    "claim_id": item["claim_id"]}
            # A POST must carry the header: a URL token is not enough.
            status, _, _ = client.request("POST", "/api/label?token=s3cret", body)
            assert status == 403 and snapshot(session) == before
            assert good.label(item, "pos")[0] == 200
            # Any Host is fine off loopback: the token decides.
            status, _, _ = good.request("GET", "/api/progress",
                                        headers={"Host": "labels.example.org"})
            assert status == 200


def test_token_on_loopback(tmp_path):
    with text_session(tmp_path / "t.sqlite") as session:
        with running(make_server(session, token="tok")) as server:
            assert Client(server).request("GET", "/api/progress")[0] == 403
            assert Client(server, token="tok").request(
                "GET", "/api/progress")[0] == 200
            assert Client(server).request("GET", "/api/progress?token=tok")[0] == 200


@pytest.mark.parametrize("host, status", [
    ("evil.example.com", 403), ("evil.example.com:{port}", 403),
    ("127.0.0.1.nip.io:{port}", 403), ("localhost.evil:{port}", 403),
    ("", 403), ("127.0.0.1:{port}", 200), ("localhost:{port}", 200),
    ("LOCALHOST", 200), ("[::1]:{port}", 200), ("127.0.0.1", 200),
])
def test_host_header_is_checked_on_loopback(text_server, host, status):
    server, session = text_server
    headers = {"Host": host.format(port=server.port)}
    before = snapshot(session)
    for path in ("/", "/api/next?annotator=a"):
        got, _, raw = Client(server).request("GET", path, headers=headers)
        assert got == status, raw
    if status == 403:
        assert b"Host" in raw and snapshot(session) == before


def test_missing_host_header_is_refused(text_server):
    server, _ = text_server
    with socket.create_connection(("127.0.0.1", server.port), timeout=10) as sock:
        sock.sendall(b"GET /api/progress HTTP/1.0\r\n\r\n")
        reply = b""
        while chunk := sock.recv(65536):
            reply += chunk
    assert reply.startswith(b"HTTP/1.0 403")


# -- many annotators at once --------------------------------------------------

def test_concurrent_annotators_never_lose_or_double_a_label(tmp_path):
    rng = np.random.default_rng(0)
    X = rng.normal(size=(400, 2))
    truth = (X[:, 0] + X[:, 1] > 0).astype(int)
    learner = ActiveLearner(RandomSampling(LogisticRegression()), batch_size=12,
                            budget=300, initial_size=12, random_state=0)
    with LabelingSession(tmp_path / "load.sqlite", X, learner,
                         classes=[0, 1]) as session:
        with running(make_server(session)) as server:
            acked, errors = [], []
            deadline = time.monotonic() + 5.0

            def annotate(name):
                client = Client(server)
                try:
                    while time.monotonic() < deadline:
                        item = client.next(name)
                        if item.get("row") is None:
                            if item["progress"]["done"]:
                                return
                            time.sleep(0.01)
                            continue
                        status, data = client.label(item, int(truth[item["row"]]),
                                                    name)
                        if status == 200:
                            acked.append((item["row"], data["label"]["id"]))
                        else:
                            errors.append((status, data))
                except Exception as exc:  # reported below, not swallowed
                    errors.append(repr(exc))

            threads = [threading.Thread(target=annotate, args=(f"ann{i}",))
                       for i in range(6)]
            for t in threads:
                t.start()
            for t in threads:
                t.join(30)
        assert not errors
        history = session.history()
        assert len(acked) >= 12
        assert len(history) == len(acked)
        assert sorted(r.id for r in history) == sorted(i for _, i in acked)
        rows = [r.row for r in history]
        assert len(rows) == len(set(rows))  # no row labeled twice
        assert all(r.label == truth[r.row] for r in history)
        assert session.progress()["n_labeled"] == len(acked)


# -- the command line ---------------------------------------------------------

def test_cli_label_argument_errors(tmp_path, capsys):
    csv = tmp_path / "rows.csv"
    csv.write_text("a,b\n1,2\n3,4\n5,6\n")
    session = str(tmp_path / "s.sqlite")
    cases = [
        ([str(csv), "--session", session], "--classes"),
        (["digits", "--session", session, "--host", "0.0.0.0"], "--token"),
        (["digits", "--session", session, "--host", "192.0.2.7"], "--token"),
        (["digits", "--session", str(tmp_path / "no" / "s.sqlite")],
         "does not exist"),
        (["nothing.csv", "--session", session, "--classes", "a,b"], "no file"),
        (["digits", "--session", session, "--classes", "a,b"], "names its classes"),
        ([str(csv), "--session", session, "--classes", "a"], "at least two"),
        (["digits", "--session", session, "--port", "70000"], "port"),
        ([str(tmp_path), "--session", session, "--classes", "a,b"], "no file"),
    ]
    for argv, message in cases:
        with pytest.raises(SystemExit) as exc:
            main(["label", *argv, "--no-browser"])
        assert exc.value.code == 2, argv
        assert message in capsys.readouterr().err, argv
    assert not os.path.exists(session)


def test_cli_label_data(tmp_path):
    """What ``skactive label`` serves for each kind of DATA."""
    import argparse

    from skactive.cli import _label_data, build_parser

    parser = build_parser()

    def load(data, classes=None):
        args = argparse.Namespace(data=str(data), classes=classes, random_state=0)
        return _label_data(parser, args)

    X, classes, eval_set, kind, names, _, _ = load("digits")
    assert kind == "image" and classes == list(range(10)) and X.shape[1] == 64
    assert eval_set[0].shape[1] == 64 and len(eval_set[1]) == eval_set[0].shape[0]
    X, classes, _, kind, names, _, _ = load("wine")
    assert kind == "table" and len(names) == X.shape[1] == 13 and classes == [0, 1, 2]

    csv = tmp_path / "rows.csv"
    csv.write_text("width,height\n1,2\n3,4.5\n5,6\n")
    X, classes, eval_set, kind, names, _, _ = load(csv, ["a", "b"])
    assert X.tolist() == [[1, 2], [3, 4.5], [5, 6]]
    assert (classes, eval_set, kind, names) == (["a", "b"], None, "table",
                                                ["width", "height"])
    csv.write_text("1;2\n3;4\n")
    X, _, _, _, names, _, _ = load(csv, ["a", "b"])
    assert X.shape == (2, 2) and names is None

    txt = tmp_path / "docs.txt"
    txt.write_text("first doc\r\n\nsecond <b>doc</b>\n  \nthird\n", newline="")
    X, _, _, kind, _, _, est = load(txt, ["x", "y"])
    assert X == ["first doc", "second <b>doc</b>", "third"] and kind == "text"
    assert type(est[0]).__name__ == "TfidfVectorizer"

    csv.write_text("a,b\n1,oops\n3,4\n")
    with pytest.raises(SystemExit):
        load(csv, ["a", "b"])
    with pytest.raises(SystemExit):
        load(tmp_path / "data.npy", ["a", "b"])


def test_serve_until_interrupted(tmp_path, capsys):
    import _thread

    from skactive.labeling import serve

    with text_session(tmp_path / "s.sqlite") as session:
        timer = threading.Timer(1.0, _thread.interrupt_main)
        timer.start()
        try:
            serve(session)  # returns on Ctrl-C
        except KeyboardInterrupt:  # pragma: no cover - interrupted too early
            pytest.fail("serve() did not catch the interrupt")
        finally:
            timer.cancel()
        url = re.search(r"(http://\S+)", capsys.readouterr().out).group(1)
        with pytest.raises(OSError):
            http.client.HTTPConnection(urlsplit(url).hostname, urlsplit(url).port,
                                       timeout=5).request("GET", "/")


def test_cli_label_port_in_use(tmp_path, capsys):
    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        port = busy.getsockname()[1]
        with pytest.raises(SystemExit) as exc:
            main(["label", "iris", "--session", str(tmp_path / "s.sqlite"),
                  "--port", str(port), "--no-browser"])
    assert exc.value.code == 2
    err = capsys.readouterr().err
    assert f"cannot serve on 127.0.0.1:{port}" in err and "--port" in err


def _start_cli(args, cwd):
    env = dict(os.environ, PYTHONUNBUFFERED="1")
    proc = subprocess.Popen(
        [sys.executable, "-m", "skactive", "label", *args, "--port", "0",
         "--no-browser"], cwd=cwd, env=env, stdout=subprocess.PIPE,
        stderr=subprocess.PIPE, text=True)
    lines = []
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        line = proc.stdout.readline()
        if not line:
            break
        lines.append(line)
        match = re.search(r"open (http://\S+) to label", line)
        if match:
            return proc, match.group(1), lines
    proc.kill()
    out, err = proc.communicate()
    pytest.fail(f"no URL printed: {''.join(lines)}{out}{err}")


def _stop_cli(proc):
    proc.send_signal(signal.SIGINT)
    try:
        out, err = proc.communicate(timeout=30)
    except subprocess.TimeoutExpired:
        proc.kill()
        raise
    return proc.returncode, out, err


def test_cli_label_serves_saves_and_resumes(tmp_path):
    docs = tmp_path / "docs.txt"
    docs.write_text("\n".join(d.replace("\n", " ") for d in DOCS) + "\n\n")
    path = tmp_path / "docs.sqlite"
    args = [str(docs), "--session", str(path), "--classes", "neg,pos",
            "--budget", "4", "--batch-size", "2", "--initial-size", "4"]
    proc, url, lines = _start_cli(args, tmp_path)
    try:
        assert url.startswith("http://127.0.0.1:") and "token" not in url
        assert any(f"labels are saved in {path}" in line for line in lines)
        parts = urlsplit(url)
        client = Client(type("S", (), {"port": parts.port}))
        item = client.next("cli")
        assert item["text"] == DOCS[item["row"]]
        assert client.label(item, "pos", "cli")[0] == 200
    finally:
        code, out, err = _stop_cli(proc)
    assert code == 0, err
    assert "1 label saved" in out and "run the same command to resume" in out
    assert "Traceback" not in err

    proc, url, lines = _start_cli(args, tmp_path)
    code, out, err = _stop_cli(proc)
    assert code == 0, err
    assert any("resuming" in line and "1 label so far" in line for line in lines)

    with LabelingSession(path, list(DOCS)) as session:
        [record] = session.history()
        assert (record.row, record.label, record.annotator) == (
            item["row"], "pos", "cli")


def test_cli_label_token_auto(tmp_path):
    path = tmp_path / "i.sqlite"
    proc, url, lines = _start_cli(["iris", "--session", str(path), "--token",
                                   "auto", "--stop", "stabilizing"], tmp_path)
    try:
        token = re.search(r"\?token=([\w-]+)$", url).group(1)
        assert len(token) >= 16
        client = Client(type("S", (), {"port": urlsplit(url).port}))
        assert client.request("GET", "/api/progress")[0] == 403
        client.token = token
        assert client.json("GET", "/api/progress")[1]["n_labeled"] == 0
    finally:
        code, _, err = _stop_cli(proc)
    assert code == 0, err
    assert "stop=stabilizing" in lines[0]
    import sqlite3

    with sqlite3.connect(path) as conn:
        params = json.loads(conn.execute(
            "SELECT value FROM meta WHERE key = 'learner_params'").fetchone()[0])
    assert params["stopping"] == "StabilizingPredictions"
    assert params["stopping__threshold"] == "0.99"


# -- the page in a browser ----------------------------------------------------

def _chrome_paths():
    chromium = next(filter(None, map(shutil.which, (
        "chromium", "chromium-browser", "google-chrome"))), None)
    return chromium, shutil.which("chromedriver")


@pytest.fixture(scope="module")
def driver():
    pytest.importorskip("selenium", reason="the browser tests need selenium "
                        "(pip install -e '.[test]')")
    chromium, chromedriver = _chrome_paths()
    if chromium is None or chromedriver is None:
        pytest.skip("the browser tests need chromium and chromedriver on PATH "
                    "(Debian: apt-get install chromium chromium-driver)")
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    options = webdriver.ChromeOptions()
    for arg in ("--headless=new", "--no-sandbox", "--disable-gpu",
                "--disable-dev-shm-usage", "--window-size=1100,800"):
        options.add_argument(arg)
    options.binary_location = chromium
    # An explicit driver path: Selenium Manager never downloads anything.
    drv = webdriver.Chrome(service=Service(executable_path=chromedriver),
                           options=options)
    drv.set_page_load_timeout(30)
    yield drv
    drv.quit()


def _wait(drv, predicate, timeout=15):
    from selenium.webdriver.support.ui import WebDriverWait

    return WebDriverWait(drv, timeout, poll_frequency=0.05).until(
        lambda d: predicate())


def _open(drv, server, annotator="alice"):
    drv.get(server.url + f"?annotator={annotator}")
    from selenium.webdriver.common.by import By

    _wait(drv, lambda: drv.find_element(By.ID, "item").get_attribute("data-row")
          or "Done" in drv.find_element(By.ID, "status").text)


def _press(drv, key):
    """Press ``key`` once the page is idle (it ignores keys mid-request)."""
    from selenium.webdriver.common.action_chains import ActionChains

    _wait(drv, lambda: drv.execute_script("return document.body.dataset.busy")
          == "0")
    ActionChains(drv).send_keys(key).perform()


def _assert_no_alert(drv):
    from selenium.common.exceptions import NoAlertPresentException

    with pytest.raises(NoAlertPresentException):
        drv.switch_to.alert.text


@pytest.mark.browser
def test_browser_label_with_keys_and_undo(driver, tmp_path):
    from selenium.webdriver.common.by import By

    with text_session(tmp_path / "b.sqlite") as session:
        with running(make_server(session)) as server:
            _open(driver, server)
            item = driver.find_element(By.ID, "item")
            row = int(item.get_attribute("data-row"))
            assert item.text == DOCS[row]
            buttons = driver.find_elements(By.CSS_SELECTOR, "#buttons button")
            assert [b.get_attribute("data-label") for b in buttons] == CLASSES
            assert buttons[0].text.replace(" ", "") == "1neg"
            progress = driver.find_element(By.ID, "progress")
            assert "0 / 10 labels" in progress.text
            # The inline style passed the Content-Security-Policy too.
            assert driver.find_element(By.ID, "buttons").value_of_css_property(
                "display") == "flex"

            _press(driver, "1")
            _wait(driver, lambda: session.progress()["n_labeled"] == 1)
            _wait(driver, lambda: item.get_attribute("data-row") != str(row))
            assert session.labels()[1].tolist() == ["neg"]
            assert session.history()[0].annotator == "alice"
            _wait(driver, lambda: "1 / 10 labels" in progress.text)

            _press(driver, "2")
            _wait(driver, lambda: session.progress()["n_labeled"] == 2)
            _wait(driver, lambda: "2 / 10 labels" in progress.text)

            _wait(driver, lambda: driver.execute_script(
                "return document.body.dataset.busy") == "0")
            driver.find_element(By.ID, "undo").click()
            _wait(driver, lambda: session.progress()["n_labeled"] == 1)
            _wait(driver, lambda: "Undone" in driver.find_element(
                By.ID, "status").text)
            _wait(driver, lambda: "1 / 10 labels" in progress.text)
            _press(driver, "u")
            _wait(driver, lambda: session.progress()["n_labeled"] == 0)
            _assert_no_alert(driver)


@pytest.mark.browser
def test_browser_shows_markup_as_text(driver, tmp_path):
    from selenium.webdriver.common.by import By

    docs = [XSS + ' <b id="injected">bold</b> <img id="img" src=x '
            'onerror="window.__pwned = 3">'] * 6
    with text_session(tmp_path / "x.sqlite", docs, budget=1) as session:
        with running(make_server(session)) as server:
            _open(driver, server)
            text = driver.find_element(By.ID, "item").text
            assert text == docs[0] and "<script>" in text
            assert driver.find_elements(By.ID, "injected") == []
            assert driver.find_elements(By.CSS_SELECTOR, "#item img") == []
            assert driver.find_elements(By.CSS_SELECTOR, "#item script") == []
            assert driver.execute_script("return window.__pwned") is None
            _assert_no_alert(driver)


@pytest.mark.browser
def test_browser_image_curve_and_done(driver, tmp_path):
    from selenium.webdriver.common.by import By

    X, y = load_digits(return_X_y=True)
    learner = ActiveLearner(batch_size=10, budget=20, initial_size=20,
                            random_state=0)
    with LabelingSession(tmp_path / "d.sqlite", X[:400], learner,
                         classes=list(range(10)),
                         eval_set=(X[400:700], y[400:700])) as session:
        # The initial set and a round through the API: the curve has points.
        for _ in range(30):
            [claim] = session.next_items("api")
            session.label(claim.row, int(y[claim.row]), annotator="api",
                          claim_id=claim.claim_id)
        with running(make_server(session)) as server:
            _open(driver, server)
            canvas = driver.find_element(By.CSS_SELECTOR, "#item canvas")
            assert (int(canvas.get_attribute("width")),
                    int(canvas.get_attribute("height"))) == (320, 320)
            shades = driver.execute_script(
                "const c = document.querySelector('#item canvas');"
                "const d = c.getContext('2d').getImageData(0, 0, c.width, "
                "c.height).data; return new Set(d.filter((v, i) => i % 4 == 0))"
                ".size;")
            assert shades > 2
            assert len(driver.find_elements(By.CSS_SELECTOR, "#buttons button")) == 10
            _wait(driver, lambda: driver.find_elements(
                By.CSS_SELECTOR, "#curve svg circle"))
            assert len(driver.find_elements(By.CSS_SELECTOR,
                                            "#curve svg circle")) == len(
                [p for p in session.curve() if p["score"] is not None])
            progress = driver.find_element(By.ID, "progress")
            assert "30 / 40 labels" in progress.text
            # Label the rest in the page: the last one shows the done message.
            for _ in range(10):
                row = driver.find_element(By.ID, "item").get_attribute("data-row")
                # Keys 1..9 then 0 for the tenth class.
                _press(driver, str((int(y[int(row)]) + 1) % 10))
                _wait(driver, lambda: driver.find_element(
                    By.ID, "item").get_attribute("data-row") != row)
            status = driver.find_element(By.ID, "status")
            _wait(driver, lambda: "Done" in status.text)
            assert session.progress()["stop_reason"] in status.text
            assert "40 / 40 labels" in progress.text
            rows, labels = session.labels()
            np.testing.assert_array_equal(labels, y[rows])
            assert all(b.get_attribute("disabled") for b in
                       driver.find_elements(By.CSS_SELECTOR, "#buttons button"))


@pytest.mark.browser
def test_browser_table_row(driver, tmp_path):
    from selenium.webdriver.common.by import By

    X, _ = load_iris(return_X_y=True)
    learner = ActiveLearner(batch_size=3, budget=3, initial_size=3, random_state=0)
    with LabelingSession(tmp_path / "t.sqlite", X, learner,
                         classes=["setosa", "versicolor", "virginica"]) as session:
        names = ["sepal length", "sepal width", "petal length", "petal width"]
        with running(make_server(session, feature_names=names)) as server:
            _open(driver, server)
            row = int(driver.find_element(By.ID, "item").get_attribute("data-row"))
            cells = [[c.text for c in tr.find_elements(By.CSS_SELECTOR, "th, td")]
                     for tr in driver.find_elements(By.CSS_SELECTOR, "#item tr")]
            assert [c[0] for c in cells] == names
            assert [float(c[1]) for c in cells] == X[row].tolist()
            driver.find_element(By.CSS_SELECTOR,
                                '#buttons button[data-label="virginica"]').click()
            _wait(driver, lambda: session.progress()["n_labeled"] == 1)
            assert session.labels()[1].tolist() == ["virginica"]
