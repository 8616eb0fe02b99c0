"""A global model on lazy windows: the same network as on the stacked windows."""

import pickle
import warnings

import numpy as np
import pandas as pd
import pytest
import torch
from sklearn.base import clone
from sklearn.model_selection import GridSearchCV
from sklearn.pipeline import Pipeline

from lstmforecast.metrics import make_provisioning_scorer
from lstmforecast.model_selection import PanelTimeSeriesSplit
from lstmforecast.preprocessing import SlidingWindow, WindowArray, make_horizon_targets
from lstmforecast.regressors import LSTMRegressor, MLPRegressor

LOOKBACK = 12


def _panel(n_cells=4, hours=120, seed=0):
    """Daily cycles of their own level per cell, a few NaN, interleaved by time."""
    rng = np.random.default_rng(seed)
    t = np.arange(hours)
    level = rng.uniform(1, 5, (n_cells, 1))
    values = level * (1.5 + np.sin(2 * np.pi * t / 24)) + rng.normal(
        0, 0.1, (n_cells, hours)
    )
    values[1, 50] = np.nan
    idx = pd.MultiIndex.from_product(
        [
            [10 * i for i in range(n_cells)],
            pd.date_range("2013-11-01", periods=hours, freq="h"),
        ],
        names=["cell", "time"],
    )
    frame = pd.DataFrame({"v": values.ravel()}, index=idx)
    return frame.iloc[np.lexsort((frame.index.codes[0], frame.index.codes[1]))]


def _both(panel, **window):
    lazy = SlidingWindow(LOOKBACK, lazy=True, **window).fit(panel)
    dense = SlidingWindow(LOOKBACK, **window).fit(panel)
    return lazy.transform(panel), dense.transform(panel)


MODELS = [
    LSTMRegressor((5,), max_epochs=3, random_state=0),
    MLPRegressor((6,), max_epochs=3, random_state=0),
]


@pytest.mark.parametrize("model", MODELS, ids=["lstm", "mlp"])
@pytest.mark.parametrize(
    "params",
    [
        {},
        {"center": "last", "scale": "std"},
        {"center": "mean"},
        {"early_stopping": True, "patience": 2, "validation_fraction": 0.2},
        {"windows_per_epoch": 150},
        {"anchor": 6, "center": "last", "scale": "std", "linear_path": True},
        {"loss": "quantile", "quantiles": [0.1, 0.5, 0.9], "nonnegative": True},
    ],
    ids=[
        "plain",
        "last-std",
        "mean",
        "early-stopping",
        "windows-per-epoch",
        "anchor",
        "quantiles",
    ],
)
def test_lazy_fit_is_the_stacked_fit(model, params):
    """Same seed, same rows, same batches: the same network, bit for bit."""
    panel = _panel()
    lazy, dense = _both(panel)
    y = panel["v"].to_numpy()
    a = clone(model).set_params(**params).fit(lazy, y)
    b = clone(model).set_params(**params).fit(dense, y)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)
        np.testing.assert_array_equal(a.predict(lazy), b.predict(dense))
    assert (a.n_skipped_, a.n_skipped_target_) == (b.n_skipped_, b.n_skipped_target_)
    assert a.n_skipped_ > 0  # the first windows and those over the NaN
    assert a.input_shape_ == b.input_shape_ and a.n_features_in_ == b.n_features_in_
    np.testing.assert_allclose(
        a.history_["train_loss"], b.history_["train_loss"], rtol=0, atol=0
    )
    if "scale" in params:
        assert a.scale_floor_ == pytest.approx(b.scale_floor_, rel=1e-12)


def test_horizon_targets_and_known_columns_lazily():
    panel = _panel()
    panel = panel.assign(hour=panel.index.get_level_values("time").hour.astype(float))
    lazy, dense = _both(panel, columns="v", known_columns="hour")
    Y = make_horizon_targets(panel["v"], 3).to_numpy()
    model = LSTMRegressor((4,), max_epochs=2, random_state=1, center="last")
    a = clone(model).fit(lazy, Y)
    b = clone(model).fit(dense, Y)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)
        pred = a.predict(lazy)
        np.testing.assert_array_equal(pred, b.predict(dense))
    assert pred.shape == (len(panel), 3)
    assert a.n_skipped_target_ == b.n_skipped_target_ > 0


