"""ALIL transfer evidence: a policy learned on movie snippets, applied cold to other domains.

The shipped ALIL policy (``scripts/train_alil.py``: movie-review snippets,
text CNN on fixed word vectors) is applied without retraining to other
sentiment domains of :func:`skactive.datasets.load_sentiment` (default:
Amazon product snippets and tweets). Each repeat splits the target into a
pool and a test set (grouped by review for products and editorials), starts
cold with one labeled snippet per class and queries one snippet per round up
to ``--budget`` labels, retraining the CNN from its seeded initialisation.
Every strategy of a repeat shares the split, the initial set and the CNN
seed (paired seeds). The strategies:

* ``alil``: the shipped policy scoring the whole pool (Algorithm 2);
* ``alil_k5``: the same policy on ``K = 5`` random candidates (ALIL's
  released transfer code);
* ``random``, ``entropy`` (maximum entropy), ``diversity`` (ALIL's Jaccard
  baseline on token sets);
* ``--ablation LABEL=FILE``: any saved ALIL policy (``scripts/train_alil.py``
  writes ``benchmarks/alil_ablation/code_linear.npz``, the released code's
  state with a linear scorer, and ``basis_free.npz``);
* ``iale`` / ``random128``: the shipped IALE policy, which reads 128-wide
  embeddings, on the same CNN with 128 filters, and random sampling with
  that CNN (IALE's own baseline).

Results are cached per (target, strategy, seed) under
``benchmarks/.alil_cache/``; the tables and the figure go to
``docs/_static/alil_transfer.{md,json,png}``. The run for the docs::

    python benchmarks/alil_transfer.py --seeds 10 --n-jobs 2 \\
        --ablation code_linear=benchmarks/alil_ablation/code_linear.npz \\
        --ablation basis_free=benchmarks/alil_ablation/basis_free.npz
"""

import argparse
import json
import os
import platform
import shlex
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "scripts"))

BASELINES = ("random", "entropy", "diversity")
DEFAULT = ("alil", "alil_k5") + BASELINES


def split(target, seed, test_size):
    import numpy as np
    from sklearn.model_selection import GroupShuffleSplit

    from alil_setup import domain_tokens

    X, y, groups = domain_tokens(target)
    gss = GroupShuffleSplit(1, test_size=test_size, random_state=seed)
    tr, te = next(gss.split(X, y, groups))
    return X[tr], y[tr], X[te], y[te], np.asarray(groups)[tr]


def make_strategy(name, seed, ablations):
    from alil_setup import text_cnn
    from skactive import DiversitySampling, RandomSampling, UncertaintySampling
    from skactive.policies import ALILStrategy, IALEStrategy

    net = text_cnn(random_state=seed)
    if name == "random":
        return RandomSampling(net, random_state=seed)
    if name == "entropy":
        return UncertaintySampling(net, measure="entropy", random_state=seed)
    if name == "diversity":
        return DiversitySampling(net, metric="jaccard", input="tokens",
                                 random_state=seed)
    if name == "alil":
        return ALILStrategy(net, random_state=seed)
    if name == "alil_k5":
        return ALILStrategy(net, n_candidates=5, random_state=seed)
    if name == "iale":
        return IALEStrategy(text_cnn(random_state=seed, n_filters=128),
                            policy="digits-cnn", random_state=seed)
    if name == "random128":
        return RandomSampling(text_cnn(random_state=seed, n_filters=128),
                              random_state=seed)
    if name in ablations:
        return ALILStrategy(net, policy=ablations[name], random_state=seed)
    raise ValueError(f"unknown strategy {name!r}")


def run_one(target, name, seed, budget, test_size, ablations, cache_dir):
    import numpy as np
    import torch

    torch.set_num_threads(1)
    path = Path(cache_dir) / f"{target}_{name}_{seed}_{budget}.json"
    if path.exists():
        return json.loads(path.read_text())
    print(f"run {target} {name} seed {seed}", flush=True)
    from skactive import ActiveLearner
    from skactive.evaluation import aubc

    X, y, X_te, y_te, _ = split(target, seed, test_size)
    t0 = time.time()
    learner = ActiveLearner(make_strategy(name, seed, ablations), batch_size=1,
                            budget=budget - 2, initial_size=2, random_state=seed,
                            eval_set=(X_te, y_te))
    learner.fit(X, y)
    sizes = [h["n_labeled"] for h in learner.history_]
    curve = [h["score"] for h in learner.history_]
    out = {"target": target, "strategy": name, "seed": seed, "sizes": sizes,
           "curve": curve, "aubc": float(aubc(curve, sizes)),
           "seconds": time.time() - t0,
           "n_pool": int(X.shape[0]), "n_test": int(X_te.shape[0]),
           "majority": float(max(np.mean(y_te), 1 - np.mean(y_te)))}
    path.write_text(json.dumps(out))
    return out


def paired(results, target, name, base, seeds):
    import numpy as np
    from scipy.stats import wilcoxon

    a = np.array([results[(target, name, s)]["aubc"] for s in seeds])
    b = np.array([results[(target, base, s)]["aubc"] for s in seeds])
    d = a - b
    p = float(wilcoxon(a, b).pvalue) if np.any(d != 0) else 1.0
    return {"mean": float(a.mean()), "diff": float(d.mean()),
            "se": float(d.std(ddof=1) / np.sqrt(len(d))) if len(d) > 1 else 0.0,
            "rel": float(d.mean() / b.mean()), "wins": int((d > 0).sum()),
            "n": len(d), "p": p}


