r"""The cells of :class:`~lstmforecast.nn.RecurrentModule`, and the peephole LSTM.

Every cell follows the calling convention of ``nn.LSTM(batch_first=True)`` as
``RecurrentModule`` uses it: ``layer(X)`` with ``X`` of shape ``(batch, time,
input_size)`` returns ``(outputs, state)``, ``outputs`` of shape ``(batch, time,
hidden_size)`` (the output at every step) and ``state`` the final state. This is
also the contract of a user's own cell class, the documented extension point of
``RecurrentModule(cell=...)``: this module names the cells, checks a user's
class and its outputs, and runs any cell in both directions.

The peephole LSTM's input projections of the whole sequence are one matrix
product outside the time loop; the loop does one ``addmm`` and a few
elementwise operations per step, and its backward pass is written by hand.
"""

from __future__ import annotations

import difflib
import inspect

import torch
from torch import nn
from torch.autograd.function import once_differentiable
from torch.nn import functional as F

from lstmforecast.nn._checks import _count, _shown
from lstmforecast.nn._xlstm import MLSTMModule, SLSTMModule, _uniform_

__all__ = ["PeepholeLSTMModule"]


# ---------------------------------------------------------------- peephole LSTM
class _PeepholeScan(torch.autograd.Function):
    """The peephole LSTM's time loop, with its backward pass written by hand.

    ``gx`` (time, batch, 4 hidden) holds ``W x_t + b`` for every step (gates
    ``i, f, g, o``), ``R`` (4 hidden, hidden) the recurrent weights, ``P`` (3,
    hidden) the peepholes of ``i, f, o``. Returns the outputs and cells of every
    step, each (time, batch, hidden).
    """

    @staticmethod
    def forward(ctx, gx, R, P):
        T, B, G = gx.shape
        H = G // 4
        gates = torch.empty_like(gx)  # i, f, g, o after their nonlinearity
        hs, cs, tanh_cs = (gx.new_empty(T, B, H) for _ in range(3))
        h, c = gx.new_zeros(B, H), gx.new_zeros(B, H)
        Rt = R.t()
        for t in range(T):
            z = torch.addmm(gx[t], h, Rt, out=gates[t])
            # i and f at once: both read c_{t-1}
            z[:, : 2 * H].view(B, 2, H).addcmul_(P[:2], c[:, None]).sigmoid_()
            i, f, g, o = z.chunk(4, 1)
            g.tanh_()
            c = torch.mul(f, c, out=cs[t]).addcmul_(i, g)
            o.addcmul_(P[2], c).sigmoid_()
            h = torch.mul(o, torch.tanh(c, out=tanh_cs[t]), out=hs[t])
        ctx.save_for_backward(R, P, gates, hs, cs, tanh_cs)
        return hs, cs

    @staticmethod
    @once_differentiable
    def backward(ctx, dhs, dcs):
        R, P, gates, hs, cs, tanh_cs = ctx.saved_tensors
        T, B, H = hs.shape
        i, f, g, o = gates.chunk(4, 2)
        c_prev = torch.cat([cs.new_zeros(1, B, H), cs[:-1]])
        # the factors of the recursion, for every step at once (out of the loop)
        do_dh = tanh_cs * o * (1 - o)  # o~ <- h
        dc_dh = o * (1 - tanh_cs * tanh_cs) + do_dh * P[2]  # c <- h, via o's peephole
        dz_dc = torch.cat([g * i * (1 - i), c_prev * f * (1 - f), i * (1 - g * g)], 2)
        dc_dc = f + dz_dc[..., :H] * P[0] + dz_dc[..., H : 2 * H] * P[1]  # c_{t-1}
        dz_dc = dz_dc.view(T, B, 3, H)
        d_gates = torch.empty_like(gates)
        dh = dhs[-1]
        dc = hs.new_zeros(B, H) if dcs is None else dcs[-1].clone()
        for t in range(T - 1, -1, -1):
            if t < T - 1:
                dh = torch.addmm(dhs[t], d_gates[t + 1], R)
                if dcs is not None:
                    dc.add_(dcs[t])
            torch.mul(dh, do_dh[t], out=d_gates[t, :, 3 * H :])
            dc.addcmul_(dh, dc_dh[t])
            d_izg = d_gates[t, :, : 3 * H].view(B, 3, H)  # i~, f~, g~ at once
            torch.mul(dz_dc[t], dc[:, None], out=d_izg)
            dc.mul_(dc_dc[t])
        dR = d_gates[1:].reshape(-1, 4 * H).t() @ hs[:-1].reshape(-1, H)
        dP = torch.stack(
            [
                (d_gates[..., :H] * c_prev).sum((0, 1)),
                (d_gates[..., H : 2 * H] * c_prev).sum((0, 1)),
                (d_gates[..., 3 * H :] * cs).sum((0, 1)),
            ]
        )
        return d_gates, dR, dP


