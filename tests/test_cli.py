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
    names = ("random", "margin", "badge")
    rows = [line.split("|") for line in lines if line.startswith(names)]
    assert [r[0].strip() for r in rows] == ["random", "margin", "badge"]
    assert rows[0][2].strip() == "+0.00"
    mean, std = rows[1][1].split("±")
    assert 0 < float(mean) <= 1 and float(std) >= 0
    assert "iris" in lines[0]


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

    for name in STRATEGIES:
        if name.startswith("lal"):
            clf = RandomForestClassifier()
        elif name.startswith("alil"):
            clf = make_mlp((50,))
        elif name == "iale":
            clf = make_mlp((128,))
        else:
            clf = LogisticRegression()
        assert isinstance(make_strategy(name, clf), QueryStrategy)


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
    (["--dataset", "sentiment-tweets", "--strategies", "iale"], "128-d embeddings"),
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
