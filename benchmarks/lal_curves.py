"""LAL learning curves: the paper's checkerboards and a transfer to real data.

Re-runnable evidence script (not a timed test; pytest does not collect it).
Every run is the paper's cold start: one labeled sample of each class, a
``RandomForestClassifier(n_estimators=50)`` retrained from scratch after
every query, one query per iteration, accuracy on a separate test set.
Strategies: random, uncertainty (entropy; for two classes the same ranking as
the paper's ``|p - 0.5|``), LAL-independent and LAL-iterative with the
regressors shipped in the package (learned once on synthetic Gaussian clouds,
never on these data). Within a repetition all strategies share the initial
pair (paired comparison, :func:`skactive.evaluation.active_learning_curve`).

Data:

* checkerboard 2x2, 4x4 and rotated 2x2: 1000 training and 1000 test points
  (separate draws, fixed across repetitions as in the paper); 100
  iterations, so accuracy is logged at 2 ... 102 labels (the paper logs
  iterations t = 0 ... 99, i.e. 2 ... 101 labels). ``--boards authors``
  (the default) reads the authors' own board files, copied unchanged into
  ``benchmarks/data/lal_boards/`` (Apache-2.0, see the README there);
  ``--boards generated`` draws boards of the same rule with
  :func:`skactive.datasets.make_checkerboard` (seeds 1 and 2);
* ``load_breast_cancer``: a new stratified 50 / 50 train/test split in every
  repetition; 100 iterations.

Outputs (in ``--out``): ``lal_curves.md`` (command, settings, run time, the
accuracy table at the paper's iterations, the AUBC table and the checks of
the issue), ``lal_curves.json`` (all curves) and ``lal_curves.png``.

Usage (from the repository root)::

    python benchmarks/lal_curves.py --repeats 20 --n-jobs 2 --out docs/_static

For a quick check of the script: ``--repeats 2 --iterations 10 --out /tmp/x``.
"""

import argparse
import csv
import json
import os
import shlex
import sys
import time

import numpy as np

ITERATIONS_SHOWN = (0, 10, 20, 30, 40, 50, 60, 80, 99)
BOARDS = {
    "checkerboard 2x2": dict(grid=2, rotated=False),
    "checkerboard 4x4": dict(grid=4, rotated=False),
    "rotated checkerboard 2x2": dict(grid=2, rotated=True),
}


def _parse(argv=None):
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--repeats", type=int, default=20)
    p.add_argument("--iterations", type=int, default=100)
    p.add_argument("--n-jobs", type=int, default=2)
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--datasets", default="all",
                   help="comma-separated subset of: 2x2,4x4,rotated,breast_cancer")
    p.add_argument("--boards", choices=["authors", "generated"], default="authors",
                   help="the authors' board files or freshly generated boards")
    p.add_argument("--out", default="docs/_static")
    return p.parse_args(argv)


BOARD_FILES = {
    "checkerboard 2x2": "checkerboard2x2",
    "checkerboard 4x4": "checkerboard4x4",
    "rotated checkerboard 2x2": "rotated_checkerboard2x2",
}


def authors_board(name):
    """The authors' train and test files of board ``name``: X, y, X_test, y_test."""
    folder = os.path.join(os.path.dirname(os.path.abspath(__file__)), "data",
                          "lal_boards")
    out = []
    for part in ("train", "test"):
        with np.load(os.path.join(folder, f"{BOARD_FILES[name]}_{part}.npz")) as z:
            out += [z["x"], z["y"].ravel().astype(int)]
    return tuple(out)


def _strategies():
    from sklearn.ensemble import RandomForestClassifier

    from skactive import RandomSampling, UncertaintySampling
    from skactive.policies import LALStrategy

    def rf():
        return RandomForestClassifier(n_estimators=50)

    return {
        "random": RandomSampling(rf()),
        "uncertainty": UncertaintySampling(rf(), measure="entropy"),
        "LAL-independent": LALStrategy(rf(), regressor="independent"),
        "LAL-iterative": LALStrategy(rf(), regressor="iterative"),
    }


def _datasets(which, boards="authors"):
    from sklearn.datasets import load_breast_cancer

    from skactive.datasets import make_checkerboard

    keys = {"2x2": "checkerboard 2x2", "4x4": "checkerboard 4x4",
            "rotated": "rotated checkerboard 2x2", "breast_cancer": "breast_cancer"}
    chosen = list(keys) if which == "all" else which.split(",")
    out = {}
    for k in chosen:
        name = keys[k]
        if name in BOARDS and boards == "authors":
            out[name] = authors_board(name)
        elif name in BOARDS:
            X, y = make_checkerboard(1000, random_state=1, **BOARDS[name])
            X_test, y_test = make_checkerboard(1000, random_state=2, **BOARDS[name])
            out[name] = (X, y, X_test, y_test)
        else:
            X, y = load_breast_cancer(return_X_y=True)
            out[name] = (X, y, None, None)
    return out


