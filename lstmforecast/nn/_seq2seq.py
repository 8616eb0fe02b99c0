"""Sequence to sequence: an encoder over the window, a decoder over the horizon."""

from __future__ import annotations

import torch
from torch import nn

__all__ = ["Seq2SeqModule"]

_ATTENTIONS = (None, "bahdanau", "luong")
_CELLS = {"lstm": (nn.LSTM, nn.LSTMCell), "gru": (nn.GRU, nn.GRUCell)}


class Seq2SeqModule(nn.Module):
    r"""Encoder-decoder network: one window in, a path of ``n_outputs`` steps out.

    The window ``X`` of shape ``(batch, lookback, input_size)`` holds the
    history channels first and, when ``future_size > 0``, the known-future
    features of the ``n_outputs`` forecast steps as its last ``future_size x
    n_outputs`` channels, step-major (``f1_h1 .. fF_h1, f1_h2 ...``), read at
    the window's last time step: the layout of ``SlidingWindow(future_columns=
    ...)`` over ``CalendarFeatures(features, horizon=n_outputs)``.

    Parameters
    ----------
    input_size : int
        Channels per time step (history and known-future together).
    hidden_size : int, default=16
        Units of the encoder and of the decoder.
    n_outputs : int, default=1
        Forecast steps ``H`` (the decoder's length).
    future_size : int, default=0
        Known-future features per forecast step ``F``.
    attention : {None, 'bahdanau', 'luong'}, default='bahdanau'
        How each decoder step reads the encoder's outputs (see Notes).
    cell : {'lstm', 'gru'}, default='lstm'
        Recurrent cell of the encoder and the decoder.
    target_index : int, default=0
        History channel holding the target's own past: its last value is the
        decoder's first input.
    teacher_forcing : float, default=0.0
        In training, the probability that a decoder step reads the true
        previous value instead of its own forecast (one draw per step and
        batch, from torch's generator). Changed in place by the regressor's
        scheduled-sampling decay; never used in eval mode.

    Attributes
    ----------
    encoder : torch.nn.LSTM or torch.nn.GRU
        The encoder over the history channels.
    decoder : torch.nn.LSTMCell or torch.nn.GRUCell
        The decoder cell, unrolled ``n_outputs`` steps.
    head : torch.nn.Linear
        Decoder state (and context) to the step's forecast.
    attention_weights_ : torch.Tensor or None
        ``(batch, n_outputs, lookback)`` weights of the last forward pass in
        eval mode (detached); each row sums to 1 over the window. None before
        one, or without attention.

    Notes
    -----
    With encoder outputs :math:`e_1 .. e_L` (its final state starts the
    decoder, :math:`s_0`), :math:`\hat y_0` the window's last target value
    and :math:`f_h` the known-future features of step ``h``:

    - ``None``: :math:`s_h = \mathrm{cell}([\hat y_{h-1}, f_h], s_{h-1})`,
      :math:`\hat y_h = w^T s_h + b`;
    - ``'bahdanau'`` (additive, read before the step):
      :math:`a_{hj} = \mathrm{softmax}_j\, v^T \tanh(W_s s_{h-1} + W_e e_j)`,
      :math:`c_h = \sum_j a_{hj} e_j`,
      :math:`s_h = \mathrm{cell}([\hat y_{h-1}, f_h, c_h], s_{h-1})`,
      :math:`\hat y_h = w^T [s_h; c_h] + b`;
    - ``'luong'`` (general, read after the step):
      :math:`s_h = \mathrm{cell}([\hat y_{h-1}, f_h], s_{h-1})`,
      :math:`a_{hj} = \mathrm{softmax}_j\, s_h^T W e_j`,
      :math:`\hat y_h = w^T [s_h; c_h] + b`.

    :math:`s` is the hidden state (an LSTM's cell state is carried along).
    With teacher forcing, :math:`\hat y_{h-1}` is replaced by the true
    :math:`y_{h-1}` with probability ``teacher_forcing``.

    Examples
    --------
    >>> import torch
    >>> from lstmforecast.nn import Seq2SeqModule
    >>> net = Seq2SeqModule(input_size=1 + 2 * 3, hidden_size=4, n_outputs=3,
    ...                     future_size=2).eval()
    >>> net(torch.zeros(5, 24, 7)).shape
    torch.Size([5, 3])
    >>> net.attention_weights_.shape
    torch.Size([5, 3, 24])
    """

    def __init__(
        self,
        input_size,
        hidden_size=16,
        n_outputs=1,
        future_size=0,
        attention="bahdanau",
        cell="lstm",
        target_index=0,
        teacher_forcing=0.0,
    ):
        super().__init__()
        if attention not in _ATTENTIONS:
            raise ValueError(
                f"attention must be None, 'bahdanau' or 'luong'; got {attention!r}."
            )
        if cell not in _CELLS:
            raise ValueError(f"cell must be 'lstm' or 'gru'; got {cell!r}.")
        history = input_size - future_size * n_outputs
        if history < 1 or not 0 <= target_index < history:
            raise ValueError(
                f"input_size={input_size} leaves {history} history channel(s) "
                f"after {future_size} x {n_outputs} known-future ones; "
                f"target_index={target_index} must be one of them."
            )
        self.n_outputs, self.future_size = n_outputs, future_size
        self.n_history, self.target_index = history, target_index
        self.attention, self.cell = attention, cell
        self.teacher_forcing = float(teacher_forcing)
        encoder, decoder = _CELLS[cell]
        self.encoder = encoder(history, hidden_size, batch_first=True)
        context = hidden_size if attention == "bahdanau" else 0
        self.decoder = decoder(1 + future_size + context, hidden_size)
        if attention == "bahdanau":
            self.query = nn.Linear(hidden_size, hidden_size, bias=False)
            self.key = nn.Linear(hidden_size, hidden_size)
            self.score = nn.Linear(hidden_size, 1, bias=False)
        elif attention == "luong":
            self.key = nn.Linear(hidden_size, hidden_size, bias=False)
        width = hidden_size * (1 if attention is None else 2)
        self.head = nn.Linear(width, 1)
        self.attention_weights_ = None

    def _attend(self, state, keys, outputs):
        """Weights ``(batch, lookback)`` and context ``(batch, hidden)``."""
        if self.attention == "bahdanau":
            energy = self.score(torch.tanh(self.query(state)[:, None] + keys))
            energy = energy.squeeze(-1)
        else:  # luong, general score
            energy = torch.bmm(keys, state[:, :, None]).squeeze(-1)
        weights = torch.softmax(energy, dim=1)
        return weights, torch.bmm(weights[:, None], outputs).squeeze(1)

    def forward(self, X, y=None):
        """Forecast ``n_outputs`` steps; ``y`` (training only) for teacher forcing.

        Parameters
        ----------
        X : torch.Tensor of shape (batch, lookback, input_size)
            Windows.
        y : torch.Tensor of shape (batch, n_outputs) or None, default=None
            True targets, read only in training mode with ``teacher_forcing``.

        Returns
        -------
        y_pred : torch.Tensor of shape (batch, n_outputs)
            The forecasts.
        """
        outputs, state = self.encoder(X[:, :, : self.n_history])
        state = tuple(s[0] for s in state) if self.cell == "lstm" else state[0]
        future = X[:, -1, self.n_history :].reshape(len(X), self.n_outputs, -1)
        keys = None if self.attention is None else self.key(outputs)
        previous = X[:, -1, self.target_index : self.target_index + 1]
        force = self.training and y is not None and self.teacher_forcing > 0
        coins = torch.rand(self.n_outputs) < self.teacher_forcing if force else None
        preds, weights = [], []
        for h in range(self.n_outputs):
            if h > 0 and coins is not None and coins[h]:
                previous = y[:, h - 1 : h].to(X.dtype)
            step_in = [previous, future[:, h]]
            hidden = state[0] if self.cell == "lstm" else state
            if self.attention == "bahdanau":
                w, context = self._attend(hidden, keys, outputs)
                step_in.append(context)
            state = self.decoder(torch.cat(step_in, dim=1), state)
            hidden = state[0] if self.cell == "lstm" else state
            read = [hidden]
            if self.attention == "luong":
                w, context = self._attend(hidden, keys, outputs)
            if self.attention is not None:
                read.append(context)
                weights.append(w)
            previous = self.head(torch.cat(read, dim=1))
            preds.append(previous)
        if not self.training:
            self.attention_weights_ = (
                torch.stack(weights, dim=1).detach() if weights else None
            )
        return torch.cat(preds, dim=1)
