r"""The recommended LSTM on public hourly series from other domains, 1 and 24 h ahead.

What it measures
----------------
Six hourly series that PyPI packages ship (``_public_series.py`` says where each
comes from and under which terms): temperature in Seattle and in San Francisco
(weather, ``vega_datasets``: smooth climate normals, nearly the same from one
day to the next), electricity demand in England and Wales (demand,
``pmdarima``), water flow in a pipeline (flow, ``river``), and the air
temperature (weather, observed) and global horizontal irradiance (sensor /
solar) of a TMY3 year (``pvlib``). A series whose package is missing is skipped,
with the reason printed.

Per series: the last 20 % of the hours are the test (at least 240, at most
``--max-test`` = 720), the training part is the hours before it, capped to the
last ``--max-train`` (4,000) hours to keep the run short (the earlier hours are
dropped). Values are divided by the training part's maximum (MSE ratios do not
depend on it). Missing hours (one in each vega temperature series, 111 in the
water flow) are filled by time interpolation for every model's inputs, and never
scored. Every model is fitted once on the training hours and forecasts every
test hour with the history carried over (no refit):

- ``lstm (recommended)``: the first entry of ``_recommended.RECOMMENDED`` (the
  bundled cells' recommendation), fitted on ``(train_frame, y)`` with ``y`` the
  target (1 step) or ``make_horizon_targets(target, 24)`` (24 steps, MIMO);
  median of ``--seeds`` (0, 1, 2);
- ``lstm (ridge path)``: ``RECOMMENDED["lstm (ridge path)"]``, the same way: a
  week of lags, ``linear_path="ridge"`` (the recommendation for smooth series);
- ``ridge (168 lags)``: scikit-learn ``Ridge()`` on ``SlidingWindow(168,
  flatten=True)`` lags, one output (1 step) or 24 (direct multi-output, the same
  lags);
- ``MSTL``: statsforecast ``MSTL`` (trend: its default AutoETS), seasons 24 h,
  and 168 h where people drive the series (demand, flow; ``--weekly-everywhere``
  adds it to all), fitted once on the training hours then ``forward(y=history,
  h=24)`` at each test origin, the calls ``StatsForecast.cross_validation(
  refit=False)`` makes; its first step is the 1-step forecast (skipped without
  statsforecast);
- ``seasonal naive 24 h`` (the same hour the day before) and, for reference,
  ``naive (last value)`` (the last known hour, repeated): ``SeasonalNaiveRegressor``.

Scores: the MSE pooled over the complete test rows and their steps (1 step:
every test hour; 24 steps: the first ``n_test - 23`` origins, whose 24 steps are
all test hours), observed hours only, and each model's MSE divided by the
seasonal naive's. The issue's target, checked for each library configuration:
on at least four series, its MSE <= ridge's and <= MSTL's, at 1 and at 24
steps. Torch, BLAS and OpenMP run on one thread; the load average is printed
beside the timings.

How to run
----------
From the repository root, in an environment with the packages
(``pip install -e '.[peers]'``)::

    nice -n 10 python benchmarks/bench_public.py --out public    # about 10 minutes
    python benchmarks/bench_public.py --quick                    # a few minutes
    python benchmarks/bench_public.py --quick --series synthetic # seconds

``--out PATH`` writes ``PATH.md`` (the tables) and ``PATH.csv``. ``--quick``:
one seed, one epoch, 720 training and 240 test hours.
"""

# no "from __future__ import annotations": the tests load this file as a module
# that is not in sys.modules, where dataclasses cannot resolve string annotations
import os

for _name in ("OMP_NUM_THREADS", "MKL_NUM_THREADS", "OPENBLAS_NUM_THREADS"):
    os.environ.setdefault(_name, "1")

import argparse  # noqa: E402
import time  # noqa: E402
import warnings  # noqa: E402
from dataclasses import dataclass  # noqa: E402
from pathlib import Path  # noqa: E402

import _public_series  # noqa: E402
import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402
from _machine import load_average, machine_line  # noqa: E402
from _recommended import RECOMMENDED  # noqa: E402
from bench_peers import markdown_table, naive_pipeline  # noqa: E402

