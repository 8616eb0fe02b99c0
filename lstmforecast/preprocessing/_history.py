"""What lag and window transformers share: columns, a regular index, a history tail.

They select columns, require a regular time index, and keep the tail of the fitted
data that later rows take their history from.

A transformer fitted on rows ``0..n-1`` keeps the last rows it may need (the largest
lag, or the lookback). When it transforms rows that *continue* those (the next
timestamps of the same regular index, or an index that starts inside the kept tail),
their first lags / windows come from the tail: real history, never padding. Rows of
any other table get no history: their first rows are incomplete (``fill_value``).
"""

from __future__ import annotations

import numbers

import numpy as np
import pandas as pd
from sklearn.base import BaseEstimator, TransformerMixin

from lstmforecast._validation import PlainParamsMixin, validated_data
from lstmforecast.datasets._schema import as_written, duration_text
from lstmforecast.preprocessing._panel import (
    _plain,
    _time_kind,
    as_time_index,
    check_aligned,
    check_even_ends,
    one_row_series,
    panel_layout,
    regular_step,
)

_regular_step = regular_step  # the name the window module imports


def _to_steps(value, step, owner: str, name: str) -> int:
    """Turn a lag / lookback (rows, or a duration such as '1D') into a row count."""
    shown = as_written(value)  # 1.5, not np.float64(1.5)
    if isinstance(value, numbers.Integral) and not isinstance(value, bool):
        if value < 1:
            raise ValueError(
                f"The '{name}' parameter of {owner} must be >= 1 (a lag of 0 would be "
                f"the row's own value, from the present). Got {shown} instead."
            )
        return int(value)
    if isinstance(value, (numbers.Real, np.floating)) or (
        isinstance(value, str) and value.strip().lstrip("-").isdigit()
    ):
        raise ValueError(
            f"The '{name}' parameter of {owner} must be a number of rows as an int "
            f"(e.g. 24) or a duration with a unit (e.g. '1D'). Got {shown} instead."
        )
    try:
        delta = pd.Timedelta(value)
    except (TypeError, ValueError):
        raise ValueError(
            f"The '{name}' parameter of {owner} must be a number of rows (int >= 1) "
            f"or a duration such as '1D' or '36h'. Got {shown} instead."
        ) from None
    if step is None:
        raise ValueError(
            f"The '{name}' parameter of {owner} is a duration ({shown}), which "
            "needs X with a regular DatetimeIndex of at least 2 rows to count "
            "rows. Pass a number of rows instead, or a frame indexed by time."
        )
    step_td = pd.Timedelta(step, "ns")
    if delta <= pd.Timedelta(0) or delta % step_td:
        raise ValueError(
            f"The '{name}' parameter of {owner} ({shown}) must be a positive whole "
            f"multiple of the data's step {duration_text(step_td)}."
        )
    return int(delta // step_td)


def _is_time(index) -> bool:
    """Whether ``index`` (one series, or a panel) is indexed by datetimes."""
    if isinstance(index, pd.MultiIndex):
        index = index.get_level_values(-1)
    return isinstance(index, pd.DatetimeIndex) or pd.api.types.is_datetime64_any_dtype(
        getattr(index, "dtype", None)
    )


def _index_values(index: pd.Index) -> np.ndarray:
    if isinstance(index, pd.DatetimeIndex):
        return index.as_unit("ns").asi8
    return index.to_numpy(np.int64)


def _history_rows(tail, tail_times, first_time, step, need, fill):
    """Rows of ``tail`` (times ``tail_times``) that directly precede ``first_time``.

    The tail rows before ``first_time`` when it is on the tail's grid after its
    start; after a gap shorter than ``need`` rows, the tail then ``fill`` rows for
    the unknown gap; None when no real history reaches ``first_time``.
    """
    tail_step = int(tail_times[1] - tail_times[0]) if len(tail_times) > 1 else step
    if tail_step is None or (step is not None and step != tail_step):
        return None
    offset = int(first_time) - int(tail_times[0])
    if offset <= 0 or offset % tail_step:
        return None
    n_before = offset // tail_step
    if n_before <= len(tail):
        return tail[:n_before]
    n_gap = n_before - len(tail)
    if n_gap >= need:
        return None  # far after the fitted data: no real history reaches X
    # a gap (e.g. TimeSeriesSplit(gap=...)): its rows are unknown, older are real
    gap = np.full((n_gap, tail.shape[1]), fill, tail.dtype)
    return np.concatenate([tail, gap])


class _BaseHistoryTransformer(PlainParamsMixin, TransformerMixin, BaseEstimator):
    """Base of the row-preserving transformers that look back in time.

    Subclasses define ``_history_length()`` (rows of history a row may need) and
    ``_uses_durations()`` (whether a parameter was given as a duration).
    """

    def _history_length(self) -> int:  # pragma: no cover - abstract
        raise NotImplementedError

    # ---------------------------------------------------------------- columns
    def _column_positions(self, columns, name: str) -> np.ndarray:
        """Positions of ``columns`` (names or ints) among the fitted columns."""
        n = self.n_features_in_
        if columns is None:
            return np.arange(n)
        if isinstance(columns, (str, numbers.Integral)):
            columns = [columns]
        names = getattr(self, "feature_names_in_", None)
        positions = []
        for col in columns:
            if isinstance(col, numbers.Integral) and not isinstance(col, bool):
                if not -n <= col < n:
                    raise ValueError(
                        f"The '{name}' parameter of {type(self).__name__} has column "
                        f"position {col}, but X has {n} columns. Use positions in "
                        f"[0, {n - 1}] or column names."
                    )
                positions.append(int(col) % n)
            elif isinstance(col, str) and names is not None:
                hits = np.flatnonzero(names == col)
                if not hits.size:
                    raise ValueError(
                        f"The '{name}' parameter of {type(self).__name__} names column "
                        f"{as_written(col)}, which X does not have. Its columns are "
                        f"{list(names)}."
                    )
                positions.append(int(hits[0]))
            else:
                raise ValueError(
                    f"The '{name}' parameter of {type(self).__name__} names column "
                    f"{as_written(col)}, but X has no column names (an array). Pass "
                    "column positions, or a pandas DataFrame."
                )
        if len(set(positions)) != len(positions):
            raise ValueError(
                f"The '{name}' parameter of {type(self).__name__} lists a column "
                f"twice: {as_written(list(columns))}."
            )
        if not positions:
            raise ValueError(
                f"The '{name}' parameter of {type(self).__name__} is empty. Pass "
                "column names or positions, or None for every column."
            )
        return np.asarray(positions)

    def _check_label_kind(self, X: pd.DataFrame) -> None:
        """Refuse int columns on a frame whose labels are not strings: ambiguous."""
        if all(isinstance(c, str) for c in X.columns):
            return
        for name in ("columns", "known_columns"):
            value = getattr(self, name, None)
            items = [value] if isinstance(value, (str, numbers.Integral)) else value
            if items is not None and any(
                isinstance(c, numbers.Integral) and not isinstance(c, bool)
                for c in items
            ):
                raise ValueError(
                    f"The '{name}' parameter of {type(self).__name__} holds integers "
                    "but X's column labels are not strings (e.g. cell ids), so it is "
                    "unclear whether they are labels or positions. Make the labels "
                    "strings first: X.rename(columns=str)."
                )

    def _uses_durations(self) -> bool:  # pragma: no cover - abstract
        raise NotImplementedError

    def _check_time_step(self, index, step) -> None:
        """Refuse another frequency when a duration was turned into rows."""
        fit_step = getattr(self, "_fit_step", None)
        if not self._uses_durations() or step is None or fit_step is None:
            return
        if step != fit_step and isinstance(index, pd.DatetimeIndex):
            raise ValueError(
                f"X has a step of {duration_text(pd.Timedelta(step, 'ns'))}, but "
                f"{type(self).__name__} was fitted on a step of "
                f"{duration_text(pd.Timedelta(fit_step, 'ns'))}; its durations, "
                "counted in rows, "
                "would mean other durations. Transform data of the same frequency."
            )

    # ------------------------------------------------------------ validation
    def _validate(self, X, reset: bool, y=None):
        """Return (float values, time index or None, step, panel layout or None).

        A DataFrame's index must tell the time order: a time or integer index
        (one series), or a panel MultiIndex with the time last. Arrays are one
        series in row order. ``X`` is not modified.
        """
        owner = type(self).__name__
        expected = "2-D (n_samples, n_features)"
        if isinstance(X, pd.DataFrame):
            validated_data(
                self, X, expected=expected, reset=reset, skip_check_array=True
            )
            if reset:
                check_aligned(X, y, owner)
            values = self._frame_values(X, owner)
            index = X.index
        else:
            values = validated_data(
                self,
                X,
                expected=expected,
                reset=reset,
                ensure_all_finite="allow-nan",
                dtype=[np.float64, np.float32],
            )
            index = None
        if np.isinf(values).any():
            raise ValueError(
                f"X contains inf values; {owner} cannot take them. Replace them "
                "(e.g. with NaN, which marks a missing value) first."
            )
        if isinstance(index, pd.MultiIndex):
            layout = panel_layout(
                index,
                owner,
                step=None if reset else self._fit_step,
                fit_kind=None if reset else self._fit_kind,
            )
            if reset and one_row_series(layout):
                raise ValueError(
                    f"{owner} got a panel with series of one row "
                    f"({', '.join(map(_plain, one_row_series(layout)[:3]))}): "
                    "no lag or window fits in them and their place on the time "
                    "grid cannot be verified. Drop them (e.g. X.groupby(level=0)"
                    ".filter(lambda s: len(s) > 1)) or give them more rows."
                )
            return values, index, layout.step, layout
        if index is not None:
            index = as_time_index(index, owner)
        step = regular_step(index, owner) if index is not None else None
        return values, index, step, None

    def _frame_values(self, X: pd.DataFrame, owner: str) -> np.ndarray:
        self._check_label_kind(X)
        kinds = X.dtypes  # one pass over the columns, even for 10,000 of them
        bad = [
            (c, str(t))
            for c, t in kinds.items()
            if not pd.api.types.is_numeric_dtype(t) or pd.api.types.is_bool_dtype(t)
        ]
        if bad:
            raise TypeError(
                f"{owner} takes numeric columns; column(s) {[c for c, _ in bad]} "
                f"of X are not (dtypes {[t for _, t in bad]}). Convert them with "
                "pandas.to_numeric, or drop them."
            )
        as_32 = set(kinds) == {np.dtype(np.float32)}
        values = X.to_numpy(dtype=np.float32 if as_32 else np.float64)
        if len(values) == 0:
            raise ValueError(
                f"{owner} got X with 0 rows (shape {X.shape}); it needs at least 1."
            )
        return values

    @staticmethod
    def _longest(values, layout) -> int:
        """Rows of the longest series (the only one, without a panel)."""
        return len(values) if layout is None else int(np.diff(layout.bounds).max())

    # --------------------------------------------------------------- history
    def _remember(self, values, index, step, layout=None) -> None:
        """Keep the tail of the fitted rows (``tail_``) and its index."""
        # Twice the need: rows that start up to one lag / lookback before the end
        # of the fitted data (in-sample checks) also get their full history.
        need = 2 * self._history_length()
        self._fit_step = step
        if layout is not None:
            self._remember_panel(values, index, layout, need)
            return
        self._tails = None
        keep = min(need, len(values))
        self.tail_ = values[len(values) - keep :].copy()
        usable = index is not None and step is not None
        self.tail_index_ = index[len(index) - keep :] if usable else None
        self._fit_kind = _time_kind(index) if usable else None

    def _remember_panel(self, values, index, layout, need) -> None:
        """Keep each series' own tail (``tail_``: a frame indexed like X)."""
        check_even_ends(layout, type(self).__name__)
        self._tails = {}
        kept = []
        for g, key in enumerate(layout.keys):
            rows = layout.rows(g)[-need:]
            self._tails[key] = (values[rows].copy(), layout.times[rows].copy())
            kept.append(rows)
        rows = np.concatenate(kept)
        names = getattr(self, "feature_names_in_", None)
        self.tail_ = pd.DataFrame(
            values[rows],
            index=index[rows],
            columns=names if names is not None else range(values.shape[1]),
        )
        self.tail_index_ = self.tail_.index
        self._fit_kind = layout.kind

    def _history_for(self, index, step) -> np.ndarray | None:
        """Rows of ``tail_`` that directly precede ``index[0]``, if any.

        ``index`` continues the fitted data when its first label is one step after
        the last fitted one, or falls inside the tail on its grid: then the tail
        rows before it are its real history. Anything else gets none.
        """
        tail_index = getattr(self, "tail_index_", None)
        if (
            getattr(self, "_tails", None) is not None  # fitted on a panel
            or tail_index is None
            or index is None
            or len(index) == 0
        ):
            return None
        # instants are compared in UTC (asi8), so any two time zones agree; a naive
        # clock against an aware one does not tell the same instants
        if _time_kind(index) != _time_kind(tail_index):
            return None
        return _history_rows(
            self.tail_,
            _index_values(tail_index),
            _index_values(index[:1])[0],
            step if step is not None else getattr(self, "_fit_step", None),
            self._history_length(),
            self.fill_value,
        )

    def _with_history(self, values, index, step):
        """Stack the usable history above ``values``; return (array, n_history)."""
        history = self._history_for(index, step)
        if history is None or len(history) == 0:
            return values, 0
        return np.concatenate([history.astype(values.dtype, copy=False), values]), len(
            history
        )

    def _apply(self, values, index, step, layout, compute):
        """``compute(rows with history, n_history)`` per series, rows in X's order.

        One series: its history from the tail, one call. A panel: one call per
        series with that series' own tail, the results put back in the rows of
        X; a series not seen in fit (or of another time kind) gets no history.
        """
        if layout is None:
            return compute(*self._with_history(values, index, step))
        out = None
        for _, rows, full, n_hist in self._series_parts(values, layout):
            result = compute(full, n_hist)
            if out is None:
                out = np.empty((len(values), *result.shape[1:]), result.dtype)
            out[rows] = result
        return out

    def _series_parts(self, values, layout):
        """Yield ``(group, rows, rows with history, n_history)`` per series.

        Each series' history is its own fitted tail; a series not seen in fit (or
        of another time kind) gets none.
        """
        for g, history in enumerate(self._series_histories(layout)):
            rows = layout.rows(g)
            part = values[rows]
            n_hist = 0 if history is None else len(history)
            if n_hist:
                part = np.concatenate([history.astype(part.dtype, copy=False), part])
            yield g, rows, part, n_hist

    def _series_histories(self, layout) -> list:
        """Return the fitted rows just before each series' first row (or None)."""
        tails = getattr(self, "_tails", None) or {}
        if layout.kind != getattr(self, "_fit_kind", None) or not tails:
            return [None] * layout.n_groups
        first_times = layout.times[layout.order[layout.bounds[:-1]]]
        need = self._history_length()
        out = []
        for key, first in zip(layout.keys, first_times, strict=True):
            tail = tails.get(key)
            out.append(
                None
                if tail is None
                else _history_rows(
                    tail[0], tail[1], first, layout.step, need, self.fill_value
                )
            )
        return out

    def __sklearn_tags__(self):
        """Declare NaN support and float32 preservation."""
        tags = super().__sklearn_tags__()
        tags.input_tags.allow_nan = True
        tags.transformer_tags.preserves_dtype = ["float64", "float32"]
        return tags
