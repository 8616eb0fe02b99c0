"""Many small LSTM networks as one: stacked weights, batched products, one loop.

A *fleet* holds ``n_members`` networks of the same shape, each with its own
weights, in one ``(n_members, n_params)`` tensor. Its forward and backward passes
run every member at once: per time step one batched matrix product per layer
(``torch.bmm`` over the members) and a few elementwise operations over all the
members' gates, with the gradients written by hand (no autograd graph of
thousands of small nodes). The members never mix: member ``m`` reads only its own
inputs and weights, and its gradient is the gradient of its own loss.

Layout of a member's parameters (what :meth:`RecurrentFleetModule.to_module`
copies into a :class:`~lstmforecast.nn.RecurrentModule`), for each layer ``k``
of ``H`` units on ``F`` inputs: the ``(4 H, F + H)`` block ``[weight_ih |
weight_hh]`` (rows in torch's gate order i, f, g, o), ``bias_ih`` (4 H),
``bias_hh`` (4 H); then the head's ``weight`` (``n_outputs x H``) and ``bias``.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import torch
from torch import nn

from lstmforecast.nn._modules import RecurrentModule, _count, _shown, _sizes

__all__ = ["RecurrentFleetModule"]


@dataclass(frozen=True)
class _Spec:
    """Where each member's parameters lie in its row of the stacked weights."""

    input_size: int
    hidden_size: tuple
    n_outputs: int
    layers: tuple  # (offset, inputs F, units H) per layer
    head: int  # offset of the head's weight
    n_params: int

    @classmethod
    def build(cls, input_size: int, hidden_size: tuple, n_outputs: int) -> _Spec:
        layers, offset, width = [], 0, input_size
        for units in hidden_size:
            layers.append((offset, width, units))
            offset += 4 * units * (width + units) + 8 * units
            width = units
        head = offset
        return cls(
            input_size,
            tuple(hidden_size),
            n_outputs,
            tuple(layers),
            head,
            head + n_outputs * (width + 1),
        )

    def views(self, flat: torch.Tensor):
        """Per-layer ``(weights [ih | hh], bias_ih, bias_hh)`` and the head's two."""
        n = flat.shape[0]
        layers = []
        for offset, width, units in self.layers:
            size = 4 * units * (width + units)
            weight = flat[:, offset : offset + size].view(n, 4 * units, width + units)
            b_ih = flat[:, offset + size : offset + size + 4 * units]
            b_hh = flat[:, offset + size + 4 * units : offset + size + 8 * units]
            layers.append((weight, b_ih, b_hh))
        last = self.hidden_size[-1]
        cut = self.head + self.n_outputs * last
        head_w = flat[:, self.head : cut].view(n, self.n_outputs, last)
        return layers, (head_w, flat[:, cut : self.n_params])


