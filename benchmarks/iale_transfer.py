"""Transfer of the shipped IALE policy: AUBC against random and every expert.

Re-runnable evidence script (not a timed test; pytest does not collect it).
The policy shipped with skactive (``IALEStrategy(policy="digits-cnn")``,
trained by ``scripts/train_iale.py`` on ``load_digits`` with the image CNN)
is applied **without retraining** to three targets, each with
:func:`skactive.evaluation.active_learning_curve`, next to random sampling
and the six experts it imitates:

* ``digits``: ``load_digits`` (``X / 16``) with the image CNN, on seeds the
  policy never saw (fixed stratified split 1297 / 500, repeats seeded from
  ``--random-state``, while the policy's episodes were seeded from 2022);
* ``mnist1d``: MNIST-1D (``mnist1d.data.make_dataset`` with its default
  arguments, generated offline: 4000 train / 1000 test signals of length
  40) with the 1-D CNN (:func:`skactive.nets.make_sequence_cnn`), a new data
  set and a new architecture;
* ``mnist1d-1000``: the same with 100 initial labels and batches of 50 up
  to 1000 labels: at 20-200 labels the 1-D CNN is still at 25-35 % test
  accuracy (a cold start in which every uncertainty heuristic loses to
  random sampling), at 1000 labels it reaches about 70 %;
* ``tabular``: ``load_breast_cancer`` (standardised, 2 classes, split
  399 / 170) with the MLP (:func:`skactive.nets.make_mlp`), a new data set,
  architecture and number of classes.

Other policies run next to the shipped one as ablations, each given as
``--ablation LABEL=FILE`` (repeatable) and shown as "IALE (LABEL)"; its
strategy key is ``iale@LABEL``. For example the paper's state without the
nearest-labeled distance, trained the same way::

    python scripts/train_iale.py --no-nearest-labeled \
        --name iale_paper_state --out /tmp/iale_paper_state.npz
    python benchmarks/iale_transfer.py --strategies iale@paper-state \
        --ablation paper-state=/tmp/iale_paper_state.npz

A full-state policy (10 classes only) is skipped on the two-class target.

Every round retrains the network from scratch; within a repeat all
strategies start from the same stratified initial set with the same network
seeds (paired comparison). Results of each (target, strategy) are cached as
JSON in ``--cache``, so strategies can be run in separate invocations (e.g.
the baselines while the policy trains) and are merged into one table.

Outputs (in ``--out``): ``iale_transfer.md`` (command, settings, runtime
and the AUBC table), ``iale_transfer.csv`` (the table for the docs), and
``iale_<target>_curves.png`` (mean ± std learning curves).

Usage (from the repository root)::

    python benchmarks/iale_transfer.py --seeds 5 --n-jobs 1 --out docs/_static

Quick check of the script itself::

    python benchmarks/iale_transfer.py --seeds 1 --budget-scale 0.2 \\
        --max-epochs 3 --cache /tmp/iale_cache --out /tmp/iale_smoke
"""

import argparse
import json
import os
import platform
import shlex
import sys
import time

from _common import cpu_model

STRATEGY_KEYS = ("iale", "random", "mc_dropout", "ensemble", "entropy",
                 "least_confidence", "coreset", "badge")
NAMES = {"iale": "IALE (shipped policy)", "random": "random",
         "mc_dropout": "MC-dropout", "ensemble": "deep ensemble",
         "entropy": "entropy", "least_confidence": "least confidence",
         "coreset": "CoreSet", "badge": "BADGE"}
TARGETS = {
    # name: (initial_size, batch_size, budget, network)
    "digits": (20, 10, 180, "image CNN"),
    "mnist1d": (20, 10, 180, "1-D CNN"),
    "mnist1d-1000": (100, 50, 900, "1-D CNN"),
    "tabular": (10, 10, 90, "MLP"),
}


