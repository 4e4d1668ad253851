"""Rewrite LAL Monte-Carlo rows with the authors' forest-variance column.

The authors' generator (``Tree4LAL.py``) averages the forest variance (the
state column ``forest_std``) over the ``M`` candidates of a labeled set in
the rows it saves, but over the whole pool when it picks the next sample
and at test time. The package's rows (``LALMonteCarlo(forest_variance=
"pool")``, the committed ``benchmarks/data/lal_rows/iter_q50_fresh_s80*``)
use the pool everywhere. The per-candidate spread of the trees is in the
rows already (``proba_std_trees``), so the authors' column is its mean over
each labeled set's ``M`` consecutive rows: no new simulation is needed.

Usage (from the repository root)::

    python scripts/lal_candidate_variance.py \\
        benchmarks/data/lal_rows/iter_q50_fresh_s80{5,6,7,8}.npz --out-dir /tmp/lalexp

writes ``<out-dir>/<name>_candvar.npz`` for each input, which
``scripts/select_lal.py --data ...`` reads like the originals.
"""

import argparse
from pathlib import Path

import numpy as np

from skactive.policies import LAL_FEATURE_NAMES


def candidate_variance(states, n_candidates=10):
    """``states`` with ``forest_std`` replaced by the candidates' mean tree spread."""
    states = np.array(states, dtype=float, copy=True)
    n, width = states.shape
    if n % n_candidates:
        raise ValueError(f"{n} rows are not whole sets of {n_candidates} candidates")
    blocks = states.reshape(n // n_candidates, n_candidates, width)
    # The set-level columns (all but the candidate's own prediction and its
    # spread over the trees) are constant within a set: a check that the rows
    # really come in sets of n_candidates.
    per_set = blocks[:, :, 2:]
    if not np.allclose(per_set, per_set[:, :1]):
        raise ValueError("the rows do not come in sets of n_candidates")
    spread = LAL_FEATURE_NAMES.index("proba_std_trees")
    forest = LAL_FEATURE_NAMES.index("forest_std")
    blocks[:, :, forest] = blocks[:, :, spread].mean(axis=1, keepdims=True)
    return blocks.reshape(n, width)


def main(argv=None):
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("rows", nargs="+", help="rows saved by train_lal.py --simulate-only")
    p.add_argument("--out-dir", required=True)
    p.add_argument("--candidates", type=int, default=10, help="M per labeled set")
    args = p.parse_args(argv)
    out_dir = Path(args.out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    for path in map(Path, args.rows):
        with np.load(path) as saved:
            data = {k: saved[k] for k in saved.files}
        data["states"] = candidate_variance(data["states"], args.candidates)
        data["command"] = np.array(
            f"{data['command']} [forest_std := the mean of proba_std_trees over "
            f"each set's {args.candidates} candidates: "
            f"scripts/lal_candidate_variance.py]")
        target = out_dir / f"{path.stem}_candvar.npz"
        np.savez_compressed(target, **data)
        print(target)


if __name__ == "__main__":
    main()
