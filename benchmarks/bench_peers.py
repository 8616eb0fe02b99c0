r"""The library's recommended configurations against the peers, on the bundled cells.

What it measures
----------------
The three bundled real cells (4159, 4556, 5161; hourly internet, 1 Nov - 31 Dec
2013, ``lstmforecast.lab.lab_series``), each in Gbit/s with the cell's busiest
training hour at 1 Gbit/s (``scale_to_peak`` on the training hours: no test hour
sets the unit; on these cells it is also the busiest hour of the period). The
test is the last 240 hours (22 - 31 December). Every model is fitted **once**
per cell and seed on the training hours, then forecasts each test hour **one
step ahead with the history carried over** (rolling origin, no refit: the
forecast of hour t reads the true values up to t - 1). The models:

- **library**: every entry of ``benchmarks/_recommended.py: RECOMMENDED``
  (fitted on ``(train_frame, train_frame.iloc[:, 0])``, predicting the test frame
  that continues it), and the lab's MLP on its five calendar and lag features
  (``lstmforecast.lab``'s ``mlp``: ``(15, 10, 5)``, sigmoid, the lab's 500
  epochs, inputs scaled on the training hours);
- **baselines**: the seasonal naives of 24 h and 168 h
  (``SlidingWindow(season)`` + ``SeasonalNaiveRegressor(season)``), and, as a
  **reference** outside the targets, the naive of the last hour (season 1);
- **peers** (each skipped, with the reason printed, when it is not installed;
  ``pip install -e '.[peers]'`` installs them):

  - neuralforecast ``LSTM`` and ``NHITS``: ``h=1, input_size=168``, ``loss=MSE()``
    (the library's networks train squared error too), ``scaler_type="robust"``
    (their default), ``max_steps=--nf-steps`` (250; their default is 1,000)
    batches of 128 windows: 32,000 windows, the budget of the recommended LSTM
    (30 epochs of about 1,056 windows), the rest their defaults
    (LSTM: 2 x 128 encoder, 2 x 128 decoder; NHITS: 3 stacks of 512-unit MLPs),
    ``random_seed`` = the seed; ``NeuralForecast.cross_validation(n_windows=240,
    step_size=1, refit=False)``;
  - darts ``BlockRNNModel(model="LSTM", input_chunk_length=168,
    output_chunk_length=1)``, hidden 25, one layer (its defaults), batch 32,
    ``n_epochs=--darts-epochs`` (100, its default; 3,300 batches),
    ``random_state`` = the seed, on the series scaled by darts' ``Scaler``
    (min-max) fitted on the training hours; ``historical_forecasts(retrain=False,
    forecast_horizon=1, stride=1)``;
  - statsforecast ``MSTL(season_length=[24, 168])`` (trend: its default AutoETS)
    and ``AutoETS(season_length=24)`` (automatic model choice);
    ``StatsForecast.cross_validation(h=1, step_size=1, n_windows=240,
    refit=False)`` (fit once, then ``forward`` on the history of each origin);
  - skforecast ``ForecasterRecursive(Ridge(), lags=168)`` and
    ``ForecasterRecursive(LGBMRegressor(verbose=-1, n_jobs=1), lags=168)``
    (their defaults otherwise); ``backtesting_forecaster`` with
    ``TimeSeriesFold(steps=1, initial_train_size=n_train, refit=False)``.

Each peer's settings are its defaults but for the inputs (168 hours), the
horizon (1), the loss (squared error) and the training budget, so none is tuned
for or against these cells. The networks run for seeds 0, 1, 2 (``--seeds``);
the deterministic models (statsforecast, skforecast, the naives) once. Scores on
the 240 test hours, median over seeds: MSE, MAE, RMSE, R² (Gbit/s); the
provisioning cost (capacity = the forecast rounded up to ``--step`` Gbit/s
steps, 0.05 by default; alpha:beta = 1:10, ``provisioning_cost``) divided by the
oracle's (the true demand rounded up to the same steps); energy as a share of
the static peak allocation and the acceptance (served / offered traffic), both
from ``provisioning_report``; and ``fit_s``, the wall seconds of the fit plus
the 240 one-step forecasts (the peers' backtesting calls do both at once, so
every model is timed the same way).

One markdown table per cell, then the issue's targets per library
configuration: on each cell, test MSE and cost below every peer and baseline,
cost <= 0.8 x the best peer's, cost <= 1.5 x the oracle's. Every library (torch,
BLAS, OpenMP, LightGBM) runs on one thread; the load average is printed beside
the timings.

How to run
----------
From the repository root, in an environment with the peers
(``pip install -e '.[peers]'``)::

    nice -n 10 python benchmarks/bench_peers.py --out peers      # 30-40 minutes
    python benchmarks/bench_peers.py --quick                     # about a minute
    python benchmarks/bench_peers.py --from-csv peers.csv        # re-render only

``--out PATH`` writes ``PATH.md`` (the tables and the targets) and ``PATH.csv``.
``--quick``: one seed, one cell, tiny budgets (1 epoch, 5 steps, MSTL on the
daily season only): a smoke run. ``--models WORD ...`` keeps the models whose
names contain one of the words.
"""

