"""The annotator web page of a :class:`LabelingSession`, standard library only.

:func:`make_server` serves one self-contained HTML page (inline CSS and
JavaScript, no external assets, nothing read from disk) and a small JSON API
over a :class:`LabelingSession`:

=========================  ====================================================
``GET /``                  the page
``GET /api/next``          claim the next item for ``?annotator=NAME``
``POST /api/label``        ``{"row", "label", "annotator", "claim_id"}``
``POST /api/undo``         ``{"annotator"}``: retract that annotator's last label
``GET /api/progress``      ``session.progress()``
``GET /api/curve``         ``session.curve()``
=========================  ====================================================

Safety rules: the server binds 127.0.0.1 unless told otherwise, and any
other address needs a ``token`` that every request must carry (the
``X-Skactive-Token`` header, or ``?token=`` on a GET, which the page passes
on to its own requests). On a loopback address, a request whose ``Host``
header is not a loopback name is refused (DNS rebinding). POST bodies must
be ``application/json`` (so a cross-site form cannot post, and a cross-site
script needs a CORS preflight, which is never granted) and at most 64 KiB.
A bad request gets a 4xx JSON ``{"error": ...}`` and changes nothing; pool
text is only ever sent as JSON strings and shown with ``textContent``, and
the page's Content-Security-Policy allows its own inline script only.
"""

import base64
import hashlib
import hmac
import ipaddress
import json
import logging
import math
import socket
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, quote, urlsplit

import numpy as np

__all__ = ["LabelingServer", "make_server", "serve"]

logger = logging.getLogger("skactive.labeling")

#: Largest POST body accepted, in bytes.
MAX_BODY = 64 * 1024
#: Bodies up to this size are read and dropped before a 413, so the client
#: sees the answer instead of a reset connection.
_MAX_DRAIN = 1024 * 1024
#: Longest annotator name accepted.
MAX_ANNOTATOR = 64
TOKEN_HEADER = "X-Skactive-Token"
KINDS = ("text", "image", "table")
_LOOPBACK_NAMES = {"localhost", "localhost.", "127.0.0.1", "::1"}


class _HTTPError(Exception):
    """A request answered with ``status`` and ``{"error": message}``."""

    def __init__(self, status, message):
        super().__init__(message)
        self.status = int(status)
        self.message = message


# -- the page -----------------------------------------------------------------

_CSS = """
:root { --fg: #1d2330; --muted: #5d6675; --line: #d8dde6; --accent: #2f6fd6;
        --bg: #f6f7f9; --card: #fff; }
* { box-sizing: border-box; }
body { margin: 0; font: 15px/1.45 system-ui, -apple-system, "Segoe UI", sans-serif;
       color: var(--fg); background: var(--bg); }
header { display: flex; align-items: center; justify-content: space-between;
         padding: 10px 20px; background: var(--card);
         border-bottom: 1px solid var(--line); }
header h1 { font-size: 17px; margin: 0; }
header label { color: var(--muted); font-size: 14px; }
header input { font: inherit; padding: 3px 6px; width: 12em; margin-left: 6px;
               border: 1px solid var(--line); border-radius: 4px; }
main { display: flex; gap: 20px; padding: 20px; flex-wrap: wrap; }
#left { flex: 1 1 480px; min-width: 320px; }
aside { flex: 0 1 380px; min-width: 300px; }
.card { background: var(--card); border: 1px solid var(--line); border-radius: 8px;
        padding: 16px; margin-bottom: 16px; }
#item { min-height: 160px; display: flex; align-items: center;
        justify-content: center; overflow: auto; }
#item .text { white-space: pre-wrap; word-break: break-word; font-size: 17px;
              width: 100%; max-height: 50vh; overflow: auto; }
#item canvas { image-rendering: pixelated; border: 1px solid var(--line); }
#item table { border-collapse: collapse; font-size: 14px; }
#item th, #item td { padding: 2px 10px; border-bottom: 1px solid var(--line);
                     text-align: left; }
#item th { color: var(--muted); font-weight: normal; }
#item td { font-variant-numeric: tabular-nums; }
#item .meta { color: var(--muted); }
#buttons { display: flex; flex-wrap: wrap; gap: 8px; }
button { font: inherit; padding: 8px 14px; border-radius: 6px; cursor: pointer;
         border: 1px solid var(--line); background: var(--card); color: var(--fg); }
#buttons button { border-color: var(--accent); min-width: 64px; }
#buttons button:hover:not(:disabled) { background: #e9f0fc; }
button:disabled { opacity: .45; cursor: default; }
kbd { font: 12px ui-monospace, monospace; color: var(--muted);
      border: 1px solid var(--line); border-radius: 3px; padding: 0 4px;
      margin-right: 6px; background: var(--bg); }
#actions { margin-top: 12px; display: flex; gap: 12px; align-items: center; }
#status { color: var(--muted); min-height: 1.45em; margin: 0; }
#status.error { color: #b3261e; }
#status.done { color: #1b7a3d; font-weight: 600; }
.bar { height: 10px; background: var(--bg); border: 1px solid var(--line);
       border-radius: 5px; overflow: hidden; margin: 6px 0; }
#bar-fill { height: 100%; width: 0; background: var(--accent);
            transition: width .2s; }
#progress-detail, .hint { color: var(--muted); font-size: 13px; }
#curve svg { width: 100%; height: auto; }
h2 { font-size: 14px; margin: 0 0 6px; color: var(--muted); font-weight: 600; }
"""

