"""Does the loop that runs LAL change its board curve? A paired check.

Re-runnable evidence (pytest does not collect it). One regressor, fitted
once on committed Monte-Carlo rows (the authors' final regressor,
``RandomForestRegressor(1000, max_depth=40, max_features=6)``), runs on the
same fresh 2×2 boards as ``scripts/select_lal.py --tasks board2
--task-seed 700000`` in two loops:

* ``lal`` / ``random``: ``select_lal.py``'s own loop (one ``RF(50)`` per
  round, shared by the LAL features and the evaluation);
* ``lal_pkg`` / ``random_pkg``: the package's
  :func:`skactive.evaluation.active_learning_curve` with
  ``LALStrategy(RandomForestClassifier(50), regressor=...)`` (the strategy
  fits its own forest), cold start with one sample per class
  (``initial_size=2``), one query per round.

Both start from one labeled sample per class, draw RF seeds of their own,
and report test accuracy after each of ``--iterations`` queries. Output:
a JSON of every curve and the mean accuracy at t = 40 / 60 with the stuck
count (runs below 0.8 at t = 40) per loop.

Usage (from the repository root; about 6 min on two cores)::

    python benchmarks/lal_loop_check.py \\
        --data benchmarks/data/lal_rows/iter_q50_authors_s805.npz \\
        --out benchmarks/lal_selection/loop_check_q50_authors.json
"""

import argparse
import json
import sys
import warnings
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "scripts"))


def _one(seed, regressor, iterations):
    from sklearn.ensemble import RandomForestClassifier
    from select_lal import draw_task, run_one

    from skactive import RandomSampling
    from skactive.evaluation import active_learning_curve
    from skactive.policies import LALStrategy

    _, _, curves = run_one("board2", seed, {"lal": regressor}, iterations)
    X, y, Xt, yt = draw_task("board2", seed)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        result = active_learning_curve(
            {"lal_pkg": LALStrategy(RandomForestClassifier(50), regressor=regressor),
             "random_pkg": RandomSampling(RandomForestClassifier(50))},
            X, y, Xt, yt, batch_size=1, budget=iterations, initial_size=2,
            initial="stratified", n_repeats=1, random_state=seed)
    out = {k: [float(v) for v in c] for k, c in curves.items()}
    for name in ("lal_pkg", "random_pkg"):
        out[name] = [float(v) for v in np.ravel(result.scores[name])]
    return {"seed": seed, "curves": out}


def main(argv=None):
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--data", nargs="+", required=True)
    p.add_argument("--repeats", type=int, default=20)
    p.add_argument("--iterations", type=int, default=60)
    p.add_argument("--task-seed", type=int, default=700_000)
    p.add_argument("--seed", type=int, default=805, help="the regressor's seed")
    p.add_argument("--n-jobs", type=int, default=2)
    p.add_argument("--out", default="/tmp/lal_loop_check.json")
    args = p.parse_args(argv)

    from joblib import Parallel, delayed
    from select_lal import STUCK_BELOW, STUCK_T, load_rows, to_compact
    from sklearn.ensemble import RandomForestRegressor

    rows = load_rows(args.data)
    forest = RandomForestRegressor(1000, max_depth=40, max_features=6,
                                   random_state=args.seed, n_jobs=args.n_jobs)
    regressor = to_compact(forest.fit(rows["states"], rows["deltas"]))
    del forest
    seeds = [args.task_seed + 10 * r for r in range(args.repeats)]
    runs = Parallel(n_jobs=args.n_jobs, verbose=5)(
        delayed(_one)(s, regressor, args.iterations) for s in seeds)
    summary = {}
    for name in runs[0]["curves"]:
        C = np.array([r["curves"][name] for r in runs])
        summary[name] = {"t40": float(C[:, 40].mean()), "t60": float(C[:, 60].mean()),
                         "stuck": int((C[:, STUCK_T] < STUCK_BELOW).sum())}
        print(f"{name:12s} t=40 {summary[name]['t40']:.3f}  "
              f"t=60 {summary[name]['t60']:.3f}  stuck {summary[name]['stuck']}")
    report = {"command": "python benchmarks/lal_loop_check.py " + " ".join(
        sys.argv[1:] if argv is None else argv), "summary": summary, "runs": runs}
    Path(args.out).write_text(json.dumps(report))


if __name__ == "__main__":
    main()
