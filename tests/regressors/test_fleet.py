"""FleetRegressor and RecurrentFleetModule: each member equals its own single fit."""

import copy
import os
import shutil
import warnings

import numpy as np
import pandas as pd
import pytest
import torch
from sklearn.base import clone
from sklearn.model_selection import GridSearchCV
from sklearn.pipeline import Pipeline
from sklearn.preprocessing import StandardScaler
from skorch.callbacks import Callback

from lstmforecast.model_selection import PanelTimeSeriesSplit
from lstmforecast.nn import RecurrentFleetModule, RecurrentModule
from lstmforecast.nn import _fleet as _fleet_nn
from lstmforecast.nn._fleet import _MEMBER_OPTIMIZERS
from lstmforecast.preprocessing import SlidingWindow, make_horizon_targets
from lstmforecast.regressors import FleetRegressor, LSTMRegressor, MLPRegressor
from lstmforecast.regressors._fleet import _PassData

LOOKBACK = 12
TINY = {"hidden_size": (5, 3), "max_epochs": 3, "batch_size": 16, "random_state": 0}
TOL = 1e-5  # float32 training in other kernels: measured differences are ~1e-8


def _panel(lengths=(100, 100, 100), seed=0, labels=None):
    """A (cell, time) panel of noisy daily cycles, one length per series."""
    rng = np.random.default_rng(seed)
    labels = labels or [4159, 4556, 5161][: len(lengths)]
    parts = []
    for k, (label, n) in enumerate(zip(labels, lengths, strict=True)):
        t = np.arange(n)
        times = pd.date_range("2013-11-01", periods=n, freq="h")
        values = 1 + 0.5 * k + np.sin(2 * np.pi * (t + 3 * k) / 24)
        values = values + 0.1 * rng.standard_normal(n)
        index = pd.MultiIndex.from_arrays([[label] * n, times], names=["cell", "time"])
        parts.append(pd.DataFrame({"load": values}, index=index))
    return pd.concat(parts)


def _quiet(fn, *args):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)  # the NaN first windows
        return fn(*args)


def _single_fit(estimator, X, y, label, window=None):
    """The single fit of one series: its own windows, a fresh estimator."""
    rows = X.index.get_level_values(0) == label
    part, target = X[rows], y[rows]
    windows = SlidingWindow(LOOKBACK).fit_transform(part) if window is None else None
    model = clone(estimator).fit(windows, np.asarray(target))
    return model, windows, rows


@pytest.fixture(scope="module")
def fitted():
    X = _panel()
    fleet = FleetRegressor(LSTMRegressor(**TINY), window=SlidingWindow(LOOKBACK))
    return X, fleet.fit(X, X["load"])


# ------------------------------------------------------------- equality
def test_each_member_equals_its_single_fit(fitted):
    X, fleet = fitted
    pred = _quiet(fleet.predict, X)
    for label in fleet.series_:
        single, windows, rows = _single_fit(LSTMRegressor(**TINY), X, X["load"], label)
        expected = _quiet(single.predict, windows)
        keep = np.isfinite(expected)
        assert keep.sum() == 100 - LOOKBACK
        np.testing.assert_array_equal(np.isfinite(pred[rows]), keep)
        np.testing.assert_allclose(pred[rows][keep], expected[keep], atol=TOL, rtol=0)
        losses = fleet.history_.loc[fleet.history_["cell"] == label, "train_loss"]
        np.testing.assert_allclose(
            losses.to_numpy(), single.history_["train_loss"], rtol=1e-5
        )


class _InitialWeights(Callback):
    """Keep the module's weights when skorch starts training."""

    def on_train_begin(self, net, **kwargs):
        self.state = copy.deepcopy(net.module_.state_dict())


def test_initial_weights_and_shuffles_are_the_single_fits():
    X = _panel(lengths=(60,))
    capture = _InitialWeights()
    single = LSTMRegressor(**TINY, callbacks=[capture])
    single.fit(SlidingWindow(LOOKBACK).fit_transform(X), X["load"].to_numpy())
    est = clone(LSTMRegressor(**TINY))
    X_model, y2, _, _ = est._prepare_fit(
        SlidingWindow(LOOKBACK).fit_transform(X), X["load"].to_numpy()
    )
    data = _PassData([(est, X_model.astype(np.float32), y2)] * 2, None)
    fleet = RecurrentFleetModule.from_modules([RecurrentModule(1, (5, 3))] * 2)
    fleet.weight.data.copy_(data.weights)
    assert torch.equal(data.weights[0], data.weights[1])  # one seed, one init
    for key, value in fleet.to_module(0).state_dict().items():
        torch.testing.assert_close(value, capture.state[key], rtol=0, atol=0)
    # the shuffles: the single fit's randperm sequence, epoch after epoch
    with torch.random.fork_rng(devices=[]):
        torch.manual_seed(est._torch_seed())
        est._build_module(X_model, 1)
        n = len(X_model)
        for epoch in range(TINY["max_epochs"]):
            expected = torch.randperm(n)
            assert torch.equal(data.order[epoch, 0], expected)
            assert torch.equal(data.order[epoch, 1], expected + n)  # its own rows


