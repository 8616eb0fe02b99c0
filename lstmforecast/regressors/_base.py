"""The scikit-learn front shared by the network regressors; skorch trains inside."""

from __future__ import annotations

import contextlib
import copy
import inspect
import math
import numbers
import warnings

import numpy as np
import pandas as pd
import torch
from sklearn.base import BaseEstimator, RegressorMixin, _fit_context
from sklearn.utils._param_validation import Interval, StrOptions
from sklearn.utils.validation import check_is_fitted
from skorch import NeuralNetRegressor
from skorch.callbacks import (
    Callback,
    EarlyStopping,
    GradientNormClipping,
    ProgressBar,
)
from skorch.dataset import Dataset

from lstmforecast._validation import (
    PlainParamsMixin,
    check_same_rows,
    checked_array,
    refuse_renamed,
    validated_data,
)
from lstmforecast.datasets._schema import as_written
from lstmforecast.nn import (
    FittedLinearPath,
    LinearPath,
    MultiQuantileLoss,
    PinballLoss,
    ProvisioningLoss,
    QuantileHead,
    SeriesEmbedding,
)
from lstmforecast.nn._losses import RowStepProvisioningLoss, _check_levels
from lstmforecast.nn._modules import _sizes
from lstmforecast.preprocessing._lazy import WindowArray
from lstmforecast.preprocessing._panel import check_aligned
from lstmforecast.regressors._lazy import (
    WindowDataset,
    _embedding_needs_labels,
    lazy_predict,
    prepare_lazy_fit,
)
from lstmforecast.regressors._ridge_path import ridge_path, set_ridge_path

_LOSSES = {"squared_error", "absolute_error", "huber", "quantile", "provisioning"}
_OPTIMIZERS = {
    "adam": torch.optim.Adam,
    "sgd": torch.optim.SGD,
    "rmsprop": torch.optim.RMSprop,
}
# Built-in names whose ``step()`` needs no closure: the lean loop may call it bare.
_CLOSURE_FREE_OPTIMIZERS = frozenset({"adam", "sgd", "rmsprop"})
# torch's multi-tensor optimizer step (``foreach=True``): on the CPU torch's own
# default is one tensor at a time, a Python loop of a dozen small operations
# per parameter; the multi-tensor step gives bit-for-bit the same parameters
# and makes a training step of the lab's MLP about 30 % faster
# (benchmarks/bench_regressors.py). ``fused=True`` is faster still but rounds
# differently: opt in with ``optimizer_params={"fused": True}``.
_FOREACH = True
# skorch's hooks called inside an epoch, per batch: a callback using one needs
# skorch's own loop.
_BATCH_HOOKS = ("on_batch_begin", "on_batch_end", "on_grad_computed")
# n_threads='auto': one thread below this work per batch (parameters x rows x
# time steps: about the multiply-adds of a batch's forward pass). Chosen from
# benchmarks/bench_threads.py (user guide, section 5).
_AUTO_THREADS_MIN_WORK = 32_000_000
# Rows per forward pass in predict.
_PREDICT_BATCH = 4096
_FLOAT32_MAX = float(np.finfo(np.float32).max)
_X_SHAPES = "2-D (n_samples, lookback) or 3-D (n_samples, lookback, n_features)"
_ONE_TARGET_PER_ROW = "Pass one target row per row of X."


class _TensorBatches:
    """Mini-batches sliced from whole tensors: one gather per batch, no per-item work.

    skorch's default ``DataLoader`` fetches and collates every sample in Python;
    slicing the tensors directly makes a batch cost one indexing operation. A
    dataset of lazy windows (``WindowDataset``) gathers each batch itself.
    Shuffling draws from torch's global generator, which ``fit`` seeds;
    ``limit`` (``windows_per_epoch``) keeps the first ``limit`` rows of each
    epoch's shuffled order: a new random sample every epoch.
    """

    def __init__(self, dataset, batch_size=32, shuffle=False, limit=None):
        self.dataset = dataset
        self.lazy = hasattr(dataset, "batch")
        self.X = None if self.lazy else dataset.X
        self.y = None if self.lazy else dataset.y
        self.batch_size = batch_size
        self.shuffle = shuffle
        self.limit = limit

    def _n_rows(self) -> int:
        n = len(self.dataset) if self.lazy else len(self.X)
        return n if self.limit is None else min(n, self.limit)

    def __len__(self):
        return math.ceil(self._n_rows() / self.batch_size)

    def __iter__(self):
        n = len(self.dataset) if self.lazy else len(self.X)
        device = "cpu" if self.lazy else self.X.device
        order = torch.randperm(n, device=device) if self.shuffle else None
        if self.limit is not None and self.limit < n:
            order = (torch.arange(n) if order is None else order)[: self.limit]
            n = self.limit
        for start in range(0, n, self.batch_size):
            rows = (
                order[start : start + self.batch_size]
                if order is not None
                else slice(start, start + self.batch_size)
            )
            if self.lazy:
                yield self.dataset.batch(rows)
            else:
                yield self.X[rows], (None if self.y is None else self.y[rows])


class _LeanNet(NeuralNetRegressor):
    """skorch net whose training epochs skip the per-batch bookkeeping.

    skorch notifies callbacks, records history and wraps the step in a closure for
    every batch: about 0.1 ms per step, 8 % of the lab's LSTM fit. Only built when
    that loop provably does the same (``_BaseNetRegressor._lean_loop_allowed``: a
    built-in optimizer whose step takes no closure, only epoch-level callbacks,
    no gradient clipping, no progress bar), an epoch here is the plain loop, and
    one history row per epoch keeps ``train_loss`` exactly what skorch would
    report. Validation epochs and everything else are skorch's own.
    """

    def run_single_epoch(self, iterator, training, prefix, step_fn, **fit_params):
        """Train one epoch with a plain loop; defer to skorch for anything else."""
        if iterator is None or not training or fit_params:
            return super().run_single_epoch(
                iterator, training, prefix, step_fn, **fit_params
            )
        self._set_training(True)
        module, criterion, optimizer = self.module_, self.criterion_, self.optimizer_
        total, n_rows, n_batches = 0.0, 0, 0
        for Xi, yi in iterator:
            optimizer.zero_grad()
            out = module(**Xi) if isinstance(Xi, dict) else module(Xi)
            loss = criterion(out, yi)
            loss.backward()
            optimizer.step()
            total += loss.item() * len(yi)
            n_rows += len(yi)
            n_batches += 1
        self.history.new_batch()
        self.history.record_batch(prefix + "_loss", total / n_rows)
        self.history.record_batch(prefix + "_batch_size", n_rows)
        self.history.record(prefix + "_batch_count", n_batches)


class _TailSplit:
    """Validation on the *latest* rows, after a gap: never skorch's earliest 20 %."""

    def __init__(self, fraction: float, gap: int):
        self.fraction = fraction
        self.gap = gap

    def sizes(self, n: int) -> tuple[int, int]:
        """Return ``(n_train, n_valid)`` for ``n`` rows (``n_train`` may be < 1)."""
        n_valid = max(1, math.ceil(self.fraction * n))
        return n - n_valid - self.gap, n_valid

    def __call__(self, dataset, y=None, groups=None):
        n = len(dataset)
        n_train, n_valid = self.sizes(n)
        if n_train < 1:
            raise ValueError(
                f"validation_fraction={self.fraction} and a gap of {self.gap} rows "
                f"leave no training rows out of n_samples={n}. Lower "
                "'validation_fraction' or 'validation_gap', or pass more data."
            )
        if hasattr(dataset, "subset"):  # lazy windows
            return dataset.subset(slice(0, n_train)), dataset.subset(
                slice(n - n_valid, n)
            )
        X, y = dataset.X, dataset.y
        train = Dataset(X[:n_train], None if y is None else y[:n_train])
        valid = Dataset(X[n - n_valid :], None if y is None else y[n - n_valid :])
        return train, valid