HORIZONS = (1, 24)
LAGS = 168
RECOMMENDED_NAME = next(iter(RECOMMENDED))
#: the library's configurations scored against the target (the cells' one first)
LIBRARY = (RECOMMENDED_NAME, "lstm (ridge path)")


@dataclass
class Prepared:
    """A series cut for the benchmark: scaled, filled, and where it was observed."""

    name: str
    values: pd.Series  # scaled (training maximum = 1), gaps interpolated
    observed: np.ndarray  # bool per hour
    n_train: int
    n_test: int
    dropped: int  # hours cut from the front (the training cap)
    seasons: tuple

    @property
    def frame(self) -> pd.DataFrame:
        """Return the values as a one-column frame (the pipelines' input)."""
        return self.values.to_frame("y")


def prepare(name, series, *, max_train, max_test, min_test=240, seasons=(24,)):
    """Split ``series``: the last 20 % of it (clipped to the bounds) is the test."""
    n = len(series)
    n_test = int(np.clip(round(0.2 * n), min_test, max_test))
    n_train = min(n - n_test, max_train)
    if n_train < 3 * LAGS:
        raise ValueError(f"{name}: {n - n_test} training hours; at least {3 * LAGS}")
    dropped = n - n_test - n_train
    part = series.iloc[dropped:].astype(float)
    observed = part.notna().to_numpy()
    filled = part.interpolate(method="time", limit_direction="both")
    scale = float(np.abs(filled.iloc[:n_train]).max())
    values = (filled / scale).rename("y")
    return Prepared(name, values, observed, n_train, n_test, dropped, tuple(seasons))


def test_truth(prep: Prepared, horizon: int):
    """Truth ``(rows, H)`` of the complete test rows and the mask of observed hours."""
    from lstmforecast.preprocessing import make_horizon_targets

    rows = prep.n_test - horizon + 1
    Y = make_horizon_targets(prep.values, horizon).to_numpy()[prep.n_train :][:rows]
    seen = pd.Series(np.where(prep.observed, 1.0, np.nan), index=prep.values.index)
    mask = make_horizon_targets(seen, horizon).to_numpy()[prep.n_train :][:rows]
    return Y, np.isfinite(mask)


def _targets(prep: Prepared, horizon: int):
    from lstmforecast.preprocessing import make_horizon_targets

    target = prep.frame.iloc[: prep.n_train, 0]
    return target if horizon == 1 else make_horizon_targets(target, horizon)


def _as_rows(predicted, n_test, horizon) -> np.ndarray:
    return np.asarray(predicted, dtype=float).reshape(n_test, horizon)


# ------------------------------------------------------------------------- models


def library(name):
    """Return the runner of the library configuration ``RECOMMENDED[name]``."""

    def run(prep, horizons, seed, budget):
        return _fit_library(RECOMMENDED[name], prep, horizons, seed, budget)

    return run


def _fit_library(make, prep, horizons, seed, budget):
    out = {}
    for horizon in horizons:
        start = time.perf_counter()
        train, test = prep.frame.iloc[: prep.n_train], prep.frame.iloc[prep.n_train :]
        model = make(seed, horizon, budget["epochs"])
        model.fit(train, _targets(prep, horizon))
        predicted = _as_rows(model.predict(test), prep.n_test, horizon)
        out[horizon] = (predicted, time.perf_counter() - start)
    return out


def ridge(prep, horizons, seed, budget):
    from sklearn.linear_model import Ridge

    from lstmforecast.preprocessing import SlidingWindow

    out = {}
    for horizon in horizons:
        start = time.perf_counter()
        train, test = prep.frame.iloc[: prep.n_train], prep.frame.iloc[prep.n_train :]
        window = SlidingWindow(LAGS, columns=[0], flatten=True)
        X = np.asarray(window.fit_transform(train), dtype=float)
        Y = np.asarray(_targets(prep, horizon), dtype=float).reshape(len(X), horizon)
        ok = np.isfinite(X).all(axis=1) & np.isfinite(Y).all(axis=1)
        model = Ridge().fit(X[ok], Y[ok])
        predicted = model.predict(np.asarray(window.transform(test), dtype=float))
        out[horizon] = (
            _as_rows(predicted, prep.n_test, horizon),
            time.perf_counter() - start,
        )
    return out


