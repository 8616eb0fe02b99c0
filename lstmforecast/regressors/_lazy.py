"""Fit and predict on a :class:`WindowArray`: batches gathered by index, never all.

The windows of a global model over many series are never materialised: each
mini-batch gathers its windows from the padded rows, centres / scales them and
turns them into tensors, exactly as the whole-array route does row by row (same
rows, same float64 arithmetic, same float32 tensors), so the two routes train
the same network from the same seed.
"""

from __future__ import annotations

import numpy as np
import torch

from lstmforecast._validation import check_same_rows
from lstmforecast.datasets._schema import as_written
from lstmforecast.preprocessing._lazy import WindowArray
from lstmforecast.preprocessing._panel import _plain

__all__ = ["WindowDataset", "lazy_predict", "prepare_lazy_fit"]

# windows gathered per forward pass in predict, and per chunk of statistics
_CHUNK = 4096


class WindowDataset(torch.utils.data.Dataset):
    """The training rows of a :class:`WindowArray`, as normalised tensor batches.

    ``rows`` are the windows fit learns from, ``y`` their float64 targets (one
    row each), ``series`` their series ids for an embedding (or None).
    :meth:`batch` is what the training iterator calls: one gather per batch.
    """

    def __init__(self, est, windows: WindowArray, rows, y, series=None):
        self.est = est
        self.windows = windows
        self.rows = rows
        self.y = y
        self.series = series
        self.device = "cpu"

    def __len__(self) -> int:
        return len(self.rows)

    def __getitem__(self, i):
        X, y = self.batch(np.array([i]))
        if isinstance(X, dict):
            return {k: v[0] for k, v in X.items()}, y[0]
        return X[0], y[0]

    @property
    def shape(self) -> tuple:
        """``(n_rows, *model input shape)``, read from the first row's input."""
        X, _ = self.batch(np.array([0]))
        X = X["X"] if isinstance(X, dict) else X
        return (len(self), *X.shape[1:])

    def subset(self, positions) -> WindowDataset:
        """Return the dataset of the rows at ``positions`` (a slice or ints)."""
        series = None if self.series is None else self.series[positions]
        out = WindowDataset(
            self.est, self.windows, self.rows[positions], self.y[positions], series
        )
        out.device = self.device
        return out

    def batch(self, positions):
        """Gather, normalise and convert the rows at ``positions``: ``(X, y)``."""
        if isinstance(positions, torch.Tensor):
            positions = positions.cpu().numpy()
        est = self.est
        windows = self.windows.take(self.rows[positions])
        level, spread = est._window_stats(windows)
        offset = est._target_offset(windows, level, self.y.shape[1])
        X_model = est._to_model_input(est._normalized(windows, level, spread))
        y = self.y[positions].astype(np.float64)
        if offset is not None:
            y = y - offset
        if spread is not None:
            y = y / spread[:, None]
        y = est._with_row_steps(y, spread)
        X_t = torch.as_tensor(np.ascontiguousarray(X_model, np.float32))
        y_t = torch.as_tensor(np.ascontiguousarray(y, np.float32))
        X_t, y_t = X_t.to(self.device), y_t.to(self.device)
        if self.series is None:
            return X_t, y_t
        ids = torch.as_tensor(self.series[positions]).to(self.device)
        return {"X": X_t, "series": ids}, y_t


def _check_windows(est, X: WindowArray) -> None:
    """Refuse infinity and float32 overflow in the padded rows (the windows' values)."""
    base = X.base
    if np.isinf(base).any() or (X.extra is not None and np.isinf(X.extra).any()):
        raise ValueError(
            f"The 'X' parameter of {est._owner} holds infinity in its windows; "
            "replace it with NaN (a missing value) before SlidingWindow."
        )
    if base.dtype == np.float64:
        with np.errstate(invalid="ignore"):
            big = np.nanmax(np.abs(base)) if base.size else 0.0
        if big > np.finfo(np.float32).max:
            raise ValueError(
                f"The 'X' parameter of {est._owner} has values beyond the float32 "
                f"range the network computes in (|value| up to {big:.4g}). Scale "
                "the data first (StandardScaler or MinMaxScaler before the window)."
            )


def _embedding_needs_labels(est, X) -> None:
    raise ValueError(
        f"{est._owner} has series_embedding={as_written(est.series_embedding)}, "
        "which needs the series of each row, but X is "
        + (
            "the windows of a single series"
            if isinstance(X, WindowArray)
            else f"a plain {type(X).__name__}"
        )
        + ". Pass the windows of a panel: SlidingWindow(lookback, lazy=True) on a "
        "(series, time)-indexed frame; or set series_embedding=None."
    )


def _scale_floor(X: WindowArray, rows: np.ndarray, feature: int) -> float:
    """Return 0.1 x the std of ``feature`` over the windows ``rows``, ungathered.

    The same statistic as over the stacked windows: every padded row weighted by
    how many of those windows hold it, summed in blocks of rows (two passes:
    the mean, then the squared deviations).
    """
    weights = X.coverage(rows)
    total = float(weights.sum())
    if total == 0:
        return 1.0
    blocks = range(0, len(weights), 1 << 20)

    def weighted(block, mean=None):
        w = weights[block : block + (1 << 20)]
        v = X.base[block : block + (1 << 20), feature].astype(np.float64)
        v = np.where(w > 0, v, 0.0)  # rows outside every window may be NaN
        return np.dot(w, v if mean is None else (v - mean) ** 2)

    mean = sum(weighted(b) for b in blocks) / total
    std = float(np.sqrt(sum(weighted(b, mean) for b in blocks) / total))
    floor = 0.1 * std
    return floor if floor > 0 else 1.0


