"""Attention of a sequence-to-sequence forecast: forecast step against window step."""

from __future__ import annotations

import numbers

import numpy as np

from lstmforecast.plotting._traces import _check_matplotlib

__all__ = ["AttentionDisplay"]


def _row_weights(weights, row) -> np.ndarray:
    """Return the ``(H, lookback)`` weights of ``row`` of 2-D or 3-D ``weights``."""
    weights = np.asarray(weights, dtype=float)
    if weights.ndim == 2:
        return weights
    if weights.ndim != 3:
        raise ValueError(
            "'weights' must be (n_outputs, lookback) or (n_samples, n_outputs, "
            f"lookback) attention weights; got an array of shape {weights.shape}."
        )
    if not isinstance(row, numbers.Integral) or not 0 <= row < len(weights):
        raise ValueError(
            f"The 'row' parameter must be an int in [0, {len(weights) - 1}] (the "
            f"weights have {len(weights)} rows). Got {row!r} instead."
        )
    return weights[row]


class AttentionDisplay:
    """Heat map of one row's attention weights: forecast step x window step.

    Row ``h`` of the map is how forecast step ``h`` (``h1`` the row's own
    hour) spreads its attention over the window; column ``j`` is the window
    step ``lookback - j`` hours before the first forecast hour (the window
    ends one step before it). Build it with :meth:`from_estimator` (a fitted
    :class:`~lstmforecast.regressors.Seq2SeqRegressor`, or a Pipeline ending
    in one) or :meth:`from_weights`.

    Parameters
    ----------
    weights : array-like of shape (n_outputs, lookback)
        One row's attention weights.
    row : int or None, default=None
        The row they belong to, for the title.

    Attributes
    ----------
    figure_ : matplotlib.figure.Figure
        The figure, after :meth:`plot`.
    ax_ : matplotlib.axes.Axes
        The heat map's axes.
    image_ : matplotlib.image.AxesImage
        The heat map (``image_.get_array()`` is ``weights``).
    colorbar_ : matplotlib.colorbar.Colorbar
        Its colour bar.
    title_ : str
        The title.

    See Also
    --------
    lstmforecast.regressors.Seq2SeqRegressor : Its ``attention_weights_``.

    Examples
    --------
    >>> import matplotlib
    >>> matplotlib.use("Agg")
    >>> import numpy as np
    >>> from lstmforecast.plotting import AttentionDisplay
    >>> weights = np.full((2, 3, 4), 0.25)  # 2 rows, 3 steps, 4-step windows
    >>> display = AttentionDisplay.from_weights(weights, row=1)
    >>> display.image_.get_array().shape
    (3, 4)
    >>> print(display.title_)
    Attention weights of row 1 (3 forecast steps x 4 window steps)
    """

    def __init__(self, weights, *, row=None):
        self.weights = weights
        self.row = row

    @classmethod
    def from_weights(cls, weights, *, row=0, ax=None):
        """Draw one row of attention weights.

        Parameters
        ----------
        weights : array-like of shape (n_samples, n_outputs, lookback) or \
(n_outputs, lookback)
            Attention weights, such as ``attention_weights_``.
        row : int, default=0
            The row to draw (of 3-D ``weights``).
        ax : matplotlib Axes or None, default=None
            Axes to draw on; None makes a new figure.

        Returns
        -------
        display : AttentionDisplay
            The drawn display.
        """
        one = _row_weights(weights, row)
        shown = row if np.ndim(weights) == 3 else None
        return cls(one, row=shown).plot(ax=ax)

    @classmethod
    def from_estimator(cls, estimator, X=None, *, row=0, ax=None):
        """Draw the attention of a fitted seq2seq regressor for one row.

        Parameters
        ----------
        estimator : Seq2SeqRegressor or Pipeline ending in one
            Fitted, with ``attention`` set.
        X : array-like or None, default=None
            Rows to predict first (what ``estimator.predict`` takes); None draws
            the weights of the estimator's last ``predict`` call.
        row : int, default=0
            The row of that call to draw.
        ax : matplotlib Axes or None, default=None
            Axes to draw on; None makes a new figure.

        Returns
        -------
        display : AttentionDisplay
            The drawn display.
        """
        if X is not None:
            estimator.predict(X)
        final = estimator[-1] if hasattr(estimator, "steps") else estimator
        weights = getattr(final, "attention_weights_", None)
        if weights is None:
            raise ValueError(
                f"{type(final).__name__} has no attention weights to draw: fit a "
                "Seq2SeqRegressor with attention='bahdanau' or 'luong' and call "
                "predict (or pass X)."
            )
        return cls.from_weights(weights, row=row, ax=ax)

    def plot(self, ax=None):
        """Draw the heat map.

        Parameters
        ----------
        ax : matplotlib Axes or None, default=None
            Axes to draw on; None makes a new figure.

        Returns
        -------
        self : AttentionDisplay
            With ``figure_``, ``ax_``, ``image_``, ``colorbar_`` and ``title_``.
        """
        plt = _check_matplotlib()
        weights = _row_weights(self.weights, None)
        steps, lookback = weights.shape
        if ax is None:
            _, ax = plt.subplots(figsize=(min(12, 3 + 0.25 * lookback), 4))
        self.image_ = ax.imshow(weights, aspect="auto", cmap="viridis", vmin=0)
        self.colorbar_ = ax.figure.colorbar(self.image_, ax=ax)
        self.colorbar_.set_label("attention weight")
        ticks = np.unique(np.linspace(0, lookback - 1, min(lookback, 8)).astype(int))
        ax.set_xticks(ticks, [str(lookback - j) for j in ticks])
        rows = np.unique(np.linspace(0, steps - 1, min(steps, 12)).astype(int))
        ax.set_yticks(rows, [f"h{h + 1}" for h in rows])
        ax.set_xlabel("window step (steps before the first forecast step)")
        ax.set_ylabel("forecast step")
        of = "" if self.row is None else f" of row {self.row}"
        self.title_ = (
            f"Attention weights{of} ({steps} forecast steps x {lookback} window steps)"
        )
        ax.set_title(self.title_)
        self.ax_, self.figure_ = ax, ax.figure
        return self
