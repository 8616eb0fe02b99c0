"""Recurrent and feed-forward networks for window and tabular inputs."""

from __future__ import annotations

import math
from collections.abc import Sequence

import torch
from torch import nn

from lstmforecast.nn._cells import _build_layer, _check_cell, _layer_outputs
from lstmforecast.nn._checks import _check_dropout, _count, _shown, _sizes

__all__ = ["MLPModule", "RecurrentModule"]

_ACTIVATIONS = {"sigmoid": nn.Sigmoid, "tanh": nn.Tanh, "relu": nn.ReLU}


class RecurrentModule(nn.Module):
    """Stacked recurrent layers of their own sizes, then a linear head.

    Reads windows of shape ``(batch, lookback, input_size)`` and returns
    ``(batch, n_outputs)`` from the last layer's final outputs: the forward
    direction's after the last time step and, when bidirectional, the backward
    direction's after the first (the one that has read the whole window). Each
    layer is a separate module (``nn.LSTM``, ``nn.GRU``, ... or a cell of
    :mod:`lstmforecast.nn`) so layers can differ in size (the lab's ``(7,
    3)``); ``dropout`` is applied between layers (not after the last).

    Parameters
    ----------
    input_size : int
        Features per time step.
    hidden_size : int or sequence of int, default=(7, 3)
        Units of each layer, first to last.
    cell : str or torch.nn.Module subclass, default='lstm'
        Recurrent cell of every layer:

        - ``'lstm'``, ``'gru'``, ``'rnn'`` (Elman, tanh): torch's ``nn.LSTM``,
          ``nn.GRU``, ``nn.RNN``;
        - ``'peephole'``: :class:`PeepholeLSTMModule`;
        - ``'slstm'``, ``'mlstm'``: xLSTM's blocks, :class:`SLSTMModule` and
          :class:`MLSTMModule`;
        - a class of your own (the extension point): a ``torch.nn.Module``
          subclass built as ``cell(input_size, hidden_size)`` (any other
          argument with a default) whose ``forward(X)`` takes ``(batch, time,
          input_size)`` and returns ``(outputs, state)`` with ``outputs`` of
          shape ``(batch, time, hidden_size)``, the output at every step
          (``state`` is ignored; a bare tensor works too). A wrong shape is an
          error at the first forward pass. torch's recurrent classes
          (``nn.LSTM``, ``nn.GRU``, ``nn.RNN`` and their subclasses) are built
          with ``batch_first=True``.
    bidirectional : bool, default=False
        Run each layer in both directions (the next layer sees twice the
        units). torch's cells use their own; any other cell gets a second
        instance that reads the reversed window.
    dropout : float, default=0.0
        Dropout probability between layers, in [0, 1).
    n_outputs : int, default=1
        Outputs of the linear head (one per target column or horizon step).
    residual : bool, default=False
        Add each layer's input to its output, from the second layer on (the
        first reads the raw features): ``y_k = layer_k(y_{k-1}) + P_k
        y_{k-1}``, with ``P_k`` the identity when the widths are equal and a
        learned linear map (no bias) when they differ. Helps deep stacks
        (four layers or more) train: the gradient has a short path to every
        layer.
    layer_norm : bool, default=False
        Normalise each layer's output (after the residual sum) with a
        ``LayerNorm`` over its units: steadier activations in deep stacks.

    Attributes
    ----------
    layers : torch.nn.ModuleList
        One recurrent layer per entry of ``hidden_size``.
    projections : torch.nn.ModuleList
        With ``residual``: ``P_k`` of layers 2 ... (``nn.Identity`` or
        ``nn.Linear``); empty otherwise.
    norms : torch.nn.ModuleList
        With ``layer_norm``: one ``nn.LayerNorm`` per layer; empty otherwise.
    head : torch.nn.Linear
        The linear head.

    See Also
    --------
    PeepholeLSTMModule, SLSTMModule, MLSTMModule : The library's own cells.

    Notes
    -----
    A PyTorch LSTM layer of ``h`` units on ``d`` inputs has ``4 h (d + h + 2)``
    parameters: two bias vectors (input-hidden and hidden-hidden) where Keras has
    one, so the lab's ``(7, 3)`` network on one feature has 280 + 144 + 4 = 428
    parameters here and 252 + 132 + 4 = 388 in the lab's Keras summary. The two
    biases add up, so both compute the same functions.

    With ``residual=False`` and ``layer_norm=False`` (the defaults) the
    network, its parameters and their initial values are those it had before
    these options existed.

    Examples
    --------
    >>> import torch
    >>> from lstmforecast.nn import RecurrentModule
    >>> net = RecurrentModule(input_size=1, hidden_size=(7, 3))
    >>> net(torch.zeros(5, 36, 1)).shape
    torch.Size([5, 1])
    >>> sum(p.numel() for p in net.parameters())
    428

    A cell of your own: a class taking ``(input_size, hidden_size)``.

    >>> class Tanh(torch.nn.Module):
    ...     def __init__(self, input_size, hidden_size):
    ...         super().__init__()
    ...         self.linear = torch.nn.Linear(input_size, hidden_size)
    ...
    ...     def forward(self, X):  # no recurrence: a per-step map
    ...         return torch.tanh(self.linear(X)), None
    >>> deep = RecurrentModule(1, (8, 8, 8, 8), cell=Tanh, residual=True)
    >>> deep(torch.zeros(5, 36, 1)).shape
    torch.Size([5, 1])
    """

    def __init__(
        self,
        input_size: int,
        hidden_size: int | Sequence[int] = (7, 3),
        cell="lstm",
        bidirectional: bool = False,
        dropout: float = 0.0,
        n_outputs: int = 1,
        residual: bool = False,
        layer_norm: bool = False,
    ):
        super().__init__()
        owner = "RecurrentModule"
        sizes = _sizes(hidden_size, "hidden_size", owner)
        _check_cell(cell, owner)
        _check_dropout(dropout, owner)
        n_outputs = _count(n_outputs, "n_outputs", owner)
        directions = 2 if bidirectional else 1
        width = _count(input_size, "input_size", owner)
        layers, projections, norms = [], [], []
        for k, h in enumerate(sizes):
            layers.append(_build_layer(cell, width, h, bool(bidirectional)))
            out = h * directions
            if residual and k:
                projections.append(
                    nn.Identity() if width == out else nn.Linear(width, out, bias=False)
                )
            if layer_norm:
                norms.append(nn.LayerNorm(out))
            width = out
        self.layers = nn.ModuleList(layers)
        self.projections = nn.ModuleList(projections)
        self.norms = nn.ModuleList(norms)
        self.dropout = nn.Dropout(dropout)
        self.head = nn.Linear(width, n_outputs)
        self.bidirectional = bool(bidirectional)
        self.residual, self.layer_norm = bool(residual), bool(layer_norm)
        # a user's class: its outputs are checked (name, units of each layer)
        self._checks = (
            None if isinstance(cell, str) else [(cell.__name__, h) for h in sizes]
        )

    def forward(self, X: torch.Tensor) -> torch.Tensor:
        """Run the layers over the windows.

        Parameters
        ----------
        X : torch.Tensor of shape (batch, lookback, input_size)
            Windows.

        Returns
        -------
        out : torch.Tensor of shape (batch, n_outputs)
            The head's output from the final outputs of the last layer.
        """
        out = X
        last = len(self.layers) - 1
        for k, layer in enumerate(self.layers):
            if k:
                out = self.dropout(out)
            if k == last and getattr(layer, "_last_step", False):
                # xLSTM blocks: the head reads the last step only
                y, _ = layer(out, last_step=True)
                out = out[:, -1:]
            else:
                check = self._checks[k] if self._checks else None
                y, _ = _layer_outputs(layer, out, check and check[1], check)
            if self.residual and k:
                y = y + self.projections[k - 1](out)
            out = self.norms[k](y) if self.layer_norm else y
        if not self.bidirectional:
            return self.head(out[:, -1, :])
        # the backward direction ends at time step 0, having read the whole window
        units = out.shape[-1] // 2
        final = torch.cat([out[:, -1, :units], out[:, 0, units:]], dim=1)
        return self.head(final)


