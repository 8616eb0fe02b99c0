"""LSTMRegressor and MLPRegressor: training, reproducibility, pipelines, bad input."""

import pickle
import warnings

import joblib
import numpy as np
import pandas as pd
import pytest
import torch
from sklearn.base import clone
from sklearn.compose import TransformedTargetRegressor
from sklearn.model_selection import GridSearchCV, TimeSeriesSplit
from sklearn.pipeline import FeatureUnion, Pipeline
from sklearn.preprocessing import MinMaxScaler

from lstmforecast.nn import RecurrentModule
from lstmforecast.preprocessing import (
    CalendarFeatures,
    LagFeatures,
    SlidingWindow,
    make_windows,
)
from lstmforecast.regressors import LSTMRegressor, MLPRegressor

TINY = {"max_epochs": 3, "batch_size": 16, "random_state": 0}


def _series(n=400, seed=0):
    rng = np.random.default_rng(seed)
    t = np.arange(n)
    values = 10 + 5 * np.sin(2 * np.pi * t / 24) + rng.normal(0, 0.3, n)
    index = pd.date_range("2013-11-01", periods=n, freq="h", tz="Europe/Rome")
    return pd.DataFrame({"internet": values}, index=index)


@pytest.fixture(scope="module")
def windows():
    X, y = make_windows(_series()["internet"].to_numpy(), lookback=12)
    return np.asarray(X), y.ravel()


# ------------------------------------------------------------------ shapes
def test_lab_lstm_has_428_parameters_and_a_summary(windows):
    X, y = windows
    model = LSTMRegressor((7, 3), max_epochs=1, random_state=0).fit(X, y)
    assert model.n_params_ == 4 * 7 * (1 + 7 + 2) + 4 * 3 * (7 + 3 + 2) + 3 + 1 == 428
    text = model.summary()
    assert "layers.0" in text and "(12, 7)" in text and "Total params: 428" in text
    assert list(model.history_.columns[:2]) == ["epoch", "train_loss"]
    assert len(model.history_) == 1


@pytest.mark.parametrize(
    ("kwargs", "n_params"),
    [
        ({"hidden_size": 4, "cell": "gru"}, 3 * 4 * (1 + 4 + 2) + 5),
        ({"hidden_size": (4, 2), "bidirectional": True}, None),
    ],
)
def test_gru_and_bidirectional(windows, kwargs, n_params):
    X, y = windows
    model = LSTMRegressor(**kwargs, **TINY).fit(X, y)
    module = model.net_.module_
    expected = sum(p.numel() for p in module.parameters())
    assert model.n_params_ == expected
    if n_params is not None:
        assert model.n_params_ == n_params
    if kwargs.get("bidirectional"):
        assert module.head.in_features == 4
    assert np.isfinite(model.predict(X)).all()


def test_two_d_windows_and_two_d_targets(windows):
    X, y = windows
    y2 = np.column_stack([y, 2 * y])
    model = LSTMRegressor(4, **TINY).fit(X[:, :, 0], y2)
    assert model.predict(X[:, :, 0]).shape == (len(X), 2)
    assert model.input_shape_ == (12, 1)
    assert LSTMRegressor(4, **TINY).fit(X, y[:, None]).predict(X).shape == (len(X), 1)


def test_pandas_and_float64_inputs_are_accepted():
    frame = _series(200)
    features = FeatureUnion(
        [("cal", CalendarFeatures()), ("lags", LagFeatures(lags=[1, 24]))]
    ).set_output(transform="pandas")
    X = features.fit_transform(frame)
    model = MLPRegressor((8,), **TINY).fit(X, frame["internet"])
    assert model.n_skipped_ == 24
    assert list(model.feature_names_in_)[:1] == ["cal__day_of_week"]
    with pytest.warns(UserWarning, match="24 of 200 rows of X have NaN"):
        pred = model.predict(X)
    assert np.isnan(pred[:24]).all() and np.isfinite(pred[24:]).all()
    assert pred.dtype == np.float64


