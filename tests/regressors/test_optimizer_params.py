"""optimizer_params: keyword arguments of the optimizer (SGD's momentum...)."""

import numpy as np
import pytest
import torch
from skorch.callbacks import LRScheduler

from lstmforecast.regressors import LSTMRegressor, MLPRegressor


@pytest.fixture(scope="module")
def data():
    rng = np.random.default_rng(0)
    X = rng.normal(size=(64, 6))
    return X, X[:, -1] + 0.1 * rng.normal(size=64)


TINY = {"max_epochs": 3, "batch_size": 16, "random_state": 0, "n_threads": 1}


@pytest.mark.parametrize("cls", [LSTMRegressor, MLPRegressor])
@pytest.mark.parametrize("callbacks", [None, "schedule"])
def test_momentum_reaches_the_optimizer_and_changes_training(cls, callbacks, data):
    X, y = data
    extra = {}
    if callbacks:  # a schedule trains in skorch's own loop, not the lean one
        extra["callbacks"] = [LRScheduler(policy="StepLR", step_size=1, gamma=0.5)]
    plain = cls((4,), optimizer="sgd", lr=0.05, **TINY, **extra).fit(X, y)
    heavy = cls(
        (4,),
        optimizer="sgd",
        lr=0.05,
        optimizer_params={"momentum": 0.9, "nesterov": True},
        **TINY,
        **extra,
    ).fit(X, y)
    group = heavy.net_.optimizer_.param_groups[0]
    assert group["momentum"] == 0.9 and group["nesterov"] is True
    assert plain.net_.optimizer_.param_groups[0]["momentum"] == 0
    assert not np.allclose(plain.predict(X), heavy.predict(X))
    if callbacks:  # the schedule halved the rate after each epoch
        assert group["lr"] == pytest.approx(0.05 * 0.5**3)
    again = cls(
        (4,),
        optimizer="sgd",
        lr=0.05,
        optimizer_params={"momentum": 0.9, "nesterov": True},
        **TINY,
        **extra,
    ).fit(X, y)
    np.testing.assert_array_equal(again.predict(X), heavy.predict(X))


def test_adam_betas_and_an_optimizer_class(data):
    X, y = data
    model = LSTMRegressor((4,), optimizer_params={"betas": (0.5, 0.9)}, **TINY).fit(
        X, y
    )
    assert model.net_.optimizer_.param_groups[0]["betas"] == (0.5, 0.9)
    model = LSTMRegressor(
        (4,), optimizer=torch.optim.Adagrad, optimizer_params={"lr_decay": 0.1}, **TINY
    ).fit(X, y)
    assert model.net_.optimizer_.param_groups[0]["lr_decay"] == 0.1


@pytest.mark.parametrize(
    ("params", "match"),
    [
        ({"momentun": 0.9}, r"'momentun', which the optimizer 'SGD' does not take"),
        ({"lr": 0.1}, r"the estimator's own 'lr' parameter"),
        ({"weight_decay": 0.1}, r"own 'weight_decay' parameter"),
        ({"params": []}, r"the optimizer cannot take"),
    ],
)
def test_bad_optimizer_params_name_the_parameter(params, match, data):
    X, y = data
    model = LSTMRegressor((4,), optimizer="sgd", optimizer_params=params, **TINY)
    with pytest.raises(ValueError, match=match) as info:
        model.fit(X, y)
    assert "'optimizer_params' parameter of LSTMRegressor" in str(info.value)
    assert "\n" not in str(info.value)


@pytest.mark.parametrize("cls", [LSTMRegressor, MLPRegressor])
@pytest.mark.parametrize(
    "optimizer, params",
    [("adam", None), ("sgd", {"momentum": 0.9}), ("rmsprop", None)],
)
def test_torch_optimizers_take_the_multi_tensor_step_bit_for_bit(
    cls, optimizer, params, data, monkeypatch
):
    import lstmforecast.regressors._base as base

    X, y = data
    kwargs = {"optimizer": optimizer, "optimizer_params": params, "weight_decay": 1e-3}
    fast = cls((4,), **kwargs, **TINY).fit(X, y)
    assert fast.net_.optimizer_.defaults["foreach"] is True
    monkeypatch.setattr(base, "_FOREACH", False)  # torch's own CPU default
    slow = cls((4,), **kwargs, **TINY).fit(X, y)
    assert slow.net_.optimizer_.defaults["foreach"] is None
    np.testing.assert_array_equal(fast.predict(X), slow.predict(X))
    for a, b in zip(
        fast.net_.module_.parameters(), slow.net_.module_.parameters(), strict=True
    ):
        assert torch.equal(a, b)


@pytest.mark.parametrize(
    "params, foreach, fused",
    [({"foreach": False}, False, None), ({"fused": True}, None, True)],
)
def test_the_users_foreach_or_fused_wins(params, foreach, fused, data):
    X, y = data
    model = LSTMRegressor((4,), optimizer_params=params, **TINY).fit(X, y)
    assert model.net_.optimizer_.defaults["foreach"] is foreach
    assert model.net_.optimizer_.defaults["fused"] is fused
    # an optimizer without the option (LBFGS) is left alone
    lbfgs = LSTMRegressor((4,), optimizer=torch.optim.LBFGS, **TINY).fit(X, y)
    assert "foreach" not in lbfgs.net_.optimizer_.defaults