class _LayerBuffers:
    """One layer's buffers for a pass over ``lookback`` steps of ``n`` members.

    Time-major (each step's block contiguous). Kept for every step: the input
    rows ``xh[t] = [x_t; h_{t-1}; 1]`` (the constant row carries the bias), and
    what the backward pass multiplies by, computed in the forward pass while the
    gates are still in the cache: ``p[t]``, the gates' local derivatives times
    their partners (``g s_i (1 - s_i)``, ``c_{t-1} s_f (1 - s_f)``,
    ``i (1 - g^2)``, ``tanh(c_t) s_o (1 - s_o)``), ``oq[t] = o (1 - tanh(c_t)^2)``
    and the gates ``s[t]`` (the backward pass reads the forget gate). The cell
    of one step is scratch: ``c2`` (twice the cell state, which makes
    ``tanh(c) = 2 sigmoid(c2) - 1`` one sigmoid of it) and ``tc``.
    """

    def __init__(self, n, lookback, batch, width, units, dtype, first):
        new = lambda *shape: torch.zeros(*shape, dtype=dtype)  # noqa: E731
        rows, h = width + units + 1, units
        self.width, self.units, self.rows = width, units, rows
        self.xh = new(lookback, n, rows, batch)
        self.xh[:, :, rows - 1] = 1.0
        self.p = new(lookback, n, 4 * h, batch)
        self.oq = new(lookback, n, h, batch)
        self.s = new(lookback, n, 4 * h, batch)
        self.c2 = (new(n, h, batch), new(n, h, batch))  # this step's, the last one's
        self.tc = new(n, h, batch)
        self.w = new(n, 4 * h, rows)  # [ih | hh | b_ih + b_hh], g rows x 2
        self.wt = new(n, h if first else width + h, 4 * h)
        self.g = new(n, h if first else width + h, batch)  # W^T dz
        self.dz = new(n, 4 * h, batch)
        self.dw_t = new(n, rows, 4 * h)  # the weight gradient, transposed
        self.dc, self.dh = new(n, h, batch), new(n, h, batch)
        self.ones = torch.ones(n, h, batch, dtype=dtype)
        self.zeros = torch.zeros(1, 1, 1, dtype=dtype).expand(n, h, batch)
        self.minus_ones = torch.full((1, 1, 1), -1.0, dtype=dtype).expand(n, h, batch)
        self.dz_cell = self.dz[:, : 3 * h].view(n, 3, h, batch)  # dz of i, f, g
        self.dz_o = self.dz[:, 3 * h :]
        self.g_in = self.g[:, :width] if not first else None
        self.g_rec = self.g[:, -h:]
        # the views of each step, made once: the loops only call operations
        self.steps = [
            {
                "p": self.p[t],
                "p_parts": tuple(self.p[t][:, j * h : (j + 1) * h] for j in range(4)),
                "p_cell": self.p[t][:, : 3 * h].view(n, 3, h, batch),
                "p_o": self.p[t][:, 3 * h :],
                "oq": self.oq[t],
                "s": self.s[t],
                "gates": tuple(self.s[t][:, j * h : (j + 1) * h] for j in range(4)),
                "xh": self.xh[t],
                "h_next": self.xh[t + 1][:, width : width + h]
                if t + 1 < lookback
                else None,
            }
            for t in range(lookback)
        ]


class _Workspace:
    """Every buffer of a forward and backward pass, allocated once and reused.

    Fresh buffers at every step would cost page faults; a fit reuses one
    workspace for all its steps (the shapes never change).
    """

    def __init__(self, spec: _Spec, n, lookback, batch, dtype=torch.float32):
        self.key = (n, lookback, batch, dtype)
        self.lookback, self.batch = lookback, batch
        self.layers = [
            _LayerBuffers(n, lookback, batch, width, units, dtype, first=k == 0)
            for k, (_, width, units) in enumerate(spec.layers)
        ]
        for k, layer in enumerate(self.layers[:-1]):
            above = self.layers[k + 1]
            for t, step in enumerate(layer.steps):
                step["h_out"] = above.xh[t][:, : layer.units]
        self.h_last = torch.zeros(n, spec.hidden_size[-1], batch, dtype=dtype)
        self.grad = torch.zeros(n, spec.n_params, dtype=dtype)


def _forward(spec: _Spec, flat, X_tm, ws: _Workspace) -> torch.Tensor:
    """Run every member on its windows; return ``(n, n_outputs, batch)``.

    ``X_tm`` is time-major ``(lookback, n, input_size, batch)``. The g gate's
    ``tanh(z) = 2 sigmoid(2 z) - 1`` (its rows of the weights are doubled, which
    is exact), and so is ``tanh(c)``: one sigmoid over all four gates, and no
    ``torch.tanh`` (several times slower than the sigmoid on the CPU).
    """
    layers, (head_w, head_b) = spec.views(flat)
    ws.layers[0].xh[:, :, : spec.input_size].copy_(X_tm)
    for (weight, b_ih, b_hh), buf in zip(layers, ws.layers, strict=True):
        h = buf.units
        buf.w[:, :, :-1].copy_(weight)
        torch.add(b_ih, b_hh, out=buf.w[:, :, -1])
        buf.w[:, 2 * h : 3 * h].mul_(2.0)
    last = len(ws.layers) - 1
    for t in range(ws.lookback):
        for k, buf in enumerate(ws.layers):
            _cell_forward(buf, t, k == last, ws.h_last)
    return torch.baddbmm(head_b.unsqueeze(-1), head_w, ws.h_last)


