"""When would the stopping criteria have stopped, and what would it have cost?

Re-runnable evidence script (not a timed test; pytest does not collect it).

For each data set and seed the active learning loop runs **once** to the full
budget. An observer, a private :class:`~skactive.stopping.StoppingCriterion`,
is passed as ``ActiveLearner(stopping=...)``. It wraps the criteria below and
updates each one every round. It records the first round at which each one
says "stop", and it always answers False, so the run goes on to the end of
the budget. The full learning curve (test accuracy after every round) is
kept. Every criterion can therefore be scored on the same run, paired by
seed:

* ``SP``: :class:`~skactive.stopping.StabilizingPredictions` with the
  published defaults (kappa >= 0.99 averaged over 3 consecutive model pairs,
  a stop set of 2000 unlabeled rows, or the whole initial pool when it is
  smaller; Bloodgood & Vijay-Shanker 2009);
* ``MaxUnc``: :class:`~skactive.stopping.MaxUncertainty` (max-confidence of
  Zhu, Wang & Hovy 2008; normalised entropy, threshold 0.1);
* ``OverallUnc``: :class:`~skactive.stopping.OverallUncertainty` (overall
  uncertainty; normalised entropy, threshold 0.05);
* ``CC``: :class:`~skactive.stopping.ClassificationChange` (no pool label
  changes between two rounds; threshold 0, window 1);
* ``Budget/2``: :class:`~skactive.stopping.LabelBudget` at half the budget,
  a fixed reference.

A criterion that never fires counts as stopping at the end of the budget.
The loop asks its criteria after every round but the last, so a criterion
can fire from the initial model up to the round before the budget ends.

Tasks (``UncertaintySampling`` with entropy everywhere):

* ``wine``, ``breast_cancer``, ``digits``: :func:`skactive.datasets.load_dataset`
  (stratified 70/30 split, scaled, split seeded by the repeat's seed) with
  ``LogisticRegression(max_iter=1000)``;
* ``mnist1d``: MNIST-1D generated offline by ``mnist1d.data.make_dataset``
  with its default arguments (4000 train / 1000 test, 40 features,
  10 classes; nothing is downloaded) with skactive's MLP
  (``skactive.nets.make_mlp((128,))``, as ``skactive compare --classifier
  mlp`` builds it, but trained for ``--max-epochs 100`` at ``--lr 0.01``:
  with the defaults, 50 epochs at 1e-3, the net stays near chance on the
  first few hundred labels) on the CPU, retrained from scratch every round.
  The train/test split is the generator's own; the repeats differ in the
  initial set and the nets' seeds.

Budgets (initial set, batch, queried labels): wine 6 / 2 / 80 % of the pool
(94), breast cancer 4 / 5 / 300, digits 20 / 10 / 600, mnist1d
20 / 100 / 3000.

Per data set x criterion the summary reports, over the paired seeds: labels
at stop (the labeled set, initial set included; mean ± sd), labels saved
against the budget (the queried labels not bought, in %), test accuracy at
stop, accuracy lost against the end of the budget and against the best point
of the curve (percentage points; positive means a loss), the fraction of runs
where it never fired, and the AUBC of the curve up to the stop against the
AUBC of the full curve. The truncated AUBC is the mean accuracy over the
labels actually bought. It is lower than the full one whenever the curve
still rises, so read it as a description of the run, not as a score to
maximise.

Outputs (in ``--out``, default ``docs/_static``):

* ``stopping_study.csv``: one row per (data set, seed, criterion);
* ``stopping_study.md``: settings, command, runtime and one summary table
  per data set;
* ``stopping_study.png``: one panel per data set, with the mean learning
  curve ± sd and a vertical marker at each criterion's mean stop point;
* ``stopping_study.json``: settings, command, runtime, the summary and the
  curves of every run.

Usage (from the repository root)::

    python benchmarks/stopping_study.py --n-jobs 2 --out docs/_static

and a smoke run of the script itself (a few seconds; writes to
``/tmp/stopping_study_quick`` unless ``--out`` is given)::

    python benchmarks/stopping_study.py --quick

Results depend only on the seeds (one BLAS/torch thread per process), not on
``--n-jobs``.

References
----------
M. Bloodgood and K. Vijay-Shanker, "A method for stopping active learning
based on stabilizing predictions and the need for user-adjustable stopping",
CoNLL 2009.
J. Zhu, H. Wang and E. Hovy, "Multi-criteria-based strategy to stop active
learning for data annotation", COLING 2008.
"""

