"""The closed-form linear path: a ridge regression on the model's own inputs.

``linear_path='ridge'`` fits, before the network trains, a ridge regression of
the normalised targets on the flattened normalised windows (what the network
reads), with the penalty chosen by generalised cross-validation (Golub, Heath
and Wahba, 1979) over a grid relative to the inputs' mean eigenvalue. It works
from the sufficient statistics only (``X'X``, ``X'y``, sums), accumulated over
chunks of rows: lazy windows of a whole city are gathered a chunk at a time,
never all at once, and the dense and lazy routes give the same coefficients.
The intercept is not penalised (the inputs are centred first), as in
scikit-learn's ``Ridge``.
"""

from __future__ import annotations

import numpy as np
import torch

__all__ = ["ridge_path"]

# penalties tried, as multiples of the centred Gram matrix's mean eigenvalue
_RELATIVE_ALPHAS = np.logspace(-9, 1, 21)
_CHUNK = 4096


def _chunks(data, targets, n_rows: int, n_outputs=None):
    """Yield float64 ``(X, y)`` chunks of the first ``n_rows`` training rows.

    ``n_outputs``: the target columns to keep (a dataset's batches may carry
    more, such as the capacity steps of ``RowStepProvisioningLoss``).
    """
    for start in range(0, n_rows, _CHUNK):
        stop = min(start + _CHUNK, n_rows)
        if targets is None:  # lazy windows: gathered by the dataset
            X, y = data.batch(np.arange(start, stop))
            X = X["X"] if isinstance(X, dict) else X
            X, y = X.cpu().numpy(), y.cpu().numpy()
        else:
            X, y = data[start:stop], targets[start:stop]
        yield (
            np.asarray(X, np.float64).reshape(stop - start, -1),
            np.asarray(y, np.float64).reshape(stop - start, -1)[:, :n_outputs],
        )


def _statistics(data, targets, n_rows: int, n_outputs=None):
    """Centred ``X'X``, ``X'y``, ``y'y`` and the means, from chunked sums."""
    n, sx, sy, xx, xy, yy = 0, 0.0, 0.0, 0.0, 0.0, 0.0
    for X, y in _chunks(data, targets, n_rows, n_outputs):
        n += len(X)
        sx = sx + X.sum(axis=0)
        sy = sy + y.sum(axis=0)
        xx = xx + X.T @ X
        xy = xy + X.T @ y
        yy = yy + (y * y).sum(axis=0)
    mx, my = sx / n, sy / n
    gram = xx - n * np.outer(mx, mx)
    cross = xy - n * np.outer(mx, my)
    total = yy - n * my * my
    return n, mx, my, (gram + gram.T) / 2, cross, total


def ridge_path(data, targets, n_rows: int, n_outputs=None):
    """Fit the linear path on the first ``n_rows`` rows; return ``(W, b, alpha)``.

    Parameters
    ----------
    data : ndarray of shape (n, ...) or WindowDataset
        The model inputs (normalised windows), or lazy windows that gather them.
    targets : ndarray of shape (n, n_outputs) or None
        The normalised targets (None: the dataset's own).
    n_rows : int
        Rows to fit on, from the first (the training rows before a validation
        tail).
    n_outputs : int or None, default=None
        Target columns to fit, from the first (None: all); the dataset's
        batches may carry more (the capacity steps).

    Returns
    -------
    weight : ndarray of shape (n_outputs, n_inputs)
    bias : ndarray of shape (n_outputs,)
    alpha : ndarray of shape (n_outputs,)
        The penalty of each output, chosen by generalised cross-validation, in
        the units of the centred inputs' squares.
    """
    n, mx, my, gram, cross, total = _statistics(data, targets, n_rows, n_outputs)
    s, V = np.linalg.eigh(gram)
    # directions the training rows do not span (more inputs than rows, constant
    # columns such as a centred window's last step) carry no signal: drop them
    keep = s > max(float(s.max()), 0.0) * len(s) * np.finfo(float).eps
    s, V = s[keep], V[:, keep]
    Z = V.T @ cross  # the targets' covariances in the eigenbasis
    scale = max(float(s.mean()) if len(s) else 0.0, np.finfo(float).tiny)
    alphas = _RELATIVE_ALPHAS * scale
    # the least-squares residual, then each penalty's extra residual: formed
    # without the cancellation of expanding the whole sum of squares
    floor = np.clip(total - (Z**2 / s[:, None]).sum(axis=0), 0.0, None)
    scores = np.full((len(alphas), Z.shape[1]), np.inf)
    for i, alpha in enumerate(alphas):
        shrunk = (alpha / (s + alpha)) ** 2 / s
        rss = floor + (shrunk[:, None] * Z**2).sum(axis=0)
        # n - dof, dof = sum s / (s + alpha) + 1 (the intercept), without the
        # cancellation of n - dof when the rows barely outnumber the inputs
        gap = (n - 1 - len(s)) + float((alpha / (s + alpha)).sum())
        if gap > 1e-8 * n:
            scores[i] = n * rss / gap**2
    # one penalty per output (scikit-learn's alpha_per_target): the steps of a
    # horizon need different amounts of shrinkage; the largest when none fits
    best = np.where(np.isfinite(scores).any(axis=0), scores.argmin(axis=0), -1)
    alpha = alphas[best]
    coef = V @ (Z / (s[:, None] + alpha[None, :]))  # (n_inputs, n_outputs)
    bias = my - mx @ coef
    return coef.T, bias, alpha


def set_ridge_path(module: torch.nn.Module, weight, bias) -> None:
    """Copy the fitted coefficients into the module's ``FittedLinearPath``."""
    from lstmforecast.nn import FittedLinearPath

    for part in module.modules():
        if isinstance(part, FittedLinearPath):
            part.set_linear(torch.as_tensor(weight), torch.as_tensor(bias))
            return
    raise RuntimeError("linear_path='ridge' built no FittedLinearPath")  # a bug
