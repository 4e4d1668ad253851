"""LAL on data it never saw: a transfer suite against random and heuristics.

Re-runnable evidence (pytest does not collect it). The shipped LAL
regressors were learned on synthetic clouds only; here they run, with the
package defaults (``LALStrategy()``: the paper's LAL-iterative regressor for
two classes, the multi-class regressor otherwise; ``RF(50)``), on real and
synthetic targets that took no part in training or selection. Each
repetition draws a stratified train/test split (or fresh boards), starts
cold with one labeled sample per class and queries one sample per round;
all strategies of a repetition share the split, the initial set and the
classifier seeds (paired seeds).

Targets: ``digits`` (10 classes), ``wine`` and ``iris`` (3), ``breast_cancer``
(2; a forest does not care about scaling, so one row covers both),
``mnist1d`` (10; generated offline by the ``mnist1d`` package), ``board2``,
``rotated2`` and ``board4`` (checkerboards, a fresh 1000 + 1000 draw per
repetition), ``mclouds5`` (5-class clouds in 8 dimensions, held-out seeds).
Budgets: ``--budgets small,large`` = 30 and 100 labels beyond the initial set
(capped at half of the pool).

Strategies: ``random``, ``entropy``, ``margin`` (uncertainty sampling with
the same forest), ``lal`` (the default), ``lal_paper_ovr`` (multi-class
targets only: the paper's binary regressor read one-vs-rest, the default
before the multi-class regressor existed).

Outputs in ``--out``: ``lal_transfer.md`` (command, run time, one table per
budget: AUBC, difference to random and to the best heuristic, seeds above
random, Wilcoxon p) and ``lal_transfer.json``.

Usage::

    python benchmarks/lal_transfer.py --seeds 10 --n-jobs 2 --out docs/_static
"""

import argparse
import json
import os
import shlex
import sys
import time
import warnings

import numpy as np

TARGETS = ("digits", "wine", "iris", "breast_cancer", "mnist1d", "board2",
           "rotated2", "board4", "mclouds5")
BUDGETS = {"small": 30, "large": 100}
HEURISTICS = ("entropy", "margin")


def load_target(name, seed):
    """``X, y, X_test, y_test`` of one repetition."""
    from sklearn.datasets import load_breast_cancer, load_digits, load_iris, load_wine
    from sklearn.model_selection import train_test_split

    from skactive.datasets import make_checkerboard, make_multiclass_clouds

    if name.startswith("board") or name == "rotated2":
        kw = dict(grid=2, rotated=True) if name == "rotated2" else dict(grid=int(name[5:]))
        X, y = make_checkerboard(1000, random_state=10_000 + seed, **kw)
        Xt, yt = make_checkerboard(1000, random_state=20_000 + seed, **kw)
        return X, y, Xt, yt
    if name == "mclouds5":
        return make_multiclass_clouds(1000, n_classes=5, n_features=8, n_test=2000,
                                      random_state=30_000 + seed, return_test=True)
    if name == "mnist1d":
        from mnist1d.data import get_dataset_args, make_dataset

        data = make_dataset(get_dataset_args())  # generated, never downloaded
        X = np.r_[data["x"], data["x_test"]]
        y = np.r_[data["y"], data["y_test"]]
    else:
        loader = {"digits": load_digits, "wine": load_wine, "iris": load_iris,
                  "breast_cancer": load_breast_cancer}[name]
        X, y = loader(return_X_y=True)
    X_tr, X_te, y_tr, y_te = train_test_split(X, y, test_size=0.5, stratify=y,
                                              random_state=seed)
    return X_tr, y_tr, X_te, y_te


def strategies(n_classes):
    from sklearn.ensemble import RandomForestClassifier

    from skactive import RandomSampling, UncertaintySampling
    from skactive.policies import LALStrategy

    def rf():
        return RandomForestClassifier(n_estimators=50)

    out = {"random": RandomSampling(rf()),
           "entropy": UncertaintySampling(rf(), measure="entropy"),
           "margin": UncertaintySampling(rf(), measure="margin"),
           "lal": LALStrategy(rf())}
    if n_classes > 2:
        out["lal_paper_ovr"] = LALStrategy(rf(), regressor="iterative")
    return out