import argparse
import json
import os
import platform
import shlex
import sys
import time

TABULAR = ("wine", "breast_cancer", "digits")
DEEP = ("mnist1d",)
DATASETS = TABULAR + DEEP
CRITERIA = ("SP", "MaxUnc", "OverallUnc", "CC", "Budget/2")
FULL = "full budget"
# Each criterion's statistic, its threshold, and which way is "closer to
# stopping" (the most stop-like value a run reached up to its stop).
THRESHOLDS = {"SP": "kappa ≥ 0.99", "MaxUnc": "entropy < 0.1",
              "OverallUnc": "entropy < 0.05", "CC": "changed = 0"}
CLOSEST = {"SP": max, "MaxUnc": min, "OverallUnc": min, "CC": min}

# (initial_size, batch_size, budget) per data set. ``None`` budget means
# 80 % of the pool (wine). ``quick`` settings are for the smoke run only.
SETTINGS = {
    "wine": (6, 2, None),
    "breast_cancer": (4, 5, 300),
    "digits": (20, 10, 600),
    "mnist1d": (20, 100, 3000),
}
QUICK_SETTINGS = {
    "wine": (6, 4, 24),
    "breast_cancer": (4, 10, 40),
    "digits": (20, 20, 60),
    "mnist1d": (20, 20, 60),
}


def _parse(argv=None):
    p = argparse.ArgumentParser(
        description="Where stopping criteria would stop, against the full "
                    "learning curve.",
        formatter_class=argparse.ArgumentDefaultsHelpFormatter,
    )
    p.add_argument("--repeats", type=int, default=None,
                   help="seeds per tabular data set (default 5, 1 with --quick)")
    p.add_argument("--deep-repeats", type=int, default=None,
                   help="seeds for mnist1d (default 3, 1 with --quick)")
    p.add_argument("--datasets", default=",".join(DATASETS),
                   help="comma-separated subset of " + ",".join(DATASETS))
    p.add_argument("--out", default=None,
                   help="output folder (default docs/_static, or "
                        "/tmp/stopping_study_quick with --quick)")
    p.add_argument("--max-epochs", type=int, default=None,
                   help="MLP epochs per fit on mnist1d (default 100, 5 with "
                        "--quick)")
    p.add_argument("--lr", type=float, default=1e-2,
                   help="MLP learning rate (Adam) on mnist1d")
    p.add_argument("--n-jobs", type=int, default=1,
                   help="joblib processes over (data set, seed) runs")
    p.add_argument("--quick", action="store_true",
                   help="tiny budgets and one seed: a smoke run of the script")
    p.add_argument("--no-progress", action="store_true", help="no progress bar")
    args = p.parse_args(argv)
    args.dataset_keys = [d.strip() for d in args.datasets.split(",") if d.strip()]
    unknown = sorted(set(args.dataset_keys) - set(DATASETS))
    if unknown:
        p.error(f"unknown data sets {unknown}; choose from {list(DATASETS)}")
    if args.repeats is None:
        args.repeats = 1 if args.quick else 5
    if args.deep_repeats is None:
        args.deep_repeats = 1 if args.quick else 3
    if args.max_epochs is None:
        args.max_epochs = 5 if args.quick else 100
    if args.out is None:
        args.out = "/tmp/stopping_study_quick" if args.quick else "docs/_static"
    if args.repeats < 1 or args.deep_repeats < 1 or args.max_epochs < 1:
        p.error("--repeats, --deep-repeats and --max-epochs must be >= 1")
    return args


def _set_threads(n=1):
    """One BLAS/OpenMP thread per process (set before numpy is imported),
    inherited by the joblib workers: deterministic and no oversubscription."""
    for var in ("OMP_NUM_THREADS", "MKL_NUM_THREADS", "OPENBLAS_NUM_THREADS"):
        os.environ[var] = str(n)