def main(argv=None):
    args = _parse(argv)
    from skactive.evaluation import active_learning_curve, plot_learning_curves
    from skactive.policies import load_lal_regressor

    t_start = time.perf_counter()
    results, seconds = {}, {}
    for name, (X, y, X_test, y_test) in _datasets(args.datasets, args.boards).items():
        t0 = time.perf_counter()
        results[name] = active_learning_curve(
            _strategies(), X, y, X_test, y_test, test_size=0.5, batch_size=1,
            budget=args.iterations, initial_size=2, initial="stratified",
            n_repeats=args.repeats, n_jobs=args.n_jobs,
            random_state=args.seed, verbose=True,
        )
        seconds[name] = time.perf_counter() - t0
        print(f"{name}: {seconds[name]:.0f} s", flush=True)

    lines = _report(args, argv, results, seconds, time.perf_counter() - t_start)
    for meta_name in ("iterative", "independent"):
        meta = load_lal_regressor(meta_name, return_metadata=True)[1]
        lines.append(f"- shipped `{meta_name}` regressor: `{meta['command']}` "
                     f"({meta['n_rows']} rows, "
                     f"{meta.get('candidate', 'grouped-CV leaf size')}, "
                     f"{meta['simulation_seconds']:.0f} s of simulation)")
    text = "\n".join(lines) + "\n"
    print(text)
    os.makedirs(args.out, exist_ok=True)
    with open(os.path.join(args.out, "lal_curves.md"), "w") as fh:
        fh.write(text)
    with open(os.path.join(args.out, "lal_curves.json"), "w") as fh:
        json.dump({k: json.loads(r.to_json()) for k, r in results.items()}, fh)
    _write_csv(args, results, args.out)
    _plot(results, os.path.join(args.out, "lal_curves.png"), plot_learning_curves)


def _write_shipped_csv(out):
    """One row per shipped regressor, from the artefact headers."""
    from skactive.policies import load_lal_regressor
    from skactive.policies._artefacts import pretrained_path

    with open(os.path.join(out, "lal_shipped.csv"), "w", newline="") as fh:
        w = csv.writer(fh)
        w.writerow(["regressor", "command", "Monte-Carlo rows", "simulation",
                    "regressor chosen", "nodes / depth", "file"])
        for name in ("iterative", "independent", "multiclass"):
            reg, meta = load_lal_regressor(name, return_metadata=True)
            if "candidate" in meta:
                chosen = f"{meta['candidate']} (learning curves, select_lal.py)"
            elif "cv" not in meta:
                continue
            else:
                best = max(meta["cv"], key=lambda r: r["selection_gain"])
                chosen = (f"min_samples_leaf={best['min_samples_leaf']} "
                          "(grouped CV, selection gain)")
            size = pretrained_path(f"lal_{name}.npz").stat().st_size
            w.writerow([
                name, meta["command"], meta["n_rows"],
                f"{meta['simulation_seconds'] / 60:.0f} min",
                chosen,
                f"{meta['n_nodes']:,} / {meta['max_depth']}",
                f"{size / 2**20:.2f} MiB",
            ])


def _write_csv(args, results, out):
    _write_shipped_csv(out)

    shown = [t for t in ITERATIONS_SHOWN if t <= args.iterations]
    with open(os.path.join(out, "lal_accuracy.csv"), "w", newline="") as fh:
        w = csv.writer(fh)
        w.writerow(["data", "strategy"] + [f"t={t}" for t in shown])
        for name, r in results.items():
            if name not in BOARDS:
                continue
            for strat, s in r.scores.items():
                mean = s.mean(axis=0)
                w.writerow([name, strat] + [f"{mean[t]:.3f}" for t in shown])
    with open(os.path.join(out, "lal_aubc.csv"), "w", newline="") as fh:
        w = csv.writer(fh)
        w.writerow(["data", "strategy", "AUBC", "vs random", "vs uncertainty",
                    "wins vs uncertainty"])
        for name, r in results.items():
            unc, rnd = r.aubc["uncertainty"], r.aubc["random"]
            for strat, a in r.aubc.items():
                w.writerow([name, strat, f"{a.mean():.4f} ± {a.std():.4f}",
                            f"{a.mean() - rnd.mean():+.4f}",
                            f"{a.mean() - unc.mean():+.4f}",
                            f"{int(np.sum(a > unc))}/{a.shape[0]}"])


