"""The lab's outputs: ``metrics.json``, ``report.md`` and the printed summary."""

from __future__ import annotations

import json
import os

import numpy as np
import pandas as pd


def jsonable(value):
    """``value`` with numpy numbers, timestamps and paths as JSON types."""
    if isinstance(value, dict):
        return {str(k): jsonable(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [jsonable(v) for v in value]
    if isinstance(value, (np.integer,)):
        return int(value)
    if isinstance(value, (np.floating, float)):
        return None if not np.isfinite(value) else float(value)
    if isinstance(value, (pd.Timestamp,)):
        return value.isoformat()
    if isinstance(value, os.PathLike):
        return os.fspath(value)
    return value


def write_outputs(run, elapsed_s: float) -> dict:
    """Write ``metrics.json`` and ``report.md``, print the summary; the results."""
    run.results["artefacts"] = run.artefacts
    run.results["elapsed_s"] = elapsed_s
    results = jsonable(run.results)
    (run.out / "metrics.json").write_text(json.dumps(results, indent=2))
    (run.out / "report.md").write_text(report_md(results))
    config = run.config
    table = pd.DataFrame(results["metrics"]).T
    table = table[["mse", "rmse", "mae", "r2", "mse_units", "rmse_units", "mae_units"]]
    table["mse_vs_naive"] = table["mse"] / table.loc["seasonal_naive", "mse"]
    costs = results["provisioning"]["costs"]
    run.log(
        "\nSummary: test set, scaled target (MSE, RMSE, MAE, R²) and original units"
    )
    run.log(table.round(4).to_string())
    run.log(
        f"provisioning cost per hour ({config.alpha:g}:{config.beta:g}, Gbit/s): "
        + ", ".join(f"{n} {c['cost']:.4f}" for n, c in costs.items())
    )
    plots = len(run.artefacts) - 1  # all but forecasts.csv
    run.log(
        f"saved under {run.out}/: metrics.json, report.md, forecasts.csv"
        + (f" and {plots} PNG plots" if run.plt is not None else "")
    )
    run.log(f"done in {results['elapsed_s']:.1f} s")
    return results


def table_md(frame: pd.DataFrame, floatfmt="{:.4g}") -> str:
    """Return a Markdown table of ``frame``, its index as the first column."""
    cols = [frame.index.name or ""] + [str(c) for c in frame.columns]
    lines = ["| " + " | ".join(cols) + " |", "|" + " --- |" * len(cols)]
    for idx, row in frame.iterrows():
        cells = [
            floatfmt.format(v) if isinstance(v, (float, np.floating)) else str(v)
            for v in row
        ]
        lines.append("| " + " | ".join([str(idx), *cells]) + " |")
    return "\n".join(lines)


def _frame(table: dict, index: str) -> pd.DataFrame:
    return pd.DataFrame(table).T.rename_axis(index)


def report_md(results: dict) -> str:
    """``report.md``: the results' tables and pictures, task by task."""
    cfg = results["config"]
    art = results["artefacts"]

    def image(key, caption):
        return f"![{caption}]({art[key]})\n" if key in art else ""

    prov = results["provisioning"]
    models = _frame(results["models"], "model")
    models = models[["n_params", "epochs", "train_time_s", "train_mse"]]
    parts = [
        "# The Milano traffic-prediction lab\n",
        f"Cell {cfg['cell']}, {cfg['traffic']}, {cfg['days']} days from 2013-11-01 "
        f"({results['data']['source']}); the last {cfg['test_days']} days are the "
        f"test set; seed {cfg['seed']}.\n",
        "## 1. Data\n",
        image("traces_week", "traces"),
        "## 2. Features and split\n",
        table_md(_frame(results["features"], "feature")) + "\n",
        "\nSplits (shapes; the MLP's first week has no previous week):\n\n",
        "\n".join(f"- {k}: `{v}`" for k, v in results["splits"].items()) + "\n",
        "## 3-4. Models\n",
        table_md(models) + "\n",
        image("mlp_structure", "MLP"),
        image("lstm_structure", "LSTM"),
        image("training_curves", "training curves"),
        "## 5-6. Test metrics (scaled target; `_units`: original units)\n",
        table_md(_frame(results["metrics"], "model")) + "\n",
        "\nThe same networks on unscaled data (task 4d):\n\n",
        table_md(_frame(results["metrics_unscaled"], "model")) + "\n",
        "## 7. Forecasts\n",
        image("forecasts", "forecasts"),
        "## 8. Provisioning\n",
        f"Gbit/s factor {prov['factor_gbit_per_unit']:.4g} per activity unit; "
        f"alpha {prov['alpha']:g}, beta {prov['beta']:g}, step {prov['step']}.\n\n",
        table_md(_frame(prov["costs"], "forecast")) + "\n\n",
        table_md(_frame(prov["report"], "allocation")) + "\n",
        image("cost_surface", "cost surface"),
        image("capacity", "capacity"),
        image("report", "report"),
    ]
    if results["grid_search"]:
        grid = pd.DataFrame(results["grid_search"]["candidates"]).set_index("lookback")
        parts += ["## 8. Grid search by provisioning cost\n", table_md(grid) + "\n"]
    return "\n".join(parts)
