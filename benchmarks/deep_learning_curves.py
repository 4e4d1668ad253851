"""Deep active learning curves on ``load_digits`` with the image CNN.

Re-runnable evidence script (not a timed test; pytest does not collect it).
It runs :func:`skactive.evaluation.active_learning_curve` with the CNN of Gal
et al. (2017) / IALE (:func:`skactive.nets.make_image_cnn`) for seven
strategies:

* ``random``: :class:`~skactive.RandomSampling`;
* ``entropy``: :class:`~skactive.UncertaintySampling` (``measure="entropy"``,
  deterministic softmax, dropout off);
* ``MC-dropout BALD`` / ``MC-dropout variation ratio``:
  :class:`~skactive.MCDropout` with ``n_samples`` consistent MC-dropout passes;
* ``deep ensemble``: :class:`~skactive.DeepEnsemble` (``n_members`` nets with
  different initialisations, variation ratio);
* ``CoreSet``: :class:`~skactive.CoreSet` on the net's 128-d penultimate
  embedding (``CoreSet(net)`` dispatches to ``net.embed``);
* ``BADGE``: :class:`~skactive.BADGE` on the net's gradient-embedding factors.

Every round retrains the nets from scratch on the labeled set. The data is
``load_digits`` scaled to [0, 1] (``X / 16``, float32) with one fixed
stratified train/test split (1297 / 500 by default); the repeats differ in the
initial labeled set and in the nets' seeds (drawn from the repeat's seed by
:class:`~skactive.ActiveLearner`), and within a repeat every strategy starts
from the same initial set.

Outputs (in ``--out``):

* ``deep_digits_aubc.md``: the command, the settings and the runtime, then a
  markdown table (strategy, AUBC mean ± std, AUBC vs random, final accuracy,
  s/query, s/fit);
* ``deep_digits_aubc.csv``: the same table, for ``.. csv-table:: :file:`` in
  the docs;
* ``deep_digits_aubc.json``: the full result
  (:meth:`~skactive.evaluation.ActiveLearningCurveResult.to_json`, readable
  with ``ActiveLearningCurveResult.from_json``) plus a ``run`` record;
* ``deep_digits_curves.png``: mean ± std learning curves.

Usage (from the repository root)::

    python benchmarks/deep_learning_curves.py --seeds 5 --out docs/_static

The defaults are what the published table was made with; on the 2-core
development VM they took 10 minutes (628 s) with ``--n-jobs 2``, and up to
three times as long while other jobs share the cores. For a quick check of
the script itself::

    python benchmarks/deep_learning_curves.py --seeds 1 --budget 20 \\
        --max-epochs 5 --n-members 2 --mc-samples 4 --out /tmp/deep_smoke

``--from-json docs/_static/deep_digits_aubc.json`` rewrites the tables and
the plot from a saved result without training anything.
"""

import argparse
import os
import platform
import shlex
import sys
import time

from _common import cpu_model

STRATEGY_KEYS = ("random", "entropy", "bald", "variation_ratio", "ensemble",
                 "coreset", "badge")


def _parse(argv=None):
    p = argparse.ArgumentParser(
        description="Deep active learning curves on load_digits with the image CNN.",
        formatter_class=argparse.ArgumentDefaultsHelpFormatter,
    )
    p.add_argument("--seeds", type=int, default=5, help="repeats (different "
                   "initial sets and net seeds)")
    p.add_argument("--out", default="docs/_static", help="output folder")
    p.add_argument("--initial-size", type=int, default=20)
    p.add_argument("--batch-size", type=int, default=10, help="labels per round")
    p.add_argument("--budget", type=int, default=180,
                   help="labels acquired after the initial set")
    p.add_argument("--test-size", type=int, default=500,
                   help="size of the fixed stratified test split")
    p.add_argument("--max-epochs", type=int, default=50,
                   help="CNN training epochs per fit (from scratch every round)")
    p.add_argument("--mc-samples", type=int, default=20,
                   help="MC-dropout passes for BALD and variation ratio")
    p.add_argument("--n-members", type=int, default=5,
                   help="deep ensemble size (current net included)")
    p.add_argument("--strategies", default=",".join(STRATEGY_KEYS),
                   help="comma-separated subset of " + ",".join(STRATEGY_KEYS))
    p.add_argument("--n-jobs", type=int, default=2,
                   help="joblib processes over (repeat, strategy) runs")
    p.add_argument("--threads", type=int, default=1,
                   help="torch / BLAS threads per process")
    p.add_argument("--random-state", type=int, default=0,
                   help="seeds the repeats and the train/test split")
    p.add_argument("--prefix", default="deep_digits",
                   help="output file name prefix")
    p.add_argument("--verbose", action="store_true", help="progress bar")
    p.add_argument("--from-json", metavar="PATH", default=None,
                   help="do not train: rewrite the tables and the plot in --out "
                        "from a .json this script wrote")
    args = p.parse_args(argv)
    keys = [k.strip() for k in args.strategies.split(",") if k.strip()]
    unknown = sorted(set(keys) - set(STRATEGY_KEYS))
    if unknown:
        p.error(f"unknown strategies {unknown}; choose from {list(STRATEGY_KEYS)}")
    if "random" not in keys:
        keys.insert(0, "random")  # the AUBC reference
    args.strategy_keys = keys
    return args


