r"""xLSTM's blocks (Beck et al., 2024): the sLSTM and the mLSTM.

Both follow the calling convention of ``nn.LSTM(batch_first=True)`` as
:class:`~lstmforecast.nn.RecurrentModule` uses it (``layer(X)`` with ``X`` of
shape ``(batch, time, input_size)`` returns ``(outputs, state)``, the outputs
of every step first), plus ``last_step=True``, which the network's last layer
is asked for: only the last step's output.

Speed: the sLSTM's input projections of the whole sequence are one matrix
product outside the time loop, which does one ``addmm`` and a few elementwise
operations per step; its backward pass is written by hand (a
``torch.autograd.Function``), so autograd records one node per sequence rather
than a dozen per step. The mLSTM has no recurrence through its outputs and runs
in chunks of time steps: a matrix product within each chunk, its matrix memory
carried between chunks (as a network's last layer, only the final memory, from
weighted sums of the block's inputs to ``k`` and ``v``, with the block-diagonal
maps applied once); its causal convolution is a few ``addcmul`` on the
``(batch, time, width)`` layout (no transposes, a cheap backward pass). Large
temporaries are kept few (in-place operations): a fresh one costs page faults
that can take longer than the arithmetic on it.
"""

from __future__ import annotations

import math

import torch
from torch import nn
from torch.autograd.function import once_differentiable
from torch.nn import functional as F

from lstmforecast.nn._checks import _count, _shown

__all__ = ["MLSTMModule", "SLSTMModule"]


def _uniform_(tensor: torch.Tensor, hidden_size: int) -> torch.Tensor:
    """Draw torch's recurrent initialisation: uniform in +-1/sqrt(hidden_size)."""
    bound = 1.0 / math.sqrt(hidden_size)
    return nn.init.uniform_(tensor, -bound, bound)


def _check_heads(num_heads, width: int, owner: str, what: str) -> int:
    num_heads = _count(num_heads, "num_heads", owner)
    if width % num_heads:
        raise ValueError(
            f"The 'num_heads' parameter of {owner} must divide {what} ({width}). "
            f"Got {num_heads} instead."
        )
    return num_heads


def _check_forget_gate(forget_gate, owner: str) -> str:
    if forget_gate not in ("sigmoid", "exp"):
        raise ValueError(
            f"The 'forget_gate' parameter of {owner} must be 'sigmoid' or 'exp'. "
            f"Got {_shown(forget_gate)} instead."
        )
    return forget_gate


# ------------------------------------------------------------------------ sLSTM
class _SLSTMScan(torch.autograd.Function):
    """The sLSTM's stabilised time loop, with its backward pass written by hand.

    ``gx`` (time, batch, 4 hidden) holds the input part of the pre-activations
    of ``i, f, z, o``; ``R`` (4 hidden, hidden) the recurrent weights. Returns
    ``h, c, n, m`` of every step, each (time, batch, hidden).

    The gradient treats the stabiliser ``m`` as a constant: ``h = o c / n`` does
    not depend on it (``c`` and ``n`` are scaled by the same ``exp(-m)``), so the
    gradient of anything computed from ``h`` is exact. The stabilised ``c, n, m``
    do depend on it: they are returned without gradient.
    """

    @staticmethod
    def forward(ctx, gx, R, exp_forget: bool):
        T, B, G = gx.shape
        H = G // 4
        gates = gx.clone()  # becomes i', f', tanh(z~), sigmoid(o~) step by step
        hs, cs, ns, ms = (gx.new_empty(T, B, H) for _ in range(4))
        Rt = R.t()
        # each step's views made at once (unbind), not indexed step by step:
        # Python's indexing costs more than the small operations on them
        views = (gates, hs, cs, ns, ms)
        steps = zip(*(x.unbind(0) for x in views), strict=True)
        h_prev = c_prev = n_prev = m_prev = None
        for t, (z, h_t, c_t, n_t, m_t) in enumerate(steps):
            if t:
                z.addmm_(h_prev, Rt)
            i, f, g, o = z.chunk(4, 1)
            if t:
                a = f.clone() if exp_forget else F.logsigmoid(f)
                a.add_(m_prev)  # log f + m_{t-1}
                m = torch.maximum(a, i, out=m_t)
                i.sub_(m).exp_()
                torch.sub(a, m, out=f).exp_()
            else:  # m_1 = log i_1, so i'_1 = 1; f'_1 multiplies c_0 = n_0 = 0
                m_t.copy_(i)
                i.fill_(1.0)
                f.zero_()
            g.tanh_()
            o.sigmoid_()
            c, n = torch.mul(i, g, out=c_t), n_t.copy_(i)
            if t:
                c.addcmul_(f, c_prev)
                n.addcmul_(f, n_prev)
            torch.mul(o, c / n, out=h_t)
            h_prev, c_prev, n_prev, m_prev = h_t, c_t, n_t, m_t
        # d log f / d f~ (1 for an exponential gate), computed when needed
        pre_f = None if exp_forget else gx[..., H : 2 * H]
        ctx.save_for_backward(R, gates, hs, cs, ns, pre_f)
        ctx.mark_non_differentiable(cs, ns, ms)
        return hs, cs, ns, ms

    @staticmethod
    @once_differentiable
    def backward(ctx, dhs, _dcs, _dns, _dms):
        R, gates, hs, cs, ns, pre_f = ctx.saved_tensors
        T, B, H = hs.shape
        i, f, g, o = gates.chunk(4, 2)  # i', f', tanh(z~), sigmoid(o~)
        # the factors of the recursion, for every step at once (out of the loop),
        # in place where possible: fresh large temporaries cost page faults
        # d f' / d f~ = f' * d log f / d f~ (sigmoid(-f~) or 1), from step 2 on
        f_scale = f[1:]
        if pre_f is not None:  # -f~ = -(W_f x + b_f) - R_f h_{t-1}
            pre = torch.addmm(
                pre_f[1:].reshape(-1, H),
                hs[:-1].reshape(-1, H),
                R[H : 2 * H].t(),
                beta=-1,
                alpha=-1,
            )
            f_scale = pre.sigmoid_().view(T - 1, B, H).mul_(f_scale)
        htilde = cs / ns
        do_dh = torch.rsub(o, 1).mul_(o).mul_(htilde)
        dc_dh = o / ns  # h = o c / n
        dn_dh = torch.mul(dc_dh, htilde).neg_()
        di_dc = g * i
        df_dc, df_dn = hs.new_zeros(T, B, H), hs.new_zeros(T, B, H)  # c_0 = n_0 = 0
        torch.mul(cs[:-1], f_scale, out=df_dc[1:])
        torch.mul(ns[:-1], f_scale, out=df_dn[1:])
        dz_dc = torch.mul(g, g).neg_().add_(1).mul_(i)
        d_gates = torch.empty_like(gates)
        di, df, dz, do = d_gates.chunk(4, 2)
        dc, dn = hs.new_zeros(B, H), hs.new_zeros(B, H)
        # every step's views at once (unbind), walked backwards
        views = (dhs, d_gates, do_dh, do, dc_dh, dn_dh, di, di_dc, i)
        views += (df, df_dc, df_dn, dz, dz_dc, f)
        later = None  # d_gates of step t + 1
        for step in reversed(list(zip(*(x.unbind(0) for x in views), strict=True))):
            dh_t, dg_t, do_dh_t, do_t, dc_dh_t, dn_dh_t, di_t, di_dc_t = step[:8]
            i_t, df_t, df_dc_t, df_dn_t, dz_t, dz_dc_t, f_t = step[8:]
            dh = dh_t if later is None else torch.addmm(dh_t, later, R)
            torch.mul(dh, do_dh_t, out=do_t)
            dc.addcmul_(dh, dc_dh_t)
            dn.addcmul_(dh, dn_dh_t)
            torch.mul(dc, di_dc_t, out=di_t).addcmul_(dn, i_t)
            torch.mul(dc, df_dc_t, out=df_t).addcmul_(dn, df_dn_t)
            torch.mul(dc, dz_dc_t, out=dz_t)
            dc.mul_(f_t)
            dn.mul_(f_t)
            later = dg_t
        dR = d_gates[1:].reshape(-1, 4 * H).t() @ hs[:-1].reshape(-1, H)
        return d_gates, dR, None


