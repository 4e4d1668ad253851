"""Choose a LAL regressor by the learning curves it produces.

``scripts/train_lal.py --simulate-only`` saves the Monte-Carlo rows (Ξ, Δ);
this script fits several candidate regressors on them and runs each as
:class:`skactive.policies.LALStrategy` on held-out simulated tasks that took
no part in the simulation: fresh Gaussian-cloud problems (the training
family, new seeds) and freshly drawn XOR boards (2x2 and rotated 2x2; the
evidence in ``benchmarks/lal_curves.py`` uses other draws). Every run is the
paper's cold start (one labeled sample per class, ``RF(50)`` retrained after
each of ``--iterations`` single queries); all candidates of a repetition
share the problem, the initial pair and the classifier seeds, with random
and uncertainty sampling beside them. ``--tasks paper2x2`` is the paper's
protocol on one fixed generated board and ``--tasks authors2x2`` on the
authors' own board file (both reported, not used to select). A regressor that predicts held-out Δ
best need not be the best policy, so the selection criterion is the mean
accuracy over the curve (AUBC) on these tasks, not a regression score.
The table also counts the "stuck" runs of each task: those still below 0.8
at t = 40, which on the XOR boards means the forest has not yet found all
four cells (uncertainty sampling's plateau).

Candidates (``--candidates``, comma-separated):

* ``leaf<N>``: ``RandomForestRegressor(100, max_features=6,
  min_samples_leaf=N)`` (the earlier grouped-CV choice is a large leaf);
* ``d40x<T>``: ``T`` trees of ``max_depth=40, max_features=6``, the authors'
  final regressor at ``T=1000``; ``d40x<T>s<P>`` grows each tree on a
  ``P`` % bootstrap sample (smaller trees, a smaller file);
* ``distil<K>`` (or ``distil<K>l<L>``): a compact student,
  ``HistGradientBoostingRegressor`` with ``K`` rounds of 63-leaf (``L``-leaf)
  trees, fitted to the predictions of the ``d40x1000`` teacher on
  the rows plus ``--distil-pairs`` re-paired candidate columns per unit (the
  teacher's averaging over 1000 trees is what the student has to keep);
* ``shipped`` (or ``shipped:<name>``): the regressor shipped with the
  package for ``--mode`` (or by that name).

``--write NAME`` fits the named candidate on all rows and writes it as the
package artefact ``skactive/policies/pretrained/lal_<mode>.npz`` with the
selection table in its header; ``--repeats 0 --write NAME --selection-from
A.json B.json`` skips the evaluation and takes the tables of earlier runs.

Usage::

    python scripts/select_lal.py --data scripts/lal_data/iter_q50_t500.npz \\
        --mode iterative --repeats 10 --n-jobs 2 --out /tmp/lal_select

``--data`` takes several files and stacks their rows, e.g. the committed
fresh-growth runs (``Q = 100``)::

    python scripts/select_lal.py --data benchmarks/data/lal_rows/iter_q50_fresh_s805.npz \\
        benchmarks/data/lal_rows/iter_q50_fresh_s806.npz --mode iterative \\
        --candidates shipped,d40x100,d40x1000s5,d40x1000 --repeats 10 --n-jobs 2
"""

import argparse
import json
import shlex
import sys
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
TASKS = ("clouds", "board2", "rotated2")
T_SHOWN = (10, 20, 40, 60)


_TEACHERS = {}


def make_candidate(name, states, deltas, seed, n_jobs, distil_pairs=50):
    from sklearn.ensemble import HistGradientBoostingRegressor, RandomForestRegressor

    if name.startswith("shipped"):
        return None
    if name.startswith("leaf"):
        reg = RandomForestRegressor(100, max_features=6,
                                    min_samples_leaf=int(name[4:]),
                                    random_state=seed, n_jobs=n_jobs)
        return reg.fit(states, deltas)
    if name.startswith("d40x"):
        if name in _TEACHERS:
            return _TEACHERS[name]
        # d40x<T> or d40x<T>s<P>: T trees, each on a P % bootstrap sample.
        trees, _, share = name[4:].partition("s")
        reg = RandomForestRegressor(int(trees), max_depth=40, max_features=6,
                                    max_samples=float(share) / 100 if share else None,
                                    random_state=seed, n_jobs=n_jobs)
        return reg.fit(states, deltas)
    if name.startswith("distil"):
        key = "d40x1000"
        if key not in _TEACHERS:
            _TEACHERS[key] = make_candidate(key, states, deltas, seed, n_jobs)
        X = distillation_rows(states, seed, distil_pairs)
        target = _TEACHERS[key].predict(X)
        # distil<K> or distil<K>l<L>: K boosting rounds of L-leaf trees.
        rounds, _, leaves = name[6:].partition("l")
        student = HistGradientBoostingRegressor(
            max_iter=int(rounds), learning_rate=0.1,
            max_leaf_nodes=int(leaves) if leaves else 63,
            min_samples_leaf=20, early_stopping=False, random_state=seed)
        return student.fit(X, target)
    raise ValueError(f"unknown candidate {name!r}")


