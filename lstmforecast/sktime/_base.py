"""The sktime front shared by the network forecasters: fit, predict, update.

A forecaster is the library's sklearn pipeline behind sktime's interface:
``SlidingWindow(lookback, lazy=True)`` on the target (the exogenous ``X`` as
``known_columns``), then the regressor fitted on ``make_horizon_targets(y, H)``
with ``H = max(fh)``: one network, H outputs (MIMO). ``predict`` builds, for
each series, the row of the first instant after its last observation
(:func:`~lstmforecast.sktime._frames.cutoff_rows`), whose window ends at that
observation, and returns the requested steps of its H outputs.
"""

from __future__ import annotations

import inspect
import numbers
import warnings

import numpy as np
import pandas as pd
from sklearn.pipeline import Pipeline
from sklearn.utils._param_validation import InvalidParameterError
from sktime.forecasting.base import BaseForecaster

from lstmforecast.datasets._schema import as_written
from lstmforecast.preprocessing import (
    SlidingWindow,
    UnevenPanelWarning,
    make_horizon_targets,
)
from lstmforecast.preprocessing._panel import _plain
from lstmforecast.sktime._frames import (
    TARGET,
    TimeAxis,
    cutoff_rows,
    forecast_index,
    grid_step,
    merged,
    series_lengths,
)

# One series, a panel (series, time), a hierarchy (levels..., time): all reach
# _fit as they are, so a panel trains one global network.
_MTYPES = ["pd.DataFrame", "pd-multiindex", "pd_multiindex_hier"]
# Two quantile levels are the same level when closer than this (0.5 - 0.9 / 2 is
# 0.04999999999999999, not 0.05).
_LEVEL_TOLERANCE = 1e-9