def _cell_forward(buf: _LayerBuffers, t: int, top: bool, h_last) -> None:
    """One layer at step ``t``: gates, cell, output; and the backward factors."""
    v = buf.steps[t]
    s = torch.bmm(buf.w, v["xh"], out=v["s"]).sigmoid_()
    i, f, g, o = v["gates"]
    torch.lerp(buf.minus_ones, buf.ones, g, out=g)  # g = 2 sigmoid(2 z) - 1
    c2, c2_prev = buf.c2[t % 2], buf.c2[(t + 1) % 2]
    if t == 0:
        torch.mul(i, g, out=c2).mul_(2.0)
    else:
        torch.mul(f, c2_prev, out=c2).addcmul_(i, g, value=2.0)
    tc = buf.tc
    torch.sigmoid(c2, out=tc)
    torch.lerp(buf.minus_ones, buf.ones, tc, out=tc)  # tanh(c)
    if not top:
        h = torch.mul(o, tc, out=v["h_out"])
        if v["h_next"] is not None:
            v["h_next"].copy_(h)
    elif v["h_next"] is not None:
        h = torch.mul(o, tc, out=v["h_next"])
    else:
        h = torch.mul(o, tc, out=h_last)
    # what the backward pass needs, while it is in the cache
    p_i, p_f, p_g, p_o = v["p_parts"]
    torch.addcmul(s, s, s, value=-1.0, out=v["p"])  # sigmoid' = s (1 - s)
    torch.addcmul(buf.ones, g, g, value=-1.0, out=p_g)  # tanh' = 1 - g^2
    p_i.mul_(g)
    if t == 0:
        p_f.zero_()
    else:
        torch.addcmul(buf.zeros, p_f, c2_prev, value=0.5, out=p_f)  # c = c2 / 2
    p_g.mul_(i)
    p_o.mul_(tc)
    torch.addcmul(o, h, tc, value=-1.0, out=v["oq"])  # o (1 - tanh(c)^2)


def _backward(spec: _Spec, flat, ws: _Workspace, d_out) -> torch.Tensor:
    """Gradient of the members' outputs' loss w.r.t. their weights (``ws.grad``).

    ``d_out`` is ``d loss / d output``, ``(n, n_outputs, batch)``; the pass runs
    back through time over all layers at once, reading what :func:`_forward`
    left in ``ws``.
    """
    layers, (head_w, _) = spec.views(flat)
    grad = ws.grad
    g_layers, (g_head_w, g_head_b) = spec.views(grad)
    torch.bmm(d_out, ws.h_last.transpose(1, 2), out=g_head_w)
    torch.sum(d_out, dim=2, out=g_head_b)
    d_top = torch.bmm(head_w.transpose(1, 2), d_out)
    for k, ((weight, _, _), buf) in enumerate(zip(layers, ws.layers, strict=True)):
        buf.wt.copy_((weight[:, :, buf.width :] if k == 0 else weight).transpose(1, 2))
        buf.dc.zero_()
        buf.dw_t.zero_()
    n_layers, lookback = len(ws.layers), ws.lookback
    for t in range(lookback - 1, -1, -1):
        for k in range(n_layers - 1, -1, -1):
            buf = ws.layers[k]
            above = ws.layers[k + 1].g_in if k + 1 < n_layers else None
            if t == lookback - 1:
                dh = above if above is not None else d_top
            elif above is None:
                dh = buf.g_rec
            else:
                dh = torch.add(buf.g_rec, above, out=buf.dh)
            _cell_backward(buf, t, dh, need_dh=k > 0 or t > 0)
    for (g_weight, g_b_ih, g_b_hh), buf in zip(g_layers, ws.layers, strict=True):
        g_weight.copy_(buf.dw_t[:, :-1].transpose(1, 2))
        g_b_ih.copy_(buf.dw_t[:, -1])
        g_b_hh.copy_(buf.dw_t[:, -1])
    return grad


