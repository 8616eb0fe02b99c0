"""Seq2SeqRegressor and Seq2SeqModule: encoder, decoder, attention, teacher forcing."""

import pickle

import numpy as np
import pandas as pd
import pytest
import torch
from sklearn.model_selection import GridSearchCV, TimeSeriesSplit
from sklearn.pipeline import Pipeline

from lstmforecast.nn import Seq2SeqModule
from lstmforecast.preprocessing import (
    SlidingWindow,
    make_horizon_targets,
    make_windows,
    time_train_test_split,
)
from lstmforecast.regressors import Seq2SeqRegressor

H, LOOKBACK = 3, 12
TINY = {"max_epochs": 2, "batch_size": 16, "random_state": 0, "n_threads": 1}


def sine(n=200, seed=0):
    t = np.arange(n, dtype=float)
    noise = 0.05 * np.random.default_rng(seed).normal(size=n)
    return np.sin(2 * np.pi * t / 24) + noise


@pytest.fixture(scope="module")
def windows():
    return make_windows(sine(), lookback=LOOKBACK, horizon=H)


# ------------------------------------------------------------------ the module
@pytest.mark.parametrize("attention", [None, "bahdanau", "luong"])
@pytest.mark.parametrize("cell", ["lstm", "gru"])
def test_module_shapes_and_weights_sum_to_one(attention, cell):
    torch.manual_seed(0)
    net = Seq2SeqModule(1 + 2 * H, 4, H, future_size=2, attention=attention, cell=cell)
    net.eval()
    out = net(torch.randn(5, LOOKBACK, 1 + 2 * H))
    assert out.shape == (5, H)
    weights = net.attention_weights_
    if attention is None:
        assert weights is None
        return
    assert weights.shape == (5, H, LOOKBACK)
    torch.testing.assert_close(weights.sum(-1), torch.ones(5, H))
    assert not weights.requires_grad


def test_module_reads_the_future_features_of_each_step():
    torch.manual_seed(0)
    net = Seq2SeqModule(1 + H, 4, H, future_size=1).eval()
    X = torch.randn(4, LOOKBACK, 1 + H)
    base = net(X)
    X2 = X.clone()
    X2[:, -1, -1] += 5.0  # the last step's known future only
    changed = net(X2)
    torch.testing.assert_close(changed[:, :-1], base[:, :-1])  # earlier steps
    assert not torch.allclose(changed[:, -1], base[:, -1])


def test_module_teacher_forcing_only_in_training():
    torch.manual_seed(0)
    net = Seq2SeqModule(1, 4, H, teacher_forcing=1.0)
    X, y = torch.randn(4, LOOKBACK, 1), torch.randn(4, H)
    forced = net(X, y)
    free = net(X)
    assert not torch.allclose(forced[:, 1:], free[:, 1:])
    torch.testing.assert_close(forced[:, 0], free[:, 0])  # step 1: the window's
    net.eval()
    torch.testing.assert_close(net(X, y), net(X))


# --------------------------------------------------------------- the regressor
def test_fit_predict_shapes_attention_and_history(windows):
    X, Y = windows
    model = Seq2SeqRegressor(4, teacher_forcing_decay=0.5, **TINY).fit(X, Y)
    assert model.predict(X[:7]).shape == (7, H)
    assert model.attention_weights_.shape == (7, H, LOOKBACK)
    np.testing.assert_allclose(model.attention_weights_.sum(-1), 1.0)
    np.testing.assert_allclose(model.history_["teacher_forcing"], [0.5, 0.25])
    one = Seq2SeqRegressor(4, **TINY).fit(X, Y[:, 0])
    assert one.predict(X[:3]).shape == (3,)


def test_no_attention_leaves_no_weights(windows):
    X, Y = windows
    model = Seq2SeqRegressor(4, attention=None, cell="gru", **TINY).fit(X, Y)
    model.predict(X[:3])
    assert model.attention_weights_ is None


def test_bit_identical_reruns_and_pickle(windows):
    X, Y = windows
    a = Seq2SeqRegressor(4, **TINY).fit(X, Y).predict(X)
    model = Seq2SeqRegressor(4, **TINY).fit(X, Y)
    np.testing.assert_array_equal(model.predict(X), a)
    again = pickle.loads(pickle.dumps(model))
    np.testing.assert_array_equal(again.predict(X), a)
    np.testing.assert_array_equal(again.attention_weights_, model.attention_weights_)