_JS = r"""
"use strict";
(() => {
  const $ = (id) => document.getElementById(id);
  const params = new URLSearchParams(location.search);
  const token = params.get("token");
  const nameInput = $("annotator");
  const itemBox = $("item"), buttonBox = $("buttons"), statusBox = $("status");
  let current = null, classes = null, busy = false, retry = null;
  let lastCurveKey = null;

  let stored = null;
  try { stored = localStorage.getItem("skactive.annotator"); } catch (e) {}
  nameInput.value = params.get("annotator") || stored ||
    ("annotator-" + Math.random().toString(36).slice(2, 6));
  const annotator = () => nameInput.value.trim().slice(0, 64);
  // data-busy on <body>: "1" while a request is out (keys are ignored then).
  const setBusy = (on) => { busy = on; document.body.dataset.busy = on ? "1" : "0"; };

  async function api(method, path, body) {
    const headers = {"Accept": "application/json"};
    if (token) headers["X-Skactive-Token"] = token;
    const init = {method, headers, cache: "no-store", credentials: "same-origin"};
    if (body !== undefined) {
      headers["Content-Type"] = "application/json";
      init.body = JSON.stringify(body);
    }
    const response = await fetch(path, init);
    let data = null;
    try { data = await response.json(); } catch (e) { data = {}; }
    if (!response.ok) {
      const error = new Error(data.error || ("HTTP " + response.status));
      error.status = response.status;
      throw error;
    }
    return data;
  }

  function setStatus(text, cls) {
    statusBox.textContent = text;
    statusBox.className = cls || "";
  }

  function el(tag, text, cls) {
    const node = document.createElement(tag);
    if (text !== undefined && text !== null) node.textContent = String(text);
    if (cls) node.className = cls;
    return node;
  }

  function buildButtons(list) {
    const key = JSON.stringify(list);
    if (classes !== null && JSON.stringify(classes) === key) return;
    classes = list;
    buttonBox.replaceChildren();
    list.forEach((value, i) => {
      const button = el("button");
      button.type = "button";
      button.dataset.label = String(value);
      if (i < 10) button.appendChild(el("kbd", String((i + 1) % 10)));
      button.appendChild(document.createTextNode(String(value)));
      button.addEventListener("click", () => submit(value));
      buttonBox.appendChild(button);
    });
  }

  function enable(on) {
    for (const b of buttonBox.querySelectorAll("button")) b.disabled = !on;
  }

  function drawImage(pixels, shape) {
    const h = shape[0], w = shape[1];
    const finite = pixels.filter((v) => typeof v === "number" && isFinite(v));
    const lo = finite.length ? Math.min(...finite) : 0;
    const hi = finite.length ? Math.max(...finite) : 1;
    const span = hi > lo ? hi - lo : 1;
    const small = document.createElement("canvas");
    small.width = w; small.height = h;
    const sctx = small.getContext("2d");
    const image = sctx.createImageData(w, h);
    for (let i = 0; i < w * h; i++) {
      const v = pixels[i];
      const g = (typeof v === "number" && isFinite(v))
        ? Math.round(255 * (v - lo) / span) : 0;
      image.data[4 * i] = image.data[4 * i + 1] = image.data[4 * i + 2] = g;
      image.data[4 * i + 3] = 255;
    }
    sctx.putImageData(image, 0, 0);
    const scale = Math.max(1, Math.floor(320 / Math.max(h, w)));
    const canvas = document.createElement("canvas");
    canvas.width = w * scale; canvas.height = h * scale;
    const ctx = canvas.getContext("2d");
    ctx.imageSmoothingEnabled = false;
    ctx.drawImage(small, 0, 0, canvas.width, canvas.height);
    return canvas;
  }

  function renderItem(data) {
    itemBox.replaceChildren();
    itemBox.dataset.row = String(data.row);
    if (data.kind === "text") {
      itemBox.appendChild(el("div", data.text, "text"));
    } else if (data.kind === "image") {
      itemBox.appendChild(drawImage(data.pixels, data.shape));
    } else {
      const table = el("table");
      for (const [name, value] of data.fields) {
        const tr = el("tr");
        tr.appendChild(el("th", name));
        tr.appendChild(el("td", value === null ? "" : value));
        table.appendChild(tr);
      }
      itemBox.appendChild(table);
    }
  }

  function renderProgress(p) {
    if (!p) return;
    const target = p.target || p.budget || 0;
    const done = p.n_labeled || 0;
    $("progress-text").textContent = done + " / " + target + " labels";
    $("bar-fill").style.width = (target ? Math.min(100, 100 * done / target) : 0) + "%";
    $("progress-detail").textContent = "round " + p.round + ", " +
      (p.n_claimed || 0) + " being labeled now";
    const key = p.round + ":" + done;
    if (key !== lastCurveKey) { lastCurveKey = key; loadCurve(); }
  }

  async function loadCurve() {
    try {
      drawCurve(await api("GET", "/api/curve"));
    } catch (e) { /* the curve is a nicety; the status shows real errors */ }
  }

  function drawCurve(points) {
    const box = $("curve");
    const pts = (points || []).filter((p) => typeof p.score === "number");
    if (!pts.length) {
      box.replaceChildren(el("p", "The learning curve appears after the " +
        "first rounds (with an evaluation set).", "hint"));
      return;
    }
    const NS = "http://www.w3.org/2000/svg";
    const W = 340, H = 200, L = 40, R = 10, T = 10, B = 30;
    const xs = pts.map((p) => p.n_labeled), ys = pts.map((p) => p.score);
    let x0 = Math.min(...xs), x1 = Math.max(...xs);
    if (x1 === x0) { x0 -= 1; x1 += 1; }
    let y0 = Math.min(...ys), y1 = Math.max(...ys);
    if (y1 - y0 < 0.05) { y0 -= 0.025; y1 += 0.025; }
    const sx = (x) => L + (W - L - R) * (x - x0) / (x1 - x0);
    const sy = (y) => T + (H - T - B) * (1 - (y - y0) / (y1 - y0));
    const svg = document.createElementNS(NS, "svg");
    svg.setAttribute("viewBox", "0 0 " + W + " " + H);
    svg.setAttribute("role", "img");
    const add = (tag, attrs, text) => {
      const node = document.createElementNS(NS, tag);
      for (const k in attrs) node.setAttribute(k, attrs[k]);
      if (text !== undefined) node.textContent = text;
      svg.appendChild(node);
      return node;
    };
    add("line", {x1: L, y1: H - B, x2: W - R, y2: H - B, stroke: "#999"});
    add("line", {x1: L, y1: T, x2: L, y2: H - B, stroke: "#999"});
    const label = {"font-size": 11, fill: "#5d6675"};
    add("text", Object.assign({x: L - 4, y: sy(y1) + 4, "text-anchor": "end"}, label),
        y1.toFixed(2));
    add("text", Object.assign({x: L - 4, y: sy(y0) + 4, "text-anchor": "end"}, label),
        y0.toFixed(2));
    add("text", Object.assign({x: L, y: H - B + 14, "text-anchor": "middle"}, label),
        String(x0));
    add("text", Object.assign({x: W - R, y: H - B + 14, "text-anchor": "end"}, label),
        String(x1));
    add("text", Object.assign({x: (L + W - R) / 2, y: H - 4,
                               "text-anchor": "middle"}, label), "labels");
    add("polyline", {fill: "none", stroke: "#2f6fd6", "stroke-width": 2,
                     points: pts.map((p) => sx(p.n_labeled) + "," + sy(p.score))
                       .join(" ")});
    for (const p of pts) {
      add("circle", {cx: sx(p.n_labeled), cy: sy(p.score), r: 3, fill: "#2f6fd6"})
        .appendChild(document.createElementNS(NS, "title")).textContent =
          p.n_labeled + " labels: " + p.score.toFixed(3);
    }
    box.replaceChildren(svg);
  }

  function schedule(ms) {
    clearTimeout(retry);
    retry = setTimeout(loadNext, ms);
  }

  async function loadNext() {
    clearTimeout(retry);
    const name = annotator();
    if (!name) { setStatus("Enter your name to start.", "error"); return; }
    setBusy(true);
    try {
      const data = await api("GET", "/api/next?annotator=" + encodeURIComponent(name));
      if (data.classes) buildButtons(data.classes);
      renderProgress(data.progress);
      if (data.row === undefined || data.row === null) {
        current = null;
        itemBox.replaceChildren();
        delete itemBox.dataset.row;
        enable(false);
        const p = data.progress || {};
        if (p.done) {
          setStatus("Done: " + (p.stop_reason || "the labeling is complete") +
                    ". Thank you!", "done");
        } else {
          setStatus("Nothing to label right now (the other annotators hold " +
                    "the open items, or the model is updating); checking again...");
          schedule(3000);
        }
        return;
      }
      current = data;
      renderItem(data);
      enable(true);
    } catch (e) {
      current = null;
      enable(false);
      setStatus("Could not load the next item: " + e.message + "; retrying...",
                "error");
      schedule(5000);
    } finally {
      setBusy(false);
    }
  }

  async function submit(value) {
    if (busy || !current) return;
    // A clicked button keeps no focus: Space or Enter must not label the next item.
    if (document.activeElement && document.activeElement !== nameInput) {
      document.activeElement.blur();
    }
    setBusy(true);
    enable(false);
    const item = current;
    try {
      const data = await api("POST", "/api/label", {
        row: item.row, label: value, annotator: annotator(),
        claim_id: item.claim_id});
      setStatus("Saved: item " + item.row + " is " + String(value) +
                (data.label && data.label.late ? " (after your claim had " +
                 "expired; kept all the same)." : "."));
      renderProgress(data.progress);
    } catch (e) {
      if (e.status === 409 || e.status === 404) {
        setStatus("That item was no longer yours (" + e.message +
                  "); here is the next one.", "error");
      } else {
        setStatus("Not saved: " + e.message, "error");
        setBusy(false);
        enable(true);
        return;
      }
    }
    setBusy(false);
    await loadNext();
  }

  async function undo() {
    if (busy) return;
    setBusy(true);
    try {
      const data = await api("POST", "/api/undo", {annotator: annotator()});
      renderProgress(data.progress);
      if (data.undone) {
        setStatus("Undone: the label " + String(data.undone.label) + " of item " +
                  data.undone.row + ".");
      } else {
        setStatus("Nothing to undo.");
        setBusy(false);
        return;
      }
    } catch (e) {
      setStatus("Undo failed: " + e.message, "error");
      setBusy(false);
      return;
    }
    setBusy(false);
    await loadNext();
  }

  $("undo").addEventListener("click", undo);
  nameInput.addEventListener("change", () => {
    try { localStorage.setItem("skactive.annotator", annotator()); } catch (e) {}
    loadNext();
  });
  document.addEventListener("keydown", (event) => {
    if (event.target === nameInput || event.ctrlKey || event.metaKey || event.altKey) {
      return;
    }
    if (event.key === "u" || event.key === "Backspace") {
      event.preventDefault();
      undo();
      return;
    }
    if (/^[0-9]$/.test(event.key) && classes) {
      const i = (Number(event.key) + 9) % 10;  // 1..9 then 0 for the tenth
      if (i < classes.length) { event.preventDefault(); submit(classes[i]); }
    }
  });
  try { localStorage.setItem("skactive.annotator", annotator()); } catch (e) {}
  loadNext();
})();
"""

