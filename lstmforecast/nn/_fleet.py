"""Many small LSTM networks as one: stacked weights, batched products, one loop.

A *fleet* holds ``n_members`` networks of the same shape, each with its own
weights, in one ``(n_members, n_params)`` tensor. Its forward and backward passes
run every member at once: per time step one batched matrix product for all
the layers (``torch.bmm`` over the members; the layers run as a wavefront, see
:class:`_Workspace`) and a few elementwise operations over all the members'
gates, with the gradients written by hand (no autograd graph of thousands of
small nodes). The members never mix: member ``m`` reads only its own
inputs and weights, and its gradient is the gradient of its own loss.

Layout of a member's parameters (what :meth:`RecurrentFleetModule.to_module`
copies into a :class:`~lstmforecast.nn.RecurrentModule`), for each layer ``k``
of ``H`` units on ``F`` inputs: the ``(4 H, F + H)`` block ``[weight_ih |
weight_hh]`` (rows in torch's gate order i, f, g, o), ``bias_ih`` (4 H),
``bias_hh`` (4 H); then the head's ``weight`` (``n_outputs x H``) and ``bias``.
"""

from __future__ import annotations

import ctypes
import hashlib
import os
import platform
import shutil
import subprocess
import sys
import tempfile
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


class _Workspace:
    """Every buffer of a forward and backward pass, allocated once and reused.

    The layers run as one *wavefront*: at wave ``tau`` layer ``k`` computes its
    step ``tau - k``, so the layers of one wave are independent (layer ``k``
    reads layer ``k - 1``'s output of the wave before) and every wave is one
    batched product over all the layers' gates. The input rows of a wave are
    ``[x_tau; h_1; ...; h_L; 1]`` (each ``h_k`` as the wave before left it; the
    constant row carries the biases), the gate rows ``[i; f; g; o]``, each the
    ``S = sum(hidden_size)`` units of all the layers in a row. The combined
    weights ``w`` hold every layer's block (zero elsewhere), which also makes
    the backward product ``w^T dz`` give each ``h_k`` the sum of the gradients of
    its two readers. Cells outside a layer's steps (the first ``k`` and the last
    ``L - 1 - k`` waves) are *dead*: their outputs, cells and backward factors
    are zeroed, so nothing flows through them.

    Kept for every wave: the input rows ``xh``, the forget gates ``f``, and what
    the backward pass multiplies by, computed while the gates are still in the
    cache: ``p``, the gates' local derivatives times their partners (``g s_i (1
    - s_i)``, ``c_{t-1} s_f (1 - s_f)``, ``i (1 - g^2) / 4``, ``tanh(c_t) s_o (1
    - s_o)``; the quarter is ``s_g (1 - s_g)`` with ``s_g = sigmoid(2 z)``, and
    the backward pass multiplies it back, exactly) and ``oq = o (1 -
    tanh(c_t)^2)``. Scratch, one wave's: the gates ``s`` and ``c2`` (twice the
    cell state, which makes ``tanh(c) = 2 sigmoid(c2) - 1`` one sigmoid of it).
    Fresh buffers at every step would cost page faults; a fit reuses one
    workspace for all its steps (the shapes never change).
    """

    def __init__(self, spec: _Spec, n, lookback, batch, dtype=torch.float32):
        new = lambda *shape: torch.zeros(*shape, dtype=dtype)  # noqa: E731
        self.key = (n, lookback, batch, dtype)
        self.lookback, self.batch = lookback, batch
        n_layers, width = len(spec.layers), spec.input_size
        units = self.units = sum(spec.hidden_size)
        self.rows = rows = width + units + 1
        self.n_waves = waves = lookback + n_layers - 1
        self.offsets = [sum(spec.hidden_size[:k]) for k in range(n_layers + 1)]
        self.xh = new(waves + 1, n, rows, batch)
        self.xh[:, :, rows - 1] = 1.0
        self.s = new(n, 4 * units, batch)  # scratch: the gates of one wave
        self.p = new(waves, n, 4 * units, batch)
        self.f = new(waves, n, units, batch)  # the forget gates, kept
        self.oq = new(waves, n, units, batch)
        self.c2 = (new(n, units, batch), new(n, units, batch))  # this wave's, the last
        self.tc = new(n, units, batch)
        self.cell0 = new(n, units, batch)  # the cell before the first wave
        self.kernels = None  # the native kernels (_native_kernels), or eager
        self.w = new(n, 4 * units, rows)  # the layers' [ih | hh | b_ih + b_hh]
        log2e = -1.4426950408889634
        scale = torch.tensor([log2e, log2e, 2.0 * log2e, log2e], dtype=dtype)
        self.exp2_scale = scale.view(1, 4, 1, 1)
        self.one = torch.ones((), dtype=dtype)  # a tensor: no scalar to wrap
        self.wt = new(n, units, 4 * units)  # w^T on the h rows, g columns x 4
        self.g, self.dh_top = new(n, units, batch), new(n, units, batch)
        self.dz, self.dw_t = new(n, 4 * units, batch), new(n, rows, 4 * units)
        self.dc = new(n, units, batch)
        self.dc_gates = self.dc.unsqueeze(1)  # broadcast over i, f, g
        self.dz_rows = self.dz.transpose(1, 2)
        self.ones = torch.ones(n, units, batch, dtype=dtype)
        self.zeros = torch.zeros(1, 1, 1, dtype=dtype).expand(n, units, batch)
        self.minus_ones = torch.full((1, 1, 1), -1.0, dtype=dtype).expand_as(self.ones)
        self.dz_cell = self.dz[:, : 3 * units].view(n, 3, units, batch)
        self.dz_o = self.dz[:, 3 * units :]
        self.h_last = self.xh[waves][:, width + self.offsets[-2] : width + units]
        self.grad = torch.zeros(n, spec.n_params, dtype=dtype)
        self.steps = [self._views(tau, lookback, n_layers) for tau in range(waves)]

    def _views(self, tau: int, lookback: int, n_layers: int) -> dict:
        """Return the views of wave ``tau``, made once: the loops only call ops."""
        u, n, batch = self.units, self.xh.shape[1], self.batch
        width = self.rows - 1 - u  # input features
        p, s = self.p[tau], self.s
        h_next = self.xh[tau + 1][:, width : width + u]
        dead = []  # row ranges of the layers with no step at this wave
        if tau + 1 < n_layers:
            dead.append((self.offsets[tau + 1], u))
        if tau >= lookback:
            dead.append((0, self.offsets[tau - lookback + 1]))
        p4 = p.view(n, 4, u, batch)
        zeroed = [
            part
            for a, b in dead
            for part in (h_next[:, a:b], p4[:, :, a:b], self.oq[tau][:, a:b])
        ]
        return {
            "p": p,
            "p_parts": tuple(p[:, j * u : (j + 1) * u] for j in range(4)),
            "p_cell": p[:, : 3 * u].view(n, 3, u, batch),
            "p_o": p[:, 3 * u :],
            "oq": self.oq[tau],
            "s": s,
            "gates": tuple(s[:, j * u : (j + 1) * u] for j in range(4)),
            "f": self.f[tau],
            "xh": self.xh[tau],
            "h_next": h_next,
            "dead": dead,
            "zeroed": zeroed,
        }


