"""The cells of lstmforecast.nn against hand-written loops of their equations.

Each reference below is written from the equations in the cell's docstring (and
the paper), step by step in float64, with the module's own weights: the
unstabilised exponential gates for sLSTM and mLSTM (the tiny inputs keep them
finite), so the comparison also checks the stabiliser. Gradients are checked
with ``torch.autograd.gradcheck`` (the hand-written backward passes) and against
autograd through the references.
"""

import math

import pytest
import torch
from torch import nn

from lstmforecast.nn import (
    MLSTMModule,
    PeepholeLSTMModule,
    RecurrentModule,
    SLSTMModule,
)
from lstmforecast.nn._cells import _PeepholeScan
from lstmforecast.nn._xlstm import (
    _BlockDiagonalProduct,
    _CausalConv,
    _mlstm,
    _SLSTMScan,
)

B, T, D, H = 2, 5, 2, 3  # batch, time, features, hidden


def _randomised(module, std=0.5, seed=0):
    """``module`` in float64 with every parameter drawn from N(0, std^2)."""
    gen = torch.Generator().manual_seed(seed)
    module = module.double()
    with torch.no_grad():
        for p in module.parameters():
            p.copy_(torch.randn(p.shape, generator=gen, dtype=torch.float64) * std)
    return module


def _inputs(batch=B, time=T, features=D, seed=1):
    gen = torch.Generator().manual_seed(seed)
    return torch.randn(batch, time, features, generator=gen, dtype=torch.float64)


def _layer_norm(x, weight=None, bias=None, eps=1e-5):
    mean = x.mean(-1, keepdim=True)
    var = ((x - mean) ** 2).mean(-1, keepdim=True)
    out = (x - mean) / torch.sqrt(var + eps)
    return out if weight is None else out * weight + bias


def _head_norm(x, heads, weight, bias, eps=1e-5):
    parts = [_layer_norm(p, eps=eps) for p in x.chunk(heads, dim=-1)]
    return torch.cat(parts, -1) * weight + bias


def _linear(x, layer):
    return x @ layer.weight.T + layer.bias


# ---------------------------------------------------------------- references
def peephole_reference(layer, X):
    """Gers & Schmidhuber's peephole LSTM, one step at a time."""
    Wi, Wf, Wg, Wo = layer.weight_ih.split(layer.hidden_size)
    Ri, Rf, Rg, Ro = layer.weight_hh.split(layer.hidden_size)
    bi, bf, bg, bo = layer.bias.split(layer.hidden_size)
    pi, pf, po = layer.weight_peephole
    h = c = torch.zeros(X.shape[0], layer.hidden_size, dtype=X.dtype)
    outputs = []
    for t in range(X.shape[1]):
        x = X[:, t]
        i = torch.sigmoid(x @ Wi.T + h @ Ri.T + pi * c + bi)
        f = torch.sigmoid(x @ Wf.T + h @ Rf.T + pf * c + bf)
        g = torch.tanh(x @ Wg.T + h @ Rg.T + bg)
        c = f * c + i * g  # the output gate reads the new cell
        o = torch.sigmoid(x @ Wo.T + h @ Ro.T + po * c + bo)
        h = o * torch.tanh(c)
        outputs.append(h)
    return torch.stack(outputs, 1), (h, c)


def _head_mask(size, heads):
    head = torch.arange(size) // (size // heads)
    return (head[:, None] == head[None, :]).to(torch.float64)


