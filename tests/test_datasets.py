"""Tests for skactive.datasets: synthetic generators and loaders."""

import numpy as np
import pytest
from sklearn.datasets import load_breast_cancer, load_digits, load_iris, load_wine
from sklearn.utils import Bunch

from skactive.datasets import (
    DATASET_NAMES,
    load_csv_or_npy,
    load_dataset,
    make_checkerboard,
    make_gaussian_clouds,
)
from skactive.datasets._synthetic import _checkerboard_labels

# --------------------------------------------------------------------------
# make_checkerboard
# --------------------------------------------------------------------------


@pytest.mark.parametrize(
    "point, label",
    [
        ((0.1, 0.1), 1),
        ((0.6, 0.1), 0),
        ((0.1, 0.6), 0),
        ((0.6, 0.6), 1),
        ((0.9, 0.9), 1),
    ],
)
def test_checkerboard_2x2_hand_picked(point, label):
    assert _checkerboard_labels(np.array([point]), grid=2)[0] == label


@pytest.mark.parametrize(
    "point, label",
    [
        ((0.1, 0.1), 1),
        ((0.3, 0.1), 0),
        ((0.3, 0.3), 1),
        ((0.6, 0.1), 1),
        ((0.9, 0.1), 0),
        ((0.9, 0.9), 1),
        ((0.1, 0.9), 0),
    ],
)
def test_checkerboard_4x4_hand_picked(point, label):
    assert _checkerboard_labels(np.array([point]), grid=4)[0] == label


@pytest.mark.parametrize(
    "point, label",
    [
        ((0.5, 0.1), 0),  # bottom triangle
        ((0.1, 0.5), 1),  # left triangle
        ((0.9, 0.5), 1),  # right triangle
        ((0.5, 0.9), 0),  # top triangle
        ((0.2, 0.1), 0),
        ((0.95, 0.9), 1),
    ],
)
def test_rotated_checkerboard_hand_picked(point, label):
    assert _checkerboard_labels(np.array([point]), grid=2, rotated=True)[0] == label


@pytest.mark.parametrize("grid", [1, 2, 3, 4, 7])
def test_checkerboard_generator_follows_rule(grid):
    X, y = make_checkerboard(500, grid=grid, random_state=0)
    cells = (grid * X).astype(int)  # floor for points in [0, 1)
    expected = (cells.sum(axis=1) % 2 == 0).astype(int)
    np.testing.assert_array_equal(y, expected)


def test_rotated_checkerboard_generator_is_xor_of_diagonals():
    X, y = make_checkerboard(1000, rotated=True, random_state=0)
    expected = (X[:, 0] + X[:, 1] < 1) ^ (X[:, 0] > X[:, 1])
    np.testing.assert_array_equal(y, expected.astype(int))


@pytest.mark.parametrize(
    "kwargs", [{"grid": 2}, {"grid": 4}, {"grid": 2, "rotated": True}]
)
def test_checkerboard_shapes_dtype_and_balance(kwargs):
    X, y = make_checkerboard(1000, random_state=1, **kwargs)
    assert X.shape == (1000, 2) and y.shape == (1000,)
    assert X.dtype == np.float64
    assert y.dtype.kind == "i"
    assert set(np.unique(y).tolist()) == {0, 1}
    assert X.min() >= 0.0 and X.max() < 1.0
    assert abs(y.mean() - 0.5) < 0.05


def test_checkerboard_grid_one_is_single_class():
    _, y = make_checkerboard(50, grid=1, random_state=0)
    assert np.all(y == 1)


def test_checkerboard_determinism():
    X1, y1 = make_checkerboard(100, random_state=3)
    X2, y2 = make_checkerboard(100, random_state=3)
    X3, _ = make_checkerboard(100, random_state=4)
    np.testing.assert_array_equal(X1, X2)
    np.testing.assert_array_equal(y1, y2)
    assert not np.array_equal(X1, X3)


def test_checkerboard_rotated_requires_grid_2():
    with pytest.raises(ValueError, match=r"rotated=True.*grid=2.*grid=4"):
        make_checkerboard(10, grid=4, rotated=True)