def _resolve_device(device: str, owner: str) -> str:
    if device == "auto":
        return "cuda" if torch.cuda.is_available() else "cpu"
    try:
        torch.device(device)
    except (RuntimeError, TypeError, ValueError):
        raise ValueError(
            f"The 'device' parameter of {owner} must be a torch device such as "
            f"'cpu', 'cuda', 'cuda:1' or 'auto'. Got {as_written(device)} instead."
        ) from None
    if device.startswith("cuda") and not torch.cuda.is_available():
        raise ValueError(
            f"The 'device' parameter is {device!r} but torch sees no CUDA GPU "
            f"(torch {torch.__version__}). Use device='cpu', or 'auto' to take a GPU "
            "only when there is one."
        )
    return device


def _check_same_index(X, y, owner: str) -> None:
    """Refuse pandas ``X`` and ``y`` whose rows are not the same rows."""
    check_aligned(X, y, owner)


def _check_target(y, owner: str, estimator=None) -> np.ndarray:
    """Validate a 1-D or 2-D float target; NaN kept (rows to skip), inf refused."""
    if y is None:  # sklearn's wording, which its estimator checks look for
        raise ValueError(
            f"This {owner} estimator requires y to be passed, but the target y is "
            "None. Pass the targets, 1-D or one column per output."
        )
    y = checked_array(
        y,
        name="y",
        owner=owner,
        expected="1-D or 2-D (n_samples, n_outputs)",
        ensure_2d=False,
        ensure_all_finite=False,
        dtype=[np.float64, np.float32],
        estimator=estimator,
    )
    if np.isinf(y).any():
        row = int(np.flatnonzero(np.isinf(y.reshape(len(y), -1)).any(axis=1))[0])
        raise ValueError(
            f"The 'y' parameter of {owner} must be finite or NaN (NaN marks a "
            f"target to skip); got infinity (first in row {row}). Replace it with "
            "NaN to skip the row, or with a finite value."
        )
    return y


def _finite_rows(values: np.ndarray) -> np.ndarray:
    """Rows of a float array (any number of axes) without NaN."""
    return ~np.isnan(values.reshape(len(values), -1)).any(axis=1)


def _check_float32_range(values, name: str, owner: str, feature_names=None):
    """Refuse finite values that float32, the network's dtype, would make infinite.

    ``values`` is a validated float array; 2-D columns are named by
    ``feature_names`` when given, 3-D values by feature and window step.
    """
    if values.dtype != np.float64:  # float32 input holds float32 values only
        return
    with np.errstate(invalid="ignore"):
        beyond = np.abs(values) > _FLOAT32_MAX
    if not beyond.any():
        return
    first = tuple(int(i) for i in np.argwhere(beyond)[0])
    where = f"row {first[0]}"
    if values.ndim == 2:
        col = first[1]
        label = f"column {col}"
        if feature_names is not None:
            label = f"column {str(feature_names[col])!r} (index {col})"
        where = f"{label}, {where}"
    elif values.ndim == 3:
        where = f"feature {first[2]} at window step {first[1]}, {where}"
    raise ValueError(
        f"The '{name}' parameter of {owner} has {int(beyond.sum())} value(s) "
        f"beyond the float32 range the network computes in (|value| > "
        f"{_FLOAT32_MAX:.4g}); got {values[first]:.4g} first, in {where}. Scale "
        "the data first (StandardScaler or MinMaxScaler in a Pipeline, "
        "TransformedTargetRegressor for y)."
    )


class UnscaledTargetWarning(UserWarning):
    """The network is trained on targets far larger than its outputs start at.

    Raised by ``fit`` of :class:`LSTMRegressor` / :class:`MLPRegressor` when the
    root mean square of the targets the network learns (after ``center``,
    ``anchor`` and ``scale``) exceeds 100: the output layer starts near 0 and
    its weights move about ``lr`` per step, so on raw traffic (thousands of
    units) the forecasts stay far too small. Fix it with ``center="last",
    scale="std"`` (level-free windows), or scale ``y`` (a
    ``TransformedTargetRegressor`` with a ``StandardScaler``); silence it with
    ``warnings.filterwarnings("ignore", category=UnscaledTargetWarning)``.

    Examples
    --------
    >>> import warnings
    >>> import numpy as np
    >>> from lstmforecast.regressors import LSTMRegressor, UnscaledTargetWarning
    >>> from lstmforecast.preprocessing import make_windows
    >>> traffic = 3000 + np.random.default_rng(0).normal(size=70)  # raw units
    >>> X, y = make_windows(traffic, lookback=6)
    >>> with warnings.catch_warnings(record=True) as caught:
    ...     warnings.simplefilter("always")
    ...     _ = LSTMRegressor(3, max_epochs=1).fit(X, y.ravel())
    >>> caught[0].category.__name__
    'UnscaledTargetWarning'
    >>> level_free = LSTMRegressor(3, max_epochs=1, center="last", scale="std")
    >>> with warnings.catch_warnings(record=True) as caught:
    ...     warnings.simplefilter("always")
    ...     _ = level_free.fit(X, y.ravel())
    >>> len(caught)
    0
    """


# The root mean square of the network's targets above which fit warns.
_UNSCALED_RMS = 100.0


def _warn_if_unscaled(owner: str, X_model, y2) -> None:
    """Warn when the targets the network learns are far beyond its outputs' scale."""
    if y2 is None:  # lazy windows: a sample of the first training rows
        n = min(len(X_model), _PREDICT_BATCH)
        y2 = X_model.batch(np.arange(n))[1].cpu().numpy()
    rms = float(np.sqrt(np.mean(np.square(y2, dtype=np.float64))))
    if not rms > _UNSCALED_RMS:
        return
    warnings.warn(
        f"{owner} is trained on targets of root mean square {rms:,.4g} (after "
        "center / anchor / scale): its outputs start near 0 and move about 'lr' "
        "per step, so its forecasts may stay far too small. Set center='last', "
        "scale='std' (level-free windows), or scale y (TransformedTargetRegressor "
        "with a StandardScaler).",
        UnscaledTargetWarning,
        stacklevel=3,
    )


def _is_epoch_level(callback) -> bool:
    """Whether a callback opted in to the lean loop and has no batch hooks.

    The opt-in is the class attribute ``epoch_level = True`` (as on
    ``EpochProgress``), looked up on the class: an instance ``__getattr__``
    cannot opt in by accident. A class that overrides one of skorch's per-batch
    hooks keeps skorch's loop even with the attribute.
    """
    cls = callback if isinstance(callback, type) else type(callback)
    if inspect.getattr_static(cls, "epoch_level", False) is not True:
        return False
    return all(
        getattr(cls, hook, None) is getattr(Callback, hook) for hook in _BATCH_HOOKS
    )


def _optimizer_kwargs(
    optimizer, weight_decay: float, extra=None, owner: str = "LSTMRegressor"
) -> dict:
    """Return the ``optimizer__*`` arguments: ``weight_decay`` only when set.

    ``extra`` (``optimizer_params``) adds keyword arguments of the optimizer
    (SGD's ``momentum``...), each checked against its signature. torch's own
    optimizers get ``foreach=True`` unless ``extra`` sets ``foreach`` or
    ``fused``: torch picks its per-tensor loop on the CPU, and the multi-tensor
    step gives bit-for-bit the same parameters (``_FOREACH``).
    """
    params = inspect.signature(optimizer).parameters
    takes_kwargs = any(p.kind is p.VAR_KEYWORD for p in params.values())
    name = getattr(optimizer, "__name__", optimizer)
    out = {}
    if weight_decay != 0:
        if "weight_decay" not in params and not takes_kwargs:
            raise ValueError(
                f"weight_decay={weight_decay} but the optimizer {name!r} takes no "
                "'weight_decay' argument. Set weight_decay=0, or use an optimizer "
                "that has one ('adam', 'sgd', 'rmsprop')."
            )
        out["optimizer__weight_decay"] = weight_decay
    for key, value in (extra or {}).items():
        own = {"lr": "lr", "params": None, "weight_decay": "weight_decay"}
        if not isinstance(key, str) or key in own:
            raise ValueError(
                f"The 'optimizer_params' parameter of {owner} sets {key!r}, which "
                + (
                    f"is the estimator's own '{own[key]}' parameter: set that one."
                    if own.get(key)
                    else "the optimizer cannot take: give keyword arguments "
                    "of the optimizer such as {'momentum': 0.9}."
                )
            )
        if key not in params and not takes_kwargs:
            known = sorted(k for k in params if k not in own)
            raise ValueError(
                f"The 'optimizer_params' parameter of {owner} sets {key!r}, which "
                f"the optimizer {name!r} does not take (it takes {known}). Use "
                "one of those, or another optimizer."
            )
        out[f"optimizer__{key}"] = value
    if (
        _FOREACH
        and "foreach" in params
        and getattr(optimizer, "__module__", "").startswith("torch.optim")
        and not {"foreach", "fused"} & set(extra or {})
    ):
        out["optimizer__foreach"] = True
    return out