class MLPModule(nn.Module):
    """Fully connected layers with one activation, then a linear output.

    Parameters
    ----------
    input_size : int
        Input features.
    hidden_size : int or sequence of int, default=(15, 10, 5)
        Units of each hidden layer (the lab's MLP is ``(15, 10, 5)``).
    activation : {'sigmoid', 'tanh', 'relu'}, default='sigmoid'
        Activation after each hidden layer.
    dropout : float, default=0.0
        Dropout probability after each hidden activation, in [0, 1).
    n_outputs : int, default=1
        Outputs of the linear output layer.

    Examples
    --------
    >>> import torch
    >>> from lstmforecast.nn import MLPModule
    >>> net = MLPModule(input_size=5)
    >>> net(torch.zeros(4, 5)).shape
    torch.Size([4, 1])
    >>> sum(p.numel() for p in net.parameters())  # 90 + 160 + 55 + 6
    311
    """

    def __init__(
        self,
        input_size: int,
        hidden_size: int | Sequence[int] = (15, 10, 5),
        activation: str = "sigmoid",
        dropout: float = 0.0,
        n_outputs: int = 1,
    ):
        super().__init__()
        sizes = _sizes(hidden_size, "hidden_size", "MLPModule")
        if activation not in _ACTIVATIONS:
            raise ValueError(
                f"The 'activation' parameter of MLPModule must be one of "
                f"{sorted(_ACTIVATIONS)}. Got {_shown(activation)} instead."
            )
        _check_dropout(dropout, "MLPModule")
        n_outputs = _count(n_outputs, "n_outputs", "MLPModule")
        layers, width = [], _count(input_size, "input_size", "MLPModule")
        for h in sizes:
            layers += [nn.Linear(width, h), _ACTIVATIONS[activation]()]
            if dropout:
                layers.append(nn.Dropout(dropout))
            width = h
        layers.append(nn.Linear(width, n_outputs))
        self.layers = nn.Sequential(*layers)

    def forward(self, X: torch.Tensor) -> torch.Tensor:
        """Run the layers.

        Parameters
        ----------
        X : torch.Tensor of shape (batch, input_size)
            Inputs.

        Returns
        -------
        out : torch.Tensor of shape (batch, n_outputs)
            Outputs.
        """
        return self.layers(X)