def _load_weights(spec: _Spec, flat, ws: _Workspace) -> None:
    """Copy each layer's weights into its blocks of ``ws.w`` and ``ws.wt``.

    ``ws.w`` is scaled for :func:`_wave_forward`'s sigmoid: by ``-log2(e)``, and
    ``-2 log2(e)`` on the g rows (``tanh(z) = 2 sigmoid(2 z) - 1``); ``ws.wt``,
    the transposed weights on the ``h`` rows for the backward pass, is not.
    """
    layers, _ = spec.views(flat)
    n, u, width = flat.shape[0], ws.units, spec.input_size
    w4 = ws.w.view(n, 4, u, ws.rows)
    for k, ((weight, b_ih, b_hh), (_, inputs, units)) in enumerate(
        zip(layers, spec.layers, strict=True)
    ):
        rows = slice(ws.offsets[k], ws.offsets[k] + units)
        first = 0 if k == 0 else width + ws.offsets[k - 1]  # [inputs | own h]
        w4[:, :, rows, first : first + inputs + units].copy_(
            weight.view(n, 4, units, inputs + units)
        )
        w4[:, :, rows, -1] = torch.add(b_ih, b_hh).view(n, 4, units)
    ws.wt.copy_(ws.w[:, :, width : width + u].transpose(1, 2))
    ws.wt.view(n, u, 4, u)[:, :, 2].mul_(4.0)  # p's g rows are a quarter
    w4.mul_(ws.exp2_scale)  # -log2(e) z, and -2 log2(e) z on the g rows