def _resolve_threads(n_threads, work: int, device: str) -> int:
    """Return the torch threads for a pass of ``work`` (``_thread_work``).

    'auto' takes 1 thread below ``_AUTO_THREADS_MIN_WORK`` on the CPU and
    torch's current setting otherwise: it never raises that setting, which
    joblib workers limit. None keeps torch's setting; an int is used as given.
    """
    current = torch.get_num_threads()
    if n_threads is None:
        return current
    if n_threads == "auto":
        small = work < _AUTO_THREADS_MIN_WORK and not device.startswith("cuda")
        return 1 if small else current
    return int(n_threads)


@contextlib.contextmanager
def _torch_threads(n: int):
    """Run the block on ``n`` torch intra-op threads, then restore the setting."""
    before = torch.get_num_threads()
    try:
        if n != before:
            torch.set_num_threads(n)
        yield
    finally:
        if torch.get_num_threads() != before:
            torch.set_num_threads(before)


class _BaseNetRegressor(PlainParamsMixin, RegressorMixin, BaseEstimator):
    """Fit / predict / summary of a torch network trained by a fresh skorch net.

    Subclasses set ``_owner`` and define ``_to_model_input(X)`` (validated array to
    the module's input array), ``_build_module(X_model, n_outputs)`` and
    ``_default_gap(X_model, n_outputs)``.
    """

    def __new__(cls, *args, **kwargs):
        """Refuse the renamed ``alpha`` / ``beta`` before ``__init__`` sees them."""
        refuse_renamed(cls.__name__, kwargs)
        return super().__new__(cls)

    _common_constraints = {
        "dropout": [Interval(numbers.Real, 0, 1, closed="left")],
        "loss": [StrOptions(_LOSSES)],
        "quantile": [Interval(numbers.Real, 0, 1, closed="neither")],
        "huber_delta": [Interval(numbers.Real, 0, None, closed="neither")],
        "over_cost": [Interval(numbers.Real, 0, None, closed="left")],
        "under_cost": [Interval(numbers.Real, 0, None, closed="left")],
        "capacity_step": [Interval(numbers.Real, 0, None, closed="neither"), None],
        "optimizer": [StrOptions(set(_OPTIMIZERS)), type],
        "optimizer_params": [dict, None],
        "lr": [Interval(numbers.Real, 0, None, closed="neither")],
        "batch_size": [Interval(numbers.Integral, 1, None, closed="left")],
        "max_epochs": [Interval(numbers.Integral, 1, None, closed="left")],
        "early_stopping": ["boolean"],
        "validation_fraction": [Interval(numbers.Real, 0, 1, closed="neither")],
        "validation_gap": [Interval(numbers.Integral, 0, None, closed="left"), None],
        "patience": [Interval(numbers.Integral, 1, None, closed="left")],
        "gradient_clip": [Interval(numbers.Real, 0, None, closed="neither"), None],
        "weight_decay": [Interval(numbers.Real, 0, None, closed="left")],
        "random_state": ["random_state"],
        "device": [str],
        "verbose": [Interval(numbers.Integral, 0, 2, closed="both")],
        "callbacks": [list, None],
        "n_threads": [
            Interval(numbers.Integral, 1, None, closed="left"),
            StrOptions({"auto"}),
            None,
        ],
        "center": [StrOptions({"last", "mean"}), None],
        "center_feature": [Interval(numbers.Integral, 0, None, closed="left")],
        "scale": [StrOptions({"std"}), None],
        "windows_per_epoch": [Interval(numbers.Integral, 1, None, closed="left"), None],
        "series_embedding": [Interval(numbers.Integral, 1, None, closed="left"), None],
        "unseen_series": [StrOptions({"error", "mean"})],
        "predict_dtype": [StrOptions({"float32", "float64"}), None],
        "anchor": [Interval(numbers.Integral, 1, None, closed="left"), None],
        "linear_path": ["boolean", StrOptions({"ridge"})],
        "quantiles": [list, tuple, None],
        "nonnegative": ["boolean"],
    }

    # ------------------------------------------------------------ validation
    def _validate_X(self, X, reset=True):
        """Validate X; return a float array, NaN rows kept for now."""
        X = validated_data(
            self,
            X,
            expected=_X_SHAPES,
            reset=reset,
            dtype=[np.float32, np.float64],
            ensure_all_finite="allow-nan",
            allow_nd=True,
        )
        if X.ndim > 3:
            raise ValueError(
                f"{self._owner} takes 2-D or 3-D X; got {X.ndim}-D, shape {X.shape}."
            )
        return X

    def _validate_fit_data(self, X, y):
        """Validate X as in predict and y on its own: sklearn refuses NaN in y."""
        _check_same_index(X, y, self._owner)
        X = self._validate_X(X, reset=True)
        y = _check_target(y, self._owner, estimator=self)
        check_same_rows(self._owner, _ONE_TARGET_PER_ROW, X=X, y=y)
        _check_float32_range(X, "X", self._owner, self._feature_names())
        _check_float32_range(y, "y", self._owner)
        return X, y

    def _feature_names(self):
        return getattr(self, "feature_names_in_", None)

    def _used_rows(self, X: np.ndarray, y2: np.ndarray):
        """Keep the rows fit learns from: a complete X row and a complete y row."""
        used = self._used_rows_from(_finite_rows(X), _finite_rows(y2), len(X))
        if len(used) == len(X):
            return X, y2
        return X[used], y2[used]

    def _used_rows_from(self, complete_X, complete_y, n: int) -> np.ndarray:
        """Positions of the rows with a complete X row and y row; count the others."""
        used = complete_X & complete_y
        self.n_skipped_ = int((~used).sum())
        self.n_skipped_target_ = int((complete_X & ~complete_y).sum())
        if not complete_X.any():
            raise ValueError(
                f"Every row of X has NaN ({n} rows), so {self._owner} has nothing "
                "to learn from. Rows need complete windows / lags: give more history, "
                "or fill the missing values."
            )
        if not used.any():
            raise ValueError(
                f"Every row of y with a complete X row has NaN ({n} rows: "
                f"{self.n_skipped_target_} with NaN in y, the others NaN in X), so "
                f"{self._owner} has nothing to learn from. Each row needs its whole "
                "target: pass data that reaches past the last target step (or fewer "
                "target columns), or fill the missing values."
            )
        return np.flatnonzero(used)

    def _check_model_input(self, X_model: np.ndarray) -> None:
        if X_model.shape[1:] != self.input_shape_:
            raise ValueError(
                f"X has windows of shape {X_model.shape[1:]} but {self._owner} was "
                f"fitted on {self.input_shape_} (lookback, features). Build the "
                "windows as in fit."
            )

    def _window_stats(self, X: np.ndarray, fitting: bool = False):
        """Per-row level and spread of ``center_feature`` (None when not used).

        ``fit`` records the normalisation it trained with (``_norm``); ``predict``
        uses that record, not parameters changed with ``set_params`` since.
        """
        if fitting:
            self._norm = (self.center, self.center_feature, self.scale)
            self._anchor = None if self.anchor is None else int(self.anchor)
            self._quantiles = (
                None
                if self.quantiles is None
                else _check_levels(self.quantiles, self._owner)
            )
            if self.scale is None and hasattr(self, "scale_floor_"):
                del self.scale_floor_  # from an earlier fit with scale='std'
        center, center_feature, scale = self._norm
        if center is None:
            if scale is not None:
                raise ValueError(
                    f"scale={scale!r} needs a center: the window is divided by "
                    "its spread after its level is taken off. Set center='last' "
                    "(or 'mean'), or scale=None."
                )
            return None, None
        n_features = X.shape[2] if X.ndim == 3 else 1
        if center_feature >= n_features:
            raise ValueError(
                f"center_feature={center_feature} but X has {n_features} "
                f"feature(s) per time step (X.shape={X.shape}; 2-D X is one "
                "feature). Give the index of the target's own history, in "
                f"[0, {n_features - 1}]."
            )
        history = (X[:, :, center_feature] if X.ndim == 3 else X).astype(np.float64)
        if center == "last":
            level = history[:, -1]
        else:
            level = history.mean(axis=1)
        if scale is None:
            return level, None
        if fitting:  # fit passes only the rows it learns from: all complete
            floor = 0.1 * float(history.std()) if history.size else 0.0
            self.scale_floor_ = floor if floor > 0 else 1.0
        spread = np.maximum(history.std(axis=1), self.scale_floor_)
        return level, spread

    def _normalized(self, X: np.ndarray, level, spread) -> np.ndarray:
        """X with ``center_feature`` centred (and scaled): a copy, or X itself."""
        if level is None:
            return X
        X = np.array(X, dtype=np.float64)
        center_feature = self._norm[1]
        history = X[:, :, center_feature] if X.ndim == 3 else X
        history -= level[:, None]
        if spread is not None:
            history /= spread[:, None]
        return X

    def _target_offset(self, X: np.ndarray, level, n_outputs: int):
        """Return what is taken off each target column (and added back after).

        The window's level for every column (``center``), or with ``anchor`` the
        value ``anchor`` steps before each column's step (column ``h`` is the
        value ``h`` steps after the row's), read from the window. None: nothing.
        """
        anchor = getattr(self, "_anchor", None)
        if anchor is None:
            return None if level is None else level[:, None]
        history = X[:, :, self._norm[1]] if X.ndim == 3 else X
        lookback = history.shape[1]
        if not n_outputs <= anchor <= lookback:
            raise ValueError(
                f"anchor={anchor} needs windows of at least {anchor} steps and at "
                f"most {anchor} target columns (each step's value {anchor} steps "
                f"back must be in the window); got windows of {lookback} steps "
                f"and {n_outputs} target column(s). Use an anchor in "
                f"[{n_outputs}, {lookback}], a longer window, or fewer steps."
            )
        return history[:, lookback - anchor + np.arange(n_outputs)].astype(np.float64)

    # ------------------------------------------------------------- training
    def _criterion(self):
        if self.capacity_step is not None and self.loss != "provisioning":
            raise ValueError(
                f"capacity_step={as_written(self.capacity_step)} is the step of "
                f"loss='provisioning', but loss={self.loss!r}. Set "
                "loss='provisioning' (or capacity_step=None)."
            )
        if self.quantiles is not None:
            if self.loss != "quantile":
                raise ValueError(
                    f"quantiles={as_written(self.quantiles)} trains the pinball loss "
                    f"of each quantile, but loss={self.loss!r}. Set loss='quantile' "
                    "(or quantiles=None)."
                )
            return MultiQuantileLoss, {"criterion__quantiles": list(self._quantiles)}
        if self.loss == "squared_error":
            return torch.nn.MSELoss, {}
        if self.loss == "absolute_error":
            return torch.nn.L1Loss, {}
        if self.loss == "huber":
            return torch.nn.HuberLoss, {"criterion__delta": float(self.huber_delta)}
        if self.loss == "provisioning":
            if self.over_cost + self.under_cost == 0:
                raise ValueError(
                    "loss='provisioning' needs a positive 'over_cost' or 'under_cost' "
                    "(both are 0, so every forecast would cost nothing)."
                )
            prices = {
                "criterion__alpha": float(self.over_cost),
                "criterion__beta": float(self.under_cost),
            }
            if self.capacity_step is not None:
                return RowStepProvisioningLoss, prices
            return ProvisioningLoss, prices
        return PinballLoss, {"criterion__quantile": float(self.quantile)}

    def _callbacks(self, gap: int):
        callbacks = []
        if self.early_stopping:
            callbacks.append(
                (
                    "early_stopping",
                    EarlyStopping(patience=self.patience, load_best=True),
                )
            )
        if self.gradient_clip is not None:
            callbacks.append(
                (
                    "gradient_clip",
                    GradientNormClipping(gradient_clip_value=self.gradient_clip),
                )
            )
        if self.verbose == 2:
            callbacks.append(("progress", ProgressBar()))
        for i, cb in enumerate(self.callbacks or []):
            callbacks.append(cb if isinstance(cb, tuple) else (f"user_{i}", cb))
        return callbacks

    @_fit_context(prefer_skip_nested_validation=True)
    def fit(self, X, y):
        """Train a fresh network on ``X`` and ``y``.

        Parameters
        ----------
        X : array-like of shape (n_samples, ...)
            Inputs (see the class docstring). Rows with NaN (incomplete history)
            are skipped; how many is kept in ``n_skipped_``.
        y : array-like of shape (n_samples,) or (n_samples, n_outputs)
            Targets: one column per output, such as the steps of a multi-step
            target (column 0 the row's own one-step value, column h the value h
            steps later). NaN is allowed and marks a target that is not in the
            data (the future after the series ends): rows whose ``y`` row holds
            NaN are skipped like rows whose window does, and counted in
            ``n_skipped_`` (``n_skipped_target_`` for those skipped because of
            ``y`` only). Infinity is an error. With pandas ``X`` and ``y`` the
            indexes must be equal.

        Returns
        -------
        self : estimator
            The fitted regressor.
        """
        X_model, y2, gap, n_rows = self._prepare_fit(X, y)
        _warn_if_unscaled(self._owner, X_model, y2)
        self._train(X_model, y2, gap)
        self.n_params_ = sum(p.numel() for p in self.net_.module_.parameters())
        self.history_ = self._history_frame()
        if self.verbose and self.n_skipped_:
            print(
                f"{self._owner}: skipped {self.n_skipped_} of {n_rows} rows with NaN "
                f"({self.n_skipped_ - self.n_skipped_target_} in X: incomplete "
                f"history; {self.n_skipped_target_} in y only: target not in the "
                "data)."
            )
        return self

    def _prepare_fit(self, X, y):
        """Everything ``fit`` does before training; return the training arrays.

        Returns ``(X_model, y2, gap, n_rows)`` and sets what fit learns from the
        data itself (``n_skipped_``, ``input_shape_``, ``n_outputs_``, ``device_``
        ...). ``FleetRegressor`` prepares each member with it. Lazy windows
        (a :class:`WindowArray`) give a dataset that gathers each batch in
        place of ``X_model`` (``y2`` is then None).
        """
        if isinstance(X, WindowArray):
            return prepare_lazy_fit(self, X, y)
        if self.series_embedding is not None:
            _embedding_needs_labels(self, X)
        if hasattr(self, "series_labels_"):
            del self.series_labels_
        X, y = self._validate_fit_data(X, y)
        _sizes(self.hidden_size, "hidden_size", self._owner)
        self._y_ndim = y.ndim
        X_used, y_used = self._used_rows(X, y.reshape(len(y), -1))
        X_model, y2 = self._training_arrays(X_used, y_used)
        self.input_shape_ = tuple(X_model.shape[1:])
        self.n_outputs_ = y_used.shape[1]  # y2 may carry the steps too
        self.device_ = _resolve_device(self.device, self._owner)
        gap = self.validation_gap
        if gap is None:
            gap = self._default_gap(X_model, self.n_outputs_)
        return X_model, y2, gap, len(X)

    def _torch_seed(self) -> int:
        """Return the seed of torch's generators in ``fit`` (weights, shuffles...)."""
        return np.random.RandomState(self.random_state).randint(2**31 - 1)

    def _training_arrays(self, X: np.ndarray, y2: np.ndarray):
        """Normalised model input and float32 targets of the rows fit uses.

        Everything fit learns from the data (``scale_floor_`` included) is computed
        here, from these rows only: NaN rows skipped in ``fit`` leave no trace.
        """
        level, spread = self._window_stats(X, fitting=True)
        offset = self._target_offset(X, level, y2.shape[1])
        X_model = self._to_model_input(self._normalized(X, level, spread))
        y2 = y2.astype(np.float64)
        if offset is not None:
            y2 = y2 - offset
        if spread is not None:
            y2 = y2 / spread[:, None]
        return X_model, self._with_row_steps(y2, spread).astype(np.float32)

    def _with_row_steps(self, y2: np.ndarray, spread) -> np.ndarray:
        """Return the targets, with each row's capacity step as a last column.

        Only with ``capacity_step`` (``RowStepProvisioningLoss`` reads it): the
        step in each row's normalised units, ``capacity_step / spread``.
        """
        if getattr(self, "capacity_step", None) is None:
            return y2
        steps = np.full(len(y2), float(self.capacity_step))
        if spread is not None:
            steps = steps / spread
        return np.column_stack([y2, steps])

    def _train(self, X_model: np.ndarray, y2: np.ndarray, gap: int) -> None:
        """Build ``net_`` and train it, seeded, on the chosen torch threads."""
        seed = self._torch_seed()
        on_gpu = self.device_.startswith("cuda")
        devices = [torch.device(self.device_).index or 0] if on_gpu else []
        with torch.random.fork_rng(devices=devices):
            if on_gpu:
                torch.manual_seed(seed)  # the CPU's and every GPU's generators
                torch.cuda.manual_seed(seed)
            else:  # torch.manual_seed would also queue seeds for GPUs not used
                torch.default_generator.manual_seed(seed)
            self.net_ = self._build_net(X_model, gap)
            if hasattr(self, "linear_path_alpha_"):
                del self.linear_path_alpha_  # from an earlier fit
            if self.linear_path == "ridge":
                self._fit_ridge_path(X_model, y2, gap)
            n_params = sum(p.numel() for p in self.net_.module.parameters())
            work = self._thread_work(n_params, min(self.batch_size, len(X_model)))
            self.n_threads_ = _resolve_threads(self.n_threads, work, self.device_)
            with _torch_threads(self.n_threads_):
                if isinstance(X_model, WindowDataset):
                    self.net_.fit(X_model, None)
                    return
                X_t = torch.as_tensor(np.ascontiguousarray(X_model, np.float32))
                y_t = torch.as_tensor(np.ascontiguousarray(y2))
                self.net_.fit(X_t.to(self.device_), y_t.to(self.device_))

    def _fit_ridge_path(self, X_model, y2, gap: int) -> None:
        """Fit ``linear_path='ridge'`` on the rows the network trains on.

        With early stopping, the validation tail and its gap are left out (the
        split of ``_TailSplit``): the linear model never sees the rows that
        judge the network. Sets ``linear_path_alpha_``.
        """
        n_fit = len(X_model)
        if self.early_stopping:
            n_fit = _TailSplit(self.validation_fraction, gap).sizes(n_fit)[0]
        if n_fit < 1:  # _TailSplit names the parameters to change
            return
        targets = None if y2 is None else y2[:, : self.n_outputs_]
        weight, bias, alpha = ridge_path(X_model, targets, n_fit, self.n_outputs_)
        set_ridge_path(self.net_.module, weight, bias)
        self.linear_path_alpha_ = float(alpha[0]) if len(alpha) == 1 else alpha

    def _thread_work(self, n_params: int, rows: int) -> int:
        """Parameters x rows x time steps: about a batch's forward multiply-adds.

        A recurrent network reads a row of shape ``(lookback, features)`` step by
        step, applying its weights ``lookback`` times; a flat row is one step.
        """
        steps = self.input_shape_[0] if len(self.input_shape_) == 2 else 1
        return n_params * rows * steps

    def _history_frame(self) -> pd.DataFrame:
        """Tabulate skorch's history: one row per epoch, the usual columns first."""
        history = pd.DataFrame(
            [
                {k: v for k, v in row.items() if k != "batches"}
                for row in self.net_.history
            ]
        )
        first = [
            c for c in ("epoch", "train_loss", "valid_loss", "dur") if c in history
        ]
        return history[first + [c for c in history if c not in first]]

    def _lean_loop_allowed(self) -> bool:
        """Whether ``_LeanNet``'s plain loop provably trains as skorch's would.

        Only for a built-in optimizer whose step takes no closure (an optimizer
        class may need one, as ``torch.optim.LBFGS`` does), user callbacks that
        are all epoch-level (``_is_epoch_level``), no gradient clipping and no
        progress bar: nothing then needs skorch's per-batch hooks or closure.
        """
        if not (
            isinstance(self.optimizer, str)
            and self.optimizer in _CLOSURE_FREE_OPTIMIZERS
        ):
            return False
        if self.gradient_clip is not None or self.verbose == 2:
            return False
        return all(
            _is_epoch_level(cb[1] if isinstance(cb, tuple) else cb)
            for cb in self.callbacks or []
        )

    def _check_training_objects(self) -> None:
        """Refuse an optimizer class or callbacks that skorch could not use."""
        optimizer = self.optimizer
        if isinstance(optimizer, type) and not issubclass(
            optimizer, torch.optim.Optimizer
        ):
            raise ValueError(
                f"The 'optimizer' parameter of {self._owner} must be 'adam', 'sgd', "
                "'rmsprop' or a torch.optim.Optimizer class. Got the class "
                f"{optimizer.__name__} instead."
            )
        for i, cb in enumerate(self.callbacks or []):
            entry = cb if isinstance(cb, tuple) else ("user", cb)
            ok = len(entry) == 2 and isinstance(entry[0], str)
            callback = entry[-1] if entry else None
            # skorch takes any object with initialize(), or a class of them
            if not ok or not callable(getattr(callback, "initialize", None)):
                raise ValueError(
                    f"The 'callbacks' parameter of {self._owner} must list skorch "
                    "callbacks (such as skorch.callbacks.Callback instances) or "
                    f"(name, callback) pairs; item {i} is {as_written(cb)[:60]}."
                )

    def _build_net(self, X_model, gap):
        self._check_training_objects()
        criterion, criterion_params = self._criterion()
        optimizer = _OPTIMIZERS.get(self.optimizer, self.optimizer)
        optimizer_params = _optimizer_kwargs(
            optimizer, self.weight_decay, self.optimizer_params, self._owner
        )
        module = self._module_for(X_model)
        net_class = _LeanNet if self._lean_loop_allowed() else NeuralNetRegressor
        return net_class(
            module=module,
            criterion=criterion,
            optimizer=optimizer,
            lr=self.lr,
            batch_size=self.batch_size,
            max_epochs=self.max_epochs,
            train_split=(
                _TailSplit(self.validation_fraction, gap)
                if self.early_stopping
                else None
            ),
            iterator_train=_TensorBatches,
            iterator_train__shuffle=True,
            iterator_train__limit=self.windows_per_epoch,
            iterator_valid=_TensorBatches,
            iterator_valid__batch_size=max(self.batch_size, 4096),
            callbacks=self._callbacks(gap),
            # skorch tabulates every epoch for PrintLog even when it prints
            # nothing: only built when verbose=1 prints its table
            **({} if self.verbose == 1 else {"callbacks__print_log": None}),
            device=self.device_,
            verbose=int(self.verbose == 1),
            **criterion_params,
            **optimizer_params,
        )

    def _module_for(self, X_model):
        """Build the module to train: the network, in a series embedding if asked."""
        dim, q = self.series_embedding, self._n_quantiles()
        outputs = self.n_outputs_ * q
        if dim is None:
            module = self._build_module(X_model, outputs)
        else:
            shape = (0, *self.input_shape_[:-1], self.input_shape_[-1] + int(dim))
            inner = self._build_module(np.empty(shape, np.float32), outputs)
            # unseen series are refused or given the mean by predict (unseen_series)
            module = SeriesEmbedding(inner, len(self.series_labels_), int(dim), "mean")
        n_inputs = int(np.prod(self.input_shape_))
        if self.linear_path == "ridge":  # the quantiles are its own
            point = self._point_quantile()
            return FittedLinearPath(module, n_inputs, self.n_outputs_, q, point)
        if self.linear_path:
            module = LinearPath(module, n_inputs, outputs)
        if getattr(self, "_quantiles", None) is not None:
            module = QuantileHead(module, q)
        return module

    # ------------------------------------------------------------ prediction
    def predict(self, X):
        """Predict the target of each row of ``X``.

        Parameters
        ----------
        X : array-like of shape (n_samples, ...)
            Inputs shaped as in :meth:`fit`. Rows with NaN get NaN predictions,
            with a warning.

        Returns
        -------
        y_pred : ndarray of shape (n_samples,) or (n_samples, n_outputs)
            float64, in the shape of the ``y`` given to :meth:`fit`. With
            ``quantiles``, the quantile nearest the median.

        Raises
        ------
        ValueError
            When a row with a complete window gets a forecast that is not finite
            (a diverged network), rather than a NaN taken for missing history.
        """
        out = self._forecasts(X)  # (n, n_outputs, n_quantiles)
        out = out[:, :, self._point_quantile()]
        return out.ravel() if self._y_ndim == 1 else out

    def predict_quantiles(self, X):
        """Predict every fitted quantile of the target of each row of ``X``.

        Parameters
        ----------
        X : array-like of shape (n_samples, ...)
            Inputs shaped as in :meth:`fit`.

        Returns
        -------
        quantiles : ndarray of shape (n_samples, n_quantiles) or \
(n_samples, n_outputs, n_quantiles)
            float64, increasing along the last axis (never crossing), in the
            order of ``quantiles``; the first shape for a 1-D ``y``.
        """
        self._fitted_quantiles()
        out = self._forecasts(X)
        return out[:, 0, :] if self._y_ndim == 1 else out

    def predict_interval(self, X, coverage=0.8):
        """Predict the central interval of ``coverage`` from the fitted quantiles.

        Parameters
        ----------
        X : array-like of shape (n_samples, ...)
            Inputs shaped as in :meth:`fit`.
        coverage : float, default=0.8
            Nominal coverage: the interval runs from quantile
            ``(1 - coverage) / 2`` to ``(1 + coverage) / 2``, both of which must
            be among ``quantiles``.

        Returns
        -------
        interval : ndarray of shape (n_samples, 2) or (n_samples, n_outputs, 2)
            Lower and upper bounds, float64.
        """
        quantiles = self._fitted_quantiles()
        if not (isinstance(coverage, numbers.Real) and 0 < coverage < 1):
            raise ValueError(
                f"The 'coverage' parameter of {self._owner}.predict_interval must "
                f"be a float in (0, 1). Got {as_written(coverage)} instead."
            )
        wanted = [(1 - coverage) / 2, (1 + coverage) / 2]
        where = [int(np.argmin(np.abs(np.subtract(quantiles, q)))) for q in wanted]
        if any(
            abs(quantiles[i] - q) > 1e-9 for i, q in zip(where, wanted, strict=True)
        ):
            raise ValueError(
                f"coverage={as_written(coverage)} needs the quantiles "
                f"{wanted[0]:.6g} and {wanted[1]:.6g}, but {self._owner} was "
                f"fitted on quantiles={list(quantiles)}. Fit with both, or ask "
                "for a coverage whose bounds are fitted."
            )
        out = self.predict_quantiles(X)
        return out[..., where]

    def _fitted_quantiles(self) -> tuple:
        check_is_fitted(self)
        if getattr(self, "_quantiles", None) is None:
            raise ValueError(
                f"{self._owner} was fitted without quantiles, so it has none to "
                "predict. Fit it with quantiles=[0.1, 0.5, 0.9] (for instance) "
                "and loss='quantile'."
            )
        return self._quantiles

    def _point_quantile(self) -> int:
        """Return the quantile ``predict`` gives: the one nearest the median (or 0)."""
        quantiles = getattr(self, "_quantiles", None)
        if quantiles is None:
            return 0
        return int(np.argmin(np.abs(np.subtract(quantiles, 0.5))))

    def _n_quantiles(self) -> int:
        quantiles = getattr(self, "_quantiles", None)
        return 1 if quantiles is None else len(quantiles)

    def _forecasts(self, X) -> np.ndarray:
        """Every output of every row, ``(n, n_outputs, n_quantiles)``, float64."""
        check_is_fitted(self)
        if isinstance(X, WindowArray):
            out, complete = lazy_predict(self, X)
        else:
            out, complete = self._dense_forecasts(X)
        if complete.any():
            self._check_finite_forecasts(out[complete])
        self._warn_incomplete(complete)
        if self.nonnegative:
            np.maximum(out, 0.0, out=out)
        return out.reshape(len(out), self.n_outputs_, self._n_quantiles())

    def _dense_forecasts(self, X):
        """``(out, complete)`` for array or frame ``X`` (see :meth:`_forecasts`)."""
        if getattr(self, "series_labels_", None) is not None:
            _embedding_needs_labels(self, X)
        X = self._validate_X(X, reset=False)
        _check_float32_range(X, "X", self._owner, self._feature_names())
        level, spread = self._window_stats(X)
        X_model = self._to_model_input(self._normalized(X, level, spread))
        self._check_model_input(X_model)
        offset = self._target_offset(X, level, self.n_outputs_)
        complete = _finite_rows(X_model)
        out = np.full((len(X_model), self.n_outputs_ * self._n_quantiles()), np.nan)
        if complete.any():
            pred = self._predict_rows(X_model[complete])
            out[complete] = self._restored(pred, offset, spread, complete)
        return out, complete

    def _restored(self, pred, offset, spread, rows=slice(None)):
        """Network outputs back in the target's units: times spread, plus offset."""
        if spread is not None:
            pred *= spread[rows, None]
        if offset is not None:
            offset = offset[rows]
            if offset.shape[1] > 1:  # one per target column: each of its quantiles
                offset = np.repeat(offset, self._n_quantiles(), axis=1)
            pred += offset
        return pred

    @staticmethod
    def _warn_incomplete(complete: np.ndarray) -> None:
        if not complete.all():
            warnings.warn(
                f"{int((~complete).sum())} of {len(complete)} rows of X have NaN "
                "(incomplete history): their predictions are NaN.",
                UserWarning,
                stacklevel=3,
            )

    def _predict_rows(self, X_model: np.ndarray) -> np.ndarray:
        """Forecasts of complete model-input rows, as float64 ``(n, n_outputs)``.

        On the CPU in float64 (see ``_forward``) unless ``predict_dtype`` says
        float32; on a GPU in float32, for speed.
        """
        module, dtype, threads = self._inference_setup(len(X_model))
        return self._run_module(module, dtype, threads, X_model)

    def _inference_setup(self, rows: int):
        """Return ``(module, numpy dtype, threads)`` for forecasts of ``rows`` rows."""
        on_gpu = self.device_.startswith("cuda")
        wanted = getattr(self, "predict_dtype", None)
        if wanted is None:
            wanted = "float32" if on_gpu else "float64"
        dtype = np.dtype(wanted)
        module = self.net_.module_
        if dtype == np.float64:
            module = copy.deepcopy(module).double()
        n_params = sum(p.numel() for p in module.parameters())
        work = self._thread_work(n_params, min(rows, _PREDICT_BATCH))
        return module, dtype, _resolve_threads(self.n_threads, work, self.device_)

    def _run_module(self, module, dtype, threads, X_model, series=None):
        """Forecasts of ``X_model`` by ``module`` in ``dtype``: float64 numpy."""
        X_t = torch.as_tensor(np.ascontiguousarray(X_model, dtype)).to(self.device_)
        if series is not None:
            series = torch.as_tensor(series).to(self.device_)
        with _torch_threads(threads):
            pred = self._forward(X_t, module=module, series=series)
        return pred.cpu().numpy().astype(np.float64)

    def _check_finite_forecasts(self, pred: np.ndarray) -> None:
        bad = ~np.isfinite(pred).all(axis=1)
        if bad.any():
            raise ValueError(
                f"{self._owner} forecast NaN or infinity for {int(bad.sum())} of "
                f"{len(pred)} rows whose windows are complete: the network has "
                "diverged (or the inputs are far outside the training range). Refit "
                "with a lower 'lr', scale the data (StandardScaler or MinMaxScaler, "
                "TransformedTargetRegressor for y), or set 'gradient_clip'."
            )

    def _forward(self, X_t, batch: int = _PREDICT_BATCH, module=None, series=None):
        """Evaluate the module in slices of ``batch`` rows, without autograd.

        float64 ``X_t`` runs a float64 copy of the module: a float32 matrix
        product on the CPU may round a row differently depending on where it
        lands in the batch (the kernels block the rows), so the same window
        could be forecast differently in the 7th digit when the other rows of
        the call change. In float64 those differences are about 1e-16, far
        below any tolerance. The trained module itself is left as it is.
        ``series`` are the rows' series ids for a series embedding.
        """
        if module is None:
            module = self.net_.module_
            if X_t.dtype == torch.float64:
                module = copy.deepcopy(module).double()
        was_training = module.training
        module.eval()
        try:
            with torch.no_grad():
                parts = [
                    module(X_t[i : i + batch])
                    if series is None
                    else module(X_t[i : i + batch], series[i : i + batch])
                    for i in range(0, len(X_t), batch)
                ]
        finally:
            module.train(was_training)
        return torch.cat(parts)

    # -------------------------------------------------------------- summary
    def layers(self) -> list:
        """List the fitted network's layers in the order the forward pass runs.

        Returns
        -------
        layers : list of tuple
            ``(name, type, output_shape, n_params)`` per leaf module, the output
            shape for one sample (without the batch axis). A dropout of
            probability 0 (the identity) is left out.
        """
        check_is_fitted(self)
        module = self.net_.module_
        shapes = {}
        hooks = []
        for name, sub in module.named_modules():
            inert = isinstance(sub, torch.nn.Dropout) and sub.p == 0  # identity
            if name and not list(sub.children()) and not inert:
                hooks.append(sub.register_forward_hook(_shape_hook(shapes, name)))
        try:
            dummy = torch.zeros((1, *self.input_shape_), device=self.device_)
            was_training = module.training
            module.eval()
            with torch.no_grad():
                if any(isinstance(m, SeriesEmbedding) for m in module.modules()):
                    module(dummy, torch.zeros(1, dtype=torch.long, device=self.device_))
                else:
                    module(dummy)
            module.train(was_training)
        finally:
            for h in hooks:
                h.remove()
        subs = dict(module.named_modules())
        return [
            (
                name,
                type(subs[name]).__name__,
                shape,
                sum(p.numel() for p in subs[name].parameters()),
            )
            for name, shape in shapes.items()  # in the order the forward pass ran
        ]

    def summary(self) -> str:
        """Describe the fitted network, Keras style: layers, output shapes, params.

        Returns
        -------
        text : str
            One line per layer (name, type, output shape for one sample, trainable
            parameters), then the total.
        """
        check_is_fitted(self)
        rows = [("Layer", "Type", "Output shape", "Params")]
        rows += [
            (name, kind, str(shape), f"{n:,}") for name, kind, shape, n in self.layers()
        ]
        widths = [max(len(r[i]) for r in rows) for i in range(4)]
        lines = [
            "  ".join(
                c.ljust(w) if i < 3 else c.rjust(w)
                for i, (c, w) in enumerate(zip(r, widths, strict=True))
            )
            for r in rows
        ]
        rule = "-" * len(lines[0])
        shape = ", ".join(map(str, self.input_shape_))
        return "\n".join(
            [
                f"{self._owner} on input (batch, {shape})",
                rule,
                lines[0],
                rule,
                *lines[1:],
                rule,
                f"Total params: {self.n_params_:,}",
            ]
        )

    def __sklearn_tags__(self):
        """Declare NaN rows (skipped), 3-D input, multi-output and a poor score."""
        tags = super().__sklearn_tags__()
        tags.input_tags.allow_nan = True
        tags.input_tags.three_d_array = True
        tags.target_tags.multi_output = True
        tags.regressor_tags.poor_score = True
        tags.non_deterministic = self.random_state is None
        return tags