class PeepholeLSTMModule(nn.Module):
    r"""LSTM layer with peephole connections (Gers & Schmidhuber, 2000).

    The gates also read the cell: the input and forget gates the previous cell
    :math:`c_{t-1}`, the output gate the new cell :math:`c_t`, each through a
    diagonal (elementwise) peephole weight. With :math:`\sigma` the logistic
    function and :math:`\odot` the elementwise product::

        i_t = sigma(W_i x_t + R_i h_{t-1} + p_i * c_{t-1} + b_i)
        f_t = sigma(W_f x_t + R_f h_{t-1} + p_f * c_{t-1} + b_f)
        g_t = tanh(W_g x_t + R_g h_{t-1} + b_g)
        c_t = f_t * c_{t-1} + i_t * g_t
        o_t = sigma(W_o x_t + R_o h_{t-1} + p_o * c_t + b_o)
        h_t = o_t * tanh(c_t)

    from :math:`h_0 = c_0 = 0`. Peepholes let the gates time intervals from the
    cell's own count (Gers & Schmidhuber's motivation), which can help on the
    sharp daily and weekly edges of traffic.

    Parameters
    ----------
    input_size : int
        Features per time step.
    hidden_size : int
        Units.

    Attributes
    ----------
    weight_ih : torch.nn.Parameter of shape (4 * hidden_size, input_size)
        :math:`W` of the gates ``i, f, g, o``, stacked in that order (torch's).
    weight_hh : torch.nn.Parameter of shape (4 * hidden_size, hidden_size)
        :math:`R`, in the same order.
    bias : torch.nn.Parameter of shape (4 * hidden_size,)
        :math:`b` (one bias vector, where ``nn.LSTM`` keeps two that add up).
    weight_peephole : torch.nn.Parameter of shape (3, hidden_size)
        :math:`p_i, p_f, p_o`.

    See Also
    --------
    SLSTMModule : xLSTM's sLSTM, with exponential gating.
    RecurrentModule : Stacks layers of any cell.

    Notes
    -----
    Every parameter starts uniform in :math:`\pm 1/\sqrt{h}`, as ``nn.LSTM``'s.
    ``forward`` computes :math:`W x_t + b` for all steps in one matrix product;
    the time loop and its hand-written backward pass then do one matrix product
    per step each (see ``benchmarks/bench_cells.py`` for the speed).

    References
    ----------
    F. A. Gers and J. Schmidhuber, "Recurrent nets that time and count",
    IJCNN 2000; F. A. Gers, N. N. Schraudolph and J. Schmidhuber, "Learning
    precise timing with LSTM recurrent networks", JMLR 3, 2002.

    Examples
    --------
    >>> import torch
    >>> from lstmforecast.nn import PeepholeLSTMModule
    >>> layer = PeepholeLSTMModule(input_size=2, hidden_size=3)
    >>> out, (h, c) = layer(torch.zeros(4, 10, 2))
    >>> out.shape, h.shape
    (torch.Size([4, 10, 3]), torch.Size([4, 3]))
    >>> sum(p.numel() for p in layer.parameters())  # 4 h (d + h + 1) + 3 h
    81
    """

    def __init__(self, input_size: int, hidden_size: int):
        super().__init__()
        owner = "PeepholeLSTMModule"
        self.input_size = _count(input_size, "input_size", owner)
        self.hidden_size = H = _count(hidden_size, "hidden_size", owner)
        self.weight_ih = nn.Parameter(_uniform_(torch.empty(4 * H, input_size), H))
        self.weight_hh = nn.Parameter(_uniform_(torch.empty(4 * H, H), H))
        self.bias = nn.Parameter(_uniform_(torch.empty(4 * H), H))
        self.weight_peephole = nn.Parameter(_uniform_(torch.empty(3, H), H))

    def forward(self, X: torch.Tensor):
        """Run the layer over the sequences.

        Parameters
        ----------
        X : torch.Tensor of shape (batch, time, input_size)
            Sequences.

        Returns
        -------
        outputs : torch.Tensor of shape (batch, time, hidden_size)
            :math:`h_t` at every step.
        state : tuple of torch.Tensor
            ``(h, c)`` after the last step, each ``(batch, hidden_size)``.
        """
        gx = F.linear(X.transpose(0, 1), self.weight_ih, self.bias).contiguous()
        hs, cs = _PeepholeScan.apply(gx, self.weight_hh, self.weight_peephole)
        return hs.transpose(0, 1), (hs[-1], cs[-1])


