"""Learn the LAL regressors that ship with skactive.

Runs :class:`skactive.policies.LALMonteCarlo` on the synthetic Gaussian
clouds of Konyushkova et al. (2017), fits the final random-forest regressor
and writes it as a compact, versioned artefact into
``skactive/policies/pretrained/lal_<mode>.npz``. The Monte-Carlo rows (Ξ, Δ)
are kept in ``scripts/lal_data/`` (not committed) so the regressor can be
re-fitted with other hyper-parameters without simulating again
(``--refit-only``).

The shipped artefacts were made with::

    python scripts/train_lal.py --mode iterative --repetitions 100 --n-jobs 1 \
        --step-min-samples-leaf 50
    python scripts/train_lal.py --mode independent --repetitions 100 --n-jobs 1

Each simulation took about 43 minutes on one core of the 2-core development
VM (``--n-jobs 2`` halves it; the run time is recorded in the artefact
header), then the grouped cross-validation over ``--cv-leaf-grid`` and the
final fit take 2-3 minutes. The paper's settings are ``--repetitions 500``
with a 2000-tree regressor; see docs/learned.rst for what the smaller
settings give and why the leaf size is chosen by grouped CV.
"""

import argparse
import json
import platform
import shlex
import sys
import time
from datetime import date
from pathlib import Path

import numpy as np
import sklearn
from sklearn.base import BaseEstimator, RegressorMixin
from sklearn.ensemble import RandomForestRegressor

import skactive
from skactive.policies import LAL_FEATURE_NAMES, CompactForestRegressor, LALMonteCarlo
from skactive.policies._artefacts import save_artefact

ROOT = Path(__file__).resolve().parents[1]


class OOBGridForest(RegressorMixin, BaseEstimator):
    """The authors' per-size step regressor: the best forest of a grid by OOB R².

    ``LALmodel.crossValidateLALmodel`` of the authors' generator: every
    ``RandomForestRegressor(n_estimators, max_depth, max_features,
    oob_score=True)`` of the grid is fitted on the first ``n_columns``
    columns (theirs drop ``n_labeled``), in the grid's order, and one
    replaces the best so far only if its OOB R² is higher by more than
    ``margin``. The chosen forest and its parameters are kept.
    """

    def __init__(self, n_estimators=(500, 1000, 5000), max_depth=(5, 10, 20),
                 max_features=(3, 5, 7), n_columns=7, margin=1e-4,
                 n_jobs=None, random_state=None):
        self.n_estimators = n_estimators
        self.max_depth = max_depth
        self.max_features = max_features
        self.n_columns = n_columns
        self.margin = margin
        self.n_jobs = n_jobs
        self.random_state = random_state

    def fit(self, X, y):
        X = np.asarray(X)[:, :self.n_columns]
        best = -np.inf
        for trees in self.n_estimators:
            for depth in self.max_depth:
                for feat in self.max_features:
                    model = RandomForestRegressor(
                        trees, max_depth=depth, max_features=feat, oob_score=True,
                        n_jobs=self.n_jobs, random_state=self.random_state).fit(X, y)
                    if model.oob_score_ > best + self.margin:
                        best, self.forest_ = model.oob_score_, model
                        self.best_params_ = (trees, depth, feat)
        self.oob_score_ = best
        print(f"step regressor on {X.shape[0]} rows: (trees, depth, features) = "
              f"{self.best_params_}, OOB R2 {best:.3f}", flush=True)
        return self

    def predict(self, X):
        return self.forest_.predict(np.asarray(X)[:, :self.n_columns])


def grouped_cv(regressor, states, deltas, n_candidates, seed, n_folds=3):
    """Grouped K-fold CV of a regressor on Monte-Carlo rows.

    Rows of one Monte-Carlo unit (one labeled set, ``n_candidates`` rows)
    share their state columns and their base error, so a random split leaks
    (the OOB R² of a deep forest is inflated by memorised units). Whole units
    are held out instead, and the score is what the strategy needs: the mean
    error reduction of the candidate the regressor ranks first, minus that
    of a random candidate of the same unit (``selection gain``).

    Returns
    -------
    gain : float
    r2 : float
    """
    from sklearn.base import clone

    n_units = states.shape[0] // n_candidates
    fold = np.random.RandomState(seed).randint(n_folds, size=n_units)
    fold = np.repeat(fold, n_candidates)
    gains, r2s = [], []
    for f in range(n_folds):
        train, test = fold != f, fold == f
        reg = clone(regressor).set_params(random_state=seed)
        reg.fit(states[train], deltas[train])
        pred = reg.predict(states[test]).reshape(-1, n_candidates)
        true = deltas[test].reshape(-1, n_candidates)
        best = pred == pred.max(axis=1, keepdims=True)  # ties: their mean
        gains.append(np.mean((true * best).sum(1) / best.sum(1) - true.mean(1)))
        r2s.append(1 - np.mean((pred - true) ** 2) / true.var())
    return float(np.mean(gains)), float(np.mean(r2s))


