"""A light progress line every few epochs (a skorch callback)."""

from __future__ import annotations

import sys
import time

from skorch.callbacks import Callback

__all__ = ["EpochProgress"]


class EpochProgress(Callback):
    """Print one line every ``every`` epochs: epoch, losses, elapsed time.

    Pass it in ``callbacks=`` of :class:`LSTMRegressor` / :class:`MLPRegressor`.
    It only acts at the end of epochs, so the regressors keep their lean training
    loop (no per-batch bookkeeping) with it, unlike skorch's ``PrintLog`` or
    ``ProgressBar``.

    Parameters
    ----------
    every : int, default=10
        Print every ``every`` epochs, and after the last one.
    name : str, default='model'
        Label at the start of each line.
    stream : file-like or None, default=None
        Where to write; None is ``sys.stdout`` at print time.

    Examples
    --------
    >>> import numpy as np
    >>> from lstmforecast.regressors import EpochProgress, MLPRegressor
    >>> X = np.linspace(0, 1, 64).reshape(-1, 1)
    >>> model = MLPRegressor((4,), max_epochs=4, random_state=0,
    ...                      callbacks=[EpochProgress(every=2, name="mlp")])
    >>> model.fit(X, X.ravel())  # doctest: +ELLIPSIS
    mlp epoch 2/4: train_loss ... (... s)
    mlp epoch 4/4: train_loss ... (... s)
    MLPRegressor(...)
    """

    epoch_level = True  # no batch hooks: the lean training loop stays on

    def __init__(self, every=10, name="model", stream=None):
        self.every = every
        self.name = name
        self.stream = stream

    def initialize(self):
        """Reset the clock; called by skorch when the net is (re)initialised.

        Returns
        -------
        self : EpochProgress
            The callback.
        """
        if not isinstance(self.every, int) or self.every < 1:
            raise ValueError(
                f"EpochProgress(every={self.every!r}): 'every' must be an int >= 1."
            )
        self._start = time.perf_counter()
        return self

    def on_epoch_end(self, net, **kwargs):
        """Print the line when the epoch count is a multiple of ``every``.

        Parameters
        ----------
        net : skorch.NeuralNet
            The net being trained.
        **kwargs
            skorch's callback arguments (unused).
        """
        epoch = len(net.history)
        if epoch % self.every and epoch != net.max_epochs:
            return
        row = net.history[-1]
        keys = [key for key in ("train_loss", "valid_loss") if key in row]
        losses = ", ".join(f"{key} {row[key]:.4g}" for key in keys)
        elapsed = time.perf_counter() - self._start
        stream = self.stream or sys.stdout
        print(
            f"{self.name} epoch {epoch}/{net.max_epochs}: {losses} ({elapsed:.1f} s)",
            file=stream,
            flush=True,
        )
