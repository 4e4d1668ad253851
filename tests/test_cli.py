"""Tests of the ``skactive`` command line."""

import subprocess
import sys

import numpy as np
import pytest

from skactive.cli import STRATEGIES, format_table, main, make_strategy
from skactive.evaluation import ActiveLearningCurveResult

TINY = ["--dataset", "iris", "--budget", "10", "--repeats", "2", "--quiet"]


def test_compare_prints_table(capsys):
    assert main(["compare", *TINY, "--strategies", "random,margin,badge"]) == 0
    out = capsys.readouterr().out
    lines = out.splitlines()
    header = next(line for line in lines if line.startswith("strategy"))
    for column in ("AUBC mean ± std", "AUBC vs random (%)", "final score", "s/query"):
        assert column in header
    rows = _table_rows(out)
    assert [r[0] for r in rows] == ["random", "margin", "badge"]
    assert rows[0][2] == "+0.00"
    mean, std = rows[1][1].split("±")
    assert 0 < float(mean) <= 1 and float(std) >= 0
    assert "iris" in lines[0]
    # The header says what the runs are (the progress bar may count more).
    assert lines[1] == "3 strategies × 2 repeats = 6 runs"


def _table_rows(out):
    """The table's rows, split into stripped cells (the header row left out)."""
    lines = [line for line in out.splitlines() if " | " in line]
    return [[c.strip() for c in line.split("|")] for line in lines[1:]]


def test_default_subcommand_is_compare(capsys):
    """Options without a subcommand run `compare`."""
    assert main([*TINY, "--strategies", "random,entropy"]) == 0
    assert "AUBC vs random" in capsys.readouterr().out


def test_json_and_plot_outputs(tmp_path, capsys):
    pytest.importorskip("matplotlib")
    json_path = tmp_path / "out.json"
    png_path = tmp_path / "curves.png"
    assert main([*TINY, "--strategies", "random,coreset", "--json", str(json_path),
                 "--plot", str(png_path), "--classifier", "knn"]) == 0
    result = ActiveLearningCurveResult.from_json(json_path)
    assert result.strategies == ["random", "coreset"]
    assert result.scores["random"].shape == (2, 2)
    assert result.params["dataset"] == "iris"
    assert result.params["classifier"] == "knn"
    with open(png_path, "rb") as f:
        assert f.read(8) == b"\x89PNG\r\n\x1a\n"
    out = capsys.readouterr().out
    assert str(json_path) in out and str(png_path) in out


def test_results_are_reproducible(tmp_path):
    paths = [tmp_path / "a.json", tmp_path / "b.json"]
    for p in paths:
        main([*TINY, "--strategies", "random,margin", "--json", str(p)])
    a, b = (ActiveLearningCurveResult.from_json(p) for p in paths)
    for name in a.strategies:
        np.testing.assert_array_equal(a.scores[name], b.scores[name])


def test_csv_dataset(tmp_path, capsys):
    rng = np.random.RandomState(0)
    X = rng.normal(size=(80, 3))
    y = (X[:, 0] + X[:, 1] > 0).astype(int)
    path = tmp_path / "toy.csv"
    np.savetxt(path, np.column_stack([X, y]), delimiter=",")
    assert main(["--dataset", str(path), "--budget", "10", "--repeats", "1",
                 "--initial-size", "4", "--batch-size", "5", "--quiet",
                 "--strategies", "random,least_confidence"]) == 0
    assert "least_confidence" in capsys.readouterr().out


@pytest.mark.parametrize(
    "argv, message",
    [
        (["--strategies", "random,nope"], "unknown strategy 'nope'"),
        (["--strategies", "random,random"], "more than once"),
        (["--classifier", "xgboost"], "invalid choice"),
        (["--dataset", "mnist"], "unknown data set 'mnist'"),
        (["--dataset", "missing.csv"], "file not found"),
        (["--budget", "0"], "must be >= 1"),
        (["--budget", "5000"], "exceeds"),
        (["frobnicate"], "invalid choice"),
    ],
)
def test_usage_errors_exit_2(argv, message, capsys):
    with pytest.raises(SystemExit) as exc:
        main([*TINY, *argv] if argv[0] != "frobnicate" else argv)
    assert exc.value.code == 2
    assert message in capsys.readouterr().err