def _cell_backward(buf: _LayerBuffers, t: int, dh, need_dh: bool) -> None:
    """Back through one layer at step ``t``, from ``dh`` (grad of ``h_t``)."""
    v = buf.steps[t]
    dc = buf.dc
    dc.addcmul_(dh, v["oq"])  # + what step t + 1 carried back
    torch.mul(dc.unsqueeze(1), v["p_cell"], out=buf.dz_cell)  # i, f, g at once
    torch.mul(dh, v["p_o"], out=buf.dz_o)
    dc.mul_(v["gates"][1])  # the forget gate carries it to step t - 1
    dz = buf.dz
    if need_dh:
        torch.bmm(buf.wt, dz, out=buf.g)
    # d weights += dz_t [x_t; h_{t-1}; 1]^T, accumulated transposed: the faster
    # product for these shapes, on two blocks that are still in the cache
    buf.dw_t.baddbmm_(v["xh"], dz.transpose(1, 2))


def _infer(spec: _Spec, flat, X_tm) -> torch.Tensor:
    """Forward pass only, keeping no step: ``(n, n_outputs, batch)``.

    What :func:`_forward` computes, with one state per layer instead of the
    whole sequence (predict runs many more rows per member than a batch).
    """
    lookback, n, _, batch = X_tm.shape
    layers, (head_w, head_b) = spec.views(flat)
    steps = []
    for (weight, b_ih, b_hh), (_, width, units) in zip(
        layers, spec.layers, strict=True
    ):
        w = torch.cat([weight, (b_ih + b_hh).unsqueeze(-1)], dim=2)
        w[:, 2 * units : 3 * units] *= 2.0
        xh = X_tm.new_zeros(n, width + units + 1, batch)
        xh[:, -1] = 1.0
        steps.append((w, xh, X_tm.new_zeros(n, units, batch), width, units))
    for t in range(lookback):
        inputs = X_tm[t]
        for w, xh, c, width, h in steps:
            xh[:, :width] = inputs
            s = torch.sigmoid(torch.bmm(w, xh))
            g = s[:, 2 * h : 3 * h].mul_(2.0).sub_(1.0)
            if t == 0:
                torch.mul(s[:, :h], g, out=c)
            else:
                c.mul_(s[:, h : 2 * h]).addcmul_(s[:, :h], g)
            tc = torch.sigmoid(c * 2.0).mul_(2.0).sub_(1.0)
            inputs = s[:, 3 * h :] * tc
            xh[:, width : width + h] = inputs
    return torch.baddbmm(head_b.unsqueeze(-1), head_w, inputs)


class _FleetFunction(torch.autograd.Function):
    """Autograd face of the hand-written passes (a fresh workspace per call)."""

    @staticmethod
    def forward(ctx, X_tm, flat, spec):
        lookback, n, _, batch = X_tm.shape
        ws = _Workspace(spec, n, lookback, batch, X_tm.dtype)
        out = _forward(spec, flat, X_tm, ws)
        ctx.spec, ctx.ws = spec, ws
        ctx.save_for_backward(flat)
        return out

    @staticmethod
    def backward(ctx, d_out):
        (flat,) = ctx.saved_tensors
        grad = _backward(ctx.spec, flat, ctx.ws, d_out.contiguous())
        return None, grad.clone(), None


