"""provisioning_cost and its scorer: hand-computed values, options, bad input."""

import numpy as np
import pandas as pd
import pytest
from sklearn.base import BaseEstimator, RegressorMixin
from sklearn.dummy import DummyRegressor
from sklearn.metrics import mean_pinball_loss
from sklearn.model_selection import GridSearchCV, TimeSeriesSplit

from lstmforecast.metrics import make_provisioning_scorer, provisioning_cost

DEMAND = np.array([2.5, 0.4, 1.0, 3.0])
FORECAST = np.array([2.2, 0.9, 1.0, 3.5])


def test_exact_allocation_by_hand():
    # over: 0, 0.5, 0, 0.5; under: 0.3, 0, 0, 0
    assert provisioning_cost(DEMAND, FORECAST, alpha=1, beta=10) == pytest.approx(
        (0.5 + 0.5 + 3.0) / 4
    )
    parts = provisioning_cost(DEMAND, FORECAST, alpha=2, beta=5, return_parts=True)
    assert parts["over"] == pytest.approx(1.0 / 4)
    assert parts["under"] == pytest.approx(0.3 / 4)
    assert parts["cost"] == pytest.approx(2 * 0.25 + 5 * 0.075)


def test_steps_ceil_and_round_by_hand():
    # ceil: capacity 3, 1, 1, 4 -> over 0.5, 0.6, 0, 1; under 0
    ceil = provisioning_cost(DEMAND, FORECAST, alpha=1, beta=10, step=1)
    assert ceil == pytest.approx(2.1 / 4)
    # round: capacity 2, 1, 1, 4 (3.5 rounds to even 4) -> over 0, .6, 0, 1; under .5
    rounded = provisioning_cost(
        DEMAND, FORECAST, alpha=1, beta=10, step=1, policy="round"
    )
    assert rounded == pytest.approx((0.6 + 1.0 + 10 * 0.5) / 4)
    # half steps: 2.5, 1.0, 1.0, 3.5 -> over 0, .6, 0, .5
    assert provisioning_cost(
        DEMAND, FORECAST, alpha=1, beta=10, step=0.5
    ) == pytest.approx(1.1 / 4)


def test_margins_sum_and_weights_by_hand():
    fixed = provisioning_cost(DEMAND, FORECAST, alpha=1, beta=10, margin=0.3)
    # capacity 2.5, 1.2, 1.3, 3.8 -> over 0, .8, .3, .8
    assert fixed == pytest.approx(1.9 / 4)
    relative = provisioning_cost([10.0], [10.0], relative_margin=0.2, step=1)
    assert relative == pytest.approx(2.0)  # capacity 12
    total = provisioning_cost(DEMAND, FORECAST, reduce="sum", alpha=1, beta=10)
    assert total == pytest.approx(4.0)
    w = np.array([1.0, 0.0, 0.0, 1.0])  # only the 1st and last hour
    weighted = provisioning_cost(DEMAND, FORECAST, sample_weight=w, alpha=1, beta=10)
    assert weighted == pytest.approx((3.0 + 0.5) / 2)


def test_multioutput_and_pandas_inputs():
    truth = np.column_stack([DEMAND, 2 * DEMAND])
    pred = np.column_stack([FORECAST, 2 * DEMAND])
    raw = provisioning_cost(truth, pred, multioutput="raw_values", alpha=1, beta=10)
    assert raw.shape == (2,) and raw[1] == 0.0
    assert provisioning_cost(truth, pred) == pytest.approx(raw.mean())
    as_series = provisioning_cost(pd.Series(DEMAND), pd.Series(FORECAST))
    assert as_series == provisioning_cost(DEMAND, FORECAST)


def test_without_steps_it_is_a_scaled_pinball_loss():
    rng = np.random.default_rng(0)
    y, p = rng.random(50), rng.random(50)
    alpha, beta = 1.0, 10.0
    q = beta / (alpha + beta)
    expected = (alpha + beta) * mean_pinball_loss(y, p, alpha=q)
    assert provisioning_cost(y, p, alpha=alpha, beta=beta) == pytest.approx(expected)