def mstl(prep, horizons, seed, budget):
    from statsforecast.models import MSTL

    start = time.perf_counter()
    values = prep.values.to_numpy()
    reach = max(horizons)
    model = MSTL(season_length=list(prep.seasons)).fit(values[: prep.n_train])
    forecasts = np.empty((prep.n_test, reach))
    for k in range(prep.n_test):  # the history up to each origin; no refit
        end = prep.n_train + k
        forecasts[k] = model.forward(y=values[:end], h=reach)["mean"]
    seconds = time.perf_counter() - start  # one run gives every horizon
    return {h: (forecasts[:, :h], seconds) for h in horizons}


def naive(season):
    def run(prep, horizons, seed, budget):
        out = {}
        for horizon in horizons:
            start = time.perf_counter()
            train, test = (
                prep.frame.iloc[: prep.n_train],
                prep.frame.iloc[prep.n_train :],
            )
            model = naive_pipeline(season)
            if model is None:  # a library without the regressor: by hand
                from lstmforecast.metrics import seasonal_naive_forecast

                if season >= horizon:
                    whole = seasonal_naive_forecast(prep.values, horizon, season=season)
                    predicted = whole.to_numpy()[prep.n_train :]
                else:  # the last value, repeated
                    last = prep.values.shift(1).to_numpy()[prep.n_train :]
                    predicted = np.repeat(last[:, None], horizon, axis=1)
            else:
                model.fit(train, _targets(prep, horizon))
                predicted = model.predict(test)
            out[horizon] = (
                _as_rows(predicted, prep.n_test, horizon),
                time.perf_counter() - start,
            )
        return out

    return run


#: name -> (run, stochastic, needs a module)
MODELS = {
    **{name: (library(name), True, None) for name in LIBRARY},
    "ridge (168 lags)": (ridge, False, None),
    "MSTL": (mstl, False, "statsforecast"),
    "seasonal naive 24 h": (naive(24), False, None),
    "naive (last value)": (naive(1), False, None),
}


def _module_status(module):
    if module is None:
        return None
    try:
        __import__(module)
    except Exception as error:
        return f"{type(error).__name__}: {error}"
    return None


# ------------------------------------------------------------------------- scores


def run_series(prep, chosen, seeds, budget, log=print) -> pd.DataFrame:
    """Long table: one row per (horizon, model), the median over seeds."""
    truth = {h: test_truth(prep, h) for h in HORIZONS}
    rows = []
    for name in chosen:
        run, stochastic, _ = MODELS[name]
        per_seed = []
        for seed in seeds if stochastic else seeds[:1]:
            load = load_average()
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")  # NaN windows, fit chatter
                results = run(prep, HORIZONS, seed, budget)
            for horizon, (predicted, seconds) in results.items():
                Y, mask = truth[horizon]
                pred = predicted[: len(Y)]
                if not np.isfinite(pred[mask]).all():
                    raise RuntimeError(f"{prep.name} {name}: non-finite forecasts")
                err = (pred - Y)[mask]
                per_seed.append(
                    {
                        "horizon": horizon,
                        "seed": seed,
                        "mse": float(np.mean(err**2)),
                        "mae": float(np.mean(np.abs(err))),
                        "fit_s": seconds,
                        "scored": int(mask.sum()),
                    }
                )
                log(
                    f"  {name:<22} H={horizon:>2} seed {seed}: MSE "
                    f"{per_seed[-1]['mse']:.4g}, {seconds:6.1f} s (load {load:.2f})"
                )
        frame = pd.DataFrame(per_seed)
        for horizon, part in frame.groupby("horizon"):
            rows.append(
                {
                    "series": prep.name,
                    "horizon": horizon,
                    "model": name,
                    "runs": len(part),
                    "mse": part["mse"].median(),
                    "mae": part["mae"].median(),
                    "fit_s": part["fit_s"].median(),
                    "scored": int(part["scored"].iloc[0]),
                }
            )
    table = pd.DataFrame(rows)
    naive_mse = table[table["model"] == "seasonal naive 24 h"].set_index("horizon")[
        "mse"
    ]
    table["mse_vs_naive24"] = table["mse"] / table["horizon"].map(naive_mse)
    return table