class RecurrentFleetModule(nn.Module):
    """``n_members`` LSTM networks of one shape, each with its own weights, as one.

    Member ``m`` is the network :class:`RecurrentModule` would be with the
    ``m``-th row of ``weight``: stacked LSTM layers of their own sizes, then a
    linear head on the last step. The forward pass runs all members at once
    (one batched matrix product per layer and step) and the backward pass is
    written by hand, so training a thousand tiny networks costs far fewer
    operations than a thousand training loops. Members never mix: each reads
    its own windows, and the gradient of a sum of per-member losses gives every
    member the gradient of its own loss.

    Parameters
    ----------
    n_members : int
        Number of networks.
    input_size : int
        Features per time step.
    hidden_size : int or sequence of int, default=(7, 3)
        Units of each LSTM layer, first to last (the lab's ``(7, 3)``).
    n_outputs : int, default=1
        Outputs of each member's head.

    Attributes
    ----------
    weight : torch.nn.Parameter of shape (n_members, n_params)
        Each member's parameters in one row (layout in the module docstring of
        ``lstmforecast.nn._fleet``). Initialised as ``n_members``
        :class:`RecurrentModule` constructions in a row would initialise them.
    n_params : int
        Parameters per member (428 for the lab's network on one feature).

    See Also
    --------
    RecurrentModule : One such network.
    lstmforecast.regressors.FleetRegressor : One network per series of a panel,
        trained in one fit.

    Notes
    -----
    LSTM cells only (no GRU, bidirectional layers or dropout). The gates' and the
    cell's ``tanh`` are computed as ``2 sigmoid(2 x) - 1``: the same function, a
    rounding apart (the members agree with :class:`RecurrentModule` to about
    1e-7 in float32, 1e-16 in float64).

    Examples
    --------
    >>> import torch
    >>> from lstmforecast.nn import RecurrentFleetModule
    >>> torch.manual_seed(0)  # doctest: +ELLIPSIS
    <torch._C.Generator object at ...>
    >>> fleet = RecurrentFleetModule(3, input_size=1, hidden_size=(7, 3))
    >>> fleet.weight.shape
    torch.Size([3, 428])
    >>> X = torch.randn(3, 5, 36, 1)  # 3 members, 5 windows each
    >>> fleet(X).shape
    torch.Size([3, 5, 1])
    >>> one = fleet.to_module(1)  # member 1 as a RecurrentModule
    >>> bool(torch.allclose(one(X[1]), fleet(X)[1], atol=1e-6))
    True
    """

    def __init__(
        self,
        n_members: int,
        input_size: int,
        hidden_size: int | Sequence[int] = (7, 3),
        n_outputs: int = 1,
    ):
        super().__init__()
        owner = "RecurrentFleetModule"
        self.n_members = _count(n_members, "n_members", owner)
        self.input_size = _count(input_size, "input_size", owner)
        self.hidden_size = _sizes(hidden_size, "hidden_size", owner)
        self.n_outputs = _count(n_outputs, "n_outputs", owner)
        self._spec = _Spec.build(self.input_size, self.hidden_size, self.n_outputs)
        self.n_params = self._spec.n_params
        self.weight = nn.Parameter(torch.empty(self.n_members, self.n_params))
        with torch.no_grad():
            for m in range(self.n_members):
                self._load(m, self._template())

    def _template(self) -> RecurrentModule:
        return RecurrentModule(
            self.input_size, self.hidden_size, n_outputs=self.n_outputs
        )

    @classmethod
    def from_modules(cls, modules) -> RecurrentFleetModule:
        """Stack the weights of :class:`RecurrentModule` LSTMs into one fleet.

        Parameters
        ----------
        modules : sequence of RecurrentModule
            Networks of one shape: LSTM cells, no bidirectional layers, the same
            ``input_size``, layer sizes and outputs.

        Returns
        -------
        fleet : RecurrentFleetModule
            Member ``m`` has the weights of ``modules[m]``.
        """
        modules = list(modules)
        if not modules:
            raise ValueError(
                "RecurrentFleetModule.from_modules needs at least one module."
            )
        shapes = {_shape_of(m) for m in modules}
        if len(shapes) != 1:
            raise ValueError(
                "RecurrentFleetModule.from_modules needs networks of one shape "
                f"(input size, layer sizes, outputs); got {sorted(shapes)}."
            )
        input_size, hidden_size, n_outputs = shapes.pop()
        fleet = cls.__new__(cls)
        nn.Module.__init__(fleet)
        fleet.n_members, fleet.input_size = len(modules), input_size
        fleet.hidden_size, fleet.n_outputs = hidden_size, n_outputs
        fleet._spec = _Spec.build(input_size, hidden_size, n_outputs)
        fleet.n_params = fleet._spec.n_params
        dtype = modules[0].head.weight.dtype
        fleet.weight = nn.Parameter(
            torch.empty(len(modules), fleet.n_params, dtype=dtype)
        )
        with torch.no_grad():
            for m, module in enumerate(modules):
                fleet._load(m, module)
        return fleet

    def _load(self, member: int, module: RecurrentModule) -> None:
        layers, (head_w, head_b) = self._spec.views(
            self.weight.data[member : member + 1]
        )
        for (weight, b_ih, b_hh), lstm, (_, width, _) in zip(
            layers, module.layers, self._spec.layers, strict=True
        ):
            weight[0, :, :width] = lstm.weight_ih_l0.detach()
            weight[0, :, width:] = lstm.weight_hh_l0.detach()
            b_ih[0] = lstm.bias_ih_l0.detach()
            b_hh[0] = lstm.bias_hh_l0.detach()
        head_w[0] = module.head.weight.detach()
        head_b[0] = module.head.bias.detach()

    def to_module(self, member: int) -> RecurrentModule:
        """Return member ``member`` as a :class:`RecurrentModule` (a copy).

        Parameters
        ----------
        member : int
            Index of the member, in ``[0, n_members)``.

        Returns
        -------
        module : RecurrentModule
            The network with that member's weights, in ``weight``'s dtype.
        """
        if not 0 <= member < self.n_members:
            raise IndexError(
                f"RecurrentFleetModule has {self.n_members} members; got member "
                f"{_shown(member)}. Use an index in [0, {self.n_members - 1}]."
            )
        module = self._template().to(self.weight.dtype)
        _copy_into(self._spec, self.weight.data[member], module)
        return module

    def forward(self, X: torch.Tensor) -> torch.Tensor:
        """Run every member on its own windows.

        Parameters
        ----------
        X : torch.Tensor of shape (n_members, batch, lookback, input_size)
            ``X[m]`` is member ``m``'s batch of windows.

        Returns
        -------
        out : torch.Tensor of shape (n_members, batch, n_outputs)
            Each member's head output at the last step.
        """
        if X.ndim != 4 or X.shape[0] != self.n_members or X.shape[3] != self.input_size:
            raise ValueError(
                f"RecurrentFleetModule takes X of shape (n_members={self.n_members}, "
                f"batch, lookback, input_size={self.input_size}); got "
                f"{tuple(X.shape)}."
            )
        X_tm = X.permute(2, 0, 3, 1).contiguous().to(self.weight.dtype)
        if torch.is_grad_enabled() and self.weight.requires_grad:
            out = _FleetFunction.apply(X_tm, self.weight, self._spec)
        else:
            out = _infer(self._spec, self.weight.detach(), X_tm)
        return out.transpose(1, 2)