def slstm_reference(block, X):
    """Beck et al.'s sLSTM (unstabilised) in its post up-projection block."""
    cell, size = block.cell, block.hidden_size
    u = X if block.in_proj is None else _linear(X, block.in_proj)
    x_all = _layer_norm(u, block.norm.weight, block.norm.bias)
    W, b = cell.weight_ih, cell.bias
    R = cell.weight_hh * _head_mask(size, cell.num_heads).repeat(4, 1)
    h = c = n = torch.zeros(X.shape[0], size, dtype=X.dtype)
    m, outputs = None, []
    for t in range(X.shape[1]):
        pre = x_all[:, t] @ W.T + h @ R.T + b
        i_pre, f_pre, z_pre, o_pre = pre.split(size, dim=1)
        i = torch.exp(i_pre)  # exponential input gate
        f = torch.exp(f_pre) if cell.exp_forget else torch.sigmoid(f_pre)
        c = f * c + i * torch.tanh(z_pre)  # cell
        n = f * n + i  # normaliser
        h = torch.sigmoid(o_pre) * c / n
        # the stabiliser the module keeps: m_t = max(log f_t + m_{t-1}, log i_t)
        m = i_pre if m is None else torch.maximum(torch.log(f) + m, i_pre)
        outputs.append(h)
    hs = torch.stack(outputs, 1)
    out_norm = block.out_norm
    y = u + _head_norm(hs, cell.num_heads, out_norm.weight, out_norm.bias)
    up = _linear(
        _layer_norm(y, block.ffn_norm.weight, block.ffn_norm.bias), block.ffn.up_proj
    )
    gate, value = up.chunk(2, dim=-1)
    out = y + _linear(nn.functional.gelu(gate) * value, block.ffn.down_proj)
    return out, (h, c, n, m), hs


def _causal_depthwise_conv(a, conv):
    """``out[t, j] = bias[j] + sum_r w[j, r] a[t - (K - 1) + r, j]`` (zero before 0)."""
    K = conv.weight.shape[-1]
    out = conv.bias.expand_as(a).clone()
    for t in range(a.shape[1]):
        for r in range(K):
            s = t - (K - 1) + r
            if s >= 0:
                out[:, t] = out[:, t] + conv.weight[:, 0, r] * a[:, s]
    return out


def matrix_memory_reference(q, k, v, i_pre, f_pre, exp_forget):
    """The mLSTM cell of each head: C, n and h~ = C q / max(|n^T q|, 1).

    ``q, k, v`` (batch, time, width), ``i_pre, f_pre`` (batch, time, heads);
    returns ``h~`` (batch, time, width), ``(C, n, m)`` of each head and every
    ``|n_t^T q_t|``.
    """
    heads = i_pre.shape[-1]
    batch, time, width = q.shape
    d = width // heads
    h_tilde = torch.zeros_like(q)
    final, dots = [], []
    for g in range(heads):
        cols = slice(g * d, (g + 1) * d)
        C = torch.zeros(batch, d, d, dtype=q.dtype)
        n = torch.zeros(batch, d, dtype=q.dtype)
        m = None
        for t in range(time):
            q_t, v_t = q[:, t, cols], v[:, t, cols]
            k_t = k[:, t, cols] / math.sqrt(d)
            i = torch.exp(i_pre[:, t, g])[:, None]
            f_pre_t = f_pre[:, t, g][:, None]
            f = torch.exp(f_pre_t) if exp_forget else torch.sigmoid(f_pre_t)
            C = f[..., None] * C + i[..., None] * v_t[:, :, None] * k_t[:, None, :]
            n = f * n + i * k_t
            dot = (n * q_t).sum(-1, keepdim=True)
            dots.append(dot.abs())
            h_tilde[:, t, cols] = (C @ q_t[..., None])[..., 0] / torch.clamp(
                dot.abs(), min=1.0
            )
            log_i = i_pre[:, t, g]
            m = log_i if m is None else torch.maximum(torch.log(f[:, 0]) + m, log_i)
        final.append((C, n, m))
    return h_tilde, final, torch.cat(dots)


def mlstm_reference(block, X):
    """Beck et al.'s mLSTM (unstabilised, a matrix per head) in its block."""
    cell = block.cell
    heads = cell.num_heads
    u = X if block.in_proj is None else _linear(X, block.in_proj)
    a, z = _linear(
        _layer_norm(u, block.norm.weight, block.norm.bias), block.up_proj
    ).chunk(2, -1)
    c_act = nn.functional.silu(_causal_depthwise_conv(a, block.conv))
    Wq, Wk, Wv = (torch.block_diag(*w) for w in block.qkv.weight)
    bq, bk, bv = block.qkv.bias
    q, k, v = c_act @ Wq.T + bq, c_act @ Wk.T + bk, a @ Wv.T + bv
    pre = torch.cat([q, k, v], -1) @ cell.gate_weight + cell.gate_bias
    i_pre, f_pre = pre[..., :heads], pre[..., heads:]
    h_tilde, final, _ = matrix_memory_reference(q, k, v, i_pre, f_pre, cell.exp_forget)
    h = _head_norm(h_tilde, heads, cell.norm_weight, cell.norm_bias)
    h = (h + cell.skip * c_act) * nn.functional.silu(z)
    return u + _linear(h, block.down_proj), final