def _set_threads(n):
    """Thread counts for this process and (through the environment) the
    joblib worker processes, set before numpy and torch start their pools."""
    for var in ("OMP_NUM_THREADS", "MKL_NUM_THREADS", "OPENBLAS_NUM_THREADS"):
        os.environ[var] = str(n)


def make_strategies(args):
    """The compared strategies, keyed by display name (random first)."""
    from skactive import (
        BADGE,
        CoreSet,
        DeepEnsemble,
        MCDropout,
        RandomSampling,
        UncertaintySampling,
    )
    from skactive.nets import make_image_cnn

    def net():
        # random_state=None: ActiveLearner seeds it from the repeat's seed.
        return make_image_cnn(max_epochs=args.max_epochs, device="cpu")

    factories = {
        "random": ("random", lambda: RandomSampling(net())),
        "entropy": ("entropy", lambda: UncertaintySampling(net(), measure="entropy")),
        "bald": ("MC-dropout BALD",
                 lambda: MCDropout(net(), measure="bald", n_samples=args.mc_samples)),
        "variation_ratio": (
            "MC-dropout variation ratio",
            lambda: MCDropout(net(), measure="variation_ratio",
                              n_samples=args.mc_samples)),
        "ensemble": (f"deep ensemble ({args.n_members})",
                     lambda: DeepEnsemble(net(), n_members=args.n_members,
                                          measure="variation_ratio")),
        "coreset": ("CoreSet", lambda: CoreSet(net())),
        "badge": ("BADGE", lambda: BADGE(net())),
    }
    return {factories[k][0]: factories[k][1]() for k in args.strategy_keys}


def load_data(args):
    import numpy as np
    from sklearn.datasets import load_digits
    from sklearn.model_selection import train_test_split

    X, y = load_digits(return_X_y=True)
    X = (X / 16.0).astype(np.float32)
    return train_test_split(X, y, test_size=args.test_size, stratify=y,
                            random_state=args.random_state)


def summary_rows(result):
    """Table rows: name, AUBC mean/std, AUBC vs random, final acc, s/query, s/fit."""
    import numpy as np

    rows = []
    for row in result.summary():
        name = row["strategy"]
        rows.append({
            "strategy": name,
            "aubc_mean": row["aubc_mean"],
            "aubc_std": row["aubc_std"],
            "aubc_vs_random": row["aubc_vs_random"],
            "final_accuracy": row["final_score"],
            "final_accuracy_std": row["final_score_std"],
            "sec_per_query": row["sec_per_query"],
            "sec_per_fit": float(np.mean(result.fit_time[name])),
        })
    return rows


def _pct(v):
    return "–" if v is None else f"{100 * v:+.1f} %"


def markdown_table(rows):
    lines = [
        "| strategy | AUBC (mean ± std) | AUBC vs random | final accuracy "
        "| s / query | s / fit |",
        "|---|---|---|---|---|---|",
    ]
    for r in rows:
        lines.append(
            f"| {r['strategy']} | {r['aubc_mean']:.4f} ± {r['aubc_std']:.4f} "
            f"| {_pct(r['aubc_vs_random'])} "
            f"| {r['final_accuracy']:.3f} ± {r['final_accuracy_std']:.3f} "
            f"| {r['sec_per_query']:.2f} | {r['sec_per_fit']:.2f} |"
        )
    return "\n".join(lines)


def csv_table(rows):
    import csv
    import io

    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\n")
    w.writerow(["Strategy", "AUBC (mean ± std)", "AUBC vs random",
                "Final accuracy", "s / query", "s / fit"])
    for r in rows:
        w.writerow([
            r["strategy"], f"{r['aubc_mean']:.4f} ± {r['aubc_std']:.4f}",
            _pct(r["aubc_vs_random"]),
            f"{r['final_accuracy']:.3f} ± {r['final_accuracy_std']:.3f}",
            f"{r['sec_per_query']:.2f}", f"{r['sec_per_fit']:.2f}",
        ])
    return buf.getvalue()