# -------------------------------------------------------- reproducibility
@pytest.mark.parametrize(
    "make",
    [
        lambda: LSTMRegressor((4, 3), dropout=0.2, **TINY),
        lambda: MLPRegressor((6, 4), dropout=0.2, **TINY),
    ],
)
def test_same_seed_same_predictions_bit_for_bit(windows, make):
    X, y = windows
    X_in = X if isinstance(make(), LSTMRegressor) else X[:, :, 0]
    torch.manual_seed(123)
    before = torch.rand(1)
    a = make().fit(X_in, y).predict(X_in)
    b = make().fit(X_in, y).predict(X_in)
    np.testing.assert_array_equal(a, b)
    other = make().set_params(random_state=1).fit(X_in, y).predict(X_in)
    assert not np.array_equal(a, other)
    # the global torch RNG is untouched by fit
    torch.manual_seed(123)
    assert torch.equal(torch.rand(1), before)


@pytest.mark.parametrize("cls", [LSTMRegressor, MLPRegressor])
def test_verbose_changes_what_is_printed_not_what_is_learned(windows, cls, capsys):
    X, y = windows
    X_in = X if cls is LSTMRegressor else X[:, :, 0]
    quiet = cls(3, **TINY).fit(X_in, y)
    assert capsys.readouterr().out == ""
    # skorch's epoch table is only built when it is printed (verbose=1)
    assert "print_log" not in dict(quiet.net_.callbacks_)
    loud = cls(3, verbose=1, **TINY).fit(X_in, y)
    table = capsys.readouterr().out
    assert "train_loss" in table and len(table.strip().splitlines()) == 2 + 3
    np.testing.assert_array_equal(quiet.predict(X_in), loud.predict(X_in))
    columns = quiet.history_.columns.drop("dur")
    pd.testing.assert_frame_equal(quiet.history_[columns], loud.history_[columns])


def test_pickle_joblib_and_clone(windows, tmp_path):
    X, y = windows
    model = LSTMRegressor(4, **TINY).fit(X, y)
    expected = model.predict(X)
    np.testing.assert_array_equal(
        pickle.loads(pickle.dumps(model)).predict(X), expected
    )
    joblib.dump(model, tmp_path / "model.joblib")
    np.testing.assert_array_equal(
        joblib.load(tmp_path / "model.joblib").predict(X), expected
    )
    fresh = clone(model)
    assert not hasattr(fresh, "net_")
    np.testing.assert_array_equal(fresh.fit(X, y).predict(X), expected)


# ------------------------------------------------------------ training
def test_early_stopping_validates_on_the_latest_rows_after_a_gap(windows):
    X, y = windows
    seen = {}

    class Probe:
        """Record the rows the net trains and validates on."""

        def initialize(self):
            return self

        def on_train_begin(self, net, X=None, y=None, **kwargs):
            train, valid = net.get_split_datasets(X, y)
            seen["train"], seen["valid"] = train.y, valid.y

        def __getattr__(self, name):
            return lambda *a, **k: None

    noise = np.random.default_rng(0).normal(size=len(y))  # nothing to learn
    y = y.mean() + noise
    model = LSTMRegressor(
        16,
        early_stopping=True,
        validation_fraction=0.2,
        patience=3,
        max_epochs=200,
        lr=0.05,
        callbacks=[("probe", Probe())],
        random_state=0,
    ).fit(X, y)
    n = len(X)
    n_valid = int(np.ceil(0.2 * n))
    np.testing.assert_array_equal(
        seen["valid"].numpy().ravel(), y[-n_valid:].astype(np.float32)
    )
    assert len(seen["train"]) == n - n_valid - 12  # gap of one lookback
    assert "valid_loss" in model.history_.columns
    assert len(model.history_) < 200  # it stopped
    best = model.history_["valid_loss"].min()
    final = model.predict(X[-n_valid:])
    assert np.isclose(
        np.mean((final - y[-n_valid:]) ** 2), best, rtol=1e-4
    )  # the best weights were kept


@pytest.mark.parametrize("loss", ["absolute_error", "huber", "quantile"])
def test_other_losses_train(windows, loss):
    X, y = windows
    model = LSTMRegressor(4, loss=loss, quantile=0.9, **TINY).fit(X, y)
    assert np.isfinite(model.history_["train_loss"]).all()