@pytest.mark.parametrize(
    "kwargs, exc, match",
    [
        ({"n_samples": 0}, ValueError, "n_samples"),
        ({"n_samples": 10.0}, TypeError, "n_samples"),
        ({"grid": 0}, ValueError, "grid"),
        ({"grid": 2.0}, TypeError, "grid"),
        ({"grid": True}, TypeError, "grid"),
        ({"rotated": "yes"}, TypeError, "rotated"),
        ({"random_state": "seed"}, ValueError, "random_state"),
        ({"random_state": -1}, ValueError, "random_state"),
    ],
)
def test_checkerboard_validation(kwargs, exc, match):
    with pytest.raises(exc, match=match):
        make_checkerboard(**kwargs)


# --------------------------------------------------------------------------
# make_gaussian_clouds
# --------------------------------------------------------------------------


def _lal_original(n_samples, n_dim, seed):
    """The LAL authors' DatasetSimulatedUnbalanced, on a local RandomState."""
    rs = np.random.RandomState(seed)
    cl1_prop = rs.rand()
    cl1_prop = (cl1_prop - 0.5) * 0.8 + 0.5
    size1 = int(n_samples * cl1_prop)
    size2 = n_samples - size1
    mean1 = rs.rand(n_dim)
    cov1 = rs.rand(n_dim, n_dim) - 0.5
    cov1 = np.dot(cov1, cov1.transpose())
    mean2 = rs.rand(n_dim)
    cov2 = rs.rand(n_dim, n_dim) - 0.5
    cov2 = np.dot(cov2, cov2.transpose())
    X1 = rs.multivariate_normal(mean1, cov1, size1)
    X2 = rs.multivariate_normal(mean2, cov2, size2)
    X = np.concatenate((X1, X2), axis=0)
    y = np.concatenate((np.ones(size1), np.zeros(size2)))
    return X, y


def _sorted_rows(X, y):
    Z = np.column_stack([X, y])
    return Z[np.lexsort(Z.T[::-1])]


@pytest.mark.parametrize("seed", [0, 1, 42])
def test_gaussian_clouds_match_original_draws(seed):
    X, y = make_gaussian_clouds(400, random_state=seed)
    X_ref, y_ref = _lal_original(400, 2, seed)
    np.testing.assert_array_equal(_sorted_rows(X, y), _sorted_rows(X_ref, y_ref))


def test_gaussian_clouds_shapes_and_labels():
    X, y = make_gaussian_clouds(random_state=0)
    assert X.shape == (400, 2) and y.shape == (400,)
    assert y.dtype.kind == "i"
    assert set(np.unique(y).tolist()) == {0, 1}
    X5, y5 = make_gaussian_clouds(123, n_features=5, random_state=0)
    assert X5.shape == (123, 5) and y5.shape == (123,)


def test_gaussian_clouds_class_share_over_seeds():
    shares = np.array(
        [make_gaussian_clouds(400, random_state=s)[1].mean() for s in range(200)]
    )
    assert shares.min() >= 0.1 - 1 / 400 and shares.max() <= 0.9
    # p1 is uniform on [0.1, 0.9]: both ends get visited, the middle is ~0.5.
    assert shares.min() < 0.2 and shares.max() > 0.8
    assert abs(shares.mean() - 0.5) < 0.05


def test_gaussian_clouds_rows_are_shuffled():
    _, y = make_gaussian_clouds(400, random_state=0)
    # Not stacked as [all ones, all zeros] as in the original code.
    assert np.any(np.diff(y) > 0)


def test_gaussian_clouds_determinism():
    a = make_gaussian_clouds(200, random_state=7, return_test=True)
    b = make_gaussian_clouds(200, random_state=7, return_test=True)
    for u, v in zip(a, b):
        np.testing.assert_array_equal(u, v)
    c = make_gaussian_clouds(200, random_state=8)
    assert not np.array_equal(a[0], c[0])


def test_gaussian_clouds_train_does_not_depend_on_return_test():
    X, y = make_gaussian_clouds(300, random_state=5)
    X2, y2, _, _ = make_gaussian_clouds(300, random_state=5, return_test=True)
    np.testing.assert_array_equal(X, X2)
    np.testing.assert_array_equal(y, y2)


@pytest.mark.parametrize("seed", range(5))
def test_gaussian_clouds_default_test_set_is_ten_times_per_class(seed):
    X, y, X_test, y_test = make_gaussian_clouds(
        400, random_state=seed, return_test=True
    )
    assert X_test.shape == (4000, 2) and y_test.shape == (4000,)
    assert int(y_test.sum()) == 10 * int(y.sum())
    assert int((y_test == 0).sum()) == 10 * int((y == 0).sum())


