"""Cost of ALIL against IALE: one query, and one DAgger episode.

The paper of IALE (Löffler & Mutschler, Sec. 4.2) reports ALIL's training
at 215 minutes per epoch against IALE's 6: ALIL's expert retrains the
classifier once per candidate for every single label, IALE's once per
heuristic for a batch. Both run here on the same source task, the movie
snippets of :func:`skactive.datasets.load_sentiment` with the text CNN on
fixed word vectors (``scripts/alil_setup.py``):

* ``test_alil_query_cost``: one query (batch of 10) on a pool of 10^4
  snippets with a CNN trained on 100 of them, through ``refit=False``:
  ALIL scoring the whole pool (one forward pass, the state, the policy
  MLP), ALIL on 5 random candidates, entropy (one forward pass), and IALE
  with its shipped policy (which needs the 128-filter CNN).
* ``test_dagger_episode_cost``: one DAgger episode from 2 to 22 labels:
  ALIL (5 roll-outs per label, one label per step) and IALE (six expert
  roll-outs per step on 100 candidates, batches of 10), seconds per
  episode and per label.
"""

import sys
import time
from pathlib import Path

import numpy as np
import pytest

from _common import SCALE, scaled

torch = pytest.importorskip("torch")

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "scripts"))

from alil_setup import domain_tokens, text_cnn  # noqa: E402

from skactive import UncertaintySampling  # noqa: E402
from skactive.policies import (  # noqa: E402
    ALILExpert,
    ALILState,
    ALILStrategy,
    DAgger,
    IALEExpert,
    IALEState,
    IALEStrategy,
    PolicyMLP,
)


@pytest.fixture(scope="module")
def movies():
    X, y, _ = domain_tokens("movies")
    return X, y


@pytest.mark.benchmark(group="alil-query")
def test_alil_query_cost(movies, paired, report):
    X, y = movies
    n = scaled(10_000)
    rng = np.random.default_rng(0)
    X_pool = X[rng.integers(100, X.shape[0], n)]
    X_lab, y_lab = X[:100], y[:100]
    net = text_cnn(random_state=0).fit(X_lab, y_lab)
    net128 = text_cnn(random_state=0, n_filters=128).fit(X_lab, y_lab)
    alil = ALILStrategy(net, refit=False, random_state=0).fit(X_lab, y_lab)
    alil5 = ALILStrategy(net, n_candidates=5, refit=False, random_state=0).fit(X_lab, y_lab)
    ent = UncertaintySampling(net, refit=False, random_state=0).fit(X_lab, y_lab)
    iale = IALEStrategy(net128, policy="digits-cnn", n_candidates=n, refit=False,
                        random_state=0).fit(X_lab, y_lab)
    res = paired(
        lambda: alil.query(X_pool, batch_size=10),
        {"alil_k5": lambda: alil5.query(X_pool, batch_size=5),
         "entropy": lambda: ent.query(X_pool, batch_size=10),
         "iale": lambda: iale.query(X_pool, batch_size=10)},
        rounds=5, warmup_rounds=1,
    )
    assert res.result.shape == (10,)
    report(
        "alil-query",
        f"text CNN, pool n={n:,}, batch 10",
        {
            "alil_ms": 1e3 * res.median(),
            "alil_k5_ms": 1e3 * res.median("alil_k5"),
            "entropy_ms": 1e3 * res.median("entropy"),
            "iale_ms": 1e3 * res.median("iale"),
            "ratio_vs_entropy": res.ratio("entropy"),
            "ratio": res.ratio("iale"),
        },
        target=("ratio", 2.0),
    )


def _episode(movies, method, budget):
    X, y = movies
    if method == "alil":
        d = DAgger(PolicyMLP((16,), loss="softmax", max_epochs=1), ALILExpert(),
                   ALILState(), text_cnn(), n_episodes=1, budget=budget,
                   batch_size=1, n_candidates=5, initial_size=2,
                   validation_size=1000, random_state=0)
    else:
        d = DAgger(PolicyMLP((16,), max_epochs=1), IALEExpert(),
                   IALEState("reduced", nearest_labeled=True), text_cnn(),
                   n_episodes=1, budget=budget, batch_size=min(10, budget - 2),
                   n_candidates=100, initial_size=2, validation_size=1000,
                   random_state=0)
    t0 = time.perf_counter()
    d.fit(X, y)
    return time.perf_counter() - t0


@pytest.mark.benchmark(group="alil-episode")
def test_dagger_episode_cost(movies, benchmark, report):
    budget = 22 if SCALE >= 1 else 4
    iale = _episode(movies, "iale", budget)
    alil = benchmark.pedantic(_episode, args=(movies, "alil", budget), rounds=1,
                              iterations=1)
    labels = budget - 2
    report(
        "alil-episode",
        f"movies, text CNN, 2 -> {budget} labels",
        {
            "alil_s": alil,
            "iale_s": iale,
            "alil_s_per_label": alil / labels,
            "iale_s_per_label": iale / labels,
            "ratio": alil / iale,
        },
    )
