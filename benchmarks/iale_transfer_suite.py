"""IALE on data it never saw: a transfer suite against random and every heuristic.

Re-runnable evidence (pytest does not collect it). The shipped IALE
policies run **without retraining**, with the package default classifier
(``IALEStrategy()``'s :func:`skactive.nets.make_mlp`, 128 wide, 30 epochs
per fit from scratch), on targets that took no part in training or
selection, next to random sampling and the heuristics IALE imitates (the
six of the paper plus margin). Each repetition draws a stratified
train/test split (or fresh synthetic data), starts cold with two labeled
samples per class; all strategies of a repetition share the split, the
initial set and the network seeds (paired seeds).

Targets (the data loaders of ``benchmarks/lal_transfer.py``; inputs
standardised on the training half unless said otherwise):

* ``digits`` (10 classes, ``X / 16``): **in-domain**, a source of the
  ``"multi-source"`` policy and the only source of ``"digits-cnn"``
  (other seeds and another network here);
* ``wine``, ``iris`` (3 classes, small), ``breast_cancer`` (2);
* ``breast_cancer_raw``: the same, unscaled (IALE warns there);
* ``mnist1d`` (10 classes, 40 features, generated offline);
* ``board2``, ``rotated2`` (LAL's 2-D checkerboards);
* ``mclouds5`` (5-class Gaussian clouds in 8 dimensions).

Selection targets (``--targets select2,select4``, not in the default list):
held-out synthetic tabular tasks (``make_classification`` with settings and
seeds the training's eight tasks do not use), on which candidate policies
are compared before any transfer target is run.

Budgets: ``small`` = 20 labels beyond the initial set in batches of 2,
``large`` = 100 in batches of 10 (at most half of the pool: 41 on wine,
34 on iris).

Strategies: ``iale`` (``--policy``, default the shipped ``"multi-source"``,
with the package default ``batch_diversity=2``), ``iale_topk`` (the same
policy, top-k batches as in the paper), ``iale_div4``
(``batch_diversity=4``), ``iale_digits`` (the shipped ``"digits-cnn"``),
``random``, ``entropy``, ``margin``, ``least_confidence``, ``coreset``, ``badge``, ``mc_dropout``
(variation ratio, 20 passes), ``ensemble`` (5 members); ``iale@LABEL`` for
a policy file given as ``--ablation LABEL=FILE``; ``iale_pipe`` and
``random_pipe``: IALE (top-k) and random with ``make_pipeline(StandardScaler(),
make_mlp())``, the fix the unscaled-input warning suggests (run on
``breast_cancer_raw`` only). Each (budget, target,
seed, strategy) is cached as JSON in ``--cache``, so strategies can be
added in later invocations; the report merges every cached run.

Outputs in ``--out``: ``iale_transfer_suite.md`` (command, one table per
budget: AUBC, difference to random and to the best heuristic, seeds above
random, Wilcoxon p; every row), the same tables as
``iale_transfer_suite_<budget>.csv``, one line per target and budget for
the default policy in ``iale_transfer_suite_summary.csv``, and
``iale_transfer_suite.json``.

Usage::

    python benchmarks/iale_transfer_suite.py --seeds 10 --n-jobs 2 \\
        --out docs/_static
"""

import argparse
import csv
import json
import os
import shlex
import sys
import time
import warnings

import numpy as np

TARGETS = ("digits", "wine", "iris", "breast_cancer", "breast_cancer_raw",
           "mnist1d", "board2", "rotated2", "mclouds5")
IN_DOMAIN = {"digits"}
#: Selection tasks: (classes, features, informative, class_sep, minority).
SELECTION = {"select2": (2, 15, 6, 0.9, 0.3), "select4": (4, 24, 8, 1.1, 0.15)}
BUDGETS = {"small": (2, 20), "large": (10, 100)}  # (batch size, labels)
HEURISTICS = ("entropy", "margin", "least_confidence", "coreset", "badge",
              "mc_dropout", "ensemble")
STRATEGIES = ("iale", "iale_topk", "iale_digits", "random") + HEURISTICS + (
    "iale_div4", "iale_pipe", "random_pipe")
