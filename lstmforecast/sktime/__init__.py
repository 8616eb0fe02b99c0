"""sktime forecasters built on the library's networks (the optional ``sktime`` extra).

:class:`LSTMForecaster`, :class:`MLPForecaster` and :class:`Seq2SeqForecaster`
are sktime forecasters
(``fit(y, X, fh)``, ``predict(fh, X)``, ``update``, ``predict_quantiles`` /
``predict_interval`` for quantile networks) whose inside is the library's sklearn
pipeline: ``SlidingWindow`` windows and an ``LSTMRegressor`` / ``MLPRegressor``
with one output per horizon step. Panels and hierarchies train one global
network. The regressors also work in sktime's own reductions
(``sktime.forecasting.compose.make_reduction``).

``import lstmforecast`` never imports this subpackage (nor sktime); importing it
needs sktime: ``pip install lstmforecast[sktime]``.
"""

try:
    import sktime  # noqa: F401
except ImportError as error:
    raise ImportError(
        "lstmforecast.sktime needs the optional dependency sktime, which cannot be "
        f"imported ({error}). Install it with: pip install lstmforecast[sktime]"
    ) from error

from lstmforecast.sktime._forecasters import (
    LSTMForecaster,
    MLPForecaster,
    Seq2SeqForecaster,
)

__all__ = ["LSTMForecaster", "MLPForecaster", "Seq2SeqForecaster"]