def provenance(n_jobs):
    """Versions, machine and date for an artefact header."""
    return {
        "skactive_version": skactive.__version__,
        "sklearn_version": sklearn.__version__,
        "machine": f"{platform.machine()}, {n_jobs} jobs",
        "date": date.today().isoformat(),
    }


def _int_or_pair(text):
    parts = [int(v) for v in text.split(",")]
    return parts[0] if len(parts) == 1 else tuple(parts)


def main(argv=None):
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--mode", choices=["iterative", "independent"], required=True)
    p.add_argument("--repetitions", type=int, default=100, help="Q per tau")
    p.add_argument("--candidates", type=int, default=10, help="M per labeled set")
    p.add_argument("--tau-min", type=int, default=2)
    p.add_argument("--tau-max", type=int, default=49)
    p.add_argument("--n-estimators", type=int, default=100)
    p.add_argument("--max-features", type=int, default=6)
    p.add_argument("--min-samples-leaf", type=int, default=5)
    p.add_argument("--max-depth", type=int, default=None)
    p.add_argument("--step-min-samples-leaf", type=int, default=None,
                   help="iterative mode: min_samples_leaf of the per-size "
                   "regressors (default: --min-samples-leaf)")
    p.add_argument("--step-max-depth", type=int, default=None,
                   help="iterative mode: max_depth of the per-size regressors "
                   "(the authors' grid chose 20)")
    p.add_argument("--step-n-estimators", type=int, default=None,
                   help="iterative mode: trees of the per-size regressors "
                   "(default: --n-estimators)")
    p.add_argument("--step-search", choices=["none", "oob"], default="none",
                   help="iterative mode: 'oob' chooses each per-size regressor "
                   "by OOB R2 over the authors' grid (OOBGridForest) instead "
                   "of the fixed --step-* settings")
    p.add_argument("--step-grid-trees", default="500,1000,5000",
                   help="with --step-search oob: the grid's tree counts")
    p.add_argument("--trajectories", type=int, default=None,
                   help="iterative mode: labeled sets grown side by side, of "
                   "which --repetitions are scored at each size "
                   "(LALMonteCarlo's n_trajectories; default: --repetitions)")
    p.add_argument("--growth", choices=["persistent", "fresh"], default="persistent",
                   help="LALMonteCarlo's growth: 'fresh' regrows every scored set "
                   "on a problem of its own, as the authors did (O(tau_max^2))")
    p.add_argument("--features", choices=["paper", "multiclass"], default="paper")
    p.add_argument("--classes", default="2",
                   help="classes per problem: N or LOW,HIGH (multi-class "
                   "clouds; needs --features multiclass)")
    p.add_argument("--dims", default="2",
                   help="dimension of the clouds: N or LOW,HIGH (log-uniform)")
    p.add_argument("--simulate-only", action="store_true",
                   help="save the Monte-Carlo rows and stop (the regressor is "
                   "then chosen by scripts/select_lal.py)")
    p.add_argument("--cv-leaf-grid", default="5,20,50,200,500,1000,2000",
                   help="min_samples_leaf values compared by grouped CV; the "
                   "best replaces --min-samples-leaf for the final regressor "
                   "('' to skip)")
    p.add_argument("--forest-variance", choices=["pool", "candidates"],
                   default="pool")
    p.add_argument("--n-jobs", type=int, default=2)
    p.add_argument("--seed", type=int, default=805, help="the authors' seed")
    p.add_argument("--data-dir", default=str(ROOT / "scripts" / "lal_data"))
    p.add_argument("--data-name", default=None,
                   help="file name of the saved rows (default: "
                   "lal_<mode>_data.npz)")
    p.add_argument("--out", default=None, help="artefact path (default: package)")
    p.add_argument("--refit-only", action="store_true",
                   help="reuse the saved Monte-Carlo rows")
    args = p.parse_args(argv)
    if args.step_search == "oob" and args.features != "paper":
        # OOBGridForest drops the last column, n_labeled in the paper's order.
        p.error("--step-search oob needs --features paper")

    def regressor(oob=False, min_samples_leaf=None, max_depth=None,
                  n_estimators=None):
        return RandomForestRegressor(
            n_estimators=n_estimators or args.n_estimators,
            max_features=args.max_features,
            min_samples_leaf=min_samples_leaf or args.min_samples_leaf,
            max_depth=max_depth or args.max_depth,
            oob_score=oob,
            n_jobs=args.n_jobs,
        )

    data_path = Path(args.data_dir) / (args.data_name or f"lal_{args.mode}_data.npz")
    t0 = time.perf_counter()
    if args.refit_only:
        saved = np.load(data_path)
        states, deltas, sizes = saved["states"], saved["deltas"], saved["n_labeled"]
        sim_seconds = float(saved["seconds"])
    else:
        mc = LALMonteCarlo(
            args.mode,
            regressor=regressor(),
            step_regressor=(
                OOBGridForest(
                    n_estimators=tuple(int(v) for v in args.step_grid_trees.split(",")),
                    n_columns=len(LAL_FEATURE_NAMES) - 1, n_jobs=args.n_jobs)
                if args.step_search == "oob" else
                regressor(min_samples_leaf=args.step_min_samples_leaf,
                          max_depth=args.step_max_depth,
                          n_estimators=args.step_n_estimators)),
            n_repetitions=args.repetitions,
            n_trajectories=args.trajectories,
            growth=args.growth,
            features=args.features,
            n_classes=_int_or_pair(args.classes),
            n_features=_int_or_pair(args.dims),
            n_candidates=args.candidates,
            tau_range=(args.tau_min, args.tau_max),
            forest_variance=args.forest_variance,
            n_jobs=args.n_jobs,
            random_state=args.seed,
            verbose=True,
        ).fit_synthetic()
        sim_seconds = time.perf_counter() - t0
        states, deltas, sizes = mc.states_, mc.deltas_, mc.n_labeled_
        data_path.parent.mkdir(parents=True, exist_ok=True)
        np.savez_compressed(data_path, states=states, deltas=deltas,
                            n_labeled=sizes, seconds=sim_seconds,
                            command=" ".join(sys.argv[1:]))
        if args.simulate_only:
            print(f"{states.shape[0]} rows in {sim_seconds:.0f} s -> {data_path}")
            return

    cv_table = []
    if args.cv_leaf_grid:
        for leaf in [int(v) for v in args.cv_leaf_grid.split(",")]:
            gain, r2 = grouped_cv(regressor(min_samples_leaf=leaf), states, deltas,
                                  args.candidates, args.seed)
            cv_table.append({"min_samples_leaf": leaf, "selection_gain": gain,
                             "r2": r2})
            print(f"min_samples_leaf={leaf}: selection gain {gain:.5f}, R2 {r2:.4f}",
                  flush=True)
        best = max(cv_table, key=lambda row: row["selection_gain"])
        args.min_samples_leaf = best["min_samples_leaf"]

    t1 = time.perf_counter()
    final = regressor(oob=True).set_params(random_state=args.seed)
    final.fit(states, deltas)
    fit_seconds = time.perf_counter() - t1
    compact = CompactForestRegressor.from_forest(final)
    assert np.allclose(compact.predict(states[:2000]), final.predict(states[:2000]))

    out = Path(args.out) if args.out else (
        ROOT / "skactive" / "policies" / "pretrained" / f"lal_{args.mode}.npz"
    )
    meta = {
        "mode": args.mode,
        # A full run reproduces the artefact; --refit-only only skips the
        # simulation whose rows it reuses.
        "command": "python scripts/train_lal.py " + " ".join(
            shlex.quote(a) for a in (argv if argv is not None else sys.argv[1:])
            if a != "--refit-only"
        ),
        "settings": {k: v for k, v in vars(args).items()
                     if k not in ("data_dir", "out", "refit_only")},
        "feature_names": list(LAL_FEATURE_NAMES),
        "n_rows": int(states.shape[0]),
        "oob_r2": float(final.oob_score_),
        "cv": cv_table,
        "simulation_seconds": round(sim_seconds, 1),
        "regressor_fit_seconds": round(fit_seconds, 1),
        "n_nodes": int(compact.value.shape[0]),
        "max_depth": compact.max_depth,
        **provenance(args.n_jobs),
    }
    save_artefact(out, compact, kind="lal-regressor", metadata=meta)
    meta["file_bytes"] = out.stat().st_size
    print(json.dumps(meta, indent=2))


if __name__ == "__main__":
    main()
