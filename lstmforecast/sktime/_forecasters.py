"""LSTMForecaster and MLPForecaster: the library's networks as sktime forecasters.

Each forecaster takes ``lookback`` and then **every parameter of its regressor**,
with the regressor's names and defaults (except those in ``_defaults``): its
signature and its Parameters section are built from the regressor's, so a new
regressor option is a forecaster option too, never a list kept in sync by hand.
"""

from __future__ import annotations

import inspect
import re

from lstmforecast.regressors import LSTMRegressor, MLPRegressor, Seq2SeqRegressor
from lstmforecast.sktime._base import _BaseNetForecaster

__all__ = ["LSTMForecaster", "MLPForecaster"]

# Quantile levels of the test configuration with quantiles: every level that
# sktime's checks ask predict_quantiles (alpha 0.05, 0.1, 0.25, 0.75) and
# predict_interval (coverage 0.05, 0.1, 0.25, 0.75 and the default 0.9) for.
_CHECK_LEVELS = [
    0.05,
    0.1,
    0.125,
    0.25,
    0.375,
    0.45,
    0.475,
    0.5,
    0.525,
    0.55,
    0.625,
    0.75,
    0.875,
    0.95,
]

_LOOKBACK_DOC = """\
    lookback : int, default=36
        Observed steps in each window: the forecast from a cutoff reads the last
        ``lookback`` values of its series (and of the exogenous columns, one step
        later: up to the first forecast step).
"""

_SHARED_DOC = """
    The forecasting horizon is required in ``fit``: the network has one output
    per step ``1 ... max(fh)`` (MIMO), trained on
    :func:`~lstmforecast.preprocessing.make_horizon_targets` of ``y``, and
    ``predict`` returns the steps ``fh`` asks for. Internally it is the
    library's pipeline ``SlidingWindow(lookback, lazy=True)`` followed by the
    regressor (``pipeline_``): the window of a forecast ends at the last
    observation, as that of the row of the first future instant does.

    - **Exogenous X**: its columns enter the windows as known-in-advance inputs
      (``SlidingWindow``'s ``known_columns``): the window of a forecast holds
      them up to the first forecast step, so ``predict`` needs ``X`` from the
      step after the cutoff.
    - **Panels and hierarchies** (a ``(series..., time)`` MultiIndex) train one
      global network on the windows of every series, each series' windows
      within it; each series is forecast from its own last observation.
    - **Quantiles**: with ``loss='quantile', quantiles=[...]``,
      ``predict_quantiles`` and ``predict_interval`` return the trained levels
      (an error names them when another level is asked for).
    - ``update(y, X, update_params=False)`` moves the cutoff: the next forecast
      starts from the window at the new cutoff, read from the new data, with
      the same network. ``update_params=True`` refits on every observation seen.
"""


def _signature(regressor, defaults: dict) -> inspect.Signature:
    """``(self, lookback, <the regressor's parameters>)`` with ``defaults``."""
    P = inspect.Parameter
    params = [
        P("self", P.POSITIONAL_OR_KEYWORD),
        P("lookback", P.POSITIONAL_OR_KEYWORD, default=defaults["lookback"]),
    ]
    for p in inspect.signature(regressor).parameters.values():
        if p.kind is P.VAR_KEYWORD:  # the renamed-argument catcher, not a parameter
            continue
        kind = p.kind if p.kind is P.POSITIONAL_OR_KEYWORD else P.KEYWORD_ONLY
        params.append(p.replace(kind=kind, default=defaults.get(p.name, p.default)))
    return inspect.Signature(params)


def _make_init(regressor, defaults: dict):
    """Make an ``__init__`` that stores the parameters of :func:`_signature`."""
    signature = _signature(regressor, defaults)

    def __init__(self, *args, **kwargs):
        bound = signature.bind(self, *args, **kwargs)
        bound.apply_defaults()
        for name, value in list(bound.arguments.items())[1:]:
            setattr(self, name, value)
        _BaseNetForecaster.__init__(self)

    __init__.__signature__ = signature  # what sklearn / skbase read the params from
    return __init__


def _parameters_doc(regressor, defaults: dict) -> str:
    """Return the regressor's Parameters entries, with the forecaster's defaults."""
    doc = regressor.__doc__ or ""
    start = doc.find("    ----------\n", doc.find("    Parameters\n"))
    end = doc.find("\n    Attributes\n")
    if start < 0 or end < 0:  # docstrings stripped (python -OO)
        return ""
    entries = doc[start + len("    ----------\n") : end + 1]
    for name, value in defaults.items():
        entries = re.sub(
            rf"^(    {name} : .*default=).*$",
            lambda m, value=value: m.group(1) + repr(value),
            entries,
            count=1,
            flags=re.MULTILINE,
        )
    return entries