def report(results, targets, names, seeds, args, seconds):
    import numpy as np

    lines = [f"Command: `{args.command}` ({seconds:.0f} s of runs; "
             f"{platform.machine()}, one torch thread per worker).", "",
             "AUBC over the budget (test accuracy from 2 to "
             f"{args.budget} labels), mean over {len(seeds)} paired seeds; "
             "difference to random sampling with the same CNN, seeds better "
             "than random, Wilcoxon signed-rank p.", ""]
    summary = {}
    for t in targets:
        # Any strategy's run of the first seed knows the split.
        info = next(results[(t, n, seeds[0])] for n in names
                    if (t, n, seeds[0]) in results)
        lines += [f"### {t} (pool {info['n_pool']}, test {info['n_test']}, "
                  f"majority class {info['majority']:.3f})", "",
                  "| strategy | AUBC | vs random | relative | seeds > random | p |",
                  "|---|---|---|---|---|---|"]
        for n in names:
            base = "random128" if n == "iale" else "random"
            if n in ("random", "random128") or base not in names:
                a = np.array([results[(t, n, s)]["aubc"] for s in seeds])
                lines.append(f"| {n} | {a.mean():.4f} | — | — | — | — |")
                continue
            r = paired(results, t, n, base, seeds)
            summary[f"{t}/{n}"] = r
            label = n if base == "random" else f"{n} (vs random128)"
            lines.append(f"| {label} | {r['mean']:.4f} | {r['diff']:+.4f} ± "
                         f"{r['se']:.4f} | {100 * r['rel']:+.1f} % | "
                         f"{r['wins']}/{r['n']} | {r['p']:.3f} |")
        lines.append("")
    lines += ["Per-seed AUBC:", "", "| target | strategy | " +
              " | ".join(str(s) for s in seeds) + " |",
              "|---|---|" + "---|" * len(seeds)]
    for t in targets:
        for n in names:
            lines.append(f"| {t} | {n} | " + " | ".join(
                f"{results[(t, n, s)]['aubc']:.3f}" for s in seeds) + " |")
    return "\n".join(lines) + "\n", summary


def plot(results, targets, names, seeds, path):
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    import numpy as np

    fig, axes = plt.subplots(1, len(targets), figsize=(5.5 * len(targets), 4),
                             squeeze=False)
    for ax, t in zip(axes[0], targets):
        for n in names:
            curves = np.array([results[(t, n, s)]["curve"] for s in seeds])
            sizes = results[(t, n, seeds[0])]["sizes"]
            # Running mean over 5 rounds: one-label steps are noisy.
            m = np.convolve(curves.mean(axis=0), np.ones(5) / 5, mode="valid")
            ax.plot(sizes[2:-2], m, label=n, lw=2 if n.startswith("alil") else 1)
        ax.set_title(f"{t} (policy trained on movies)")
        ax.set_xlabel("labeled snippets")
        ax.set_ylabel("test accuracy")
        ax.grid(alpha=0.3)
    axes[0][0].legend(fontsize=8)
    fig.tight_layout()
    fig.savefig(path, dpi=110)


def main(argv=None):
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("--targets", default="products,tweets")
    p.add_argument("--strategies", default=",".join(DEFAULT))
    p.add_argument("--ablation", action="append", default=[],
                   metavar="LABEL=FILE")
    p.add_argument("--seeds", type=int, default=10)
    p.add_argument("--random-state", type=int, default=0)
    p.add_argument("--budget", type=int, default=100)
    p.add_argument("--test-size", type=float, default=0.3)
    p.add_argument("--n-jobs", type=int, default=1)
    p.add_argument("--cache-dir", default=str(ROOT / "benchmarks" / ".alil_cache"))
    p.add_argument("--out", default=str(ROOT / "docs" / "_static" / "alil_transfer"))
    p.add_argument("--no-report", action="store_true")
    args = p.parse_args(argv)
    args.command = "python benchmarks/alil_transfer.py " + " ".join(
        shlex.quote(a) for a in (argv if argv is not None else sys.argv[1:]))
    from joblib import Parallel, delayed

    ablations = dict(a.split("=", 1) for a in args.ablation)
    names = [n for n in args.strategies.split(",") if n] + list(ablations)
    if "iale" in names and "random128" not in names:
        names.append("random128")
    targets = args.targets.split(",")
    seeds = list(range(args.random_state, args.random_state + args.seeds))
    os.makedirs(args.cache_dir, exist_ok=True)
    t0 = time.time()
    jobs = [(t, n, s) for t in targets for s in seeds for n in names]
    # verbose=0: joblib 1.5 crashes printing progress of sequential runs.
    out = Parallel(n_jobs=args.n_jobs)(
        delayed(run_one)(t, n, s, args.budget, args.test_size, ablations,
                         args.cache_dir) for t, n, s in jobs)
    results = {(r["target"], r["strategy"], r["seed"]): r for r in out}
    seconds = sum(r["seconds"] for r in out)
    if args.no_report:
        return
    text, summary = report(results, targets, names, seeds, args, seconds)
    print(text)
    Path(args.out + ".md").write_text(text)
    Path(args.out + ".json").write_text(json.dumps(
        {"command": args.command, "summary": summary,
         "runs": [dict(r) for r in out]}, indent=1))
    plot(results, targets, names, seeds, args.out + ".png")
    print(f"wall {time.time() - t0:.0f} s")


if __name__ == "__main__":
    main()
