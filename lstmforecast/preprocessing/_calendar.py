"""CalendarFeatures: hour, day of week, working day... of each row's timestamp."""

from __future__ import annotations

import functools
import numbers
import textwrap

import holidays as _holidays
import numpy as np
import pandas as pd
from sklearn.base import BaseEstimator, TransformerMixin, _fit_context
from sklearn.utils._param_validation import Interval, StrOptions
from sklearn.utils.validation import check_is_fitted

from lstmforecast._validation import PlainParamsMixin, validated_data
from lstmforecast.datasets._schema import as_written
from lstmforecast.preprocessing._panel import (
    as_time_index,
    common_step,
    parse_step,
    time_level,
)

__all__ = ["CalendarFeatures"]

# name -> (first value, number of values) of the ordinal feature; None: a 0/1 flag.
_FEATURES = {
    "minute": (0, 60),
    "hour": (0, 24),
    "day_of_week": (0, 7),
    "day_of_month": (1, 31),
    "day_of_year": (1, 366),
    "week_of_year": (1, 53),
    "month": (1, 12),
    "quarter": (1, 4),
    "is_weekend": None,
    "is_holiday": None,
    "working_day": None,
}
_UNITS = {"D", "h", "m", "s", "ms", "us", "ns"}


@functools.lru_cache(maxsize=32)
def _holiday_dates(country: str, subdiv: str | None, years: tuple) -> np.ndarray:
    table = _holidays.country_holidays(country, subdiv=subdiv, years=list(years))
    return np.array(sorted(table), dtype="datetime64[D]")


def _index_times(index: pd.Index) -> pd.DatetimeIndex:
    """Return the timestamps of an index: itself, or a panel's time level."""
    where = "the index of X"
    if isinstance(index, pd.MultiIndex):
        index = time_level(index, "CalendarFeatures")
        where = "the time level of X"
    else:
        try:
            index = as_time_index(index, "CalendarFeatures")
        except TypeError:
            pass  # reported below
    if not isinstance(index, pd.DatetimeIndex):
        raise TypeError(
            f"CalendarFeatures needs timestamps, but {where} is a "
            f"{type(index).__name__} of {index.dtype}, not datetimes. Index X by time "
            "(X.set_index('time'), or a (series, time) MultiIndex), or set "
            "'time_column'."
        )
    return index