# ------------------------------------------------------------- equalities
def test_peephole_equals_its_equations():
    layer = _randomised(PeepholeLSTMModule(D, H))
    X = _inputs()
    out, (h, c) = layer(X)
    ref, (h_ref, c_ref) = peephole_reference(layer, X)
    torch.testing.assert_close(out, ref, atol=1e-6, rtol=0)
    torch.testing.assert_close(h, h_ref, atol=1e-6, rtol=0)
    torch.testing.assert_close(c, c_ref, atol=1e-6, rtol=0)


@pytest.mark.parametrize(
    ("hidden", "kwargs"),
    [
        (H, {}),
        (H, {"forget_gate": "exp"}),
        (H, {"num_heads": 3}),
        (4, {"num_heads": 2, "proj_factor": 2.0}),
        (D, {}),  # no input projection: the residual reads x itself
    ],
)
def test_slstm_equals_its_equations_with_the_stabiliser(hidden, kwargs):
    block = _randomised(SLSTMModule(D, hidden, **kwargs))
    assert (block.in_proj is None) == (hidden == D)
    X = _inputs()
    out, (h, c, n, m) = block(X)
    ref, (h_ref, c_ref, n_ref, m_ref), hs_ref = slstm_reference(block, X)
    torch.testing.assert_close(out, ref, atol=1e-6, rtol=0)
    # the recurrence itself, before the block's head-wise norm
    hs, _ = block.cell(
        _layer_norm(
            block.in_proj(X) if block.in_proj else X, block.norm.weight, block.norm.bias
        )
    )
    torch.testing.assert_close(hs, hs_ref, atol=1e-6, rtol=0)
    torch.testing.assert_close(h, h_ref, atol=1e-6, rtol=0)
    # the state is the stabilised one: c and n scaled by exp(-m)
    torch.testing.assert_close(m, m_ref, atol=1e-6, rtol=0)
    torch.testing.assert_close(c, c_ref * torch.exp(-m_ref), atol=1e-6, rtol=0)
    torch.testing.assert_close(n, n_ref * torch.exp(-m_ref), atol=1e-6, rtol=0)
    assert bool((n >= 1 - 1e-12).all())  # n_t >= 1 once stabilised


@pytest.mark.parametrize(
    "kwargs",
    [
        {},  # 2 heads: the largest of 4, 2, 1 dividing the inner width 6
        {"num_heads": 1},
        {"num_heads": 3, "forget_gate": "exp"},
        {"conv_kernel": 1, "proj_factor": 1.5},
    ],
)
@pytest.mark.parametrize("chunk_size", [1, 2, 3, 64])
def test_mlstm_equals_its_equations_in_every_chunking(kwargs, chunk_size):
    block = _randomised(MLSTMModule(D, H, chunk_size=chunk_size, **kwargs))
    X = _inputs()
    out, (C, n, M) = block(X)
    ref, final = mlstm_reference(block, X)
    torch.testing.assert_close(out, ref, atol=1e-6, rtol=0)
    for g, (C_ref, n_ref, m_ref) in enumerate(final):  # stabilised by exp(-m)
        scale = torch.exp(-m_ref)
        torch.testing.assert_close(M[:, g], m_ref, atol=1e-6, rtol=0)
        torch.testing.assert_close(
            C[:, g], C_ref * scale[:, None, None], atol=1e-6, rtol=0
        )
        torch.testing.assert_close(n[:, g], n_ref * scale[:, None], atol=1e-6, rtol=0)
    last, _ = block(X, last_step=True)  # read from the final memory only
    torch.testing.assert_close(last, ref[:, -1:], atol=1e-6, rtol=0)