def test_without_a_random_state_each_member_draws_its_own_seed():
    X = _panel(lengths=(40, 40))
    X.loc[4556, "load"] = X.loc[4159, "load"].to_numpy()  # the same data twice
    est = LSTMRegressor(**{**TINY, "random_state": None, "max_epochs": 1})
    fleet = FleetRegressor(est, window=SlidingWindow(LOOKBACK)).fit(X, X["load"])
    a, b = (fleet.member(c).net_.module_.head.weight for c in (4159, 4556))
    assert not torch.equal(a, b)
    assert fleet.__sklearn_tags__().non_deterministic


def test_member_is_a_fitted_lstm_regressor_with_the_fleets_forecasts(fitted):
    X, fleet = fitted
    member = fleet.member(4556)
    assert isinstance(member, LSTMRegressor)
    windows = SlidingWindow(LOOKBACK).fit_transform(X.loc[[4556]])
    rows = X.index.get_level_values(0) == 4556
    np.testing.assert_allclose(
        _quiet(member.predict, windows), _quiet(fleet.predict, X)[rows], atol=1e-12
    )
    single, _, _ = _single_fit(LSTMRegressor(**TINY), X, X["load"], 4556)
    assert member.n_skipped_ == single.n_skipped_ == LOOKBACK
    assert member.n_params_ == single.n_params_ == fleet.n_params_
    assert member.input_shape_ == single.input_shape_
    assert list(member.history_["epoch"]) == [1, 2, 3]
    assert member.summary().splitlines()[0] == single.summary().splitlines()[0]


@pytest.mark.filterwarnings("ignore::lstmforecast.preprocessing.UnevenPanelWarning")
@pytest.mark.parametrize(
    "settings",
    [
        {"loss": "quantile", "quantile": 0.9, "optimizer": "sgd", "lr": 0.05},
        {"loss": "provisioning", "optimizer": "rmsprop", "gradient_clip": 0.5},
        {"loss": "huber", "center": "last", "scale": "std", "weight_decay": 1e-3},
        {"loss": "absolute_error", "hidden_size": 4},
    ],
    ids=["quantile-sgd", "provisioning-rmsprop-clip", "huber-centred", "l1-one-layer"],
)
def test_members_match_single_fits_for_other_settings(settings):
    X = _panel(lengths=(80, 50))
    Y = make_horizon_targets(X["load"], 2)  # two steps, NaN at each series' end
    estimator = LSTMRegressor(**{**TINY, **settings})
    fleet = FleetRegressor(estimator, window=SlidingWindow(LOOKBACK)).fit(X, Y)
    pred = _quiet(fleet.predict, X)
    assert pred.shape == (130, 2)
    for label in fleet.series_:
        single, windows, rows = _single_fit(estimator, X, Y.to_numpy(), label)
        expected = _quiet(single.predict, windows)
        keep = np.isfinite(expected).all(axis=1)
        np.testing.assert_allclose(pred[rows][keep], expected[keep], atol=TOL)
        assert fleet.n_skipped_[label] == single.n_skipped_ == LOOKBACK + 1


@pytest.mark.filterwarnings("ignore::lstmforecast.preprocessing.UnevenPanelWarning")
def test_series_of_different_lengths_and_holes_train_on_their_own_rows():
    X = _panel(lengths=(90, 40, 65))
    y = X["load"].copy()
    y.iloc[[20, 21, 50]] = np.nan  # skipped targets in the first series only
    est = LSTMRegressor(**TINY)
    fleet = FleetRegressor(est, window=SlidingWindow(LOOKBACK)).fit(X, y)
    pred = _quiet(fleet.predict, X)
    for label in fleet.series_:
        single, windows, rows = _single_fit(est, X, y.to_numpy(), label)
        expected = _quiet(single.predict, windows)
        keep = np.isfinite(expected)
        np.testing.assert_allclose(pred[rows][keep], expected[keep], atol=TOL)
    assert list(fleet.n_skipped_) == [LOOKBACK + 3, LOOKBACK, LOOKBACK]