class SeriesEmbedding(nn.Module):
    """A learned vector per series, appended to the inputs of another module.

    The per-series information of a global model: series ``s`` gets the vector
    ``E[s]`` (``embedding_dim`` values, learned with the network), concatenated
    to every time step of a window ``(batch, lookback, features)`` or to a flat
    row ``(batch, features)``, and ``module`` reads the result. A series
    not seen in training is ``-1``: it gets the mean of the learned vectors
    (the average series), or an error when ``unseen="error"``.

    Parameters
    ----------
    module : torch.nn.Module
        The network, built for ``features + embedding_dim`` inputs per step.
    n_series : int
        Number of series seen in training (ids ``0 ... n_series - 1``).
    embedding_dim : int
        Size of each series' vector.
    unseen : {'mean', 'error'}, default='mean'
        What id ``-1`` (a series not seen in training) gets.

    Examples
    --------
    >>> import torch
    >>> from lstmforecast.nn import RecurrentModule, SeriesEmbedding
    >>> net = SeriesEmbedding(RecurrentModule(input_size=1 + 2), 10, 2)
    >>> net(torch.zeros(4, 36, 1), torch.tensor([0, 3, 9, -1])).shape
    torch.Size([4, 1])
    """

    def __init__(
        self, module: nn.Module, n_series: int, embedding_dim: int, unseen: str = "mean"
    ):
        super().__init__()
        n_series = _count(n_series, "n_series", "SeriesEmbedding")
        dim = _count(embedding_dim, "embedding_dim", "SeriesEmbedding")
        if unseen not in ("mean", "error"):
            raise ValueError(
                "The 'unseen' parameter of SeriesEmbedding must be 'mean' or "
                f"'error'. Got {_shown(unseen)} instead."
            )
        self.module = module
        self.embedding = nn.Embedding(n_series, dim)
        self.unseen = unseen

    def forward(self, X: torch.Tensor, series: torch.Tensor) -> torch.Tensor:
        """Append each row's series vector to its inputs and run ``module``.

        Parameters
        ----------
        X : torch.Tensor of shape (batch, lookback, features) or (batch, features)
            Windows or flat rows.
        series : torch.Tensor of int of shape (batch,)
            Series id of each row; ``-1`` for a series not seen in training.

        Returns
        -------
        out : torch.Tensor
            ``module``'s output.
        """
        unseen = series < 0
        if bool(unseen.any()):
            if self.unseen == "error":
                raise ValueError(
                    f"SeriesEmbedding got {int(unseen.sum())} row(s) of a series not "
                    "seen in training (id -1) with unseen='error'."
                )
            vectors = self.embedding(series.clamp(min=0))
            average = self.embedding.weight.mean(dim=0)
            vectors = torch.where(unseen[:, None], average, vectors)
        else:
            vectors = self.embedding(series)
        if X.ndim == 3:
            vectors = vectors[:, None, :].expand(-1, X.shape[1], -1)
        return self.module(torch.cat([X, vectors.to(X.dtype)], dim=-1))