def _parse(argv=None):
    p = argparse.ArgumentParser(
        description="Transfer of the shipped IALE policy.",
        formatter_class=argparse.ArgumentDefaultsHelpFormatter)
    p.add_argument("--seeds", type=int, default=5)
    p.add_argument("--targets", default=",".join(TARGETS))
    p.add_argument("--policy", default="digits-cnn",
                   help="shipped policy name or saved policy file")
    p.add_argument("--ablation", action="append", default=[],
                   metavar="LABEL=FILE",
                   help="another saved policy, run as strategy iale@LABEL")
    p.add_argument("--max-epochs", type=int, default=30,
                   help="network epochs per fit (the policy was trained with 30)")
    p.add_argument("--budget-scale", type=float, default=1.0,
                   help="scale the budgets (quick checks)")
    p.add_argument("--mc-samples", type=int, default=20)
    p.add_argument("--n-members", type=int, default=5)
    p.add_argument("--n-jobs", type=int, default=2)
    p.add_argument("--threads", type=int, default=1)
    p.add_argument("--random-state", type=int, default=100)
    p.add_argument("--cache", default="benchmarks/.iale_cache")
    p.add_argument("--out", default="docs/_static")
    p.add_argument("--table-only", action="store_true",
                   help="only merge the cached results into the outputs")
    p.add_argument("--verbose", action="store_true")
    p.add_argument("--strategies", default=None,
                   help="comma-separated keys (default: all, ablations included): "
                        + ",".join(STRATEGY_KEYS))
    args = p.parse_args(argv)
    args.ablations = {}
    for item in args.ablation:
        label, sep, path = item.partition("=")
        if not sep or not label or not path or not label.replace("-", "").isalnum():
            p.error(f"--ablation {item!r}: expected LABEL=FILE with an "
                    "alphanumeric (or dashed) label")
        args.ablations[f"iale@{label}"] = path
    args.all_keys = list(STRATEGY_KEYS) + list(args.ablations)
    args.target_keys = [t for t in args.targets.split(",") if t]
    args.strategy_keys = args.all_keys if args.strategies is None else \
        [s for s in args.strategies.split(",") if s]
    for keys, allowed, what in ((args.target_keys, TARGETS, "targets"),
                                (args.strategy_keys, args.all_keys, "strategies")):
        unknown = sorted(set(keys) - set(allowed))
        if unknown:
            p.error(f"unknown {what} {unknown}; choose from {list(allowed)}")
    return args


def load_target(name, args):
    import numpy as np
    from sklearn.datasets import load_breast_cancer, load_digits
    from sklearn.model_selection import train_test_split
    from sklearn.preprocessing import StandardScaler

    from skactive.nets import make_image_cnn, make_mlp, make_sequence_cnn

    if name == "digits":
        X, y = load_digits(return_X_y=True)
        X = (X / 16.0).astype(np.float32)
        X_tr, X_te, y_tr, y_te = train_test_split(X, y, test_size=500, stratify=y,
                                                  random_state=args.random_state)

        def net():
            return make_image_cnn(max_epochs=args.max_epochs, device="cpu")
    elif name.startswith("mnist1d"):
        from mnist1d.data import get_dataset_args, make_dataset

        data = make_dataset(get_dataset_args())  # generated, never downloaded
        X_tr, y_tr = data["x"].astype(np.float32), data["y"]
        X_te, y_te = data["x_test"].astype(np.float32), data["y_test"]

        def net():
            return make_sequence_cnn(max_epochs=args.max_epochs, device="cpu")
    else:
        X, y = load_breast_cancer(return_X_y=True)
        X_tr, X_te, y_tr, y_te = train_test_split(X, y, test_size=170, stratify=y,
                                                  random_state=args.random_state)
        scaler = StandardScaler().fit(X_tr)
        X_tr = scaler.transform(X_tr).astype(np.float32)
        X_te = scaler.transform(X_te).astype(np.float32)

        def net():
            return make_mlp(max_epochs=args.max_epochs, device="cpu")
    return X_tr, X_te, y_tr, y_te, net


def make_strategy(key, net, args):
    from skactive import (
        BADGE,
        CoreSet,
        DeepEnsemble,
        MCDropout,
        RandomSampling,
        UncertaintySampling,
    )
    from skactive.policies import IALEStrategy

    if key in args.ablations:
        return IALEStrategy(net(), policy=args.ablations[key])
    return {
        "iale": lambda: IALEStrategy(net(), policy=args.policy),
        "random": lambda: RandomSampling(net()),
        "mc_dropout": lambda: MCDropout(net(), measure="variation_ratio",
                                        n_samples=args.mc_samples),
        "ensemble": lambda: DeepEnsemble(net(), n_members=args.n_members),
        "entropy": lambda: UncertaintySampling(net(), measure="entropy"),
        "least_confidence": lambda: UncertaintySampling(
            net(), measure="least_confidence"),
        "coreset": lambda: CoreSet(net()),
        "badge": lambda: BADGE(net()),
    }[key]()


def display_name(key):
    return f"IALE ({key.split('@', 1)[1]})" if key.startswith("iale@") else NAMES[key]


def _is_full_state(path):
    from skactive.policies import load_iale_policy

    return load_iale_policy(path, return_metadata=True)[2]["state"] == "full"


def _cache_path(args, target, key):
    return os.path.join(args.cache, f"{target}_{key}_s{args.seeds}_"
                        f"rs{args.random_state}_b{args.budget_scale:g}.json")


