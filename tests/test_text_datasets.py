"""Tests for skactive.datasets.load_sentiment (bundled VADER snippets)."""

import numpy as np
import pytest
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import GroupShuffleSplit, train_test_split
from sklearn.pipeline import make_pipeline
from sklearn.utils import Bunch

from skactive.datasets import SENTIMENT_DOMAINS, load_sentiment
from skactive.datasets._text import _read_table

# Rows of the source files and (negative, positive) counts, measured on the
# *_GroundTruth.txt files of vaderSentiment 3.3.2.
RAW_ROWS = {"movies": 10605, "products": 3708, "editorials": 5190, "tweets": 4200}
COUNTS = {
    0.5: {
        "movies": (5076, 4996),
        "products": (1235, 1750),
        "editorials": (1783, 1187),
        "tweets": (1087, 2345),
    },
    0.0: {
        "movies": (5326, 5242),
        "products": (1482, 2128),
        "editorials": (2742, 2204),
        "tweets": (1299, 2897),
    },
}
# Reviews / editorials left at margin 0.5.
N_GROUPS = {"products": 298, "editorials": 497}


def test_domains_constant():
    assert SENTIMENT_DOMAINS == ("movies", "products", "editorials", "tweets")


def test_raw_table_matches_source_files():
    table = _read_table()
    assert {d: cols["rating"].size for d, cols in table.items()} == RAW_ROWS
    for cols in table.values():
        assert np.all(np.abs(cols["rating"]) <= 4)
        assert len(set(cols["ids"])) == cols["ids"].size
        assert all(t == t.strip() and t and "\r" not in t for t in cols["text"])
    # Spot checks against the source files (first and last rows).
    movies = table["movies"]
    assert movies["ids"][0] == "1"
    assert movies["rating"][0] == pytest.approx(2.26666666667)
    assert movies["text"][0].startswith("The Rock is destined to be the 21st")
    assert table["tweets"]["text"][-1] == "Execute like lightning not like wind"
    # Leading whitespace of the source is stripped.
    products = table["products"]
    assert products["text"][list(products["ids"]).index("35_9")] == "check out !"
    # UTF-8 text is kept as is.
    assert any("\u2019" in t for t in movies["text"])


@pytest.mark.parametrize("margin", [0.5, 0.0])
@pytest.mark.parametrize("domain", SENTIMENT_DOMAINS)
def test_counts_and_label_consistency(domain, margin):
    data = load_sentiment(domain, margin=margin)
    assert isinstance(data, Bunch)
    n_neg, n_pos = COUNTS[margin][domain]
    n = n_neg + n_pos
    assert data.data.shape == data.target.shape == data.rating.shape == (n,)
    assert data.groups.shape == data.ids.shape == data.domains.shape == (n,)
    assert np.bincount(data.target).tolist() == [n_neg, n_pos]
    assert data.data.dtype == object and isinstance(data.data[0], str)
    assert data.target.dtype == np.int64
    assert data.rating.dtype == np.float64
    assert data.groups.dtype.kind == "U"
    np.testing.assert_array_equal(data.target, (data.rating > 0).astype(int))
    assert np.all(np.abs(data.rating) >= margin)
    assert np.all(data.rating != 0)
    assert data.domain == domain
    assert set(data.domains) == {domain}
    assert data.target_names.tolist() == ["negative", "positive"]
    assert f"{domain}: {n} snippets ({n_neg} / {n_pos})" in data.DESCR
    assert "MIT" in data.DESCR and "Hutto" in data.DESCR


def test_default_is_movies_at_margin_half():
    data = load_sentiment()
    assert data.domain == "movies"
    assert data.data.size == sum(COUNTS[0.5]["movies"])


@pytest.mark.parametrize("domain", ["products", "editorials"])
def test_groups_are_review_prefixes(domain):
    data = load_sentiment(domain)
    prefixes = np.array([i.split("_")[0] for i in data.ids])
    np.testing.assert_array_equal(data.groups, prefixes)
    assert len(set(data.groups)) == N_GROUPS[domain]
    assert "GroupShuffleSplit" in data.DESCR
    # A grouped split keeps every review on one side.
    splitter = GroupShuffleSplit(n_splits=1, test_size=0.3, random_state=0)
    train, test = next(splitter.split(data.data, groups=data.groups))
    assert not set(data.groups[train]) & set(data.groups[test])


@pytest.mark.parametrize("domain", ["movies", "tweets"])
def test_groups_are_own_ids(domain):
    data = load_sentiment(domain)
    np.testing.assert_array_equal(data.groups, data.ids)
    assert len(set(data.groups)) == data.data.size