class _BaseNetForecaster(BaseForecaster):
    """Fit / predict / update of a network regressor behind sktime's interface.

    Subclasses set ``_regressor`` (the sklearn regressor class whose parameters
    the forecaster takes after ``lookback``) and an ``__init__`` that stores the
    parameters and then calls this class's ``__init__``.
    """

    _tags = {
        "authors": "The lstmforecast developers",
        "maintainers": "The lstmforecast developers",
        "y_inner_mtype": _MTYPES,
        "X_inner_mtype": _MTYPES,
        "capability:multivariate": False,
        "capability:exogenous": True,
        "capability:insample": False,
        "capability:pred_int": True,
        "capability:pred_int:insample": False,
        "capability:missing_values": False,
        "capability:non_contiguous_X": False,
        "capability:categorical_in_X": False,
        "capability:unequal_length": True,
        "capability:update": True,
        "capability:random_state": True,
        "property:randomness": "derandomized",
        "requires-fh-in-fit": True,
        "X-y-must-have-same-index": True,
        "fit_is_empty": False,
    }
    # sktime's own copy of all data seen is not needed: the forecaster keeps the
    # history it reads (and refits on) itself.
    _config = {"remember_data": False}

    _regressor = None
    _lazy_windows = True  # a regressor that reads only dense windows sets False

    def __init__(self):
        super().__init__()
        # sktime's base makes these only when remember_data is on at construction;
        # set_config(remember_data=True) may turn it on later
        self._y = self._X = None
        # intervals and quantiles only from a network trained on quantiles
        quantiles = getattr(self, "quantiles", None)
        self.set_tags(**{"capability:pred_int": quantiles is not None})

    @property
    def _owner(self) -> str:
        return type(self).__name__

    # ------------------------------------------------------------------- fit
    def _fit(self, y, X, fh):
        """Keep y (and X) as history and fit the pipeline on its windows."""
        self._check_lookback()
        self._axis = TimeAxis.of(y.index, self._owner)
        self._y_columns = y.columns
        self._x_columns = None if X is None else list(X.columns)
        self._y_hist = self._inner_y(y, "y")
        self._X_hist = None if X is None else self._inner_X(X, "X")
        self._step = grid_step(self._y_hist.index, self._owner, "the index of y")
        self.horizon_ = int(self._steps(fh).max())
        self._check_lengths(self._y_hist.index)
        self._fit_pipeline()
        return self

    def _fit_pipeline(self) -> None:
        """Fit a fresh pipeline on the whole history (fit, and update's refit)."""
        data = self._y_hist
        if self._X_hist is not None:
            data = pd.concat([data, self._X_hist.reindex(data.index)], axis=1)
        target = make_horizon_targets(data[TARGET], self.horizon_)
        pipeline = Pipeline([("window", self._window()), ("regressor", self._net())])
        with warnings.catch_warnings():
            # series that end at different instants are the data, not a bad split
            warnings.filterwarnings("ignore", category=UnevenPanelWarning)
            try:
                pipeline.fit(data, target)
            except InvalidParameterError as error:
                own = str(error).replace(
                    f"of {self._regressor.__name__}", f"of {self._owner}"
                )
                raise InvalidParameterError(own) from None
        self.pipeline_ = pipeline

    def _window(self) -> SlidingWindow:
        known = None if self._X_hist is None else list(self._X_hist.columns)
        return SlidingWindow(
            self.lookback,
            columns=[TARGET],
            known_columns=known,
            lazy=self._lazy_windows,
        )

    def _net(self):
        names = inspect.signature(self._regressor).parameters
        return self._regressor(**{name: getattr(self, name) for name in names})

    # ------------------------------------------------------------ validation
    def _check_lookback(self) -> None:
        lookback = self.lookback
        if not isinstance(lookback, numbers.Integral) or isinstance(lookback, bool):
            got = as_written(lookback)
        elif lookback < 1:
            got = str(int(lookback))
        else:
            return
        raise ValueError(
            f"The 'lookback' parameter of {self._owner} must be an int >= 1 (the "
            f"observed steps each window holds). Got {got} instead."
        )

    def _check_lengths(self, index: pd.Index) -> None:
        """Refuse y too short to learn one window, or a series too short to start."""
        lengths = series_lengths(index)
        lookback, need = self.lookback, self.lookback + self.horizon_
        if lengths.max() < need:
            which = "y has" if len(lengths) == 1 else "the longest series of y has"
            raise ValueError(
                f"{self._owner} learns from windows of lookback={lookback} steps "
                f"followed by max(fh)={self.horizon_} steps, so y needs at least "
                f"{need} observations in a series; {which} {int(lengths.max())}. Use "
                "a shorter 'lookback' or fh, or more data."
            )
        short = lengths[lengths < lookback]
        if len(short):
            raise ValueError(
                f"{self._owner} starts each forecast from the last lookback="
                f"{lookback} observations of its series, but series "
                f"{_plain(short.index[0])} of y has {int(short.iloc[0])}. Drop it, "
                "or use a shorter 'lookback'."
            )

    def _steps(self, fh) -> np.ndarray:
        """Return the steps of ``fh`` after the cutoff (rows of y's grid), ints >= 1."""
        steps = np.asarray(fh.to_relative(self.cutoff).to_numpy())
        if steps.dtype.kind not in "iu":
            raise ValueError(
                f"The 'fh' parameter of {self._owner} must count steps of y's time "
                f"grid (integers such as fh=[1, 2, 3]); got {as_written(list(steps))}."
                " Pass steps, or times of y's index."
            )
        if (steps < 1).any():
            raise ValueError(
                f"The 'fh' parameter of {self._owner} must hold steps after the "
                f"cutoff (1, 2, ...); got {steps.tolist()} relative to the cutoff "
                f"{_plain(self.cutoff[0])}. Drop the steps at or before the cutoff: "
                "in-sample forecasts are not supported."
            )
        if self._axis.kind == "integer" and self._step not in (None, 1):
            # on an integer index sktime counts fh in index units, not in rows
            off = steps % self._step != 0
            if off.any():
                raise ValueError(
                    f"The 'fh' parameter of {self._owner} holds {steps[off].tolist()}"
                    f" relative to the cutoff, but y's integer index steps by "
                    f"{self._step}: those times are not on its grid. Use multiples "
                    f"of {self._step}."
                )
            steps = steps // self._step
        return steps.astype(np.int64)

    def _check_fh(self, fh, *args, **kwargs):
        """Check ``fh`` as sktime does; refuse in-sample steps naming the fix."""
        try:
            return super()._check_fh(fh, *args, **kwargs)
        except NotImplementedError as error:
            if "in-sample" not in str(error) or self._fh is None:
                raise
            try:
                steps = self._fh.to_relative(self._cutoff).to_numpy().tolist()
            except (TypeError, ValueError):  # pragma: no cover - sktime's then
                raise error from None
            raise NotImplementedError(
                f"{self._owner} can not perform in-sample prediction: the 'fh' "
                f"parameter must hold steps after the cutoff (1, 2, ...), got "
                f"{steps} relative to the cutoff {_plain(self._cutoff[0])}. Pass "
                "future steps only, e.g. fh=[1, 2, 3]."
            ) from None

    def _inner_y(self, y: pd.DataFrame, where: str) -> pd.DataFrame:
        column = y.iloc[:, 0]
        if not pd.api.types.is_numeric_dtype(column.dtype):
            raise TypeError(
                f"{self._owner} forecasts numbers, but {where} holds {column.dtype} "
                "values. Convert it with pandas.to_numeric."
            )
        index = self._axis.inner(y.index, self._owner, f"the index of {where}")
        frame = pd.DataFrame({TARGET: column.to_numpy(dtype=np.float64)}, index=index)
        return frame.sort_index()

    def _inner_X(self, X: pd.DataFrame, where: str) -> pd.DataFrame:
        missing = [c for c in self._x_columns if c not in X.columns]
        if missing:
            raise ValueError(
                f"The '{where}' parameter of {self._owner} lacks the exogenous "
                f"column(s) {missing} it was fitted with (columns "
                f"{self._x_columns}). Pass X with the same columns as in fit."
            )
        X = X[self._x_columns]
        bad = [c for c in X.columns if not pd.api.types.is_numeric_dtype(X[c])]
        if bad:
            raise TypeError(
                f"{self._owner} takes numeric exogenous columns; column(s) {bad} of "
                f"{where} are not. Convert them (pandas.to_numeric) or encode them."
            )
        index = self._axis.inner(X.index, self._owner, f"the index of {where}")
        names = [f"x{i}" for i in range(len(self._x_columns))]
        frame = pd.DataFrame(X.to_numpy(dtype=np.float64), index=index, columns=names)
        return frame.sort_index()

    # --------------------------------------------------------------- predict
    def _predict(self, fh, X):
        """Forecast the steps of ``fh`` from each series' window at the cutoff."""
        steps = self._predict_steps(fh)
        rows, outputs = self._outputs(X, quantiles=False)
        values = outputs[:, steps - 1].reshape(-1, 1)
        index = forecast_index(rows.next_index, steps, self._step, self._axis)
        return pd.DataFrame(values, index=index, columns=self._y_columns)

    def _predict_quantiles(self, fh, X, alpha):
        """Forecast the fitted quantiles ``alpha`` of the steps of ``fh``."""
        levels = self._levels(alpha)
        steps = self._predict_steps(fh)
        rows, outputs = self._outputs(X, quantiles=True)
        values = outputs[:, steps - 1][:, :, levels].reshape(-1, len(levels))
        index = forecast_index(rows.next_index, steps, self._step, self._axis)
        columns = self._get_columns(method="predict_quantiles", alpha=alpha)
        return pd.DataFrame(values, index=index, columns=columns)

    def _predict_steps(self, fh) -> np.ndarray:
        steps = self._steps(fh)
        if steps.max() > self.horizon_:
            raise ValueError(
                f"The 'fh' parameter of {self._owner} asks for step "
                f"{int(steps.max())} after the cutoff, but the network was fitted "
                f"for steps 1 ... {self.horizon_} (max(fh) in fit). Refit with the "
                "longer fh."
            )
        return steps

    def _levels(self, alpha) -> list:
        """Positions of the levels ``alpha`` among the fitted quantiles."""
        fitted = np.asarray(self.pipeline_[-1].quantiles, dtype=float)
        out = []
        for level in alpha:
            at = int(np.argmin(np.abs(fitted - level)))
            if abs(fitted[at] - level) > _LEVEL_TOLERANCE:
                raise ValueError(
                    f"The 'alpha' parameter of {self._owner}.predict_quantiles asks "
                    f"for the {level:.6g} quantile, but the network was trained for "
                    f"quantiles={fitted.tolist()}. Ask for trained levels "
                    "(predict_interval(coverage=c) needs (1 - c) / 2 and (1 + c) / 2"
                    "), or refit with that level in 'quantiles'."
                )
            out.append(at)
        return out

    def _outputs(self, X, quantiles: bool):
        """Return the network's outputs for each series' window at the cutoff.

        Returns the :class:`CutoffRows` and an array ``(n_series, H)``, or
        ``(n_series, H, n_quantiles)`` with ``quantiles=True``.
        """
        X_next = None
        if X is not None and self._x_columns is not None:
            X_next = self._inner_X(X, "X")
        owner = self._owner
        cutoff = self._axis.inner(pd.Index(self.cutoff), owner, "the cutoff")[0]
        rows = cutoff_rows(
            self._y_hist,
            self._X_hist,
            X_next,
            lookback=self.lookback,
            step=self._step,
            cutoff=cutoff,
            owner=owner,
        )
        window, net = self.pipeline_[0], self.pipeline_[-1]
        n, k = len(rows.frame), len(rows.next_index)
        windows = window.transform(rows.frame)[np.arange(n - k, n)]
        out = net.predict_quantiles(windows) if quantiles else net.predict(windows)
        return rows, np.asarray(out, dtype=np.float64)

    # ---------------------------------------------------------------- update
    def _update(self, y, X=None, update_params=True):
        """Add y (and X) to the history; refit only with ``update_params=True``.

        Without a refit the next forecast starts from the window at the new
        cutoff, read from the new observations, with the same network.
        """
        self._y_hist = merged(self._y_hist, self._inner_y(y, "y"))
        if self._x_columns is not None:
            if X is None:
                raise ValueError(
                    f"The 'X' parameter of {self._owner}.update is None, but the "
                    f"forecaster was fitted with exogenous columns {self._x_columns}:"
                    " their values at the new observations are the windows' inputs. "
                    "Pass X for the new observations."
                )
            self._X_hist = merged(self._X_hist, self._inner_X(X, "X"))
        grid_step(self._y_hist.index, self._owner, "y after update")
        if update_params:
            self._fit_pipeline()
        return self