def _report(args, argv, results, seconds, total):
    cmd = "python benchmarks/lal_curves.py " + " ".join(
        shlex.quote(a) for a in (argv if argv is not None else sys.argv[1:]))
    lines = [
        f"Command: `{cmd}`  ",
        f"{args.repeats} repetitions, cold start (one sample per class), "
        f"RandomForestClassifier(50), {args.iterations} iterations of one "
        f"query; total {total / 60:.1f} min on {args.n_jobs} jobs. Boards: "
        + ("the authors' files (benchmarks/data/lal_boards)."
           if args.boards == "authors" else "make_checkerboard, seeds 1 / 2."),
        "",
    ]
    boards = [n for n in results if n in BOARDS]
    if boards:
        lines += ["Mean test accuracy at iteration t (t + 2 labels):", ""]
        shown = [t for t in ITERATIONS_SHOWN if t <= args.iterations]
        head = " | ".join(f"t={t}" for t in shown)
        lines.append(f"| data | strategy | {head} |")
        lines.append("|---|---|" + "---|" * len(shown))
        for name in boards:
            for strat, s in results[name].scores.items():
                mean = s.mean(axis=0)
                lines.append(f"| {name} | {strat} | "
                             + " | ".join(f"{mean[t]:.3f}" for t in shown) + " |")
        lines.append("")
    lines += ["AUBC (mean ± std over repetitions) and paired comparison:", "",
              "| data | strategy | AUBC | vs random | vs uncertainty | "
              "wins vs uncertainty |", "|---|---|---|---|---|---|"]
    for name, r in results.items():
        unc = r.aubc["uncertainty"]
        rnd = r.aubc["random"]
        for strat, a in r.aubc.items():
            lines.append(
                f"| {name} | {strat} | {a.mean():.4f} ± {a.std():.4f} | "
                f"{a.mean() - rnd.mean():+.4f} | {a.mean() - unc.mean():+.4f} | "
                f"{int(np.sum(a > unc))}/{a.shape[0]} |")
    lines += ["", "Checks (issues 4 and 15):", ""]
    if "checkerboard 2x2" in results and args.iterations >= 61:
        s = results["checkerboard 2x2"].scores["LAL-iterative"].mean(axis=0)
        lines.append(f"- 2x2, LAL-iterative: {s[40]:.3f} at t=40 (target >= 0.93; "
                     f"paper 0.95), {s[60]:.3f} at t=60 (target >= 0.98; paper "
                     f"0.99): {'PASS' if s[40] >= 0.93 and s[60] >= 0.98 else 'FAIL'}")
    if "rotated checkerboard 2x2" in results and args.iterations >= 100:
        sc = results["rotated checkerboard 2x2"].scores
        at = {k: v.mean(axis=0)[99] for k, v in sc.items()}
        for lal in ("LAL-iterative", "LAL-independent"):
            ok = at[lal] > at["random"] and at[lal] > at["uncertainty"]
            lines.append(
                f"- rotated, t=99: {lal} {at[lal]:.3f} vs random "
                f"{at['random']:.3f}, uncertainty {at['uncertainty']:.3f}: "
                f"{'PASS' if ok else 'FAIL'}")
    if "breast_cancer" in results:
        a = results["breast_cancer"].aubc
        for lal in ("LAL-iterative", "LAL-independent"):
            ok = a[lal].mean() >= max(a["random"].mean(), a["uncertainty"].mean())
            lines.append(
                f"- breast_cancer AUBC: {lal} {a[lal].mean():.4f}, random "
                f"{a['random'].mean():.4f}, uncertainty "
                f"{a['uncertainty'].mean():.4f}: {'PASS' if ok else 'FAIL'}")
    lines.append("")
    lines.append("Run time per data set: " + ", ".join(
        f"{k} {v:.0f} s" for k, v in seconds.items()))
    return lines


def _plot(results, path, plot_learning_curves):
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    n = len(results)
    fig, axes = plt.subplots(1, n, figsize=(4.2 * n, 3.6), squeeze=False)
    for ax, (name, r) in zip(axes[0], results.items()):
        plot_learning_curves(r, ax=ax, title=name)
        ax.set_xlabel("labeled samples")
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    print("wrote", path)


if __name__ == "__main__":
    main()