@pytest.mark.parametrize("n_samples, n_test", [(400, 1000), (37, 101), (1000, 1000)])
def test_gaussian_clouds_test_proportion_within_rounding(n_samples, n_test):
    for seed in range(10):
        _, y, X_test, y_test = make_gaussian_clouds(
            n_samples, n_test=n_test, random_state=seed, return_test=True
        )
        assert X_test.shape == (n_test, 2)
        assert abs(y_test.sum() - n_test * y.mean()) <= 0.5


def test_gaussian_clouds_test_set_same_distribution():
    X, y, X_test, y_test = make_gaussian_clouds(
        2000, random_state=11, return_test=True
    )
    for label in (0, 1):
        tr, te = X[y == label], X_test[y_test == label]
        var = te.var(axis=0)
        se = np.sqrt(var / len(tr) + var / len(te))
        assert np.all(np.abs(tr.mean(axis=0) - te.mean(axis=0)) <= 5 * se)
        np.testing.assert_allclose(np.cov(tr.T), np.cov(te.T), atol=0.05)


@pytest.mark.parametrize(
    "kwargs, exc, match",
    [
        ({"n_samples": 0}, ValueError, "n_samples"),
        ({"n_samples": 4.5}, TypeError, "n_samples"),
        ({"n_features": 0}, ValueError, "n_features"),
        ({"n_test": 0, "return_test": True}, ValueError, "n_test"),
        ({"n_test": "many"}, TypeError, "n_test"),
        ({"return_test": 1}, TypeError, "return_test"),
        ({"random_state": np.random.default_rng(0)}, ValueError, "random_state"),
    ],
)
def test_gaussian_clouds_validation(kwargs, exc, match):
    with pytest.raises(exc, match=match):
        make_gaussian_clouds(**kwargs)


# --------------------------------------------------------------------------
# load_dataset
# --------------------------------------------------------------------------

_RAW = {
    "digits": load_digits,
    "breast_cancer": load_breast_cancer,
    "wine": load_wine,
    "iris": load_iris,
}
_N_CLASSES = {
    "digits": 10,
    "breast_cancer": 2,
    "wine": 3,
    "iris": 3,
    "checkerboard2x2": 2,
    "checkerboard4x4": 2,
    "rotated_checkerboard2x2": 2,
    "gaussian_clouds": 2,
}


def test_dataset_names_tuple():
    assert DATASET_NAMES == (
        "digits",
        "breast_cancer",
        "wine",
        "iris",
        "checkerboard2x2",
        "checkerboard4x4",
        "rotated_checkerboard2x2",
        "gaussian_clouds",
    )


@pytest.mark.parametrize("name", DATASET_NAMES)
def test_load_dataset_bunch(name):
    data = load_dataset(name)
    assert isinstance(data, Bunch)
    assert data.name == name
    assert data.n_classes == _N_CLASSES[name]
    assert isinstance(data.description, str) and data.description
    assert "\n" not in data.description
    n_features = data.X_train.shape[1]
    assert data.X_test.shape[1] == n_features
    assert data.X_train.shape[0] == data.y_train.shape[0]
    assert data.X_test.shape[0] == data.y_test.shape[0]
    assert data.X_train.dtype == np.float64
    if name in _RAW:
        raw = _RAW[name]()
        n = raw.data.shape[0]
        assert data.X_train.shape[0] + data.X_test.shape[0] == n
        assert data.X_test.shape[0] == int(np.ceil(0.3 * n))
    else:
        assert data.X_train.shape == (1000, 2) and data.X_test.shape == (1000, 2)


@pytest.mark.parametrize("name", list(_RAW))
def test_load_dataset_is_a_stratified_partition(name):
    raw = _RAW[name]()
    data = load_dataset(name, scale=False)
    X_all = np.concatenate([data.X_train, data.X_test])
    y_all = np.concatenate([data.y_train, data.y_test])
    # Train and test together are exactly the original data: no row is
    # duplicated across the split and none is lost.
    np.testing.assert_array_equal(
        _sorted_rows(X_all, y_all), _sorted_rows(raw.data, raw.target)
    )
    for label in np.unique(raw.target):
        share_train = np.mean(data.y_train == label)
        share_test = np.mean(data.y_test == label)
        assert abs(share_train - share_test) < 0.03


