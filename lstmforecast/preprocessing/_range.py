"""RangeScaler: scale each column on its known physical range, not on the data."""

from __future__ import annotations

import numbers
import re

import numpy as np
import pandas as pd
from sklearn.base import (
    BaseEstimator,
    OneToOneFeatureMixin,
    TransformerMixin,
    _fit_context,
)
from sklearn.utils._param_validation import Interval, StrOptions
from sklearn.utils.validation import check_is_fitted

from lstmforecast._validation import PlainParamsMixin, checked_array, validated_data
from lstmforecast.datasets._schema import as_written

__all__ = ["RangeScaler"]

_OWNER = "RangeScaler"
_EXPECTED = "2-D (n_samples, n_features)"
_STEP_NAME = re.compile(r"^(?P<name>.+)_h(?P<step>[1-9][0-9]*)$")


def _is_pair(value) -> bool:
    """Whether ``value`` is one ``(min, max)`` pair of real numbers."""
    return (
        isinstance(value, (tuple, list, np.ndarray))
        and len(value) == 2
        and all(isinstance(v, numbers.Real) and not isinstance(v, bool) for v in value)
    )


def _checked_pair(value, where: str) -> tuple:
    """Return ``(min, max)`` as floats, or raise naming ``where``."""
    if not _is_pair(value) or not all(np.isfinite(v) for v in value):
        raise ValueError(
            f"The 'ranges' parameter of {_OWNER} gives {where} the range "
            f"{as_written(value)}; a range must be two finite numbers (min, max), "
            "e.g. (0, 15)."
        )
    low, high = float(value[0]), float(value[1])
    if not low < high:
        raise ValueError(
            f"The 'ranges' parameter of {_OWNER} gives {where} the range "
            f"({as_written(value[0])}, {as_written(value[1])}), whose min is not "
            "below its max. Give (min, max) with min < max."
        )
    return low, high