def wide(table: pd.DataFrame) -> pd.DataFrame:
    """One row per model; MSE, ratio to the naive and seconds per horizon."""
    parts = {}
    for horizon, part in table.groupby("horizon"):
        part = part.set_index("model")
        parts[f"mse {horizon} h"] = part["mse"]
        parts[f"vs naive {horizon} h"] = part["mse_vs_naive24"]
        parts[f"fit_s {horizon} h"] = part["fit_s"]
    out = pd.DataFrame(parts)
    order = [c for c in out.columns if c.startswith("mse")]
    order += [c for c in out.columns if c.startswith("vs")]
    order += [c for c in out.columns if c.startswith("fit")]
    out = out[order]
    out.insert(0, "runs", table.groupby("model")["runs"].max())
    out.index.name = "model"
    return out.loc[list(table["model"].unique())]


def targets(long: pd.DataFrame) -> pd.DataFrame:
    """Per library configuration, series and horizon: MSE <= ridge's, <= MSTL's."""
    rows = []
    for (series, horizon), part in long.groupby(["series", "horizon"], sort=False):
        mse = part.set_index("model")["mse"]
        for config in LIBRARY:
            if config not in mse:
                continue
            rec = mse[config]
            row = {
                "config": config,
                "series": series,
                "horizon": horizon,
                "recommended_mse": rec,
            }
            for peer, key in (("ridge (168 lags)", "ridge"), ("MSTL", "mstl")):
                if peer in mse:
                    row[f"vs_{key}"] = rec / mse[peer]
                    row[f"le_{key}"] = bool(rec <= mse[peer])
                else:
                    row[f"vs_{key}"] = np.nan
                    row[f"le_{key}"] = None
            rows.append(row)
    return pd.DataFrame(rows)


def targets_text(frame: pd.DataFrame) -> list[str]:
    if frame.empty:
        return ["targets: nothing to compare"]
    lines = []
    for config, rows in frame.groupby("config", sort=False):
        passing = []
        for series, part in rows.groupby("series", sort=False):
            checks = []
            for _, r in part.iterrows():
                checks.append(
                    f"{r['horizon']} h: vs ridge {r['vs_ridge']:.3f} "
                    f"({_yes(r['le_ridge'])}), vs MSTL {r['vs_mstl']:.3f} "
                    f"({_yes(r['le_mstl'])})"
                )
            flags = list(part["le_ridge"]) + list(part["le_mstl"])
            ok = all(f is True for f in flags) and len(part) == len(HORIZONS)
            passing.append(ok)
            lines.append(
                f"{config}, {series}: "
                + "; ".join(checks)
                + f" -> {'holds' if ok else 'fails'}"
            )
        n_ok = sum(passing)
        verdict = "MET" if n_ok >= 4 else "NOT MET"
        if not rows["le_mstl"].notna().all():
            verdict += " (MSTL did not run: incomplete)"
        lines.append(
            f"target for {config} (MSE <= ridge and <= MSTL, 1 h and 24 h, on >= 4 "
            f"series): holds on {n_ok} of {len(passing)} series -> {verdict}"
        )
    return lines


def _yes(flag) -> str:
    return "n/a" if flag is None else ("yes" if flag else "no")