def test_results_do_not_depend_on_the_pass_size(fitted):
    X, fleet = fitted
    one_by_one = clone(fleet).set_params(members_per_pass=1).fit(X, X["load"])
    two = clone(fleet).set_params(members_per_pass=2).fit(X, X["load"])
    expected = _quiet(fleet.predict, X)
    np.testing.assert_allclose(_quiet(one_by_one.predict, X), expected, atol=1e-7)
    np.testing.assert_allclose(_quiet(two.predict, X), expected, atol=1e-7)


# --------------------------------------------------------- time and isolation
def test_changing_one_series_leaves_the_other_members_unchanged(fitted):
    X, fleet = fitted
    changed = X.copy()
    rows = changed.index.get_level_values(0) == 4556
    changed.loc[rows, "load"] = changed.loc[rows, "load"].to_numpy()[::-1] * 3
    other = clone(fleet).fit(changed, changed["load"])
    before, after = _quiet(fleet.predict, X), _quiet(other.predict, X)
    np.testing.assert_array_equal(before[~rows], after[~rows])
    assert not np.allclose(before[rows], after[rows], equal_nan=True)


def test_a_forecast_never_reads_its_own_hour_or_later(fitted):
    X, fleet = fitted
    future = _panel(lengths=(130, 130, 130)).groupby(level=0).tail(30)
    base = fleet.predict(future)  # continues each series from its fitted tail
    assert np.isfinite(base).all()
    for cut in (0, 10, 29):
        changed = future.copy()
        times = changed.index.get_level_values(1)
        late = times >= times.unique().sort_values()[cut]
        changed.loc[late, "load"] = 100.0
        again = fleet.predict(changed)
        np.testing.assert_array_equal(again[~late], base[~late])
        first_late = late & (times == times[late].min())  # own hour changed only
        np.testing.assert_array_equal(again[first_late], base[first_late])


def test_inputs_are_not_modified_and_rows_keep_their_order(fitted):
    X, fleet = fitted
    shuffled = X.sort_index(level="time")  # by time: the series interleaved
    before = shuffled.copy()
    y = shuffled["load"].copy()
    refit = clone(fleet).fit(shuffled, y)
    pred = _quiet(refit.predict, shuffled)
    pd.testing.assert_frame_equal(shuffled, before)
    pd.testing.assert_series_equal(y, before["load"])
    by_row = pd.Series(_quiet(fleet.predict, X), index=X.index)
    np.testing.assert_allclose(pred, by_row.loc[shuffled.index], atol=1e-12)


# ----------------------------------------------------------------- arrays
def test_an_array_is_one_series_equal_to_the_estimator():
    X = SlidingWindow(LOOKBACK).fit_transform(_panel(lengths=(80,)))[LOOKBACK:, :, 0]
    y = np.sin(np.arange(len(X)) / 3.0)
    fleet = FleetRegressor(LSTMRegressor(**TINY)).fit(X, y)
    single = LSTMRegressor(**TINY).fit(X, y)
    np.testing.assert_allclose(fleet.predict(X), single.predict(X), atol=TOL)
    assert list(fleet.series_) == [None]
    assert fleet.member().n_features_in_ == fleet.n_features_in_ == LOOKBACK


# ----------------------------------------------------------------- errors
@pytest.mark.parametrize(
    ("estimator", "match"),
    [
        (MLPRegressor(), "must be an LSTMRegressor.*got MLPRegressor"),
        (LSTMRegressor(cell="gru"), "estimator__cell='gru'.*estimator__cell='lstm'"),
        (LSTMRegressor(dropout=0.2), "estimator__dropout=0.2"),
        (LSTMRegressor(bidirectional=True), "estimator__bidirectional=True"),
        (LSTMRegressor(early_stopping=True), "estimator__early_stopping=True"),
        (LSTMRegressor(verbose=1), "estimator__verbose=1"),
        (LSTMRegressor(callbacks=[Callback()]), "estimator__callbacks"),
        (LSTMRegressor(optimizer=torch.optim.LBFGS), "got the class LBFGS"),
        (LSTMRegressor(series_embedding=2), "estimator__series_embedding=2"),
        (LSTMRegressor(windows_per_epoch=10), "estimator__windows_per_epoch=10"),
        (LSTMRegressor(anchor=24), "estimator__anchor=24"),
        (LSTMRegressor(linear_path=True), "estimator__linear_path=True"),
        (
            LSTMRegressor(loss="quantile", quantiles=[0.1, 0.9]),
            r"estimator__quantiles=\[0.1, 0.9\]",
        ),
        (LSTMRegressor(nonnegative=True), "estimator__nonnegative=True"),
        (
            LSTMRegressor(loss="provisioning", capacity_step=0.1),
            "estimator__capacity_step=0.1",
        ),
    ],
)
def test_unsupported_estimators_and_settings_are_named(estimator, match):
    X = _panel(lengths=(30, 30))
    with pytest.raises(ValueError, match=match):
        FleetRegressor(estimator, window=SlidingWindow(4)).fit(X, X["load"])