_HTML = """<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="referrer" content="no-referrer">
<title>skactive labeling</title>
<style>{css}</style>
</head>
<body>
<header>
  <h1>skactive labeling</h1>
  <label>Annotator <input id="annotator" maxlength="64" autocomplete="off"
    spellcheck="false"></label>
</header>
<main>
  <section id="left">
    <div class="card"><div id="item" aria-live="polite"></div></div>
    <div id="buttons"></div>
    <div id="actions">
      <button id="undo" type="button"
        title="Undo your last label (u or Backspace)"><kbd>u</kbd>Undo</button>
      <p id="status" role="status"></p>
    </div>
    <p class="hint">Keys 1-9 and 0 pick a label; u or Backspace undoes your last one.
      Every label is saved at once: closing the page loses nothing.</p>
  </section>
  <aside>
    <div class="card" id="progress">
      <h2>Progress</h2>
      <div id="progress-text">0 / 0 labels</div>
      <div class="bar"><div id="bar-fill"></div></div>
      <div id="progress-detail"></div>
    </div>
    <div class="card">
      <h2>Learning curve</h2>
      <div id="curve"></div>
    </div>
  </aside>
</main>
<script>{js}</script>
</body>
</html>
"""


def _csp_hash(source):
    digest = hashlib.sha256(source.encode("utf-8")).digest()
    return "'sha256-" + base64.b64encode(digest).decode("ascii") + "'"