def _forward(spec: _Spec, flat, X_tm, ws: _Workspace) -> torch.Tensor:
    """Run every member on its windows; return ``(n, n_outputs, batch)``.

    ``X_tm`` is time-major ``(lookback, n, input_size, batch)``. The g gate's
    ``tanh(z) = 2 sigmoid(2 z) - 1``, and so is ``tanh(c)``: one sigmoid over all
    four gates, and no ``torch.tanh`` (several times slower than the sigmoid on
    the CPU). The gates' sigmoid is ``1 / (1 + 2^u)`` with ``u = -log2(e) z``
    (the weights are scaled by ``-log2(e)``): ``exp2`` costs half of torch's
    ``exp`` or ``sigmoid`` on the CPU.
    """
    _, (head_w, head_b) = spec.views(flat)
    _load_weights(spec, flat, ws)
    ws.xh[: ws.lookback, :, : spec.input_size].copy_(X_tm)
    wave = _wave_forward if ws.kernels is None else _native_forward
    for tau in range(ws.n_waves):
        wave(ws, tau)
    return torch.baddbmm(head_b.unsqueeze(-1), head_w, ws.h_last)


def _wave_forward(ws: _Workspace, tau: int) -> None:
    """Every layer at wave ``tau``: gates, cell, output; the backward factors."""
    v = ws.steps[tau]
    # sigmoid(z) = 1 / (1 + 2^(-log2(e) z)), -log2(e) being in the weights
    s = torch.bmm(ws.w, v["xh"], out=v["s"]).exp2_().add_(ws.one).reciprocal_()
    # what the backward pass needs, while it is in the cache: sigmoid' =
    # s (1 - s), and on the g rows tanh'(z) / 4 = s (1 - s) (with s = sigmoid(2 z))
    torch.addcmul(s, s, s, value=-1.0, out=v["p"])
    i, f, g, o = v["gates"]
    torch.lerp(ws.minus_ones, ws.ones, g, out=g)  # g = 2 sigmoid(2 z) - 1
    c2, c2_prev = ws.c2[tau % 2], ws.c2[(tau + 1) % 2]
    if tau == 0:
        torch.mul(i, g, out=c2).mul_(2.0)
    else:
        torch.mul(f, c2_prev, out=c2).addcmul_(i, g, value=2.0)
    tc = ws.tc
    torch.sigmoid(c2, out=tc)
    torch.lerp(ws.minus_ones, ws.ones, tc, out=tc)  # tanh(c)
    h = torch.mul(o, tc, out=v["h_next"])
    p_i, p_f, p_g, p_o = v["p_parts"]
    p_i.mul_(g)
    if tau == 0:
        p_f.zero_()
    else:
        torch.addcmul(ws.zeros, p_f, c2_prev, value=0.5, out=p_f)  # c = c2 / 2
    p_g.mul_(i)
    p_o.mul_(tc)
    torch.addcmul(o, h, tc, value=-1.0, out=v["oq"])  # o (1 - tanh(c)^2)
    v["f"].copy_(f)
    for part in v["zeroed"]:  # dead cells: no output, no gradient
        part.zero_()
    for a, b in v["dead"]:
        c2[:, a:b] = 0.0  # a layer starts from a zero cell