def test_negative_forecast_allocates_nothing():
    assert provisioning_cost([1.0], [-5.0], alpha=1, beta=10) == 10.0


@pytest.mark.parametrize(
    ("kwargs", "match"),
    [
        ({"alpha": -1}, "'alpha' parameter"),
        ({"beta": np.nan}, "'beta' parameter"),
        ({"step": 0}, "'step' parameter"),
        ({"step": np.inf}, "'step' parameter"),
        ({"alpha": 0, "beta": 0}, "both 0"),
        ({"policy": "floor"}, "'policy' parameter"),
        ({"y_pred": [1.0, 2.0]}, "inconsistent numbers of samples"),
        ({"y_true": [1.0, np.nan, 1.0, 1.0]}, "'y_true' has NaN"),
        ({"y_true": [], "y_pred": []}, "empty"),
        ({"sample_weight": [1, -1, 1, 1]}, "'sample_weight'"),
    ],
)
def test_bad_input_is_a_clear_error(kwargs, match):
    args = {"y_true": DEMAND, "y_pred": FORECAST, **kwargs}
    with pytest.raises(ValueError, match=match):
        provisioning_cost(**args)


def test_all_zero_demand_is_costed_not_refused():
    assert provisioning_cost([0.0, 0.0], [0.5, 0.0], alpha=1, step=1) == 0.5


# ------------------------------------------------------------------ scorer
class _NaNFirst(DummyRegressor):
    """Predicts NaN for the first two rows, like a model without history."""

    def predict(self, X):
        out = super().predict(X).astype(float)
        out[:2] = np.nan
        return out


def test_scorer_skips_and_counts_nan_predictions():
    X, y = np.zeros((6, 1)), np.arange(1.0, 7.0)
    scorer = make_provisioning_scorer(alpha=1, beta=10)
    model = _NaNFirst(strategy="constant", constant=4.0).fit(X, y)
    score = scorer(model, X, y)
    assert scorer.n_skipped_ == 2
    # rows 3..6 only: over 1 + 0, under 0 + 0 + 1 + 2 -> (1 + 30) / 4
    assert score == pytest.approx(-(1 + 30) / 4)


def test_scorer_picks_by_cost_in_grid_search():
    rng = np.random.default_rng(0)
    X = np.zeros((200, 1))
    y = 10 + rng.normal(0, 1, 200)
    grid = {"quantile": [0.5, 0.7, 0.9, 0.99]}
    search = GridSearchCV(
        DummyRegressor(strategy="quantile"),
        grid,
        cv=TimeSeriesSplit(4),
        scoring=make_provisioning_scorer(alpha=1, beta=10),
        refit=True,
    )
    search.fit(X, y)
    # the optimum of alpha:beta = 1:10 is the 10/11 = 0.91 quantile
    assert search.best_params_["quantile"] == 0.9
    by_mse = GridSearchCV(
        DummyRegressor(strategy="quantile"),
        grid,
        cv=TimeSeriesSplit(4),
        scoring="neg_mean_squared_error",
    ).fit(X, y)
    assert by_mse.best_params_["quantile"] == 0.5


def test_scorer_refuses_bad_parameters_when_built():
    with pytest.raises(ValueError, match="'beta' parameter"):
        make_provisioning_scorer(beta=-1)