@pytest.mark.parametrize("name", DATASET_NAMES[4:])
def test_load_dataset_synthetic_train_test_disjoint(name):
    data = load_dataset(name, scale=False)
    train_rows = {tuple(r) for r in data.X_train}
    assert not any(tuple(r) in train_rows for r in data.X_test)
    assert set(np.unique(data.y_train).tolist()) == {0, 1}


@pytest.mark.parametrize(
    "name", ["breast_cancer", "wine", "iris"] + list(DATASET_NAMES[4:])
)
def test_load_dataset_scaling_uses_train_statistics_only(name):
    raw = load_dataset(name, scale=False, random_state=3)
    scaled = load_dataset(name, scale=True, random_state=3)
    np.testing.assert_allclose(scaled.X_train.mean(axis=0), 0.0, atol=1e-10)
    np.testing.assert_allclose(scaled.X_train.std(axis=0), 1.0, rtol=1e-10)
    mu, sd = raw.X_train.mean(axis=0), raw.X_train.std(axis=0)
    np.testing.assert_allclose(scaled.X_test, (raw.X_test - mu) / sd, rtol=1e-10)
    np.testing.assert_array_equal(scaled.y_test, raw.y_test)
    # The test part is not centred on its own statistics.
    assert np.abs(scaled.X_test.mean(axis=0)).max() > 1e-6


def test_load_dataset_digits_divided_by_16():
    raw = load_dataset("digits", scale=False)
    scaled = load_dataset("digits")
    np.testing.assert_array_equal(scaled.X_train, raw.X_train / 16.0)
    np.testing.assert_array_equal(scaled.X_test, raw.X_test / 16.0)
    assert scaled.X_train.min() == 0.0 and scaled.X_train.max() == 1.0


def test_load_dataset_synthetic_draws_are_separate():
    data = load_dataset("checkerboard2x2", scale=False)
    assert not np.array_equal(data.X_train, data.X_test)
    assert data.X_train.min() >= 0 and data.X_train.max() < 1
    clouds = load_dataset("gaussian_clouds", scale=False, random_state=4)
    # Same two Gaussians and the same class ratio in train and test.
    assert abs(clouds.y_train.mean() - clouds.y_test.mean()) <= 0.001


def test_load_dataset_determinism_and_test_size():
    a = load_dataset("wine", random_state=1)
    b = load_dataset("wine", random_state=1)
    c = load_dataset("wine", random_state=2)
    np.testing.assert_array_equal(a.X_train, b.X_train)
    assert not np.array_equal(a.y_train, c.y_train) or not np.array_equal(
        a.X_train, c.X_train
    )
    half = load_dataset("wine", test_size=0.5)
    assert half.X_train.shape[0] == 89 and half.X_test.shape[0] == 89
    fixed = load_dataset("iris", test_size=30)
    assert fixed.X_test.shape[0] == 30


def test_load_dataset_unknown_name_lists_valid_names():
    with pytest.raises(ValueError, match="mnist1d") as info:
        load_dataset("mnist1d")
    for name in DATASET_NAMES:
        assert repr(name) in str(info.value)


@pytest.mark.parametrize(
    "args, kwargs, exc, match",
    [
        ((3,), {}, TypeError, "name"),
        (("iris",), {"test_size": 1.5}, ValueError, "test_size"),
        (("iris",), {"test_size": 0.0}, ValueError, "test_size"),
        (("iris",), {"test_size": "0.3"}, TypeError, "test_size"),
        (("iris",), {"scale": "yes"}, TypeError, "scale"),
        (("checkerboard2x2",), {"random_state": "x"}, ValueError, "random_state"),
    ],
)
def test_load_dataset_validation(args, kwargs, exc, match):
    with pytest.raises(exc, match=match):
        load_dataset(*args, **kwargs)


# --------------------------------------------------------------------------
# load_csv_or_npy
# --------------------------------------------------------------------------


def _toy(n=40, d=3, seed=0):
    rng = np.random.RandomState(seed)
    X = rng.normal(size=(n, d))
    y = np.arange(n) % 2
    return X, y


