"""``run_lab``: the lab's tasks 1-8 in order, and the state of one run."""

from __future__ import annotations

import dataclasses
import time
from pathlib import Path

from lstmforecast.datasets import BUNDLED_CELLS
from lstmforecast.lab import _tasks
from lstmforecast.lab._config import LabConfig, resolve_config, results_config
from lstmforecast.lab._report import write_outputs

__all__ = ["run_lab"]


class _LabRun:
    """One run: its config, output folder, log, pyplot (or None) and results."""

    def __init__(self, config: LabConfig):
        if config.trace_cells is None:
            bundled = config.data_dir is None
            trace = sorted({config.cell, *BUNDLED_CELLS}) if bundled else [config.cell]
            config = dataclasses.replace(config, trace_cells=tuple(trace))
        self.config = config
        self.verbose = config.verbose
        self.out = _output_dir(config.output_dir)
        self.results = {"config": results_config(config)}
        self.artefacts = {}
        self.plt = self._pyplot()

    def log(self, message=""):
        if self.verbose:
            print(message, flush=True)

    def _pyplot(self):
        try:
            import matplotlib

            matplotlib.use("Agg")
            import matplotlib.pyplot as plt
        except ImportError:  # pragma: no cover - plots need the [plot] extra
            self.log(
                "  matplotlib is not installed: no plots "
                "(pip install 'lstmforecast[plot]')"
            )
            return None
        return plt

    def save(self, fig, name: str) -> None:
        """Save ``fig`` as ``name`` in the output folder; list it in the artefacts."""
        fig.savefig(self.out / name, dpi=100, bbox_inches="tight")
        self.plt.close(fig)
        self.artefacts[name.rsplit(".", 1)[0]] = name


def _output_dir(path) -> Path:
    out = Path(path)
    try:
        out.mkdir(parents=True, exist_ok=True)
        probe = out / ".lstmforecast-write-test"
        probe.write_text("")
        probe.unlink()
    except OSError as exc:
        raise ValueError(
            f"output_dir: cannot write to {str(out)!r} ({exc.strerror or exc}); "
            "choose a folder you can write to."
        ) from None
    return out


def run_lab(config=None, **overrides):
    """Run the Milano traffic-prediction lab (tasks 1-8) and save its artefacts.

    Task 1: hourly traffic of the cells (trace plot of Mon 2 - Sun 8 Dec 2013).
    Task 2: the MLP's five features (day of week, hour, working day, same hour
    of the previous day and week), raw and scaled ranges, the train / test split.
    Task 3: ``MLPRegressor((15, 10, 5), activation="sigmoid")``. Task 4:
    ``LSTMRegressor((7, 3), center="last")`` on windows of the previous
    ``lookback`` hours. Task 5-6: test MSE, RMSE, MAE and R² (scaled and in
    original units) side by side with the seasonal naive, and the same models
    trained on unscaled data (the lab's task 4d). Task 7: forecast plots. Task 8: Gbit/s
    units (the cell's busiest hour of the period is 1 Gbit/s), provisioning cost,
    cost surface over ``alphas x betas``, the energy report, and a
    ``GridSearchCV(TimeSeriesSplit)`` over lookback and loss scored by the cost.
    The data, split, networks and scores are those of :func:`run_protocol`.

    Parameters
    ----------
    config : LabConfig or None, default=None
        The lab's parameters; None uses the defaults.
    **overrides
        Fields of :class:`LabConfig` to change (``cell=4159``, ``lstm_epochs=5``,
        ``output_dir=...``): ``run_lab(cell=4159)`` is
        ``run_lab(LabConfig(cell=4159))``.

    Returns
    -------
    results : dict
        What ``metrics.json`` holds: ``config`` (the config's fields, less
        ``output_dir`` and ``verbose``), ``data``, ``features``, ``splits``,
        ``models``, ``metrics``, ``metrics_unscaled``, ``provisioning``,
        ``grid_search``, ``artefacts``, ``elapsed_s``.

    See Also
    --------
    LabConfig : Every parameter, its default and its check.

    Examples
    --------
    >>> import tempfile
    >>> from lstmforecast.lab import run_lab
    >>> results = run_lab(days=20, test_days=3, lstm_epochs=2, mlp_epochs=2,
    ...                   grid=False, output_dir=tempfile.mkdtemp(), verbose=0)
    >>> sorted(results["metrics"])
    ['lstm', 'mlp', 'seasonal_naive']
    """
    t_start = time.perf_counter()
    run = _LabRun(resolve_config(config, overrides))
    series = _tasks.task_1_data(run)
    split = _tasks.task_2_features(run, series)
    mlp, mlp_forecast = _tasks.task_3_mlp(run, split)
    lstm, lstm_forecast = _tasks.task_4_lstm(run, split)
    forecasts = {
        "mlp": mlp_forecast,
        "lstm": lstm_forecast,
        "seasonal_naive": split.naive(),
    }
    _tasks.task_5_6_metrics(run, split, forecasts)
    _tasks.task_4d_unscaled(run, split)
    in_units = _tasks.task_7_forecasts(
        run, split, forecasts, {"mlp": mlp, "lstm": lstm}
    )
    _tasks.task_8_provisioning(run, split, in_units)
    _tasks.task_8_grid_search(run, split)
    return write_outputs(run, time.perf_counter() - t_start)