def test_every_registered_strategy_builds():
    from sklearn.linear_model import LogisticRegression

    from skactive import QueryStrategy

    from sklearn.ensemble import RandomForestClassifier

    from skactive.nets import make_mlp

    from skactive.cli import _NET_STRATEGIES
    from skactive.datasets import load_dataset

    data = load_dataset("iris")
    for name in STRATEGIES:
        if name.startswith("lal"):
            clf = RandomForestClassifier()
        elif name.startswith("alil"):
            clf = make_mlp((50,))
        elif name in _NET_STRATEGIES:
            clf = make_mlp((128,))
        else:
            clf = LogisticRegression()
        strategy = make_strategy(name, clf, data=data, budget=20)
        assert isinstance(strategy, QueryStrategy)


def test_lal_needs_a_forest(capsys):
    with pytest.raises(SystemExit) as exc:
        main([*TINY, "--strategies", "random,lal", "--classifier", "logreg"])
    assert exc.value.code == 2
    assert "--classifier rf" in capsys.readouterr().err


def test_lal_runs_with_the_forest(capsys):
    main([*TINY, "--strategies", "random,lal", "--classifier", "rf"])
    assert "lal" in capsys.readouterr().out


def test_format_table_without_random():
    rows = [{"strategy": "margin", "aubc_mean": 0.5, "aubc_std": 0.01,
             "aubc_vs_random": None, "final_score": 0.7, "sec_per_query": 0.001}]
    table = format_table(rows)
    assert "n/a" in table and "0.5000 ± 0.0100" in table


def test_python_dash_m_help():
    proc = subprocess.run([sys.executable, "-m", "skactive", "compare", "--help"],
                          capture_output=True, text=True, timeout=60)
    assert proc.returncode == 0
    assert "--strategies" in proc.stdout and "--dataset" in proc.stdout


# -- text data sets and the imitation-learned strategies --------------------------
TEXT = ["--dataset", "sentiment-tweets", "--budget", "4", "--batch-size", "2",
        "--initial-size", "2", "--repeats", "1", "--quiet"]


def test_text_dataset_with_alil_and_the_token_diversity_baseline(capsys):
    main([*TEXT, "--strategies", "random,diversity,alil,alil_k5"])
    out = capsys.readouterr().out
    assert "sentiment-tweets" in out and "classifier=textcnn" in out
    for name in ("random", "diversity", "alil", "alil_k5"):
        assert f"\n{name} " in out


def test_text_dataset_builds_the_token_strategies():
    from skactive.cli import load_text_dataset, make_classifier

    data = load_text_dataset("sentiment-tweets")
    assert data.X_train.dtype.kind == "i" and data.word_vectors.shape[1] == 50
    net = make_classifier("textcnn", data)
    div = make_strategy("diversity", net)
    assert (div.metric, div.input) == ("jaccard", "tokens")
    assert make_strategy("alil", net).n_candidates == "all"
    assert make_strategy("iale", make_classifier("textcnn128", data)).policy == "multi-source"


@pytest.mark.parametrize("argv, message", [
    (["--dataset", "sentiment-books"], "unknown text data set"),
    (["--dataset", "sentiment-tweets", "--classifier", "logreg"], "does not fit"),
    (["--dataset", "iris", "--classifier", "textcnn"], "does not fit"),
    (["--dataset", "iris", "--strategies", "random,bald"], "use --classifier mlp"),
    (["--dataset", "iris", "--strategies", "ensemble", "--classifier", "rf"],
     "needs a network with Monte-Carlo dropout"),
    (["--dataset", "iris", "--strategies", "alil", "--classifier", "mlp50"],
     "serves binary tasks"),
    (["--dataset", "breast_cancer", "--strategies", "alil"], "50-d embeddings"),
])
def test_learned_strategy_usage_errors(argv, message, capsys):
    with pytest.raises(SystemExit) as exc:
        main(["--budget", "4", "--repeats", "1", "--quiet", *argv])
    assert exc.value.code == 2
    assert message in capsys.readouterr().err


def test_iale_runs_on_tabular_data_with_the_mlp(capsys):
    main(["--dataset", "breast_cancer", "--strategies", "random,iale", "--classifier",
          "mlp", "--budget", "4", "--batch-size", "2", "--repeats", "1", "--quiet"])
    assert "iale" in capsys.readouterr().out