def _series_ids(est, X: WindowArray, rows: np.ndarray) -> np.ndarray:
    """Learn ``series_labels_`` (the series with a training row); return their ids."""
    if X.series is None:
        _embedding_needs_labels(est, X)
    seen = np.unique(X.series[rows])
    est.series_labels_ = [X.series_keys[c] for c in seen]
    return np.searchsorted(seen, X.series[rows]).astype(np.int64)


def prepare_lazy_fit(est, X: WindowArray, y):
    """``_prepare_fit`` for windows gathered by index: ``(dataset, None, gap, n)``."""
    from lstmforecast.nn._modules import _sizes
    from lstmforecast.regressors._base import (
        _ONE_TARGET_PER_ROW,
        _check_target,
        _finite_rows,
        _resolve_device,
    )

    y = _check_target(y, est._owner, estimator=est)
    check_same_rows(est._owner, _ONE_TARGET_PER_ROW, X=X, y=y)
    _check_windows(est, X)
    est.n_features_in_ = X.shape[1]
    if hasattr(est, "feature_names_in_"):
        del est.feature_names_in_
    _sizes(est.hidden_size, "hidden_size", est._owner)
    est._y_ndim = y.ndim
    y2 = y.reshape(len(y), -1)
    rows = est._used_rows_from(X.complete(), _finite_rows(y2), len(X))
    sample = X.take(rows[:1])
    level, _ = est._window_stats(sample, fitting=True)  # checks, records _norm
    est._target_offset(sample, level, y2.shape[1])  # checks the anchor
    center, feature, scale = est._norm
    reads_history = center is not None or est._anchor is not None
    if reads_history and feature >= X.base.shape[1]:
        raise ValueError(
            f"center_feature={feature} names one of the windows' future columns "
            f"(features {X.base.shape[1]} onwards, the same at every step); "
            "center the target's own history: a window column, e.g. 0."
        )
    if scale is not None:
        est.scale_floor_ = _scale_floor(X, rows, feature)
    series = None
    if est.series_embedding is not None:
        series = _series_ids(est, X, rows)
    elif hasattr(est, "series_labels_"):
        del est.series_labels_
    dataset = WindowDataset(est, X, rows, y2[rows], series)
    est.input_shape_ = tuple(dataset.shape[1:])
    est.n_outputs_ = y2.shape[1]
    est.device_ = _resolve_device(est.device, est._owner)
    dataset.device = est.device_
    gap = est.validation_gap
    if gap is None:
        gap = est._default_gap(np.empty((0, *est.input_shape_)), est.n_outputs_)
    return dataset, None, gap, len(X)


def _predict_ids(est, X: WindowArray, rows: np.ndarray):
    """Fit's series id of each row in ``rows`` (-1: not seen in fit), or None."""
    if est.series_embedding is None and not hasattr(est, "series_labels_"):
        return None
    if X.series is None:
        _embedding_needs_labels(est, X)
    known = {key: i for i, key in enumerate(est.series_labels_)}
    per_key = np.array([known.get(k, -1) for k in X.series_keys], dtype=np.int64)
    ids = per_key[X.series[rows]]
    unseen = ids < 0
    if unseen.any() and est.unseen_series == "error":
        labels = sorted({_plain(X.series_keys[c]) for c in X.series[rows][unseen]})
        raise ValueError(
            f"{est._owner} got {len(labels)} series not seen in fit "
            f"({', '.join(labels[:3])}{', ...' if len(labels) > 3 else ''}): their "
            "series embedding was never learned. Set unseen_series='mean' to give "
            "them the mean of the learned embeddings, or refit with those series."
        )
    return ids


def lazy_predict(est, X: WindowArray):
    """Forecasts of every complete window of ``X``, ``_CHUNK`` windows at a time.

    Returns ``(out, complete)``: float64 ``(n, n_outputs)`` with NaN rows where
    the window has NaN, and the mask of complete windows.
    """
    _check_windows(est, X)
    if X.shape[1] != est.n_features_in_:
        raise ValueError(
            f"X has windows of {X.shape[1]} steps, but {est._owner} was fitted on "
            f"{est.n_features_in_}. Build the windows with the lookback of fit."
        )
    complete = X.complete()
    rows = np.flatnonzero(complete)
    ids = _predict_ids(est, X, rows)
    out = np.full((len(X), est.n_outputs_ * est._n_quantiles()), np.nan)
    module, dtype, threads = est._inference_setup(min(len(rows), _CHUNK))
    for start in range(0, len(rows), _CHUNK):
        part = rows[start : start + _CHUNK]
        windows = X.take(part)
        level, spread = est._window_stats(windows)
        X_model = est._to_model_input(est._normalized(windows, level, spread))
        est._check_model_input(X_model)
        series = None if ids is None else ids[start : start + _CHUNK]
        pred = est._run_module(module, dtype, threads, X_model, series)
        offset = est._target_offset(windows, level, est.n_outputs_)
        out[part] = est._restored(pred, offset, spread)
    return out, complete
