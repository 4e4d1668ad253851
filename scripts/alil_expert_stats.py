"""What ALIL's expert picks: its choices against the basis-free columns.

Reads the aggregated (state, action) pairs that ``scripts/train_alil.py``
leaves in ``scripts/alil_data/`` and reports, for each basis-free column of
the paper state, how often the expert's pick has the column's largest value
among the ``K`` candidates of its step (chance: ``1 / K``) and the pick's
mean rank percentile (0.5 is chance, 1 the largest value). This shows which
heuristic the one-step roll-out resembles on the source task::

    python scripts/alil_expert_stats.py scripts/alil_data/movies_seed0.npz

``--simulate N`` also runs ``N`` random-acquisition steps on the movie
snippets with the same CNN and expert, and reports what the state cannot
show: how often the expert's pick is a candidate the current model
misclassifies, against the share of such candidates, and the rank
correlation of a candidate's roll-out score with the model's probability of
its true label::

    python scripts/alil_expert_stats.py scripts/alil_data/movies_seed0.npz \
        --simulate 200
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


def simulate(n_steps, k=5, budget=50, seed=0):
    """Expert picks on random trajectories, with the candidates' labels."""
    from pathlib import Path

    from scipy.stats import spearmanr
    from sklearn.base import clone

    sys.path.insert(0, str(Path(__file__).resolve().parent))
    from alil_setup import domain_tokens, text_cnn
    from skactive.policies import ALILExpert

    X, y, _ = domain_tokens("movies")
    rng = np.random.default_rng(seed)
    wrong_pick, wrong_share, rhos, done = [], [], [], 0
    while done < n_steps:
        perm = rng.permutation(y.shape[0])
        val, rest = perm[:1000], perm[1000:]
        lab = np.r_[rest[y[rest] == 0][:1], rest[y[rest] == 1][:1]]
        pool = np.setdiff1d(rest, lab)
        net = text_cnn(random_state=int(rng.integers(2**31 - 1)))
        while lab.shape[0] < budget and done < n_steps:
            model = clone(net).fit(X[lab], y[lab])
            cand = rng.choice(pool, k, replace=False)
            target, info = ALILExpert().label(model, X[lab], y[lab], X[cand], y[cand],
                                              X[val], y[val], 1, int(rng.integers(1e9)))
            p_true = model.predict_proba(X[cand])[np.arange(k), y[cand]]
            wrong = p_true < 0.5
            wrong_pick.append(wrong[target.argmax()])
            wrong_share.append(wrong.mean())
            rho = spearmanr(info["scores"], p_true).statistic
            if np.isfinite(rho):
                rhos.append(rho)
            lab = np.r_[lab, rng.choice(pool, 1)]  # a random trajectory
            pool = np.setdiff1d(pool, lab)
            done += 1
    return float(np.mean(wrong_pick)), float(np.mean(wrong_share)), float(np.mean(rhos))


def main(argv=None):
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("data", nargs="+")
    p.add_argument("--simulate", type=int, default=0)
    args = p.parse_args(argv)
    if args.simulate:
        import torch

        torch.set_num_threads(1)
        pick, share, rho = simulate(args.simulate)
        print(f"{args.simulate} random-trajectory steps: the expert picks a "
              f"candidate the model misclassifies in {pick:.3f} of steps "
              f"({share:.3f} of candidates are misclassified); Spearman of the "
              f"roll-out score with p(true label): {rho:+.3f}")
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