def test_teacher_forcing_changes_training_not_prediction(windows):
    X, Y = windows
    forced = Seq2SeqRegressor(4, teacher_forcing=1.0, **TINY).fit(X, Y)
    free = Seq2SeqRegressor(4, teacher_forcing=0.0, **TINY).fit(X, Y)
    assert not np.allclose(forced.predict(X), free.predict(X))
    assert not np.allclose(forced.history_["train_loss"], free.history_["train_loss"])
    # predict is recursive whatever the ratio: changing it after fit changes nothing
    before = forced.predict(X)
    forced.set_params(teacher_forcing=0.0)
    forced.net_.module_.teacher_forcing = 0.0
    np.testing.assert_array_equal(forced.predict(X), before)


def test_center_last_learns_relative_to_the_last_value(windows):
    X, Y = windows
    model = Seq2SeqRegressor(4, center="last", scale="std", **TINY).fit(X, Y)
    shifted = model.predict(X[:5] + 100.0)
    np.testing.assert_allclose(shifted, model.predict(X[:5]) + 100.0, rtol=1e-6)


def test_skorch_loop_trains_like_the_lean_loop(windows):
    """A gradient clip huge enough to do nothing: skorch's loop, the same fit."""
    X, Y = windows
    lean = Seq2SeqRegressor(4, **TINY).fit(X, Y)
    skorch_loop = Seq2SeqRegressor(4, gradient_clip=1e9, **TINY).fit(X, Y)
    np.testing.assert_allclose(skorch_loop.predict(X), lean.predict(X), rtol=1e-5)


def test_float32_predictions_match_float64(windows):
    X, Y = windows
    model = Seq2SeqRegressor(4, **TINY).fit(X, Y)
    double = model.predict(X)
    model.set_params(predict_dtype="float32")
    np.testing.assert_allclose(model.predict(X), double, rtol=1e-4, atol=1e-5)


def test_early_stopping_validates_without_teacher_forcing(windows):
    X, Y = windows
    model = Seq2SeqRegressor(4, early_stopping=True, patience=1, **TINY).fit(X, Y)
    assert "valid_loss" in model.history_


# ------------------------------------------------------------- in a Pipeline
def hourly_frame(n=240):
    index = pd.date_range("2013-11-04", periods=n, freq="h", name="time")
    return pd.DataFrame({"internet": sine(n)}, index=index)


def test_pipeline_on_horizon_targets_skips_incomplete_rows():
    X = hourly_frame()
    Y = make_horizon_targets(X["internet"], H)
    pipe = Pipeline(
        [("window", SlidingWindow(LOOKBACK)), ("s2s", Seq2SeqRegressor(4, **TINY))]
    ).fit(X, Y)
    # the first LOOKBACK rows have no full window, the last H - 1 no full target
    assert pipe[-1].n_skipped_ == LOOKBACK + H - 1
    assert pipe[-1].n_skipped_target_ == H - 1
    with pytest.warns(UserWarning, match="incomplete history"):
        pred = pipe.predict(X)
    assert pred.shape == (len(X), H)
    assert np.isnan(pred[:LOOKBACK]).all() and np.isfinite(pred[LOOKBACK:]).all()
    weights = pipe[-1].attention_weights_
    assert weights.shape == (len(X), H, LOOKBACK)
    assert np.isnan(weights[:LOOKBACK]).all()
    np.testing.assert_allclose(weights[LOOKBACK:].sum(-1), 1.0)


def test_grid_search_over_attention_with_time_series_split():
    X, Y = make_windows(sine(160), lookback=LOOKBACK, horizon=H)
    search = GridSearchCV(
        Seq2SeqRegressor(4, **TINY),
        {"attention": [None, "bahdanau", "luong"]},
        cv=TimeSeriesSplit(n_splits=2, gap=LOOKBACK + H - 1),
        scoring="neg_mean_squared_error",
    ).fit(X, Y)
    assert len(search.cv_results_["params"]) == 3
    assert search.predict(X[:2]).shape == (2, H)


def weekend_series(days=28, seed=0):
    index = pd.date_range("2013-11-04", periods=24 * days, freq="h", name="time")
    weekend = index.day_of_week >= 5
    noise = 0.05 * np.random.default_rng(seed).normal(size=len(index))
    return pd.DataFrame({"internet": np.where(weekend, 1.0, 5.0) + noise}, index)


