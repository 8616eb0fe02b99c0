"""LSTMRegressor: a recurrent network on windows, as a scikit-learn regressor."""

from __future__ import annotations

import numbers

from sklearn.utils._param_validation import InvalidParameterError

from lstmforecast.nn import RecurrentModule
from lstmforecast.nn._cells import _check_cell
from lstmforecast.regressors._base import _BaseNetRegressor, _fill_doc

__all__ = ["LSTMRegressor"]


class LSTMRegressor(_BaseNetRegressor):
    """Recurrent network on windows of past values, as a scikit-learn regressor.

    ``fit`` builds a fresh :class:`~lstmforecast.nn.RecurrentModule` (stacked
    layers of their own sizes and cell, optional bidirectional, dropout between
    layers, residual connections and layer norms, a linear head) inside a skorch
    net and trains it; ``predict`` returns float64 predictions in ``y``'s shape.
    Windows come from :class:`SlidingWindow` (in a Pipeline) or
    :func:`make_windows` (the lab's route).

    Parameters
    ----------
    hidden_size : int or tuple of int, default=(7, 3)
        Units of each recurrent layer, first to last (the lab's ``(7, 3)``).
    cell : str or torch.nn.Module subclass, default='lstm'
        Recurrent cell: ``'lstm'``, ``'gru'``, ``'rnn'`` (torch's LSTM, GRU,
        Elman RNN), ``'peephole'`` (an LSTM whose gates read the cell),
        ``'slstm'`` or ``'mlstm'`` (xLSTM's blocks), or a ``torch.nn.Module``
        subclass of your own built as ``cell(input_size, hidden_size)`` whose
        ``forward(X)`` returns ``(outputs, state)`` with ``outputs`` of shape
        ``(batch, time, hidden_size)`` (see
        :class:`~lstmforecast.nn.RecurrentModule` and the user guide's
        "Cells").
    bidirectional : bool, default=False
        Bidirectional layers.
    dropout : float, default=0.0
        Dropout between layers, in [0, 1).
    residual : bool, default=False
        Residual connections around every layer but the first (a linear map
        where the widths differ): for deep stacks.
    layer_norm : bool, default=False
        A layer norm on each layer's output: for deep stacks.
    %(training)s

    Attributes
    ----------
    %(attributes)s

    See Also
    --------
    MLPRegressor : The feed-forward network on tabular features.
    lstmforecast.preprocessing.SlidingWindow : Windows inside a Pipeline.

    Notes
    -----
    ``X`` is 3-D ``(n_samples, lookback, n_features)``, or 2-D
    ``(n_samples, lookback)`` for a single feature; numpy or pandas, any float
    dtype (trained in float32). Rows with NaN (windows without full history) are
    skipped in ``fit`` and predicted as NaN.

    A PyTorch LSTM layer of ``h`` units on ``d`` inputs has ``4 h (d + h + 2)``
    parameters, one bias vector more than Keras: the lab's ``(7, 3)`` network on
    one feature has 428 parameters here and 388 in its Keras summary, for the same
    set of functions.

    Examples
    --------
    >>> import numpy as np
    >>> from lstmforecast.preprocessing import make_windows
    >>> from lstmforecast.regressors import LSTMRegressor
    >>> t = np.arange(400, dtype=float)
    >>> X, y = make_windows(np.sin(2 * np.pi * t / 24), lookback=24)
    >>> model = LSTMRegressor((8,), max_epochs=5, random_state=0).fit(X, y.ravel())
    >>> model.predict(X[:2]).shape
    (2,)
    >>> model.n_params_  # 4 * 8 * (1 + 8 + 2) + (8 + 1)
    361
    """

    _parameter_constraints = {
        "hidden_size": [numbers.Integral, tuple, list],
        # a name or a module class: checked in fit by the cells' own check,
        # whose message lists both and suggests a close name
        "cell": "no_validation",
        "bidirectional": ["boolean"],
        "residual": ["boolean"],
        "layer_norm": ["boolean"],
        **_BaseNetRegressor._common_constraints,
    }
    _owner = "LSTMRegressor"

    def __init__(
        self,
        hidden_size=(7, 3),
        *,
        cell="lstm",
        bidirectional=False,
        dropout=0.0,
        residual=False,
        layer_norm=False,
        loss="squared_error",
        quantile=0.5,
        huber_delta=1.0,
        over_cost=1.0,
        under_cost=10.0,
        capacity_step=None,
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
        series_embedding=None,
        unseen_series="error",
        predict_dtype=None,
        anchor=None,
        linear_path=False,
        quantiles=None,
        nonnegative=False,
    ):
        self.hidden_size = hidden_size
        self.cell = cell
        self.bidirectional = bidirectional
        self.dropout = dropout
        self.residual = residual
        self.layer_norm = layer_norm
        self.loss = loss
        self.quantile = quantile
        self.huber_delta = huber_delta
        self.over_cost = over_cost
        self.under_cost = under_cost
        self.capacity_step = capacity_step
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
        self.series_embedding = series_embedding
        self.unseen_series = unseen_series
        self.predict_dtype = predict_dtype
        self.anchor = anchor
        self.linear_path = linear_path
        self.quantiles = quantiles
        self.nonnegative = nonnegative

    def _prepare_fit(self, X, y):
        try:
            _check_cell(self.cell, self._owner)
        except (TypeError, ValueError) as exc:
            raise InvalidParameterError(str(exc)) from None
        return super()._prepare_fit(X, y)

    def _to_model_input(self, X):
        return X[:, :, None] if X.ndim == 2 else X

    def _default_gap(self, X_model, n_outputs):
        # lookback + H - 1: no validation window or target reads a training target
        return X_model.shape[1] + n_outputs - 1

    def _build_module(self, X_model, n_outputs):
        return RecurrentModule(
            input_size=X_model.shape[2],
            hidden_size=self.hidden_size,
            cell=self.cell,
            bidirectional=self.bidirectional,
            dropout=self.dropout,
            n_outputs=n_outputs,
            residual=self.residual,
            layer_norm=self.layer_norm,
        )


_fill_doc(
    LSTMRegressor,
    max_epochs=50,
    gap="the lookback (``X.shape[1]``) for a one-column ``y``, so validation "
    "windows do not read training targets",
    center_2d="2-D ``X`` is one feature.",
)