def test_bad_panels_are_one_line_errors(fitted):
    X, fleet = fitted
    est = FleetRegressor(LSTMRegressor(**TINY), window=SlidingWindow(4))
    two_hourly = _panel(lengths=(30,), labels=["b"]).iloc[::2]
    mixed = pd.concat([_panel(lengths=(30,), labels=["a"]), two_hourly])
    with pytest.raises(
        ValueError, match="one frequency.*a steps by 1h and series b by 2h"
    ):
        est.fit(mixed, mixed["load"])
    one_row = pd.concat([_panel(lengths=(30,), labels=["a"]), two_hourly.iloc[:1]])
    with pytest.raises(ValueError, match="1 series with one row \\(b\\)"):
        est.fit(one_row, one_row["load"])
    unseen = _panel(lengths=(20,), labels=[999])
    with pytest.raises(ValueError, match="no member for series 999.*refit"):
        fleet.predict(unseen)
    with pytest.raises(ValueError, match="fitted on a panel of 3 series"):
        fleet.predict(X.droplevel(0).iloc[:5])
    with pytest.raises(KeyError, match="no member for series 1"):
        fleet.member(1)
    with pytest.raises(ValueError, match="another index than X"):
        est.fit(X, X["load"].iloc[::-1])
    all_nan = X.copy()
    all_nan.loc[4556, "load"] = np.nan
    with pytest.raises(ValueError, match="cannot fit series 4556: Every row of X"):
        est.fit(all_nan, X["load"])


# ------------------------------------------------------------ sklearn API
def test_clone_params_pipeline_and_grid_search(fitted):
    X, fleet = fitted
    assert fleet.get_params()["estimator__max_epochs"] == 3
    tuned = clone(fleet).set_params(estimator__max_epochs=1)
    assert tuned.estimator.max_epochs == 1 and fleet.estimator.max_epochs == 3
    X_small = _panel(lengths=(70, 70))
    pipe = Pipeline(
        [
            ("scale", StandardScaler().set_output(transform="pandas")),
            ("fleet", tuned),
        ]
    )
    search = GridSearchCV(
        pipe,
        {"fleet__estimator__lr": [1e-3, 1e-2]},
        cv=PanelTimeSeriesSplit(n_splits=2, test_size=20),
        scoring="neg_mean_absolute_error",
        error_score="raise",
    )
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)
        search.fit(X_small, X_small["load"])
    assert np.isfinite(search.cv_results_["mean_test_score"]).all()
    pred = search.predict(X_small.groupby(level=0).tail(5))
    assert pred.shape == (10,) and np.isfinite(pred).all()


# ------------------------------------------------------------ torch module
def test_fleet_module_gradients_are_each_members_own():
    torch.manual_seed(0)
    modules = [RecurrentModule(2, (4, 3), n_outputs=2).double() for _ in range(3)]
    fleet = RecurrentFleetModule.from_modules(modules)
    X = torch.randn(3, 7, 5, 2, dtype=torch.float64)
    y = torch.randn(3, 7, 2, dtype=torch.float64)
    out = fleet(X)
    sum(torch.nn.functional.mse_loss(out[m], y[m]) for m in range(3)).backward()
    for m, module in enumerate(modules):
        loss = torch.nn.functional.mse_loss(module(X[m]), y[m])
        loss.backward()
        torch.testing.assert_close(out[m], module(X[m]), rtol=0, atol=1e-14)
        grads = RecurrentModule(2, (4, 3), n_outputs=2).double()
        for p, q in zip(grads.parameters(), module.parameters(), strict=True):
            p.data.copy_(q.grad)
        row = RecurrentFleetModule.from_modules([grads]).weight.data[0]
        torch.testing.assert_close(fleet.weight.grad[m], row, rtol=0, atol=1e-14)
    with torch.no_grad():
        torch.testing.assert_close(fleet(X), out.detach(), rtol=0, atol=1e-14)
    assert fleet.to_module(1).state_dict().keys() == modules[1].state_dict().keys()