def _check_roundtrip(data, X, y, name):
    assert data.name == name
    assert data.n_classes == len(np.unique(y))
    X_all = np.concatenate([data.X_train, data.X_test])
    y_all = np.concatenate([data.y_train, data.y_test])
    np.testing.assert_allclose(
        _sorted_rows(X_all, y_all), _sorted_rows(X, y), rtol=1e-12
    )


@pytest.mark.parametrize("header", [True, False])
def test_csv_roundtrip(tmp_path, header):
    X, y = _toy()
    path = tmp_path / "toy.csv"
    np.savetxt(
        path,
        np.column_stack([X, y]),
        delimiter=",",
        fmt="%.17g",
        header="f0,f1,f2,label" if header else "",
        comments="",
    )
    data = load_csv_or_npy(path, scale=False, test_size=0.25)
    assert data.X_train.shape == (30, 3) and data.X_test.shape == (10, 3)
    assert data.y_train.dtype.kind == "i"
    _check_roundtrip(data, X, y, "toy")
    assert "toy.csv" in data.description and "\n" not in data.description


def test_csv_target_column_first_and_semicolons(tmp_path):
    X, y = _toy(d=2)
    path = tmp_path / "semi.csv"
    np.savetxt(path, np.column_stack([y, X]), delimiter=";", fmt="%.17g")
    data = load_csv_or_npy(str(path), target_column=0, scale=False)
    _check_roundtrip(data, X, y, "semi")


def test_whitespace_text_file(tmp_path):
    X, y = _toy(d=2)
    path = tmp_path / "spaces.txt"
    np.savetxt(path, np.column_stack([X, y]), fmt="%.17g")
    data = load_csv_or_npy(path, scale=False)
    _check_roundtrip(data, X, y, "spaces")


def test_csv_string_labels(tmp_path):
    path = tmp_path / "animals.csv"
    rows = ["weight,height,species"]
    rng = np.random.RandomState(0)
    for i in range(20):
        rows.append(f"{rng.rand():.6f},{rng.rand():.6f},{['cat', 'dog'][i % 2]}")
    path.write_text("\n".join(rows) + "\n")
    data = load_csv_or_npy(path)
    assert data.n_classes == 2
    assert set(data.y_train.tolist()) == {"cat", "dog"}
    assert data.X_train.shape[1] == 2


def test_csv_scaling_uses_train_statistics(tmp_path):
    X, y = _toy(n=60)
    X = 5 * X + 3
    path = tmp_path / "shifted.csv"
    np.savetxt(path, np.column_stack([X, y]), delimiter=",", fmt="%.17g")
    raw = load_csv_or_npy(path, scale=False, random_state=1)
    scaled = load_csv_or_npy(path, random_state=1)
    np.testing.assert_allclose(scaled.X_train.mean(axis=0), 0.0, atol=1e-10)
    mu, sd = raw.X_train.mean(axis=0), raw.X_train.std(axis=0)
    np.testing.assert_allclose(scaled.X_test, (raw.X_test - mu) / sd, rtol=1e-10)


@pytest.mark.parametrize("target_column", [0, -1, 2])
def test_npy_roundtrip(tmp_path, target_column):
    X, y = _toy(d=3)
    table = np.insert(X, target_column % 4, y, axis=1)
    path = tmp_path / "table.npy"
    np.save(path, table)
    data = load_csv_or_npy(path, target_column=target_column, scale=False)
    _check_roundtrip(data, X, y, "table")
    assert data.y_train.dtype.kind == "i"


@pytest.mark.parametrize("x_key", ["X", "x"])
def test_npz_roundtrip(tmp_path, x_key):
    X, y = _toy(d=4)
    path = tmp_path / "arrays.npz"
    np.savez(path, **{x_key: X, "y": y.reshape(-1, 1)})
    data = load_csv_or_npy(path, scale=False, test_size=0.5)
    assert data.X_train.shape == (20, 4)
    _check_roundtrip(data, X, y, "arrays")


def test_file_errors(tmp_path):
    with pytest.raises(FileNotFoundError, match="missing.csv"):
        load_csv_or_npy(tmp_path / "missing.csv")
    bad_suffix = tmp_path / "data.json"
    bad_suffix.write_text("{}")
    with pytest.raises(ValueError, match="suffix"):
        load_csv_or_npy(bad_suffix)
    with pytest.raises(TypeError, match="path"):
        load_csv_or_npy(42)