# no "from __future__ import annotations": the tests load this file as a module
# that is not in sys.modules, where dataclasses cannot resolve string annotations
import os

for _name in ("OMP_NUM_THREADS", "MKL_NUM_THREADS", "OPENBLAS_NUM_THREADS"):
    os.environ.setdefault(_name, "1")

import argparse  # noqa: E402
import importlib  # noqa: E402
import logging  # noqa: E402
import time  # noqa: E402
import warnings  # noqa: E402
from dataclasses import dataclass, field  # noqa: E402
from pathlib import Path  # noqa: E402

import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402
from _machine import load_average, machine_line  # noqa: E402
from _recommended import RECOMMENDED  # noqa: E402

COST = {"alpha": 1.0, "beta": 10.0}
N_TEST = 240
SEASON_WEEK = 168

#: peer -> the modules it needs (each imported before the peer's rows run)
PEER_MODULES = {
    "neuralforecast": ("neuralforecast",),
    "darts": ("darts",),
    "statsforecast": ("statsforecast",),
    "skforecast": ("skforecast", "lightgbm"),
}

COLUMNS = [
    "group",
    "runs",
    "mse",
    "mae",
    "rmse",
    "r2",
    "cost",
    "cost_vs_oracle",
    "energy_vs_peak",
    "acceptance",
    "fit_s",
]

FULL = {
    "lib_epochs": None,
    "mlp_epochs": None,
    "nf_steps": 250,
    "darts_epochs": 100,
    "mstl_seasons": (24, SEASON_WEEK),
}
QUICK = {
    "lib_epochs": 1,
    "mlp_epochs": 5,
    "nf_steps": 5,
    "darts_epochs": 1,
    "mstl_seasons": (24,),  # the weekly season's decompositions take a minute
}


@dataclass
class Model:
    """One row of the tables: how to forecast the test hours of a cell."""

    name: str
    group: str  # library, baseline or peer
    run: object  # run(series, n_test, seed, budget) -> forecasts of the test hours
    peer: str | None = None  # key of PEER_MODULES
    stochastic: bool = True
    extra: dict = field(default_factory=dict)


# --------------------------------------------------------------------------- data


def cell_series(cell) -> pd.Series:
    """Return the cell's hourly internet traffic in Gbit/s.

    The unit is set by the training hours alone (all but the last ``N_TEST``):
    their busiest hour is 1 Gbit/s, so no test hour informs the scale. On the
    three bundled cells that hour (19 Nov, 9 Nov, 1 Dec) is also the busiest
    of the whole period, so the numbers equal the whole-period scale's.
    """
    from lstmforecast.lab import lab_series
    from lstmforecast.metrics import scale_to_peak

    series = lab_series(cell=cell)
    factor, _ = scale_to_peak(series.to_numpy()[:-N_TEST], peak=1.0)
    gbps = series.to_numpy() * factor
    # 1 Nov - 31 Dec 2013 has no daylight-saving change: the wall-clock hours are
    # regular, and the peers want naive timestamps
    index = pd.DatetimeIndex(series.index.tz_localize(None), freq="h")
    return pd.Series(gbps, index=index, name="y")


# ------------------------------------------------------------------------ library


def library_model(make):
    def run(series, n_test, seed, budget):
        frame = series.to_frame("internet")
        train, test = frame.iloc[:-n_test], frame.iloc[-n_test:]
        model = make(seed, 1, budget["lib_epochs"])
        model.fit(train, train.iloc[:, 0])
        return np.asarray(model.predict(test), dtype=float).reshape(-1)

    return run