PAGE = _HTML.format(css=_CSS, js=_JS).encode("utf-8")
#: Only the page's own inline script and style may run; it may only talk to
#: this server.
CSP = (
    "default-src 'none'; "
    f"script-src {_csp_hash(_JS)}; "
    f"style-src {_csp_hash(_CSS)}; "
    "connect-src 'self'; img-src 'self'; base-uri 'none'; form-action 'none'; "
    "frame-ancestors 'none'"
)


# -- items ----------------------------------------------------------------------

def _is_text_pool(X):
    if isinstance(X, (list, tuple)):
        return len(X) > 0 and all(isinstance(x, str) for x in X)
    if hasattr(X, "iloc") and getattr(X, "ndim", 2) == 1:  # a pandas Series
        return len(X) > 0 and all(isinstance(x, str) for x in X)
    arr = X if isinstance(X, np.ndarray) else None
    if arr is not None and arr.ndim == 1 and arr.dtype.kind in "OUS":
        return len(arr) > 0 and all(isinstance(x, (str, np.str_)) for x in arr)
    return False


def _n_features(X):
    shape = getattr(X, "shape", None)
    if shape is not None and len(shape) == 2:
        return int(shape[1])
    return None


def _n_rows(X):
    shape = getattr(X, "shape", None)
    return int(shape[0]) if shape is not None else len(X)


