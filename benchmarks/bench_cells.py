r"""Time per training step of each cell, as a ratio to ``nn.LSTM`` of the same sizes.

What it measures
----------------
One training step of a :class:`~lstmforecast.nn.RecurrentModule` (the network
``LSTMRegressor`` trains): forward pass, mean squared error, backward pass and
an Adam step, on a random batch of windows ``(batch, lookback, 1)``, for each
cell and for ``cell="lstm"`` (``nn.LSTM``) with the same ``hidden_size``, at:

lab
    the lab's network: ``hidden_size=(7, 3)``, lookback 36;
big
    ``hidden_size=64``, lookback 168 (a week of hours);

each at batch 32 and 64 (``--batches``), torch on one thread. The cells are
``peephole``, ``slstm`` and ``mlstm`` (the library's own, ``--cells``), with
torch's ``gru`` and ``rnn`` as references. Steps are interleaved: every round
runs one step of ``nn.LSTM`` and then one of each cell, ``--rounds`` (15)
rounds after ``--warmup`` (3); the table gives the median milliseconds per step
and the ratio to ``nn.LSTM``'s median over the same rounds, so a busy neighbour
slows both sides of a ratio alike, and the ratio of the fastest steps (``x
nn.LSTM, min``: less sensitive to a neighbour that comes and goes). The
1-minute load average is printed before and after each configuration (a value
above the usable CPUs means the timings shared the cores).

``--compile`` also times ``torch.compile`` of the networks of
``--compile-cells`` (``mlstm``; inductor, the first step compiles and is not
timed) against a compiled ``nn.LSTM``. When compiling fails (no C compiler, an
unsupported platform) the row says so and the uncompiled timing stands. It is
not worth it here: the mLSTM gains about 8 % (124 against 134 ms per step at
hidden 64, batch 64) for a compile of minutes, and a loop cell unrolls its
``lookback`` steps into the graph (the peephole LSTM took over 5 minutes to
compile and then 1.3 s per step, 20 times slower than uncompiled), so the
library does not compile its cells.

How the cells are made fast: the input projections of the whole window are one
matrix product outside the time loop; the peephole LSTM's and the sLSTM's loops
do one ``addmm`` and a few elementwise operations per step with a backward pass
written by hand (one autograd node per window instead of a dozen per step); the
mLSTM runs in chunks of time steps (no loop over steps), and as the network's
last layer computes only its last step's output, from the final memory.

How to run
----------
From the repository root::

    python benchmarks/bench_cells.py            # lab and big, about 20 seconds
    python benchmarks/bench_cells.py --compile  # with torch.compile, ~10 minutes
    python benchmarks/bench_cells.py --smoke    # tiny sizes, a few seconds
    python benchmarks/bench_cells.py --device cuda  # on a GPU, where there is one
"""

from __future__ import annotations

import argparse
import statistics
import time

import pandas as pd
from _machine import load_average, machine_line

CONFIGS = {"lab": ((7, 3), 36), "big": (64, 168)}
SMOKE = {"smoke": ((3, 2), 6)}