def run(args):
    from skactive.evaluation import active_learning_curve

    os.makedirs(args.cache, exist_ok=True)
    for target in args.target_keys:
        init, batch, budget, _ = TARGETS[target]
        budget = max(batch, int(round(budget * args.budget_scale)))
        X_tr, X_te, y_tr, y_te, net = load_target(target, args)
        for key in args.strategy_keys:
            path = _cache_path(args, target, key)
            if target == "tabular" and key in args.ablations and \
                    _is_full_state(args.ablations[key]):
                continue  # the full state needs the source's 10 classes
            if os.path.exists(path):
                print(f"{target}/{key}: cached")
                continue
            t0 = time.perf_counter()
            result = active_learning_curve(
                {display_name(key): make_strategy(key, net, args)}, X_tr, y_tr, X_te, y_te,
                batch_size=batch, budget=budget, initial_size=init,
                n_repeats=args.seeds, n_jobs=args.n_jobs,
                random_state=args.random_state, verbose=args.verbose)
            seconds = time.perf_counter() - t0
            data = result.to_dict()
            data["runtime_s"] = seconds
            with open(path, "w", encoding="utf-8") as f:
                json.dump(data, f)
            print(f"{target}/{key}: AUBC "
                  f"{result.aubc[display_name(key)].mean():.4f} "
                  f"({seconds:.0f} s)")
            sys.stdout.flush()


def merge(args, target):
    """One result with every cached strategy of ``target`` (paired seeds)."""
    import numpy as np

    from skactive.evaluation import ActiveLearningCurveResult

    merged, runtime = None, 0.0
    for key in args.all_keys:
        path = _cache_path(args, target, key)
        if not os.path.exists(path):
            continue
        with open(path, encoding="utf-8") as f:
            data = json.load(f)
        runtime += data.pop("runtime_s", 0.0)
        if merged is None:
            merged = data
            continue
        if data["seeds"] != merged["seeds"] or data["n_labeled"] != merged["n_labeled"]:
            raise ValueError(f"{path} is not paired with the other results.")
        merged["strategies"] += data["strategies"]
        for field in ("scores", "full_score", "query_time", "fit_time",
                      "labeled_indices"):
            merged[field].update(data[field])
    if merged is None:
        return None, 0.0
    names = merged["strategies"]
    merged["reference"] = "random" if "random" in names else None
    merged.pop("summary", None)
    result = ActiveLearningCurveResult.from_dict(merged)
    assert np.all(np.diff(result.n_labeled) > 0)
    return result, runtime


