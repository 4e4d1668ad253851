"""Learn the IALE policies that ship with skactive.

Runs :class:`skactive.policies.DAgger` with the six heuristic experts of the
paper (:class:`~skactive.policies.IALEExpert`) and writes the policy as a
versioned artefact into ``skactive/policies/pretrained/<name>.npz``.

``--sources multi`` (the default) learns the ``"multi-source"`` policy on
the fixed-width ``IALEState("invariant")`` state, the episodes taking turns
(:meth:`DAgger.fit_tasks`) over ``load_digits`` with the image CNN (128-wide
embedding), ``load_digits`` with a 256-wide MLP, and eight standardised
synthetic tabular tasks from ``sklearn.datasets.make_classification`` (2-6
classes, 5-40 features, imbalance, overlap; MLPs 32, 64 and 128 wide). None
of the transfer targets of ``benchmarks/iale_transfer_suite.py`` is among
them (digits is in-domain there and marked so). It was made with::

    python scripts/train_iale.py --episodes 100 --validation-size 400 \
        --budget 100

``--sources digits-cnn`` is the earlier recipe, ``load_digits`` with the
image CNN of Gal et al. (:func:`skactive.nets.make_image_cnn`) only, which
made ``iale_digits_cnn.npz`` (the ``"digits-cnn"`` policy). The aggregated
(state, action) pairs and the per-episode history go to
``scripts/iale_data/`` (not committed), so a policy can be re-fitted with
other settings without simulating again (``--refit-only``).

The ``"digits-cnn"`` policy (reduced state plus the nearest-labeled
distance, any number of classes, 128-wide embeddings only) was made on one
core of
the 2-core development VM (CPU, one torch thread, a second training on the
other core) in 81 minutes with::

    python scripts/train_iale.py --sources digits-cnn --state reduced \\
        --episodes 60 --n-jobs 1 --validation-size 800 --nearest-labeled \\
        --budget 120 --name iale_digits_cnn

(the run also passed ``--name``/``--out`` to write to a scratch folder,
which only changes where the files go). 60 episodes of 10 steps (20 → 120
labels, batches of 10 from 100 random candidates), the six experts scored
on an 800-sample validation split, the CNN trained 30 epochs per fit:
60 000 (state, action) pairs. The run time and every setting are recorded
in the artefact header. ``--no-nearest-labeled`` trains on the paper's
reduced state, ``--state full --no-nearest-labeled`` on its full
1566-wide state (10 classes only). ``--n-jobs 6`` runs the six expert
roll-outs of a step in parallel. The paper's scale is a GPU job::

    python scripts/train_iale.py --episodes 100 --budget 1000 \\
        --cnn-epochs 100 --device cuda --n-jobs 6

which on MNIST would also need its data (not available offline here).
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
import torch
from sklearn.datasets import load_digits, make_classification
from sklearn.preprocessing import StandardScaler

import skactive
from skactive.nets import make_image_cnn, make_mlp
from skactive.policies import DAgger, IALEExpert, IALEState, PolicyMLP
from skactive.policies._iale import save_iale_policy

ROOT = Path(__file__).resolve().parents[1]

#: The synthetic tabular sources: (classes, features, informative, class_sep,
#: minority weight, MLP width); 1500 samples each, standardised.
TABULAR = [
    (2, 10, 4, 1.0, 0.5, 64),
    (3, 20, 6, 1.0, 0.34, 32),
    (4, 8, 6, 1.5, 0.25, 128),
    (2, 30, 5, 0.6, 0.25, 32),
    (5, 40, 10, 1.2, 0.2, 64),
    (3, 5, 4, 0.8, 0.2, 128),
    (6, 16, 8, 1.5, 1 / 6, 64),
    (2, 20, 10, 1.5, 0.4, 128),
]


def tabular_task(i, epochs, device, seed=0):
    """Synthetic tabular source ``i`` (see TABULAR) and its MLP."""
    C, d, inf, sep, minority, width = TABULAR[i]
    rest = (1 - minority) / (C - 1)
    weights = [minority] + [rest] * (C - 1)
    X, y = make_classification(1500, d, n_informative=inf, n_redundant=min(2, d - inf),
                               n_classes=C, n_clusters_per_class=2 if C < 5 else 1,
                               class_sep=sep, weights=weights, flip_y=0.02,
                               random_state=seed + i)
    X = StandardScaler().fit_transform(X).astype(np.float32)
    return X, y, make_mlp((width,), max_epochs=epochs, device=device)


def source_tasks(sources, epochs, device):
    """The (X, y, estimator) tasks of ``--sources``."""
    X, y = load_digits(return_X_y=True)
    X = (X / 16.0).astype(np.float32)
    cnn = make_image_cnn(max_epochs=epochs, device=device)
    if sources == "digits-cnn":
        return [(X, y, cnn)], "sklearn.datasets.load_digits (X / 16), image CNN 8x8"
    tasks = [(X, y, cnn), (X, y, make_mlp((256,), max_epochs=epochs, device=device))]
    tasks += [tabular_task(i, epochs, device) for i in range(len(TABULAR))]
    return tasks, ("load_digits (X / 16) with the image CNN and a 256-wide MLP; "
                   f"{len(TABULAR)} standardised make_classification tasks "
                   f"(classes, features, informative, class_sep, minority, "
                   f"width) {TABULAR}, random_state 0-{len(TABULAR) - 1}, "
                   "with MLPs; episodes take turns over the tasks")


def main(argv=None):
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("--episodes", type=int, default=60)
    p.add_argument("--sources", choices=("multi", "digits-cnn"), default="multi")
    p.add_argument("--budget", type=int, default=100,
                   help="labeled samples at the end of an episode")
    p.add_argument("--batch-size", type=int, default=10, help="acquisition size")
    p.add_argument("--n-candidates", type=int, default=100)
    p.add_argument("--validation-size", type=int, default=400)
    p.add_argument("--cnn-epochs", type=int, default=30)
    p.add_argument("--policy-epochs", type=int, default=30)
    p.add_argument("--policy-loss", choices=("bce", "softmax"), default="bce",
                   help="pointwise (the paper) or listwise over each step")
    p.add_argument("--state", choices=("full", "reduced", "invariant"),
                   default="invariant")
    p.add_argument("--nearest-labeled", default=True,
                   action=argparse.BooleanOptionalAction,
                   help="add the nearest-labeled distance to the state")
    p.add_argument("--beta", default="0.5",
                   help="float, exponential, linear or inverse_sigmoid")
    p.add_argument("--coin", choices=("episode", "step"), default="step")
    p.add_argument("--n-jobs", type=int, default=1,
                   help="parallel expert roll-outs within a step")
    p.add_argument("--device", default="cpu")
    p.add_argument("--threads", type=int, default=1, help="torch threads")
    p.add_argument("--seed", type=int, default=2022)
    p.add_argument("--name", default="iale_multi_source")
    p.add_argument("--out", default=None, help="artefact path (default: package)")
    p.add_argument("--refit-only", action="store_true",
                   help="re-fit the policy on the saved pairs")
    args = p.parse_args(argv)
    torch.set_num_threads(args.threads)
    try:
        beta = float(args.beta)
    except ValueError:
        beta = args.beta

    data_dir = ROOT / "scripts" / "iale_data"
    data_dir.mkdir(exist_ok=True)
    cache = data_dir / f"{args.name}.npz"
    out = Path(args.out) if args.out else \
        ROOT / "skactive" / "policies" / "pretrained" / f"{args.name}.npz"
    policy = PolicyMLP(max_epochs=args.policy_epochs, loss=args.policy_loss,
                       device=args.device,
                       random_state=args.seed)
    encoder = IALEState(args.state, nearest_labeled=args.nearest_labeled)
    t0 = time.time()
    if args.refit_only:
        saved = np.load(cache)
        S, A = saved["states"], saved["actions"]
        history = json.loads(str(saved["history"]))
        sim_seconds = float(saved["seconds"])
        policy.fit(S, A)
    tasks, source = source_tasks(args.sources, args.cnn_epochs, args.device)
    if not args.refit_only:
        dagger = DAgger(
            policy, IALEExpert(n_jobs=args.n_jobs), encoder, None,
            n_episodes=args.episodes, beta=beta, coin=args.coin,
            budget=args.budget, batch_size=args.batch_size,
            n_candidates=args.n_candidates, validation_size=args.validation_size,
            random_state=args.seed, verbose=True,
        ).fit_tasks(tasks)
        S, A, history = dagger.states_, dagger.actions_, dagger.history_
        sim_seconds = time.time() - t0
        np.savez_compressed(cache, states=S, actions=A, seconds=sim_seconds,
                            history=np.array(json.dumps(history)))
        policy = dagger.policy_
    seconds = time.time() - t0
    for e, (a, w) in enumerate(zip(history["agreement"], history["winners"])):
        print(f"episode {e:3d}: agreement {a:.3f}  aubc {history['aubc'][e]:.3f}  "
              f"winners {w}")
    meta = {
        "command": "python scripts/train_iale.py " + " ".join(
            shlex.quote(a) for a in (argv if argv is not None else sys.argv[1:])),
        "source": source,
        "settings": {k: v for k, v in vars(args).items() if k not in ("out",)},
        "n_pairs": int(S.shape[0]),
        "positive_rate": float(np.mean(A)),
        "simulation_seconds": round(sim_seconds, 1),
        "total_seconds": round(seconds + (sim_seconds if args.refit_only else 0), 1),
        "history": {k: history[k] for k in (
            "agreement", "aubc", "winners", "expert_steps", "policy_steps", "task")
            if k in history},
        "date": date.today().isoformat(),
        "skactive_version": skactive.__version__,
        "sklearn_version": sklearn.__version__,
        "torch_version": torch.__version__,
        "machine": f"{platform.machine()}, device {args.device}, "
                   f"{args.n_jobs} jobs, {torch.get_num_threads()} torch threads",
    }
    save_iale_policy(out, policy, encoder, metadata=meta, training_states=S)
    print(f"wrote {out} ({out.stat().st_size / 1024:.0f} KB) in {seconds:.0f} s")


if __name__ == "__main__":
    main()