class CalendarFeatures(PlainParamsMixin, TransformerMixin, BaseEstimator):
    """Calendar features of each row's timestamp: hour, day of week, working day...

    Known in advance for any future row, so a model may use those of row t itself
    (see :class:`LagFeatures` for the traffic of earlier rows). One output row per
    input row; the values read the timestamps' own wall clock (Milan local time for
    the Milano data, DST included). Working days are weekdays that are not public
    holidays of ``country`` / ``subdiv`` (the ``holidays`` package: by default
    Italy with the province of Milan, so 7 December, Sant'Ambrogio, is a holiday).

    Parameters
    ----------
    features : list of str, default=('day_of_week', 'hour', 'working_day')
        Which features, in output order: ``'minute'``, ``'hour'``,
        ``'day_of_week'`` (Monday = 0), ``'day_of_month'``, ``'day_of_year'``,
        ``'week_of_year'`` (ISO), ``'month'``, ``'quarter'``, and the 0/1 flags
        ``'is_weekend'``, ``'is_holiday'``, ``'working_day'``. The default is the
        lab's.
    encoding : {'ordinal', 'cyclical', 'onehot'}, default='ordinal'
        ``'ordinal'``: the number itself (as the lab). ``'cyclical'``: ``_sin``
        and ``_cos`` columns on the unit circle, so 23:00 is next to 00:00 (day of
        month and day/week of year use the real month/year length). ``'onehot'``:
        one 0/1 column per possible value (``hour_0`` ... ``hour_23``), the same
        columns whatever the data. Flags are always one 0/1 column.
    country : str or None, default='IT'
        Country code for public holidays (``holidays.country_holidays``); None
        uses no holidays (working day = not a weekend day).
    subdiv : str or None, default='MI'
        Subdivision of ``country`` (a province, state...); None for national
        holidays only.
    weekend : tuple of int, default=(5, 6)
        Days of the week (Monday = 0) that are not working days.
    time_column : str, int or None, default=None
        Where the timestamps are: None uses the index of a DataFrame (the last,
        time level of a panel's ``(series, time)`` MultiIndex); a name or
        position picks a column (datetimes, or numbers with ``unit``).
    unit : {'D', 'h', 'm', 's', 'ms', 'us', 'ns'} or None, default=None
        Numeric times are this unit since 1970-01-01 (the original Milano files
        use epoch milliseconds, ``'ms'``). Needed for arrays: their column
        ``time_column`` (default 0) holds the times.
    horizon : int, default=1
        Number of forecast hours described per row: 1 gives the features of row
        t's own time; ``H > 1`` gives those of the ``H`` hours a row's
        ``make_horizon_targets(y, H)`` target covers, t, t + step, ...,
        t + (H - 1) step, named ``{feature}_h1`` ... ``{feature}_h{H}`` (step
        first). Computed from the timestamps alone, so the last rows of the data
        get them too: the known-future inputs of a horizon model (pass them to
        :class:`SlidingWindow` as ``future_columns``).
    step : str, pandas.Timedelta or None, default=None
        Time between consecutive rows, for ``horizon > 1``. None learns it in
        :meth:`fit` from the timestamps (within each series of a panel), which
        must then be evenly spaced; a duration such as ``'1h'`` is used as is.

    Attributes
    ----------
    n_features_in_ : int
        Number of columns of ``X`` in :meth:`fit`.
    step_ : pandas.Timedelta
        The time step used for ``horizon > 1`` (absent for ``horizon=1``).
    feature_names_in_ : ndarray of str
        Their names, when ``X`` was a DataFrame with string column names.

    See Also
    --------
    LagFeatures : Values of earlier rows.
    sklearn.pipeline.FeatureUnion : Put calendar and lag features side by side.

    Notes
    -----
    The holidays are always those of ``country`` / ``subdiv``, never guessed
    from the data: the default is the Milano data's own calendar (Italy, the
    province of Milan), which is wrong for any other place; the estimator's
    repr always shows which calendar it uses. Only the timestamps are read;
    the other columns are ignored, so combine this with other features in a
    :class:`~sklearn.pipeline.FeatureUnion` or
    :class:`~sklearn.compose.ColumnTransformer`. The holiday calendar of
    ``holidays`` 0.109 for Italy also lists "National Unity Day" (first Sunday of
    November, a Sunday anyway), which the lab's hand-written calendar has not.

    Examples
    --------
    >>> import pandas as pd
    >>> from lstmforecast.preprocessing import CalendarFeatures
    >>> idx = pd.date_range("2013-12-06 23:00", periods=3, freq="h", tz="Europe/Rome")
    >>> X = pd.DataFrame({"internet": [1.0, 2.0, 3.0]}, index=idx)
    >>> CalendarFeatures().set_output(transform="pandas").fit_transform(X)
                               day_of_week  hour  working_day
    2013-12-06 23:00:00+01:00          4.0  23.0          1.0
    2013-12-07 00:00:00+01:00          5.0   0.0          0.0
    2013-12-07 01:00:00+01:00          5.0   1.0          0.0
    >>> cyc = CalendarFeatures(features=["hour"], encoding="cyclical").fit(X)
    >>> cyc.get_feature_names_out()
    array(['hour_sin', 'hour_cos'], dtype=object)
    >>> cyc
    CalendarFeatures(country='IT', encoding='cyclical', features=['hour'],
                     subdiv='MI')

    The calendar of the next three forecast hours of each row (``horizon=3``):

    >>> ahead = CalendarFeatures(features=["hour", "working_day"], horizon=3)
    >>> ahead.set_output(transform="pandas").fit_transform(X).iloc[0]
    hour_h1           23.0
    working_day_h1     1.0
    hour_h2            0.0
    working_day_h2     0.0
    hour_h3            1.0
    working_day_h3     0.0
    Name: 2013-12-06 23:00:00+01:00, dtype: float64
    """

    _parameter_constraints = {
        "features": [list, tuple],
        "encoding": [StrOptions({"ordinal", "cyclical", "onehot"})],
        "country": [str, None],
        "subdiv": [str, None],
        "weekend": [list, tuple],
        "time_column": [str, numbers.Integral, None],
        "unit": [StrOptions(_UNITS), None],
        "horizon": [Interval(numbers.Integral, 1, None, closed="left")],
        "step": [str, pd.Timedelta, None],
    }

    def __init__(
        self,
        features=("day_of_week", "hour", "working_day"),
        *,
        encoding="ordinal",
        country="IT",
        subdiv="MI",
        weekend=(5, 6),
        time_column=None,
        unit=None,
        horizon=1,
        step=None,
    ):
        self.features = features
        self.encoding = encoding
        self.country = country
        self.subdiv = subdiv
        self.weekend = weekend
        self.time_column = time_column
        self.unit = unit
        self.horizon = horizon
        self.step = step

    def __repr__(self, N_CHAR_MAX=700):
        """Show the changed parameters, and always the holiday calendar used."""
        from sklearn.utils._pprint import _changed_params

        params = _changed_params(self)
        params.update(country=self.country, subdiv=self.subdiv)
        head = f"{type(self).__name__}("
        text = ", ".join(f"{k}={params[k]!r}" for k in sorted(params))
        lines = textwrap.wrap(
            text, width=79 - len(head), break_long_words=False, break_on_hyphens=False
        )
        return head + ("\n" + " " * len(head)).join(lines) + ")"

    # ------------------------------------------------------------------ public
    @_fit_context(prefer_skip_nested_validation=True)
    def fit(self, X, y=None):
        """Check the parameters and where the timestamps are.

        Parameters
        ----------
        X : pandas.DataFrame or array-like of shape (n_samples, n_features)
            A frame with a ``DatetimeIndex`` or a time column, or an array whose
            column ``time_column`` holds numeric times in ``unit``.
        y : None
            Ignored.

        Returns
        -------
        self : CalendarFeatures
            The fitted transformer.
        """
        self._check_params()
        times = self._times(X, reset=True)
        if self.horizon > 1:
            self.step_ = self._learn_step(X, times)
        elif hasattr(self, "step_"):
            del self.step_
        return self

    def transform(self, X):
        """Compute the calendar features of each row.

        Parameters
        ----------
        X : pandas.DataFrame or array-like of shape (n_samples, n_features)
            As in :meth:`fit`. It is not modified.

        Returns
        -------
        X_calendar : ndarray of shape (n_samples, n_features_out)
            The features, as floats (a DataFrame with
            ``set_output(transform="pandas")``).
        """
        check_is_fitted(self)
        times = self._times(X, reset=False)
        ahead = [times] if self.horizon == 1 else self._forecast_times(times)
        columns = [self._encode(name, at) for at in ahead for name in self.features]
        return np.concatenate(columns, axis=1)

    def get_feature_names_out(self, input_features=None):
        """Names of the calendar columns.

        Parameters
        ----------
        input_features : array-like of str or None, default=None
            Ignored apart from the usual consistency check: the output depends
            only on ``features`` and ``encoding``.

        Returns
        -------
        feature_names_out : ndarray of str
            For example ``day_of_week``, ``hour_sin``, ``hour_cos``, ``hour_0``.
        """
        check_is_fitted(self)
        from sklearn.utils.validation import _check_feature_names_in

        _check_feature_names_in(self, input_features)
        names = []
        for name in self.features:
            spec = _FEATURES[name]
            if spec is None or self.encoding == "ordinal":
                names.append(name)
            elif self.encoding == "cyclical":
                names += [f"{name}_sin", f"{name}_cos"]
            else:
                first, count = spec
                names += [f"{name}_{v}" for v in range(first, first + count)]
        if self.horizon > 1:
            names = [f"{n}_h{k}" for k in range(1, self.horizon + 1) for n in names]
        return np.asarray(names, dtype=object)

    # ----------------------------------------------------------------- helpers
    def _forecast_times(self, times: pd.DatetimeIndex) -> list:
        """Return the times of each forecast step: t, t + step... (absolute)."""
        step = getattr(self, "step_", None)
        if step is None:  # fitted with horizon=1, then set_params(horizon=H)
            raise ValueError(
                f"CalendarFeatures has horizon={self.horizon} but was fitted with "
                "horizon=1, so it knows no time step. Fit it again."
            )
        return [times + k * step for k in range(self.horizon)]

    def _learn_step(self, X, times: pd.DatetimeIndex) -> pd.Timedelta:
        """``step``, or the one step between consecutive times of each series."""
        owner = "CalendarFeatures"
        if self.step is not None:
            return parse_step(self.step, owner)
        groups = np.zeros(len(times), dtype=np.int64)
        index = getattr(X, "index", None)
        if self.time_column is None and isinstance(index, pd.MultiIndex):
            groups = pd.factorize(index.droplevel(-1))[0]
        fix = "Pass step='1h' (the data's step), or regularise the rows."
        return common_step(times, groups, f"{owner}(horizon={self.horizon})", fix)

    def _check_params(self):
        features = list(self.features)
        unknown = [f for f in features if f not in _FEATURES]
        if unknown or not features:
            raise ValueError(
                f"The 'features' parameter of CalendarFeatures must list names from "
                f"{list(_FEATURES)}. Got {as_written(self.features)} instead"
                + (f" ({unknown} unknown)." if unknown else " (empty).")
            )
        if len(set(features)) != len(features):
            raise ValueError(
                f"The 'features' parameter of CalendarFeatures repeats a name: "
                f"{features}."
            )
        bad_days = [d for d in self.weekend if d not in range(7)]
        if bad_days:
            raise ValueError(
                "The 'weekend' parameter of CalendarFeatures must hold days of the "
                f"week 0 (Monday) to 6 (Sunday). Got {as_written(self.weekend)} "
                "instead."
            )
        if self.country is not None:
            try:
                _holiday_dates(self.country, self.subdiv, (2013,))
            except (NotImplementedError, KeyError, ValueError) as exc:
                raise ValueError(
                    f"The 'country'/'subdiv' parameters of CalendarFeatures "
                    f"({self.country!r}, {self.subdiv!r}) are not known to the "
                    f"'holidays' package ({exc}). Use an ISO country code such as "
                    "'IT' and one of its subdivisions, or None."
                ) from None

    def _times(self, X, reset: bool) -> pd.DatetimeIndex:
        """Return the timestamps of ``X`` (validating it like any sklearn input)."""
        expected = "2-D (n_samples, n_features) with a time column"
        if isinstance(X, pd.DataFrame):
            validated_data(
                self, X, expected=expected, reset=reset, skip_check_array=True
            )
            if self.time_column is None:
                times = _index_times(X.index)
            else:
                col = self._frame_time_column(X)
                times = self._to_datetime(X[col].to_numpy(), f"column {col!r}")
        else:
            # NaN in columns other than the time column is none of our business
            values = validated_data(
                self,
                X,
                expected=expected,
                reset=reset,
                dtype=np.float64,
                ensure_all_finite="allow-nan",
            )
            if self.unit is None:
                raise ValueError(
                    "CalendarFeatures got an array without timestamps. Pass a "
                    "DataFrame with a DatetimeIndex or time column, or set 'unit' "
                    "(e.g. 'ms' for epoch milliseconds) to read column "
                    f"{self.time_column or 0} of the array as times."
                )
            col = 0 if self.time_column is None else self.time_column
            if not isinstance(col, numbers.Integral):
                raise ValueError(
                    f"The 'time_column' parameter of CalendarFeatures is {col!r}, but "
                    "X is an array: pass a column position."
                )
            self._check_position(col, values.shape[1])
            times = self._to_datetime(values[:, col], f"column {col}")
        if times.hasnans:
            raise ValueError(
                "The timestamps of X contain NaT / NaN (missing times). Drop or fix "
                "those rows first."
            )
        return pd.DatetimeIndex(times)

    def _frame_time_column(self, X: pd.DataFrame):
        """Return the label of the time column of a frame (a label, else a position)."""
        col = self.time_column
        if isinstance(col, numbers.Integral) and col not in X.columns:
            self._check_position(col, X.shape[1])
            col = X.columns[col]  # a position (a label comes first)
        if col not in X.columns:
            raise ValueError(
                f"The 'time_column' parameter of CalendarFeatures names "
                f"{col!r}, which X does not have (columns: {list(X.columns)})."
            )
        return col

    @staticmethod
    def _check_position(col, n_columns: int) -> None:
        if not -n_columns <= col < n_columns:
            raise ValueError(
                f"The 'time_column' parameter of CalendarFeatures is position "
                f"{as_written(col)}, but X has {n_columns} column(s). Use a position "
                f"in [0, {n_columns - 1}] or a column name."
            )

    def _to_datetime(self, values: np.ndarray, where: str) -> pd.DatetimeIndex:
        if np.issubdtype(values.dtype, np.datetime64) or values.dtype == object:
            try:
                return pd.DatetimeIndex(values)
            except (TypeError, ValueError) as exc:
                raise TypeError(
                    f"CalendarFeatures could not read {where} of X as timestamps "
                    f"({exc}). Convert it with pandas.to_datetime."
                ) from None
        if not np.issubdtype(values.dtype, np.number):
            raise TypeError(
                f"CalendarFeatures reads the times from {where} of X, which must hold "
                f"datetimes or numeric times; got dtype {values.dtype}. Convert it "
                "with pandas.to_datetime."
            )
        if self.unit is None:
            raise ValueError(
                f"CalendarFeatures reads the times from {where} of X, which holds "
                "numbers, not datetimes. Set 'unit' (e.g. 'ms' for epoch "
                "milliseconds) or convert it with pandas.to_datetime."
            )
        try:
            # nanoseconds whatever pandas infers (pandas 3.0 may pick seconds,
            # whose range is far wider): the years timestamps hold everywhere
            times = pd.DatetimeIndex(pd.to_datetime(values, unit=self.unit))
            return times.as_unit("ns")
        except (OverflowError, ValueError):
            raise ValueError(
                f"CalendarFeatures reads the times from {where} of X, which holds "
                f"numbers that are not times in unit {self.unit!r}: they fall outside "
                "the years 1677-2262 that timestamps hold. Check 'unit' (epoch "
                "milliseconds are 'ms') and the column."
            ) from None

    def _flags(self, times: pd.DatetimeIndex) -> dict:
        days = times.tz_localize(None).normalize().to_numpy().astype("datetime64[D]")
        weekend = np.isin(times.day_of_week, list(self.weekend))
        if self.country is None or len(days) == 0:
            holiday = np.zeros(len(times), dtype=bool)
        else:
            years = tuple(int(y) for y in np.unique(times.year))
            holiday = np.isin(days, _holiday_dates(self.country, self.subdiv, years))
        return {
            "is_weekend": weekend,
            "is_holiday": holiday,
            "working_day": ~weekend & ~holiday,
        }

    def _encode(self, name: str, times: pd.DatetimeIndex) -> np.ndarray:
        if _FEATURES[name] is None:
            return self._flags(times)[name].astype(np.float64)[:, None]
        value = self._ordinal(name, times).astype(np.float64)
        first, count = _FEATURES[name]
        if self.encoding == "ordinal":
            return value[:, None]
        if self.encoding == "onehot":
            return (value[:, None] == np.arange(first, first + count)).astype(float)
        period = self._period(name, times, count)
        angle = 2 * np.pi * (value - first) / period
        return np.column_stack([np.sin(angle), np.cos(angle)])

    @staticmethod
    def _ordinal(name: str, times: pd.DatetimeIndex) -> np.ndarray:
        if name == "week_of_year":
            return times.isocalendar().week.to_numpy(dtype=np.int64)
        attr = {"day_of_month": "day"}.get(name, name)
        return np.asarray(getattr(times, attr))

    @staticmethod
    def _period(name: str, times: pd.DatetimeIndex, count: int) -> np.ndarray:
        """Length of the cycle at each row (month and year lengths vary)."""
        if name == "day_of_month":
            return times.days_in_month.to_numpy(dtype=np.float64)
        if name == "day_of_year":
            return np.where(times.is_leap_year, 366.0, 365.0)
        if name == "week_of_year":  # weeks of the ISO year the week belongs to
            iso_year = times.isocalendar().year.to_numpy()
            dec28 = pd.to_datetime({"year": iso_year, "month": 12, "day": 28})
            return dec28.dt.isocalendar().week.to_numpy(dtype=np.float64)
        return np.full(len(times), float(count))