def run_seed(name, budget, seed):
    from skactive.evaluation import active_learning_curve

    X, y, Xt, yt = load_target(name, seed)
    n_classes = len(np.unique(y))
    b = min(budget, (len(y) - n_classes) // 2)
    with warnings.catch_warnings():
        # The paper regressor warns on multi-class data, by design.
        warnings.simplefilter("ignore", UserWarning)
        res = active_learning_curve(
            strategies(n_classes), X, y, Xt, yt, batch_size=1, budget=b,
            initial_size=n_classes, initial="stratified", n_repeats=1,
            random_state=seed)
    return b, {k: res.scores[k][0].tolist() for k in res.strategies}, \
        {k: float(res.aubc[k][0]) for k in res.strategies}


def run_target(name, budget, seeds, seed0, n_jobs):
    from joblib import Parallel, delayed

    out = Parallel(n_jobs=n_jobs)(
        delayed(run_seed)(name, budget, seed0 + r) for r in range(seeds))
    curves, aubc = {}, {}
    for _, c, a in out:
        for k in c:
            curves.setdefault(k, []).append(c[k])
            aubc.setdefault(k, []).append(a[k])
    return {"budget": out[0][0], "curves": curves, "aubc": aubc}


def table(results, budget_name):
    from scipy.stats import wilcoxon

    lines = [f"### budget {budget_name}", "",
             "| target | budget | random | entropy | margin | LAL (default) | "
             "LAL vs random | seeds > random | p | LAL vs best heuristic | "
             "paper regressor one-vs-rest vs random |",
             "|---|---|---|---|---|---|---|---|---|---|---|"]
    for name, res in results.items():
        a = {k: np.asarray(v) for k, v in res["aubc"].items()}
        d = a["lal"] - a["random"]
        best = max(HEURISTICS, key=lambda h: a[h].mean())
        try:
            p = wilcoxon(a["lal"], a["random"]).pvalue if np.any(d) else 1.0
        except ValueError:
            p = float("nan")
        ovr = (f"{(a['lal_paper_ovr'] - a['random']).mean():+.4f}"
               if "lal_paper_ovr" in a else "—")
        lines.append(
            f"| {name} | {res['budget']} | {a['random'].mean():.4f} | "
            f"{a['entropy'].mean():.4f} | {a['margin'].mean():.4f} | "
            f"{a['lal'].mean():.4f} | {d.mean():+.4f} ± {d.std(ddof=1) / np.sqrt(len(d)):.4f} | "
            f"{int((d > 0).sum())}/{len(d)} | {p:.3f} | "
            f"{(a['lal'] - a[best]).mean():+.4f} ({best}) | {ovr} |")
    return lines


def main(argv=None):
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--targets", default=",".join(TARGETS))
    p.add_argument("--budgets", default="small,large")
    p.add_argument("--seeds", type=int, default=10)
    p.add_argument("--random-state", type=int, default=0)
    p.add_argument("--n-jobs", type=int, default=2)
    p.add_argument("--out", default="docs/_static")
    p.add_argument("--report-only", action="store_true",
                   help="re-render the tables from --out/lal_transfer.json")
    p.add_argument("--update", action="store_true",
                   help="re-run only --targets and replace their rows in "
                   "--out/lal_transfer.json (after a shipped regressor changed); "
                   "the report keeps every command that made its rows")
    args = p.parse_args(argv)
    if args.report_only:
        with open(os.path.join(args.out, "lal_transfer.json")) as fh:
            report = json.load(fh)
        write_report(report, args.out, report.get("seconds", float("nan")))
        return

    t0 = time.perf_counter()
    command = "python benchmarks/lal_transfer.py " + " ".join(
        shlex.quote(a) for a in (argv if argv is not None else sys.argv[1:]))
    report = {"command": command}
    if args.update:
        with open(os.path.join(args.out, "lal_transfer.json")) as fh:
            report = json.load(fh)
        report["command"] += "`, then `" + command
    for bname in args.budgets.split(","):
        results = dict(report.get(bname, {})) if args.update else {}
        for name in args.targets.split(","):
            t1 = time.perf_counter()
            results[name] = run_target(name, BUDGETS[bname], args.seeds,
                                       args.random_state, args.n_jobs)
            print(f"{bname} {name}: {time.perf_counter() - t1:.0f} s", flush=True)
            print("\n".join(table({name: results[name]}, bname)[-1:]), flush=True)
        # Keep the table in TARGETS order whichever rows were re-run.
        report[bname] = {k: results[k] for k in TARGETS if k in results}
    report["seconds"] = report.get("seconds", 0.0) * args.update + (
        time.perf_counter() - t0)
    write_report(report, args.out, report["seconds"])


def write_report(report, out, seconds):
    """``lal_transfer.md`` and ``.json``, and a CSV table per budget."""
    import csv

    lines = ["Command: `" + report["command"] + "`", ""]
    os.makedirs(out, exist_ok=True)
    for bname in BUDGETS:
        if bname not in report:
            continue
        rows = table(report[bname], bname)
        lines += rows + [""]
        with open(os.path.join(out, f"lal_transfer_{bname}.csv"), "w",
                  newline="") as fh:
            w = csv.writer(fh)
            for row in rows[2:]:
                if row.startswith("|---"):
                    continue
                w.writerow([c.strip() for c in row.strip("|").split("|")])
    lines.append(f"Run time {seconds:.0f} s; AUBC is the mean test accuracy over "
                 "the curve, from the initial set to the budget; ± is the "
                 "standard error over paired seeds; p is Wilcoxon's signed-rank "
                 "test of LAL against random.")
    text = "\n".join(lines) + "\n"
    print(text)
    with open(os.path.join(out, "lal_transfer.md"), "w") as fh:
        fh.write(text)
    with open(os.path.join(out, "lal_transfer.json"), "w") as fh:
        json.dump(report, fh)


if __name__ == "__main__":
    main()