class _SLSTMCell(nn.Module):
    """The sLSTM recurrence of :class:`SLSTMModule`: ``x -> (h, (h, c, n, m))``."""

    def __init__(self, size: int, num_heads: int, forget_gate: str):
        super().__init__()
        self.hidden_size, self.num_heads = size, num_heads
        self.exp_forget = forget_gate == "exp"
        self.weight_ih = nn.Parameter(_uniform_(torch.empty(4 * size, size), size))
        self.weight_hh = nn.Parameter(_uniform_(torch.empty(4 * size, size), size))
        bias = torch.zeros(4 * size)  # i, f, z, o
        bias[size : 2 * size] = torch.linspace(3.0, 6.0, size)  # remember at first
        self.bias = nn.Parameter(bias)
        if num_heads > 1:  # head-wise (block-diagonal) recurrent weights
            head = torch.arange(size) // (size // num_heads)
            mask = (head[:, None] == head[None, :]).repeat(4, 1)
            self.register_buffer("head_mask", mask, persistent=False)

    def recurrent_weight(self) -> torch.Tensor:
        """Return ``R``: ``weight_hh``, zero outside the head blocks."""
        if self.num_heads == 1:
            return self.weight_hh
        return self.weight_hh * self.head_mask

    def forward(self, X):
        gx = F.linear(X.transpose(0, 1), self.weight_ih, self.bias).contiguous()
        hs, cs, ns, ms = _SLSTMScan.apply(gx, self.recurrent_weight(), self.exp_forget)
        return hs.transpose(0, 1), (hs[-1], cs[-1], ns[-1], ms[-1])


class _GatedFeedForward(nn.Module):
    """``down(gelu(a) * b)`` with ``[a, b] = up(x)``: xLSTM's gated MLP."""

    def __init__(self, size: int, proj_factor: float, owner: str):
        super().__init__()
        if not (isinstance(proj_factor, (int, float)) and proj_factor > 0):
            raise ValueError(
                f"The 'proj_factor' parameter of {owner} must be a number > 0. Got "
                f"{_shown(proj_factor)} instead."
            )
        inner = max(1, math.ceil(proj_factor * size))
        self.up_proj = nn.Linear(size, 2 * inner)
        self.down_proj = nn.Linear(inner, size)

    def forward(self, X):
        gate, value = self.up_proj(X).chunk(2, dim=-1)
        return self.down_proj(F.gelu(gate) * value)


class _InputProjection(nn.Linear):
    """The linear map of the input to the block's width (only when they differ)."""