NAMES = {"iale": "IALE (default)", "iale_digits": "IALE (digits-cnn)",
         "random": "random", "entropy": "entropy", "margin": "margin",
         "least_confidence": "least confidence", "coreset": "CoreSet",
         "badge": "BADGE", "mc_dropout": "MC-dropout", "ensemble": "ensemble",
         "iale_pipe": "IALE top-k, StandardScaler pipeline",
         "iale_topk": "IALE, top-k (batch_diversity=None)",
         "iale_div4": "IALE, batch_diversity=4",
         "random_pipe": "random, StandardScaler pipeline"}


def load(name, seed):
    """``X, y, X_test, y_test`` (float32) of one repetition."""
    from sklearn.preprocessing import StandardScaler

    from lal_transfer import load_target

    if name in SELECTION:
        from sklearn.datasets import make_classification
        from sklearn.model_selection import train_test_split

        C, d, inf, sep, minority = SELECTION[name]
        weights = [minority] + [(1 - minority) / (C - 1)] * (C - 1)
        X, y = make_classification(2000, d, n_informative=inf, n_redundant=2,
                                   n_classes=C, class_sep=sep, weights=weights,
                                   flip_y=0.02, random_state=50_000 + seed)
        X, Xt, y, yt = train_test_split(X, y, test_size=0.5, stratify=y,
                                        random_state=seed)
    else:
        base = name[:-4] if name.endswith("_raw") else name
        X, y, Xt, yt = load_target(base, seed)
    X, Xt = np.asarray(X, dtype=np.float64), np.asarray(Xt, dtype=np.float64)
    if name == "digits":
        X, Xt = X / 16.0, Xt / 16.0
    elif not name.endswith("_raw"):
        scaler = StandardScaler().fit(X)
        X, Xt = scaler.transform(X), scaler.transform(Xt)
    return X.astype(np.float32), y, Xt.astype(np.float32), yt


def make_strategy(key, ablations, policy):
    from skactive import (
        BADGE,
        CoreSet,
        DeepEnsemble,
        MCDropout,
        RandomSampling,
        UncertaintySampling,
    )
    from skactive.nets import make_mlp
    from skactive.policies import IALEStrategy

    net = make_mlp(device="cpu")
    if key.startswith("iale@"):
        return IALEStrategy(net, policy=ablations[key[5:]], batch_diversity=None)
    return {
        "iale": lambda: IALEStrategy(net, policy=policy),  # batch_diversity=2
        "iale_topk": lambda: IALEStrategy(net, policy=policy, batch_diversity=None),
        "iale_digits": lambda: IALEStrategy(net, policy="digits-cnn",
                                            batch_diversity=None),
        "iale_div4": lambda: IALEStrategy(net, policy=policy, batch_diversity=4),
        "random": lambda: RandomSampling(net),
        "entropy": lambda: UncertaintySampling(net, measure="entropy"),
        "margin": lambda: UncertaintySampling(net, measure="margin"),
        "least_confidence": lambda: UncertaintySampling(
            net, measure="least_confidence"),
        "coreset": lambda: CoreSet(net),
        "badge": lambda: BADGE(net),
        "mc_dropout": lambda: MCDropout(net, measure="variation_ratio", n_samples=20),
        "ensemble": lambda: DeepEnsemble(net, n_members=5),
        # The fix the unscaled-input warning suggests, on breast_cancer_raw.
        "iale_pipe": lambda: IALEStrategy(scaled(net), policy=policy,
                                          batch_diversity=None),
        "random_pipe": lambda: RandomSampling(scaled(net)),
    }[key]()


def scaled(net):
    from sklearn.pipeline import make_pipeline
    from sklearn.preprocessing import StandardScaler

    return make_pipeline(StandardScaler(), net)