# -- defaults that fit the data --------------------------------------------------
@pytest.mark.parametrize("dataset, budget, pool", [("iris", 40, 95), ("wine", 50, 114)])
def test_default_budget_fits_small_data_sets(dataset, budget, pool, capsys):
    # The default budget of 200 used to exceed these training pools.
    assert main(["--dataset", dataset, "--strategies", "random,margin",
                 "--repeats", "1", "--quiet"]) == 0
    header = capsys.readouterr().out.splitlines()[0]
    assert f"budget={budget} (default 200 capped at half the pool of {pool})" in header
    assert "initial_size=10," in header


@pytest.mark.parametrize("n_train, batch_size, initial, budget", [
    (1257, 10, 10, 200),  # digits: the defaults as they are
    (105, 10, 10, 40),    # half the pool of 95, in whole batches
    (105, 7, 10, 42),
    (30, 10, 7, 10),      # a quarter of the training set, one batch at least
    (12, 10, 3, 9),       # ... but never more than the pool
])
def test_default_sizes(n_train, batch_size, initial, budget):
    import argparse

    from sklearn.utils import Bunch

    from skactive.cli import _sizes, build_parser

    args = argparse.Namespace(initial_size=None, budget=None, batch_size=batch_size,
                              strategies=["random"])
    data = Bunch(X_train=np.zeros((n_train, 2)), name="toy")
    got_initial, got_budget, notes = _sizes(build_parser(), args, data)
    assert (got_initial, got_budget) == (initial, budget)
    assert ("budget" in notes) == (budget != 200)
    assert ("initial_size" in notes) == (initial != 10)


@pytest.mark.parametrize("argv, message", [
    (["--budget", "96"], "--budget 95 or less"),
    (["--initial-size", "1"], "must be >= 2 (the first model needs two classes)"),
    (["--initial-size", "105"], "leaves no pool"),
    (["--initial-size", "90", "--budget", "20"], "exceeds the pool"),
])
def test_sizes_that_do_not_fit_are_usage_errors(argv, message, capsys):
    with pytest.raises(SystemExit) as exc:
        main(["--dataset", "iris", "--repeats", "1", "--quiet", *argv])
    assert exc.value.code == 2
    assert message in capsys.readouterr().err


# -- output paths are checked before the run ---------------------------------------
@pytest.mark.parametrize("option, name, message", [
    ("--json", "missing/out.json", "does not exist; create it first"),
    ("--plot", "missing/curves.png", "does not exist; create it first"),
    ("--plot", "curves.xyz", "unknown image format 'xyz'; end it with one of"),
    ("--plot", "curves", "has no suffix"),
    ("--json", ".", "is a directory"),
])
def test_output_paths_fail_before_the_run(tmp_path, option, name, message, capsys):
    pytest.importorskip("matplotlib")
    with pytest.raises(SystemExit) as exc:
        main([*TINY, "--strategies", "random", option, str(tmp_path / name)])
    assert exc.value.code == 2
    out, err = capsys.readouterr()
    assert message in err
    assert "strategy |" not in out  # nothing was run


def test_plot_without_matplotlib_fails_before_the_run(tmp_path, monkeypatch, capsys):
    monkeypatch.setitem(sys.modules, "matplotlib.figure", None)  # import fails
    with pytest.raises(SystemExit) as exc:
        main([*TINY, "--strategies", "random", "--plot", str(tmp_path / "c.png")])
    assert exc.value.code == 1
    out, err = capsys.readouterr()
    assert "--plot needs matplotlib" in err and "strategy |" not in out


def test_plot_formats_other_than_png(tmp_path):
    pytest.importorskip("matplotlib")
    path = tmp_path / "curves.svg"
    assert main([*TINY, "--strategies", "random", "--plot", str(path)]) == 0
    assert "<svg" in path.read_text()