def test_windows_per_epoch_draws_a_new_sample_each_epoch():
    panel = _panel()
    lazy, _ = _both(panel)
    y = panel["v"].to_numpy()
    model = LSTMRegressor((3,), max_epochs=3, batch_size=16, random_state=0)
    seen = []
    original = lazy.take

    class Spy(type(lazy)):
        def take(self, rows, dtype=None):
            seen.append(np.asarray(rows).copy())
            return original(rows, dtype)

    spied = lazy[:]
    spied.__class__ = Spy
    model.set_params(windows_per_epoch=40).fit(spied, y)
    batches = [r for r in seen if 1 < len(r) <= 16]  # not the probes, the sample
    epochs = [np.concatenate(batches[i * 3 : i * 3 + 3]) for i in range(3)]
    assert [len(e) for e in epochs] == [40, 40, 40]  # ceil(40 / 16) = 3 batches
    assert all(len(np.unique(e)) == 40 for e in epochs)  # no window twice in one
    assert not np.array_equal(np.sort(epochs[0]), np.sort(epochs[1]))
    assert list(model.history_["train_batch_count"]) == [3, 3, 3]
    full = clone(model).set_params(windows_per_epoch=None).fit(lazy, y)
    n_used = len(y) - full.n_skipped_
    assert list(full.history_["train_batch_count"]) == [int(np.ceil(n_used / 16))] * 3


def test_a_forecast_reads_only_its_own_series_past():
    """Changing other series, or this one from row t on, keeps row t's forecast."""
    panel = _panel()
    y = panel["v"].to_numpy()
    train = panel.iloc[: len(panel) // 2]
    window = SlidingWindow(LOOKBACK, lazy=True).fit(train)
    model = LSTMRegressor((4,), max_epochs=2, random_state=0, center="last")
    model.fit(window.transform(train), y[: len(train)])
    rest = panel.iloc[len(panel) // 2 :]
    base = model.predict(window.transform(rest))
    cells = rest.index.get_level_values("cell")
    times = rest.index.get_level_values("time")
    row = 30
    changed = rest.copy()
    later = (cells == cells[row]) & (times >= times[row])
    changed.loc[later | (cells != cells[row]), "v"] *= 7.0
    after = model.predict(window.transform(changed))
    assert after[row] == base[row]
    assert not np.allclose(after, base)  # the change did reach other rows


def test_series_embedding_learns_one_vector_per_series():
    panel = _panel()
    y = panel["v"].to_numpy()
    lazy, dense = _both(panel)
    model = LSTMRegressor(
        (4,), max_epochs=2, random_state=0, series_embedding=3, center="last"
    ).fit(lazy, y)
    assert model.series_labels_ == [0, 10, 20, 30]
    weight = model.net_.module_.embedding.weight
    assert tuple(weight.shape) == (4, 3)
    assert model.n_params_ == sum(p.numel() for p in model.net_.module_.parameters())
    # the same window as two series' gets two forecasts: the embedding is read
    row = int(np.flatnonzero(lazy.complete())[0])
    start = lazy.starts[row]
    twice = WindowArray(
        lazy.base, [start, start], LOOKBACK, series=[0, 1], series_keys=[0, 10]
    )
    pred = model.predict(twice)
    assert np.isfinite(pred).all() and pred[0] != pred[1]
    assert "embedding" in model.summary()
    again = pickle.loads(pickle.dumps(model))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)
        np.testing.assert_array_equal(again.predict(lazy), model.predict(lazy))
    with pytest.raises(ValueError, match=r"series_embedding=3.*plain ndarray"):
        model.predict(dense)


def test_an_unseen_series_is_an_error_or_the_mean_embedding():
    panel = _panel()
    y = panel["v"].to_numpy()
    train_cells = panel.index.get_level_values("cell") < 30
    window = SlidingWindow(LOOKBACK, lazy=True).fit(panel[train_cells])
    model = LSTMRegressor((4,), max_epochs=2, random_state=0, series_embedding=2)
    model.fit(window.transform(panel[train_cells]), y[train_cells])
    new = window.transform(panel[~train_cells])  # cell 30: never seen
    with pytest.raises(ValueError, match=r"1 series not seen in fit \(30\).*'mean'"):
        model.predict(new)
    model.set_params(unseen_series="mean")  # read at predict: no refit
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)
        got = model.predict(new)
    # by hand: the window with the mean of the learned vectors appended
    module = model.net_.module_.double()
    complete = np.flatnonzero(new.complete())[:5]
    windows = torch.as_tensor(new.take(complete))
    mean = module.embedding.weight.mean(dim=0)
    inputs = torch.cat([windows, mean.expand(len(complete), LOOKBACK, -1)], dim=-1)
    with torch.no_grad():
        expected = module.module(inputs).numpy().ravel()
    np.testing.assert_allclose(got[complete], expected, rtol=1e-12)


