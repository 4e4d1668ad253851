"""Cost of one IALE query against entropy and MC-dropout on the same network.

The paper (Sec. 4.2) argues that IALE is cheap at query time: two
inferences (labeled set and candidates) instead of MC-dropout's 20 passes or
an ensemble's 5 networks. Here one image CNN, trained on 200 ``load_digits``
samples, serves all strategies through ``refit=False``, and only ``query``
(batch of 10) is timed on a pool of 10^4 rows in which *every* row is
scored (``n_candidates`` = pool size; the default subset is 100 rows):

* ``UncertaintySampling(net, measure="entropy")``: one forward pass;
* ``MCDropout(net, measure="variation_ratio", n_samples=20)``: 20 passes;
* ``IALEStrategy(net)`` with the shipped policy: embedding and
  probabilities of the pool (two passes), the reduced state with the
  distance to the nearest of the 200 labeled embeddings, and the policy
  MLP (NumPy).

Targets: IALE / MC-dropout < 1 (the paper's claim) and IALE / entropy
reported.
"""

import numpy as np
import pytest
from sklearn.datasets import load_digits

from _common import scaled

torch = pytest.importorskip("torch")

from skactive import MCDropout, UncertaintySampling  # noqa: E402
from skactive.nets import make_image_cnn  # noqa: E402
from skactive.policies import IALEStrategy  # noqa: E402


@pytest.fixture(scope="module")
def digits_net():
    X, y = load_digits(return_X_y=True)
    X = (X / 16.0).astype(np.float32)
    net = make_image_cnn(max_epochs=10, random_state=0, device="cpu")
    return X, y, net.fit(X[:200], y[:200])


@pytest.mark.benchmark(group="iale-query")
def test_iale_query_cost(digits_net, paired, report):
    X, y, net = digits_net
    n = scaled(10_000)
    rng = np.random.default_rng(0)
    X_pool = np.clip(X[rng.integers(200, X.shape[0], n)]
                     + 0.05 * rng.standard_normal((n, 64)), 0, 1).astype(np.float32)
    X_lab, y_lab = X[:200], y[:200]
    iale = IALEStrategy(net, n_candidates=n, refit=False,
                        random_state=0).fit(X_lab, y_lab)
    ent = UncertaintySampling(net, refit=False, random_state=0).fit(X_lab, y_lab)
    mc = MCDropout(net, measure="variation_ratio", n_samples=20, refit=False,
                   random_state=0).fit(X_lab, y_lab)
    res = paired(
        lambda: iale.query(X_pool, batch_size=10),
        {"entropy": lambda: ent.query(X_pool, batch_size=10),
         "mc_dropout": lambda: mc.query(X_pool, batch_size=10)},
        rounds=5, warmup_rounds=1,
    )
    assert res.result.shape == (10,)
    report(
        "iale-query",
        f"image CNN, pool n={n:,}, batch 10",
        {
            "iale_ms": 1e3 * res.median(),
            "entropy_ms": 1e3 * res.median("entropy"),
            "mc_dropout_ms": 1e3 * res.median("mc_dropout"),
            "ratio_vs_entropy": res.ratio("entropy"),
            "ratio": res.ratio("mc_dropout"),
        },
        target=("ratio", 1.0),
    )
