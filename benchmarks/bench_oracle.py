"""Evaluations per second of the optimal-order search against a naive one.

``OptimalOrderSearch`` caches the validation score of every prefix (batch
sequence) it has trained on, so a proposal retrains only the points of the
curve from its first changed batch on. The naive search (``cache_size=0``,
what a straightforward implementation does) retrains the whole curve for
every proposal. Both run the same seeded
annealing on ``load_digits`` with ``LogisticRegression``, so they visit the
same orders and must find the same qualities; the benchmark reports the time
per evaluated order, the evaluations per second and the ratio (target:
cached / naive <= 0.75, i.e. at least a third faster).
"""

import numpy as np
import pytest
from sklearn.datasets import load_digits
from sklearn.linear_model import LogisticRegression

from _common import SCALE

from skactive.oracle import OptimalOrderSearch


@pytest.fixture(scope="module")
def digits_problem():
    X, y = load_digits(return_X_y=True)
    X = X / 16.0
    rng = np.random.default_rng(0)
    idx = rng.permutation(X.shape[0])
    init, pool, val = idx[:20], idx[20:320], idx[320:820]
    return (X[pool], y[pool], X[val], y[val], X[init], y[init])


@pytest.mark.benchmark(group="oracle-search")
def test_search_evaluations_per_second(digits_problem, paired, report):
    n_steps = max(10, int(round(200 * SCALE)))

    def search(cache_size):
        s = OptimalOrderSearch(LogisticRegression(max_iter=1000), batch_size=10,
                               n_batches=10, n_steps=n_steps, greedy_steps=0,
                               gamma=0.25, cache_size=cache_size, random_state=0)
        return s.fit(*digits_problem)

    res = paired(lambda: search(200_000), {"naive": lambda: search(0)},
                 rounds=3, warmup_rounds=1)
    cached, naive = res.result, res.ref_results["naive"]
    # Same chain, same qualities: the cache changes the cost, not the result.
    np.testing.assert_array_equal(cached.history_["quality"],
                                  naive.history_["quality"])
    n_eval = cached.n_evaluations_
    report(
        "oracle-search",
        f"digits, pool 300, 10 x 10, {n_steps} steps",
        {
            "evals_per_s": n_eval / res.median(),
            "naive_evals_per_s": n_eval / res.median("naive"),
            "fits_per_eval": cached.n_fits_ / n_eval,
            "naive_fits_per_eval": naive.n_fits_ / n_eval,
            "ratio": res.ratio("naive"),
        },
        target=("ratio", 0.75),
    )


@pytest.mark.benchmark(group="oracle-search")
def test_search_parallel_speedup(digits_problem, paired, report):
    """Two chains on two workers against the same search on one.

    Both find the same orders (every step has its own seed); the ratio is
    the wall-time gain of ``n_jobs=2`` (target <= 0.8 on 2 cores; joblib's
    per-round dispatch costs the rest).
    """
    n_steps = max(10, int(round(150 * SCALE)))

    def search(n_jobs):
        s = OptimalOrderSearch(LogisticRegression(max_iter=1000), batch_size=10,
                               n_batches=10, n_steps=n_steps, greedy_steps=0,
                               gamma=0.25, n_chains=2, n_jobs=n_jobs,
                               random_state=0)
        return s.fit(*digits_problem)

    res = paired(lambda: search(2), {"n_jobs=1": lambda: search(1)},
                 rounds=3, warmup_rounds=1)
    np.testing.assert_array_equal(res.result.order_,
                                  res.ref_results["n_jobs=1"].order_)
    n_eval = res.result.n_evaluations_
    report(
        "oracle-search",
        f"2 chains x {n_steps} steps, n_jobs=2 vs 1",
        {
            "evals_per_s": n_eval / res.median(),
            "one_job_evals_per_s": n_eval / res.median("n_jobs=1"),
            "ratio": res.ratio("n_jobs=1"),
        },
        target=("ratio", 0.8),
    )
