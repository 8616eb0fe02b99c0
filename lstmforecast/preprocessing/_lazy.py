"""Windows gathered on demand: one padded array of rows, and where each window starts.

A global model over a city reads millions of windows. Materialised they are
``lookback`` times the data (10,000 cells x 1,464 hours x 168 steps is 9.8 GB in
float32 for 59 MB of hourly values); here they stay one padded copy of the rows,
and a batch of windows is gathered by index when it is used.
"""

from __future__ import annotations

import numbers

import numpy as np

__all__ = ["WindowArray"]


def _count_dtype(n: int):
    """int32 for counts and codes up to ``n`` when they fit (half the memory)."""
    return np.int32 if n < 2**31 - 1 else np.int64


class WindowArray:
    """Sliding windows of one or many series, gathered by index when used.

    What :class:`SlidingWindow` returns with ``lazy=True``: an array-like of shape
    ``(n_samples, lookback, n_features)`` whose window ``i`` is the rows
    ``starts[i] ... starts[i] + lookback - 1`` of one padded array of rows
    (``base``, each series' history then its rows, a series never running into
    the next). Nothing is copied until windows are asked for: :meth:`take` gathers
    some of them, ``np.asarray(windows)`` all of them (for models that need an
    array). :class:`LSTMRegressor` and :class:`MLPRegressor` train and predict on
    it batch by batch, never holding all windows.

    Parameters
    ----------
    base : ndarray of shape (n_rows, n_features)
        The padded rows (float32 or float64); kept read-only, not copied.
    starts : array-like of int of shape (n_samples,)
        Row of ``base`` where each window starts.
    lookback : int
        Window length in rows.
    series : array-like of int of shape (n_samples,) or None, default=None
        Series of each window, as a position in ``series_keys`` (panels).
    series_keys : sequence or None, default=None
        Label of each series (the panel's series labels), with ``series``.
    extra : ndarray of shape (n_samples, n_extra) or None, default=None
        Per-window values appended to every step of the window, after the
        columns of ``base`` (``SlidingWindow``'s ``future_columns``: the
        calendar of the hours being forecast). Kept read-only, not copied.

    Attributes
    ----------
    shape : tuple of int
        ``(n_samples, lookback, n_features)``.
    dtype : numpy.dtype
        The dtype of ``base``.
    series_keys : list or None
        The series labels (None for one series).

    See Also
    --------
    SlidingWindow : Builds it from a series or a panel (``lazy=True``).

    Examples
    --------
    >>> import numpy as np
    >>> from lstmforecast.preprocessing import SlidingWindow
    >>> X = np.arange(6.0).reshape(-1, 1)
    >>> windows = SlidingWindow(lookback=3, lazy=True).fit_transform(X)
    >>> windows.shape
    (6, 3, 1)
    >>> windows.take([3, 5])[:, :, 0]
    array([[0., 1., 2.],
           [2., 3., 4.]])
    >>> windows.complete()
    array([False, False, False,  True,  True,  True])
    >>> dense = SlidingWindow(3).fit_transform(X)
    >>> np.array_equal(np.asarray(windows), dense, equal_nan=True)
    True
    """

    __array_priority__ = 10

    def __init__(
        self, base, starts, lookback, *, series=None, series_keys=None, extra=None
    ):
        base = np.asarray(base)
        if base.ndim != 2 or base.dtype.kind != "f":
            raise ValueError(
                "WindowArray needs 'base' as a 2-D float array (n_rows, n_features); "
                f"got {base.ndim}-D of dtype {base.dtype}. Pass the padded rows."
            )
        starts = np.asarray(starts, dtype=np.int64)
        lookback = int(lookback)
        if len(starts) and (starts.min() < 0 or starts.max() + lookback > len(base)):
            raise ValueError(
                f"WindowArray got a window start outside 'base' ({len(base)} rows, "
                f"lookback {lookback}): starts run from {starts.min()} to "
                f"{starts.max()}. Each start must leave a whole window in base."
            )
        if (series is None) != (series_keys is None):
            raise ValueError(
                "WindowArray takes 'series' and 'series_keys' together (the series "
                "of each window and their labels), or neither."
            )
        self._base = base if not base.flags.writeable else base.view()
        self._base.flags.writeable = False
        self._starts = starts
        self.lookback = lookback
        self._series = (
            None
            if series is None
            else np.asarray(series, _count_dtype(len(series_keys)))
        )
        self.series_keys = None if series_keys is None else list(series_keys)
        self._extra = None if extra is None else self._checked_extra(extra)

    def _checked_extra(self, extra) -> np.ndarray:
        extra = np.asarray(extra)
        n = len(self._starts)
        if extra.ndim != 2 or len(extra) != n or extra.dtype.kind != "f":
            raise ValueError(
                "WindowArray needs 'extra' as a 2-D float array with one row per "
                f"window ({len(self._starts)}); got shape {extra.shape} of dtype "
                f"{extra.dtype}. Pass the per-window values, or None."
            )
        extra = extra if not extra.flags.writeable else extra.view()
        extra.flags.writeable = False
        return extra

    # ----------------------------------------------------------- array-like
    @property
    def shape(self) -> tuple:
        n_extra = 0 if self._extra is None else self._extra.shape[1]
        return (len(self._starts), self.lookback, self._base.shape[1] + n_extra)

    @property
    def ndim(self) -> int:
        return 3

    @property
    def dtype(self) -> np.dtype:
        return self._base.dtype

    @property
    def base(self) -> np.ndarray:
        """The padded rows the windows are read from (read-only)."""
        return self._base

    @property
    def starts(self) -> np.ndarray:
        """Row of :attr:`base` where each window starts."""
        return self._starts

    @property
    def series(self) -> np.ndarray | None:
        """Series of each window, as a position in :attr:`series_keys` (or None)."""
        return self._series

    @property
    def extra(self) -> np.ndarray | None:
        """Per-window values repeated along each window after :attr:`base`'s."""
        return self._extra

    @property
    def nbytes(self) -> int:
        """Bytes held: the padded rows, the per-window values and positions."""
        held = self._base.nbytes + self._starts.nbytes
        for part in (self._series, self._extra):
            held += 0 if part is None else part.nbytes
        return held

    def __len__(self) -> int:
        return len(self._starts)

    def __repr__(self) -> str:
        n, lookback, n_features = self.shape
        series = "" if self.series_keys is None else f", n_series={self.n_series}"
        return (
            f"WindowArray(n_samples={n}, lookback={lookback}, "
            f"n_features={n_features}{series}, dtype={self.dtype}, "
            f"held={self.nbytes / 2**20:.1f} MiB)"
        )

    @property
    def n_series(self) -> int:
        """Number of series labels (1 for windows of one series)."""
        return 1 if self.series_keys is None else len(self.series_keys)

    def _subset(self, rows) -> WindowArray:
        out = object.__new__(WindowArray)
        out._base = self._base
        out._starts = self._starts[rows]
        out.lookback = self.lookback
        out._series = None if self._series is None else self._series[rows]
        out.series_keys = self.series_keys
        out._extra = None if self._extra is None else self._extra[rows]
        return out

    def __getitem__(self, key):
        """Window ``key`` (an int: a copy), or a lazy subset (slice, ints, mask)."""
        if isinstance(key, tuple):
            first = self[key[0]]
            rest = (slice(None), *key[1:])
            if isinstance(first, np.ndarray):  # one window: its own axes follow
                return first[key[1:]]
            return np.asarray(first)[rest]
        if isinstance(key, numbers.Integral):
            return self.take([int(key)])[0]
        if isinstance(key, slice):
            return self._subset(key)
        rows = np.asarray(key)
        if rows.dtype == bool:
            if rows.shape != (len(self),):
                raise IndexError(
                    f"A boolean mask of WindowArray needs one value per window "
                    f"({len(self)}); got shape {rows.shape}."
                )
            return self._subset(rows)
        if rows.dtype.kind not in "iu":
            raise IndexError(
                "WindowArray takes an int, a slice, an int array or a boolean mask "
                f"as index; got an array of dtype {rows.dtype}."
            )
        return self._subset(rows)

    def take(self, rows, dtype=None) -> np.ndarray:
        """Gather windows ``rows`` into a new array ``(len(rows), lookback, F)``.

        Parameters
        ----------
        rows : array-like of int
            Window positions.
        dtype : numpy dtype or None, default=None
            dtype of the result; None keeps :attr:`dtype`.

        Returns
        -------
        windows : ndarray of shape (len(rows), lookback, n_features)
            C-contiguous, writeable: a copy.
        """
        rows = np.asarray(rows, dtype=np.int64)
        index = self._starts[rows][:, None] + np.arange(self.lookback)
        out = self._base[index]
        if self._extra is not None:
            extra = self._extra[rows].astype(out.dtype, copy=False)
            shape = (len(rows), self.lookback, extra.shape[1])
            out = np.concatenate([out, np.broadcast_to(extra[:, None], shape)], 2)
        return out if dtype is None else out.astype(dtype, copy=False)

    def __array__(self, dtype=None, copy=None):
        if copy is False:
            raise ValueError(
                "WindowArray cannot give its windows without a copy (they overlap "
                "in one padded array): use np.asarray(windows) or windows.take(rows)."
            )
        return self.take(np.arange(len(self)), dtype=dtype)

    # ---------------------------------------------------------------- checks
    def complete(self) -> np.ndarray:
        """Tell which windows have no NaN, in any feature.

        Counted from one running sum over the padded rows, not window by window.

        Returns
        -------
        complete : ndarray of bool of shape (n_samples,)
            True where the whole window is finite.
        """
        bad = np.isnan(self._base).any(axis=1)
        running = np.zeros(len(bad) + 1, dtype=_count_dtype(len(bad)))
        np.cumsum(bad, out=running[1:])
        ends = running[self._starts + self.lookback]
        ends -= running[self._starts]
        if self._extra is None:
            return ends == 0
        return (ends == 0) & ~np.isnan(self._extra).any(axis=1)

    def coverage(self, rows=None) -> np.ndarray:
        """Count how many of the windows ``rows`` hold each row of :attr:`base`.

        Parameters
        ----------
        rows : array-like of int or None, default=None
            Window positions; None counts all windows.

        Returns
        -------
        counts : ndarray of int64 of shape (n_rows,)
            The multiplicity of each padded row among those windows: the weights
            that give statistics over the windows (``scale='std'``'s floor)
            without gathering them.
        """
        starts = self._starts if rows is None else self._starts[rows]
        size = len(self._base) + 1
        counts = np.bincount(starts, minlength=size)
        counts -= np.bincount(starts + self.lookback, minlength=size)
        return np.cumsum(counts[:-1], out=counts[:-1])