@pytest.mark.parametrize(
    ("sizes", "lookback"), [((6,), 4), ((2, 5, 3, 4), 2), ((3, 2), 1)]
)
def test_fleet_module_wavefront_edges(sizes, lookback):
    # one layer, more layers than steps, one step: the waves where some layers
    # have no step must pass nothing on, forward or backward
    torch.manual_seed(1)
    modules = [RecurrentModule(3, sizes, n_outputs=2).double() for _ in range(2)]
    fleet = RecurrentFleetModule.from_modules(modules)
    X = torch.randn(2, 5, lookback, 3, dtype=torch.float64)
    y = torch.randn(2, 5, 2, dtype=torch.float64)
    for _ in range(2):  # the workspace's scratch is reused: no stale state
        fleet.weight.grad = None
        out = fleet(X)
        sum(torch.nn.functional.mse_loss(out[m], y[m]) for m in range(2)).backward()
        for m, module in enumerate(modules):
            module.zero_grad()
            torch.nn.functional.mse_loss(module(X[m]), y[m]).backward()
            torch.testing.assert_close(out[m], module(X[m]), rtol=0, atol=1e-14)
            row = torch.cat([p.grad.reshape(-1) for p in module.parameters()])
            grads = copy.deepcopy(module)
            torch.nn.utils.vector_to_parameters(row, grads.parameters())
            want = RecurrentFleetModule.from_modules([grads]).weight.data[0]
            torch.testing.assert_close(fleet.weight.grad[m], want, rtol=0, atol=1e-14)


def test_fleet_module_errors():
    with pytest.raises(ValueError, match="'n_members' parameter.*>= 1. Got 0"):
        RecurrentFleetModule(0, input_size=1)
    fleet = RecurrentFleetModule(2, input_size=1, hidden_size=3)
    with pytest.raises(ValueError, match="shape \\(n_members=2, batch"):
        fleet(torch.zeros(3, 4, 5, 1))
    with pytest.raises(IndexError, match="has 2 members; got member 2"):
        fleet.to_module(2)
    with pytest.raises(ValueError, match="one shape"):
        RecurrentFleetModule.from_modules(
            [RecurrentModule(1, 3), RecurrentModule(1, 4)]
        )
    with pytest.raises(ValueError, match="LSTM RecurrentModules"):
        RecurrentFleetModule.from_modules([RecurrentModule(1, 3, cell="gru")])


@pytest.mark.parametrize("name", ["adam", "sgd", "rmsprop"])
def test_member_optimizers_step_as_torch_does(name):
    torch.manual_seed(0)
    weights = torch.randn(3, 20)
    params = [torch.nn.Parameter(w.clone()) for w in weights]
    cls = {"adam": torch.optim.Adam, "sgd": torch.optim.SGD}.get(
        name, torch.optim.RMSprop
    )
    theirs = [cls([p], lr=0.01, weight_decay=1e-3) for p in params]
    mine = _MEMBER_OPTIMIZERS[name](
        weights.shape, weights.dtype, lr=0.01, weight_decay=1e-3
    )
    for step in range(6):
        grad = torch.randn(3, 20)
        rows = torch.tensor([0, 2]) if step % 2 else None  # member 1 skips a step
        for m in range(3) if rows is None else rows.tolist():
            params[m].grad = grad[m].clone()
            theirs[m].step()
        mine.step(weights, grad, rows)
    assert torch.equal(weights, torch.stack([p.detach() for p in params]))


# ------------------------------------------------------------ native kernels
def _native_or_skip():
    kernels, why = _fleet_nn._native_kernels()
    if kernels is None:
        pytest.skip(f"no native kernels on this machine: {why}")
    return kernels


def test_native_kernels_train_the_members_of_their_single_fits(fitted):
    _native_or_skip()
    X, eager = fitted
    estimator = LSTMRegressor(**TINY)
    fleet = FleetRegressor(estimator, window=SlidingWindow(LOOKBACK), compile=True)
    with warnings.catch_warnings():
        warnings.simplefilter("error", UserWarning)  # no fallback warning
        fleet.fit(X, X["load"])
    pred = _quiet(fleet.predict, X)
    np.testing.assert_allclose(pred, _quiet(eager.predict, X), atol=TOL, rtol=0)
    for label in fleet.series_:
        single, windows, rows = _single_fit(estimator, X, X["load"], label)
        expected = _quiet(single.predict, windows)
        keep = np.isfinite(expected)
        np.testing.assert_allclose(pred[rows][keep], expected[keep], atol=TOL, rtol=0)
        losses = fleet.history_.loc[fleet.history_["cell"] == label, "train_loss"]
        np.testing.assert_allclose(
            losses.to_numpy(), single.history_["train_loss"], rtol=1e-5
        )