# ------------------------------------------------------- RecurrentModule's cells
CELLS = {
    "gru": nn.GRU,
    "lstm": nn.LSTM,
    "mlstm": MLSTMModule,
    "peephole": PeepholeLSTMModule,
    "rnn": nn.RNN,
    "slstm": SLSTMModule,
}


def _cell_name(cell) -> str:
    """Write the cell as a message shows it: ``'lstm'`` or ``the class MyCell``."""
    return repr(cell) if isinstance(cell, str) else f"the class {cell.__name__}"


def _check_cell(cell, owner: str):
    """Return the class of ``cell`` (a name or a module class), or raise.

    A class must subclass ``torch.nn.Module`` and take ``(input_size,
    hidden_size)``; the message names what came and the fix.
    """
    names = sorted(CELLS)
    expected = (
        f"The 'cell' parameter of {owner} must be one of {names} or a "
        "torch.nn.Module subclass built as cell(input_size, hidden_size)"
    )
    if isinstance(cell, str):
        if cell in CELLS:
            return CELLS[cell]
        close = difflib.get_close_matches(cell.lower(), names, n=1)
        hint = f" Did you mean {close[0]!r}?" if close else ""
        raise ValueError(f"{expected}. Got {cell!r} instead.{hint}")
    if isinstance(cell, nn.Module):
        raise TypeError(
            f"{expected}. Got an instance of {type(cell).__name__} instead: pass "
            f"the class itself (cell={type(cell).__name__}), which is built once "
            "per layer."
        )
    if not (isinstance(cell, type) and issubclass(cell, nn.Module)):
        got = f"the class {cell.__name__}" if isinstance(cell, type) else _shown(cell)
        raise TypeError(f"{expected}. Got {got} instead.")
    try:
        inspect.signature(cell).bind(1, 1)
    except TypeError:
        raise TypeError(
            f"{expected}. Got {_cell_name(cell)}, whose constructor does not take "
            "(input_size, hidden_size): give it those two positional arguments "
            "(other arguments need defaults)."
        ) from None
    except ValueError:  # no signature to inspect (a builtin): let the call tell
        pass
    return cell


class _Bidirectional(nn.Module):
    """Two layers of a cell: one reads the sequence forwards, one backwards."""

    def __init__(self, forward_layer: nn.Module, backward_layer: nn.Module, check):
        super().__init__()
        self.forward_layer, self.backward_layer = forward_layer, backward_layer
        self._check = check

    def forward(self, X):
        width = self._check[1] if self._check else None
        out_f, state_f = _layer_outputs(self.forward_layer, X, width, self._check)
        out_b, state_b = _layer_outputs(
            self.backward_layer, X.flip(1), width, self._check
        )
        return torch.cat([out_f, out_b.flip(1)], dim=-1), (state_f, state_b)


def _build_layer(cell, input_size: int, hidden_size: int, bidirectional: bool):
    """One layer of ``cell`` (a name or a class checked by ``_check_cell``)."""
    cls = CELLS[cell] if isinstance(cell, str) else cell
    if issubclass(cls, nn.RNNBase):  # torch's own (and subclasses): batch first
        return cls(
            input_size, hidden_size, batch_first=True, bidirectional=bidirectional
        )
    check = None if isinstance(cell, str) else (cls.__name__, hidden_size)
    layer = cls(input_size, hidden_size)
    if bidirectional:
        return _Bidirectional(layer, cls(input_size, hidden_size), check)
    return layer


def _layer_outputs(layer, X, width, check):
    """Run one layer: ``(outputs, state)``, checking a user cell's outputs.

    ``check`` is ``(class name, hidden_size)`` for a user's class, None for the
    library's cells (whose outputs are right by construction).
    """
    result = layer(X)
    if isinstance(result, (tuple, list)):
        out, state = result[0], (result[1] if len(result) > 1 else None)
    else:
        out, state = result, None
    if check is not None and not isinstance(layer, _Bidirectional):
        expected = (X.shape[0], X.shape[1], width)
        shape = tuple(out.shape) if isinstance(out, torch.Tensor) else None
        if shape != expected:
            got = f"shape {shape}" if shape else f"a {type(out).__name__}"
            raise ValueError(
                f"The 'cell' parameter's class {check[0]}: {check[0]}(X) must "
                f"return the outputs of every step, (batch, time, hidden_size) = "
                f"{expected}, or a tuple (outputs, state); got {got} for X of "
                f"shape {tuple(X.shape)}. "
                "Return the whole output sequence, batch first, as "
                "nn.LSTM(batch_first=True) does."
            )
    return out, state