class LinearPath(nn.Module):
    """A linear map of the whole input, added to another module's output.

    The autoregressive "highway" of LSTNet-style models: ``module(X) + W
    vec(X) + b``, where ``vec(X)`` is the window (or row) flattened. The network
    then only has to learn what a linear autoregression on the same inputs
    cannot, and the sum can always fall back to that linear model. ``W`` and
    ``b`` start at zero: the untrained sum is ``module`` alone, and building it
    draws no random numbers (``module``'s initial weights are those it would
    have on its own).

    Parameters
    ----------
    module : torch.nn.Module
        The network; its output has ``n_outputs`` columns.
    n_inputs : int
        Size of one flattened input (``lookback x features`` for a window).
    n_outputs : int
        Outputs, as ``module``'s.

    Examples
    --------
    >>> import torch
    >>> from lstmforecast.nn import LinearPath, RecurrentModule
    >>> net = LinearPath(RecurrentModule(input_size=1), n_inputs=24, n_outputs=1)
    >>> net(torch.zeros(5, 24, 1)).shape
    torch.Size([5, 1])
    >>> float(net.linear.weight.abs().sum())
    0.0
    """

    def __init__(self, module: nn.Module, n_inputs: int, n_outputs: int):
        super().__init__()
        n_inputs = _count(n_inputs, "n_inputs", "LinearPath")
        n_outputs = _count(n_outputs, "n_outputs", "LinearPath")
        self.module = module
        self.linear = nn.Linear(n_inputs, n_outputs)
        nn.init.zeros_(self.linear.weight)
        nn.init.zeros_(self.linear.bias)

    def forward(self, X: torch.Tensor, *args, **kwargs) -> torch.Tensor:
        """Return ``module(X, ...)`` plus the linear map of the flattened ``X``.

        Parameters
        ----------
        X : torch.Tensor of shape (batch, ...)
            Inputs of ``module``.
        *args, **kwargs
            Passed on to ``module`` (the series ids of a :class:`SeriesEmbedding`).

        Returns
        -------
        out : torch.Tensor of shape (batch, n_outputs)
            The sum.
        """
        return self.module(X, *args, **kwargs) + self.linear(X.reshape(len(X), -1))


class QuantileHead(nn.Module):
    """Quantiles that never cross: the lowest, then positive increments.

    ``module`` returns ``n_columns * n_quantiles`` raw values per row, quantile
    fastest. For each column the lowest quantile is its first value and every
    next one adds ``softplus`` of the next value, so the quantiles increase
    with their level by construction, whatever the weights (and stay ordered
    under any increasing map, such as the regressors' un-scaling).

    Parameters
    ----------
    module : torch.nn.Module
        The network, with ``n_columns * n_quantiles`` outputs.
    n_quantiles : int
        Quantiles per target column.

    Examples
    --------
    >>> import torch
    >>> from lstmforecast.nn import MLPModule, QuantileHead
    >>> head = QuantileHead(MLPModule(4, (8,), n_outputs=2 * 3), n_quantiles=3)
    >>> out = head(torch.randn(10, 4)).reshape(10, 2, 3)
    >>> bool((out.diff(dim=2) > 0).all())
    True
    """

    def __init__(self, module: nn.Module, n_quantiles: int):
        super().__init__()
        self.module = module
        self.n_quantiles = _count(n_quantiles, "n_quantiles", "QuantileHead")

    def forward(self, X: torch.Tensor, *args, **kwargs) -> torch.Tensor:
        """Return the ordered quantiles, ``(batch, n_columns * n_quantiles)``.

        Parameters
        ----------
        X : torch.Tensor
            Inputs of ``module``.
        *args, **kwargs
            Passed on to ``module``.

        Returns
        -------
        out : torch.Tensor of shape (batch, n_columns * n_quantiles)
            Quantile fastest, increasing within each column.
        """
        return _ordered_quantiles(self.module(X, *args, **kwargs), self.n_quantiles)


def _ordered_quantiles(raw: torch.Tensor, n_quantiles: int) -> torch.Tensor:
    """Map raw values (quantile fastest) to increasing quantiles per column."""
    raw = raw.reshape(len(raw), -1, n_quantiles)
    steps = nn.functional.softplus(raw[..., 1:])
    ordered = torch.cat([raw[..., :1], raw[..., :1] + steps.cumsum(dim=-1)], -1)
    return ordered.reshape(len(raw), -1)