@pytest.mark.parametrize(("sizes", "lookback"), [((7, 3), 36), ((2, 5, 3), 2)])
def test_native_waves_equal_the_eager_waves(sizes, lookback):
    kernels = _native_or_skip()
    torch.manual_seed(0)
    n, batch = 5, 7  # a batch that is no multiple of the vector width
    spec = _fleet_nn._Spec.build(2, sizes, 1)
    flat = 0.5 * torch.randn(n, spec.n_params)
    X_tm = torch.randn(lookback, n, 2, batch)
    results = []
    for native in (None, kernels):
        ws = _fleet_nn._Workspace(spec, n, lookback, batch)
        ws.kernels = native
        for _ in range(2):  # reused scratch: no stale state
            out = _fleet_nn._forward(spec, flat, X_tm, ws).clone()
            grad = _fleet_nn._backward(spec, flat, ws, torch.cos(out)).clone()
        results.append((out, grad))
    (out, grad), (out_native, grad_native) = results
    torch.testing.assert_close(out_native, out, rtol=0, atol=1e-6)
    torch.testing.assert_close(grad_native, grad, rtol=0, atol=1e-6)


def test_compile_auto_compiles_large_fits_only():
    estimator = LSTMRegressor(**TINY)
    assert FleetRegressor(estimator)._kernels(100.0) is None
    assert FleetRegressor(estimator, compile=False)._kernels(1e9) is None
    kernels = _native_or_skip()
    assert FleetRegressor(estimator)._kernels(1e9) is kernels
    assert FleetRegressor(estimator, compile=True)._kernels(1.0) is kernels


def test_without_a_compiler_the_fleet_warns_and_trains_eagerly(fitted, monkeypatch):
    monkeypatch.setattr(_fleet_nn, "_KERNELS", {})
    monkeypatch.setenv("CC", "no-such-c-compiler")
    X, eager = fitted
    fleet = FleetRegressor(
        LSTMRegressor(**TINY), window=SlidingWindow(LOOKBACK), compile=True
    )
    with pytest.warns(UserWarning, match="could not compile.*no C compiler found"):
        fleet.fit(X, X["load"])
    np.testing.assert_array_equal(_quiet(fleet.predict, X), _quiet(eager.predict, X))


def test_compile_is_validated():
    fleet = FleetRegressor(LSTMRegressor(**TINY), compile="yes")
    with pytest.raises(ValueError, match="'compile' parameter of FleetRegressor"):
        fleet.fit(_panel(lengths=(30,)), _panel(lengths=(30,))["load"])


@pytest.mark.skipif(not hasattr(os, "getuid"), reason="POSIX owners and modes")
def test_the_kernel_cache_is_private_and_a_shared_one_is_refused(
    fitted, monkeypatch, tmp_path
):
    if shutil.which(os.environ.get("CC") or "cc") is None:
        pytest.skip("no C compiler")
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "own"))
    monkeypatch.setattr(_fleet_nn, "_KERNELS", {})
    kernels, why = _fleet_nn._native_kernels()
    assert kernels is not None, why
    (library,) = (tmp_path / "own" / "lstmforecast").glob("fleet-*.so")
    assert library.stat().st_mode & 0o777 == 0o700
    assert (tmp_path / "own" / "lstmforecast").stat().st_mode & 0o777 == 0o700
    # a cache folder others may write to: its library is never loaded
    shared = tmp_path / "shared" / "lstmforecast"
    shared.mkdir(parents=True)
    shared.chmod(0o777)
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "shared"))
    monkeypatch.setattr(_fleet_nn, "_KERNELS", {})
    X, eager = fitted
    fleet = FleetRegressor(
        LSTMRegressor(**TINY), window=SlidingWindow(LOOKBACK), compile=True
    )
    with pytest.warns(UserWarning, match=r"not private to this user .*mode 0o777"):
        fleet.fit(X, X["load"])
    assert not list(shared.glob("*.so"))
    np.testing.assert_array_equal(_quiet(fleet.predict, X), _quiet(eager.predict, X))