def run_one(target, budget_name, seed, key, ablations, policy, cache):
    path = os.path.join(cache, f"{budget_name}_{target}_{seed}_{key}.json")
    if os.path.exists(path):
        with open(path) as fh:
            return json.load(fh)
    import torch

    from skactive.evaluation import active_learning_curve

    torch.set_num_threads(1)
    X, y, Xt, yt = load(target, seed)
    n_classes = len(np.unique(y))
    batch, labels = BUDGETS[budget_name]
    # Small sets (wine, iris): at most half of the pool, as in lal_transfer.
    labels = min(labels, (len(y) - 2 * n_classes) // 2)
    t0 = time.perf_counter()
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always", UserWarning)
        res = active_learning_curve(
            {key: make_strategy(key, ablations, policy)}, X, y, Xt, yt,
            batch_size=batch, budget=2 * n_classes + labels,
            initial_size=2 * n_classes, initial="stratified", n_repeats=1,
            random_state=seed)
    out = {"aubc": float(res.aubc[key][0]), "curve": res.scores[key][0].tolist(),
           "labels": labels,
           "seconds": time.perf_counter() - t0,
           "warnings": sorted({str(w.message)[:160] for w in caught
                               if "IALE" in str(w.message)})}
    os.makedirs(cache, exist_ok=True)
    with open(path, "w") as fh:
        json.dump(out, fh)
    print(f"{budget_name} {target} seed {seed} {key}: AUBC {out['aubc']:.4f} "
          f"({out['seconds']:.1f} s)", flush=True)
    return out


def collect(cache, budget_name, target, seeds, seed0):
    """{strategy: [aubc per seed]} for the strategies cached on every seed."""
    found = {}
    for f in os.listdir(cache) if os.path.isdir(cache) else []:
        b, rest = f.split("_", 1)
        if b != budget_name or not rest.startswith(target + "_"):
            continue
        tail = rest[len(target) + 1:-5]
        seed, key = tail.split("_", 1)
        if not seed.isdigit():
            continue  # another target whose name starts with this one
        with open(os.path.join(cache, f)) as fh:
            found.setdefault(key, {})[int(seed)] = json.load(fh)
    wanted = range(seed0, seed0 + seeds)
    return {k: [v[s] for s in wanted] for k, v in found.items()
            if all(s in v for s in wanted)}


def table(cache, budget_name, targets, seeds, seed0):
    from scipy.stats import wilcoxon

    batch, labels = BUDGETS[budget_name]
    lines = [f"### budget {budget_name}: {labels} labels in batches of {batch}", "",
             "| target | strategy | AUBC | vs random (± s.e.) | seeds > random | "
             "p | vs best heuristic |",
             "|---|---|---|---|---|---|---|"]
    summary, compact = [], []
    for target in targets:
        runs = collect(cache, budget_name, target, seeds, seed0)
        if "random" not in runs:
            continue
        a = {k: np.array([r["aubc"] for r in v]) for k, v in runs.items()}
        n_labels = runs["random"][0].get("labels", labels)
        heur = [h for h in HEURISTICS if h in a]
        best = max(heur, key=lambda h: a[h].mean()) if heur else None
        label = target + (" (in-domain)" if target in IN_DOMAIN else "")
        order = [k for k in STRATEGIES if k in a] + sorted(
            k for k in a if k not in STRATEGIES)
        for k in order:
            # A pipeline strategy is compared with random in the same pipeline.
            ref = "random_pipe" if k == "iale_pipe" and "random_pipe" in a \
                else "random"
            d = a[k] - a[ref]
            vs_best = "–" if best is None or k == best else \
                f"{(a[k] - a[best]).mean():+.4f} ({NAMES[best]})"
            if k == "random":
                lines.append(f"| {label} | random | {a[k].mean():.4f} | – | – | – | "
                             f"{vs_best} |")
                continue
            try:
                p = wilcoxon(a[k], a[ref]).pvalue if np.any(d) else 1.0
            except ValueError:
                p = float("nan")
            lines.append(
                f"| {label} | {NAMES.get(k, 'IALE (' + k[5:] + ')')} | "
                f"{a[k].mean():.4f} | {d.mean():+.4f} ± "
                f"{d.std(ddof=1) / np.sqrt(len(d)):.4f} | {int((d > 0).sum())}/{len(d)}"
                f" | {p:.3f} | {vs_best} |")
            if k.startswith("iale"):
                summary.append((target, k, d.mean(), np.nan if best is None
                                else (a[k] - a[best]).mean()))
        if "iale" in a and best is not None:
            d = a["iale"] - a["random"]
            try:
                p = wilcoxon(a["iale"], a["random"]).pvalue if np.any(d) else 1.0
            except ValueError:
                p = float("nan")
            dd = (a["iale_digits"] - a["random"]).mean() if "iale_digits" in a \
                else float("nan")
            dt = (a["iale_topk"] - a["random"]).mean() if "iale_topk" in a \
                else float("nan")
            compact.append([
                label, f"{n_labels} / {batch}", f"{a['random'].mean():.3f}",
                f"{d.mean():+.3f} ± {d.std(ddof=1) / np.sqrt(len(d)):.3f}",
                f"{int((d > 0).sum())}/{len(d)}", f"{p:.3f}",
                f"{NAMES[best]} {(a[best] - a['random']).mean():+.3f}",
                f"{(a['iale'] - a[best]).mean():+.3f}", f"{dt:+.3f}", f"{dd:+.3f}"])
    return lines, summary, compact


COMPACT_HEADER = ["target", "labels / batch", "random", "IALE − random",
                  "seeds > random", "p", "best heuristic − random",
                  "IALE − best heuristic", "top-k − random", "digits-cnn − random"]


def main(argv=None):
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--targets", default=",".join(TARGETS))
    p.add_argument("--budgets", default="small,large")
    p.add_argument("--strategies", default=",".join(STRATEGIES))
    p.add_argument("--policy", default="multi-source")
    p.add_argument("--ablation", action="append", default=[],
                   help="LABEL=FILE: another policy, strategy key iale@LABEL")
    p.add_argument("--seeds", type=int, default=10)
    p.add_argument("--random-state", type=int, default=0)
    p.add_argument("--n-jobs", type=int, default=2)
    p.add_argument("--cache", default="benchmarks/.iale_suite_cache")
    p.add_argument("--out", default="docs/_static")
    p.add_argument("--report-only", action="store_true")
    args = p.parse_args(argv)
    ablations = dict(a.split("=", 1) for a in args.ablation)
    targets = args.targets.split(",")
    budgets = args.budgets.split(",")
    t0 = time.perf_counter()
    if not args.report_only:
        from joblib import Parallel, delayed

        jobs = [(t, b, args.random_state + r, k) for b in budgets for t in targets
                for r in range(args.seeds) for k in args.strategies.split(",")]
        # No joblib progress: with n_jobs=1 its printer fails (joblib 1.5).
        Parallel(n_jobs=args.n_jobs)(
            delayed(run_one)(t, b, s, k, ablations, args.policy, args.cache)
            for t, b, s, k in jobs)
    lines = ["# IALE transfer suite", "",
             "Command: `python benchmarks/iale_transfer_suite.py " + " ".join(
                 shlex.quote(a) for a in (argv if argv is not None else sys.argv[1:]))
             + "`", ""]
    report, compact = {}, []
    os.makedirs(args.out, exist_ok=True)
    for b in BUDGETS:
        if b not in budgets:
            continue
        rows, summary, comp = table(args.cache, b, targets, args.seeds,
                                    args.random_state)
        compact += comp
        lines += rows + [""]
        with open(os.path.join(args.out, f"iale_transfer_suite_{b}.csv"), "w",
                  newline="") as fh:
            w = csv.writer(fh)
            for row in rows[2:]:
                if not row.startswith("|---"):
                    w.writerow([c.strip() for c in row.strip("|").split("|")])
        report[b] = {t: collect(args.cache, b, t, args.seeds, args.random_state)
                     for t in targets}
        for target, k, dr, db in summary:
            print(f"{b:5s} {target:18s} {k:16s} vs random {dr:+.4f}  vs best {db:+.4f}")
    with open(os.path.join(args.out, "iale_transfer_suite_summary.csv"), "w",
              newline="") as fh:
        csv.writer(fh).writerows([COMPACT_HEADER] + compact)
    seconds = sum(r["seconds"] for b in report.values() for t in b.values()
                  for v in t.values() for r in v)
    lines.append(
        f"Curves: {seconds / 60:.0f} CPU-minutes in all (one torch thread per "
        "process). AUBC is the mean test accuracy over the curve, from the "
        "initial set (two labels per class) to the budget; ± is the standard "
        "error over paired seeds; p is Wilcoxon's signed-rank test against "
        "random; the best heuristic is the best mean AUBC among the "
        "heuristics of that target and budget (seen with hindsight).")
    text = "\n".join(lines) + "\n"
    print(text)
    os.makedirs(args.out, exist_ok=True)
    with open(os.path.join(args.out, "iale_transfer_suite.md"), "w") as fh:
        fh.write(text)
    with open(os.path.join(args.out, "iale_transfer_suite.json"), "w") as fh:
        json.dump({"command": lines[2], "report": report}, fh)
    print(f"{time.perf_counter() - t0:.0f} s")


if __name__ == "__main__":
    main()