class FittedLinearPath(nn.Module):
    r"""A fixed linear autoregression, plus a network gated from zero.

    ``gate * module(X) + W vec(X) + b``: ``W`` and ``b`` are buffers (saved with
    the weights, never trained), set by :meth:`set_linear` to a linear model
    fitted beforehand in closed form (the regressors' ``linear_path='ridge'``),
    and the scalar ``gate`` is a parameter that starts at zero. The untrained
    sum is therefore exactly that linear model, and training moves the network
    in only as far as it lowers the loss: the network learns the residual of
    the linear autoregression (the ARIMA-plus-network hybrids of Zhang, 2003),
    not the whole signal. With ``n_quantiles > 1`` the network's raw outputs
    become increasing quantiles first (as in :class:`QuantileHead`) and the
    same linear forecast is added to every quantile of a column, so they still
    never cross; untrained, quantile ``point`` is the linear forecast and the
    others lie ``softplus(0) = ln 2`` apart around it.

    Parameters
    ----------
    module : torch.nn.Module
        The network; its output has ``n_outputs * n_quantiles`` columns.
    n_inputs : int
        Size of one flattened input (``lookback x features`` for a window).
    n_outputs : int
        Target columns.
    n_quantiles : int, default=1
        Quantiles per target column.
    point : int, default=0
        Index of the quantile a point forecast reads (the one nearest the
        median): the untrained quantiles are shifted so that it starts exactly
        at the linear forecast, the others ``softplus(0)`` apart around it.

    Examples
    --------
    >>> import torch
    >>> from lstmforecast.nn import FittedLinearPath, MLPModule
    >>> net = FittedLinearPath(MLPModule(3, (4,)), n_inputs=3, n_outputs=1)
    >>> net.set_linear(torch.tensor([[0.0, 0.0, 1.0]]), torch.tensor([0.5]))
    >>> net(torch.tensor([[1.0, 2.0, 3.0]]))  # the gate is 0: the linear model
    tensor([[3.5000]], grad_fn=<AddBackward0>)
    """

    def __init__(
        self,
        module: nn.Module,
        n_inputs: int,
        n_outputs: int,
        n_quantiles: int = 1,
        point: int = 0,
    ):
        super().__init__()
        n_inputs = _count(n_inputs, "n_inputs", "FittedLinearPath")
        self.n_outputs = _count(n_outputs, "n_outputs", "FittedLinearPath")
        self.n_quantiles = _count(n_quantiles, "n_quantiles", "FittedLinearPath")
        if not 0 <= int(point) < self.n_quantiles:
            raise ValueError(
                f"The 'point' parameter of FittedLinearPath must be the index of "
                f"one of the {self.n_quantiles} quantiles; got {point}. Pass the "
                "index of the quantile that predict returns (0 without quantiles)."
            )
        # the untrained quantiles are softplus(0) apart: shift them so that
        # quantile `point` starts exactly at the linear forecast
        self.point_offset = float(point) * math.log(2.0)
        self.module = module
        self.register_buffer("weight", torch.zeros(self.n_outputs, n_inputs))
        self.register_buffer("bias", torch.zeros(self.n_outputs))
        self.gate = nn.Parameter(torch.zeros(()))

    def set_linear(self, weight: torch.Tensor, bias: torch.Tensor) -> None:
        """Set the linear model: ``weight`` (outputs, inputs), ``bias`` (outputs,).

        Parameters
        ----------
        weight, bias : torch.Tensor or array-like
            The coefficients and intercepts, in the units of the module's inputs
            and outputs; copied (in the buffers' dtype and device).
        """
        weight = torch.as_tensor(weight, dtype=self.weight.dtype)
        bias = torch.as_tensor(bias, dtype=self.bias.dtype)
        if weight.shape != self.weight.shape or bias.shape != self.bias.shape:
            raise ValueError(
                f"FittedLinearPath.set_linear expects a weight of shape "
                f"{tuple(self.weight.shape)} and a bias of shape "
                f"{tuple(self.bias.shape)}; got {tuple(weight.shape)} and "
                f"{tuple(bias.shape)}. Fit one coefficient per input and output."
            )
        with torch.no_grad():
            self.weight.copy_(weight)
            self.bias.copy_(bias)

    def forward(self, X: torch.Tensor, *args, **kwargs) -> torch.Tensor:
        """Return ``gate * module(X, ...)`` plus the linear model of ``vec(X)``.

        Parameters
        ----------
        X : torch.Tensor of shape (batch, ...)
            Inputs of ``module``.
        *args, **kwargs
            Passed on to ``module`` (the series ids of a :class:`SeriesEmbedding`).

        Returns
        -------
        out : torch.Tensor of shape (batch, n_outputs * n_quantiles)
            The sum (quantile fastest).
        """
        raw = self.gate * self.module(X, *args, **kwargs)
        if self.n_quantiles > 1:
            raw = _ordered_quantiles(raw, self.n_quantiles) - self.point_offset
        linear = torch.addmm(self.bias, X.reshape(len(X), -1), self.weight.T)
        if self.n_quantiles > 1:
            linear = linear.repeat_interleave(self.n_quantiles, dim=1)
        return raw + linear