# -- data files: index column, target column, header, test size --------------------
def _sorted_frame(tmp_path, n=90):
    """Noise features with class-sorted labels, written by pandas with its index."""
    pd = pytest.importorskip("pandas")
    rng = np.random.RandomState(0)
    df = pd.DataFrame(rng.normal(size=(n, 3)), columns=["f0", "f1", "f2"])
    df["label"] = np.repeat(["a", "b", "c"], n // 3)
    path = tmp_path / "sorted.csv"
    df.to_csv(path)  # header ",f0,f1,f2,label", first column 0..n-1
    return df, path


SMALL = ["--budget", "10", "--batch-size", "5", "--initial-size", "6", "--repeats",
         "1", "--quiet"]


def test_pandas_index_column_is_not_a_feature(tmp_path, capsys):
    # Kept, the index of class-sorted rows predicts the label: margin used to
    # reach a final score of 1.000 on pure noise.
    _, path = _sorted_frame(tmp_path)
    assert main(["--dataset", str(path), *SMALL, "--strategies", "random,margin",
                 "--json", str(tmp_path / "r.json")]) == 0
    out, err = capsys.readouterr()
    assert "note: " in err and "dropped column 0 ('')" in err
    assert "3 features" in out.splitlines()[0]
    result = ActiveLearningCurveResult.from_json(tmp_path / "r.json")
    assert result.final_score["margin"].max() < 0.8


def test_target_column_by_name_and_index(tmp_path, capsys):
    df, _ = _sorted_frame(tmp_path)
    path = tmp_path / "first.csv"
    df[["label", "f0", "f1", "f2"]].to_csv(path, index=False)
    for target in ("label", "0", "-4"):
        assert main(["--dataset", str(path), *SMALL, "--strategies", "random",
                     "--target-column", target]) == 0
        assert "3 features, 3 classes" in capsys.readouterr().out
    with pytest.raises(SystemExit) as exc:
        main(["--dataset", str(path), *SMALL, "--target-column", "species"])
    assert exc.value.code == 2
    assert ("'species' is not a column" in (err := capsys.readouterr().err)
            and "'label', 'f0', 'f1', 'f2'" in err)


def test_no_header(tmp_path, capsys):
    rng = np.random.RandomState(0)
    X = rng.normal(size=(40, 2))
    y = (X[:, 0] > 0).astype(int)
    path = tmp_path / "plain.csv"
    # A first row with a missing value: detected as a header, one row is lost.
    lines = ["1.5,,1"] + [f"{a},{b},{c}" for (a, b), c in zip(X, y)]
    path.write_text("\n".join(lines) + "\n")
    with pytest.raises(SystemExit):
        main(["--dataset", str(path), *SMALL, "--no-header"])
    assert "non-numeric or missing value '' at data row 1" in capsys.readouterr().err
    path.write_text("\n".join(lines[1:]) + "\n")
    assert main(["--dataset", str(path), *SMALL, "--strategies", "random",
                 "--no-header"]) == 0
    assert "(28 train / 12 test samples, 2 features" in capsys.readouterr().out
    with pytest.raises(SystemExit):
        main(["--dataset", str(path), *SMALL, "--no-header", "--target-column",
              "label"])
    assert "no column names" in capsys.readouterr().err


def test_header_and_index_column_options(tmp_path, capsys):
    df, _ = _sorted_frame(tmp_path)
    # Numeric column names (11, 12, 13, 2 here) look like a sample; --header
    # says they are names.
    path = tmp_path / "numeric_names.csv"
    df.set_axis(["11", "12", "13", "2"], axis=1).to_csv(path, index=False)
    assert main(["--dataset", str(path), *SMALL, "--strategies", "random",
                 "--header"]) == 0
    assert "(63 train / 27 test samples" in capsys.readouterr().out
    # A named index is kept (with a note) unless --index-column names it.
    path = tmp_path / "named_index.csv"
    df.rename_axis("id").to_csv(path)
    assert main(["--dataset", str(path), *SMALL, "--strategies", "random"]) == 0
    out, err = capsys.readouterr()
    assert "4 features" in out and "index_column='id'" in err
    assert main(["--dataset", str(path), *SMALL, "--strategies", "random",
                 "--index-column", "id"]) == 0
    assert "3 features" in capsys.readouterr().out
    # 'none' keeps pandas' unnamed index as a feature, if that is wanted.
    df.to_csv(path)
    assert main(["--dataset", str(path), *SMALL, "--strategies", "random",
                 "--index-column", "none"]) == 0
    assert "4 features" in capsys.readouterr().out
    with pytest.raises(SystemExit):
        main([*TINY, "--index-column", "id"])
    assert "applies to a data file" in capsys.readouterr().err


def test_test_size(tmp_path, capsys):
    assert main([*TINY, "--strategies", "random", "--test-size", "0.5"]) == 0
    assert "(75 train / 75 test samples" in capsys.readouterr().out
    assert main([*TINY, "--strategies", "random", "--test-size", "30"]) == 0
    assert "(120 train / 30 test samples" in capsys.readouterr().out
    _, path = _sorted_frame(tmp_path)
    assert main(["--dataset", str(path), *SMALL, "--strategies", "random",
                 "--test-size", "0.2"]) == 0
    assert "(72 train / 18 test samples" in capsys.readouterr().out


@pytest.mark.parametrize("argv, message", [
    (["--test-size", "1.5"], "a fraction must be in (0, 1)"),
    (["--test-size", "0"], "must be >= 1"),
    (["--test-size", "half"], "expected a fraction in (0, 1) or a number"),
    (["--test-size", "149"], "argument --test-size"),
    (["--dataset", "checkerboard2x2", "--test-size", "0.5"], "its own test set"),
    (["--target-column", "label"], "applies to a data file"),
    (["--no-header"], "applies to a data file"),
])
def test_data_option_errors(argv, message, capsys):
    with pytest.raises(SystemExit) as exc:
        main([*TINY, *argv])
    assert exc.value.code == 2
    assert message in capsys.readouterr().err


# -- deep strategies, IALE at any width, the oracle --------------------------------
DEEP = ["--dataset", "iris", "--classifier", "mlp", "--budget", "4", "--batch-size",
        "2", "--initial-size", "6", "--repeats", "1", "--quiet"]


def test_deep_strategies_run_with_the_mlp(capsys):
    pytest.importorskip("torch")
    names = ["random", "bald", "variation_ratio", "mc_entropy", "batchbald",
             "powerbald", "ensemble"]
    assert main([*DEEP, "--strategies", ",".join(names)]) == 0
    assert [r[0] for r in _table_rows(capsys.readouterr().out)] == names


def test_deep_strategies_are_built_as_documented():
    pytest.importorskip("torch")
    from skactive import BatchBALD, DeepEnsemble, MCDropout, PowerBALD
    from skactive.nets import make_mlp

    net = make_mlp()
    assert make_strategy("bald", net).measure == "bald"
    assert make_strategy("variation_ratio", net).measure == "variation_ratio"
    assert make_strategy("mc_entropy", net).measure == "entropy"
    assert type(make_strategy("mc_entropy", net)) is MCDropout
    assert isinstance(make_strategy("batchbald", net), BatchBALD)
    assert isinstance(make_strategy("powerbald", net), PowerBALD)
    assert isinstance(make_strategy("ensemble", net), DeepEnsemble)


def test_iale_serves_any_embedding_width(capsys):
    pytest.importorskip("torch")
    # The multi-source policy reads a width-invariant state: mlp50 works too.
    assert main([*DEEP, "--classifier", "mlp50", "--strategies", "random,iale"]) == 0
    assert "iale" in [r[0] for r in _table_rows(capsys.readouterr().out)]


def test_optimal_oracle_beside_the_strategies(tmp_path, capsys):
    path = tmp_path / "r.json"
    assert main(["--dataset", "iris", "--strategies", "random,margin,optimal",
                 "--budget", "10", "--batch-size", "5", "--repeats", "1", "--quiet",
                 "--oracle-steps", "8", "--json", str(path)]) == 0
    out = capsys.readouterr().out
    assert "optimal: OptimalOrderSearch per repeat, 8 annealing + 2 greedy steps" in out
    assert [r[0] for r in _table_rows(out)] == ["random", "margin", "optimal*"]
    assert "* optimal: not a strategy" in out and "no real strategy can see" in out
    result = ActiveLearningCurveResult.from_json(path)
    assert result.scores["optimal"].shape == result.scores["random"].shape
    assert result.params["oracle"]["n_steps"] == 8


def test_optimal_oracle_replays_the_searched_curve():
    """Inside the loop, the replayed test curve is the search's own."""
    from skactive import ActiveLearner
    from skactive.cli import make_classifier
    from skactive.datasets import load_dataset

    data = load_dataset("iris")
    oracle = make_strategy("optimal", make_classifier("logreg"), data=data,
                           budget=15, oracle_steps=20)
    al = ActiveLearner(oracle, batch_size=5, budget=15, initial_size=6,
                       eval_set=(data.X_test, data.y_test), random_state=0)
    al.fit(data.X_train, data.y_train)
    search = al.strategy_.search_
    np.testing.assert_allclose([h["score"] for h in al.history_], search.curve_)
    np.testing.assert_array_equal(al.labeled_indices_[6:], al.strategy_.order_)
    assert search.quality_ >= search.initial_quality_


@pytest.mark.parametrize("argv, message", [
    (["--strategies", "optimal"], "a reference, not a strategy"),
    (["--strategies", "random,optimal", "--budget", "12", "--batch-size", "5"],
     "make --budget (12) a multiple of --batch-size (5)"),
    (["--strategies", "random,optimal", "--oracle-steps", "0"], "must be >= 1"),
])
def test_optimal_oracle_usage_errors(argv, message, capsys):
    with pytest.raises(SystemExit) as exc:
        main([*TINY, *argv])
    assert exc.value.code == 2
    assert message in capsys.readouterr().err


# -- provenance and the reading of the table ----------------------------------------
def test_json_records_its_provenance(tmp_path):
    import json
    import platform

    import sklearn

    path = tmp_path / "r.json"
    argv = [*TINY, "--strategies", "random,margin", "--json", str(path)]
    assert main(argv) == 0
    prov = json.loads(path.read_text())["params"]["provenance"]
    assert prov["argv"] == ["skactive", *argv]
    assert prov["command"].startswith("skactive --dataset iris --budget 10")
    versions = prov["versions"]
    assert set(versions) >= {"python", "skactive", "numpy", "scipy", "sklearn", "torch"}
    assert versions["sklearn"] == sklearn.__version__
    assert versions["numpy"] == np.__version__
    assert versions["python"] == platform.python_version()
    assert set(prov["machine"]) >= {"platform", "machine", "processor", "cpu_count"}
    result = ActiveLearningCurveResult.from_json(path)
    assert prov["random_state"] == 0
    assert prov["seeds"] == result.seeds.tolist() and len(prov["seeds"]) == 2
    # It survives the round trip, and another write gives the same file.
    assert result.params["provenance"] == prov
    assert json.loads(result.to_json())["params"]["provenance"] == prov


def test_json_provenance_hashes_a_data_file(tmp_path):
    import hashlib

    _, data_path = _sorted_frame(tmp_path)
    path = tmp_path / "r.json"
    main(["--dataset", str(data_path), *SMALL, "--strategies", "random",
          "--json", str(path)])
    prov = ActiveLearningCurveResult.from_json(path).params["provenance"]
    assert prov["dataset_sha256"] == hashlib.sha256(data_path.read_bytes()).hexdigest()


def test_the_table_is_explained(capsys):
    main([*TINY, "--strategies", "random,margin"])
    out = capsys.readouterr().out
    tail = out[out.index("AUBC:"):]
    assert "Based on 2 repeats" in tail and "std over the repeats" in tail
    assert "Next: more repeats" in tail and "--plot" in tail
    main([*TINY, "--strategies", "random,margin", "--repeats", "1"])
    assert "single repeat" in capsys.readouterr().out


def _result(aubc):
    """A result whose constant curves have the given AUBC per repeat."""
    scores = {k: np.repeat(np.asarray(v, dtype=float)[:, None], 2, axis=1)
              for k, v in aubc.items()}
    n = len(next(iter(aubc.values())))
    zeros = {k: np.zeros(n) for k in aubc}
    return ActiveLearningCurveResult(
        n_labeled=[10, 20], scores=scores, full_score=zeros, query_time=zeros,
        fit_time=zeros, labeled_indices={k: np.zeros((n, 2)) for k in aubc},
        reference="random")


def test_explanation_names_the_best_the_worse_and_the_noise():
    from skactive.cli import _explain

    text = " ".join(_explain(_result({
        "random": [0.80, 0.82, 0.84],
        "margin": [0.85, 0.87, 0.89],     # +6 %, every repeat
        "entropy": [0.75, 0.78, 0.79],    # -6 %, every repeat
        "coreset": [0.78, 0.86, 0.83],    # +0.4 %, mixed
    })).split())
    assert "Best here: margin (+6.10 % vs random)." in text
    assert "Worse than random: entropy (-5.69 %). That happens" in text
    assert "cold start" in text
    assert "Based on 3 repeats; within the noise" in text
    assert text.count("coreset") == 1 and "not significant): coreset." in text


def test_explanation_says_when_a_loser_ends_above_random():
    from skactive.cli import _explain

    zeros = {k: np.zeros(3) for k in ("random", "entropy")}
    result = ActiveLearningCurveResult(
        n_labeled=[10, 20],
        scores={"random": [[.50, .70], [.52, .72], [.54, .74]],
                "entropy": [[.30, .80], [.32, .82], [.34, .84]]},
        full_score=zeros, query_time=zeros, fit_time=zeros,
        labeled_indices={k: np.zeros((3, 2)) for k in zeros}, reference="random")
    text = " ".join(_explain(result).split())
    assert ("No strategy beats random here. Worse than random: entropy "
            "(-8.06 %).") in text
    assert ("entropy ends above random, though (final score 0.8200 against "
            "0.7200): the loss is in the early rounds.") in text
    assert "every difference to random is larger than its std" in text


def test_interrupted_compare_resumes_from_the_cache_dir(capsys, tmp_path, monkeypatch):
    """Ctrl-C keeps the finished runs under --cache-dir; the same command resumes."""
    from skactive.evaluation import _curves

    args = [*TINY, "--strategies", "random,margin", "--json"]
    assert main([*args, str(tmp_path / "ref.json")]) == 0
    reference = ActiveLearningCurveResult.from_json(str(tmp_path / "ref.json"))
    state = {"calls": 0, "fail_at": 3}
    run = _curves._run_strategy

    def counting(*a, **k):
        state["calls"] += 1
        if state["calls"] == state["fail_at"]:
            raise KeyboardInterrupt
        return run(*a, **k)

    monkeypatch.setattr(_curves, "_run_strategy", counting)
    cache = ["--cache-dir", str(tmp_path / "cache")]
    capsys.readouterr()
    with pytest.warns(UserWarning, match="2 of 4 strategy runs finished"):
        assert main([*args, str(tmp_path / "a.json"), *cache]) == 130
    err = capsys.readouterr().err
    assert "interrupted" in err and "run the same command again" in err
    assert not (tmp_path / "a.json").exists()
    state.update(calls=0, fail_at=None)
    assert main([*args, str(tmp_path / "b.json"), *cache]) == 0
    assert state["calls"] == 2  # only the runs that had not finished
    resumed = ActiveLearningCurveResult.from_json(str(tmp_path / "b.json"))
    for name in ("random", "margin"):
        np.testing.assert_array_equal(resumed.scores[name], reference.scores[name])


def test_interrupted_compare_without_cache_dir_says_how_to_keep_runs(
        capsys, monkeypatch):
    from skactive.evaluation import _curves

    def interrupted(*a, **k):
        raise KeyboardInterrupt

    monkeypatch.setattr(_curves, "_run_strategy", interrupted)
    with pytest.warns(UserWarning, match="0 of 4 strategy runs"):
        assert main([*TINY, "--strategies", "random,margin"]) == 130
    assert "add --cache-dir DIR" in capsys.readouterr().err


@pytest.mark.parametrize("n_jobs", ["1", "2"])
def test_svm_runs_without_a_warning_per_fit(capfd, recwarn, n_jobs):
    """sklearn 1.9 deprecates SVC(probability=True): no FutureWarning per fit."""
    import os

    before = os.environ.get("PYTHONWARNINGS")
    assert main([*TINY, "--classifier", "svm", "--strategies", "random,margin",
                 "--n-jobs", n_jobs]) == 0
    # capfd: the --n-jobs workers write to the process's stderr.
    assert "FutureWarning" not in capfd.readouterr().err
    assert not [w for w in recwarn if issubclass(w.category, FutureWarning)]
    assert os.environ.get("PYTHONWARNINGS") == before