@pytest.mark.parametrize("exp_forget", [False, True])
@pytest.mark.parametrize("heads", [1, 2])
@pytest.mark.parametrize("chunk_size", [1, 2, 4, 7, 64])
def test_matrix_memory_equals_its_equations(exp_forget, heads, chunk_size):
    """The cell alone: the block's head-wise norm hides a scale of h~."""
    gen = torch.Generator().manual_seed(3)
    q, k, v = (torch.randn(B, 7, 4, generator=gen, dtype=torch.float64) for _ in "qkv")
    i_pre, f_pre = (
        torch.randn(B, 7, heads, generator=gen, dtype=torch.float64) for _ in "if"
    )
    i_pre = 3 * i_pre  # input gates from exp(-6) to exp(6)
    log_f = f_pre if exp_forget else nn.functional.logsigmoid(f_pre)
    d = 4 // heads

    def split(x):
        return x.view(B, 7, heads, d).transpose(1, 2)

    h, (C, n, M) = _mlstm(
        split(q),
        split(k) / math.sqrt(d),
        split(v),
        i_pre.transpose(1, 2),
        log_f.transpose(1, 2),
        chunk_size,
    )
    h_ref, final, dots = matrix_memory_reference(q, k, v, i_pre, f_pre, exp_forget)
    torch.testing.assert_close(
        h.transpose(1, 2).reshape(B, 7, 4), h_ref, atol=1e-6, rtol=0
    )
    # both sides of the normaliser's max(|n^T q|, 1) are exercised
    assert bool((dots < 1).any()) and bool((dots > 1).any())
    for g, (C_ref, n_ref, m_ref) in enumerate(final):
        torch.testing.assert_close(
            C[:, g], C_ref * torch.exp(-m_ref)[:, None, None], atol=1e-6, rtol=0
        )
        torch.testing.assert_close(
            n[:, g], n_ref * torch.exp(-m_ref)[:, None], atol=1e-6, rtol=0
        )
    last, _ = _mlstm(
        split(q),
        split(k) / math.sqrt(d),
        split(v),
        i_pre.transpose(1, 2),
        log_f.transpose(1, 2),
        chunk_size,
        last_step=True,
    )
    torch.testing.assert_close(
        last[:, :, 0].reshape(B, 4), h_ref[:, -1], atol=1e-6, rtol=0
    )


@pytest.mark.parametrize(
    "kwargs, folds",
    [
        ({"num_heads": 1}, True),  # width 6, blocks of 2 inside the one head
        ({"num_heads": 3, "forget_gate": "exp"}, True),  # heads of 2, blocks of 2
        ({"hidden": 8, "num_heads": 2}, True),  # width 16, heads of 8, blocks of 4
        ({}, False),  # 2 heads of 3 features, blocks of 2 straddle them
    ],
)
def test_the_last_step_read_from_sums_is_the_chunked_one(kwargs, folds):
    """Last step only: the memory from weighted sums of c and a, maps applied once.

    Same outputs, final memory and gradients as the chunked form (``q, k, v`` of
    every step), itself checked against the equations above.
    """
    kwargs = dict(kwargs)
    block = _randomised(MLSTMModule(D, kwargs.pop("hidden", H), **kwargs))
    assert block.cell.folds(block.qkv) is folds
    X = _inputs(time=9).requires_grad_()
    out, state = block(X)
    last, last_state = block(X, last_step=True)
    torch.testing.assert_close(last, out[:, -1:], atol=1e-9, rtol=0)
    for a, b in zip(last_state, state, strict=True):
        torch.testing.assert_close(a, b, atol=1e-9, rtol=1e-9)
    weights = torch.randn(B, 1, block.hidden_size, dtype=torch.float64)
    params = [X, *block.parameters()]
    got = torch.autograd.grad((last * weights).sum(), params)
    expected = torch.autograd.grad((out[:, -1:] * weights).sum(), params)
    for a, b in zip(got, expected, strict=True):
        torch.testing.assert_close(a, b, atol=1e-9, rtol=1e-7)