class _HeadNorm(nn.Module):
    """Layer norm of each head's features, then a learned scale and shift.

    ``nn.GroupNorm(num_heads, width)`` on ``(batch * time, width)``, computed as
    a layer norm over ``(..., heads, width / heads)`` (several times faster on
    the CPU, especially its backward pass).
    """

    def __init__(self, num_heads: int, width: int):
        super().__init__()
        self.num_heads = num_heads
        self.weight = nn.Parameter(torch.ones(width))
        self.bias = nn.Parameter(torch.zeros(width))

    def forward(self, X):
        heads = X.unflatten(-1, (self.num_heads, -1))
        normed = F.layer_norm(heads, heads.shape[-1:]).flatten(-2)
        return torch.addcmul(self.bias, normed, self.weight)


class SLSTMModule(nn.Module):
    r"""xLSTM's sLSTM block: exponential gating and a normaliser state.

    The sLSTM of Beck et al. (2024) in the paper's residual block with a post
    up-projection (as in Transformers). The recurrence, for each unit::

        z_t = tanh(z~_t)       i_t = exp(i~_t)        o_t = sigma(o~_t)
        f_t = sigma(f~_t)  (forget_gate='sigmoid')  or  exp(f~_t)  ('exp')
        c_t = f_t c_{t-1} + i_t z_t        (cell)
        n_t = f_t n_{t-1} + i_t            (normaliser)
        h_t = o_t c_t / n_t

    with every pre-activation ``a~_t = W_a x_t + R_a h_{t-1} + b_a``, ``R``
    block-diagonal with ``num_heads`` blocks (memory mixing within a head). The
    exponential gates overflow without a stabiliser state ``m_t``::

        m_t  = max(log f_t + m_{t-1}, log i_t)
        i'_t = exp(log i_t - m_t)      f'_t = exp(log f_t + m_{t-1} - m_t)

    and ``c, n`` use ``i', f'``: both are scaled by ``exp(-m_t)``, so ``h_t`` is
    unchanged, and ``n_t >= 1``, ``|h_t| <= 1`` for any input. The block around
    it, on the input ``u`` (``x`` itself, or ``x`` mapped linearly to
    ``hidden_size`` features when ``input_size`` differs)::

        y = u + GroupNorm(sLSTM(LayerNorm(u)))                (heads as groups)
        out = y + W_down (gelu(W_a LN(y)) * W_b LN(y))        (gated MLP)

    Exponential gating lets a new input overwrite the memory at once (the
    input gate is not capped at 1): useful for sudden level changes.

    Parameters
    ----------
    input_size : int
        Features per time step.
    hidden_size : int
        Units (the block's width).
    num_heads : int, default=1
        Heads of the recurrent weights and of the group norm; divides
        ``hidden_size``.
    forget_gate : {'sigmoid', 'exp'}, default='sigmoid'
        The forget gate's activation.
    proj_factor : float, default=4/3
        Width of the gated MLP relative to ``hidden_size`` (rounded up).

    Attributes
    ----------
    in_proj : torch.nn.Linear or None
        The input's map to ``hidden_size`` features (None when they are equal).
    norm, ffn_norm : torch.nn.LayerNorm
        The pre-norms of the sLSTM and of the gated MLP.
    cell : torch.nn.Module
        The recurrence: ``weight_ih`` (4 h, h), ``weight_hh`` (4 h, h), ``bias``
        (4 h), gates stacked ``i, f, z, o``.
    out_norm : torch.nn.Module
        Head-wise norm of the sLSTM's outputs (``GroupNorm`` with the heads as
        groups, computed as a layer norm of each head: the same values).
    ffn : torch.nn.Module
        The gated MLP (``up_proj``, ``down_proj``).

    See Also
    --------
    MLSTMModule : xLSTM's mLSTM block, with a matrix memory.
    PeepholeLSTMModule : An LSTM whose gates read the cell.

    Notes
    -----
    Deviations from the paper: no causal convolution before the input and
    forget gates (optional in the paper), one ``W`` for all heads, an input
    projection when ``input_size != hidden_size`` (a residual needs equal
    widths), and the first step starts from ``m_1 = log i_1`` (the official
    code's choice; then ``n_1 = 1``). The forget gates' biases start at
    3 ... 6 (long memory at first), the other biases at 0, the weights uniform
    in :math:`\pm 1/\sqrt{h}`.

    The backward pass of the time loop is written by hand; it treats ``m`` as a
    constant, which is exact for ``h`` (see above). The state's ``c, n, m`` are
    the stabilised values and carry no gradient (``h`` does).

    References
    ----------
    M. Beck, K. Pöppel, M. Spanring, A. Auer, O. Prudnikova, M. Kopp,
    G. Klambauer, J. Brandstetter and S. Hochreiter, "xLSTM: Extended Long
    Short-Term Memory", NeurIPS 2024, arXiv:2405.04517 (the sLSTM, its
    stabilisation and its block); the official code, github.com/NX-AI/xlstm.

    Examples
    --------
    >>> import torch
    >>> from lstmforecast.nn import SLSTMModule
    >>> block = SLSTMModule(input_size=1, hidden_size=4)
    >>> out, (h, c, n, m) = block(100 * torch.randn(2, 500, 1))
    >>> out.shape, bool(out.isfinite().all()), bool((n >= 1).all())
    (torch.Size([2, 500, 4]), True, True)
    """

    def __init__(
        self,
        input_size: int,
        hidden_size: int,
        *,
        num_heads: int = 1,
        forget_gate: str = "sigmoid",
        proj_factor: float = 4 / 3,
    ):
        super().__init__()
        owner = "SLSTMModule"
        self.input_size = _count(input_size, "input_size", owner)
        self.hidden_size = H = _count(hidden_size, "hidden_size", owner)
        heads = _check_heads(num_heads, H, owner, "hidden_size")
        forget_gate = _check_forget_gate(forget_gate, owner)
        self.in_proj = _InputProjection(input_size, H) if input_size != H else None
        self.norm = nn.LayerNorm(H)
        self.cell = _SLSTMCell(H, heads, forget_gate)
        self.out_norm = _HeadNorm(heads, H)
        self.ffn_norm = nn.LayerNorm(H)
        self.ffn = _GatedFeedForward(H, proj_factor, owner)

    # RecurrentModule may ask the last layer for its last step only
    _last_step = True

    def forward(self, X: torch.Tensor, last_step: bool = False):
        """Run the block over the sequences.

        Parameters
        ----------
        X : torch.Tensor of shape (batch, time, input_size)
            Sequences.
        last_step : bool, default=False
            Return the output of the last step only, ``(batch, 1,
            hidden_size)``: the gated MLP then runs on that step alone (what
            :class:`RecurrentModule` asks of its last layer).

        Returns
        -------
        outputs : torch.Tensor of shape (batch, time, hidden_size)
            The block's output at every step (or the last).
        state : tuple of torch.Tensor
            ``(h, c, n, m)`` of the sLSTM after the last step, each ``(batch,
            hidden_size)`` (``c, n`` stabilised: scaled by ``exp(-m)``; only
            ``h`` carries a gradient).
        """
        u = X if self.in_proj is None else self.in_proj(X)
        hs, state = self.cell(self.norm(u))
        if last_step:
            u, hs = u[:, -1:], hs[:, -1:]
        y = u + self.out_norm(hs)
        return y + self.ffn(self.ffn_norm(y)), state