def _shape_hook(shapes: dict, name: str):
    def hook(module, inputs, output):
        out = output[0] if isinstance(output, tuple) else output
        shapes.setdefault(name, tuple(out.shape[1:]))  # first call: forward order

    return hook


_TRAINING_DOC = """\
    loss : {'squared_error', 'absolute_error', 'huber', 'quantile', \
'provisioning'}, default='squared_error'
        Training loss. ``'quantile'`` is the pinball loss of ``quantile``: its
        minimiser is that quantile of the target (see :class:`PinballLoss`).
        ``'provisioning'`` trains for the cost the forecast is judged by:
        ``over_cost`` per unit over, ``under_cost`` per unit under (the
        ``alpha`` and ``beta`` of :func:`provisioning_cost`; see
        :class:`ProvisioningLoss`: its minimiser is the ``under_cost /
        (over_cost + under_cost)`` quantile).
    quantile : float, default=0.5
        Quantile of ``loss='quantile'``, in (0, 1).
    huber_delta : float, default=1.0
        Threshold of ``loss='huber'``.
    over_cost : float, default=1.0
        Over-provisioning cost per unit, for ``loss='provisioning'`` (the
        metric's ``alpha``; renamed from ``alpha``, which scikit-learn's
        ``MLPRegressor`` uses for its L2 penalty: that is ``weight_decay`` here).
    under_cost : float, default=10.0
        Under-provisioning (blocking) cost per unit, for ``loss='provisioning'``
        (the metric's ``beta``; renamed from ``beta``).
    capacity_step : float or None, default=None
        For ``loss='provisioning'``: the step capacity is allocated in (units
        of ``y``, e.g. 0.05 Gbit/s), which the forecast is rounded up to. The
        loss is then the expected cost *after* rounding up
        (:func:`~lstmforecast.nn.rounded_up_cost`): rounding adds half a step
        on average, a margin the exact loss does not know of and adds again.
        With ``scale='std'`` each row's step is ``capacity_step`` in that
        row's scaled units. None: the capacity is the forecast itself. Use the
        same step in :func:`provisioning_cost` (``step=``, ``policy='ceil'``)
        to judge the forecast.
    optimizer : {'adam', 'sgd', 'rmsprop'} or torch optimizer class, default='adam'
        Optimizer.
    optimizer_params : dict or None, default=None
        Keyword arguments of the optimizer besides the learning rate and
        ``weight_decay`` (their own parameters), such as ``{"momentum": 0.9}``
        or ``{"nesterov": True, "momentum": 0.9}`` for SGD, or Adam's
        ``{"betas": (0.9, 0.98)}``; each is checked against the optimizer's
        signature. Learning-rate schedules are skorch callbacks
        (``callbacks=[LRScheduler(policy="StepLR", step_size=10)]``). torch's
        optimizers take their multi-tensor step (``foreach=True``, the same
        parameters bit for bit as torch's one-tensor-at-a-time default on the
        CPU, and faster) unless this sets ``foreach`` or ``fused``
        (``{"fused": True}``: faster still, rounds differently).
    lr : float, default=1e-3
        Learning rate.
    batch_size : int, default=32
        Rows per mini-batch (shuffled each epoch).
    max_epochs : int, default=%(max_epochs)s
        Passes over the training rows.
    early_stopping : bool, default=False
        Stop when the loss on a validation slice has not improved for
        ``patience`` epochs, and keep the best weights. The slice is the
        **latest** ``validation_fraction`` of the rows, after a gap of
        ``validation_gap`` rows: never skorch's default, which validates on the
        earliest rows.
    validation_fraction : float, default=0.1
        Share of the (latest) rows used for early stopping.
    validation_gap : int or None, default=None
        Rows left out between the training and validation rows. None uses
        %(gap)s. Each target column after the first counts as one more step
        ahead, so an ``(n, H)`` multi-step ``y`` adds ``H - 1`` rows: no
        validation target is also a training target.
    patience : int, default=10
        Epochs without improvement before early stopping.
    gradient_clip : float or None, default=None
        Clip the gradient norm to this value (skorch ``GradientNormClipping``).
    weight_decay : float, default=0.0
        L2 penalty of the optimizer.
    random_state : int, RandomState instance or None, default=None
        Seeds weights, shuffling and dropout: the same value gives bit-identical
        CPU results. The global torch random state is left untouched.
    device : str, default='cpu'
        ``'cpu'``, ``'cuda'`` (an error without a GPU) or ``'auto'`` (a GPU when
        there is one).
    verbose : {0, 1, 2}, default=0
        0 silent (right for cross-validation), 1 a table row per epoch, 2 a
        progress bar per epoch.
    callbacks : list or None, default=None
        Extra skorch callbacks (instances, or ``(name, callback)`` pairs). A
        callback whose class subclasses skorch's ``Callback``, sets the class
        attribute ``epoch_level = True`` and overrides none of the per-batch
        hooks (``on_batch_begin``, ``on_batch_end``, ``on_grad_computed``), as
        :class:`EpochProgress` does, keeps the lean training loop; any other
        callback, a gradient clip, ``verbose=2`` or an optimizer given as a
        class (which may need a closure, as ``torch.optim.LBFGS`` does) trains
        in skorch's own per-batch loop: the same results, about 8 %% slower on
        the lab's LSTM.
    n_threads : int, 'auto' or None, default='auto'
        torch intra-op threads during fit and predict (torch's setting is
        restored afterwards). ``'auto'`` uses 1 thread when the work of a batch
        is small: parameters x rows per batch (rows per forward pass in predict)
        x time steps per row (the lookback for the LSTM, 1 for the MLP), about
        the multiply-adds of its forward pass, below %(auto_work)s (the lab's
        LSTM: 428 x 32 x 36 = 493,056). There more threads gain little and
        are several times slower when another process keeps a core busy.
        Above it, and on a GPU, 'auto' keeps torch's setting. It never raises torch's
        setting, which joblib workers (``GridSearchCV(n_jobs=2)``) limit, so
        jobs do not oversubscribe the cores. None keeps torch's setting; an int
        sets it.
    center : {None, 'last', 'mean'}, default=None
        Make each window level-free: subtract, per row, the last (or the mean)
        value of feature ``center_feature`` over the window from that feature
        and from the target, and add it back to the predictions. The network
        then learns the *shape* of the next values relative to the current
        level, so its forecasts follow level shifts it never saw in training
        (the Christmas drop of a closed university, a new load level) instead
        of pulling back to the training level. Every target column is offset
        by the same level (one series: several horizons or quantiles). The
        loss stays in the target's units: on raw traffic (thousands of units)
        add ``scale='std'`` or scale the data, or the network barely moves from
        repeating the last value.
        %(center_2d)s
    center_feature : int, default=0
        Index of the feature (last axis of 3-D ``X``) that holds the target's
        own history; only it is centred (calendar inputs are left as they are).
    scale : {None, 'std'}, default=None
        With a ``center``, also divide the centred feature and the target by
        the window's standard deviation of that feature (floored at a tenth of
        its standard deviation over the training windows, ``scale_floor_``) and
        multiply the predictions back. Forecast errors then scale with the
        traffic: a quiet holiday gets a narrow forecast band, a busy day a
        wide one, which is what ``loss='quantile'`` / ``'provisioning'`` need
        when the level moves (the idea of reversible instance normalisation).
    windows_per_epoch : int or None, default=None
        Rows (windows) per epoch: each epoch trains on a new random sample of
        this many of the training rows (the first of that epoch's shuffled
        order), the way global models over millions of windows are trained.
        None trains on every row each epoch.
    series_embedding : int or None, default=None
        Learn a vector of this size per series and append it to every step of
        its windows (a global model's per-series information). Needs the
        windows of a panel as a :class:`WindowArray` (``SlidingWindow(...,
        lazy=True)`` on a ``(series, time)`` frame), which tells each row's
        series; the series of fit are ``series_labels_``.
    unseen_series : {'error', 'mean'}, default='error'
        With ``series_embedding``, what :meth:`predict` does for a series not
        seen in fit: an error naming them, or the mean of the learned
        embeddings (an average series). Read at predict time: no refit needed.
    anchor : int or None, default=None
        Seasonal anchoring: learn each target column's change from the value
        ``anchor`` steps before it (24: the same hour yesterday, 168: last
        week), read from the window's ``center_feature``, and add that value
        back to the forecasts (column ``h`` is the step ``h`` after the row's,
        so ``anchor`` must lie between the number of target columns and the
        window length). It replaces ``center``'s level for the target (the
        inputs are still centred; ``scale`` still divides). Helps where the
        series repeats with a stable season (traffic, demand); hurts where it
        does not (the change from a season back is then noisier than the
        value). Tunable in ``GridSearchCV`` (``[None, 24, 168]``).
    linear_path : bool or 'ridge', default=False
        Add a linear map of the whole window to the network's output (the
        autoregressive "highway" of LSTNet). ``True``: a trainable map
        (:class:`LinearPath`) initialised at zero and learnt with the network
        by the optimizer; it costs ``lookback x features x outputs``
        parameters, and on long windows the optimizer rarely gets it to the
        least-squares solution. ``'ridge'``: the map is fitted first, in closed
        form, by a ridge regression of the (normalised) targets on the
        flattened windows the network reads, its penalty chosen by generalised
        cross-validation (``linear_path_alpha_``), on the training rows only
        (the validation tail of ``early_stopping`` is left out); it is then
        fixed, and the network's output enters through a gate that starts at
        zero (:class:`FittedLinearPath`), so training starts from the linear
        autoregression and the network learns its residual. Helps on smooth or
        strongly autocorrelated series, where a well-fitted linear model on
        lags is hard to beat (weather, demand, flows; the public series of the
        user guide); costs one pass over the windows before training.
    quantiles : list of float or None, default=None
        Train several quantiles at once (the pinball loss of each, averaged:
        :class:`MultiQuantileLoss`; needs ``loss='quantile'``), increasing
        levels in (0, 1) such as ``[0.1, 0.5, 0.9]``. The network gives each
        target column its lowest quantile and positive increments
        (:class:`QuantileHead`), so the quantiles never cross.
        :meth:`predict` returns the one nearest the median,
        :meth:`predict_quantiles` all of them, :meth:`predict_interval` a
        central interval.
    nonnegative : bool, default=False
        Clip every forecast (and quantile) at 0: for targets that are never
        negative, such as traffic, this only removes error.
    predict_dtype : {None, 'float32', 'float64'}, default=None
        Precision of :meth:`predict`. None: float64 on the CPU (a row's forecast
        then does not depend on the other rows of the call) and float32 on a
        GPU. ``'float32'`` on the CPU is about 4x faster for large networks
        (10,000 windows of 168 hours through 32 LSTM units: 0.6 s instead of
        2.2 s on 2 cores), a row's forecast then varying in the 7th digit with
        the batch it is computed in.
"""