def distillation_rows(states, seed, pairs, n_candidates=10):
    """The rows plus, per unit, ``pairs`` candidate columns of its size.

    The teacher is only ever asked about candidates of one state at a time,
    so the student needs its answers on many candidates per state: each
    unit's state columns are paired with the candidate columns (f1, f2) of
    random rows of the same labeled-set size.
    """
    rng = np.random.RandomState(seed)
    # Candidate columns and the state column that says the set size.
    varying, size_col = (2, 7) if states.shape[1] == 8 else (5, 9)
    units = states[::n_candidates]
    sizes = units[:, size_col]
    extra = np.repeat(units, pairs, axis=0)
    for tau in np.unique(sizes):
        rows = np.flatnonzero(states[:, size_col] == tau)
        which = np.flatnonzero(np.repeat(sizes == tau, pairs))
        extra[which, :varying] = states[rng.choice(rows, which.size), :varying]
    return np.vstack([states, extra])


def draw_task(task, seed):
    from skactive.datasets import (
        make_checkerboard,
        make_gaussian_clouds,
        make_multiclass_clouds,
    )

    if task == "clouds":
        X, y, Xt, yt = make_gaussian_clouds(400, random_state=seed, return_test=True)
        return X, y, Xt, yt
    if task.startswith("mclouds"):
        # mclouds<C>: C-class clouds, dimension and shares drawn per seed.
        rng = np.random.RandomState(seed)
        return make_multiclass_clouds(
            1000, n_classes=int(task[7:]),
            n_features=int(round(np.exp(rng.uniform(np.log(2), np.log(64))))),
            concentration=float(np.exp(rng.uniform(np.log(0.3), np.log(3)))),
            spread=float(np.exp(rng.uniform(np.log(0.5), np.log(2)))),
            n_test=2000, random_state=rng, return_test=True)
    if task == "authors2x2":
        # The paper's own board files, read by the evidence script's loader
        # (inside the function: this runs in joblib workers too).
        if str(ROOT / "benchmarks") not in sys.path:
            sys.path.insert(0, str(ROOT / "benchmarks"))
        from lal_curves import authors_board

        return authors_board("checkerboard 2x2")
    if task == "paper2x2":
        # The paper's protocol: one fixed board (as its shipped files, the
        # draws of benchmarks/lal_curves.py); repetitions differ in the
        # initial pair and the forests only.
        X, y = make_checkerboard(1000, grid=2, random_state=1)
        Xt, yt = make_checkerboard(1000, grid=2, random_state=2)
        return X, y, Xt, yt
    kw = dict(grid=2, rotated=task == "rotated2")
    X, y = make_checkerboard(1000, random_state=seed, **kw)
    Xt, yt = make_checkerboard(1000, random_state=seed + 1, **kw)
    return X, y, Xt, yt


def run_one(task, seed, regressors, iterations):
    """Accuracy curves (labels 2 .. iterations + 2) of every strategy."""
    import warnings

    from sklearn.ensemble import RandomForestClassifier

    from skactive.policies._lal_features import N_VARYING, _predict_unique, lal_features
    from skactive.utils import top_k

    X, y, Xt, yt = draw_task(task, seed)
    rng = np.random.RandomState(seed)
    init = np.array([rng.choice(np.flatnonzero(y == c)) for c in np.unique(y)])
    clf_seeds = rng.randint(2**31 - 1, size=iterations + 1)
    curves = {}
    names = ["random", "uncertainty"] + list(regressors)
    for name in names:
        pick_rng = np.random.default_rng(seed)
        labeled = list(init)
        acc = []
        for t in range(iterations + 1):
            rf = RandomForestClassifier(50, random_state=clf_seeds[t])
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                rf.fit(X[labeled], y[labeled])
            acc.append(float(np.mean(rf.predict(Xt) == yt)))
            if t == iterations:
                break
            mask = np.ones(len(y), dtype=bool)
            mask[labeled] = False
            pool = np.flatnonzero(mask)
            if name == "random":
                score = pick_rng.random(pool.size)
            elif name == "uncertainty":
                # Entropy; for two classes the paper's |p - 0.5| ranking.
                p = rf.predict_proba(X[pool])
                score = -(p * np.log(np.where(p > 0, p, 1))).sum(axis=1)
            else:
                reg = regressors[name]
                features = "paper" if reg.n_features_in_ == 8 else "multiclass"
                F = lal_features(rf, X[labeled], y[labeled], X[pool],
                                 features=features)
                score = _predict_unique(reg, F, n_varying=N_VARYING[features])
            labeled.append(pool[top_k(score, 1, pick_rng)[0]])
        curves[name] = acc
    return task, seed, curves