# ------------------------------------------------------------------------ mLSTM
# log input gate of the steps that pad a sequence to whole chunks: no write
_NO_WRITE = -1e30


def _chunk_states(k, v, log_i, F_cum, k_scale=1.0):
    """Return the memory before each chunk: ``(C, n, M)``, each chunk's first axis.

    Each chunk's own write, stabilised by its largest weight, is one batched
    product; the loop over chunks only decays and adds those (small tensors).
    ``M`` is the stabiliser (a constant for the gradient: the outputs do not
    depend on it). The keys are scaled by ``k_scale`` here (on the weights).
    """
    to_end = F_cum[..., -1:] - F_cum + log_i  # log weight of step s at chunk end
    g = to_end.detach().amax(-1)  # (batch, heads, chunks)
    w = torch.exp(to_end - g[..., None])
    if k_scale != 1.0:
        w = w * k_scale
    kw = k * w[..., None]  # the weighted keys, once for C and n
    C_own = v.transpose(-2, -1) @ kw  # (..., chunks, d, d)
    n_own = kw.sum(-2)
    C, n = torch.zeros_like(C_own[:, :, 0]), torch.zeros_like(n_own[:, :, 0])
    M = torch.full_like(g[..., 0], _NO_WRITE)
    states = []
    # unbind, not indexing: one backward node for all chunks, not a zero-filled
    # copy of the whole tensor per chunk
    chunks = zip(
        F_cum[..., -1].unbind(-1),
        g.unbind(-1),
        C_own.unbind(2),
        n_own.unbind(2),
        strict=True,
    )
    for decay, g_c, C_c, n_c in chunks:
        states.append((C, n, M))
        M_new = torch.maximum(decay.detach() + M, g_c)
        old = torch.exp(decay + M - M_new)
        new = torch.exp(g_c - M_new)
        C = torch.addcmul(old[..., None, None] * C, new[..., None, None], C_c)
        n = torch.addcmul(old[..., None] * n, new[..., None], n_c)
        M = M_new
    before = [torch.stack(parts, dim=2) for parts in zip(*states, strict=True)]
    return before, (C, n, M)