def _shape_of(module) -> tuple:
    """``(input_size, hidden_size, n_outputs)`` of a supported RecurrentModule."""
    if not isinstance(module, RecurrentModule) or not all(
        isinstance(layer, nn.LSTM) and not layer.bidirectional
        for layer in module.layers
    ):
        raise ValueError(
            "RecurrentFleetModule holds LSTM RecurrentModules (cell='lstm', not "
            f"bidirectional); got {module!r}."
        )
    return (
        module.layers[0].input_size,
        tuple(layer.hidden_size for layer in module.layers),
        module.head.out_features,
    )


def _copy_into(spec: _Spec, row: torch.Tensor, module: RecurrentModule) -> None:
    """Write one member's parameter row into a :class:`RecurrentModule`."""
    layers, (head_w, head_b) = spec.views(row.unsqueeze(0))
    with torch.no_grad():
        for (weight, b_ih, b_hh), lstm, (_, width, _) in zip(
            layers, module.layers, spec.layers, strict=True
        ):
            lstm.weight_ih_l0.copy_(weight[0, :, :width])
            lstm.weight_hh_l0.copy_(weight[0, :, width:])
            lstm.bias_ih_l0.copy_(b_ih[0])
            lstm.bias_hh_l0.copy_(b_hh[0])
        module.head.weight.copy_(head_w[0])
        module.head.bias.copy_(head_b[0])


