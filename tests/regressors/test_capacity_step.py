"""``capacity_step``: training for the provisioning cost after rounding up."""

import numpy as np
import pytest

from lstmforecast.metrics import provisioning_cost
from lstmforecast.preprocessing import SlidingWindow, make_windows
from lstmforecast.regressors import (
    LSTMRegressor,
    MLPRegressor,
    Seq2SeqRegressor,
)

STEP = 1.0  # coarse next to the noise (0.3): rounding up is much of the margin


def _windows(n=900, seed=0, scale=1.0):
    """A daily cycle on a drifting level: forecasts fall anywhere between steps."""
    rng = np.random.default_rng(seed)
    t = np.arange(n)
    level = 10 + np.cumsum(rng.normal(0, 0.1, n))
    values = level + 5 * np.sin(2 * np.pi * t / 24) + rng.normal(0, 0.3, n)
    X, y = make_windows(values * scale, lookback=24)
    return np.asarray(X), np.asarray(y).ravel()


def _mlp(**params):
    common = {
        "hidden_size": (16,),
        "center": "last",
        "scale": "std",
        "lr": 1e-2,
        "max_epochs": 40,
        "random_state": 0,
        "n_threads": 1,
    }
    return MLPRegressor(**{**common, **params})


def _charged(y, forecast, step=STEP):
    return provisioning_cost(y, forecast, alpha=1, beta=10, step=step, policy="ceil")


@pytest.mark.parametrize("step", [1.0, 2.0])
def test_training_for_the_rounded_cost_beats_the_exact_loss(step):
    X, y = _windows()
    fit, test = slice(0, 700), slice(700, None)
    stepped = _mlp(loss="provisioning", capacity_step=step).fit(X[fit], y[fit])
    exact = _mlp(loss="provisioning").fit(X[fit], y[fit])
    f_stepped, f_exact = stepped.predict(X[test]), exact.predict(X[test])
    # rounding up is a margin of its own: the step-aware forecast leaves room
    assert np.mean(f_stepped) < np.mean(f_exact)
    assert _charged(y[test], f_stepped, step) < 0.95 * _charged(y[test], f_exact, step)


def test_the_step_is_in_each_row_s_scaled_units():
    # traffic ten times larger, steps ten times larger: the same decisions
    X, y = _windows()
    X10, y10 = _windows(scale=10.0)
    small = _mlp(loss="provisioning", capacity_step=STEP, max_epochs=5).fit(X, y)
    large = _mlp(loss="provisioning", capacity_step=10 * STEP, max_epochs=5)
    large.fit(X10, y10)
    np.testing.assert_allclose(large.predict(X10), 10 * small.predict(X), rtol=1e-4)
    # a step the loss would read in raw units differs: the scaling matters
    raw = _mlp(loss="provisioning", capacity_step=STEP, max_epochs=5).fit(X10, y10)
    assert not np.allclose(raw.predict(X10), large.predict(X10), rtol=1e-3)


def test_lazy_windows_train_the_same_network_as_arrays():
    import pandas as pd

    rng = np.random.default_rng(3)
    t = np.arange(300)
    frame = pd.DataFrame(
        {"v": 10 + 5 * np.sin(2 * np.pi * t / 24) + rng.normal(0, 0.3, 300)},
        index=pd.date_range("2024-01-01", periods=300, freq="h"),
    )
    target = frame["v"].to_numpy()
    params = {
        "hidden_size": 4,
        "loss": "provisioning",
        "capacity_step": 0.5,
        "center": "last",
        "scale": "std",
        "max_epochs": 3,
        "random_state": 0,
        "n_threads": 1,
    }
    lazy = SlidingWindow(24, lazy=True).fit_transform(frame)
    dense = SlidingWindow(24).fit_transform(frame)
    ok = np.arange(24, 300)
    a = LSTMRegressor(**params).fit(lazy, np.where(np.arange(300) >= 24, target, 0))
    b = LSTMRegressor(**params).fit(dense[ok], target[ok])
    np.testing.assert_allclose(
        a.history_["train_loss"], b.history_["train_loss"], rtol=1e-5
    )
    np.testing.assert_allclose(a.predict(dense[ok]), b.predict(dense[ok]), rtol=1e-5)


def test_reruns_are_bit_identical_and_outputs_keep_their_shape():
    X, y = _windows(n=300)
    Y = np.column_stack([y, y + 1.0])
    one = _mlp(loss="provisioning", capacity_step=0.5, max_epochs=3).fit(X, Y)
    two = _mlp(loss="provisioning", capacity_step=0.5, max_epochs=3).fit(X, Y)
    assert one.n_outputs_ == 2 and one.predict(X).shape == (len(X), 2)
    np.testing.assert_array_equal(one.predict(X), two.predict(X))


def test_the_ridge_path_is_fitted_on_the_targets_alone():
    X, y = _windows(n=300)
    common = {"linear_path": "ridge", "max_epochs": 1}
    stepped = _mlp(loss="provisioning", capacity_step=0.5, **common).fit(X, y)
    plain = _mlp(loss="provisioning", **common).fit(X, y)
    assert np.ndim(stepped.linear_path_alpha_) == 0  # one target column, not two
    assert stepped.linear_path_alpha_ == plain.linear_path_alpha_


def test_another_loss_with_a_step_is_refused_by_name():
    X, y = _windows(n=120)
    before = X.copy()
    with pytest.raises(ValueError, match=r"capacity_step=0.5 .* loss='huber'"):
        _mlp(loss="huber", capacity_step=0.5).fit(X, y)
    np.testing.assert_array_equal(X, before)


def test_seq2seq_has_no_capacity_step():
    # its decoder reads the targets (teacher forcing): no step column beside them
    assert "capacity_step" not in Seq2SeqRegressor().get_params()
    assert "capacity_step" not in (Seq2SeqRegressor.__doc__ or "")