def _backward(spec: _Spec, flat, ws: _Workspace, d_out) -> torch.Tensor:
    """Gradient of the members' outputs' loss w.r.t. their weights (``ws.grad``).

    ``d_out`` is ``d loss / d output``, ``(n, n_outputs, batch)``; the pass runs
    back through the waves, reading what :func:`_forward` left in ``ws``.
    """
    _, (head_w, _) = spec.views(flat)
    grad, n, width, u = ws.grad, flat.shape[0], spec.input_size, ws.units
    g_layers, (g_head_w, g_head_b) = spec.views(grad)
    torch.bmm(d_out, ws.h_last.transpose(1, 2), out=g_head_w)
    torch.sum(d_out, dim=2, out=g_head_b)
    ws.dh_top.zero_()
    ws.dh_top[:, ws.offsets[-2] :] = torch.bmm(head_w.transpose(1, 2), d_out)
    ws.dc.zero_()
    ws.dw_t.zero_()
    last = ws.n_waves - 1
    wave = _wave_backward if ws.kernels is None else _native_backward
    for tau in range(last, -1, -1):
        wave(ws, tau, ws.dh_top if tau == last else ws.g, tau > 0)
    dw4 = ws.dw_t.view(n, ws.rows, 4, u)
    dw4[:, :, 2].mul_(4.0)
    for k, ((g_weight, g_b_ih, g_b_hh), (_, inputs, units)) in enumerate(
        zip(g_layers, spec.layers, strict=True)
    ):
        rows = slice(ws.offsets[k], ws.offsets[k] + units)
        first = 0 if k == 0 else width + ws.offsets[k - 1]  # [inputs | own h]
        g_weight.view(n, 4, units, inputs + units).copy_(
            dw4[:, first : first + inputs + units, :, rows].permute(0, 2, 3, 1)
        )
        g_b_ih.view(n, 4, units).copy_(dw4[:, -1, :, rows])
        g_b_hh.copy_(g_b_ih)
    return grad


def _wave_backward(ws: _Workspace, tau: int, dh, need_dh: bool) -> None:
    """Back through every layer at wave ``tau``, from ``dh`` (grad of its ``h``)."""
    v = ws.steps[tau]
    dc = ws.dc
    dc.addcmul_(dh, v["oq"])  # + what the wave after carried back
    torch.mul(ws.dc_gates, v["p_cell"], out=ws.dz_cell)  # i, f, g at once
    torch.mul(dh, v["p_o"], out=ws.dz_o)
    dc.mul_(v["f"])  # the forget gate carries it to the wave before
    dz = ws.dz
    if need_dh:
        torch.bmm(ws.wt, dz, out=ws.g)  # each h: the sum over its two readers
    # d weights += dz [x; h; 1]^T, accumulated transposed: the faster product
    # for these shapes, on two blocks that are still in the cache
    ws.dw_t.baddbmm_(v["xh"], ws.dz_rows)