def _mlstm(
    q, k, v, log_i, log_f, chunk_size: int, last_step: bool = False, k_scale=1.0
):
    """Run the stabilised mLSTM over whole sequences: ``(h, final state)``.

    ``q, k, v`` (batch, heads, time, d) with ``k`` to be scaled by ``k_scale``
    (1/sqrt(d), applied to the small weights when ``last_step``);
    ``log_i, log_f`` (batch, heads, time). The sequence is cut into chunks of
    at most ``chunk_size`` steps (padded at the start with steps that write
    nothing):
    within a chunk the parallel form (a causal ``time x time`` product), between
    chunks the memory ``C, n``. The stabiliser ``m`` is a constant for the
    gradient. With ``last_step`` only the last step's ``h`` is computed, from
    the final memory (no ``time x time`` product at all).
    """
    B, heads, T, d = q.shape
    # chunks of at most chunk_size steps, as equal as possible (one chunk for
    # the last step alone: only the final memory is needed)
    L = T if last_step else -(-T // -(-T // chunk_size))
    pad = -T % L
    if pad:
        q, k, v = (F.pad(x, (0, 0, pad, 0)) for x in (q, k, v))
        log_i = F.pad(log_i, (pad, 0), value=_NO_WRITE)
        log_f = F.pad(log_f, (pad, 0))
    n_chunks = (T + pad) // L
    q, k, v = (x.reshape(B, heads, n_chunks, L, d) for x in (q, k, v))
    log_i, log_f = (
        log_i.reshape(B, heads, n_chunks, L),
        log_f.reshape(B, heads, n_chunks, L),
    )
    if not last_step and k_scale != 1.0:
        k, k_scale = k * k_scale, 1.0
    F_cum = log_f.cumsum(-1)  # log of f over the chunk's steps up to t
    (C, n, M), final = _chunk_states(k, v, log_i, F_cum, k_scale)
    if last_step:  # h~_T = C_T q_T / max(|n_T^T q_T|, exp(-m_T))
        C, n, M = final
        q_T = q[:, :, -1, -1:, :]  # (batch, heads, 1, d)
        num, dot = q_T @ C.transpose(-2, -1), (q_T @ n[..., None])[..., 0]
        h = num / torch.maximum(dot.abs(), torch.exp(-M[..., None]))[..., None]
        return h, final
    log_d = F_cum[..., :, None] - F_cum[..., None, :] + log_i[..., None, :]
    causal = torch.ones(L, L, dtype=torch.bool, device=q.device).tril()
    log_d = log_d.masked_fill(~causal, float("-inf"))
    inherited = F_cum + M[..., None]  # log decay of the memory before the chunk
    m = torch.maximum(log_d.detach().amax(-1), inherited.detach())
    weights = (q @ k.transpose(-2, -1)) * torch.exp(log_d - m[..., None])
    carry = torch.exp(inherited - m)
    num = weights @ v + carry[..., None] * (q @ C.transpose(-2, -1))
    dot = weights.sum(-1) + carry * (q @ n[..., None])[..., 0]
    h = num / torch.maximum(dot.abs(), torch.exp(-m))[..., None]
    return h.reshape(B, heads, T + pad, d)[:, :, pad:], final


class _CausalConv(torch.autograd.Function):
    """The mLSTM block's causal depthwise convolution, one ``addcmul`` per tap.

    ``nn.Conv1d(groups=width, padding=kernel - 1)`` cut to the first ``time``
    outputs, on ``a`` (batch, time, width) itself: the same values (up to the
    order of the sums) without the transposes and the convolution's slow
    backward pass on the CPU.
    """

    @staticmethod
    def forward(ctx, a, weight, bias):
        T, K = a.shape[1], weight.shape[-1]
        w = weight[:, 0]  # (width, kernel): tap r reads a[t - (K - 1 - r)]
        out = torch.addcmul(bias, a, w[:, K - 1])
        for r, s in ((r, K - 1 - r) for r in range(K - 1)):
            if s < T:
                out[:, s:].addcmul_(a[:, : T - s], w[:, r])
        ctx.save_for_backward(a, weight)
        return out

    @staticmethod
    @once_differentiable
    def backward(ctx, dout):
        a, weight = ctx.saved_tensors
        T, K = a.shape[1], weight.shape[-1]
        w = weight[:, 0]
        da = dout * w[:, K - 1]
        dw = torch.zeros_like(w)
        dw[:, K - 1] = (dout * a).sum((0, 1))
        for r, s in ((r, K - 1 - r) for r in range(K - 1)):
            if s < T:
                da[:, : T - s].addcmul_(dout[:, s:], w[:, r])
                dw[:, r] = (dout[:, s:] * a[:, : T - s]).sum((0, 1))
        return da, dw[:, None], dout.sum((0, 1))


class _BlockDiagonalProduct(torch.autograd.Function):
    """``x`` times a block-diagonal matrix: one batched product over the blocks.

    ``x`` (..., blocks * b_in), ``W`` (blocks, b_out, b_in); block ``g`` of the
    result is ``W[g] @ x_g``. The blocks are the batch of ``torch.bmm`` on a
    strided view of ``x`` (no copy in), and the backward pass is two more such
    products: several times faster on the CPU than ``einsum``'s (which permutes
    to and from odd layouts) or a dense product with the zeros.
    """

    @staticmethod
    def forward(ctx, x, W):
        n_blocks, b_out, b_in = W.shape
        x_g = x.reshape(-1, n_blocks, b_in).transpose(0, 1)
        ctx.save_for_backward(x_g, W)
        y = torch.bmm(x_g, W.transpose(1, 2))  # (blocks, rows, b_out)
        return y.transpose(0, 1).reshape(*x.shape[:-1], n_blocks * b_out)

    @staticmethod
    @once_differentiable
    def backward(ctx, dy):
        x_g, W = ctx.saved_tensors
        n_blocks, b_out, b_in = W.shape
        dy_g = dy.reshape(-1, n_blocks, b_out).transpose(0, 1)
        dx = torch.bmm(dy_g, W).transpose(0, 1)
        dx = dx.reshape(*dy.shape[:-1], n_blocks * b_in)
        return dx, torch.bmm(dy_g.transpose(1, 2), x_g)


class _BlockDiagonal(nn.Module):
    """``q, k`` from one input and ``v`` from another: block-diagonal maps.

    ``weight`` (3, blocks, b, b) holds the blocks of ``q, k, v`` (output,
    input), ``bias`` (3, width) their biases.
    """

    def __init__(self, width: int, block: int):
        super().__init__()
        self.block = block
        n_blocks = width // block
        self.weight = nn.Parameter(
            _uniform_(torch.empty(3, n_blocks, block, block), block)
        )
        self.bias = nn.Parameter(torch.zeros(3, width))

    def forward(self, X_qk, X_v):
        b, W = self.block, self.weight
        # q's and k's blocks side by side: one product for both
        W_qk = W[:2].transpose(0, 1).reshape(W.shape[1], 2 * b, b)
        qk = _BlockDiagonalProduct.apply(X_qk, W_qk).unflatten(-1, (-1, 2, b))
        pairs = zip(qk.unbind(-2), self.bias[:2], strict=True)
        q, k = (x.flatten(-2) + bias for x, bias in pairs)
        return q, k, _BlockDiagonalProduct.apply(X_v, W[2]) + self.bias[2]


def _folded_gate_weights(qkv, gate_weight):
    """Return ``(M_c, M_a, const)``: the gates' pre-activations from ``c`` and ``a``.

    ``[q, k, v] @ gate_weight`` with ``q, k`` block-diagonal maps of ``c`` and
    ``v`` of ``a`` (plus biases) is ``c @ M_c + a @ M_a + const``: the gates of
    every step without ``q, k, v`` of every step (a few small products).
    """
    W, b = qkv.weight, qkv.bias  # (3, blocks, out, in), (3, width)
    n_blocks, block = W.shape[1], W.shape[2]
    # (D^T w)[g*b + i, j] = sum_o W[g, o, i] w[g*b + o, j], for q, k and v
    w = gate_weight.view(3, n_blocks, block, -1)
    M = torch.einsum("sgoi,sgoj->sgij", W, w).reshape(3, n_blocks * block, -1)
    const = torch.einsum("sw,swj->j", b, gate_weight.view(3, n_blocks * block, -1))
    return M[0] + M[1], M[2], const


def _head_blocks(W, heads: int) -> torch.Tensor:
    """Each head's dense ``d x d`` matrix from block-diagonal blocks inside heads."""
    n_blocks, block = W.shape[0], W.shape[1]
    per_head = n_blocks // heads
    eye = torch.eye(per_head, dtype=W.dtype, device=W.device)
    dense = torch.einsum("hnoi,nm->hnomi", W.view(heads, per_head, block, block), eye)
    return dense.reshape(heads, per_head * block, per_head * block)


def _mlstm_last(c, a, log_i, log_f, qkv, heads: int, k_scale: float):
    """Return the last step's ``h~`` and the final memory, no ``q, k, v`` per step.

    ``k_s = K c_s + b_k`` and ``v_s = V a_s + b_v`` are linear (``K, V``
    block-diagonal inside each head), so the memory ``C = sum_s w_s v_s k_s^T``
    is ``V (sum_s w_s a_s c_s^T) K^T`` plus bias terms, and ``n = sum_s w_s
    k_s = K (sum_s w_s c_s) + (sum_s w_s) b_k``: one ``d x d`` product per head
    over the steps (as the chunked form's own write), the maps applied once to
    the sums. ``w_s`` are the stabilised weights of the chunked form (``m =
    max_s`` of their logs). Returns ``h~`` (batch, heads, 1, d) and ``(C, n, m)``.
    """
    B, T, width = c.shape
    d = width // heads
    F_cum = log_f.cumsum(-1)
    to_end = F_cum[..., -1:] - F_cum + log_i  # (batch, heads, time)
    M = to_end.detach().amax(-1)
    w = torch.exp(to_end - M[..., None]) * k_scale
    c_h, a_h = (x.view(B, T, heads, d).transpose(1, 2) for x in (c, a))
    Cw = (a_h * w[..., None]).transpose(-2, -1) @ c_h  # (batch, heads, d, d)
    w_row = w[..., None, :]
    S_a, S_c = w_row @ a_h, w_row @ c_h  # (batch, heads, 1, d)
    S_w = w.sum(-1)[..., None, None]
    Q, K, V = (_head_blocks(W, heads) for W in qkv.weight)  # (heads, d, d)
    b_q, b_k, b_v = (x.view(heads, 1, d) for x in qkv.bias)
    n = S_c @ K.transpose(-2, -1) + S_w * b_k  # (batch, heads, 1, d)
    P = Cw @ K.transpose(-2, -1) + S_a.transpose(-2, -1) * b_k
    C = V @ P + b_v.transpose(-2, -1) * n
    q_T = c_h[:, :, -1:] @ Q.transpose(-2, -1) + b_q  # (batch, heads, 1, d)
    num = q_T @ C.transpose(-2, -1)
    dot = (n * q_T).sum(-1, keepdim=True)
    h = num / torch.maximum(dot.abs(), torch.exp(-M[..., None, None]))
    return h, (C, n[:, :, 0], M)


class _MLSTMCell(nn.Module):
    """The mLSTM of :class:`MLSTMModule`: gates, matrix memory, norm and skip.

    ``gate_weight`` is stored (inputs, outputs), the transpose of a Linear's:
    with its two outputs per head, the backward product then runs on the fast
    layout of the CPU's matrix product.
    """

    def __init__(self, width: int, num_heads: int, forget_gate: str, chunk_size):
        super().__init__()
        self.num_heads, self.exp_forget = num_heads, forget_gate == "exp"
        self.chunk_size = chunk_size
        # i~, f~ of each head from [q, k, v]: zero weights at first
        self.gate_weight = nn.Parameter(torch.zeros(3 * width, 2 * num_heads))
        bias = torch.cat(
            [
                torch.empty(num_heads).normal_(std=0.1),
                torch.linspace(3.0, 6.0, num_heads),
            ]
        )
        self.gate_bias = nn.Parameter(bias)
        self.norm_weight = nn.Parameter(torch.ones(width))  # head-wise norm
        self.norm_bias = nn.Parameter(torch.zeros(width))
        self.skip = nn.Parameter(torch.ones(width))

    def _log_gates(self, pre, B: int, T: int):
        log_i, pre_f = pre.view(B, T, -1).transpose(1, 2).chunk(2, 1)
        return log_i, (pre_f if self.exp_forget else F.logsigmoid(pre_f))

    def folds(self, qkv) -> bool:
        """Whether ``forward_last`` applies: ``qkv``'s blocks lie inside heads."""
        d = self.norm_weight.numel() // self.num_heads
        return d % qkv.block == 0

    def forward_last(self, c, a, qkv):
        """Return the last step's output from ``c`` and ``a`` (``_mlstm_last``)."""
        B, T, width = c.shape
        M_c, M_a, const = _folded_gate_weights(qkv, self.gate_weight)
        pre = torch.addmm(self.gate_bias + const, c.reshape(-1, width), M_c)
        pre = pre.addmm(a.reshape(-1, width), M_a)
        log_i, log_f = self._log_gates(pre, B, T)
        d = width // self.num_heads
        h, state = _mlstm_last(
            c, a, log_i, log_f, qkv, self.num_heads, k_scale=1 / math.sqrt(d)
        )
        return self._read_out(h, c[:, -1:], B, d), state

    def _read_out(self, h, x_conv, B: int, d: int):
        # a layer norm of each head (GroupNorm with heads as groups, faster)
        h = F.layer_norm(h, (d,)).transpose(1, 2).reshape(B, -1, self.skip.numel())
        h = torch.addcmul(self.norm_bias, h, self.norm_weight)
        return torch.addcmul(h, self.skip, x_conv)

    def forward(self, q, k, v, x_conv, last_step=False):
        B, T, width = q.shape
        heads, d = self.num_heads, width // self.num_heads
        w_q, w_k, w_v = self.gate_weight.chunk(3)
        pre = torch.addmm(self.gate_bias, q.reshape(-1, width), w_q)
        pre = pre.addmm(k.reshape(-1, width), w_k).addmm(v.reshape(-1, width), w_v)
        log_i, log_f = self._log_gates(pre, B, T)

        def split(x):  # (batch, time, width) -> (batch, heads, time, d)
            return x.view(B, T, heads, d).transpose(1, 2)

        h, state = _mlstm(
            *map(split, (q, k, v)),
            log_i,
            log_f,
            self.chunk_size,
            last_step,
            k_scale=1 / math.sqrt(d),
        )
        if last_step:
            x_conv = x_conv[:, -1:]
        return self._read_out(h, x_conv, B, d), state


# above this many elements per (heads x time x chunk) product, split the batch
_MLSTM_ELEMENTS = 1 << 22


class MLSTMModule(nn.Module):
    r"""xLSTM's mLSTM block: a matrix memory read by queries.

    The mLSTM of Beck et al. (2024) in the paper's residual block with a pre
    up-projection (as in state space models). Each head keeps a matrix memory
    :math:`C_t` (``d x d``) and a normaliser :math:`n_t`, written with a key and
    a value and read with a query, ``d`` features per head::

        C_t = f_t C_{t-1} + i_t v_t k_t^T          n_t = f_t n_{t-1} + i_t k_t
        h~_t = C_t q_t / max(|n_t^T q_t|, 1)
        k_t = W_k x_t / sqrt(d) + b_k / sqrt(d),  q_t = W_q x_t + b_q,
        v_t = W_v x_t + b_v,  i_t = exp(i~_t),  f_t = sigma(f~_t) or exp(f~_t)

    (scalar gates per head, from ``q, k, v``), stabilised as the sLSTM's:
    ``m_t = max(log f_t + m_{t-1}, log i_t)``, ``C, n`` scaled by
    ``exp(-m_t)`` and the ``1`` of the ``max`` by ``exp(-m_t)`` too, so that
    ``h~_t`` is unchanged. There is no recurrence through ``h``, so the whole
    sequence runs in parallel within chunks of ``chunk_size`` steps and the
    memory is carried from chunk to chunk (``chunk_size=1`` is the recurrent
    form, ``>= time`` the fully parallel one; all give the same outputs). The
    block around it, on the input ``u`` (``x``, or ``x`` mapped linearly to
    ``hidden_size`` features when ``input_size`` differs)::

        [a, z] = W_up LayerNorm(u)                     (2 x proj_factor x h)
        c = silu(causal depthwise conv(a))
        q, k from c; v from a                          (block-diagonal maps)
        h = (GroupNorm(mLSTM(q, k, v)) + s * c) * silu(z)    (s learnable)
        out = u + W_down h

    where ``silu(z)`` plays the output gate :math:`o_t`. A matrix memory stores
    several key-value patterns at once (the paper's associative recall).

    Parameters
    ----------
    input_size : int
        Features per time step.
    hidden_size : int
        The block's width.
    num_heads : int or None, default=None
        Heads; divides the inner width ``ceil(proj_factor * hidden_size)``. None
        takes the largest of 4 (the paper's), 2 and 1 that divides it.
    proj_factor : float, default=2.0
        Inner width relative to ``hidden_size``.
    conv_kernel : int, default=4
        Length of the causal convolution (1: a per-feature scale).
    forget_gate : {'sigmoid', 'exp'}, default='sigmoid'
        The forget gate's activation.
    chunk_size : int, default=32
        Time steps computed in parallel at once.

    Attributes
    ----------
    in_proj : torch.nn.Linear or None
        The input's map to ``hidden_size`` features (None when they are equal).
    norm : torch.nn.LayerNorm
        The pre-norm.
    up_proj, down_proj : torch.nn.Linear
        The up- and down-projections.
    conv : torch.nn.Conv1d
        The causal depthwise convolution.
    qkv : torch.nn.Module
        Block-diagonal maps to ``q, k, v``: ``weight`` (3, blocks, b, b) with
        ``b`` the largest of 4, 2, 1 dividing the inner width, ``bias`` (3,
        inner width).
    cell : torch.nn.Module
        The gates (``gates``: ``i~, f~`` of each head from ``[q, k, v]``), the
        head-wise ``out_norm`` and the learnable ``skip`` ``s``.

    See Also
    --------
    SLSTMModule : xLSTM's sLSTM block.

    Notes
    -----
    As in the official code, the input and forget gates start with zero
    weights, input-gate biases drawn from N(0, 0.1^2) and forget-gate biases
    3 ... 6; the learnable skip starts at 1. Deviations from the paper: an
    input projection when ``input_size != hidden_size``, a group norm with a
    bias, and ``1/sqrt(d)`` applied to the key after its bias (the official
    code's choice). Memory: the chunks hold ``batch x heads x time x
    chunk_size`` weights; batches of more than about 4 million of them run in
    slices of rows (the same results).

    References
    ----------
    M. Beck, K. Pöppel, M. Spanring, A. Auer, O. Prudnikova, M. Kopp,
    G. Klambauer, J. Brandstetter and S. Hochreiter, "xLSTM: Extended Long
    Short-Term Memory", NeurIPS 2024, arXiv:2405.04517 (the mLSTM, its
    parallel form and its block); the official code, github.com/NX-AI/xlstm.

    Examples
    --------
    >>> import torch
    >>> from lstmforecast.nn import MLSTMModule
    >>> block = MLSTMModule(input_size=1, hidden_size=4)
    >>> X = torch.randn(2, 50, 1)
    >>> out, state = block(X)
    >>> out.shape
    torch.Size([2, 50, 4])
    >>> block.cell.chunk_size = 1  # the recurrent form: the same outputs
    >>> torch.allclose(block(X)[0], out, atol=1e-5)
    True
    """

    def __init__(
        self,
        input_size: int,
        hidden_size: int,
        *,
        num_heads: int | None = None,
        proj_factor: float = 2.0,
        conv_kernel: int = 4,
        forget_gate: str = "sigmoid",
        chunk_size: int = 32,
    ):
        super().__init__()
        owner = "MLSTMModule"
        self.input_size = _count(input_size, "input_size", owner)
        self.hidden_size = H = _count(hidden_size, "hidden_size", owner)
        if not (isinstance(proj_factor, (int, float)) and proj_factor > 0):
            raise ValueError(
                f"The 'proj_factor' parameter of {owner} must be a number > 0. Got "
                f"{_shown(proj_factor)} instead."
            )
        width = max(1, math.ceil(proj_factor * H))
        if num_heads is None:
            num_heads = next(h for h in (4, 2, 1) if width % h == 0)
        heads = _check_heads(num_heads, width, owner, "the inner width")
        kernel = _count(conv_kernel, "conv_kernel", owner)
        forget_gate = _check_forget_gate(forget_gate, owner)
        chunk_size = _count(chunk_size, "chunk_size", owner)
        self.in_proj = _InputProjection(input_size, H) if input_size != H else None
        self.norm = nn.LayerNorm(H)
        self.up_proj = nn.Linear(H, 2 * width)
        self.conv = nn.Conv1d(width, width, kernel, groups=width, padding=kernel - 1)
        self.qkv = _BlockDiagonal(width, next(b for b in (4, 2, 1) if width % b == 0))
        self.cell = _MLSTMCell(width, heads, forget_gate, chunk_size)
        self.down_proj = nn.Linear(width, H)

    # RecurrentModule may ask the last layer for its last step only
    _last_step = True

    def forward(self, X: torch.Tensor, last_step: bool = False):
        """Run the block over the sequences.

        Parameters
        ----------
        X : torch.Tensor of shape (batch, time, input_size)
            Sequences.
        last_step : bool, default=False
            Return the output of the last step only, ``(batch, 1,
            hidden_size)``, read from the final memory: no ``time x time``
            product (what :class:`RecurrentModule` asks of its last layer).
            When the ``q, k, v`` blocks lie inside heads (hidden 64: heads of
            32 features, blocks of 4) no ``q, k, v`` of every step either:
            keys and values are linear in ``c`` and ``a``, so the memory is
            built from their weighted sums and the maps are applied once.

        Returns
        -------
        outputs : torch.Tensor of shape (batch, time, hidden_size)
            The block's output at every step (or the last).
        state : tuple of torch.Tensor
            ``(C, n, m)`` after the last step: the matrix memory ``(batch,
            heads, d, d)``, the normaliser ``(batch, heads, d)`` and their
            stabiliser ``(batch, heads)`` (``C, n`` scaled by ``exp(-m)``).
        """
        B, T = X.shape[:2]
        chunk = min(self.cell.chunk_size, T)
        rows = max(1, _MLSTM_ELEMENTS // (self.cell.num_heads * T * chunk))
        if B > rows:  # bound the memory of large batches (predict)
            parts = [
                self.forward(X[a : a + rows], last_step) for a in range(0, B, rows)
            ]
            states = zip(*(s for _, s in parts), strict=True)
            return torch.cat([o for o, _ in parts]), tuple(map(torch.cat, states))
        u = X if self.in_proj is None else self.in_proj(X)
        x = self.norm(u)
        if last_step:  # the output gate's branch z is needed at the last step only
            u, width = u[:, -1:], self.down_proj.in_features
            W_a, W_z = self.up_proj.weight.split(width)
            b_a, b_z = self.up_proj.bias.split(width)
            a, z = F.linear(x, W_a, b_a), F.linear(x[:, -1:], W_z, b_z)
        else:
            a, z = self.up_proj(x).chunk(2, dim=-1)
        conv = F.silu(_CausalConv.apply(a, self.conv.weight, self.conv.bias))
        if last_step and self.cell.folds(self.qkv):
            h, state = self.cell.forward_last(conv, a, self.qkv)
        else:
            q, k, v = self.qkv(conv, a)
            h, state = self.cell(q, k, v, conv, last_step)
        return u + self.down_proj(h * F.silu(z)), state