@pytest.mark.slow
def test_known_future_calendar_changes_and_improves_the_forecasts():
    """A 6-hour window cannot see Saturday coming; the forecast hours' calendar can."""
    from sklearn.compose import make_column_selector
    from sklearn.pipeline import FeatureUnion
    from sklearn.preprocessing import FunctionTransformer

    from lstmforecast.preprocessing import CalendarFeatures

    steps, X = 6, weekend_series()
    train, test = time_train_test_split(X, test_size=24 * 7)
    Y = make_horizon_targets(train["internet"], steps)
    truth = make_horizon_targets(test["internet"], steps).to_numpy()
    features = FeatureUnion(
        [
            ("traffic", FunctionTransformer(feature_names_out="one-to-one")),
            ("calendar", CalendarFeatures(["is_weekend"], horizon=steps, country=None)),
        ],
        verbose_feature_names_out=False,
    ).set_output(transform="pandas")
    errors = {}
    for known in (0, 1):
        window = SlidingWindow(
            6,
            columns=["internet"],
            future_columns=make_column_selector(pattern=r"_h\d+$") if known else None,
        )
        s2s = Seq2SeqRegressor(
            8, n_future_features=known, lr=1e-2, max_epochs=30, batch_size=64,
            random_state=0, n_threads=1,
        )  # fmt: skip
        pipe = Pipeline([("features", features), ("window", window), ("s2s", s2s)])
        pipe.fit(train, Y)
        pred = pipe.predict(test)  # the test windows continue the training ones
        assert np.isfinite(pred).all()
        ok = np.isfinite(truth) & np.isfinite(pred)
        errors[known] = np.mean((pred[ok] - truth[ok]) ** 2)
    # measured: 0.02 with the calendar, 0.47 without
    assert errors[1] < 0.2 * errors[0], errors
    # the decoder reads step h's calendar: flipping the last step's changes it
    windows = pipe[:-1].transform(test)
    flipped = windows.copy()
    flipped[:, :, -1] = 1.0 - flipped[:, :, -1]
    s2s = pipe[-1]
    assert not np.allclose(s2s.predict(windows)[:, -1], s2s.predict(flipped)[:, -1])


# ---------------------------------------------------------------- bad inputs
@pytest.mark.parametrize(
    ("params", "match"),
    [
        ({"attention": "foo"}, r"'attention' parameter of Seq2SeqRegressor"),
        ({"teacher_forcing": 1.5}, r"'teacher_forcing' parameter of Seq2SeqRegressor"),
        ({"teacher_forcing_decay": 0}, r"'teacher_forcing_decay' parameter"),
        ({"cell": "rnn"}, r"'cell' parameter of Seq2SeqRegressor"),
        ({"n_future_features": 1}, r"n_future_features=1 with 3 target column"),
    ],
)
def test_bad_parameters_give_one_line_errors(windows, params, match):
    X, Y = windows
    with pytest.raises(ValueError, match=match) as info:
        Seq2SeqRegressor(4, **params, **TINY).fit(X, Y)
    assert "\n" not in str(info.value)


def test_lazy_windows_are_refused():
    from lstmforecast.preprocessing._lazy import WindowArray

    X = hourly_frame(60)
    lazy = SlidingWindow(LOOKBACK, lazy=True).fit_transform(X)
    assert isinstance(lazy, WindowArray)
    with pytest.raises(ValueError, match="not lazy WindowArray"):
        Seq2SeqRegressor(4, **TINY).fit(lazy, X["internet"].to_numpy())


# -------------------------------------------------------------------- display
@pytest.fixture
def pyplot():
    matplotlib = pytest.importorskip("matplotlib")
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    yield plt
    plt.close("all")


def test_attention_display_draws_steps_by_window(pyplot, windows):
    from lstmforecast.plotting import AttentionDisplay

    X, Y = windows
    model = Seq2SeqRegressor(4, attention="luong", **TINY).fit(X, Y)
    display = AttentionDisplay.from_estimator(model, X[:4], row=2)
    np.testing.assert_array_equal(
        display.image_.get_array(), model.attention_weights_[2]
    )
    assert display.image_.get_array().shape == (H, LOOKBACK)
    assert display.ax_.get_ylabel() == "forecast step"
    assert "before the first forecast step" in display.ax_.get_xlabel()
    assert [t.get_text() for t in display.ax_.get_yticklabels()] == ["h1", "h2", "h3"]
    assert display.ax_.get_xticklabels()[0].get_text() == str(LOOKBACK)
    assert display.title_.startswith("Attention weights of row 2")
    with pytest.raises(ValueError, match="'row' parameter"):
        AttentionDisplay.from_estimator(model, row=10)
    plain = Seq2SeqRegressor(4, attention=None, **TINY).fit(X, Y)
    with pytest.raises(ValueError, match="no attention weights"):
        AttentionDisplay.from_estimator(plain, X[:2])


@pytest.mark.gpu
@pytest.mark.skipif(not torch.cuda.is_available(), reason="no CUDA GPU")
def test_fits_and_predicts_on_a_gpu(windows):
    X, Y = windows
    model = Seq2SeqRegressor(4, device="cuda", teacher_forcing=1.0, **TINY)
    pred = model.fit(X, Y).predict(X)
    assert pred.shape == (len(X), H) and np.isfinite(pred).all()
    assert model.attention_weights_.shape == (len(X), H, LOOKBACK)
    np.testing.assert_allclose(model.attention_weights_.sum(-1), 1.0, rtol=1e-5)