def test_mlstm_default_heads_and_qkv_blocks_follow_the_inner_width():
    assert MLSTMModule(1, 8).cell.num_heads == 4  # width 16
    assert MLSTMModule(1, 3).cell.num_heads == 2  # width 6
    assert MLSTMModule(1, 3).qkv.block == 2
    assert MLSTMModule(1, 8).qkv.block == 4
    assert MLSTMModule(1, 3, proj_factor=1.0).cell.num_heads == 1  # width 3


def test_slstm_last_step_is_the_last_output():
    block = _randomised(SLSTMModule(D, H))
    X = _inputs()
    torch.testing.assert_close(block(X, last_step=True)[0], block(X)[0][:, -1:])


def test_mlstm_splits_large_batches_with_the_same_results(monkeypatch):
    from lstmforecast.nn import _xlstm

    block = _randomised(MLSTMModule(D, H, chunk_size=2))
    X = _inputs(batch=7)
    whole = block(X)
    monkeypatch.setattr(_xlstm, "_MLSTM_ELEMENTS", 2 * 5 * 2 * 2)  # 2 rows a pass
    split = block(X)
    torch.testing.assert_close(split[0], whole[0])
    for a, b in zip(split[1], whole[1], strict=True):
        torch.testing.assert_close(a, b)


# ------------------------------------------------------------- gradients
def test_the_hand_written_backward_passes_are_the_gradients():
    gen = torch.Generator().manual_seed(0)

    def rand(*shape, scale=1.0):
        x = torch.randn(*shape, generator=gen, dtype=torch.float64) * scale
        return x.requires_grad_()

    gx, R, P = rand(4, 2, 4 * H), rand(4 * H, H, scale=0.5), rand(3, H)
    assert torch.autograd.gradcheck(_PeepholeScan.apply, (gx, R, P))
    for exp_forget in (False, True):
        assert torch.autograd.gradcheck(
            lambda a, b, e=exp_forget: _SLSTMScan.apply(a, b, e)[0], (gx, R)
        )
    x, W = rand(5, 4 * 3), rand(4, 2, 3)  # 4 blocks of 3 inputs, 2 outputs
    assert torch.autograd.gradcheck(_BlockDiagonalProduct.apply, (x, W))
    for K in (1, 3, 7):  # a kernel longer than the sequence too
        a, w, b = rand(2, 5, 3), rand(3, 1, K), rand(3)
        assert torch.autograd.gradcheck(_CausalConv.apply, (a, w, b))


@pytest.mark.parametrize("K", [1, 4, 9])
def test_the_causal_convolution_is_torch_s_depthwise_convolution(K):
    gen = torch.Generator().manual_seed(0)
    a, w, b = (torch.randn(*s, generator=gen) for s in ((3, 8, 6), (6, 1, K), (6,)))
    ref = nn.functional.conv1d(a.transpose(1, 2), w, b, padding=K - 1, groups=6)[
        ..., :8
    ]
    torch.testing.assert_close(
        _CausalConv.apply(a, w, b), ref.transpose(1, 2), atol=1e-6, rtol=0
    )


@pytest.mark.parametrize(
    ("block", "reference"),
    [
        (lambda: SLSTMModule(D, H), slstm_reference),
        (lambda: SLSTMModule(D, H, forget_gate="exp"), slstm_reference),
        (lambda: MLSTMModule(D, H, chunk_size=2), mlstm_reference),
        (lambda: MLSTMModule(D, H, forget_gate="exp"), mlstm_reference),
    ],
)
def test_block_gradients_equal_those_of_the_unstabilised_equations(block, reference):
    """The stabilisers are constants for the gradient: exact for the outputs."""
    block = _randomised(block())
    X = _inputs().requires_grad_()
    weights = torch.randn(B, T, block.hidden_size, dtype=torch.float64)
    params = [X, *block.parameters()]
    got = torch.autograd.grad((block(X)[0] * weights).sum(), params)
    expected = torch.autograd.grad((reference(block, X)[0] * weights).sum(), params)
    for a, b in zip(got, expected, strict=True):
        torch.testing.assert_close(a, b, atol=1e-6, rtol=1e-6)