def test_csv_content_errors(tmp_path):
    path = tmp_path / "holes.csv"
    path.write_text("a,b,y\n1,2,0\n3,,1\n5,6,0\n7,8,1\n")
    with pytest.raises(ValueError, match=r"data row 2 .*column 1 "):
        load_csv_or_npy(path)
    path.write_text("1,2,0.5\n3,4,1\n5,6,0\n7,8,1\n")
    with pytest.raises(ValueError, match="non-integer"):
        load_csv_or_npy(path)
    path.write_text("1,2,0\n3,4\n")
    with pytest.raises(ValueError, match="fields"):
        load_csv_or_npy(path)
    path.write_text("1,2,0\n3,4,1\n5,6,0\n7,8,1\n")
    with pytest.raises(ValueError, match="target_column"):
        load_csv_or_npy(path, target_column=3)
    with pytest.raises(TypeError, match="target_column"):
        load_csv_or_npy(path, target_column=1.0)
    with pytest.raises(ValueError, match="test_size"):
        load_csv_or_npy(path, test_size=-0.1)


def test_npy_npz_content_errors(tmp_path):
    path = tmp_path / "flat.npy"
    np.save(path, np.arange(10.0))
    with pytest.raises(ValueError, match="2-D"):
        load_csv_or_npy(path)
    path = tmp_path / "nan.npy"
    table = np.column_stack([np.ones(8), np.arange(8) % 2]).astype(float)
    table[0, 0] = np.nan
    np.save(path, table)
    with pytest.raises(ValueError, match="NaN"):
        load_csv_or_npy(path)
    path = tmp_path / "keys.npz"
    np.savez(path, features=np.ones((4, 2)), y=np.arange(4))
    with pytest.raises(ValueError, match="'X' and 'y'"):
        load_csv_or_npy(path)
    path = tmp_path / "short.npz"
    np.savez(path, X=np.ones((4, 2)), y=np.arange(3))
    with pytest.raises(ValueError, match="y must be 1-D"):
        load_csv_or_npy(path)