def _fill_doc(cls):
    """Put the shared text and the regressor's parameters in ``cls``'s docstring."""
    if cls.__doc__:
        params = _LOOKBACK_DOC + _parameters_doc(cls._regressor, cls._defaults)
        for key, text in (
            ("shared", _SHARED_DOC),
            ("parameters", params),
            ("attributes", _ATTRIBUTES_DOC + "\n"),
        ):
            cls.__doc__ = cls.__doc__.replace(f"    %({key})s\n", text)
    return cls


_ATTRIBUTES_DOC = """\
    Attributes
    ----------
    pipeline_ : sklearn.pipeline.Pipeline
        The fitted ``SlidingWindow`` and regressor (``pipeline_[-1].net_`` is the
        skorch net).
    horizon_ : int
        ``max(fh)``: the steps the network forecasts.
    cutoff : pandas.Index
        The last time seen in ``fit`` or ``update`` (sktime's).
    fh : ForecastingHorizon
        The horizon passed to ``fit`` (sktime's)."""


@_fill_doc
class LSTMForecaster(_BaseNetForecaster):
    """LSTM (or GRU) network on windows of the past, as an sktime forecaster.

    An :class:`~lstmforecast.regressors.LSTMRegressor` trained on the windows
    of ``y`` (and of the exogenous ``X``) to forecast the next ``max(fh)``
    steps at once, behind sktime's ``fit(y, X, fh)`` / ``predict(fh, X)``.
    %(shared)s

    Parameters
    ----------
    %(parameters)s

    %(attributes)s

    See Also
    --------
    MLPForecaster : The feed-forward network on the same windows.
    lstmforecast.regressors.LSTMRegressor : The regressor inside.

    Notes
    -----
    The parameters are ``lookback`` and then those of
    :class:`~lstmforecast.regressors.LSTMRegressor`, with its defaults except
    ``hidden_size=(16,)``, ``center='last'`` and ``scale='std'`` (level-free
    windows, so raw traffic needs no scaler). The same forecasts come from the
    sklearn pipeline ``SlidingWindow(lookback, lazy=True)`` + ``LSTMRegressor``
    fitted on ``make_horizon_targets(y, max(fh))`` and applied to the row after
    the last observation (same ``random_state``).

    Examples
    --------
    >>> import numpy as np
    >>> import pandas as pd
    >>> from lstmforecast.sktime import LSTMForecaster
    >>> index = pd.date_range("2013-11-01", periods=240, freq="h")
    >>> y = pd.Series(10 + np.sin(2 * np.pi * np.arange(240) / 24), index=index)
    >>> forecaster = LSTMForecaster(24, 8, max_epochs=5, random_state=0)
    >>> forecaster = forecaster.fit(y, fh=[1, 2, 3])
    >>> forecaster.predict().index
    DatetimeIndex(['2013-11-11 00:00:00', '2013-11-11 01:00:00',
                   '2013-11-11 02:00:00'],
                  dtype='datetime64[ns]', freq=None)
    """

    _regressor = LSTMRegressor
    _defaults = {
        "lookback": 36,
        "hidden_size": (16,),
        "center": "last",
        "scale": "std",
    }
    __init__ = _make_init(LSTMRegressor, _defaults)

    @classmethod
    def get_test_params(cls, parameter_set="default"):
        """Return tiny configurations for sktime's estimator checks.

        Parameters
        ----------
        parameter_set : str, default='default'
            Name of the set of test parameters (only the default one).

        Returns
        -------
        params : list of dict
            A point forecaster, a GRU without centring and with a linear path,
            and a quantile network trained on every level the checks ask for.
        """
        return [
            {"lookback": 3, "hidden_size": (3,), "max_epochs": 2, "batch_size": 8},
            {
                "lookback": 2,
                "hidden_size": 2,
                "cell": "gru",
                "center": None,
                "scale": None,
                "linear_path": True,
                "max_epochs": 1,
            },
            {
                "lookback": 3,
                "hidden_size": (4,),
                "loss": "quantile",
                "quantiles": _CHECK_LEVELS,
                "max_epochs": 1,
            },
        ]