# ------------------------------------------------------------ finiteness
@pytest.mark.parametrize("cell", [PeepholeLSTMModule, SLSTMModule, MLSTMModule])
def test_cells_stay_finite_on_long_sequences_of_large_inputs(cell):
    torch.manual_seed(0)
    layer = cell(2, 4)
    X = 100 * torch.randn(2, 2000, 2)
    out, _ = layer(X)
    assert out.shape == (2, 2000, 4) and bool(out.isfinite().all())
    out[:, -1].sum().backward()
    assert all(bool(p.grad.isfinite().all()) for p in layer.parameters())


def test_the_stabilised_recurrences_stay_finite_without_the_pre_norm():
    """Raw pre-activations of +-1000 would overflow exp() unstabilised."""
    torch.manual_seed(0)
    gx = (1000 * torch.randn(2000, 2, 4 * 3)).requires_grad_()
    R = torch.randn(4 * 3, 3).requires_grad_()
    hs, cs, ns, ms = _SLSTMScan.apply(gx, R, False)
    assert bool(hs.isfinite().all()) and bool((ns >= 1).all())
    assert bool((hs.abs() <= 1).all())  # |h| <= 1: |c| <= n
    hs.sum().backward()
    assert bool(gx.grad.isfinite().all()) and bool(R.grad.isfinite().all())
    q, k, v = (torch.randn(2, 2, 2000, 4) for _ in range(3))
    log_i = (1000 * torch.randn(2, 2, 2000)).requires_grad_()
    log_f = nn.functional.logsigmoid(100 * torch.randn(2, 2, 2000))
    h, (C, n, M) = _mlstm(q, k, v, log_i, log_f, chunk_size=32)
    assert bool(h.isfinite().all()) and bool(C.isfinite().all())
    h.sum().backward()
    assert bool(log_i.grad.isfinite().all())


# ------------------------------------------------------- RecurrentModule
@pytest.mark.parametrize("cell", ["lstm", "gru", "rnn", "peephole", "slstm", "mlstm"])
@pytest.mark.parametrize("bidirectional", [False, True])
def test_recurrent_module_runs_every_cell(cell, bidirectional):
    torch.manual_seed(0)
    net = RecurrentModule(2, (4, 3), cell=cell, bidirectional=bidirectional)
    out = net(torch.randn(5, 9, 2))
    assert out.shape == (5, 1) and bool(out.isfinite().all())
    out.sum().backward()


def test_the_default_network_is_the_one_it_was():
    """residual=False, layer_norm=False: the same layers and initial weights."""
    torch.manual_seed(0)
    net = RecurrentModule(1, (7, 3))
    torch.manual_seed(0)
    first = nn.LSTM(1, 7, batch_first=True)
    second = nn.LSTM(7, 3, batch_first=True)
    head = nn.Linear(3, 1)
    expected = {
        **{f"layers.0.{k}": v for k, v in first.state_dict().items()},
        **{f"layers.1.{k}": v for k, v in second.state_dict().items()},
        **{f"head.{k}": v for k, v in head.state_dict().items()},
    }
    state = net.state_dict()
    assert list(state) == list(expected)
    for name, value in expected.items():
        assert torch.equal(state[name], value), name


def test_bidirectional_custom_cells_read_the_reversed_window():
    torch.manual_seed(0)
    net = RecurrentModule(2, 3, cell="peephole", bidirectional=True).double()
    X = _inputs(time=7)
    layer = net.layers[0]
    out_f, _ = layer.forward_layer(X)
    out_b, _ = layer.backward_layer(X.flip(1))
    expected = net.head(torch.cat([out_f[:, -1], out_b[:, -1]], dim=1))
    torch.testing.assert_close(net(X), expected)