def _detect_kind(X, kind, image_shape):
    """``(kind, image_shape)`` for the pool ``X``."""
    if kind is not None and kind not in KINDS:
        raise ValueError(f"kind must be one of {', '.join(KINDS)} or None, got "
                         f"{kind!r}.")
    if kind == "text" or (kind is None and image_shape is None and _is_text_pool(X)):
        if not _is_text_pool(X):
            raise ValueError("kind='text' needs a pool of strings (a list of "
                             "documents).")
        return "text", None
    n_features = _n_features(X)
    if n_features is None:
        raise ValueError("The pool must be a list of documents or a 2-D array "
                         f"of features; got {type(X).__name__}.")
    if image_shape is not None:
        shape = tuple(int(s) for s in image_shape)
        if len(shape) != 2 or min(shape) < 1 or shape[0] * shape[1] != n_features:
            raise ValueError(
                f"image_shape={tuple(image_shape)!r} must be (height, width) with "
                f"height * width equal to the {n_features} features of a row.")
        if kind not in (None, "image"):
            raise ValueError(f"image_shape is given but kind={kind!r}.")
        return "image", shape
    side = math.isqrt(n_features)
    square = n_features >= 64 and side * side == n_features
    if kind == "image":
        if not square:
            raise ValueError(
                f"kind='image' needs image_shape=(height, width): the "
                f"{n_features} features of a row are not a square image.")
        return "image", (side, side)
    if kind is None and square:
        return "image", (side, side)
    return "table", None


def _plain(value):
    """A JSON-safe python value (numpy scalars unwrapped; NaN, inf as text)."""
    if isinstance(value, np.generic):
        value = value.item()
    if isinstance(value, float) and not math.isfinite(value):
        return str(value)
    if isinstance(value, (str, int, float, bool)) or value is None:
        return value
    return str(value)


def _json_default(obj):
    if isinstance(obj, np.ndarray):
        return obj.tolist()
    if isinstance(obj, np.generic):
        return obj.item()
    if isinstance(obj, (set, frozenset, tuple)):
        return list(obj)
    if hasattr(obj, "__dict__"):
        return {k: v for k, v in vars(obj).items() if not k.startswith("_")}
    return str(obj)


def _finite(obj):
    """Replace non-finite floats (invalid JSON) by None, recursively."""
    if isinstance(obj, float):
        return obj if math.isfinite(obj) else None
    if isinstance(obj, dict):
        return {k: _finite(v) for k, v in obj.items()}
    if isinstance(obj, (list, tuple)):
        return [_finite(v) for v in obj]
    if isinstance(obj, np.generic):
        return _finite(obj.item())
    return obj


def _record(rec):
    if rec is None:
        return None
    out = {}
    for key in ("id", "row", "label", "annotator", "time", "late", "kind"):
        if hasattr(rec, key):
            out[key] = _plain(getattr(rec, key))
    return out


def _match_label(value, classes):
    """Index of the class ``value`` means: the same value, or its string form."""
    if isinstance(value, (dict, list)):
        raise _HTTPError(422, f"label must be one of the classes "
                              f"{_classes_text(classes)}, got {value!r}.")
    for i, c in enumerate(classes):
        if type(c) is type(value) and c == value:
            return i
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        for i, c in enumerate(classes):
            if isinstance(c, (int, float)) and not isinstance(c, bool) and c == value:
                return i
    text = value if isinstance(value, str) else json.dumps(value)
    for i, c in enumerate(classes):
        if str(c) == text:
            return i
    raise _HTTPError(422, f"label {value!r} is not one of the classes "
                          f"{_classes_text(classes)}.")


def _classes_text(classes):
    return "[" + ", ".join(map(repr, classes)) + "]"


# -- the server -----------------------------------------------------------------

def _is_loopback(host):
    if host in _LOOPBACK_NAMES:
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


def _host_name(header):
    """The host part of a ``Host`` header (``[::1]:80`` -> ``::1``)."""
    header = header.strip().lower()
    if header.startswith("["):
        end = header.find("]")
        return header[1:end] if end > 0 else header
    if header.count(":") == 1:
        header = header.split(":", 1)[0]
    return header