def test_high_quantile_forecasts_above_the_median():
    rng = np.random.default_rng(0)
    X = rng.random((600, 2))
    y = X.sum(axis=1) + rng.normal(0, 0.5, 600)
    common = {"hidden_size": (8,), "max_epochs": 60, "random_state": 0, "lr": 1e-2}
    high = MLPRegressor(loss="quantile", quantile=0.9, **common).fit(X, y)
    low = MLPRegressor(loss="quantile", quantile=0.1, **common).fit(X, y)
    share_below_high = np.mean(y <= high.predict(X))
    share_below_low = np.mean(y <= low.predict(X))
    assert share_below_high > 0.8 and share_below_low < 0.2


def test_lstm_learns_a_daily_cycle_better_than_the_mean():
    X, y = make_windows(_series(600)["internet"].to_numpy(), lookback=24)
    X_tr, y_tr, X_te, y_te = X[:450], y[:450].ravel(), X[-100:], y[-100:].ravel()
    scale = MinMaxScaler().fit(y_tr[:, None])
    model = TransformedTargetRegressor(
        regressor=LSTMRegressor((8,), max_epochs=40, lr=1e-2, random_state=0),
        transformer=scale,
    )
    model.fit(X_tr / 20.0, y_tr)
    mse = np.mean((model.predict(X_te / 20.0) - y_te) ** 2)
    assert mse < 0.5 * np.var(y_te)


# ------------------------------------------------------- in sklearn tools
def _lstm_pipeline():
    return Pipeline(
        [
            ("scale", MinMaxScaler()),
            ("window", SlidingWindow(12)),
            ("model", LSTMRegressor((7, 3), max_epochs=2, random_state=0)),
        ]
    ).set_output(transform="pandas")


@pytest.mark.parametrize("n_jobs", [1, 2])
def test_lstm_pipeline_in_grid_search_with_time_series_split(n_jobs):
    frame = _series(300)
    search = GridSearchCV(
        _lstm_pipeline(),
        {"window__lookback": [6, 12], "model__hidden_size": [(7, 3), 4]},
        cv=TimeSeriesSplit(3),
        n_jobs=n_jobs,
        error_score="raise",
    )
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # no NaN prediction warning: history carried
        search.fit(frame[["internet"]], frame["internet"])
    assert np.isfinite(search.cv_results_["mean_test_score"]).all()
    assert (
        search.best_estimator_["model"].n_skipped_
        == search.best_params_["window__lookback"]
    )