def main(argv=None):
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--data", required=True, nargs="+",
                   help="rows saved by train_lal.py --simulate-only; several "
                   "files (e.g. runs with other --seed) are stacked")
    p.add_argument("--mode", choices=["iterative", "independent", "multiclass"],
                   default="iterative")
    p.add_argument("--candidates",
                   default="shipped,leaf500,leaf50,d40x100,d40x300,d40x1000,distil500")
    p.add_argument("--tasks", default=",".join(TASKS))
    p.add_argument("--repeats", type=int, default=10)
    p.add_argument("--iterations", type=int, default=60)
    p.add_argument("--seed", type=int, default=805)
    p.add_argument("--task-seed", type=int, default=900_000,
                   help="first seed of the held-out tasks")
    p.add_argument("--distil-pairs", type=int, default=50)
    p.add_argument("--n-jobs", type=int, default=2)
    p.add_argument("--out", default="/tmp/lal_select")
    p.add_argument("--write", default=None,
                   help="candidate to write as the package artefact")
    p.add_argument("--selection-from", nargs="*", default=[],
                   help="with --repeats 0 --write NAME: select_<mode>.json "
                   "reports whose tables go into the artefact header")
    args = p.parse_args(argv)

    from joblib import Parallel, delayed

    from skactive.policies import load_lal_regressor

    saved = load_rows(args.data)
    states, deltas = saved["states"], saved["deltas"]
    names = args.candidates.split(",")
    regressors, info = {}, {}
    for name in names:
        t0 = time.perf_counter()
        reg = make_candidate(name, states, deltas, args.seed, args.n_jobs,
                             args.distil_pairs)
        fit_s = time.perf_counter() - t0
        if reg is None:
            # "shipped" or "shipped:<name>": a regressor of the package.
            compact = load_lal_regressor(name.partition(":")[2] or args.mode)
        else:
            compact = to_compact(reg)
        if name == "d40x1000" and any(c.startswith("distil") for c in names):
            _TEACHERS[name] = reg
        regressors[name] = compact
        info[name] = {"fit_seconds": round(fit_s, 1),
                      "n_nodes": int(compact.value.shape[0]),
                      "bytes": int(sum(a.nbytes for a in compact._arrays().values()))}
        print(name, info[name], flush=True)
        del reg

    tasks = args.tasks.split(",")
    if args.repeats == 0:
        # Only --write: the selection tables come from earlier runs.
        table = {}
        for path in args.selection_from:
            table.update(json.loads(Path(path).read_text())["table"])
        print(format_table(table, tasks))
        write_artefact(args, regressors[args.write], info[args.write], table, saved)
        return
    jobs = [(task, args.task_seed + 10 * r) for task in tasks for r in range(args.repeats)]
    t0 = time.perf_counter()
    results = Parallel(n_jobs=args.n_jobs, verbose=5)(
        delayed(run_one)(task, seed, regressors, args.iterations) for task, seed in jobs)
    eval_s = time.perf_counter() - t0

    table = summarise(results, ["random", "uncertainty"] + names, tasks)
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    report = {"command": "python scripts/select_lal.py " + " ".join(
        shlex.quote(a) for a in (argv if argv is not None else sys.argv[1:])),
        "rows": int(states.shape[0]), "eval_seconds": round(eval_s, 1),
        "candidates": info, "table": table,
        "curves": [{"task": t, "seed": s, "curves": c} for t, s, c in results]}
    (out / f"select_{args.mode}.json").write_text(json.dumps(report))
    print(format_table(table, tasks))
    if args.write:
        write_artefact(args, regressors[args.write], info[args.write], table, saved)


