"""Quality loss of the two-stage ``prefilter`` approximation (issue 18).

CoreSet and BADGE with ``prefilter=M′`` keep ``M′`` candidates of the pool
(uniformly at random or the smallest classifier margins) and run the exact
selection on them only. This script measures what that costs against the
exact selection on the full pool:

* CoreSet: the coverage radius, max over the pool of the distance to the
  nearest labeled or selected sample (lower is better);
* BADGE: the k-means++ cost, sum over the pool of the squared distance of
  the gradient embedding to the nearest selected one (lower is better);

plus the query time of each. Run::

    python benchmarks/prefilter_quality.py                 # 10^5 pool
    python benchmarks/prefilter_quality.py --n-pool 20000  # quick run

The file name does not start with ``bench_``/``test_``, so pytest never
collects it.
"""

import argparse
import time

import numpy as np
from sklearn.datasets import make_blobs
from sklearn.linear_model import LogisticRegression

from skactive import BADGE, CoreSet
from skactive.utils import gradient_embedding_factors, min_sq_distances


def coverage_radius(E, E_labeled, selected):
    centers = np.vstack([E_labeled, E[selected]])
    return float(np.sqrt(min_sq_distances(E, centers).max()))


def kmeanspp_cost(a, h, selected, chunk=20000):
    """Sum over rows of min_j ‖a_i⊗h_i − a_j⊗h_j‖² over the selected j."""
    a2 = np.einsum("ij,ij->i", a, a)
    h2 = np.einsum("ij,ij->i", h, h)
    g2 = a2 * h2
    aS, hS, gS = a[selected], h[selected], g2[selected]
    total = 0.0
    for s in range(0, a.shape[0], chunk):
        d = g2[s:s + chunk, None] + gS[None, :] - 2.0 * (
            (a[s:s + chunk] @ aS.T) * (h[s:s + chunk] @ hS.T))
        total += float(np.maximum(d.min(axis=1), 0.0).sum())
    return total


def run(args):
    n_lab, k = args.n_labeled, args.batch_size
    X, y = make_blobs(
        n_samples=args.n_pool + n_lab, n_features=args.n_features,
        centers=args.n_classes, cluster_std=args.cluster_std,
        random_state=args.seed,
    )
    rng = np.random.default_rng(args.seed)
    perm = rng.permutation(X.shape[0])
    X, y = X[perm], y[perm]
    # One labeled sample per class first, so every class is seen.
    first = [int(np.flatnonzero(y == c)[0]) for c in range(args.n_classes)]
    rest = [i for i in range(X.shape[0]) if i not in set(first)]
    lab = np.array(first + rest[: n_lab - len(first)])
    pool = np.setdiff1d(np.arange(X.shape[0]), lab)
    X_lab, y_lab, X_pool = X[lab], y[lab], X[pool]
    est = LogisticRegression(max_iter=1000).fit(X_lab, y_lab)
    a, h = gradient_embedding_factors(est, X_pool)

    m_values = [m for m in args.m if m < args.n_pool]
    rows = []
    for name, cls in (("CoreSet", CoreSet), ("BADGE", BADGE)):
        configs = [(None, "exact")] + [
            (m, by) for m in m_values for by in ("random", "uncertainty")]
        exact = None
        for m, by in configs:
            vals, times = [], []
            for rep in range(args.repeats):
                kw = {} if m is None else {"prefilter": m, "prefilter_by": by}
                s = cls(est, refit=False, random_state=args.seed + rep, **kw)
                s.fit(X_lab, y_lab)
                t0 = time.perf_counter()
                idx = s.query(X_pool, batch_size=k)
                times.append(time.perf_counter() - t0)
                assert len(set(idx.tolist())) == k
                if name == "CoreSet":
                    vals.append(coverage_radius(X_pool, X_lab, idx))
                else:
                    vals.append(kmeanspp_cost(a, h, idx))
            v, t = float(np.mean(vals)), float(np.median(times))
            worst = float(np.max(vals))
            if m is None:
                exact = v
            rows.append((name, "-" if m is None else m, by, v, worst,
                         v / exact, worst / exact, t))
    metric = {"CoreSet": "coverage radius", "BADGE": "k-means++ cost"}
    print(f"pool={args.n_pool} d={args.n_features} classes={args.n_classes} "
          f"labeled={n_lab} batch={k} repeats={args.repeats}")
    print("| strategy | M′ | prefilter_by | metric | mean | ratio mean "
          "| ratio worst | time (s) |")
    print("|---|---|---|---|---|---|---|---|")
    for name, m, by, v, worst, r, rw, t in rows:
        print(f"| {name} | {m} | {by} | {metric[name]} | {v:.4g} | {r:.3f} "
              f"| {rw:.3f} | {t:.3f} |")


def main(argv=None):
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("--n-pool", type=int, default=100_000)
    p.add_argument("--n-features", type=int, default=16)
    p.add_argument("--n-classes", type=int, default=10)
    p.add_argument("--cluster-std", type=float, default=2.0)
    p.add_argument("--n-labeled", type=int, default=20)
    p.add_argument("--batch-size", type=int, default=100)
    p.add_argument("--m", type=int, nargs="+", default=[2000, 10000, 20000],
                   help="prefilter sizes M′ to try")
    p.add_argument("--repeats", type=int, default=3,
                   help="seeds per configuration (mean and worst reported)")
    p.add_argument("--seed", type=int, default=0)
    run(p.parse_args(argv))


if __name__ == "__main__":
    main()
