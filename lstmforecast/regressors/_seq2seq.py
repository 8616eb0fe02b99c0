"""Seq2SeqRegressor: an encoder-decoder with attention over the horizon."""

from __future__ import annotations

import copy
import numbers
import re

import numpy as np
import torch
from sklearn.utils._param_validation import Interval, StrOptions
from skorch.callbacks import Callback

from lstmforecast.nn import Seq2SeqModule
from lstmforecast.preprocessing._lazy import WindowArray
from lstmforecast.regressors._base import (
    _ATTRIBUTES_DOC,
    _AUTO_THREADS_MIN_WORK,
    _PREDICT_BATCH,
    _TRAINING_DOC,
    _BaseNetRegressor,
    _TensorBatches,
)

__all__ = ["Seq2SeqRegressor"]

# Options of the other networks that do not apply to a decoder whose inputs are
# its own previous forecasts: fixed here (class attributes read by the base).
_NOT_SEQ2SEQ = (
    "dropout",
    "anchor",
    "linear_path",
    "quantiles",
    "series_embedding",
    "unseen_series",
    "capacity_step",
)


class _TeacherBatches(_TensorBatches):
    """Training batches as ``{"X": Xi, "y": yi}``: the module reads the targets.

    skorch (and the lean loop) call ``module(**Xi)`` for a dict, so the decoder
    gets the true values for teacher forcing without a change to the loop;
    validation batches stay plain, and the module ignores ``y`` in eval mode.
    """

    def __iter__(self):
        for Xi, yi in super().__iter__():
            yield {"X": Xi, "y": yi}, yi


class _TeacherForcingDecay(Callback):
    """Scheduled sampling: record the epoch's ratio, then multiply it by ``decay``."""

    epoch_level = True

    def __init__(self, decay):
        self.decay = decay

    def on_epoch_end(self, net, **kwargs):
        """Log the teacher-forcing ratio the epoch used and decay it."""
        module = net.module_
        net.history.record("teacher_forcing", module.teacher_forcing)
        module.teacher_forcing *= self.decay