def report(args, command, wall):
    import numpy as np
    import sklearn
    import torch

    import skactive
    from skactive.policies import load_iale_policy

    _, _, header = load_iale_policy(args.policy, return_metadata=True)
    os.makedirs(args.out, exist_ok=True)
    rows, lines, curves = [], [], {}
    for target in TARGETS:
        result, runtime = merge(args, target)
        if result is None:
            continue
        curves[target] = result
        aubc = {name: result.aubc[name] for name in result.strategies}
        ref = aubc.get("random")
        iale = NAMES["iale"]
        experts = [n for n in result.strategies
                   if not n.startswith("IALE") and n != "random"]
        best = max(experts, key=lambda n: aubc[n].mean()) if experts else None
        for name in result.strategies:
            a = aubc[name]
            rows.append({
                "target": target, "strategy": name, "mean": float(a.mean()),
                "std": float(a.std()),
                "vs_random": None if ref is None else float(a.mean() / ref.mean() - 1),
                "wins_vs_random": None if ref is None else int((a > ref).sum()),
                "final": float(result.scores[name][:, -1].mean()),
                "n": int(a.shape[0]),
            })
        if iale in aubc and ref is not None:
            gap = aubc[iale] - ref
            line = (f"- **{target}** ({runtime / 60:.0f} min of curves): IALE − "
                    f"random = {gap.mean():+.4f} AUBC (paired, "
                    f"{int((gap > 0).sum())}/{gap.shape[0]} seeds better)")
            if best is not None:
                line += (f"; best expert {best} {aubc[best].mean():.4f} vs IALE "
                         f"{aubc[iale].mean():.4f} → IALE "
                         + ("**beats**" if aubc[iale].mean() > aubc[best].mean()
                            else "does **not** beat") + " the best single expert")
            lines.append(line + ".")
    head = [
        "# Transfer of the shipped IALE policy",
        "",
        "Command (from the repository root):",
        "", "```", command, "```", "",
        f"Wall clock of this invocation: {wall:.0f} s. Policy: {args.policy} "
        f"({header.get('command')}, {header.get('simulation_seconds')} s of "
        "training).",
        f"Machine: {cpu_model()}, {os.cpu_count()} CPUs, "
        f"python {platform.python_version()}, torch {torch.__version__}, "
        f"sklearn {sklearn.__version__}, numpy {np.__version__}, "
        f"skactive {skactive.__version__}; {args.n_jobs} processes × "
        f"{args.threads} thread(s).",
        "",
        "Settings: " + "; ".join(
            f"{t}: {net}, initial {i}, batch {b}, "
            f"budget {max(b, int(round(g * args.budget_scale)))}"
            for t, (i, b, g, net) in TARGETS.items())
        + f"; {args.max_epochs} epochs per fit from scratch; MC-dropout "
        f"{args.mc_samples} passes; ensemble {args.n_members} members; "
        f"{args.seeds} seeds (random_state={args.random_state}).",
        "",
    ]
    table = ["| target | strategy | AUBC (mean ± std) | vs random | seeds > random "
             "| final accuracy |", "|---|---|---|---|---|---|"]
    for r in rows:
        vs = "–" if r["vs_random"] is None else f"{100 * r['vs_random']:+.2f} %"
        wins = "–" if r["wins_vs_random"] is None or r["strategy"] == "random" \
            else f"{r['wins_vs_random']}/{r['n']}"
        table.append(f"| {r['target']} | {r['strategy']} | {r['mean']:.4f} ± "
                     f"{r['std']:.4f} | {vs} | {wins} | {r['final']:.3f} |")
    text = "\n".join(head + lines + [""] + table + [""])
    with open(os.path.join(args.out, "iale_transfer.md"), "w", encoding="utf-8") as f:
        f.write(text)
    import csv

    with open(os.path.join(args.out, "iale_transfer.csv"), "w", encoding="utf-8",
              newline="") as f:
        w = csv.writer(f, lineterminator="\n")
        w.writerow(["Target", "Strategy", "AUBC (mean ± std)", "vs random",
                    "Seeds > random", "Final accuracy"])
        for r in rows:
            w.writerow([
                r["target"], r["strategy"], f"{r['mean']:.4f} ± {r['std']:.4f}",
                "–" if r["vs_random"] is None else f"{100 * r['vs_random']:+.2f} %",
                "–" if r["strategy"] == "random" or r["wins_vs_random"] is None
                else f"{r['wins_vs_random']}/{r['n']}",
                f"{r['final']:.3f}"])

    write_training_table(header, os.path.join(args.out, "iale_training.csv"))

    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    for target, result in curves.items():
        fig, ax = plt.subplots(figsize=(7.5, 4.8))
        result.plot(ax=ax, title=f"{target} ({TARGETS[target][3]}), "
                                 f"{result.n_repeats} seeds, mean ± std")
        fig.tight_layout()
        fig.savefig(os.path.join(args.out, f"iale_{target}_curves.png"), dpi=100)
        plt.close(fig)
    print(text)


def write_training_table(header, path):
    """How often each expert won during the policy's training, and agreement."""
    import csv

    import numpy as np

    history = header.get("history")
    if not history:
        return
    wins = {}
    for episode in history["winners"]:
        for name, count in episode.items():
            wins[name] = wins.get(name, 0) + count
    total = sum(wins.values())
    agreement = np.asarray(history["agreement"], dtype=float)
    n = agreement.shape[0]
    tenth = max(1, n // 10)
    with open(path, "w", encoding="utf-8", newline="") as f:
        w = csv.writer(f, lineterminator="\n")
        w.writerow(["Expert", "Steps won", "Share"])
        for name, count in sorted(wins.items(), key=lambda kv: -kv[1]):
            w.writerow([name, count, f"{100 * count / total:.1f} %"])
        w.writerow(["policy agreement, episodes 2-"
                    f"{1 + tenth}", "", f"{np.nanmean(agreement[1:1 + tenth]):.3f}"])
        w.writerow([f"policy agreement, last {tenth} episodes", "",
                    f"{np.nanmean(agreement[-tenth:]):.3f}"])


def main(argv=None):
    args = _parse(argv)
    for var in ("OMP_NUM_THREADS", "MKL_NUM_THREADS", "OPENBLAS_NUM_THREADS"):
        os.environ[var] = str(args.threads)
    import torch

    torch.set_num_threads(args.threads)
    command = "python " + " ".join(
        shlex.quote(a) for a in [os.path.relpath(__file__)]
        + (argv if argv is not None else sys.argv[1:]))
    t0 = time.perf_counter()
    if not args.table_only:
        run(args)
    report(args, command, time.perf_counter() - t0)


if __name__ == "__main__":
    main()