class LabelingServer(ThreadingHTTPServer):
    """HTTP server of one :class:`LabelingSession` (built by :func:`make_server`).

    Attributes
    ----------
    session : LabelingSession
        The session every request reads and writes.
    url : str
        The page's address (with ``?token=`` when a token is set).
    kind : {"text", "image", "table"}
        How items are shown.
    lock : threading.Lock
        Held around every call into the session: requests are served by
        threads, the session sees one at a time.
    """

    daemon_threads = True
    allow_reuse_address = True

    def __init__(self, session, host, port, *, token, kind, image_shape,
                 feature_names):
        self.session = session
        self.host = host
        self.token = token
        self.lock = threading.Lock()
        X = session.X
        self.kind, self.image_shape = _detect_kind(X, kind, image_shape)
        self.loopback = _is_loopback(host)
        if self.kind == "table":
            n_features = _n_features(X)
            if feature_names is None:
                columns = getattr(X, "columns", None)
                if columns is None:
                    columns = getattr(session, "feature_names", None)
                feature_names = (list(columns) if columns is not None
                                 else [f"x{j}" for j in range(n_features)])
            feature_names = [str(n) for n in feature_names]
            if len(feature_names) != n_features:
                raise ValueError(
                    f"feature_names has {len(feature_names)} names for "
                    f"{n_features} features.")
        self.feature_names = feature_names
        self._classes = [_plain(c) for c in session.classes]
        if ":" in host.strip("[]"):
            self.address_family = socket.AF_INET6
        super().__init__((host.strip("[]"), port), _Handler)

    @property
    def port(self):
        return self.server_address[1]

    @property
    def url(self):
        host = self.host.strip("[]")
        if host in ("0.0.0.0", "::", ""):
            host = socket.gethostname()
        if ":" in host:
            host = f"[{host}]"
        url = f"http://{host}:{self.port}/"
        if self.token:
            url += "?token=" + quote(self.token, safe="")
        return url

    # -- what the routes answer ------------------------------------------------
    def item_payload(self, row):
        X = self.session.X
        if self.kind == "text":
            return {"text": str(X[row])}
        if hasattr(X, "iloc"):
            values = X.iloc[row].to_numpy()
        elif hasattr(X, "toarray"):  # a sparse matrix
            values = X[row].toarray()
        else:
            values = X[row]
        values = np.asarray(values).ravel()
        if self.kind == "image":
            pixels = [v if math.isfinite(v) else None
                      for v in values.astype(float).tolist()]
            return {"pixels": pixels, "shape": list(self.image_shape)}
        return {"fields": [[name, _plain(v)]
                           for name, v in zip(self.feature_names, values)]}

    def classes(self):
        return self._classes

    def serve_until_interrupted(self, open_browser=False):
        """Serve until Ctrl-C (KeyboardInterrupt), then close the socket.

        Parameters
        ----------
        open_browser : bool, default=False
            Open the page in the default browser first.
        """
        if open_browser:
            import webbrowser

            threading.Thread(target=webbrowser.open, args=(self.url,),
                             daemon=True).start()
        try:
            self.serve_forever()
        except KeyboardInterrupt:
            pass
        finally:
            self.server_close()