def test_margin_zero_keeps_more_and_larger_margin_less():
    for domain in SENTIMENT_DOMAINS:
        n0 = load_sentiment(domain, margin=0).data.size
        n_half = load_sentiment(domain).data.size
        n_one = load_sentiment(domain, margin=1).data.size
        assert n0 > n_half > n_one
        # margin 0 drops only the snippets rated exactly 0.
        raw = _read_table()[domain]["rating"]
        assert n0 == np.count_nonzero(raw != 0)


def test_margin_boundary_is_inclusive():
    data = load_sentiment("products", margin=0.5)
    assert np.any(np.abs(data.rating) == 0.5)


def test_all_equals_concatenation():
    every = load_sentiment("all")
    parts = [load_sentiment(d) for d in SENTIMENT_DOMAINS]
    assert every.domain == SENTIMENT_DOMAINS
    for key in ("data", "target", "rating", "ids"):
        np.testing.assert_array_equal(
            every[key], np.concatenate([p[key] for p in parts])
        )
    np.testing.assert_array_equal(
        every.domains, np.concatenate([[d] * p.data.size for d, p in
                                       zip(SENTIMENT_DOMAINS, parts)])
    )
    # Groups are qualified by the domain, so they never collide.
    np.testing.assert_array_equal(
        every.groups,
        np.concatenate([[f"{d}:{g}" for g in p.groups] for d, p in
                        zip(SENTIMENT_DOMAINS, parts)]),
    )
    listed = load_sentiment(list(SENTIMENT_DOMAINS))
    np.testing.assert_array_equal(listed.data, every.data)
    assert listed.DESCR == every.DESCR


def test_list_keeps_the_given_order():
    data = load_sentiment(("tweets", "products"), margin=0)
    n_tweets = sum(COUNTS[0.0]["tweets"])
    assert data.domain == ("tweets", "products")
    assert set(data.domains[:n_tweets]) == {"tweets"}
    assert set(data.domains[n_tweets:]) == {"products"}
    assert data.groups[n_tweets].startswith("products:")
    single = load_sentiment(["products"])
    assert single.domain == ("products",)
    assert single.groups[0] == "products:1"


def test_return_X_y():
    X, y = load_sentiment("editorials", return_X_y=True)
    data = load_sentiment("editorials")
    np.testing.assert_array_equal(X, data.data)
    np.testing.assert_array_equal(y, data.target)


def test_results_are_independent_copies():
    first = load_sentiment("tweets")
    first.data[0] = "changed"
    first.target[:] = 0
    again = load_sentiment("tweets")
    assert again.data[0] != "changed"
    assert again.target.sum() == COUNTS[0.5]["tweets"][1]
    assert _read_table.cache_info().currsize == 1


@pytest.mark.parametrize(
    "domain, match",
    [
        ("film", r"domain='film'.*'movies', 'products', 'editorials', 'tweets'"),
        (["movies", "news"], r"domain='news'"),
        (["movies", "movies"], r"repeats"),
        ([], r"at least one"),
        (["all"], r"domain='all'"),
    ],
)
def test_bad_domain(domain, match):
    with pytest.raises(ValueError, match=match):
        load_sentiment(domain)


@pytest.mark.parametrize("domain", [None, 3, {"movies"}, ["movies", 1]])
def test_domain_type(domain):
    with pytest.raises(TypeError, match="domain"):
        load_sentiment(domain)


@pytest.mark.parametrize("margin", [-0.1, 4.5, float("nan")])
def test_bad_margin(margin):
    with pytest.raises(ValueError, match="margin"):
        load_sentiment(margin=margin)


@pytest.mark.parametrize("margin", ["0.5", None, True])
def test_margin_type(margin):
    with pytest.raises(TypeError, match="margin"):
        load_sentiment(margin=margin)


def test_margin_leaving_nothing():
    # Editorial ratings stay within [-2.8, 2.8].
    with pytest.raises(ValueError, match="margin=3.0 leaves no snippet"):
        load_sentiment("editorials", margin=3)


def test_return_X_y_type():
    with pytest.raises(TypeError, match="return_X_y"):
        load_sentiment(return_X_y=1)


def test_tfidf_logistic_regression_learns_movies():
    X, y = load_sentiment("movies", return_X_y=True)
    X_train, X_test, y_train, y_test = train_test_split(
        X, y, train_size=2000, test_size=3000, random_state=0, stratify=y
    )
    model = make_pipeline(
        TfidfVectorizer(sublinear_tf=True), LogisticRegression(max_iter=1000)
    )
    model.fit(X_train, y_train)
    assert model.score(X_test, y_test) > 0.65