def _class_sorted_frame(n=60, seed=0):
    """A DataFrame of noise features with labels sorted by class."""
    pd = pytest.importorskip("pandas")
    rng = np.random.RandomState(seed)
    df = pd.DataFrame(rng.normal(size=(n, 3)), columns=["f0", "f1", "f2"])
    df["label"] = np.repeat([0, 1, 2], n // 3)
    return df


def test_csv_pandas_index_column_is_dropped(tmp_path):
    # DataFrame.to_csv writes the index (header cell ""), on class-sorted
    # rows a feature that predicts the label perfectly.
    df = _class_sorted_frame()
    path = tmp_path / "sorted.csv"
    df.to_csv(path)
    with pytest.warns(UserWarning, match=r"dropped column 0 \(''\).*index"):
        data = load_csv_or_npy(path, scale=False)
    assert data.X_train.shape[1] == 3
    assert "index column 0 dropped" in data.description
    _check_roundtrip(data, df[["f0", "f1", "f2"]].to_numpy(), df["label"].to_numpy(),
                     "sorted")
    # Read back and written again: "Unnamed: 0" and a new "" index.
    import pandas as pd

    pd.read_csv(path).to_csv(path)
    with pytest.warns(UserWarning, match=r"column 0 \(''\), 1 \('Unnamed: 0'\)"):
        assert load_csv_or_npy(path).X_train.shape[1] == 3
    # A shuffled frame keeps its (now unsorted) unique integer index.
    df.sample(frac=1, random_state=0).to_csv(path)
    with pytest.warns(UserWarning, match="index"):
        assert load_csv_or_npy(path).X_train.shape[1] == 3
    # pd.concat without ignore_index repeats the index values.
    pd.concat([df, df]).to_csv(path)
    with pytest.warns(UserWarning, match=r"dropped column 0 \(''\)"):
        assert load_csv_or_npy(path).X_train.shape[1] == 3


def test_csv_pandas_default_column_names_are_a_header(tmp_path):
    # pd.DataFrame(array).to_csv(index=False) names the columns 0, 1, 2, ...:
    # all numbers, but a header, not a sample.
    pd = pytest.importorskip("pandas")
    df = _class_sorted_frame()
    path = tmp_path / "array.csv"
    pd.DataFrame(df.to_numpy()).to_csv(path, index=False)
    data = load_csv_or_npy(path, scale=False)
    assert data.X_train.shape[0] + data.X_test.shape[0] == len(df)
    _check_roundtrip(data, df[["f0", "f1", "f2"]].to_numpy(), df["label"].to_numpy(),
                     "array")
    # header=False reads that line as a sample, whose label 3 is then a class
    # of one: the error says what may be wrong.
    with pytest.raises(ValueError, match=r"class\(es\) \[3\] have a single "
                                         "sample.*header=True"):
        load_csv_or_npy(path, header=False, scale=False)


def test_csv_index_column_kept_or_named(tmp_path, recwarn):
    df = _class_sorted_frame()
    path = tmp_path / "sorted.csv"
    df.to_csv(path)
    assert load_csv_or_npy(path, index_column=None).X_train.shape[1] == 4
    assert load_csv_or_npy(path, index_column=0).X_train.shape[1] == 3
    assert not [w for w in recwarn if issubclass(w.category, UserWarning)]
    # A named index (df.index.name = "id") is kept, with a warning that says
    # how to drop it; named, it cannot be told from a feature.
    df.insert(0, "id", np.arange(len(df)))
    df.to_csv(path, index=False)
    with pytest.warns(UserWarning, match="first column 'id' holds the row "
                                         "numbers.*index_column='id'"):
        assert load_csv_or_npy(path).X_train.shape[1] == 4
    assert load_csv_or_npy(path, index_column="id").X_train.shape[1] == 3
    # A named column of other integers is a feature, silently.
    df["id"] = np.arange(len(df)) * 2
    df.to_csv(path, index=False)
    recwarn.clear()
    assert load_csv_or_npy(path).X_train.shape[1] == 4
    assert not [w for w in recwarn if issubclass(w.category, UserWarning)]
    # An unnamed first column that is not a unique integer sequence is data.
    path.write_text(",a,label\n" + "".join(
        f"{i % 3}.5,{i},{i % 2}\n" for i in range(20)))
    assert load_csv_or_npy(path).X_train.shape[1] == 2
    with pytest.raises(ValueError, match="also the target"):
        load_csv_or_npy(path, index_column=-1)


def test_csv_target_column_by_name(tmp_path):
    df = _class_sorted_frame()
    df = df[["label", "f0", "f1", "f2"]]
    path = tmp_path / "named.csv"
    df.to_csv(path, index=False)
    data = load_csv_or_npy(path, target_column="label", scale=False)
    _check_roundtrip(data, df[["f0", "f1", "f2"]].to_numpy(), df["label"].to_numpy(),
                     "named")
    # By index, the same column.
    data0 = load_csv_or_npy(path, target_column=0, scale=False)
    np.testing.assert_array_equal(data0.X_train, data.X_train)
    with pytest.raises(ValueError, match=r"'species' is not a column.*'label', 'f0'"):
        load_csv_or_npy(path, target_column="species")
    np.save(tmp_path / "t.npy", df.to_numpy())
    with pytest.raises(ValueError, match="no column names"):
        load_csv_or_npy(tmp_path / "t.npy", target_column="label")
    with pytest.raises(ValueError, match="no column names"):
        load_csv_or_npy(path, target_column="label", header=False)


def test_csv_header_option(tmp_path):
    X, y = _toy(n=30)
    path = tmp_path / "numeric_header.csv"
    # A header of numbers looks like data to the detection.
    np.savetxt(path, np.column_stack([X, y]), delimiter=",", fmt="%.17g",
               header="5,6,7,1", comments="")
    data = load_csv_or_npy(path, header=True, scale=False)
    _check_roundtrip(data, X, y, "numeric_header")
    data = load_csv_or_npy(path, header="auto")
    assert data.y_train.size + data.y_test.size == 31
    # A first row with a missing value is not silently taken for a header.
    path.write_text("1,,0\n" + "".join(f"{i},{i},{i % 2}\n" for i in range(20)))
    with pytest.raises(ValueError, match=r"data row 1 .*column 1"):
        load_csv_or_npy(path, header=False)
    with pytest.raises(ValueError, match="header must be"):
        load_csv_or_npy(path, header="yes")
    with pytest.raises(TypeError, match="header must be"):
        load_csv_or_npy(path, header=1)
    with pytest.raises(TypeError, match="index_column"):
        load_csv_or_npy(path, index_column=1.5)