def parse_args(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--series", nargs="+", default=None)
    parser.add_argument("--models", nargs="+", default=None, help="default: all")
    parser.add_argument("--seeds", type=int, nargs="+", default=None)
    parser.add_argument("--epochs", type=int, default=None)
    parser.add_argument("--max-train", type=int, default=None)
    parser.add_argument("--max-test", type=int, default=None)
    parser.add_argument("--weekly-everywhere", action="store_true")
    parser.add_argument("--quick", action="store_true")
    parser.add_argument("--out", type=Path, default=None)
    return parser.parse_args(argv)


def main(argv=None) -> dict:
    import torch

    args = parse_args(argv)
    torch.set_num_threads(1)
    seeds = args.seeds or ([0] if args.quick else [0, 1, 2])
    budget = {
        "epochs": args.epochs
        if args.epochs is not None
        else (1 if args.quick else None)
    }
    max_train = args.max_train or (720 if args.quick else 4000)
    max_test = args.max_test or (240 if args.quick else 720)
    names = args.series or list(_public_series.SOURCES)

    print(machine_line())
    print(
        f"torch {torch.__version__}, {torch.get_num_threads()} thread; load average "
        f"{os.getloadavg() if hasattr(os, 'getloadavg') else 'n/a'}"
    )
    print(
        f"seeds {seeds}; epochs {budget['epochs'] or 'recommended'}; training capped "
        f"at {max_train} h, test {max_test} h at most; recommended: {RECOMMENDED_NAME}"
    )
    skipped = {}
    for name, why in _public_series.status(names).items():
        if why is not None:
            skipped[name] = why
            print(f"series {name}: skipped ({why})")
    chosen = []
    unknown = sorted(set(args.models or []) - set(MODELS))
    if unknown:
        raise SystemExit(f"--models: unknown {unknown}; choose from {list(MODELS)}")
    for name, (_, _, module) in MODELS.items():
        if args.models and name not in args.models:
            continue
        why = _module_status(module)
        if why is None:
            chosen.append(name)
        else:
            skipped[name] = why
            print(f"model {name}: skipped ({why})")

    start = time.perf_counter()
    tables, described = [], []
    for name in names:
        if name in skipped:
            continue
        source = _public_series.SOURCES.get(name)
        seasons = (24, LAGS) if source is None else source.seasons
        if args.weekly_everywhere:
            seasons = (24, LAGS)
        series = _public_series.load(name)
        prep = prepare(
            name, series, max_train=max_train, max_test=max_test, seasons=seasons
        )
        what = (
            "smoke runs only"
            if source is None
            else (
                f"{source.domain}: {source.description}, {source.units}; {source.terms}"
            )
        )
        head = (
            f"{name} ({what}): {len(series)} h, {int(series.isna().sum())} missing; "
            f"train {prep.n_train} h ({prep.values.index[0]:%Y-%m-%d} - "
            f"{prep.values.index[prep.n_train - 1]:%Y-%m-%d}"
            + (f", first {prep.dropped} h dropped" if prep.dropped else "")
            + f"), test {prep.n_test} h; MSTL seasons {list(prep.seasons)}"
        )
        print("\n" + head)
        described.append((name, head))
        tables.append(run_series(prep, chosen, seeds, budget))
    total = time.perf_counter() - start
    long = pd.concat(tables, ignore_index=True) if tables else pd.DataFrame()
    checks = targets(long) if tables else pd.DataFrame()
    summary = targets_text(checks)

    parts = [
        f"MSE in units of each series' training maximum, over the complete test rows "
        f"(observed hours only), pooled over the steps; 'vs naive' = MSE / the 24 h "
        f"seasonal naive's; {RECOMMENDED_NAME}: median of {len(seeds)} seed(s) "
        f"{seeds}; fit_s = fit + test forecasts (MSTL: one run for both horizons), "
        "one thread."
    ]
    for (name, head), table in zip(described, tables, strict=True):
        parts.append(f"\n### {name}\n\n{head}\n\n{markdown_table(wide(table))}")
    parts.append("\n### Targets\n\n" + "\n".join(f"- {line}" for line in summary))
    load = os.getloadavg() if hasattr(os, "getloadavg") else "n/a"
    parts.append(
        f"\n{machine_line()}; total {total:.0f} s; load average at the end {load}"
    )
    if skipped:
        parts.append(
            "\nSkipped: " + "; ".join(f"{key} ({why})" for key, why in skipped.items())
        )
    text = "\n".join(parts)
    print("\n" + text)
    if args.out is not None:
        args.out.with_suffix(".md").write_text(text + "\n")
        long.to_csv(args.out.with_suffix(".csv"), index=False)
        print(f"wrote {args.out.with_suffix('.md')} and {args.out.with_suffix('.csv')}")
    return {"table": long, "targets": checks, "skipped": skipped, "text": text}


if __name__ == "__main__":
    main()