@_fill_doc
class MLPForecaster(_BaseNetForecaster):
    """Feed-forward network on windows of the past, as an sktime forecaster.

    An :class:`~lstmforecast.regressors.MLPRegressor` trained on the flattened
    windows of ``y`` (and of the exogenous ``X``) to forecast the next
    ``max(fh)`` steps at once, behind sktime's ``fit(y, X, fh)`` /
    ``predict(fh, X)``.
    %(shared)s

    Parameters
    ----------
    %(parameters)s

    %(attributes)s

    See Also
    --------
    LSTMForecaster : The recurrent network on the same windows.
    lstmforecast.regressors.MLPRegressor : The regressor inside.

    Notes
    -----
    The parameters are ``lookback`` and then those of
    :class:`~lstmforecast.regressors.MLPRegressor`, with its defaults except
    ``center='last'`` and ``scale='std'`` (level-free windows).

    Examples
    --------
    >>> import numpy as np
    >>> import pandas as pd
    >>> from lstmforecast.sktime import MLPForecaster
    >>> index = pd.period_range("2013-11", periods=60, freq="M")
    >>> y = pd.Series(10 + np.sin(2 * np.pi * np.arange(60) / 12), index=index)
    >>> forecaster = MLPForecaster(12, (8,), max_epochs=20, random_state=0)
    >>> forecaster.fit(y, fh=[1, 2]).predict().index
    PeriodIndex(['2018-11', '2018-12'], dtype='period[M]')
    """

    _regressor = MLPRegressor
    _defaults = {"lookback": 36, "center": "last", "scale": "std"}
    __init__ = _make_init(MLPRegressor, _defaults)

    @classmethod
    def get_test_params(cls, parameter_set="default"):
        """Return tiny configurations for sktime's estimator checks.

        Parameters
        ----------
        parameter_set : str, default='default'
            Name of the set of test parameters (only the default one).

        Returns
        -------
        params : list of dict
            A point forecaster, a ReLU network without centring, and a quantile
            network trained on every level the checks ask for.
        """
        return [
            {"lookback": 3, "hidden_size": (4,), "max_epochs": 2, "batch_size": 8},
            {
                "lookback": 2,
                "hidden_size": 3,
                "activation": "relu",
                "center": None,
                "scale": None,
                "max_epochs": 1,
            },
            {
                "lookback": 3,
                "hidden_size": (4,),
                "loss": "quantile",
                "quantiles": _CHECK_LEVELS,
                "max_epochs": 1,
            },
        ]


@_fill_doc
class Seq2SeqForecaster(_BaseNetForecaster):
    """Encoder-decoder network with attention, as an sktime forecaster.

    A :class:`~lstmforecast.regressors.Seq2SeqRegressor` (an encoder over the
    window of ``y`` and of the exogenous ``X``, a decoder unrolled over the
    ``max(fh)`` steps, Bahdanau / Luong attention or none, teacher forcing in
    training) behind sktime's ``fit(y, X, fh)`` / ``predict(fh, X)``.
    %(shared)s

    Parameters
    ----------
    %(parameters)s

    %(attributes)s

    See Also
    --------
    LSTMForecaster : One network with an output per step.
    lstmforecast.regressors.Seq2SeqRegressor : The regressor inside.

    Notes
    -----
    The parameters are ``lookback`` and then those of
    :class:`~lstmforecast.regressors.Seq2SeqRegressor`, with its defaults
    except ``center='last'`` and ``scale='std'``. It reads dense windows (the
    regressor refuses lazy ones); the exogenous ``X`` enters the encoder as
    known-in-advance columns, not the decoder (``n_future_features`` stays 0).

    Examples
    --------
    >>> import numpy as np
    >>> import pandas as pd
    >>> from lstmforecast.sktime import Seq2SeqForecaster
    >>> index = pd.date_range("2013-11-01", periods=240, freq="h")
    >>> y = pd.Series(10 + np.sin(2 * np.pi * np.arange(240) / 24), index=index)
    >>> forecaster = Seq2SeqForecaster(24, 8, max_epochs=3, random_state=0)
    >>> forecaster.fit(y, fh=[1, 2, 3]).predict().shape
    (3,)
    """

    _regressor = Seq2SeqRegressor
    _lazy_windows = False
    _defaults = {"lookback": 36, "center": "last", "scale": "std"}
    __init__ = _make_init(Seq2SeqRegressor, _defaults)

    @classmethod
    def get_test_params(cls, parameter_set="default"):
        """Return tiny configurations for sktime's estimator checks.

        Parameters
        ----------
        parameter_set : str, default='default'
            Name of the set of test parameters (only the default one).

        Returns
        -------
        params : list of dict
            Bahdanau attention with teacher forcing, and Luong attention with a
            GRU and no centring.
        """
        return [
            {"lookback": 3, "hidden_size": 3, "max_epochs": 2, "batch_size": 8},
            {
                "lookback": 2,
                "hidden_size": 2,
                "cell": "gru",
                "attention": "luong",
                "teacher_forcing": 0.0,
                "center": None,
                "scale": None,
                "max_epochs": 1,
            },
        ]
