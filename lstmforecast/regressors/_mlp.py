"""MLPRegressor: a feed-forward network on tabular features, as a regressor."""

from __future__ import annotations

import numbers

from sklearn.utils._param_validation import StrOptions

from lstmforecast.nn import MLPModule
from lstmforecast.regressors._base import _BaseNetRegressor, _fill_doc

__all__ = ["MLPRegressor"]


class MLPRegressor(_BaseNetRegressor):
    """Feed-forward network on tabular features, as a scikit-learn regressor.

    The lab's "ANN": hidden layers ``(15, 10, 5)`` with sigmoid activations on the
    calendar and lag features of each hour (:class:`CalendarFeatures`,
    :class:`LagFeatures`). ``fit`` builds a fresh :class:`~lstmforecast.nn.MLPModule`
    inside a skorch net; ``predict`` returns float64 predictions in ``y``'s shape.

    Parameters
    ----------
    hidden_size : int or tuple of int, default=(15, 10, 5)
        Units of each hidden layer.
    activation : {'sigmoid', 'tanh', 'relu'}, default='sigmoid'
        Activation after each hidden layer.
    dropout : float, default=0.0
        Dropout after each hidden layer, in [0, 1).
    %(training)s

    Attributes
    ----------
    %(attributes)s

    See Also
    --------
    LSTMRegressor : The recurrent network on windows.
    sklearn.neural_network.MLPRegressor : scikit-learn's own (no GPU, no custom
        losses).

    Notes
    -----
    ``X`` is 2-D ``(n_samples, n_features)`` (a 3-D window array is flattened);
    numpy or pandas, any float dtype (trained in float32). Rows with NaN (lags
    without history) are skipped in ``fit`` and predicted as NaN.

    Examples
    --------
    >>> import numpy as np
    >>> from lstmforecast.regressors import MLPRegressor
    >>> rng = np.random.default_rng(0)
    >>> X = rng.random((200, 5))
    >>> y = X @ np.arange(5.0)
    >>> model = MLPRegressor(max_epochs=20, random_state=0).fit(X, y)
    >>> model.n_params_
    311
    >>> print(model.summary())  # doctest: +NORMALIZE_WHITESPACE
    MLPRegressor on input (batch, 5)
    ---------------------------------------
    Layer     Type     Output shape  Params
    ---------------------------------------
    layers.0  Linear   (15,)             90
    layers.1  Sigmoid  (15,)              0
    layers.2  Linear   (10,)            160
    layers.3  Sigmoid  (10,)              0
    layers.4  Linear   (5,)              55
    layers.5  Sigmoid  (5,)               0
    layers.6  Linear   (1,)               6
    ---------------------------------------
    Total params: 311
    """

    _parameter_constraints = {
        "hidden_size": [numbers.Integral, tuple, list],
        "activation": [StrOptions({"sigmoid", "tanh", "relu"})],
        **_BaseNetRegressor._common_constraints,
    }
    _owner = "MLPRegressor"

    def __init__(
        self,
        hidden_size=(15, 10, 5),
        *,
        activation="sigmoid",
        dropout=0.0,
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
        max_epochs=500,
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
        self.activation = activation
        self.dropout = dropout
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

    def _to_model_input(self, X):
        return X.reshape(len(X), -1) if X.ndim == 3 else X

    def _default_gap(self, X_model, n_outputs):
        # H - 1: the last training targets are not the first validation ones
        return n_outputs - 1

    def _build_module(self, X_model, n_outputs):
        return MLPModule(
            input_size=X_model.shape[1],
            hidden_size=self.hidden_size,
            activation=self.activation,
            dropout=self.dropout,
            n_outputs=n_outputs,
        )


_fill_doc(
    MLPRegressor,
    max_epochs=500,
    gap="0 for a one-column ``y`` (rows of tabular features)",
    center_2d="Centring is for windows: 3-D ``X``, or 2-D ``X`` whose columns "
    "are one series' past values in time order (latest last), never tabular "
    "features such as calendar columns.",
)
