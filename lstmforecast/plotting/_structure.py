"""A picture of a fitted network: its layers, output shapes and parameter counts."""

from __future__ import annotations

from lstmforecast.plotting._traces import _check_matplotlib

__all__ = ["NetworkDisplay"]


class NetworkDisplay:
    """The layers of a fitted network as a column of boxes, input at the top.

    Parameters
    ----------
    layers : list of tuple
        ``(name, type, output_shape, n_params)`` per layer, as returned by the
        regressors' ``layers()``.
    input_shape : tuple of int
        Shape of one input row.
    title : str, default='network'
        Figure title.

    Attributes
    ----------
    figure_ : matplotlib.figure.Figure
        The figure, after :meth:`plot`.
    ax_ : matplotlib.axes.Axes
        The axes.
    boxes_ : list of matplotlib.text.Text
        One box per layer, the input first.

    Examples
    --------
    >>> import matplotlib
    >>> matplotlib.use("Agg")
    >>> import numpy as np
    >>> from lstmforecast.plotting import NetworkDisplay
    >>> from lstmforecast.regressors import LSTMRegressor
    >>> X = np.random.default_rng(0).random((64, 12))
    >>> model = LSTMRegressor((7, 3), max_epochs=1, random_state=0).fit(X, X[:, -1])
    >>> display = NetworkDisplay.from_estimator(model)
    >>> [box.get_text().splitlines()[0] for box in display.boxes_]
    ['input', 'layers.0: LSTM', 'layers.1: LSTM', 'head: Linear']
    >>> dropped = LSTMRegressor((7, 3), dropout=0.2, max_epochs=1, random_state=0)
    >>> display = NetworkDisplay.from_estimator(dropped.fit(X, X[:, -1]))
    >>> [box.get_text().splitlines()[0] for box in display.boxes_]
    ['input', 'layers.0: LSTM', 'dropout: Dropout', 'layers.1: LSTM', 'head: Linear']
    """

    def __init__(self, layers, input_shape, *, title="network"):
        self.layers = layers
        self.input_shape = input_shape
        self.title = title

    @classmethod
    def from_estimator(cls, estimator, *, title=None, ax=None):
        """Draw a fitted :class:`LSTMRegressor` or :class:`MLPRegressor`.

        Parameters
        ----------
        estimator : LSTMRegressor or MLPRegressor
            Fitted regressor.
        title : str or None, default=None
            Figure title; None names the estimator and its parameter count.
        ax : matplotlib Axes or None, default=None
            Axes to draw on; None makes a new figure.

        Returns
        -------
        display : NetworkDisplay
            The drawn display.
        """
        if not hasattr(estimator, "layers") or not hasattr(estimator, "net_"):
            raise ValueError(
                "NetworkDisplay.from_estimator needs a fitted LSTMRegressor or "
                f"MLPRegressor; got {type(estimator).__name__} (fit it first)."
            )
        layers = estimator.layers()
        if title is None:
            title = f"{type(estimator).__name__}: {estimator.n_params_:,} parameters"
        return cls(layers, estimator.input_shape_, title=title).plot(ax=ax)

    def plot(self, ax=None):
        """Draw the boxes and the arrows between them.

        Parameters
        ----------
        ax : matplotlib Axes or None, default=None
            Axes to draw on; None makes a new figure.

        Returns
        -------
        self : NetworkDisplay
            With ``figure_``, ``ax_`` and ``boxes_`` set.
        """
        plt = _check_matplotlib()
        rows = [("input", "", tuple(self.input_shape), None), *self.layers]
        if ax is None:
            _, ax = plt.subplots(figsize=(4.2, 1.1 * len(rows) + 0.6))
        ax.set_axis_off()
        ax.set_xlim(0, 1)
        ax.set_ylim(-0.5, len(rows) - 0.5)
        self.boxes_ = []
        for i, (name, kind, shape, n_params) in enumerate(rows):
            y = len(rows) - 1 - i
            first = f"{name}: {kind}" if kind else name
            second = f"output {tuple(shape)}"
            if n_params is not None:
                second += f", {n_params:,} params"
            box = ax.text(
                0.5, y, f"{first}\n{second}", ha="center", va="center", fontsize=9,
                bbox={"boxstyle": "round,pad=0.5", "fc": "C0" if kind else "0.85",
                      "alpha": 0.25 if kind else 1.0, "ec": "0.3"},
            )  # fmt: skip
            self.boxes_.append(box)
            if i:
                ax.annotate(
                    "", xy=(0.5, y + 0.28), xytext=(0.5, y + 0.72),
                    arrowprops={"arrowstyle": "->", "color": "0.3"},
                )  # fmt: skip
        ax.set_title(self.title, fontsize=10)
        self.ax_ = ax
        self.figure_ = ax.figure
        return self
