"""The library's recommended configurations, shared by the accuracy benchmarks.

One place that says what "the library's best one-line configuration" is, so that
``bench_peers.py`` (against the peers), ``bench_public.py`` (series from other
domains) and ``bench_options.py`` measure the same thing. Each entry is a factory
``make(seed, horizon, epochs=None) -> Pipeline`` whose pipeline reads an hourly
frame (one series with a ``DatetimeIndex``, or a ``(series, time)`` panel) whose
first column is the target, is fitted on ``(X_train, y_train)`` with ``y_train`` the
target column (``horizon == 1``) or ``make_horizon_targets(target, horizon)``, and
forecasts ``(n, horizon)`` for every row of a test frame that continues the
training rows (history carried over). ``"lstm + mlp (averaged)"`` forecasts one
step ahead only (``(n,)``) and refuses other horizons.
"""

from __future__ import annotations

from sklearn.pipeline import Pipeline


def _windowed_lstm(lookback, seed, epochs, **params):
    """Return lazy windows of ``lookback`` hours into the 16-unit LSTM."""
    from lstmforecast.preprocessing import SlidingWindow
    from lstmforecast.regressors import LSTMRegressor

    return Pipeline(
        [
            ("window", SlidingWindow(lookback, columns=[0], lazy=True)),
            (
                "lstm",
                LSTMRegressor(
                    (16,),
                    center="last",
                    **params,
                    lr=3e-3,
                    batch_size=64,
                    max_epochs=30 if epochs is None else epochs,
                    random_state=seed,
                    n_threads=1,
                ),
            ),
        ]
    )


def _lstm(seed, horizon, epochs=None):
    """Return the LSTM: 36 hours for one step; a week, anchored, for horizons."""
    if horizon == 1:
        return _windowed_lstm(36, seed, epochs, scale="std")
    return _windowed_lstm(168, seed, epochs, scale="std", anchor=24, linear_path=True)


def _lstm_ridge(seed, horizon, epochs=None):
    """Return the LSTM on a closed-form linear path: for smooth, linear series.

    A week of lags at every horizon; the ridge regression on the centred
    window comes first and the network learns its residual. No ``scale``: the
    ridge then minimises the squared error in the series' own units.
    """
    return _windowed_lstm(168, seed, epochs, linear_path="ridge")


def _lstm_readme(seed, horizon, epochs=None):
    from lstmforecast.preprocessing import SlidingWindow
    from lstmforecast.regressors import LSTMRegressor

    return Pipeline(
        [
            ("window", SlidingWindow(36, columns=[0])),
            (
                "lstm",
                LSTMRegressor(
                    (7, 3),
                    center="last",
                    scale="std",
                    max_epochs=50 if epochs is None else epochs,
                    random_state=seed,
                    n_threads=1,
                ),
            ),
        ]
    )


def _mlp(seed, horizon, epochs=None):
    """Return the MLP on the LSTM's windows, one hidden layer of 64 units."""
    from lstmforecast.preprocessing import SlidingWindow
    from lstmforecast.regressors import MLPRegressor

    ahead = {} if horizon == 1 else {"anchor": 24, "linear_path": True}
    return Pipeline(
        [
            (
                "window",
                SlidingWindow(36 if horizon == 1 else 168, columns=[0], lazy=True),
            ),
            (
                "mlp",
                MLPRegressor(
                    (64,),
                    activation="relu",
                    center="last",
                    scale="std",
                    **ahead,
                    lr=3e-3,
                    batch_size=64,
                    max_epochs=60 if epochs is None else epochs,
                    random_state=seed,
                    n_threads=1,
                ),
            ),
        ]
    )


def _lstm_mlp(seed, horizon, epochs=None):
    """Return the mean of the recommended LSTM's and MLP's forecasts, one step ahead.

    ``sklearn.ensemble.VotingRegressor`` over the two pipelines above (each on
    its own 36-hour windows, each its own budget): two networks whose errors
    differ, averaged. ``VotingRegressor`` takes one target column only, so
    there is no horizon version.
    """
    from sklearn.ensemble import VotingRegressor

    if horizon != 1:
        raise ValueError(
            f"horizon: the LSTM + MLP average forecasts one step ahead "
            f"(VotingRegressor takes one target column); got {horizon!r}. Use "
            f"another entry of RECOMMENDED for horizons."
        )
    return VotingRegressor(
        [("lstm", _lstm(seed, 1, epochs)), ("mlp", _mlp(seed, 1, epochs))]
    )


#: name -> factory(seed, horizon, epochs=None); the first is "the" recommendation
RECOMMENDED = {
    "lstm (recommended)": _lstm,
    "mlp (recommended)": _mlp,
    "lstm + mlp (averaged)": _lstm_mlp,
    "lstm (ridge path)": _lstm_ridge,
    "lstm (README)": _lstm_readme,
}