def test_residual_and_layer_norm_build_what_they_say():
    net = RecurrentModule(1, (4, 4, 2), residual=True, layer_norm=True)
    assert isinstance(net.projections[0], nn.Identity)  # 4 -> 4
    assert isinstance(net.projections[1], nn.Linear)  # 4 -> 2
    assert net.projections[1].bias is None
    assert [n.normalized_shape for n in net.norms] == [(4,), (4,), (2,)]
    # by hand: y_k = LN(layer_k(y_{k-1}) + P_k y_{k-1}), the first without P
    X = torch.randn(3, 6, 1)
    y = net.norms[0](net.layers[0](X)[0])
    y = net.norms[1](net.layers[1](y)[0] + y)
    y = net.norms[2](net.layers[2](y)[0] + net.projections[1](y))
    torch.testing.assert_close(net(X), net.head(y[:, -1]))
    plain = RecurrentModule(1, (4, 4, 2))
    assert len(plain.projections) == len(plain.norms) == 0


def test_residual_on_the_xlstm_blocks_uses_the_last_step():
    torch.manual_seed(0)
    net = RecurrentModule(1, (4, 3), cell="mlstm", residual=True).double()
    X = _inputs(features=1, time=8)
    y = net.layers[0](X)[0]
    y = net.layers[1](y)[0] + net.projections[0](y)
    torch.testing.assert_close(net(X), net.head(y[:, -1]))


def test_deep_residual_stacks_train():
    torch.manual_seed(0)
    X = torch.randn(64, 12, 1)
    y = X[:, -3:, 0].sum(1, keepdim=True)
    losses = {}
    for residual in (False, True):
        torch.manual_seed(0)
        net = RecurrentModule(1, (8,) * 6, residual=residual, layer_norm=residual)
        opt = torch.optim.Adam(net.parameters(), lr=1e-2)
        for _ in range(60):
            opt.zero_grad()
            loss = ((net(X) - y) ** 2).mean()
            loss.backward()
            opt.step()
        losses[residual] = float(loss)
    assert losses[True] < losses[False]


# ------------------------------------------------------ the extension point
class TinyElman(nn.Module):
    """A user's cell: h_t = tanh(W x_t + U h_{t-1} + b), in one file."""

    def __init__(self, input_size, hidden_size, scale=1.0):
        super().__init__()
        self.W = nn.Linear(input_size, hidden_size)
        self.U = nn.Linear(hidden_size, hidden_size, bias=False)
        self.scale = scale

    def forward(self, X):
        h = X.new_zeros(X.shape[0], self.U.in_features)
        outputs = []
        for x in self.W(X).unbind(1):
            h = torch.tanh(x + self.U(h)) * self.scale
            outputs.append(h)
        return torch.stack(outputs, 1), h


class PerStep(nn.Module):
    def __init__(self, input_size, hidden_size):
        super().__init__()
        self.linear = nn.Linear(input_size, hidden_size)

    def forward(self, X):
        return torch.tanh(self.linear(X))  # a bare tensor is accepted


@pytest.mark.parametrize("cell", [TinyElman, PerStep])
@pytest.mark.parametrize("bidirectional", [False, True])
def test_a_users_class_is_a_cell(cell, bidirectional):
    net = RecurrentModule(2, (4, 3), cell=cell, bidirectional=bidirectional)
    built = [m for m in net.modules() if isinstance(m, cell)]
    assert len(built) == 2 * (1 + bidirectional)  # one per layer and direction
    out = net(torch.randn(5, 9, 2))
    assert out.shape == (5, 1)


class NotAModule:
    def __init__(self, input_size, hidden_size):
        pass


class NoSizes(nn.Module):
    def __init__(self):
        super().__init__()


class LastStepOnly(TinyElman):
    def forward(self, X):
        return super().forward(X)[1], None  # (batch, hidden): the final state


class BatchSecond(TinyElman):
    def forward(self, X):
        return super().forward(X)[0].transpose(0, 1), None