class RangeScaler(
    PlainParamsMixin, OneToOneFeatureMixin, TransformerMixin, BaseEstimator
):
    """Scale each column linearly from its known physical range to ``feature_range``.

    Like :class:`~sklearn.preprocessing.MinMaxScaler`, but the min and max of each
    column are given, not learnt: a CQI lies in [0, 15] and a PRB usage in
    [0, 100] whatever the training weeks happened to hold, so the scaling is the
    same for every cell, every split and every retraining. :meth:`fit` only checks
    the data and records the ranges. One output row per input row, so panels
    (``(series, time)`` MultiIndex frames) and any row order work unchanged.

    .. code-block:: text

        x_scaled = a + (x - min) * (b - a) / (max - min)   feature_range=(a, b)

    Parameters
    ----------
    ranges : dict, list of (min, max) or (min, max)
        The physical range of every column:

        - a dict ``{column name: (min, max)}`` for a DataFrame. A column named
          ``{name}_h{k}`` (the targets of :func:`make_horizon_targets`) that is
          not a key itself takes the range of ``{name}``, so one dict
          ``{"cqi": (0, 15), "prb": (0, 100)}`` serves the inputs ``cqi``,
          ``prb`` and the targets ``cqi_h1`` ... ``prb_h6``. Keys that match no
          column are not used (one dict may list every KPI of a network).
        - a list with one ``(min, max)`` per column, in column order (arrays, and
          the ``y`` that :class:`~sklearn.compose.TransformedTargetRegressor`
          passes, which is always an array);
        - one ``(min, max)`` for every column.

        Every column must have a range: a column without one is an error naming
        it, never guessed from the data.
    feature_range : tuple (a, b), default=(0, 1)
        The range the physical ranges are mapped to.
    horizon : int, default=1
        With a list of ranges, each range stands for ``horizon`` consecutive
        columns: the layout of :func:`make_horizon_targets` (``{kpi}_h1`` ...
        ``{kpi}_h{horizon}`` per KPI), so ``RangeScaler([(0, 15), (0, 100)],
        horizon=6)`` scales a ``(n, 2 * 6)`` target array. Not used with a dict
        (the names decide) or a single pair.
    out_of_range : {"error", "clip", "allow"}, default="error"
        What to do with a value outside its column's physical range in
        :meth:`fit` and :meth:`transform`:

        - ``"error"``: raise a ValueError naming the column, the row and the
          value (a CQI of 17 is a data error, not a value to learn from);
        - ``"clip"``: clip it to the range, so outputs stay in
          ``feature_range``; :meth:`inverse_transform` then also clips its
          output to the physical ranges (forecasts stay physical);
        - ``"allow"``: extrapolate linearly, both ways.

        NaN (a missing value) passes through in every case.

    Attributes
    ----------
    n_features_in_ : int
        Number of columns of ``X`` in :meth:`fit`.
    feature_names_in_ : ndarray of str
        Their names, when ``X`` was a DataFrame with string column names.
    range_min_ : ndarray of shape (n_features,)
        The physical min of each column.
    range_max_ : ndarray of shape (n_features,)
        The physical max of each column.
    scale_ : ndarray of shape (n_features,)
        ``(b - a) / (range_max_ - range_min_)``.
    min_ : ndarray of shape (n_features,)
        ``a - range_min_ * scale_``, so that ``X_scaled = X * scale_ + min_``.

    See Also
    --------
    sklearn.preprocessing.MinMaxScaler : The same map on the ranges seen in fit.
    make_horizon_targets : The many-to-many targets, named ``{kpi}_h{k}``.

    Notes
    -----
    Predictions of a model trained on scaled targets are scaled values; with
    ``TransformedTargetRegressor(regressor=..., transformer=RangeScaler(...))``
    they come back in physical units. The targets of several KPIs over several
    steps, ``(n, k * H)`` in the layout of :func:`make_horizon_targets`, reshape
    to ``(n, H, k)`` with ``pred.reshape(n, k, H).transpose(0, 2, 1)``.

    Examples
    --------
    >>> import pandas as pd
    >>> from lstmforecast.preprocessing import RangeScaler
    >>> X = pd.DataFrame({"cqi": [0.0, 7.5, 15], "prb": [10.0, 50, 100]})
    >>> scaler = RangeScaler({"cqi": (0, 15), "prb": (0, 100)})
    >>> scaler.set_output(transform="pandas").fit_transform(X)
       cqi  prb
    0  0.0  0.1
    1  0.5  0.5
    2  1.0  1.0

    A CQI of 17 is outside [0, 15]:

    >>> scaler.transform(pd.DataFrame({"cqi": [17.0], "prb": [20.0]}))
    Traceback (most recent call last):
    ...
    ValueError: Column 'cqi' of X holds 17.0 (row 0), outside its physical range ...

    The targets of :func:`make_horizon_targets` take the range of their KPI:

    >>> from lstmforecast.preprocessing import make_horizon_targets
    >>> Y = make_horizon_targets(X, 2).dropna()
    >>> scaler.fit_transform(Y)
         cqi_h1  cqi_h2  prb_h1  prb_h2
    0     0.0     0.5     0.1     0.5
    1     0.5     1.0     0.5     1.0
    """

    _parameter_constraints = {
        "ranges": [dict, list, tuple],
        "feature_range": [tuple],
        "horizon": [Interval(numbers.Integral, 1, None, closed="left")],
        "out_of_range": [StrOptions({"error", "clip", "allow"})],
    }

    def __init__(
        self, ranges, *, feature_range=(0, 1), horizon=1, out_of_range="error"
    ):
        self.ranges = ranges
        self.feature_range = feature_range
        self.horizon = horizon
        self.out_of_range = out_of_range

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.input_tags.allow_nan = True
        return tags

    # ------------------------------------------------------------------ public
    @_fit_context(prefer_skip_nested_validation=True)
    def fit(self, X, y=None):
        """Check the ranges against the columns of ``X`` and the data against them.

        Nothing is learnt from the values of ``X``: they are only checked.

        Parameters
        ----------
        X : pandas.DataFrame or array-like of shape (n_samples, n_features)
            The data (a panel frame is fine).
        y : None
            Ignored.

        Returns
        -------
        self : RangeScaler
            The fitted transformer.
        """
        low, high = self._feature_range()
        columns = list(X.columns) if isinstance(X, pd.DataFrame) else None
        values = self._validated(X, reset=True)
        bounds = np.asarray(self._column_ranges(columns, values.shape[1]))
        self.range_min_, self.range_max_ = bounds[:, 0], bounds[:, 1]
        self.scale_ = (high - low) / (self.range_max_ - self.range_min_)
        self.min_ = low - self.range_min_ * self.scale_
        self._check_values(values, X)
        return self

    def transform(self, X):
        """Scale each column from its physical range to ``feature_range``.

        Parameters
        ----------
        X : pandas.DataFrame or array-like of shape (n_samples, n_features)
            Columns as in :meth:`fit`. It is not modified.

        Returns
        -------
        X_scaled : ndarray of shape (n_samples, n_features)
            The scaled values (a DataFrame with the index of ``X`` under
            ``set_output(transform="pandas")``).
        """
        check_is_fitted(self)
        values = self._validated(X, reset=False)
        values = self._check_values(values, X)
        return values * self.scale_ + self.min_

    def inverse_transform(self, X):
        """Map scaled values back to physical units (the exact inverse).

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
            Scaled values, e.g. a model's predictions. They are not checked
            against ``feature_range``; with ``out_of_range="clip"`` the result
            is clipped to the physical ranges.

        Returns
        -------
        X_original : ndarray of shape (n_samples, n_features)
            The values in physical units.
        """
        check_is_fitted(self)
        values = checked_array(
            X,
            name="X",
            owner=_OWNER,
            expected=_EXPECTED,
            dtype=np.float64,
            ensure_all_finite="allow-nan",
        )
        if values.shape[1] != self.n_features_in_:
            raise ValueError(
                f"X has {values.shape[1]} features, but {_OWNER} is expecting "
                f"{self.n_features_in_} features as input. Pass X with the columns "
                "it was fitted on."
            )
        out = (values - self.min_) / self.scale_
        if self.out_of_range == "clip":
            out = np.clip(out, self.range_min_, self.range_max_)
        return out

    # ----------------------------------------------------------------- helpers
    def _validated(self, X, reset: bool) -> np.ndarray:
        return validated_data(
            self,
            X,
            expected=_EXPECTED,
            reset=reset,
            dtype=np.float64,
            ensure_all_finite="allow-nan",
        )

    def _feature_range(self) -> tuple:
        value = self.feature_range
        if not _is_pair(value) or not value[0] < value[1]:
            raise ValueError(
                f"The 'feature_range' parameter of {_OWNER} must be two numbers "
                f"(a, b) with a < b, e.g. (0, 1). Got {as_written(value)} instead."
            )
        return float(value[0]), float(value[1])

    def _column_ranges(self, columns, n_columns: int) -> list:
        """One checked ``(min, max)`` per column of ``X``."""
        ranges = self.ranges
        if isinstance(ranges, dict):
            if columns is None:
                raise ValueError(
                    f"The 'ranges' parameter of {_OWNER} is a dict (ranges by column "
                    "name), but X is an array without column names (as the y that "
                    "TransformedTargetRegressor passes). Pass a list in column "
                    "order, e.g. RangeScaler(list(ranges.values()), horizon=H)."
                )
            return [self._named_range(c) for c in columns]
        if _is_pair(ranges):
            return [_checked_pair(ranges, "every column")] * n_columns
        ranges = list(ranges)
        if len(ranges) * self.horizon != n_columns:
            each = "" if self.horizon == 1 else f" x horizon={self.horizon}"
            raise ValueError(
                f"The 'ranges' parameter of {_OWNER} gives {len(ranges)} ranges"
                f"{each}, but X has {n_columns} columns. Give one (min, max) per "
                "column (per block of 'horizon' columns), or a dict by name."
            )
        pairs = []
        for j, pair in enumerate(ranges):
            pairs += [_checked_pair(pair, f"column {j}")] * self.horizon
        return pairs

    def _named_range(self, column) -> tuple:
        ranges = self.ranges
        if column in ranges:
            return _checked_pair(ranges[column], f"column {as_written(column)}")
        step = _STEP_NAME.match(column) if isinstance(column, str) else None
        if step and step.group("name") in ranges:
            name = step.group("name")
            return _checked_pair(ranges[name], f"column {name!r}")
        also = f" (or {step.group('name')!r})" if step else ""
        raise ValueError(
            f"Column {as_written(column)} of X has no range in the 'ranges' "
            f"parameter of {_OWNER}. Add {as_written(column)}{also}: (min, max), "
            "its physical range."
        )

    def _check_values(self, values: np.ndarray, X) -> np.ndarray:
        """Apply ``out_of_range`` to values outside the physical ranges."""
        if self.out_of_range == "allow":
            return values
        if self.out_of_range == "clip":
            return np.clip(values, self.range_min_, self.range_max_)
        with np.errstate(invalid="ignore"):
            outside = (values < self.range_min_) | (values > self.range_max_)
        if outside.any():
            row, col = (int(i) for i in np.argwhere(outside)[0])
            name = (
                f"Column {as_written(X.columns[col])}"
                if isinstance(X, pd.DataFrame)
                else f"Column {col}"
            )
            raise ValueError(
                f"{name} of X holds {float(values[row, col])!r} (row {row}), outside "
                f"its physical range [{float(self.range_min_[col])!r}, "
                f"{float(self.range_max_[col])!r}] given in 'ranges' of {_OWNER}. Fix "
                "the data, or set out_of_range='clip' (or 'allow')."
            )
        return values