class Seq2SeqRegressor(_BaseNetRegressor):
    """Encoder-decoder network with attention: a window in, a horizon path out.

    An encoder (LSTM or GRU) reads the window's history; a decoder cell is then
    unrolled over the ``H`` forecast steps of ``y`` (``make_horizon_targets(y,
    H)``), each step reading its own previous forecast (the window's last
    target value for the first), the known-future features of that step (the
    calendar of the forecast hour) and, with attention, a weighted mix of the
    encoder's outputs (:class:`~lstmforecast.nn.Seq2SeqModule`). In training a
    step reads the true previous value instead with probability
    ``teacher_forcing``, multiplied by ``teacher_forcing_decay`` after every
    epoch (scheduled sampling); :meth:`predict` is always recursive.

    ::

        window (lookback steps, ends at t-1)        forecast steps t .. t+H-1
        [x_1 .. x_L | f_h1 .. f_hH at x_L]  -->  encoder  -->  decoder h = 1..H
                                                  e_1..e_L      reads y_(h-1), f_h,
                                                                attention over e

    Parameters
    ----------
    hidden_size : int, default=16
        Units of the encoder and of the decoder.
    cell : {'lstm', 'gru'}, default='lstm'
        Recurrent cell of the encoder and the decoder.
    attention : {'bahdanau', 'luong'} or None, default='bahdanau'
        Bahdanau's additive attention (read before each decoder step), Luong's
        general (multiplicative) attention (read after it), or None (the
        decoder sees only the encoder's final state).
    teacher_forcing : float, default=0.5
        Probability, in [0, 1], that a decoder step reads the true previous
        value in training (one draw per step and mini-batch, seeded by
        ``random_state``). 0 trains as it predicts (recursively).
    teacher_forcing_decay : float, default=1.0
        Factor in (0, 1] applied to the ratio after every epoch: below 1 the
        decoder moves from the true values to its own forecasts (scheduled
        sampling). ``history_`` has each epoch's ``teacher_forcing``.
    n_future_features : int, default=0
        Known-future features per forecast step, ``F``: the last ``F x H``
        channels of each window, read at its last time step, are the
        features of the steps ``h1 .. hH``, ``F`` per step, step-major. That
        is what ``SlidingWindow(future_columns=...)`` gives for the
        ``{feature}_h1 .. {feature}_hH`` columns of ``CalendarFeatures(
        features, horizon=H)`` (``F`` is then the number of calendar columns
        per hour: one per feature, two with ``encoding='cyclical'``...). The
        encoder reads the other channels.
    %(training)s

    Attributes
    ----------
    %(attributes)s
    attention_weights_ : ndarray of shape (n_samples, n_outputs, lookback) or None
        The attention weights of the last :meth:`predict` call (each row sums
        to 1 over the window; NaN rows where the window had NaN); None with
        ``attention=None`` or before a predict.

    See Also
    --------
    LSTMRegressor : One network with ``H`` outputs (MIMO), no decoder.
    RecursiveRegressor : A one-step model rolled over its own forecasts.
    lstmforecast.plotting.AttentionDisplay : Draws ``attention_weights_``.

    Notes
    -----
    The options of :class:`LSTMRegressor` that do not fit a decoder fed with
    its own forecasts are not parameters here: ``anchor``, ``linear_path``,
    ``quantiles``, ``series_embedding`` and lazy windows (:class:`WindowArray`).
    With ``center='last'`` the target is learnt relative to the window's last
    value, so the decoder's first input is 0. Rows with NaN in ``X`` or ``y``
    are skipped in ``fit`` (``n_skipped_``).

    Examples
    --------
    >>> import numpy as np
    >>> from lstmforecast.preprocessing import make_windows
    >>> from lstmforecast.regressors import Seq2SeqRegressor
    >>> t = np.arange(300, dtype=float)
    >>> X, Y = make_windows(np.sin(2 * np.pi * t / 24), lookback=24, horizon=3)
    >>> model = Seq2SeqRegressor(4, max_epochs=2, random_state=0).fit(X, Y)
    >>> model.predict(X[:2]).shape
    (2, 3)
    >>> model.attention_weights_.shape  # (rows, forecast steps, window steps)
    (2, 3, 24)
    """

    _parameter_constraints = {
        "hidden_size": [Interval(numbers.Integral, 1, None, closed="left")],
        "cell": [StrOptions({"lstm", "gru"})],
        "attention": [StrOptions({"bahdanau", "luong"}), None],
        "teacher_forcing": [Interval(numbers.Real, 0, 1, closed="both")],
        "teacher_forcing_decay": [Interval(numbers.Real, 0, 1, closed="right")],
        "n_future_features": [Interval(numbers.Integral, 0, None, closed="left")],
        **{
            k: v
            for k, v in _BaseNetRegressor._common_constraints.items()
            if k not in _NOT_SEQ2SEQ
        },
    }
    _owner = "Seq2SeqRegressor"
    # read by the shared base; not options of this network
    dropout = 0.0
    anchor = None
    linear_path = False
    quantiles = None
    capacity_step = None
    series_embedding = None
    unseen_series = "error"

    def __init__(
        self,
        hidden_size=16,
        *,
        cell="lstm",
        attention="bahdanau",
        teacher_forcing=0.5,
        teacher_forcing_decay=1.0,
        n_future_features=0,
        loss="squared_error",
        quantile=0.5,
        huber_delta=1.0,
        over_cost=1.0,
        under_cost=10.0,
        optimizer="adam",
        optimizer_params=None,
        lr=1e-3,
        batch_size=32,
        max_epochs=50,
        early_stopping=False,
        validation_fraction=0.1,
        validation_gap=None,
        patience=10,
        gradient_clip=None,
        weight_decay=0.0,
        random_state=None,
        device="cpu",
        verbose=0,
        callbacks=None,
        n_threads="auto",
        center=None,
        center_feature=0,
        scale=None,
        windows_per_epoch=None,
        predict_dtype=None,
        nonnegative=False,
    ):
        self.hidden_size = hidden_size
        self.cell = cell
        self.attention = attention
        self.teacher_forcing = teacher_forcing
        self.teacher_forcing_decay = teacher_forcing_decay
        self.n_future_features = n_future_features
        self.loss = loss
        self.quantile = quantile
        self.huber_delta = huber_delta
        self.over_cost = over_cost
        self.under_cost = under_cost
        self.optimizer = optimizer
        self.optimizer_params = optimizer_params
        self.lr = lr
        self.batch_size = batch_size
        self.max_epochs = max_epochs
        self.early_stopping = early_stopping
        self.validation_fraction = validation_fraction
        self.validation_gap = validation_gap
        self.patience = patience
        self.gradient_clip = gradient_clip
        self.weight_decay = weight_decay
        self.random_state = random_state
        self.device = device
        self.verbose = verbose
        self.callbacks = callbacks
        self.n_threads = n_threads
        self.center = center
        self.center_feature = center_feature
        self.scale = scale
        self.windows_per_epoch = windows_per_epoch
        self.predict_dtype = predict_dtype
        self.nonnegative = nonnegative

    # ------------------------------------------------------------- fitting
    def _prepare_fit(self, X, y):
        if isinstance(X, WindowArray):
            raise ValueError(
                "Seq2SeqRegressor takes windows as an array or frame, not lazy "
                "WindowArray windows. Build them with SlidingWindow(lazy=False) "
                "or make_windows."
            )
        self.attention_weights_ = None
        return super()._prepare_fit(X, y)

    def _to_model_input(self, X):
        return X[:, :, None] if X.ndim == 2 else X

    def _default_gap(self, X_model, n_outputs):
        # lookback + H - 1: no validation window or target reads a training target
        return X_model.shape[1] + n_outputs - 1

    def _build_module(self, X_model, n_outputs):
        channels, F = X_model.shape[2], int(self.n_future_features)
        history = channels - F * n_outputs
        if history < 1 or self.center_feature >= history:
            raise ValueError(
                f"n_future_features={F} with {n_outputs} target column(s) takes "
                f"the last {F * n_outputs} of the {channels} channels of each "
                f"window as known-future features, leaving {max(history, 0)} "
                "history channel(s), which must include center_feature="
                f"{self.center_feature}. Set n_future_features to the "
                "known-future features per forecast step (the window's last "
                "channels), or 0."
            )
        return Seq2SeqModule(
            input_size=channels,
            hidden_size=int(self.hidden_size),
            n_outputs=n_outputs,
            future_size=F,
            attention=self.attention,
            cell=self.cell,
            target_index=int(self.center_feature),
            teacher_forcing=float(self.teacher_forcing),
        )

    def _build_net(self, X_model, gap):
        net = super()._build_net(X_model, gap)
        return net.set_params(iterator_train=_TeacherBatches)

    def _callbacks(self, gap):
        decay = _TeacherForcingDecay(float(self.teacher_forcing_decay))
        return [*super()._callbacks(gap), ("teacher_forcing", decay)]

    # ----------------------------------------------------------- prediction
    def _forecasts(self, X):
        if isinstance(X, WindowArray):
            raise ValueError(
                "Seq2SeqRegressor predicts windows given as an array or frame, "
                "not lazy WindowArray windows (as in fit)."
            )
        return super()._forecasts(X)

    def _dense_forecasts(self, X):
        self._weight_parts = []
        try:
            out, complete = super()._dense_forecasts(X)
            if self.net_.module_.attention is None:  # as fitted
                return out, complete
            weights = np.full((len(out), self.n_outputs_, self.input_shape_[0]), np.nan)
            if self._weight_parts:
                weights[complete] = np.concatenate(self._weight_parts)
            self.attention_weights_ = weights
        finally:
            del self._weight_parts
        return out, complete

    def _forward(self, X_t, batch=_PREDICT_BATCH, module=None, series=None):
        """Run the base's forward in slices, keeping each slice's attention weights."""
        if module is None:
            module = self.net_.module_
            if X_t.dtype == torch.float64:
                module = copy.deepcopy(module).double()
        parts = []
        for i in range(0, len(X_t), batch):
            parts.append(super()._forward(X_t[i : i + batch], batch, module))
            keep = getattr(self, "_weight_parts", None)
            if keep is not None and module.attention_weights_ is not None:
                keep.append(module.attention_weights_.cpu().numpy().astype(np.float64))
        return torch.cat(parts)


def _without_entries(text: str, names) -> str:
    """Drop the numpydoc entries ``    name : ...`` (and their body) of ``names``."""
    kept, skipping = [], False
    for line in text.splitlines(keepends=True):
        entry = re.match(r"    (\w+) : ", line)
        if entry:
            skipping = entry.group(1) in names
        if not skipping:
            kept.append(line)
    return "".join(kept)


def _fill_seq2seq_doc(cls):
    training = _TRAINING_DOC % {
        "auto_work": f"{_AUTO_THREADS_MIN_WORK:,}",
        "max_epochs": 50,
        "gap": "the lookback (``X.shape[1]``) for a one-column ``y``, so "
        "validation windows do not read training targets",
        "center_2d": "2-D ``X`` is one feature.",
    }
    training = _without_entries(training, _NOT_SEQ2SEQ)
    attributes = _without_entries(_ATTRIBUTES_DOC, {"series_labels_"})
    cls.__doc__ = cls.__doc__.replace("    %(training)s\n", training).replace(
        "    %(attributes)s\n", attributes
    )
    return cls


_fill_seq2seq_doc(Seq2SeqRegressor)
