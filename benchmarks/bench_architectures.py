r"""Recurrent cells and seq2seq decoders on the bundled cells, 1 and 24 hours ahead.

What it measures
----------------
The three bundled real cells (4159, 4556, 5161; hourly internet, 1 Nov - 31 Dec
2013) as one ``(cell, time)`` panel in Gbit/s, the last ``--test-days`` (10)
days the test set of every cell: the split of ``bench_options.py`` (whose
``data``, ``seasonal_naive`` and ``scores`` this script reuses). One global
network per architecture on ``SlidingWindow(--lookback)`` windows (48 hours),
fitted on ``make_horizon_targets(train["internet"], H)`` for ``H`` in 1 and 24:

- ``lstm``, ``gru``, ``rnn``, ``peephole``, ``slstm``, ``mlstm``:
  ``LSTMRegressor((16,), cell=..., center="last", scale="std")``, MIMO over
  the ``H`` steps, on lazy windows;
- ``seq2seq bahdanau``, ``seq2seq luong``, ``seq2seq no attention``:
  ``Seq2SeqRegressor(16, attention=..., teacher_forcing=0.5, center="last",
  scale="std")`` on dense windows (it refuses lazy ones), its decoder unrolled
  over the ``H`` steps (one step at ``H = 1``, where attention still applies);
- ``seq2seq bahdanau tf=0``: the Bahdanau one trained without teacher forcing
  (recursively, as it predicts).

All with ``lr=3e-3``, ``batch_size=64``, ``--epochs`` (15) epochs, torch on one
thread. Each architecture is fitted with ``--seeds`` (3) random states; the
table gives the median over seeds of the test MSE and of the provisioning cost
(capacity in ``--step`` Gbit/s steps rounded up, 0.05 by default; alpha:beta =
1:10), per cell, each as a ratio to the seasonal naive's (the same hour the day
before) pooled over the ``H`` steps; lower is better, below 1 beats the naive.
Fit seconds (median) and the load average are printed beside them; the CSV of
``--out`` also has, per cell, the range (max - min) of the ratios over the seeds.

With ``--attention-png PATH`` the Bahdanau seq2seq of seed 0 at ``H = 24`` (the
largest horizon run) also draws its attention weights for the test row at
00:00 of ``--attention-day`` (27 December 2013) of cell ``--attention-cell``
(5161) with :class:`~lstmforecast.plotting.AttentionDisplay`.

How to run
----------
From the repository root::

    python benchmarks/bench_architectures.py              # about 25 min per seed
    python benchmarks/bench_architectures.py --quick      # smoke, about 20 s
    python benchmarks/bench_architectures.py --out docs/arch \
        --attention-png docs/images/attention_weights.png
"""

from __future__ import annotations

import argparse
import time
import warnings
from pathlib import Path

import numpy as np
import pandas as pd
from _machine import load_average, machine_line
from bench_options import data, scores, seasonal_naive

CELLS = ("lstm", "gru", "rnn", "peephole", "slstm", "mlstm")
ARCHITECTURES = {
    **{name: {"kind": "lstm", "cell": name} for name in CELLS},
    "seq2seq bahdanau": {"kind": "seq2seq", "attention": "bahdanau"},
    "seq2seq luong": {"kind": "seq2seq", "attention": "luong"},
    "seq2seq no attention": {"kind": "seq2seq", "attention": None},
    "seq2seq bahdanau tf=0": {
        "kind": "seq2seq",
        "attention": "bahdanau",
        "teacher_forcing": 0.0,
    },
}
QUICK = ["lstm", "seq2seq bahdanau"]


def _pipeline(name: str, seed: int, args):
    """Return the window -> network Pipeline of one architecture."""
    from sklearn.pipeline import Pipeline

    from lstmforecast.preprocessing import SlidingWindow
    from lstmforecast.regressors import LSTMRegressor, Seq2SeqRegressor

    params = dict(ARCHITECTURES[name])
    kind = params.pop("kind")
    common = {
        "center": "last",
        "scale": "std",
        "lr": 3e-3,
        "batch_size": 64,
        "max_epochs": args.epochs,
        "random_state": seed,
        "n_threads": 1,
    }
    if kind == "lstm":
        window = SlidingWindow(args.lookback, lazy=True)
        model = LSTMRegressor((16,), **common, **params)
    else:  # dense windows: Seq2SeqRegressor refuses lazy WindowArray input
        params.setdefault("teacher_forcing", 0.5)
        window = SlidingWindow(args.lookback, lazy=False)
        model = Seq2SeqRegressor(16, **common, **params)
    return Pipeline([("window", window), ("model", model)])


def fit_predict(train, test, H: int, name: str, seed: int, args):
    """Fit one architecture; return (fitted pipeline, forecasts (n, H), fit s)."""
    from lstmforecast.preprocessing import make_horizon_targets

    pipe = _pipeline(name, seed, args)
    Y = make_horizon_targets(train["internet"], H)
    start = time.perf_counter()
    pipe.fit(train, Y)
    seconds = time.perf_counter() - start
    pred = pipe.predict(test).reshape(len(test), H)
    return pipe, pred, seconds