# ----------------------------------------------------------------------------
# The observer
# ----------------------------------------------------------------------------

def _make_observer_class():
    """Define the observer lazily, so ``--help`` does not import skactive."""
    import numpy as np

    from skactive.stopping import StoppingCriterion

    class _StopObserver(StoppingCriterion):
        """Update every wrapped criterion each round; never stop.

        ``first_[name]`` is ``(round, n_labeled, n_queried)`` of the first
        round at which criterion ``name`` returned True, and ``signal_[name]``
        its statistic per round (kappa window mean, uncertainty, fraction
        changed, labels queried; nan while undefined).
        """

        def __init__(self, criteria=()):
            self.criteria = criteria

        def update(self, state):
            if not hasattr(self, "first_"):
                self.first_ = {}
                self.signal_ = {name: [] for name, _ in self.criteria}
            for name, criterion in self.criteria:
                stop = bool(criterion.update(state))
                self.signal_[name].append(_signal(criterion, state))
                if stop and name not in self.first_:
                    self.first_[name] = (int(state.round), len(state.labeled),
                                         int(state.n_queried))
            self.reason_ = None
            return False

    def _signal(c, state):
        from skactive.stopping import (
            ClassificationChange,
            LabelBudget,
            StabilizingPredictions,
        )

        if isinstance(c, StabilizingPredictions):
            k = getattr(c, "kappas_", [])
            return float(np.mean(k[-c.window:])) if len(k) >= c.window else np.nan
        if isinstance(c, ClassificationChange):
            ch = getattr(c, "changes_", [])
            return float(ch[-1]) if ch else np.nan
        if isinstance(c, LabelBudget):
            return float(state.n_queried)
        v = getattr(c, "values_", [])
        return float(v[-1]) if v else np.nan

    return _StopObserver