@pytest.mark.parametrize(
    ("cell", "exc", "match"),
    [
        ("lstn", ValueError, r"one of \['gru', 'lstm', 'mlstm', 'peephole', 'rnn', "),
        ("lstn", ValueError, "Got 'lstn' instead. Did you mean 'lstm'?"),
        ("transformer", ValueError, "Got 'transformer' instead.$"),
        (NotAModule, TypeError, "Got the class NotAModule instead"),
        (TinyElman(1, 2), TypeError, r"instance of TinyElman.*cell=TinyElman"),
        (NoSizes, TypeError, r"NoSizes, whose constructor does not take"),
        (None, TypeError, "or a torch.nn.Module subclass.*Got None instead"),
    ],
)
def test_bad_cells_are_refused_when_built(cell, exc, match):
    with pytest.raises(exc, match=match) as info:
        RecurrentModule(1, cell=cell)
    assert "\n" not in str(info.value)
    assert "'cell' parameter of RecurrentModule" in str(info.value)


@pytest.mark.parametrize(
    ("cell", "got"),
    [(LastStepOnly, r"got shape \(5, 4\)"), (BatchSecond, r"got shape \(9, 5, 4\)")],
)
@pytest.mark.parametrize("bidirectional", [False, True])
def test_a_users_cell_of_the_wrong_output_shape_is_refused(cell, got, bidirectional):
    net = RecurrentModule(2, (4, 3), cell=cell, bidirectional=bidirectional)
    with pytest.raises(
        ValueError, match=rf"class {cell.__name__}.*\(5, 9, 4\).*{got}"
    ) as info:
        net(torch.randn(5, 9, 2))
    assert "\n" not in str(info.value)
    assert "batch first" in str(info.value)


@pytest.mark.parametrize(
    ("build", "match"),
    [
        (
            lambda: SLSTMModule(1, 4, num_heads=3),
            "'num_heads' parameter of SLSTMModule must divide hidden_size",
        ),
        (
            lambda: MLSTMModule(1, 3, num_heads=4),
            "'num_heads' parameter of MLSTMModule must divide the inner width",
        ),
        (
            lambda: SLSTMModule(1, 4, forget_gate="tanh"),
            "'forget_gate' parameter of SLSTMModule must be 'sigmoid' or 'exp'",
        ),
        (
            lambda: MLSTMModule(1, 4, proj_factor=0),
            "'proj_factor' parameter of MLSTMModule must be a number > 0",
        ),
        (
            lambda: MLSTMModule(1, 4, chunk_size=0),
            "'chunk_size' parameter of MLSTMModule must be an int >= 1",
        ),
        (
            lambda: PeepholeLSTMModule(1, 0),
            "'hidden_size' parameter of PeepholeLSTMModule must be an int >= 1",
        ),
    ],
)
def test_cell_arguments_are_checked(build, match):
    with pytest.raises(ValueError, match=match):
        build()


@pytest.mark.parametrize("cell", [PeepholeLSTMModule, SLSTMModule, MLSTMModule])
def test_cells_run_in_float64_copies(cell):
    """Predictions run a float64 deep copy of the trained module."""
    import copy

    torch.manual_seed(0)
    layer = cell(2, 4)
    X = torch.randn(3, 7, 2)
    out32 = layer(X)[0]
    out64 = copy.deepcopy(layer).double()(X.double())[0]
    torch.testing.assert_close(out64.float(), out32, atol=1e-5, rtol=1e-5)


@pytest.mark.gpu
@pytest.mark.skipif(not torch.cuda.is_available(), reason="no CUDA device")
@pytest.mark.parametrize("cell", ["peephole", "slstm", "mlstm", "rnn"])
def test_cells_on_the_gpu_match_the_cpu(cell):
    torch.manual_seed(0)
    net = RecurrentModule(2, (8, 4), cell=cell).double()
    X = torch.randn(6, 20, 2, dtype=torch.float64)
    cpu = net(X)
    cpu.sum().backward()
    grads = [p.grad.clone() for p in net.parameters()]
    gpu_net = net.to("cuda")
    gpu_net.zero_grad()
    gpu = gpu_net(X.to("cuda"))
    gpu.sum().backward()
    torch.testing.assert_close(gpu.cpu(), cpu)
    for p, g in zip(gpu_net.parameters(), grads, strict=True):
        torch.testing.assert_close(p.grad.cpu(), g)