class _Handler(BaseHTTPRequestHandler):
    server_version = "skactive-labeling"
    sys_version = ""
    protocol_version = "HTTP/1.0"
    timeout = 30  # seconds a client may take to send its request
    error_content_type = "application/json"
    error_message_format = '{"error": "%(code)d %(message)s"}'

    # -- plumbing -------------------------------------------------------------
    def log_message(self, format, *args):  # noqa: A002 - the base's signature
        # No access log: the query string may hold the token.
        pass

    def _send(self, status, body, content_type, extra=()):
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body)))
        self.send_header("Cache-Control", "no-store")
        self.send_header("X-Content-Type-Options", "nosniff")
        self.send_header("X-Frame-Options", "DENY")
        self.send_header("Referrer-Policy", "no-referrer")
        self.send_header("Cross-Origin-Resource-Policy", "same-origin")
        for key, value in extra:
            self.send_header(key, value)
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(body)

    def _json(self, status, obj, extra=()):
        text = json.dumps(_finite(obj), default=_json_default, allow_nan=False)
        # <, > and & only occur inside JSON strings, where \u escapes mean the
        # same: no pool text reaches the client as markup, even if the JSON
        # were ever sniffed as HTML.
        body = (text.replace("<", "\\u003c").replace(">", "\\u003e")
                .replace("&", "\\u0026").encode("utf-8"))
        self._send(status, body, "application/json; charset=utf-8", extra)

    def _error(self, status, message, extra=()):
        self._json(status, {"error": message}, extra)

    def _dispatch(self, method):
        try:
            self._check_access()
            self._route(method)
        except _HTTPError as exc:
            self.close_connection = True
            self._error(exc.status, exc.message)
        except (BrokenPipeError, ConnectionResetError):
            self.close_connection = True
        except Exception:  # a bug: log it here, no traceback to the client
            logger.exception("labeling server: error in %s %s", method,
                             urlsplit(self.path).path)
            self.close_connection = True
            try:
                self._error(500, "internal server error; the server's log "
                                 "has the details")
            except OSError:
                pass

    def do_GET(self):  # noqa: N802 - http.server's naming
        self._dispatch("GET")

    def do_POST(self):  # noqa: N802
        self._dispatch("POST")

    def _not_allowed(self):
        self.close_connection = True
        self._error(405, f"method {self.command} is not allowed; use GET or POST",
                    extra=[("Allow", "GET, POST")])

    do_PUT = do_DELETE = do_PATCH = do_OPTIONS = do_HEAD = _not_allowed

    # -- checks -----------------------------------------------------------------
    def _check_access(self):
        server = self.server
        if server.loopback:
            host = self.headers.get("Host")
            name = None if host is None else _host_name(host)
            if name is None or (not _is_loopback(name)
                                and name != server.host.strip("[]").lower()):
                raise _HTTPError(403, "the Host header must name this machine "
                                      "(localhost or 127.0.0.1)")
        if server.token:
            given = self.headers.get(TOKEN_HEADER)
            if given is None and self.command == "GET":
                values = parse_qs(urlsplit(self.path).query).get("token")
                given = values[-1] if values else None
            if given is None or not hmac.compare_digest(
                    given.encode("utf-8"), server.token.encode("utf-8")):
                raise _HTTPError(403, "missing or wrong token: open the URL "
                                      "that the server printed, with ?token=")

    def _query(self):
        return parse_qs(urlsplit(self.path).query, keep_blank_values=True)

    def _read_json(self):
        ctype = self.headers.get("Content-Type", "")
        if ctype.split(";", 1)[0].strip().lower() != "application/json":
            self._drain()
            raise _HTTPError(400, "the body must be JSON with Content-Type: "
                                  "application/json")
        if self.headers.get("Transfer-Encoding"):
            raise _HTTPError(400, "send the body with a Content-Length, not "
                                  "chunked")
        length = self.headers.get("Content-Length")
        try:
            length = int(length)
            if length < 0:
                raise ValueError
        except (TypeError, ValueError):
            raise _HTTPError(400, "a Content-Length header is required") from None
        if length > MAX_BODY:
            self._drain(length)
            raise _HTTPError(413, f"the body is {length} bytes; at most "
                                  f"{MAX_BODY} are accepted")
        raw = self.rfile.read(length)
        if len(raw) != length:
            raise _HTTPError(400, "the body is shorter than its Content-Length")
        try:
            data = json.loads(raw.decode("utf-8"))
        except (UnicodeDecodeError, ValueError):
            raise _HTTPError(400, "the body is not valid JSON") from None
        if not isinstance(data, dict):
            raise _HTTPError(400, "the body must be a JSON object")
        return data

    def _drain(self, length=None):
        """Read (and drop) a body we refuse, so the client sees our answer."""
        if length is None:
            try:
                length = int(self.headers.get("Content-Length") or 0)
            except ValueError:
                return
        remaining = min(max(length, 0), _MAX_DRAIN)
        try:
            while remaining > 0:
                chunk = self.rfile.read(min(remaining, 65536))
                if not chunk:
                    break
                remaining -= len(chunk)
        except OSError:
            pass

    @staticmethod
    def _annotator(value):
        if not isinstance(value, str) or not value.strip():
            raise _HTTPError(400, "annotator is required: a non-empty name")
        value = value.strip()
        if len(value) > MAX_ANNOTATOR or not value.isprintable():
            raise _HTTPError(400, f"annotator must be a printable name of at "
                                  f"most {MAX_ANNOTATOR} characters")
        return value

    # -- routes -----------------------------------------------------------------
    def _route(self, method):
        path = urlsplit(self.path).path
        routes = {
            ("GET", "/"): self._page,
            ("GET", "/api/next"): self._next,
            ("GET", "/api/progress"): self._progress,
            ("GET", "/api/curve"): self._curve,
            ("POST", "/api/label"): self._label,
            ("POST", "/api/undo"): self._undo,
        }
        handler = routes.get((method, path))
        if handler is None:
            if any(p == path for _, p in routes):
                self._drain()
                raise _HTTPError(405, f"{path} does not take {method}")
            self._drain()
            raise _HTTPError(404, "not found")
        handler()

    def _page(self):
        self._send(200, PAGE, "text/html; charset=utf-8",
                   extra=[("Content-Security-Policy", CSP)])

    def _call(self, fn, *args, **kwargs):
        """``fn(*args, **kwargs)`` and the progress, under the session lock; a
        ``LabelingError`` becomes its 4xx answer."""
        errors = _package()
        server = self.server
        try:
            with server.lock:
                result = fn(*args, **kwargs)
                return result, server.session.progress()
        except errors.LabelingError as exc:
            raise _HTTPError(_status_of(exc), str(exc)) from None

    def _next(self):
        values = self._query().get("annotator")
        annotator = self._annotator(values[-1] if values else None)
        server = self.server
        claims, progress = self._call(server.session.next_items, annotator, n=1)
        out = {"progress": progress, "classes": server.classes()}
        if not claims:
            out["item"] = None
            self._json(200, out)
            return
        claim = claims[0]
        row = int(claim.row)
        out.update({"row": row, "claim_id": str(claim.claim_id),
                    "expires_at": _plain(getattr(claim, "expires_at", None)),
                    "kind": server.kind})
        out.update(server.item_payload(row))
        self._json(200, out)

    def _progress(self):
        progress = self._call(lambda: None)[1]
        self._json(200, progress)

    def _curve(self):
        self._json(200, self._call(self.server.session.curve)[0])

    def _label(self):
        data = self._read_json()
        missing = [k for k in ("row", "label", "annotator")
                   if data.get(k) is None]
        if missing:
            raise _HTTPError(400, f"missing field(s): {', '.join(missing)}; send "
                                  '{"row", "label", "annotator", "claim_id"}')
        annotator = self._annotator(data["annotator"])
        row = data["row"]
        if isinstance(row, str) and row.strip().isdigit():
            row = int(row)
        if isinstance(row, bool) or not isinstance(row, int):
            raise _HTTPError(400, f"row must be an integer, got {row!r}")
        claim_id = data.get("claim_id")
        if claim_id is not None and not isinstance(claim_id, str):
            raise _HTTPError(400, "claim_id must be a string (from /api/next)")
        server = self.server
        session = server.session
        n_rows = _n_rows(session.X)
        if not 0 <= row < n_rows:
            raise _HTTPError(404, f"row {row} is not in the pool (0 to "
                                  f"{n_rows - 1})")
        index = _match_label(data["label"], server.classes())
        # The session's own class object (not its JSON form) goes in the store.
        label = session.classes[index]
        record, progress = self._call(session.label, row, label,
                                      annotator=annotator, claim_id=claim_id)
        self._json(200, {"label": _record(record), "progress": progress})

    def _undo(self):
        data = self._read_json()
        annotator = self._annotator(data.get("annotator"))
        record, progress = self._call(self.server.session.undo, annotator)
        self._json(200, {"undone": _record(record), "progress": progress})