def test_scorer_leaves_out_rows_with_nan_in_a_multistep_target():
    X = np.zeros((6, 1))
    y_fit = np.column_stack([np.arange(1.0, 7.0), np.arange(2.0, 8.0)])
    y = y_fit.copy()
    y[-2:, 1] = np.nan  # step 2 of the last two rows is not in the data
    before = y.copy()
    scorer = make_provisioning_scorer(alpha=1, beta=10)
    model = DummyRegressor(strategy="constant", constant=[4.0, 5.0]).fit(X, y_fit)
    forecast = np.tile([4.0, 5.0], (6, 1))
    score = scorer(model, X, pd.DataFrame(y, columns=["sms_h1", "sms_h2"]))
    assert scorer.n_skipped_ == 2
    expected = provisioning_cost(y[:4], forecast[:4], alpha=1, beta=10)
    assert score == pytest.approx(-expected)
    np.testing.assert_array_equal(y, before)
    # never scored as zero: a zero-filled target would cost differently
    assert score != pytest.approx(
        -provisioning_cost(np.nan_to_num(y), forecast, alpha=1, beta=10)
    )
    # NaN predictions (rows 0, 1) and NaN targets (rows 4, 5) together
    nan_first = _NaNFirst(strategy="constant", constant=[4.0, 5.0]).fit(X, y_fit)
    score = scorer(nan_first, X, y)
    assert scorer.n_skipped_ == 4
    expected = provisioning_cost(y[2:4], forecast[2:4], alpha=1, beta=10)
    assert score == pytest.approx(-expected)


def test_scorer_refuses_when_no_row_is_left():
    X = np.zeros((4, 1))
    y_fit = np.ones((4, 2))
    y = y_fit.copy()
    y[2:, 1] = np.nan
    model = _NaNFirst(strategy="constant", constant=[1.0, 1.0]).fit(X, y_fit)
    scorer = make_provisioning_scorer()
    with pytest.raises(ValueError, match="NaN prediction \\(2 rows\\) or a NaN target"):
        scorer(model, X, y)
    with pytest.raises(ValueError, match="inconsistent numbers of samples"):
        scorer(model, X, y[:3])


class _WarnsNaN:
    """Predicts NaN for the first rows and warns as the networks do."""

    def predict(self, X):
        import warnings as _w

        message = "2 of 5 rows of X have NaN (incomplete history): ..."
        _w.warn(message, UserWarning, stacklevel=2)
        return np.r_[np.nan, np.nan, np.ones(len(X) - 2)]


def test_scorer_silences_the_nan_prediction_warning_it_accounts_for():
    import warnings as _w

    scorer = make_provisioning_scorer(alpha=1, beta=10)
    with _w.catch_warnings():
        _w.simplefilter("error")
        score = scorer(_WarnsNaN(), np.zeros((5, 1)), np.ones(5))
    assert score == 0.0 and scorer.n_skipped_ == 2


class _Predicts:
    def __init__(self, values):
        self.values = np.asarray(values, dtype=float)

    def predict(self, X):
        return self.values


def test_an_infinite_forecast_is_the_worst_candidate_never_a_free_one():
    y = np.ones(4)
    scorer = make_provisioning_scorer(alpha=1, beta=10)
    good = scorer(_Predicts([1.0, 1.2, 0.9, 1.0]), np.zeros((4, 1)), y)
    with pytest.warns(UserWarning, match="1 predictions of _Predicts are infinite"):
        blown = scorer(_Predicts([1.0, np.inf, 1.0, 1.0]), np.zeros((4, 1)), y)
    with pytest.warns(UserWarning, match="infinite"):
        negative = scorer(_Predicts([-np.inf, 1.0, 1.0, 1.0]), np.zeros((4, 1)), y)
    assert blown == negative == -np.inf < good
    # in a search the diverged candidate ranks last
    search = GridSearchCV(
        _Diverges(), {"diverge": [True, False]}, scoring=scorer, cv=TimeSeriesSplit(2)
    )
    with pytest.warns(UserWarning, match="infinite"):
        search.fit(np.zeros((12, 1)), np.ones(12))
    assert search.best_params_ == {"diverge": False}


class _Diverges(RegressorMixin, BaseEstimator):
    def __init__(self, diverge=False):
        self.diverge = diverge

    def fit(self, X, y):
        self.level_ = float(np.mean(y))
        return self

    def predict(self, X):
        return np.full(len(X), np.inf if self.diverge else self.level_)


def test_a_cost_that_overflows_is_an_error_not_inf():
    huge = np.full(3, 1e307)
    with pytest.raises(ValueError, match="overflows float64.*Scale the data"):
        provisioning_cost(huge, -huge, alpha=1, beta=10)