# ------------------------------------------------------------ native kernels
# One wave's elementwise work, forward and backward, in one pass each: what
# _wave_forward and _wave_backward compute with a dozen torch operations (the
# same formulas, a rounding apart). Plain C, vectorised by the compiler, with
# its own exp2 (no -ffast-math: in a shared library it would switch the whole
# process to flush-to-zero). Not torch.compile: inductor's fused kernels for the
# same work measured no faster than these eager operations (the exponentials
# dominate) and cost ~40 us of dispatch per call, 74 calls a step; the C
# kernels take one pass over each member's contiguous units x batch block.
_C_SOURCE = r"""
#include <math.h>
#include <stdint.h>
#include <string.h>

/* 2^x: Cephes' exp2f (relative error ~1e-7, as glibc's), branch-free so that
   the compiler vectorises it; x is clamped to [-126, 126], where the sigmoids
   1 / (1 + 2^x) are 1 and 0 to float32 precision */
static inline float fast_exp2(float x) {
    x = x < -126.0f ? -126.0f : (x > 126.0f ? 126.0f : x);
    float k = rintf(x);
    float r = x - k; /* in [-0.5, 0.5] */
    float q = 1.535336188319500e-4f;
    q = q * r + 1.339887440266574e-3f;
    q = q * r + 9.618437357674640e-3f;
    q = q * r + 5.550332471162809e-2f;
    q = q * r + 2.402264791363012e-1f;
    q = q * r + 6.931472028550421e-1f;
    q = q * r + 1.0f;
    int32_t bits = ((int32_t)k + 127) << 23;
    float scale;
    memcpy(&scale, &bits, sizeof scale);
    return q * scale;
}

void wave_forward(const float *z, const float *c2p, float *p, float *h,
                  float *oq, float *f, float *c2, int64_t n, int64_t u,
                  int64_t b, int64_t h_stride) {
    const int64_t ub = u * b; /* a member's units x batch, contiguous */
    for (int64_t m = 0; m < n; m++) {
        const float *zi = z + m * 4 * ub, *zf = zi + ub, *zg = zf + ub,
                    *zo = zg + ub, *cp = c2p + m * ub;
        float *pi = p + m * 4 * ub, *pf = pi + ub, *pg = pf + ub, *po = pg + ub;
        float *hm = h + m * h_stride, *om = oq + m * ub, *fm = f + m * ub,
              *cm = c2 + m * ub;
#pragma GCC ivdep
        for (int64_t e = 0; e < ub; e++) {
            float si = 1.0f / (1.0f + fast_exp2(zi[e]));
            float sf = 1.0f / (1.0f + fast_exp2(zf[e]));
            float sg = 1.0f / (1.0f + fast_exp2(zg[e]));
            float so = 1.0f / (1.0f + fast_exp2(zo[e]));
            float g = 2.0f * sg - 1.0f;
            float cn = sf * cp[e] + 2.0f * (si * g);
            float tc = 2.0f / (1.0f + fast_exp2(-1.4426950408889634f * cn)) - 1.0f;
            float ho = so * tc;
            cm[e] = cn;
            hm[e] = ho;
            fm[e] = sf;
            om[e] = so - ho * tc;
            pi[e] = (si - si * si) * g;
            pf[e] = 0.5f * ((sf - sf * sf) * cp[e]);
            pg[e] = (sg - sg * sg) * si;
            po[e] = (so - so * so) * tc;
        }
    }
}

void wave_backward(const float *dh, const float *oq, const float *p,
                   const float *f, float *dc, float *dz, int64_t n, int64_t u,
                   int64_t b) {
    const int64_t ub = u * b;
    for (int64_t m = 0; m < n; m++) {
        const float *pi = p + m * 4 * ub, *pf = pi + ub, *pg = pf + ub,
                    *po = pg + ub, *dhm = dh + m * ub, *om = oq + m * ub,
                    *fm = f + m * ub;
        float *di = dz + m * 4 * ub, *df = di + ub, *dg = df + ub,
              *dout = dg + ub, *dcm = dc + m * ub;
#pragma GCC ivdep
        for (int64_t e = 0; e < ub; e++) {
            float d = dcm[e] + dhm[e] * om[e];
            di[e] = d * pi[e];
            df[e] = d * pf[e];
            dg[e] = d * pg[e];
            dout[e] = dhm[e] * po[e];
            dcm[e] = d * fm[e];
        }
    }
}
"""
_C_FLAGS = ("-O3", "-march=native", "-fno-math-errno", "-fno-trapping-math")
_KERNELS = {}  # the loaded library (or why not), once per process


def _native_kernels():
    """Return the compiled kernels (a ``ctypes`` library) and None, or None and why.

    Compiled once per machine with the C compiler (``$CC``, else ``cc``) into
    the cache :func:`_library_path` names (a later process only loads it);
    loaded once per process.
    """
    if "lib" not in _KERNELS:
        try:
            _KERNELS["lib"], _KERNELS["why"] = _load_library(), None
        except (OSError, AttributeError, subprocess.SubprocessError) as exc:
            _KERNELS["lib"], _KERNELS["why"] = None, _reason(exc)
    return _KERNELS["lib"], _KERNELS["why"]


def _reason(exc) -> str:
    if isinstance(exc, subprocess.CalledProcessError):
        text = (exc.stderr or b"").decode(errors="replace").strip().splitlines()
        return f"the C compiler failed: {text[0] if text else exc}"
    return f"{type(exc).__name__}: {exc}"


def _compiler() -> str:
    return os.environ.get("CC") or "cc"


def _cache_folder() -> str:
    """Return the user's private kernel cache, created ``0o700``; refuse others'.

    ``$XDG_CACHE_HOME/lstmforecast`` (else ``~/.cache/lstmforecast``), never a
    shared temporary directory: a library loaded from a folder that another
    user can write to would run their code. A folder or file not owned by this
    user, or writable by group or others, is an error (the fit then trains
    with eager torch, and says why).
    """
    base = os.environ.get("XDG_CACHE_HOME") or os.path.join(
        os.path.expanduser("~"), ".cache"
    )
    folder = os.path.join(base, "lstmforecast")
    os.makedirs(folder, mode=0o700, exist_ok=True)
    _check_private(folder)
    return folder