def draw_attention(pipe, test, args):
    """Draw the attention of the test row at 00:00 of the day, for the cell."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    from lstmforecast.plotting import AttentionDisplay

    cells = test.index.get_level_values("cell")
    times = test.index.get_level_values("time")
    stamp = pd.Timestamp(args.attention_day)
    if times.tz is not None and stamp.tz is None:
        stamp = stamp.tz_localize(times.tz)  # 00:00 local time (Milan)
    rows = np.flatnonzero((cells == args.attention_cell) & (times == stamp))
    if len(rows) != 1:
        raise ValueError(f"no test row for cell {args.attention_cell} at {stamp}")
    fig, ax = plt.subplots(figsize=(11, 5))
    display = AttentionDisplay.from_estimator(pipe, test, row=int(rows[0]), ax=ax)
    H, lookback = display.image_.get_array().shape
    ticks = np.arange(0, lookback, 6)  # every 6 hours, with the clock time
    hours = [lookback - j for j in ticks]
    ax.set_xticks(
        ticks, [f"{k}\n{stamp - pd.Timedelta(hours=k):%d %b %H:%M}" for k in hours]
    )
    ax.set_xlabel(
        "window step: hours before the first forecast hour, and its local time "
        f"(uniform attention = 1/{lookback} = {1 / lookback:.3f})"
    )
    ax.set_title(
        f"Bahdanau seq2seq attention, cell {args.attention_cell}, forecast made at "
        f"{stamp:%d %B %Y %H:%M} for the next {H} hours\n"
        f"(window of {lookback} hours; {args.epochs} epochs, seed 0)"
    )
    fig.tight_layout()
    Path(args.attention_png).parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(args.attention_png, dpi=100)
    plt.close(fig)
    print(f"attention weights drawn to {args.attention_png}")


def run(args) -> pd.DataFrame:
    """Every architecture, horizon and seed; the medians per cell."""
    train, test = data(args)
    rows = []
    for H in args.horizons:
        naive = seasonal_naive(train, test, H)
        for name in args.architectures:
            runs = []
            for seed in range(args.seeds):
                with warnings.catch_warnings():
                    warnings.simplefilter("ignore", UserWarning)
                    pipe, pred, seconds = fit_predict(train, test, H, name, seed, args)
                if (
                    args.attention_png
                    and seed == 0
                    and H == max(args.horizons)
                    and name == "seq2seq bahdanau"
                ):
                    draw_attention(pipe, test, args)
                runs.append((scores(test, pred, H, naive, None, args.step), seconds))
            for cell in runs[0][0]:
                rows.append(
                    {
                        "H": H,
                        "architecture": name,
                        "cell": cell,
                        "mse / naive": np.median([r[0][cell]["mse"] for r in runs]),
                        "cost / naive": np.median([r[0][cell]["cost"] for r in runs]),
                        "fit s": np.median([r[1] for r in runs]),
                        "mse range": np.ptp([r[0][cell]["mse"] for r in runs]),
                        "cost range": np.ptp([r[0][cell]["cost"] for r in runs]),
                    }
                )
            print(
                f"  H={H} {name}: fit {np.median([r[1] for r in runs]):.1f} s "
                f"(load {load_average():.2f})",
                flush=True,
            )
    return pd.DataFrame(rows)


def wide_table(table: pd.DataFrame) -> pd.DataFrame:
    """One row per (H, architecture): the ratios per cell, then the fit seconds."""
    order = {name: i for i, name in enumerate(ARCHITECTURES)}
    wide = table.pivot_table(
        index=["H", "architecture"],
        columns="cell",
        values=["mse / naive", "cost / naive"],
    )
    wide.columns = [f"{value} {cell}" for value, cell in wide.columns]
    wide = wide[
        [c for c in wide.columns if c.startswith("mse")]
        + [c for c in wide.columns if c.startswith("cost")]
    ]
    wide["fit s"] = table.groupby(["H", "architecture"])["fit s"].median()
    keys = [(-H, order[name]) for H, name in wide.index]
    return wide.iloc[sorted(range(len(wide)), key=keys.__getitem__)]


def main(argv=None) -> pd.DataFrame:
    """Run the benchmark, print the table; return it (long form)."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--test-days", type=int, default=10)
    parser.add_argument("--lookback", type=int, default=48)
    parser.add_argument("--epochs", type=int, default=15)
    parser.add_argument("--seeds", type=int, default=3)
    parser.add_argument("--horizons", type=int, nargs="+", default=[24, 1])
    parser.add_argument("--architectures", nargs="+", default=list(ARCHITECTURES))
    parser.add_argument(
        "--step", type=float, default=0.05, help="capacity step, Gbit/s (0.05)"
    )
    parser.add_argument(
        "--quick", action="store_true", help="smoke: 1 seed, 1 epoch, 2 nets, H=1"
    )
    parser.add_argument("--out", help="write PATH.md and PATH.csv")
    parser.add_argument("--attention-png", help="draw the Bahdanau attention here")
    parser.add_argument("--attention-cell", type=int, default=5161)
    parser.add_argument("--attention-day", default="2013-12-27")
    args = parser.parse_args(argv)
    if args.quick:
        args.seeds, args.epochs, args.horizons = 1, 1, [1]
        args.architectures = QUICK
    unknown = set(args.architectures) - set(ARCHITECTURES)
    if unknown:
        parser.error(f"unknown architectures {sorted(unknown)}")
    import torch

    torch.set_num_threads(1)
    print(machine_line())
    print(
        f"lookback {args.lookback}, {args.epochs} epochs, {args.seeds} seeds, "
        f"capacity steps of {args.step} Gbit/s; load {load_average():.2f}"
    )
    table = run(args)
    wide = wide_table(table)
    print(wide.to_string(float_format=lambda v: f"{v:.3f}"))
    end = f"load average at the end: {load_average():.2f}"
    print(end)
    if args.out:
        table.to_csv(f"{args.out}.csv", index=False)
        settings = (
            f"lookback {args.lookback}, {args.epochs} epochs, median of "
            f"{args.seeds} seeds; {end}"
        )
        md = wide.reset_index().to_markdown(index=False, floatfmt=".3f")
        Path(f"{args.out}.md").write_text(f"{settings}\n\n{md}\n")
    return table


if __name__ == "__main__":
    main()