def _per_job_threads(n_jobs=2):
    import os

    return max(1, len(os.sched_getaffinity(0)) // n_jobs)


def test_threads_follow_the_parameter_and_joblib_limits():
    frame = _series(200)
    X, y = frame[["internet"]], frame["internet"]
    before = torch.get_num_threads()
    model = _lstm_pipeline().set_params(model__n_threads=1).fit(X, y)
    assert model["model"].n_threads_ == 1
    assert torch.get_num_threads() == before  # restored
    # 'auto', the default: the lab's network is small, so one thread
    assert _lstm_pipeline()["model"].n_threads == "auto"
    assert _lstm_pipeline().fit(X, y)["model"].n_threads_ == 1
    # None keeps torch's setting
    kept = _lstm_pipeline().set_params(model__n_threads=None).fit(X, y)
    assert kept["model"].n_threads_ == before
    fitted = joblib.Parallel(n_jobs=2)(
        joblib.delayed(lambda: clone(_lstm_pipeline()).fit(X, y))() for _ in range(2)
    )
    assert all(f["model"].n_threads_ <= _per_job_threads() for f in fitted)


def _big_lstm_fit(n_threads="auto"):
    """An LSTM above the 'auto' threshold (work of a batch), fitted briefly."""
    rng = np.random.default_rng(0)
    X, y = rng.random((64, 24, 1)), rng.random(64)
    model = LSTMRegressor(128, batch_size=64, max_epochs=1, n_threads=n_threads)
    return model.fit(X, y)


def test_auto_threads_keep_torchs_setting_for_big_networks_and_never_raise_it():
    from lstmforecast.regressors._base import _AUTO_THREADS_MIN_WORK

    before = torch.get_num_threads()
    model = _big_lstm_fit()
    assert model._thread_work(model.n_params_, 64) >= _AUTO_THREADS_MIN_WORK
    assert model.n_threads_ == before  # torch's setting, not more
    try:
        torch.set_num_threads(1)  # a limit set by the caller (or joblib)
        assert _big_lstm_fit().n_threads_ == 1
        assert _big_lstm_fit(n_threads=2).n_threads_ == 2  # an int forces it
    finally:
        torch.set_num_threads(before)
    # in joblib workers (GridSearchCV(n_jobs=2)) the worker's limit stays
    in_workers = joblib.Parallel(n_jobs=2)(
        joblib.delayed(_big_lstm_fit)() for _ in range(2)
    )
    assert all(m.n_threads_ <= _per_job_threads() for m in in_workers)


@pytest.mark.parametrize(
    ("n_threads", "work", "device", "expected"),
    [
        ("auto", 493_056, "cpu", 1),  # the lab's LSTM: 428 params x 32 rows x 36
        ("auto", 10**9, "cpu", "torch"),
        ("auto", 493_056, "cuda", "torch"),
        (None, 493_056, "cpu", "torch"),
        (3, 10**9, "cpu", 3),
    ],
)
def test_thread_policy(n_threads, work, device, expected):
    from lstmforecast.regressors._base import _resolve_threads

    got = _resolve_threads(n_threads, work, device)
    assert got == (torch.get_num_threads() if expected == "torch" else expected)


def test_thread_work_counts_the_lstms_time_steps(windows):
    X, y = windows  # windows of 12 steps
    lstm = LSTMRegressor((7, 3), max_epochs=1, random_state=0).fit(X, y)
    assert lstm._thread_work(lstm.n_params_, 32) == 428 * 32 * 12
    mlp = MLPRegressor((4,), max_epochs=1, random_state=0).fit(X, y)  # flattened
    assert mlp._thread_work(mlp.n_params_, 32) == mlp.n_params_ * 32


def test_lab_mlp_in_grid_search_and_transformed_target():
    frame = _series(400)
    features = FeatureUnion(
        [
            ("calendar", CalendarFeatures()),
            ("lags", LagFeatures(lags={"prev_week": "7D", "prev_day": "1D"})),
        ]
    )
    pipe = Pipeline(
        [
            ("features", features),
            ("scale", MinMaxScaler()),
            ("model", MLPRegressor(max_epochs=2, random_state=0)),
        ]
    ).set_output(transform="pandas")
    model = TransformedTargetRegressor(regressor=pipe, transformer=MinMaxScaler())
    search = GridSearchCV(
        model,
        {"regressor__model__hidden_size": [(15, 10, 5), (4,)]},
        cv=TimeSeriesSplit(2, test_size=48),
        n_jobs=2,
        error_score="raise",
    )
    search.fit(frame, frame["internet"])
    assert np.isfinite(search.cv_results_["mean_test_score"]).all()
    # the last training day, predicted in-sample: its history is in the kept tail
    assert np.isfinite(search.predict(frame.iloc[-24:])).all()


# --------------------------------------------------------------- bad input
@pytest.mark.parametrize(
    ("model", "X", "y", "match"),
    [
        (LSTMRegressor(hidden_size=0), np.ones((5, 3)), np.ones(5), "hidden_size"),
        (
            LSTMRegressor(dropout=1.0),
            np.ones((5, 3)),
            np.ones(5),
            "'dropout' parameter",
        ),
        (LSTMRegressor(), np.ones(5), np.ones(5), "Expected 2D array"),
        (
            LSTMRegressor(),
            np.ones((5, 3)),
            np.ones(4),
            "inconsistent numbers of samples",
        ),
        (LSTMRegressor(), np.full((5, 3), np.inf), np.ones(5), "infinity"),
        (
            LSTMRegressor(),
            np.full((5, 3), np.nan),
            np.ones(5),
            "Every row of X has NaN",
        ),
        (LSTMRegressor(), np.ones((0, 3)), np.ones(0), "0 sample"),
        (
            LSTMRegressor(),
            np.array([["a", "b"]]),
            np.ones(1),
            "could not convert|numeric",
        ),
        (LSTMRegressor(), np.ones((5, 3, 1, 1)), np.ones(5), "2-D or 3-D X"),
        (LSTMRegressor(device="cuda:0"), np.ones((5, 3)), np.ones(5), "no CUDA GPU"),
        (MLPRegressor(activation="swish"), np.ones((5, 3)), np.ones(5), "'activation'"),
        (
            LSTMRegressor(center="last", center_feature=1),
            np.ones((5, 3)),
            np.ones(5),
            "center_feature=1 but X has 1 feature",
        ),
        (LSTMRegressor(center="median"), np.ones((5, 3)), np.ones(5), "'center'"),
        (LSTMRegressor(scale="std"), np.ones((5, 3)), np.ones(5), "needs a center"),
        (
            LSTMRegressor(early_stopping=True, validation_fraction=0.5),
            np.ones((5, 3)),
            np.ones(5),
            "leave no training rows",
        ),
        (LSTMRegressor(n_threads="all"), np.ones((5, 3)), np.ones(5), "'n_threads'"),
        (LSTMRegressor(n_threads=0), np.ones((5, 3)), np.ones(5), "'n_threads'"),
        (
            MLPRegressor(),
            np.array([[1.0, 2.0], [3.0, 4e38], [5.0, 6.0]]),
            np.ones(3),
            r"'X' parameter of MLPRegressor has 1 value\(s\) beyond the float32 "
            r"range .* got 4e\+38 first, in column 1, row 1\. Scale the data",
        ),
        (
            LSTMRegressor(),
            np.ones((4, 3, 2)) * np.array([1.0, -1e39]),
            np.ones(4),
            r"12 value\(s\) beyond .* in feature 1 at window step 0, row 0",
        ),
        (
            LSTMRegressor(),
            np.ones((3, 2)),
            np.array([1.0, 2.0, 1e300]),
            r"'y' parameter of LSTMRegressor has 1 value\(s\) .* in row 2",
        ),
    ],
)
def test_bad_input_is_a_clear_error(model, X, y, match):
    if "cuda" in str(model.device) and torch.cuda.is_available():
        pytest.skip("a GPU is present")
    with pytest.raises((ValueError, TypeError), match=match):
        model.set_params(max_epochs=1).fit(X, y)


def test_predict_with_other_window_shapes_is_refused(windows):
    X, y = windows
    model = LSTMRegressor(4, **TINY).fit(X, y)
    with pytest.raises(ValueError, match="X has 6 features, but LSTMRegressor"):
        model.predict(X[:, :6])
    with pytest.raises(ValueError, match=r"windows of shape \(12, 2\).*\(12, 1\)"):
        model.predict(np.concatenate([X, X], axis=2))


def test_recurrent_module_validates_its_arguments():
    with pytest.raises(ValueError, match="'cell' parameter of RecurrentModule"):
        RecurrentModule(1, cell="rnm")


class _AnyHookProbe:
    """A duck-typed callback answering every attribute: it opts in to nothing."""

    def initialize(self):
        return self

    def __getattr__(self, name):
        return lambda *a, **k: None


def _epoch_level_callbacks():
    from skorch.callbacks import Callback

    class EpochOnly(Callback):
        epoch_level = True

        def on_epoch_end(self, net, **kwargs):
            pass

    class ClaimsEpochButHooksBatches(EpochOnly):
        def on_batch_end(self, net, **kwargs):
            pass

    class Truthy(Callback):
        epoch_level = "yes"  # only True opts in

    return EpochOnly, ClaimsEpochButHooksBatches, Truthy


@pytest.mark.parametrize(
    ("case", "lean"),
    [
        ("default", True),
        ("sgd", True),
        ("rmsprop", True),
        ("optimizer class", False),  # might need a closure (LBFGS does)
        ("gradient clip", False),
        ("progress bar", False),
        ("EpochProgress", True),
        ("epoch-level subclass", True),
        ("epoch-level subclass with a batch hook", False),
        ("truthy epoch_level", False),
        ("skorch Callback", False),
        ("__getattr__ probe", False),
    ],
)
def test_lean_loop_only_when_nothing_needs_batch_hooks_or_a_closure(
    windows, case, lean, capsys
):
    from skorch.callbacks import Callback

    from lstmforecast.regressors import EpochProgress
    from lstmforecast.regressors._base import _LeanNet

    EpochOnly, HooksBatches, Truthy = _epoch_level_callbacks()
    params = {
        "default": {},
        "sgd": {"optimizer": "sgd"},
        "rmsprop": {"optimizer": "rmsprop"},
        "optimizer class": {"optimizer": torch.optim.Adam},
        "gradient clip": {"gradient_clip": 1.0},
        "progress bar": {"verbose": 2},
        "EpochProgress": {"callbacks": [EpochProgress(every=100)]},
        "epoch-level subclass": {"callbacks": [("mine", EpochOnly())]},
        "epoch-level subclass with a batch hook": {"callbacks": [HooksBatches()]},
        "truthy epoch_level": {"callbacks": [Truthy()]},
        "skorch Callback": {"callbacks": [Callback()]},
        "__getattr__ probe": {"callbacks": [_AnyHookProbe()]},
    }[case]
    X, y = windows
    model = LSTMRegressor(4, **{**TINY, "max_epochs": 1}, **params).fit(X, y)
    assert isinstance(model.net_, _LeanNet) is lean
    capsys.readouterr()


@pytest.mark.parametrize(
    ("name", "cls", "extra"),
    [
        ("adam", torch.optim.Adam, {}),
        ("sgd", torch.optim.SGD, {"weight_decay": 1e-3, "lr": 0.05}),
        ("rmsprop", torch.optim.RMSprop, {"dropout": 0.3, "hidden_size": (4, 3)}),
        ("adam", torch.optim.Adam, {"early_stopping": True, "patience": 2}),
    ],
)
def test_lean_training_loop_matches_skorchs_own(windows, name, cls, extra):
    from skorch.callbacks import Callback

    from lstmforecast.regressors._base import _LeanNet

    X, y = windows
    params = {"hidden_size": 4, **TINY, **extra}
    lean = LSTMRegressor(optimizer=name, **params).fit(X, y)
    by_class = LSTMRegressor(optimizer=cls, **params).fit(X, y)
    by_callback = LSTMRegressor(optimizer=name, callbacks=[Callback()], **params)
    by_callback.fit(X, y)
    assert isinstance(lean.net_, _LeanNet)
    for stock in (by_class, by_callback):
        assert not isinstance(stock.net_, _LeanNet)
        np.testing.assert_allclose(lean.predict(X), stock.predict(X), rtol=1e-6)
        for column in ("train_loss", "valid_loss"):
            if column in lean.history_:
                np.testing.assert_allclose(
                    lean.history_[column], stock.history_[column], rtol=1e-6
                )


def test_weight_decay_reaches_the_optimizer_only_when_set(windows):
    X, y = windows
    plain = LSTMRegressor(4, **TINY).fit(X, y)
    assert not hasattr(plain.net_, "optimizer__weight_decay")
    decayed = LSTMRegressor(4, weight_decay=0.01, **TINY).fit(X, y)
    assert decayed.net_.optimizer_.param_groups[0]["weight_decay"] == 0.01


def test_lbfgs_trains_through_skorchs_closure(windows):
    X, y = windows
    model = LSTMRegressor(
        4, optimizer=torch.optim.LBFGS, lr=0.1, max_epochs=4, random_state=0
    ).fit(X, y)
    loss = model.history_["train_loss"].to_numpy()
    assert np.isfinite(loss).all() and loss[-1] < loss[0]
    assert np.isfinite(model.predict(X)).all()
    with pytest.raises(ValueError, match=r"weight_decay=0.1 but the optimizer 'LBFGS'"):
        model.set_params(weight_decay=0.1, max_epochs=1).fit(X, y)


def test_provisioning_loss_forecasts_high_when_blocking_is_dear():
    from lstmforecast.metrics import provisioning_cost

    rng = np.random.default_rng(0)
    X = rng.random((600, 2))
    y = X.sum(axis=1) + rng.normal(0, 0.5, 600)
    common = {"hidden_size": (8,), "max_epochs": 60, "random_state": 0, "lr": 1e-2}
    dear = MLPRegressor(loss="provisioning", over_cost=1, under_cost=10, **common).fit(
        X, y
    )
    mse = MLPRegressor(**common).fit(X, y)
    assert np.mean(y <= dear.predict(X)) > 0.8  # about the 10/11 quantile
    cost = {
        name: provisioning_cost(y, m.predict(X), alpha=1, beta=10)
        for name, m in (("provisioning", dear), ("mse", mse))
    }
    assert cost["provisioning"] < cost["mse"]


# --------------------------------------------------------------- centering
@pytest.mark.parametrize("make", [LSTMRegressor, MLPRegressor])
@pytest.mark.parametrize("center", ["last", "mean"])
def test_centred_forecasts_follow_a_level_shift_exactly(windows, make, center):
    X, y = windows
    X = X.reshape(len(X), -1)
    X3 = np.stack([X, np.tile(np.arange(X.shape[1]), (len(X), 1))], axis=2)
    X_before, y_before = X3.copy(), y.copy()
    model = make(center=center, **TINY).fit(X3, y)
    np.testing.assert_array_equal(X3, X_before)  # inputs are not modified
    np.testing.assert_array_equal(y, y_before)
    shifted = X3.copy()
    shifted[:, :, 0] += 100.0  # a new level, far outside the training range
    np.testing.assert_allclose(
        model.predict(shifted), model.predict(X3) + 100.0, rtol=0, atol=1e-9
    )
    # without centring the same network cannot follow the shift
    plain = make(**TINY).fit(X3, y)
    assert np.abs(plain.predict(shifted) - plain.predict(X3) - 100.0).mean() > 1.0


def test_centring_uses_only_the_chosen_feature_and_each_rows_own_level(windows):
    X, y = windows
    X = X.reshape(len(X), -1)
    calendar = np.tile(np.arange(X.shape[1], dtype=float), (len(X), 1))
    X3 = np.stack([calendar, X], axis=2)  # the target's history is feature 1
    model = LSTMRegressor(center="last", center_feature=1, **TINY).fit(X3, y)
    calendar_shifted = X3.copy()
    calendar_shifted[:, :, 0] += 5.0  # not centred: predictions change
    assert not np.allclose(model.predict(calendar_shifted), model.predict(X3))
    # row i's level is its own last value: a row-wise shift moves each row by it
    offsets = np.linspace(-3, 3, len(X))
    moved = X3.copy()
    moved[:, :, 1] += offsets[:, None]
    np.testing.assert_allclose(
        model.predict(moved), model.predict(X3) + offsets, rtol=0, atol=1e-9
    )


def test_centring_keeps_nan_rows_out_and_two_d_targets(windows):
    X, y = windows
    Y = np.column_stack([y, y])
    X_nan = X.reshape(len(X), -1).copy()
    X_nan[:3, 0] = np.nan
    model = MLPRegressor(center="mean", **TINY).fit(X_nan, Y)
    assert model.n_skipped_ == 3
    with pytest.warns(UserWarning, match="3 of"):
        pred = model.predict(X_nan)
    assert pred.shape == Y.shape
    assert np.isnan(pred[:3]).all() and np.isfinite(pred[3:]).all()


@pytest.mark.parametrize("make", [LSTMRegressor, MLPRegressor])
def test_scaled_forecasts_follow_level_and_spread(windows, make):
    X, y = windows
    X = X.reshape(len(X), -1)
    model = make(center="last", scale="std", **TINY).fit(X, y)
    assert 0 < model.scale_floor_ < X.std()
    # a busier period: three times the swing around a new level
    np.testing.assert_allclose(
        model.predict(3.0 * X + 50.0),
        3.0 * model.predict(X) + 50.0,
        rtol=1e-9,
        atol=1e-9,
    )
    # a flat window is not divided by zero: its spread is the floor
    flat = np.full((1, X.shape[1]), 7.0)
    assert np.isfinite(model.predict(flat)).all()


def test_grid_search_by_provisioning_cost_picks_another_lstm_than_mse():
    from lstmforecast.metrics import make_provisioning_scorer

    rng = np.random.default_rng(1)
    n = 480
    t = np.arange(n)
    values = 1 + 0.5 * np.sin(2 * np.pi * t / 24) + rng.exponential(0.3, n)
    index = pd.date_range("2013-11-01", periods=n, freq="h")
    frame = pd.DataFrame({"internet": values}, index=index)
    pipeline = Pipeline(
        [
            ("window", SlidingWindow(24)),
            ("model", LSTMRegressor(8, lr=1e-2, max_epochs=15, random_state=0)),
        ]
    )
    search = GridSearchCV(
        pipeline,
        {"model__loss": ["squared_error", "provisioning"]},
        cv=TimeSeriesSplit(3),
        scoring={
            "cost": make_provisioning_scorer(alpha=1, beta=10),
            "mse": "neg_mean_squared_error",
        },
        refit="cost",
        error_score="raise",
    )
    search.fit(frame, frame["internet"])
    results = pd.DataFrame(search.cv_results_).set_index("param_model__loss")
    # blocking ten times dearer than waste: the provisioning-trained LSTM is cheaper
    assert search.best_params_ == {"model__loss": "provisioning"}
    assert results.loc["provisioning", "rank_test_cost"] == 1
    # ... while squared error wins on MSE: the two criteria pick different models
    assert results.loc["squared_error", "rank_test_mse"] == 1
    # refit=True: the chosen pipeline is refitted on all rows and forecasts high
    model = search.best_estimator_["model"]
    assert model.loss == "provisioning" and model.n_skipped_ == 24
    with pytest.warns(UserWarning, match="24 of 480 rows"):
        forecast = search.predict(frame)[24:]  # the first 24 rows have no window
    assert np.mean(forecast >= values[24:]) > 0.7


def test_epoch_progress_prints_every_n_epochs_and_keeps_the_lean_loop(windows):
    import io

    from lstmforecast.regressors import EpochProgress
    from lstmforecast.regressors._base import _LeanNet

    X, y = windows
    stream = io.StringIO()
    progress = EpochProgress(every=2, name="lstm", stream=stream)
    model = LSTMRegressor(4, **{**TINY, "max_epochs": 5}, callbacks=[progress])
    model.fit(X, y)
    lines = stream.getvalue().splitlines()
    assert [line.split(":")[0] for line in lines] == [
        "lstm epoch 2/5",
        "lstm epoch 4/5",
        "lstm epoch 5/5",
    ]
    assert type(model.net_) is _LeanNet  # epoch-level only: no batch hooks
    # same weights as without the callback: it only reads the history
    plain = LSTMRegressor(4, **{**TINY, "max_epochs": 5}).fit(X, y)
    np.testing.assert_array_equal(model.predict(X), plain.predict(X))
    with pytest.raises(ValueError, match="'every' must be an int >= 1"):
        LSTMRegressor(4, **TINY, callbacks=[EpochProgress(every=0)]).fit(X, y)


def test_predict_uses_the_normalisation_it_was_fitted_with(windows):
    X, y = windows
    model = LSTMRegressor(4, center="last", scale="std", **TINY).fit(X, y)
    before = model.predict(X)
    model.set_params(center=None, scale=None)  # takes effect at the next fit only
    np.testing.assert_array_equal(model.predict(X), before)
    model.fit(X, y)  # now without centring: other predictions, no stale floor
    assert not np.allclose(model.predict(X), before)
    assert not hasattr(model, "scale_floor_")


@pytest.mark.parametrize("cell", ["lstm", "gru"])
def test_bidirectional_reads_the_backward_state_after_the_whole_window(cell):
    import torch

    from lstmforecast.nn import RecurrentModule

    torch.manual_seed(0)
    net = RecurrentModule(2, hidden_size=(4, 3), cell=cell, bidirectional=True)
    X = torch.randn(5, 9, 2)
    with torch.no_grad():
        out = net.layers[0](X)[0]
        _, state = net.layers[1](out)
        h_n = state[0] if cell == "lstm" else state  # (2 directions, batch, units)
        expected = net.head(torch.cat([h_n[0], h_n[1]], dim=1))
        torch.testing.assert_close(net(X), expected)
        # the backward half depends on the first step of the window
        changed = X.clone()
        changed[:, 0] += 1.0
        assert not torch.allclose(net(changed), net(X))


def test_grid_search_over_numpy_integers_and_errors_name_the_estimator():
    from sklearn.model_selection import GridSearchCV, TimeSeriesSplit

    rng = np.random.default_rng(0)
    X = rng.random((120, 6, 1)).astype(np.float32)
    y = X[:, -1, 0]
    grid = {"hidden_size": np.arange(2, 4)}  # numpy ints, as users write grids
    search = GridSearchCV(
        LSTMRegressor(max_epochs=1, random_state=0), grid, cv=TimeSeriesSplit(2)
    ).fit(X, y)
    assert int(search.best_params_["hidden_size"]) in (2, 3)
    assert search.best_estimator_.net_.module_.layers[0].hidden_size in (2, 3)
    with pytest.raises(ValueError, match="'hidden_size' parameter of LSTMRegressor"):
        LSTMRegressor(hidden_size=np.int64(0)).fit(X, y)