@pytest.mark.parametrize(
    "X, match",
    [
        (
            "dense",
            r"series_embedding=2, which needs the series of each row, "
            r"but X is a plain ndarray",
        ),
        ("single", r"but X is the windows of a single series"),
    ],
)
def test_an_embedding_without_series_labels_is_refused(X, match):
    panel = _panel()
    y = panel["v"].to_numpy()
    if X == "dense":
        X = SlidingWindow(LOOKBACK).fit_transform(panel)
    else:
        X = SlidingWindow(LOOKBACK, lazy=True).fit_transform(
            panel["v"].to_numpy()[:, None]
        )
    model = LSTMRegressor((3,), max_epochs=1, series_embedding=2)
    with pytest.raises(ValueError, match=match) as info:
        model.fit(X, y)
    assert "\n" not in str(info.value) and "SlidingWindow(lookback, lazy=True)" in str(
        info.value
    )
    assert not hasattr(model, "net_")  # nothing half-fitted


def test_lazy_windows_refuse_infinity_and_the_wrong_lookback():
    panel = _panel()
    y = panel["v"].to_numpy()
    lazy, _ = _both(panel)
    model = LSTMRegressor((3,), max_epochs=1, random_state=0).fit(lazy, y)
    other = SlidingWindow(LOOKBACK + 1, lazy=True).fit_transform(panel)
    with pytest.raises(
        ValueError, match=r"windows of 13 steps, but LSTMRegressor was fitted on 12"
    ):
        model.predict(other)
    with pytest.raises(ValueError, match=r"inconsistent numbers of samples"):
        clone(model).fit(lazy, y[:-1])


def test_a_fitted_lazy_model_does_not_keep_the_training_windows():
    panel = _panel(n_cells=30, hours=400)
    lazy, _ = _both(panel)
    model = LSTMRegressor((3,), max_epochs=1, random_state=0, windows_per_epoch=64)
    model.fit(lazy, panel["v"].to_numpy())
    assert len(pickle.dumps(model)) < lazy.base.nbytes / 4


def test_predict_dtype_float32_is_close_to_float64():
    panel = _panel()
    y = panel["v"].to_numpy()
    lazy, _ = _both(panel)
    model = LSTMRegressor((4,), max_epochs=2, random_state=0).fit(lazy, y)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)
        exact = model.predict(lazy)
        fast = clone(model).set_params(predict_dtype="float32")
        model.set_params(predict_dtype="float32")
        rough = model.predict(lazy)
    assert fast.predict_dtype == "float32"
    np.testing.assert_allclose(rough, exact, rtol=1e-5, atol=1e-6)
    assert not np.array_equal(rough, exact)  # it really ran in float32


def test_a_lazy_pipeline_in_grid_search_matches_the_stacked_one():
    panel = _panel(hours=200)
    Y = make_horizon_targets(panel["v"], 2)
    results = {}
    for lazy in (True, False):
        pipe = Pipeline(
            [
                ("window", SlidingWindow(LOOKBACK, lazy=lazy)),
                (
                    "lstm",
                    LSTMRegressor((3,), max_epochs=2, random_state=0, center="last"),
                ),
            ]
        )
        search = GridSearchCV(
            pipe,
            {"lstm__lr": [1e-3, 1e-2]},
            scoring=make_provisioning_scorer(alpha=1, beta=10, step=0.1),
            cv=PanelTimeSeriesSplit(n_splits=2, test_size=40, gap=1),
        )
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", UserWarning)
            search.fit(panel, Y)
            results[lazy] = (
                search.cv_results_["mean_test_score"],
                search.predict(panel),
            )
    np.testing.assert_array_equal(results[True][0], results[False][0])
    np.testing.assert_array_equal(results[True][1], results[False][1])