_ATTRIBUTES_DOC = """\
    net_ : skorch.NeuralNetRegressor
        The trained skorch net (``net_.module_`` is the torch module).
    history_ : pandas.DataFrame
        One row per epoch: ``train_loss`` (``valid_loss`` with early stopping),
        ``dur`` (seconds)...
    n_params_ : int
        Trainable parameters.
    n_skipped_ : int
        Rows skipped in :meth:`fit` because their ``X`` row or their ``y`` row
        holds NaN (no full history, or a target step past the data).
    n_skipped_target_ : int
        Of those, the rows skipped only because of ``y`` (a complete ``X`` row).
    input_shape_ : tuple of int
        Shape of one input row as the network reads it.
    n_outputs_ : int
        Target columns.
    n_features_in_ : int
        Size of the second axis of ``X`` (``X.shape[1]``).
    feature_names_in_ : ndarray of str
        Column names, when ``X`` was a DataFrame with string column names.
    device_ : str
        The device used.
    scale_floor_ : float
        Smallest window spread used by ``scale='std'`` (only with it).
    linear_path_alpha_ : float or ndarray of shape (n_outputs,)
        With ``linear_path='ridge'``: the ridge penalty chosen by generalised
        cross-validation (on the normalised inputs' scale), one per target
        column (as scikit-learn's ``RidgeCV(alpha_per_target=True)``). The
        coefficients are ``net_.module_.weight`` and ``net_.module_.bias``.
    n_threads_ : int
        torch threads used in :meth:`fit` (what ``n_threads`` resolved to).
    series_labels_ : list
        With ``series_embedding``: the series of fit, in the order of their
        embeddings (``net_.module_.embedding.weight``).
"""


def _fill_doc(cls, **values):
    """Substitute the shared parameter and attribute text into a class docstring."""
    training = _TRAINING_DOC % {"auto_work": f"{_AUTO_THREADS_MIN_WORK:,}", **values}
    cls.__doc__ = cls.__doc__.replace("    %(training)s\n", training).replace(
        "    %(attributes)s\n", _ATTRIBUTES_DOC
    )
    return cls
