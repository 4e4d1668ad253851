"""Scoring a dask-array pool block by block (the ``dist`` extra)."""

import numpy as np
import pytest
from sklearn.linear_model import LogisticRegression

from skactive import DensityWeighted, QueryByCommittee, UncertaintySampling

da = pytest.importorskip("dask.array")


@pytest.fixture(scope="module")
def pool():
    rng = np.random.RandomState(0)
    X = rng.randn(5000, 8)
    y = (X[:, 0] + 0.5 * X[:, 1] > 0).astype(int)
    return X, y


@pytest.mark.parametrize("strategy", [
    UncertaintySampling(LogisticRegression(), measure="margin", random_state=0),
    QueryByCommittee(n_members=3, measure="kl_divergence", random_state=0),
])
def test_dask_pool_gives_same_scores_and_queries(pool, strategy):
    X, y = pool
    s = strategy.fit(X[:100], y[:100])
    Xd = da.from_array(X, chunks=(700, 4))  # uneven row blocks, split columns
    np.testing.assert_allclose(s.score_samples(Xd), s.score_samples(X))
    np.testing.assert_array_equal(s.query(Xd, batch_size=25), s.query(X, batch_size=25))


def test_dask_pool_is_scored_blockwise(pool):
    X, y = pool
    s = UncertaintySampling(random_state=0).fit(X[:100], y[:100])
    seen = []
    orig = s._score

    def spy(block):
        seen.append(block.shape[0])
        return orig(block)

    s._score = spy
    s.query(da.from_array(X, chunks=(1000, 8)), batch_size=3)
    assert max(seen) <= 1000 and sum(seen) == X.shape[0]


def test_dask_pool_errors(pool):
    X, y = pool
    s = UncertaintySampling(random_state=0).fit(X[:100], y[:100])
    with pytest.raises(ValueError, match="larger than the pool"):
        s.query(da.from_array(X[:10], chunks=5), batch_size=11)
    with pytest.raises(ValueError, match="features"):
        s.query(da.from_array(X[:, :3], chunks=100))


def test_whole_pool_strategy_materialises_dask(pool):
    X, y = pool
    s = DensityWeighted(random_state=0).fit(X[:100], y[:100])
    np.testing.assert_array_equal(s.query(da.from_array(X, chunks=500), batch_size=5),
                                  s.query(X, batch_size=5))
