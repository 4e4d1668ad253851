"""Learn the ALIL policy that ships with skactive.

Runs :class:`skactive.policies.DAgger` with ALIL's one-step roll-out expert
(:class:`~skactive.policies.ALILExpert`, the loss on a held-out 10 % of the
source data) on the movie-review snippets of
:func:`skactive.datasets.load_sentiment`, with ALIL's text CNN on fixed word
vectors (``scripts/alil_setup.py``), and writes the listwise policy
(:class:`~skactive.policies.PolicyMLP` with ``loss="softmax"``, two hidden
layers) on the paper state with its basis-free columns
(:class:`~skactive.policies.ALILState`) to
``skactive/policies/pretrained/alil_movies_textcnn.npz``.

The paper's setting is used where the CPU allows it: cold start (one
labeled snippet per class), one label per step, ``K = 5`` random candidates
per step, budget ``B = 100``, ``beta = 0.5`` with one coin per episode; the
paper ran ``T = 100`` episodes, this script's default is 24 (the CPU run
below). Every state also records the first labeled embedding and the
embedding scale, so two ablation policies are fitted on the same
aggregated pairs (columns of the same states; their DAgger trajectories are
the shipped policy's, not their own): the released code's state (first
labeled embedding, labeled class distribution, candidate embedding and
distribution, not normalised) with a linear scorer, and the basis-free
state alone. They go to ``benchmarks/alil_ablation/`` for
``benchmarks/alil_transfer.py --ablation``. The aggregated pairs go to
``scripts/alil_data/`` (not committed); ``--refit-only`` re-fits the
policies from them.

The shipped policy was made on one core of the 2-core development VM (CPU,
one torch thread, another job on the other core) in 2656 s (44 min;
2352 steps, 11 760 state-action pairs) with the defaults::

    python scripts/train_alil.py --episodes 24

and the header of the artefact records the settings and the run time. A
second training with another seed, for the transfer table::

    python scripts/train_alil.py --episodes 24 --seed 1 \
        --out benchmarks/alil_ablation/seed1.npz --ablation-dir /tmp/alil_seed1 The
paper's scale on a GPU (one machine, the ``K`` roll-outs in parallel)::

    python scripts/train_alil.py --episodes 100 --device cuda --n-jobs 5
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
from sklearn.base import BaseEstimator, clone

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(Path(__file__).resolve().parent))

import skactive  # noqa: E402
from alil_setup import CNN, MAX_LEN, N_COMPONENTS, domain_tokens, text_cnn  # noqa: E402
from skactive.policies import (  # noqa: E402
    ALILExpert,
    ALILState,
    DAgger,
    PolicyMLP,
    save_alil_policy,
)


class RecordingState(BaseEstimator):
    """The paper state plus the first labeled embedding and the scale."""

    def transform(self, estimator, X_labeled, y_labeled, X_candidates):
        enc = ALILState("paper")
        summary = enc.summarize_labeled(estimator, X_labeled, y_labeled)
        S = enc.encode(estimator, summary, X_candidates)
        n = S.shape[0]
        extra = np.column_stack([np.tile(summary["first_embedding"], (n, 1)),
                                 np.full(n, summary["scale"])]).astype(np.float32)
        return np.hstack([S, extra])


class FirstColumns(BaseEstimator):
    """A policy fitted on the first ``n_columns`` columns of the states."""

    def __init__(self, policy=None, n_columns=1):
        self.policy = policy
        self.n_columns = n_columns

    def fit(self, X, y, groups=None):
        self.policy_ = clone(self.policy).fit(X[:, :self.n_columns], y, groups=groups)
        return self

    def decision_function(self, X):
        return self.policy_.decision_function(X[:, :self.n_columns])


def ablation_columns(S, n_classes=2, n_dims=N_COMPONENTS):
    """Column views of the recorded states for the ablation policies."""
    paper = dict((name, (a, b)) for name, a, b in ALILState("paper").layout(n_classes, n_dims))
    width = ALILState("paper").n_features(n_classes, n_dims)
    first = S[:, width:width + n_dims]
    scale = S[:, width + n_dims:width + n_dims + 1]

    def block(name):
        a, b = paper[name]
        return S[:, a:b]

    # The code's state is not normalised: undo the division by the scale.
    code = np.hstack([first * scale, block("labeled_class_distribution"),
                      block("embedding") * scale, block("predicted_distribution")])
    proba = block("predicted_distribution")
    y_hat = proba.argmax(axis=1)
    rows = np.arange(S.shape[0])
    free = np.hstack([proba[rows, y_hat][:, None],
                      block("labeled_class_distribution")[rows, y_hat][:, None],
                      S[:, paper["cos_labeled_mean"][0]:width]])
    assert code.shape[1] == ALILState("code").n_features(n_classes, n_dims)
    assert free.shape[1] == ALILState("basis_free").n_features(n_classes, n_dims)
    return {"code": code, "basis_free": free, "paper": S[:, :width]}


def policy_net(hidden, seed, epochs, lr=1e-3):
    return PolicyMLP(tuple(hidden), loss="softmax", max_epochs=epochs, lr=lr,
                     batch_size=16, random_state=seed)


def main(argv=None):
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("--episodes", type=int, default=24)
    p.add_argument("--budget", type=int, default=100)
    p.add_argument("--n-candidates", type=int, default=5)
    p.add_argument("--validation-size", type=float, default=0.1)
    p.add_argument("--beta", default="0.5")
    p.add_argument("--coin", default="episode", choices=["episode", "step"])
    p.add_argument("--scoring", default="neg_log_loss")
    p.add_argument("--hidden", type=int, nargs="*", default=[64, 64])
    p.add_argument("--policy-epochs", type=int, default=30)
    p.add_argument("--domain", default="movies")
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--n-jobs", type=int, default=1)
    p.add_argument("--device", default="cpu")
    p.add_argument("--torch-threads", type=int, default=1)
    p.add_argument("--refit-only", action="store_true")
    p.add_argument("--out", default=str(ROOT / "skactive" / "policies" / "pretrained"
                                        / "alil_movies_textcnn.npz"))
    p.add_argument("--ablation-dir", default=str(ROOT / "benchmarks" / "alil_ablation"))
    p.add_argument("--data-dir", default=str(ROOT / "scripts" / "alil_data"))
    args = p.parse_args(argv)
    torch.set_num_threads(args.torch_threads)
    try:
        beta = float(args.beta)
    except ValueError:
        beta = args.beta

    data_dir = Path(args.data_dir)
    data_dir.mkdir(parents=True, exist_ok=True)
    cache = data_dir / f"{args.domain}_seed{args.seed}.npz"
    t0 = time.time()
    if args.refit_only:
        saved = np.load(cache)
        S, A, G = saved["states"], saved["actions"], saved["steps"]
        history = json.loads(str(saved["history"]))
        sim_seconds = float(saved["seconds"])
    else:
        X, y, _ = domain_tokens(args.domain)
        width = ALILState("paper").n_features(2, N_COMPONENTS)
        dagger = DAgger(
            FirstColumns(policy_net(args.hidden, args.seed, args.policy_epochs), width),
            ALILExpert(args.scoring, n_jobs=args.n_jobs), RecordingState(),
            text_cnn(args.device), n_episodes=args.episodes, beta=beta,
            coin=args.coin, budget=args.budget, batch_size=1,
            n_candidates=args.n_candidates, initial_size=2,
            validation_size=args.validation_size, random_state=args.seed,
            verbose=True,
        ).fit(X, y)
        S, A, G, history = (dagger.states_, dagger.actions_, dagger.pair_steps_,
                            dagger.history_)
        sim_seconds = time.time() - t0
        np.savez_compressed(cache, states=S, actions=A, steps=G, seconds=sim_seconds,
                            history=np.array(json.dumps(history)))
    for e in range(len(history["aubc"])):
        print(f"episode {e:3d}: beta {history['beta'][e]:.2f}  "
              f"policy steps {history['policy_steps'][e]:3d}  "
              f"agreement {history['agreement'][e]:.3f}  aubc {history['aubc'][e]:.3f}")
    views = ablation_columns(S)
    fitted = {
        "paper": policy_net(args.hidden, args.seed, args.policy_epochs),
        "basis_free": policy_net(args.hidden, args.seed, args.policy_epochs),
        # The released code's policy: linear, softmax over the K candidates.
        "code": policy_net((), args.seed, args.policy_epochs),
    }
    for name, pol in fitted.items():
        pol.fit(views[name], A, groups=G)
        print(f"{name:10s} policy: final listwise loss {pol.loss_:.4f} "
              f"(uniform: {np.log(args.n_candidates):.4f})")
    seconds = time.time() - t0
    meta = {
        "command": "python scripts/train_alil.py " + " ".join(
            shlex.quote(a) for a in (argv if argv is not None else sys.argv[1:])),
        "source": f"skactive.datasets.load_sentiment({args.domain!r}), text CNN on "
                  f"fixed PPMI word vectors ({N_COMPONENTS}-d, max_len {MAX_LEN})",
        "classifier": CNN,
        "settings": {k: v for k, v in vars(args).items()
                     if k not in ("out", "ablation_dir", "data_dir")},
        "n_pairs": int(A.shape[0]),
        "n_steps": int(np.unique(G).shape[0]),
        "simulation_seconds": round(sim_seconds, 1),
        "total_seconds": round(seconds, 1),
        "episode_aubc": [round(a, 4) for a in history["aubc"]],
        "trained_on": str(date.today()),
        "machine": f"{platform.machine()} {platform.system()}, torch "
                   f"{torch.__version__}, {args.torch_threads} thread(s)",
        "versions": {"skactive": skactive.__version__,
                     "scikit-learn": sklearn.__version__, "numpy": np.__version__},
    }
    # The states' ranges go into the headers: ALILStrategy's OOD guard.
    save_alil_policy(args.out, fitted["paper"], ALILState("paper"), metadata=meta,
                     training_states=views["paper"])
    abl = Path(args.ablation_dir)
    abl.mkdir(parents=True, exist_ok=True)
    save_alil_policy(abl / "code_linear.npz", fitted["code"],
                     ALILState("code", normalize=False), metadata=meta,
                     training_states=views["code"])
    save_alil_policy(abl / "basis_free.npz", fitted["basis_free"],
                     ALILState("basis_free"), metadata=meta,
                     training_states=views["basis_free"])
    print(f"wrote {args.out} and {abl}/ in {seconds:.0f} s "
          f"({sim_seconds:.0f} s simulation, {A.shape[0]} pairs)")


if __name__ == "__main__":
    main()