def lab_mlp(series, n_test, seed, budget):
    """Forecast with the lab's MLP on its five features (the lab's protocol)."""
    from lstmforecast.lab import LabConfig
    from lstmforecast.lab._protocol import Split, forecast

    overrides = {"seed": seed, "test_days": n_test // 24, "n_threads": 1}
    if budget["mlp_epochs"] is not None:
        overrides["mlp_epochs"] = budget["mlp_epochs"]
    config = LabConfig(**overrides).validate()
    split = Split(series, config)
    _, predicted = forecast("mlp", split, config)
    return split.to_units(predicted)


def seasonal_naive(season):
    """Forecast the value ``season`` hours earlier (``SeasonalNaiveRegressor``)."""

    def run(series, n_test, seed, budget):
        frame = series.to_frame("internet")
        train, test = frame.iloc[:-n_test], frame.iloc[-n_test:]
        model = naive_pipeline(season)
        if model is None:  # a library without the regressor: the same by hand
            return series.shift(season).iloc[-n_test:].to_numpy(dtype=float)
        model.fit(train, train.iloc[:, 0])
        return np.asarray(model.predict(test), dtype=float).reshape(-1)

    return run


def naive_pipeline(season):
    """``SlidingWindow(season)`` + ``SeasonalNaiveRegressor(season)``, or None."""
    from sklearn.pipeline import Pipeline

    from lstmforecast import regressors
    from lstmforecast.preprocessing import SlidingWindow

    if not hasattr(regressors, "SeasonalNaiveRegressor"):
        return None
    return Pipeline(
        [
            ("window", SlidingWindow(season, columns=[0])),
            ("naive", regressors.SeasonalNaiveRegressor(season=season)),
        ]
    )


# -------------------------------------------------------------------------- peers


def _long_frame(series) -> pd.DataFrame:
    return pd.DataFrame(
        {"unique_id": "cell", "ds": series.index, "y": series.to_numpy()}
    )


def _check_origins(frame, series, n_test, owner):
    """Check that the backtest forecast exactly the test hours, in order."""
    times = pd.DatetimeIndex(frame["ds"])
    if len(times) != n_test or not (times == series.index[-n_test:]).all():
        raise RuntimeError(f"{owner}: the backtest did not forecast the test hours")


def statsforecast_model(kind):
    def run(series, n_test, seed, budget):
        from statsforecast import StatsForecast
        from statsforecast.models import MSTL, AutoETS

        if kind == "MSTL":
            model = MSTL(season_length=list(budget["mstl_seasons"]))
        else:
            model = AutoETS(season_length=24)
        sf = StatsForecast(models=[model], freq="h", n_jobs=1)
        cv = sf.cross_validation(
            df=_long_frame(series), h=1, step_size=1, n_windows=n_test, refit=False
        )
        cv = cv.sort_values("ds")
        _check_origins(cv, series, n_test, kind)
        return cv[repr(model)].to_numpy(dtype=float)

    return run


def _lightning_quiet():
    for name in (
        "pytorch_lightning",
        "lightning",
        "lightning.pytorch",
        "lightning_fabric",
    ):
        logging.getLogger(name).setLevel(logging.ERROR)


_TRAINER = {
    "accelerator": "cpu",
    "devices": 1,
    "enable_progress_bar": False,
    "enable_model_summary": False,
    "enable_checkpointing": False,
    "logger": False,
}


def neuralforecast_model(kind):
    def run(series, n_test, seed, budget):
        from neuralforecast import NeuralForecast
        from neuralforecast.losses.pytorch import MSE
        from neuralforecast.models import LSTM, NHITS

        _lightning_quiet()
        cls = {"LSTM": LSTM, "NHITS": NHITS}[kind]
        model = cls(
            h=1,
            input_size=SEASON_WEEK,
            loss=MSE(),
            max_steps=budget["nf_steps"],
            scaler_type="robust",
            random_seed=seed,
            **_TRAINER,
        )
        nf = NeuralForecast(models=[model], freq="h")
        cv = nf.cross_validation(
            df=_long_frame(series), h=1, n_windows=n_test, step_size=1, refit=False
        )
        cv = cv.sort_values("ds")
        _check_origins(cv, series, n_test, kind)
        return cv[kind].to_numpy(dtype=float)

    return run


def darts_blockrnn(series, n_test, seed, budget):
    from darts import TimeSeries
    from darts.dataprocessing.transformers import Scaler
    from darts.models import BlockRNNModel

    _lightning_quiet()
    ts = TimeSeries.from_series(series.astype("float32"))
    train = ts[: len(series) - n_test]
    scaler = Scaler().fit(train)  # min-max on the training hours only
    model = BlockRNNModel(
        input_chunk_length=SEASON_WEEK,
        output_chunk_length=1,
        model="LSTM",
        hidden_dim=25,
        n_rnn_layers=1,
        batch_size=32,
        n_epochs=budget["darts_epochs"],
        random_state=seed,
        pl_trainer_kwargs=dict(_TRAINER),
    )
    model.fit(scaler.transform(train), verbose=False)
    forecasts = model.historical_forecasts(
        scaler.transform(ts),
        start=series.index[-n_test],
        forecast_horizon=1,
        stride=1,
        retrain=False,
        last_points_only=True,
        verbose=False,
        show_warnings=False,
    )
    forecasts = scaler.inverse_transform(forecasts)
    frame = pd.DataFrame({"ds": forecasts.time_index})
    _check_origins(frame, series, n_test, "BlockRNN")
    return forecasts.values().reshape(-1).astype(float)


def skforecast_model(kind):
    def run(series, n_test, seed, budget):
        from skforecast.model_selection import TimeSeriesFold, backtesting_forecaster
        from skforecast.recursive import ForecasterRecursive
        from sklearn.linear_model import Ridge

        if kind == "ridge":
            estimator = Ridge()
        else:
            from lightgbm import LGBMRegressor

            estimator = LGBMRegressor(verbose=-1, n_jobs=1, random_state=0)
        forecaster = ForecasterRecursive(estimator=estimator, lags=SEASON_WEEK)
        cv = TimeSeriesFold(
            steps=1, initial_train_size=len(series) - n_test, refit=False
        )
        _, predictions = backtesting_forecaster(
            forecaster,
            y=series,
            cv=cv,
            metric="mean_squared_error",
            n_jobs=1,
            verbose=False,
            show_progress=False,
        )
        frame = pd.DataFrame({"ds": predictions.index})
        _check_origins(frame, series, n_test, f"skforecast {kind}")
        return predictions["pred"].to_numpy(dtype=float)

    return run


def models() -> list[Model]:
    rows = [
        Model(name, "library", library_model(make))
        for name, make in RECOMMENDED.items()
    ]
    rows.append(Model("mlp (lab, 5 features)", "library", lab_mlp))
    rows += [
        Model("seasonal naive 24 h", "baseline", seasonal_naive(24), stochastic=False),
        Model(
            "seasonal naive 168 h",
            "baseline",
            seasonal_naive(SEASON_WEEK),
            stochastic=False,
        ),
        Model("naive (last hour)", "reference", seasonal_naive(1), stochastic=False),
        Model(
            "neuralforecast LSTM",
            "peer",
            neuralforecast_model("LSTM"),
            "neuralforecast",
        ),
        Model(
            "neuralforecast NHITS",
            "peer",
            neuralforecast_model("NHITS"),
            "neuralforecast",
        ),
        Model("darts BlockRNN (LSTM)", "peer", darts_blockrnn, "darts"),
        Model(
            "statsforecast MSTL",
            "peer",
            statsforecast_model("MSTL"),
            "statsforecast",
            stochastic=False,
        ),
        Model(
            "statsforecast AutoETS",
            "peer",
            statsforecast_model("AutoETS"),
            "statsforecast",
            stochastic=False,
        ),
        Model(
            "skforecast ridge (168 lags)",
            "peer",
            skforecast_model("ridge"),
            "skforecast",
            stochastic=False,
        ),
        Model(
            "skforecast LightGBM (168 lags)",
            "peer",
            skforecast_model("lightgbm"),
            "skforecast",
            stochastic=False,
        ),
    ]
    return rows


def peer_status(peers=None) -> dict:
    """Return ``{peer: None}`` when importable, else ``{peer: why not}``."""
    status = {}
    for peer, modules in (PEER_MODULES if peers is None else peers).items():
        status[peer] = None
        for module in modules:
            try:
                importlib.import_module(module)
            except Exception as error:  # ImportError, or a broken install
                status[peer] = f"{type(error).__name__}: {error}"
                break
    return status


# ------------------------------------------------------------------------- scores


def scores(y_true, y_pred, *, step) -> dict:
    """MSE, MAE, RMSE, R², cost / oracle, energy vs static peak and acceptance."""
    from sklearn.metrics import mean_absolute_error, mean_squared_error, r2_score

    from lstmforecast.metrics import provisioning_cost, provisioning_report

    y_true = np.asarray(y_true, dtype=float)
    y_pred = np.asarray(y_pred, dtype=float)
    mse = float(mean_squared_error(y_true, y_pred))
    cost = provisioning_cost(y_true, y_pred, step=step, **COST)
    oracle = provisioning_cost(y_true, y_true, step=step, **COST)
    report = provisioning_report(y_true, {"forecast": y_pred}, step=step, **COST)
    return {
        "mse": mse,
        "mae": float(mean_absolute_error(y_true, y_pred)),
        "rmse": float(np.sqrt(mse)),
        "r2": float(r2_score(y_true, y_pred)),
        "cost": float(cost),
        "cost_vs_oracle": float(cost / oracle),
        "energy_vs_peak": float(report.loc["forecast", "energy_vs_peak"]),
        "acceptance": float(report.loc["forecast", "acceptance"]),
    }


def run_cell(cell, chosen, seeds, budget, step, log=print) -> pd.DataFrame:
    """Fit every chosen model on one cell; return its table (median over seeds)."""
    series = cell_series(cell)
    n_test = N_TEST
    y_test = series.iloc[-n_test:].to_numpy()
    log(
        f"\ncell {cell}: {len(series)} hours, train {len(series) - n_test} "
        f"({series.index[0]:%d %b} - {series.index[-n_test - 1]:%d %b}), test "
        f"{n_test} ({series.index[-n_test]:%d %b} - {series.index[-1]:%d %b %H:%M})"
    )
    rows = {}
    for model in chosen:
        runs = []
        for seed in seeds if model.stochastic else seeds[:1]:
            load = load_average()
            start = time.perf_counter()
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")  # NaN windows, lightning chatter
                predicted = model.run(series, n_test, seed, budget)
            seconds = time.perf_counter() - start
            if predicted.shape != y_test.shape or not np.isfinite(predicted).all():
                raise RuntimeError(
                    f"{model.name}: {predicted.shape} forecasts, "
                    f"{int((~np.isfinite(predicted)).sum())} not finite"
                )
            runs.append({**scores(y_test, predicted, step=step), "fit_s": seconds})
            log(
                f"  {model.name:<32} seed {seed}: MSE {runs[-1]['mse']:.3g}, "
                f"cost/oracle {runs[-1]['cost_vs_oracle']:.3f}, {seconds:6.1f} s "
                f"(load {load:.2f})"
            )
        median = pd.DataFrame(runs).median()
        rows[model.name] = {"group": model.group, "runs": len(runs), **median}
    rows["oracle"] = {
        "group": "oracle",
        "runs": 1,
        **scores(y_test, y_test, step=step),
        "fit_s": 0.0,
    }
    table = pd.DataFrame(rows).T[COLUMNS]
    numeric = COLUMNS[2:]
    table[numeric] = table[numeric].astype(float)
    table["runs"] = table["runs"].astype(int)
    table.index.name = "model"
    return table


# ------------------------------------------------------------------------ targets


def targets(tables: dict) -> pd.DataFrame:
    """Check the issue's four targets, per library configuration and cell."""
    rows = []
    for cell, table in tables.items():
        peers = table[table["group"].isin(["peer", "baseline"])]
        if peers.empty:
            continue
        best_mse = peers["mse"].idxmin()
        best_cost = peers["cost"].idxmin()
        reference = table[table["group"] == "reference"]
        for name, row in table[table["group"] == "library"].iterrows():
            rows.append(
                {
                    "cell": cell,
                    "config": name,
                    "mse": row["mse"],
                    "best_peer_mse": peers.loc[best_mse, "mse"],
                    "best_peer_by_mse": best_mse,
                    "cost_vs_oracle": row["cost_vs_oracle"],
                    "best_peer_cost_vs_oracle": peers.loc[best_cost, "cost_vs_oracle"],
                    "best_peer_by_cost": best_cost,
                    "cost_vs_best_peer": row["cost"] / peers.loc[best_cost, "cost"],
                    "lower_mse": bool(row["mse"] < peers["mse"].min()),
                    "lower_cost": bool(row["cost"] < peers["cost"].min()),
                    "cost_le_0.8_best_peer": bool(
                        row["cost"] <= 0.8 * peers["cost"].min()
                    ),
                    "cost_le_1.5_oracle": bool(row["cost_vs_oracle"] <= 1.5),
                    # the last-hour naive: shown beside, not one of the targets
                    "last_hour_mse": reference["mse"].min(),
                    "last_hour_cost_vs_oracle": reference["cost_vs_oracle"].min(),
                }
            )
    frame = pd.DataFrame(rows)
    if not frame.empty:
        checks = [
            "lower_mse",
            "lower_cost",
            "cost_le_0.8_best_peer",
            "cost_le_1.5_oracle",
        ]
        frame["all_hold"] = frame[checks].all(axis=1)
    return frame


def targets_text(frame: pd.DataFrame, skipped: dict) -> list[str]:
    if frame.empty:
        return ["targets: no peer or baseline ran, nothing to compare"]
    lines = []
    if skipped:
        lines.append(
            "NOTE: compared against the peers that ran only; skipped: "
            + ", ".join(sorted(skipped))
        )
    for _, r in frame.iterrows():
        lines.append(
            f"cell {r['cell']}, {r['config']}: MSE {r['mse']:.3g} vs best peer "
            f"{r['best_peer_mse']:.3g} ({r['best_peer_by_mse']}) -> lower: "
            f"{_yes(r['lower_mse'])}; cost/oracle {r['cost_vs_oracle']:.3f} vs best "
            f"peer {r['best_peer_cost_vs_oracle']:.3f} ({r['best_peer_by_cost']}), "
            f"ratio {r['cost_vs_best_peer']:.3f} -> lower: {_yes(r['lower_cost'])}, "
            f"<= 0.8x: {_yes(r['cost_le_0.8_best_peer'])}, <= 1.5x oracle: "
            f"{_yes(r['cost_le_1.5_oracle'])}"
            + (
                ""
                if np.isnan(r["last_hour_mse"])
                else f"; the last-hour naive (a reference, not a target): MSE "
                f"{r['last_hour_mse']:.3g}, cost/oracle "
                f"{r['last_hour_cost_vs_oracle']:.3f}"
            )
        )
    overall = frame.groupby("config", sort=False).agg(
        cells_all_hold=("all_hold", "sum"),
        cells=("all_hold", "size"),
        mean_cost_vs_best_peer=("cost_vs_best_peer", "mean"),
    )
    overall = overall.sort_values(
        ["cells_all_hold", "mean_cost_vs_best_peer"], ascending=[False, True]
    )
    for name, r in overall.iterrows():
        lines.append(
            f"target (one configuration, every cell) for {name}: all four hold on "
            f"{int(r['cells_all_hold'])} of {int(r['cells'])} cells -> "
            f"{'MET' if r['cells_all_hold'] == r['cells'] else 'NOT MET'} "
            f"(mean cost vs best peer {r['mean_cost_vs_best_peer']:.3f})"
        )
    best = overall.index[0]
    lines.append(f"best library configuration: {best}")
    return lines


def _yes(flag) -> str:
    return "yes" if flag else "no"


# ------------------------------------------------------------------------- output


def markdown_table(table: pd.DataFrame, digits: int = 4) -> str:
    """Return ``table`` as a markdown pipe table (no tabulate needed)."""
    head = [table.index.name or ""] + list(table.columns)
    lines = ["| " + " | ".join(head) + " |", "|" + "---|" * len(head)]
    for name, row in table.iterrows():
        cells = [str(name)]
        for value in row:
            if isinstance(value, (float, np.floating)):
                cells.append(f"{value:.{digits}g}")
            else:
                cells.append(str(value))
        lines.append("| " + " | ".join(cells) + " |")
    return "\n".join(lines)


def parse_args(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--cells", type=int, nargs="+", default=None)
    parser.add_argument("--seeds", type=int, nargs="+", default=None)
    parser.add_argument("--step", type=float, default=0.05)
    parser.add_argument("--nf-steps", type=int, default=None)
    parser.add_argument("--darts-epochs", type=int, default=None)
    parser.add_argument(
        "--models",
        nargs="+",
        default=None,
        help="run only the models whose names contain one of these words",
    )
    parser.add_argument("--quick", action="store_true")
    parser.add_argument("--out", type=Path, default=None)
    parser.add_argument(
        "--from-csv",
        type=Path,
        default=None,
        help="re-render the tables of a saved --out CSV, fitting nothing",
    )
    return parser.parse_args(argv)


def main(argv=None) -> dict:
    import torch

    from lstmforecast.datasets import BUNDLED_CELLS

    args = parse_args(argv)
    if args.from_csv is not None:
        return from_csv(args)
    torch.set_num_threads(1)
    budget = dict(QUICK if args.quick else FULL)
    for key in ("nf_steps", "darts_epochs"):
        if getattr(args, key) is not None:
            budget[key] = getattr(args, key)
    seeds = args.seeds or ([0] if args.quick else [0, 1, 2])
    cells = args.cells or (
        list(BUNDLED_CELLS)[:1] if args.quick else list(BUNDLED_CELLS)
    )

    print(machine_line())
    print(
        f"torch {torch.__version__}, {torch.get_num_threads()} thread; load average "
        f"{os.getloadavg() if hasattr(os, 'getloadavg') else 'n/a'}"
    )
    print(f"budget: {budget}; seeds {seeds}; cells {cells}; step {args.step} Gbit/s")
    status = peer_status()
    skipped = {peer: why for peer, why in status.items() if why is not None}
    for peer, why in status.items():
        if why is None:
            versions = ", ".join(
                f"{name} {getattr(importlib.import_module(name), '__version__', '?')}"
                for name in PEER_MODULES[peer]
            )
            print(f"peer {peer} ({versions}): runs")
        else:
            print(f"peer {peer}: skipped ({why})")
    chosen = [m for m in models() if m.peer is None or m.peer not in skipped]
    if args.models:
        chosen = [
            m for m in chosen if any(w.lower() in m.name.lower() for w in args.models)
        ]

    start = time.perf_counter()
    tables = {cell: run_cell(cell, chosen, seeds, budget, args.step) for cell in cells}
    total = time.perf_counter() - start
    load = os.getloadavg() if hasattr(os, "getloadavg") else "n/a"
    footer = f"{machine_line()}; total {total:.0f} s; load average at the end {load}"
    return report(
        tables, skipped, args, footer, f"Median of {len(seeds)} seed(s) {seeds}"
    )


def report(tables, skipped, args, footer, runs) -> dict:
    """Print (and with ``--out`` write) the tables and the targets."""
    checks = targets(tables)
    summary = targets_text(checks, skipped)
    parts = [
        f"{runs} for the networks; MSE, MAE, RMSE in Gbit/s (each cell's busiest "
        f"training hour = 1 Gbit/s); cost = provisioning cost, alpha:beta = 1:10, "
        f"capacity in {args.step} Gbit/s steps rounded up; cost_vs_oracle = cost / the "
        "oracle's (true demand rounded up); fit_s = fit + the 240 one-step "
        "forecasts, one thread; 'reference' = the last-hour naive, not a target."
    ]
    for cell, table in tables.items():
        parts.append(f"\n### Cell {cell}\n\n{markdown_table(table)}")
    parts.append("\n### Targets\n\n" + "\n".join(f"- {line}" for line in summary))
    parts.append(f"\n{footer}")
    if skipped:
        parts.append(
            "\nSkipped peers: "
            + "; ".join(f"{peer} ({why})" for peer, why in skipped.items())
        )
    text = "\n".join(parts)
    print("\n" + text)
    if args.out is not None:
        args.out.with_suffix(".md").write_text(text + "\n")
        if args.from_csv is None:
            long = pd.concat(dict(tables), names=["cell"]).reset_index()
            long.to_csv(args.out.with_suffix(".csv"), index=False)
        print(f"wrote {args.out.with_suffix('.md')} (and the .csv of a measured run)")
    return {"tables": tables, "targets": checks, "skipped": skipped, "text": text}


def from_csv(args) -> dict:
    """Re-render the tables and targets of a saved ``--out`` CSV (no fitting)."""
    long = pd.read_csv(args.from_csv)
    tables = {
        cell: part.drop(columns="cell").set_index("model")[COLUMNS]
        for cell, part in long.groupby("cell", sort=False)
    }
    return report(tables, {}, args, f"re-rendered from {args.from_csv}", "Medians")


if __name__ == "__main__":
    main()