def main(argv=None):
    args = _parse(argv)
    if args.from_json is not None:
        return rerender(args.from_json, args.out, args.prefix)
    _set_threads(args.threads)

    import numpy as np
    import sklearn
    import skorch
    import torch

    import skactive
    from skactive.evaluation import active_learning_curve

    torch.set_num_threads(args.threads)
    X_tr, X_te, y_tr, y_te = load_data(args)
    strategies = make_strategies(args)
    cmd = "python " + " ".join(
        shlex.quote(a) for a in [os.path.relpath(__file__)] + sys.argv[1:])
    settings = {
        "data": f"load_digits / 16 (float32), fixed stratified split "
                f"{X_tr.shape[0]} train (pool) / {X_te.shape[0]} test "
                f"(random_state={args.random_state})",
        "network": f"make_image_cnn(max_epochs={args.max_epochs}) (Adam, lr 1e-3, "
                   "batch 64), retrained from scratch every round",
        "loop": f"initial_size={args.initial_size} (stratified), "
                f"batch_size={args.batch_size}, budget={args.budget} "
                f"(→ {args.initial_size + args.budget} labels, "
                f"{-(-args.budget // args.batch_size)} rounds)",
        "repeats": f"{args.seeds} (active_learning_curve random_state="
                   f"{args.random_state})",
        "MC dropout": f"n_samples={args.mc_samples} consistent masks",
        "deep ensemble": f"n_members={args.n_members}, measure=variation_ratio",
        "parallelism": f"n_jobs={args.n_jobs}, {args.threads} torch/BLAS "
                       "thread(s) per process",
        "machine": f"{cpu_model()}, {os.cpu_count()} CPUs, "
                   f"{platform.python_version()}, torch {torch.__version__}, "
                   f"skorch {skorch.__version__}, sklearn {sklearn.__version__}, "
                   f"numpy {np.__version__}, skactive {skactive.__version__}",
    }
    print(f"$ {cmd}")
    for k, v in settings.items():
        print(f"  {k}: {v}")
    sys.stdout.flush()

    t0 = time.perf_counter()
    result = active_learning_curve(
        strategies, X_tr, y_tr, X_te, y_te,
        batch_size=args.batch_size, budget=args.budget,
        initial_size=args.initial_size, n_repeats=args.seeds,
        n_jobs=args.n_jobs, random_state=args.random_state, verbose=args.verbose,
    )
    runtime = time.perf_counter() - t0

    run = {"command": cmd, "runtime_s": runtime, "settings": settings}
    write_outputs(result, run, args.out, args.prefix)
    return result


def write_outputs(result, run, out, prefix):
    """Write the .md / .csv tables, the .json result and the .png plot."""
    import json

    rows = summary_rows(result)
    table = markdown_table(rows)
    cmd, runtime, settings = run["command"], run["runtime_s"], run["settings"]
    os.makedirs(out, exist_ok=True)
    md_path = os.path.join(out, f"{prefix}_aubc.md")
    csv_path = os.path.join(out, f"{prefix}_aubc.csv")
    json_path = os.path.join(out, f"{prefix}_aubc.json")
    png_path = os.path.join(out, f"{prefix}_curves.png")

    lines = [
        "# Deep active learning on load_digits (image CNN)",
        "",
        "Command (from the repository root):",
        "",
        "```",
        cmd,
        "```",
        "",
        f"Runtime: {runtime:.0f} s ({runtime / 60:.1f} min) wall clock.",
        "",
    ]
    lines += [f"- {k}: {v}" for k, v in settings.items()]
    lines += [
        "",
        "AUBC: area under the accuracy-vs-labels curve, normalised to [0, 1] "
        f"over {result.n_labeled[0]}–{result.n_labeled[-1]} labels; "
        "± is the standard deviation over repeats. AUBC vs random: relative "
        "to random sampling's mean AUBC. Final accuracy: test accuracy at "
        f"{result.n_labeled[-1]} labels (mean ± std). s / query and s / fit: "
        "mean wall-clock seconds per query round and per strategy fit (the "
        "deep ensemble's fit trains all its members).",
        "",
        table,
        "",
    ]
    with open(md_path, "w", encoding="utf-8") as f:
        f.write("\n".join(lines))
    with open(csv_path, "w", encoding="utf-8") as f:
        f.write(csv_table(rows))
    data = result.to_dict()
    data["run"] = {"command": cmd, "runtime_s": runtime, "settings": settings,
                   "table": rows}
    with open(json_path, "w", encoding="utf-8") as f:
        json.dump(data, f, allow_nan=False)

    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots(figsize=(7.5, 4.8))
    n = result.n_repeats
    seeds = f"{n} seed" + ("s" if n != 1 else "")
    result.plot(ax=ax, title=f"load_digits, image CNN, {seeds} (mean ± std)")
    fig.tight_layout()
    fig.savefig(png_path, dpi=110)
    plt.close(fig)

    print()
    print(table)
    print(f"\nruntime {runtime:.0f} s; wrote {md_path}, {csv_path}, {json_path}, "
          f"{png_path}")


def rerender(json_path, out, prefix):
    """Rewrite the tables and the plot from a saved .json (no training)."""
    import json

    from skactive.evaluation import ActiveLearningCurveResult

    with open(json_path, encoding="utf-8") as f:
        data = json.load(f)
    result = ActiveLearningCurveResult.from_dict(data)
    write_outputs(result, data["run"], out, prefix)
    return result


if __name__ == "__main__":
    main()