def load_rows(paths):
    """The Monte-Carlo rows of one or more ``train_lal.py`` runs, stacked."""
    runs = []
    for path in paths:
        with np.load(path) as r:
            runs.append({k: r[k] for k in ("states", "deltas", "seconds", "command")})
    return {
        "states": np.concatenate([r["states"] for r in runs]),
        "deltas": np.concatenate([r["deltas"] for r in runs]),
        "seconds": float(sum(float(r["seconds"]) for r in runs)),
        "commands": [str(r["command"]) for r in runs],
    }


def to_compact(reg):
    from skactive.policies import CompactForestRegressor

    if hasattr(reg, "estimators_"):
        return CompactForestRegressor.from_forest(reg)
    return CompactForestRegressor.from_boosting(reg)


STUCK_T, STUCK_BELOW = 40, 0.8


def summarise(results, names, tasks):
    """Per candidate and task: AUBC, its paired difference to random, the
    accuracy at ``T_SHOWN`` and ``stuck``, the runs still below 0.8 at
    t = 40 (on the XOR boards, uncertainty sampling's plateau: the forest
    has not found all four cells)."""
    table = {}
    for name in names:
        row = {}
        for task in tasks:
            C = np.array([c[name] for t, _, c in results if t == task])
            R = np.array([c["random"] for t, _, c in results if t == task])
            au = C.mean(1)
            row[task] = {"aubc": float(au.mean()),
                         "vs_random": float((au - R.mean(1)).mean()),
                         "wins": int(((au - R.mean(1)) > 0).sum()),
                         "n": int(len(au)),
                         **{f"t{t}": float(C[:, t].mean()) for t in T_SHOWN
                            if t < C.shape[1]}}
            if STUCK_T < C.shape[1]:
                row[task]["stuck"] = int((C[:, STUCK_T] < STUCK_BELOW).sum())
        row["mean_aubc"] = float(np.mean([row[t]["aubc"] for t in tasks]))
        table[name] = row
    return table


def format_table(table, tasks):
    head = "| candidate | " + " | ".join(
        f"{t} AUBC (vs random, wins) | {t} t=40 / 60 (stuck)" for t in tasks
    ) + " | mean AUBC |"
    lines = [head, "|" + "---|" * (2 * len(tasks) + 2)]
    for name, row in table.items():
        cells = []
        for t in tasks:
            r = row[t]
            cells.append(f"{r['aubc']:.4f} ({r['vs_random']:+.4f}, {r['wins']}/{r['n']})")
            stuck = f" ({r['stuck']})" if "stuck" in r else ""
            cells.append(f"{r.get('t40', float('nan')):.3f} / "
                         f"{r.get('t60', float('nan')):.3f}{stuck}")
        lines.append(f"| {name} | " + " | ".join(cells) + f" | {row['mean_aubc']:.4f} |")
    return "\n".join(lines)


def write_artefact(args, compact, info, table, saved):
    from train_lal import provenance  # the script's folder is on sys.path

    from skactive.policies import LAL_FEATURE_NAMES, LAL_MULTICLASS_FEATURE_NAMES
    from skactive.policies._artefacts import save_artefact

    states = saved["states"]
    out = ROOT / "skactive" / "policies" / "pretrained" / f"lal_{args.mode}.npz"
    meta = {
        "mode": args.mode,
        "command": " && ".join(
            "python scripts/train_lal.py " + c for c in saved["commands"])
        + " && python scripts/select_lal.py " + " ".join(
            shlex.quote(a) for a in sys.argv[1:]),
        "candidate": args.write,
        "selection_commands": [json.loads(Path(f).read_text())["command"]
                               for f in args.selection_from],
        "features": "paper" if states.shape[1] == 8 else "multiclass",
        "feature_names": list(LAL_FEATURE_NAMES if states.shape[1] == 8
                              else LAL_MULTICLASS_FEATURE_NAMES),
        # What the strategy's out-of-distribution warning compares against.
        "feature_ranges": np.c_[states.min(0), states.max(0)].round(6).tolist(),
        "n_rows": int(states.shape[0]),
        "selection": table,
        "simulation_seconds": round(float(saved["seconds"]), 1),
        "regressor_fit_seconds": info["fit_seconds"],
        "n_nodes": info["n_nodes"],
        "max_depth": compact.max_depth,
        **provenance(args.n_jobs),
    }
    save_artefact(out, compact, kind="lal-regressor", metadata=meta)
    print(f"wrote {out} ({out.stat().st_size} bytes)")


if __name__ == "__main__":
    main()
