"""What ALIL's expert picks: its choices against the basis-free columns.

Reads the aggregated (state, action) pairs that ``scripts/train_alil.py``
leaves in ``scripts/alil_data/`` and reports, for each basis-free column of
the paper state, how often the expert's pick has the column's largest value
among the ``K`` candidates of its step (chance: ``1 / K``) and the pick's
mean rank percentile (0.5 is chance, 1 the largest value). This shows which
heuristic the one-step roll-out resembles on the source task::

    python scripts/alil_expert_stats.py scripts/alil_data/movies_seed0.npz
"""

import argparse
import sys

import numpy as np

from skactive.policies import BASIS_FREE_COLUMNS, ALILState


def expert_stats(S, A, G, n_classes=2, n_dims=50):
    layout = {n: a for n, a, _ in ALILState("paper").layout(n_classes, n_dims)}
    order = np.argsort(G, kind="stable")
    S, A, G = S[order], A[order], G[order]
    _, starts, counts = np.unique(G, return_index=True, return_counts=True)
    k = int(np.bincount(counts).argmax())
    full = starts[counts == k]
    rows = full[:, None] + np.arange(k)
    picks = A[rows].argmax(axis=1)
    out = {}
    for name in BASIS_FREE_COLUMNS:
        values = S[rows, layout[name]]
        ranks = values.argsort(axis=1).argsort(axis=1)[np.arange(len(full)), picks]
        out[name] = (float((ranks == k - 1).mean()), float((ranks / (k - 1)).mean()))
    return out, k, len(full)


def main(argv=None):
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("data", nargs="+")
    args = p.parse_args(argv)
    for path in args.data:
        saved = np.load(path)
        stats, k, n = expert_stats(saved["states"], saved["actions"], saved["steps"])
        print(f"{path}: {n} steps of K = {k} (chance: top {1 / k:.2f}, rank 0.50)")
        print("| column | expert's pick has the largest value | mean rank percentile |")
        print("|---|---|---|")
        for name, (top, rank) in stats.items():
            print(f"| {name} | {top:.3f} | {rank:.3f} |")


if __name__ == "__main__":
    sys.exit(main())