def _check_private(path: str) -> None:
    """Raise OSError unless ``path`` is this user's and no one else may write it."""
    if not hasattr(os, "getuid"):  # no POSIX owners (Windows): the user's profile
        return
    info = os.stat(path)
    if info.st_uid != os.getuid() or info.st_mode & 0o022:
        raise OSError(
            f"the kernel cache {path} is not private to this user (owner uid "
            f"{info.st_uid}, mode {oct(info.st_mode & 0o777)}); remove it or make "
            "it yours with mode 700"
        )


def _library_path() -> str:
    """Where the compiled kernels are cached: by source, flags, compiler, host.

    The host too: ``-march=native`` code may not run on another machine that
    shares the home directory.
    """
    host = f"{sys.platform}{platform.machine()}{platform.node()}"
    key = f"{_C_SOURCE}{_C_FLAGS}{_compiler()}{host}".encode()
    digest = hashlib.sha256(key).hexdigest()[:16]
    return os.path.join(_cache_folder(), f"fleet-{digest}.so")


def _load_library():
    compiler = _compiler()
    if shutil.which(compiler) is None:
        raise OSError(f"no C compiler found (CC={compiler!r})")
    path = _library_path()
    if not os.path.exists(path):
        folder = os.path.dirname(path)
        with tempfile.TemporaryDirectory(dir=folder) as tmp:
            source, built = os.path.join(tmp, "fleet.c"), os.path.join(tmp, "f.so")
            with open(source, "w") as fh:
                fh.write(_C_SOURCE)
            command = [compiler, *_C_FLAGS, "-fPIC", "-shared", source, "-o", built]
            subprocess.run(
                [*command, "-lm"], check=True, capture_output=True, timeout=120
            )
            os.chmod(built, 0o700)
            os.replace(built, path)  # atomic: concurrent fits see all or nothing
    _check_private(path)
    lib = ctypes.CDLL(path)
    pointer, size = ctypes.c_void_p, ctypes.c_int64
    lib.wave_forward.argtypes = [pointer] * 7 + [size] * 4
    lib.wave_backward.argtypes = [pointer] * 6 + [size] * 3
    lib.wave_forward.restype = lib.wave_backward.restype = None
    return lib


def _native_forward(ws: _Workspace, tau: int) -> None:
    """:func:`_wave_forward` with the elementwise work in one native pass."""
    v = ws.steps[tau]
    torch.bmm(ws.w, v["xh"], out=v["s"])
    c2, c2_prev = ws.c2[tau % 2], ws.c2[(tau + 1) % 2]
    if tau == 0:
        c2_prev = ws.cell0  # zero: the first wave's f c_{t-1} and p_f vanish
    n, u, batch = c2.shape
    ws.kernels.wave_forward(
        *(t.data_ptr() for t in (v["s"], c2_prev, v["p"], v["h_next"])),
        *(t.data_ptr() for t in (v["oq"], v["f"], c2)),
        n,
        u,
        batch,
        ws.rows * batch,
    )
    for part in v["zeroed"]:  # dead cells: no output, no gradient
        part.zero_()
    for a, b in v["dead"]:
        c2[:, a:b] = 0.0  # a layer starts from a zero cell


def _native_backward(ws: _Workspace, tau: int, dh, need_dh: bool) -> None:
    """:func:`_wave_backward` with the elementwise work in one native pass."""
    v = ws.steps[tau]
    n, u, batch = ws.dc.shape
    pointers = (dh, v["oq"], v["p"], v["f"], ws.dc, ws.dz)
    ws.kernels.wave_backward(*(t.data_ptr() for t in pointers), n, u, batch)
    if need_dh:
        torch.bmm(ws.wt, ws.dz, out=ws.g)
    ws.dw_t.baddbmm_(v["xh"], ws.dz_rows)


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
    (one batched matrix product per time step) and the backward pass is
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
    LSTM cells only (no GRU, bidirectional layers or dropout). In training, the
    gates' and the cell's ``tanh`` are computed as ``2 sigmoid(2 x) - 1`` and the
    gates' sigmoid as ``1 / (1 + 2^(-log2(e) x))``: the same functions, a
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
    if (
        not isinstance(module, RecurrentModule)
        or not all(
            isinstance(layer, nn.LSTM) and not layer.bidirectional
            for layer in module.layers
        )
        or module.residual
        or module.layer_norm
    ):
        raise ValueError(
            "RecurrentFleetModule holds LSTM RecurrentModules (cell='lstm', not "
            f"bidirectional, no residual or layer_norm); got {module!r}."
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