def make_criteria(budget, pool_size, seed):
    """The criteria, with their published defaults, as (name, criterion)."""
    from skactive.stopping import (
        ClassificationChange,
        LabelBudget,
        MaxUncertainty,
        OverallUncertainty,
        StabilizingPredictions,
    )

    return [
        ("SP", StabilizingPredictions(stop_set_size=min(2000, pool_size),
                                      threshold=0.99, window=3,
                                      random_state=seed)),
        ("MaxUnc", MaxUncertainty()),
        ("OverallUnc", OverallUncertainty()),
        ("CC", ClassificationChange()),
        ("Budget/2", LabelBudget(max(1, budget // 2))),
    ]


# ----------------------------------------------------------------------------
# One run
# ----------------------------------------------------------------------------

def task_settings(name, quick):
    """(initial_size, batch_size, budget) for the data set, budget resolved."""
    init, batch, budget = (QUICK_SETTINGS if quick else SETTINGS)[name]
    return init, batch, budget


def load_task(name, seed, max_epochs, lr):
    """X_train, y_train, X_test, y_test and a classifier factory."""
    import numpy as np

    if name == "mnist1d":
        from mnist1d.data import get_dataset_args, make_dataset

        from skactive.nets import make_mlp

        data = make_dataset(get_dataset_args())  # generated, never downloaded
        X_tr, y_tr = data["x"].astype(np.float32), np.asarray(data["y"])
        X_te, y_te = data["x_test"].astype(np.float32), np.asarray(data["y_test"])

        def clf():
            # random_state=None: ActiveLearner seeds it from the run's seed.
            return make_mlp((128,), max_epochs=max_epochs, lr=lr, device="cpu")
    else:
        from sklearn.linear_model import LogisticRegression

        from skactive.datasets import load_dataset

        b = load_dataset(name, random_state=seed)
        X_tr, y_tr, X_te, y_te = b.X_train, b.y_train, b.X_test, b.y_test

        def clf():
            return LogisticRegression(max_iter=1000)
    return X_tr, y_tr, X_te, y_te, clf


def run_one(name, seed, quick, max_epochs, lr=1e-2):
    """Run the loop once to the full budget; return curve and first stops."""
    import warnings

    import numpy as np
    from threadpoolctl import threadpool_limits

    from skactive import ActiveLearner, UncertaintySampling

    if name in DEEP:
        import torch

        torch.set_num_threads(1)
    t0 = time.perf_counter()
    X, y, Xt, yt, clf = load_task(name, seed, max_epochs, lr)
    init, batch, budget = task_settings(name, quick)
    pool = len(y) - init
    if budget is None:  # wine: 80 % of the pool
        budget = int(0.8 * pool)
    budget = min(budget, pool)
    observer = _make_observer_class()(make_criteria(budget, pool, seed))
    al = ActiveLearner(UncertaintySampling(clf(), measure="entropy"),
                       batch_size=batch, budget=budget, initial_size=init,
                       initial="stratified", eval_set=(Xt, yt),
                       random_state=seed, stopping=observer)
    with threadpool_limits(1), warnings.catch_warnings():
        warnings.simplefilter("ignore", category=UserWarning)
        al.fit(X, y)
    obs = al.stopping_[0]
    assert al.stop_reason_.startswith("the budget"), al.stop_reason_
    hist = al.history_
    return {
        "dataset": name,
        "seed": int(seed),
        "initial_size": init,
        "batch_size": batch,
        "budget": int(budget),
        "pool_size": int(pool),
        "n_train": int(len(y)),
        "n_test": int(len(yt)),
        "n_labeled": [int(h["n_labeled"]) for h in hist],
        "score": [float(h["score"]) for h in hist],
        "first": {k: list(v) for k, v in obs.first_.items()},
        "signal": {k: [None if np.isnan(s) else float(s) for s in v]
                   for k, v in obs.signal_.items()},
        "seconds": time.perf_counter() - t0,
    }


# ----------------------------------------------------------------------------
# Scoring the runs
# ----------------------------------------------------------------------------

def run_rows(run):
    """One row per criterion (and the full-budget reference) of a run."""
    import numpy as np

    from skactive.evaluation import aubc

    n_lab = np.asarray(run["n_labeled"])
    score = np.asarray(run["score"])
    last = len(score) - 1
    full_aubc = float(aubc(score, n_lab))
    best = float(score.max())
    rows = []
    for crit in CRITERIA + (FULL,):
        first = run["first"].get(crit)
        fired = first is not None
        r = first[0] if fired else last
        queried = int(n_lab[r] - n_lab[0])
        sig = run["signal"].get(crit, [])
        sig_at = sig[r] if fired and r < len(sig) else None
        seen = [v for v in sig[: r + 1] if v is not None]
        best_sig = None
        if seen and crit in CLOSEST:
            best_sig = float(CLOSEST[crit](seen))
        rows.append({
            "dataset": run["dataset"],
            "seed": run["seed"],
            "criterion": crit,
            "fired": int(fired) if crit != FULL else "",
            "stop_round": r,
            "n_labeled_stop": int(n_lab[r]),
            "n_queried_stop": queried,
            "budget": run["budget"],
            "labels_saved_pct": 100.0 * (run["budget"] - queried) / run["budget"],
            "acc_stop": float(score[r]),
            "acc_final": float(score[last]),
            "acc_best": best,
            "loss_vs_final_pp": 100.0 * (float(score[last]) - float(score[r])),
            "loss_vs_best_pp": 100.0 * (best - float(score[r])),
            "aubc_trunc": float(aubc(score[: r + 1], n_lab[: r + 1])),
            "aubc_full": full_aubc,
            "signal_at_stop": sig_at,
            "signal_closest": best_sig,
        })
    return rows


def summarize(rows):
    """Summary per (data set, criterion): means and sds over the seeds."""
    import numpy as np

    out = []
    keys = []
    for r in rows:
        k = (r["dataset"], r["criterion"])
        if k not in keys:
            keys.append(k)
    for ds, crit in keys:
        sel = [r for r in rows if r["dataset"] == ds and r["criterion"] == crit]

        def ms(col, sel=sel):
            v = np.array([r[col] for r in sel], dtype=float)
            sd = float(v.std(ddof=1)) if len(v) > 1 else 0.0
            return float(v.mean()), sd

        s = {"dataset": ds, "criterion": crit, "n_runs": len(sel),
             "budget": sel[0]["budget"]}
        for col in ("n_labeled_stop", "labels_saved_pct", "acc_stop",
                    "loss_vs_final_pp", "loss_vs_best_pp", "aubc_trunc",
                    "aubc_full"):
            s[col + "_mean"], s[col + "_sd"] = ms(col)
        s["never_frac"] = (0.0 if crit == FULL else
                           float(np.mean([1 - r["fired"] for r in sel])))
        closest = [r["signal_closest"] for r in sel
                   if r["signal_closest"] is not None]
        s["signal_closest_mean"] = (float(np.mean(closest)) if closest
                                    else None)
        out.append(s)
    return out


def _closest(s):
    """Mean over runs of the most stop-like statistic reached, with the rule."""
    if s["criterion"] not in THRESHOLDS or s["signal_closest_mean"] is None:
        return "–"
    return f"{s['signal_closest_mean']:.3f} ({THRESHOLDS[s['criterion']]})"


def markdown_tables(summary, datasets, meta):
    lines = []
    for ds in datasets:
        rows = [s for s in summary if s["dataset"] == ds]
        if not rows:
            continue
        m = meta[ds]
        lines += [
            f"### {ds}",
            "",
            f"{m['classifier']}; {m['n_train']} train / {m['n_test']} test; "
            f"initial set {m['initial_size']}, batch {m['batch_size']}, budget "
            f"{m['budget']} queried labels (full run: {m['initial_size'] + m['budget']}"
            f" labeled); {rows[0]['n_runs']} seed(s).",
            "",
            "| criterion | labels at stop | saved | accuracy at stop "
            "| lost vs end (pp) | lost vs best (pp) | never fired "
            "| AUBC to stop / full | closest signal (stop if) |",
            "|---|---|---|---|---|---|---|---|---|",
        ]
        for s in rows:
            never = "–" if s["criterion"] == FULL else f"{s['never_frac']:.0%}"
            lines.append(
                f"| {s['criterion']} "
                f"| {s['n_labeled_stop_mean']:.1f} ± {s['n_labeled_stop_sd']:.1f} "
                f"| {s['labels_saved_pct_mean']:.1f} % "
                f"| {s['acc_stop_mean']:.3f} ± {s['acc_stop_sd']:.3f} "
                f"| {s['loss_vs_final_pp_mean']:+.2f} "
                f"± {s['loss_vs_final_pp_sd']:.2f} "
                f"| {s['loss_vs_best_pp_mean']:+.2f} ± {s['loss_vs_best_pp_sd']:.2f} "
                f"| {never} "
                f"| {s['aubc_trunc_mean']:.3f} / {s['aubc_full_mean']:.3f} "
                f"| {_closest(s)} |"
            )
        lines.append("")
    return "\n".join(lines)


def write_summary_csv(summary, path):
    """The summary tables as one CSV (what the docs page shows)."""
    import csv

    with open(path, "w", newline="") as fh:
        w = csv.writer(fh)
        w.writerow(["data set", "criterion", "labels at stop", "budget saved",
                    "accuracy at stop", "lost vs end (pp)", "lost vs best (pp)",
                    "AUBC to stop / full", "never fired"])
        for s in summary:
            never = "–" if s["criterion"] == FULL else f"{s['never_frac']:.0%}"
            w.writerow([
                s["dataset"], s["criterion"],
                f"{s['n_labeled_stop_mean']:.0f} ± {s['n_labeled_stop_sd']:.0f}",
                f"{s['labels_saved_pct_mean']:.0f} %",
                f"{s['acc_stop_mean']:.3f} ± {s['acc_stop_sd']:.3f}",
                f"{s['loss_vs_final_pp_mean']:+.1f} ± {s['loss_vs_final_pp_sd']:.1f}",
                f"{s['loss_vs_best_pp_mean']:+.1f} ± {s['loss_vs_best_pp_sd']:.1f}",
                f"{s['aubc_trunc_mean']:.3f} / {s['aubc_full_mean']:.3f}",
                never])


def plot(runs, summary, datasets, path):
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    import numpy as np

    datasets = [d for d in datasets if any(r["dataset"] == d for r in runs)]
    n = len(datasets)
    ncol = 2 if n > 1 else 1
    nrow = -(-n // ncol)
    fig, axes = plt.subplots(nrow, ncol, figsize=(6.2 * ncol, 4.2 * nrow),
                             squeeze=False)
    colors = dict(zip(CRITERIA, ("C0", "C1", "C2", "C3", "0.45")))
    styles = dict(zip(CRITERIA, ("-", "--", "-.", ":", (0, (1, 3)))))
    for ax, ds in zip(axes.ravel(), datasets):
        rr = [r for r in runs if r["dataset"] == ds]
        x = np.asarray(rr[0]["n_labeled"])
        Y = np.array([r["score"] for r in rr])
        mu, sd = Y.mean(0), Y.std(0)
        ax.plot(x, mu, color="k", lw=1.6, label=f"test accuracy ({len(rr)} seeds)")
        ax.fill_between(x, mu - sd, mu + sd, color="k", alpha=0.12, lw=0)
        for crit in CRITERIA:
            s = next(s for s in summary
                     if s["dataset"] == ds and s["criterion"] == crit)
            fired = 1 - s["never_frac"]
            ax.axvline(s["n_labeled_stop_mean"], color=colors[crit],
                       ls=styles[crit], lw=1.8,
                       label=f"{crit}: {s['n_labeled_stop_mean']:.0f} labels, "
                             f"{s['acc_stop_mean']:.3f} (fired {fired:.0%})")
        ax.set_title(f"{ds} (budget {rr[0]['budget']})")
        ax.set_xlabel("labeled samples")
        ax.set_ylabel("test accuracy")
        ax.grid(alpha=0.3)
        ax.legend(fontsize=7, loc="lower right")
    for ax in axes.ravel()[n:]:
        ax.set_visible(False)
    fig.suptitle("Stopping criteria: mean stop point on the mean learning curve "
                 "(never fired = end of budget)", fontsize=10)
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)


def write_csv(rows, path):
    import csv

    cols = list(rows[0])
    with open(path, "w", newline="") as fh:
        w = csv.DictWriter(fh, fieldnames=cols)
        w.writeheader()
        for r in rows:
            w.writerow({k: (f"{v:.6g}" if isinstance(v, float) else v)
                        for k, v in r.items()})


# ----------------------------------------------------------------------------
# Main
# ----------------------------------------------------------------------------

def main(argv=None):
    args = _parse(argv)
    _set_threads(1)
    from joblib import Parallel, delayed
    from tqdm.auto import tqdm

    import skactive
    from _common import cpu_model

    t_start = time.perf_counter()
    jobs = []
    for ds in args.dataset_keys:
        reps = args.deep_repeats if ds in DEEP else args.repeats
        jobs += [(ds, seed) for seed in range(reps)]
    # The slow deep runs first, so the workers finish together.
    jobs.sort(key=lambda j: (j[0] not in DEEP,))
    gen = Parallel(n_jobs=args.n_jobs, return_as="generator")(
        delayed(run_one)(ds, seed, args.quick, args.max_epochs, args.lr)
        for ds, seed in jobs)
    runs = list(tqdm(gen, total=len(jobs), desc="runs", disable=args.no_progress))
    order = {d: i for i, d in enumerate(args.dataset_keys)}
    runs.sort(key=lambda r: (order[r["dataset"]], r["seed"]))
    runtime = time.perf_counter() - t_start

    rows = [row for run in runs for row in run_rows(run)]
    summary = summarize(rows)
    meta = {}
    for r in runs:
        meta.setdefault(r["dataset"], {
            "classifier": ("MLP (128,), skactive.nets.make_mlp, "
                           f"max_epochs={args.max_epochs}, lr={args.lr}, CPU"
                           if r["dataset"] in DEEP
                           else "LogisticRegression(max_iter=1000)"),
            **{k: r[k] for k in ("initial_size", "batch_size", "budget",
                                 "pool_size", "n_train", "n_test")},
        })
    command = "python " + " ".join(shlex.quote(a) for a in
                                   [sys.argv[0]] + (argv or sys.argv[1:]))
    settings = {
        "datasets": meta,
        "strategy": "UncertaintySampling(measure='entropy')",
        "criteria": {
            "SP": "StabilizingPredictions(stop_set_size=min(2000, pool), "
                  "threshold=0.99, window=3, random_state=seed)",
            "MaxUnc": "MaxUncertainty(threshold=0.1, measure='entropy')",
            "OverallUnc": "OverallUncertainty(threshold=0.05, measure='entropy')",
            "CC": "ClassificationChange(threshold=0.0, window=1)",
            "Budget/2": "LabelBudget(budget // 2)",
        },
        "repeats": args.repeats,
        "deep_repeats": args.deep_repeats,
        "max_epochs": args.max_epochs,
        "lr": args.lr,
        "quick": args.quick,
        "seeds": "repeat i uses seed i for the learner (initial set, net "
                 "weights) and, for the tabular sets, the train/test split",
        "budget_note": (
            "Tabular budgets as planned: wine 80 % of the pool (batch 2), "
            "breast cancer 300 (batch 5), digits 600 (batch 10). mnist1d: "
            "20 initial labels, batches of 100, budget 3000 of the 3980-row "
            "pool, MLP retrained from scratch each round with 100 epochs of "
            "Adam at lr=1e-2 (the make_mlp default of 50 epochs at lr=1e-3 "
            "left the net near chance below ~400 labels); 3 seeds keep the "
            "study to a few minutes on 2 CPU cores."),
    }
    record = {
        "command": command,
        "settings": settings,
        "runtime_s": round(runtime, 1),
        "n_jobs": args.n_jobs,
        "machine": f"{cpu_model()}, {os.cpu_count()} CPUs",
        "python": platform.python_version(),
        "skactive": skactive.__version__,
        "summary": summary,
        "runs": runs,
    }
    os.makedirs(args.out, exist_ok=True)
    write_csv(rows, os.path.join(args.out, "stopping_study.csv"))
    with open(os.path.join(args.out, "stopping_study.json"), "w") as fh:
        json.dump(record, fh, indent=1)
    write_summary_csv(summary, os.path.join(args.out, "stopping_study_summary.csv"))
    tables = markdown_tables(summary, args.dataset_keys, meta)
    head = [
        "# Stopping criteria: where they stop and what it costs",
        "",
        f"Command: `{command}`  ",
        f"Runtime: {runtime:.0f} s with --n-jobs {args.n_jobs} "
        f"({os.cpu_count()} CPUs).",
        "",
        "One run per (data set, seed) to the full budget with entropy "
        "uncertainty sampling; every criterion watches the same run. "
        "`labels at stop` counts the labeled set (initial set included); "
        "`saved` is the share of the budget's queried labels not bought; "
        "`lost` is test accuracy at the end of the budget (or at the best "
        "point of the curve) minus accuracy at stop, in percentage points, "
        "positive = worse. A criterion that never fired stops at the end of "
        "the budget. `AUBC to stop` is the mean accuracy over the labels "
        "bought up to the stop. `closest signal` is the most stop-like value "
        "of the criterion's statistic that a run reached up to its stop (mean "
        "over runs; the "
        "window-mean kappa for SP, the normalised entropy for the uncertainty "
        "criteria, the fraction of changed pool labels for CC), next to the "
        "rule that stops.",
        "",
        "",
    ]
    with open(os.path.join(args.out, "stopping_study.md"), "w") as fh:
        fh.write("\n".join(head) + tables)
    plot(runs, summary, args.dataset_keys,
         os.path.join(args.out, "stopping_study.png"))
    print(tables)
    print(f"runtime {runtime:.0f} s; wrote stopping_study{{.csv,_summary.csv,.md,.png,.json}} "
          f"to {args.out}")
    return record


if __name__ == "__main__":
    main()