# ------------------------------------------------------------- optimizers
class _MemberOptimizer:
    """torch's optimizer step, per member row of stacked ``(n, n_params)`` weights.

    Each row gets exactly the update torch's own optimizer (single-tensor path,
    the CPU default) gives a network with those parameters: the same operations
    in the same order. ``rows`` (indices) steps only those members, so members
    with fewer batches in an epoch skip a step as a separate optimizer would.
    """

    def __init__(self, shape, dtype, *, lr, weight_decay=0.0):
        self.lr, self.weight_decay = float(lr), float(weight_decay)
        self.steps = torch.zeros(shape[0], dtype=torch.long)
        self.state = [torch.zeros(shape, dtype=dtype) for _ in range(self._n_state)]

    _n_state = 0

    def step(self, param: torch.Tensor, grad: torch.Tensor, rows=None) -> None:
        """Update ``param`` in place from ``grad`` (all rows, or ``rows``)."""
        if rows is None:
            self.steps += 1
            self._update(param, grad, self.state, self.steps)
            return
        sub = [param[rows], *(s[rows] for s in self.state)]
        self.steps[rows] += 1
        self._update(sub[0], grad[rows], sub[1:], self.steps[rows])
        param[rows] = sub[0]
        for s, part in zip(self.state, sub[1:], strict=True):
            s[rows] = part

    def _decayed(self, param, grad):
        return grad.add(param, alpha=self.weight_decay) if self.weight_decay else grad


class _SGD(_MemberOptimizer):
    def _update(self, param, grad, state, steps):
        param.add_(self._decayed(param, grad), alpha=-self.lr)


class _RMSprop(_MemberOptimizer):
    _n_state = 1
    alpha, eps = 0.99, 1e-8

    def _update(self, param, grad, state, steps):
        grad = self._decayed(param, grad)
        (square_avg,) = state
        square_avg.mul_(self.alpha).addcmul_(grad, grad, value=1 - self.alpha)
        avg = square_avg.sqrt().add_(self.eps)
        param.addcdiv_(grad, avg, value=-self.lr)


class _Adam(_MemberOptimizer):
    _n_state = 2
    beta1, beta2, eps = 0.9, 0.999, 1e-8

    def _update(self, param, grad, state, steps):
        grad = self._decayed(param, grad)
        exp_avg, exp_avg_sq = state
        exp_avg.lerp_(grad, 1 - self.beta1)
        exp_avg_sq.mul_(self.beta2).addcmul_(grad, grad, value=1 - self.beta2)
        counts = steps.tolist()
        if len(set(counts)) == 1:  # python floats, as torch computes them
            step_size, bc2_sqrt = self._corrections(counts[0])
            denom = (exp_avg_sq.sqrt() / bc2_sqrt).add_(self.eps)
            param.addcdiv_(exp_avg, denom, value=-step_size)
            return
        # one correction per member: the same float32 operations, row by row
        pairs = [self._corrections(c) for c in counts]
        dtype = param.dtype
        neg_step = torch.tensor([-s for s, _ in pairs], dtype=dtype)[:, None]
        bc2_sqrt = torch.tensor([b for _, b in pairs], dtype=dtype)[:, None]
        denom = (exp_avg_sq.sqrt() / bc2_sqrt).add_(self.eps)
        param.add_(exp_avg.mul(neg_step).div_(denom))  # = addcdiv(value=-step)

    def _corrections(self, step: int):
        bias_correction1 = 1 - self.beta1**step
        bias_correction2 = 1 - self.beta2**step
        return self.lr / bias_correction1, bias_correction2**0.5


_MEMBER_OPTIMIZERS = {"adam": _Adam, "sgd": _SGD, "rmsprop": _RMSprop}