def parse(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--configs", nargs="+", default=list(CONFIGS))
    parser.add_argument("--batches", nargs="+", type=int, default=[32, 64])
    parser.add_argument(
        "--cells", nargs="+", default=["peephole", "slstm", "mlstm", "gru", "rnn"]
    )
    parser.add_argument("--rounds", type=int, default=15)
    parser.add_argument("--warmup", type=int, default=3)
    parser.add_argument("--compile", action="store_true")
    parser.add_argument("--compile-cells", nargs="+", default=["mlstm"])
    parser.add_argument("--smoke", action="store_true", help="tiny sizes, 2 rounds")
    parser.add_argument(
        "--device", default="cpu", help="'cpu' (default) or a CUDA device, 'cuda'"
    )
    args = parser.parse_args(argv)
    if args.device != "cpu":
        import torch

        if not torch.cuda.is_available():
            parser.error(
                f"--device {args.device}: no CUDA device on this machine; "
                "run with --device cpu (the default)."
            )
    if args.smoke:
        args.configs, args.batches, args.rounds, args.warmup = ["smoke"], [4], 2, 1
    return args


def training_step(cell, hidden_size, lookback, batch, compiled=False, device="cpu"):
    """Return a function running one training step of a fresh network.

    On a GPU the step waits for the device to finish (``synchronize``), so the
    time is the step's and not the launch's.
    """
    import torch

    from lstmforecast.nn import RecurrentModule

    torch.manual_seed(0)
    net = RecurrentModule(1, hidden_size, cell=cell).to(device)
    forward = torch.compile(net) if compiled else net
    optimizer = torch.optim.Adam(net.parameters(), lr=1e-3)
    X, y = torch.randn(batch, lookback, 1), torch.randn(batch, 1)
    X, y = X.to(device), y.to(device)
    on_gpu = device != "cpu"

    def step():
        optimizer.zero_grad()
        loss = torch.nn.functional.mse_loss(forward(X), y)
        loss.backward()
        optimizer.step()
        if on_gpu:
            torch.cuda.synchronize(device)

    return step


def _timed(step) -> float:
    start = time.perf_counter()
    step()
    return time.perf_counter() - start


def time_cells(cells, hidden_size, lookback, batch, args, compiled=False):
    """Seconds per step (median, min) of ``nn.LSTM`` and each cell, interleaved."""
    steps, failed = {}, {}
    for cell in ["lstm", *cells]:
        try:
            steps[cell] = training_step(
                cell, hidden_size, lookback, batch, compiled, args.device
            )
            steps[cell]()  # the first step builds (and compiles) the kernels
        except Exception as exc:  # compile unavailable: say so, keep the others
            failed[cell] = f"{type(exc).__name__}: {str(exc).splitlines()[0][:60]}"
            steps.pop(cell, None)
    times = {cell: [] for cell in steps}
    for r in range(args.warmup + args.rounds):
        for cell, step in steps.items():
            seconds = _timed(step)
            if r >= args.warmup:
                times[cell].append(seconds)
    summary = {cell: (statistics.median(t), min(t)) for cell, t in times.items()}
    return summary, failed


def main(argv=None):
    """Time every configuration; print and return the table."""
    args = parse(argv)
    import torch

    torch.set_num_threads(1)
    print(machine_line())
    print(f"torch {torch.__version__}, {torch.get_num_threads()} thread")
    if args.device != "cpu":
        print(f"device {args.device}: {torch.cuda.get_device_name(args.device)}")
    configs = SMOKE if args.smoke else {c: CONFIGS[c] for c in args.configs}
    rows = []
    for name, (hidden, lookback) in configs.items():
        for batch in args.batches:
            for compiled in (False, True) if args.compile else (False,):
                cells = [
                    c for c in args.cells if not compiled or c in args.compile_cells
                ]
                before = load_average()
                medians, failed = time_cells(
                    cells, hidden, lookback, batch, args, compiled
                )
                after = load_average()
                none = (float("nan"), float("nan"))
                base, base_min = medians.get("lstm", none)
                for cell in ["lstm", *cells]:
                    seconds, fastest = medians.get(cell, none)
                    rows.append(
                        {
                            "config": f"{name} {hidden}, lookback {lookback}",
                            "batch": batch,
                            "compiled": compiled,
                            "cell": cell,
                            "ms / step": 1e3 * seconds,
                            "x nn.LSTM": seconds / base,
                            "x nn.LSTM, min": fastest / base_min,
                            "load before": before,
                            "load after": after,
                            "note": failed.get(cell, ""),
                        }
                    )
    table = pd.DataFrame(rows)
    show = table if args.compile else table.drop(columns="compiled")
    with pd.option_context("display.width", 200, "display.max_columns", 20):
        print(show.to_string(index=False, float_format=lambda v: f"{v:.2f}"))
    wide = table[~table["compiled"]].pivot_table(
        index="cell", columns=["config", "batch"], values="x nn.LSTM", sort=False
    )
    print("\nratio to nn.LSTM (median ms per step), by configuration and batch:")
    print(wide.to_string(float_format=lambda v: f"{v:.2f}"))
    return table


if __name__ == "__main__":
    main()