def _package():
    """``skactive.labeling``, which defines the session's errors."""
    from .. import labeling

    return labeling


def _status_of(exc):
    """The HTTP status of a session's ``LabelingError``."""
    errors = _package()
    for name, status in (("StaleClaimError", 409), ("InvalidLabelError", 422),
                         ("UnknownItemError", 404)):
        cls = getattr(errors, name, None)
        if cls is not None and isinstance(exc, cls):
            return status
    return 400


def make_server(session, host="127.0.0.1", port=0, *, token=None, kind=None,
                image_shape=None, feature_names=None):
    """An HTTP server with the annotator page of ``session``.

    Parameters
    ----------
    session : LabelingSession
        The session the page labels.
    host : str, default="127.0.0.1"
        Address to bind. Any address other than a loopback one (127.0.0.1,
        ::1, localhost) needs ``token``.
    port : int, default=0
        Port to bind; 0 picks a free one (see ``server.url``).
    token : str or None, default=None
        Shared secret: when set, every request must carry it, in the
        ``X-Skactive-Token`` header or as ``?token=`` on a GET (the page's
        URL, ``server.url``, holds it).
    kind : {"text", "image", "table"} or None, default=None
        How an item is shown; None detects it: documents (str) are text; a
        row of a perfect-square number of features, at least 64 (digits'
        8x8), or any row when ``image_shape`` is given, is a grayscale
        image; anything else a table of feature names and values.
    image_shape : tuple (height, width) or None, default=None
        Shape of an image row.
    feature_names : list of str or None, default=None
        Names of a table row's features; default: the DataFrame's columns,
        else ``x0, x1, ...``.

    Returns
    -------
    server : LabelingServer
        Bound and listening; call ``serve_forever()`` (in a thread, for
        tests), then ``shutdown()`` and ``server_close()``.

    Raises
    ------
    ValueError
        An address other than loopback without a token, or a ``kind`` or
        ``image_shape`` that does not fit the pool.
    OSError
        The address cannot be bound (e.g. the port is in use).
    """
    if not isinstance(host, str) or not host:
        raise ValueError(f"host must be a non-empty str, got {host!r}.")
    if token is not None and (not isinstance(token, str) or not token):
        raise ValueError("token must be a non-empty str or None.")
    if token is None and not _is_loopback(host.strip("[]")):
        raise ValueError(
            f"host={host!r} is reachable from other machines: pass a token "
            "(token=...; --token on the command line) that every request must "
            "carry, or bind 127.0.0.1.")
    return LabelingServer(session, host, port, token=token, kind=kind,
                          image_shape=image_shape, feature_names=feature_names)


def serve(session, host="127.0.0.1", port=0, *, token=None, kind=None,
          image_shape=None, feature_names=None, open_browser=False):
    """Serve the annotator page of ``session`` until Ctrl-C.

    Prints the page's URL; see :func:`make_server` for the parameters.
    Returns when interrupted, after closing the server (the session stays
    open: close it yourself).
    """
    server = make_server(session, host, port, token=token, kind=kind,
                         image_shape=image_shape, feature_names=feature_names)
    print(f"Labeling page: {server.url} (Ctrl-C to stop)", flush=True)
    server.serve_until_interrupted(open_browser)
