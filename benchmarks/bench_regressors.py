r"""Benchmark LSTMRegressor (skorch inside) against a hand-written PyTorch loop.

What it measures
----------------
Two workloads, each trained and predicted two ways in the same process, on the
same float32 tensors, with the same torch threads (``--threads``, set with
:func:`torch.set_num_threads` for both sides):

``library``
    ``LSTMRegressor(hidden, lr=1e-3, batch_size=32, max_epochs=E,
    random_state=seed).fit(X, y)`` then ``.predict(X)``: input validation, the
    skorch net (callbacks, history, ``train_step`` closure...), the
    ``_TensorBatches`` iterator, float64 numpy out.
``hand``
    What a PyTorch user writes: the same
    :class:`~lstmforecast.nn.RecurrentModule`, ``torch.optim.Adam`` (same lr),
    ``nn.MSELoss``, batches of 32 sliced from the tensors in a
    ``torch.randperm`` order drawn each epoch, ``zero_grad / backward / step``
    and ``loss.item()`` per batch (for the epoch loss); predict is
    ``module.eval()`` and one ``torch.no_grad()`` forward on the whole tensor,
    then ``.numpy()``. It is seeded like the library (same weights, same
    shuffles), so both should end with the same loss.

Workloads:

lab
    The lab's LSTM: a synthetic hourly series of ``--hours`` values (1,464: two
    months) with a daily cycle (and a weekly one, and noise), scaled to [0, 1],
    cut by :func:`~lstmforecast.preprocessing.make_windows` into windows of 36
    hours, split in time order with a gap of 36 windows into 1,152 training and
    240 test windows. Network ``(7, 3)`` (428 parameters), ``--lab-epochs`` (30)
    epochs. Predict is timed on the 1,152 training and the 240 test windows
    (each the median of ``--predict-repeat`` calls per repetition).
large
    ``--large-windows`` (50,000) windows of ``--large-lookback`` (168) hours of
    one synthetic series, one LSTM layer of ``--large-hidden`` (64) units,
    ``--large-epochs`` (2) epochs at batch ``--large-batch-size`` (32). Predict
    on all the windows (the library runs it in batches of 4,096 rows, the hand
    loop in one forward).

Each workload is warmed up once (untimed: first calls pay for oneDNN kernels and
the allocator), then run ``--reps`` times (``--large-reps`` for large),
alternating which side goes first, so each repetition is a library / hand pair
run back to back. The table gives the median and the [min - max] wall time of
each side (``time.perf_counter``; with ``torch.cuda.synchronize`` on a GPU), the
ratio library / hand of the two medians, and the median [range] of the per-pair
ratios; then the training cost in microseconds per window per epoch, and the
library's overhead per optimizer step ((library - hand) / steps, from the
medians and from the minimums).

Targets (the issue), on the lab workload: fit ratio <= 1.10 and predict ratio
<= 1.5 (both predict sizes), checked on the **median of the per-pair ratios**.
On a shared or virtual machine the speed drifts by tens of percent over
seconds (other tenants, frequency); a slow spell often hits both runs of a
pair, so the paired ratio is less sensitive to it than the ratio of two medians
taken from different moments (expect it to move by about 0.1 between runs
there all the same). Each target is printed PASS / FAIL; the run exits with
status 1 when one fails, unless ``--no-check``. The load average is printed at
the start and the end: with other processes running, the timings mean little.

Correctness, checked on both workloads (exit status 1 on failure, even with
``--no-check``): the library's predictions are finite, both sides' final training
loss (last epoch, the mean over its batches) agree within 10 % relative, and the
lab loss went down from the first epoch. The first and final losses, the test
MSE, and the largest difference between the two sides' predictions are printed
(0 or float noise when the seeding matches).

Defaults are sized for about 3.5 minutes on 2 CPUs (about 30 s for the lab
workload, 50 s per repetition of the large one): 5 repetitions of the lab
workload but only 3 of the large one (``--large-reps``; 5 would add almost 2
minutes), 2 epochs there. ``--profile N`` adds a cProfile of one library lab fit
(the top N functions by own time), to see where its overhead goes.

How to run
----------
From the repository root::

    python benchmarks/bench_regressors.py                 # both workloads
    python benchmarks/bench_regressors.py --skip-large    # lab only, ~30 s
    python benchmarks/bench_regressors.py --threads 1 --profile 25
    python benchmarks/bench_regressors.py --device cuda   # skipped without a GPU
"""

from __future__ import annotations

import argparse
import gc
import os
import platform
import statistics
import sys
import time

import numpy as np
from _machine import machine_line, usable_cpus

FIT_TARGET = 1.10
PREDICT_TARGET = 1.5
LOSS_RTOL = 0.10


# ----------------------------------------------------------------------- helpers
def machine_info(device):
    """Describe the machine, the library versions and the torch settings.

    Parameters
    ----------
    device : str
        ``'cpu'`` or ``'cuda'``.

    Returns
    -------
    info : str
        Platform, CPUs, memory, versions, torch threads and the GPU if used.
    """
    import sklearn
    import skorch
    import torch

    lines = [
        f"{machine_line()}; {platform.processor() or platform.machine()}",
        f"python {platform.python_version()}, numpy {np.__version__}, "
        f"torch {torch.__version__}, skorch {skorch.__version__}, "
        f"scikit-learn {sklearn.__version__}",
        f"torch threads: {torch.get_num_threads()} intra-op, "
        f"{torch.get_num_interop_threads()} inter-op; "
        f"mkldnn {torch.backends.mkldnn.is_available()}",
    ]
    if device == "cuda":
        lines.append(
            f"device: cuda, {torch.cuda.get_device_name(0)} "
            f"(CUDA {torch.version.cuda}, cuDNN {torch.backends.cudnn.version()})"
        )
    else:
        lines.append("device: cpu")
    return "\n".join(lines)


def load_average():
    """Return the 1, 5 and 15-minute load averages as text ('n/a' without them)."""
    try:
        return ", ".join(f"{x:.2f}" for x in os.getloadavg())
    except OSError:
        return "n/a"


def synthetic_series(n_hours, seed):
    """Make an hourly series with daily and weekly cycles, scaled to [0, 1].

    Parameters
    ----------
    n_hours : int
        Length.
    seed : int
        Random seed of the noise.

    Returns
    -------
    series : ndarray of shape (n_hours,)
        float32, minimum 0 and maximum 1.
    """
    rng = np.random.default_rng(seed)
    hours = np.arange(n_hours)
    raw = (
        1.0
        + 0.6 * np.sin(2 * np.pi * (hours - 6) / 24)
        + 0.2 * np.sin(2 * np.pi * hours / 168)
        + 0.1 * rng.standard_normal(n_hours)
    )
    return ((raw - raw.min()) / (raw.max() - raw.min())).astype(np.float32)


def torch_seed(random_state):
    """Return the torch seed ``LSTMRegressor.fit`` derives from ``random_state``.

    Parameters
    ----------
    random_state : int
        The estimator's ``random_state``.

    Returns
    -------
    seed : int
        What the library passes to :func:`torch.manual_seed`.
    """
    return int(np.random.RandomState(random_state).randint(2**31 - 1))


class Workload:
    """The data and settings of one timed workload.

    Parameters
    ----------
    name : str
        Label in the tables.
    X_train, y_train : ndarray
        Training windows ``(n, lookback, 1)`` and targets ``(n, 1)``, float32.
    predict_sets : list of (str, ndarray, ndarray)
        Label, windows and targets of each predict timing.
    hidden : int or tuple of int
        ``hidden_size`` of the network.
    epochs, batch_size : int
        Training length and batch size.
    lr : float
        Adam learning rate.
    """

    def __init__(
        self, name, X_train, y_train, predict_sets, hidden, epochs, batch_size, lr
    ):
        self.name = name
        self.X_train = X_train
        self.y_train = y_train
        self.predict_sets = predict_sets
        self.hidden = hidden
        self.epochs = epochs
        self.batch_size = batch_size
        self.lr = lr

    @property
    def steps(self):
        """Optimizer steps of one fit."""
        return self.epochs * -(-len(self.X_train) // self.batch_size)


class Runner:
    """Time library and hand-written fits and predictions on one device.

    Parameters
    ----------
    device : str
        ``'cpu'`` or ``'cuda'``.
    seed : int
        ``random_state`` of the library, from which the hand loop's torch seed
        is derived the same way.
    """

    def __init__(self, device, seed):
        import torch

        self.torch = torch
        self.device = device
        self.seed = seed

    def sync(self):
        """Wait for the GPU, so the clock reads finished work."""
        if self.device == "cuda":
            self.torch.cuda.synchronize()

    def clock(self, fn):
        """Run ``fn`` once; return its wall time in seconds and its result."""
        gc.collect()
        self.sync()
        t0 = time.perf_counter()
        result = fn()
        self.sync()
        return time.perf_counter() - t0, result

    def tensors(self, X, y=None):
        """Turn float32 arrays into tensors on the device (done once, untimed)."""
        torch = self.torch
        X_t = torch.as_tensor(np.ascontiguousarray(X, np.float32)).to(self.device)
        if y is None:
            return X_t
        y_t = torch.as_tensor(np.ascontiguousarray(y, np.float32)).to(self.device)
        return X_t, y_t

    # -- library
    def lib_fit(self, wl, X, y, epochs=None):
        """Fit an ``LSTMRegressor`` on numpy ``X`` and 1-D ``y``."""
        from lstmforecast.regressors import LSTMRegressor

        model = LSTMRegressor(
            wl.hidden,
            lr=wl.lr,
            batch_size=wl.batch_size,
            max_epochs=epochs or wl.epochs,
            random_state=self.seed,
            device=self.device,
            n_threads=None,  # the process's --threads, as the hand-written loop
        )
        return model.fit(X, y.ravel())

    @staticmethod
    def lib_predict(model, X):
        """Predict with the fitted estimator (float64 numpy out)."""
        return model.predict(X)

    # -- hand-written
    def hand_fit(self, wl, X_t, y_t, epochs=None):
        """Train a ``RecurrentModule`` with a plain PyTorch loop.

        Returns
        -------
        module : RecurrentModule
            The trained network.
        losses : list of float
            Mean training loss of each epoch.
        """
        from lstmforecast.nn import RecurrentModule

        torch = self.torch
        torch.manual_seed(torch_seed(self.seed))  # as LSTMRegressor.fit seeds
        module = RecurrentModule(X_t.shape[2], wl.hidden).to(self.device)
        optimizer = torch.optim.Adam(module.parameters(), lr=wl.lr)
        loss_fn = torch.nn.MSELoss()
        n, bs = len(X_t), wl.batch_size
        losses = []
        module.train()
        for _ in range(epochs or wl.epochs):
            order = torch.randperm(n, device=X_t.device)
            total = 0.0
            for start in range(0, n, bs):
                rows = order[start : start + bs]
                xb, yb = X_t[rows], y_t[rows]
                optimizer.zero_grad()
                loss = loss_fn(module(xb), yb)
                loss.backward()
                optimizer.step()
                total += loss.item() * len(rows)
            losses.append(total / n)
        return module, losses

    def hand_predict(self, module, X_t):
        """One no-grad forward on the whole tensor, to numpy."""
        module.eval()
        with self.torch.no_grad():
            return module(X_t).cpu().numpy()


def summarize(times):
    """Return the median, minimum and maximum of ``times``."""
    return statistics.median(times), min(times), max(times)


def fmt_time(seconds):
    """Format a duration in s or ms with 3-4 significant digits."""
    if seconds >= 1:
        return f"{seconds:.3f} s"
    return f"{seconds * 1e3:.3g} ms" if seconds >= 0.1e-3 else f"{seconds * 1e6:.3g} µs"


def fmt_cell(times):
    """Format ``median [min - max]`` of a list of durations."""
    med, lo, hi = summarize(times)
    return f"{fmt_time(med)} [{fmt_time(lo)} - {fmt_time(hi)}]"


def run_workload(runner, wl, reps, predict_repeat):
    """Warm up, then time ``reps`` interleaved library / hand fits and predictions.

    Parameters
    ----------
    runner : Runner
        Device and seed.
    wl : Workload
        What to run.
    reps : int
        Repetitions of each side.
    predict_repeat : int
        Predict calls per repetition (the median is kept).

    Returns
    -------
    res : dict
        ``fit`` and ``predict:<label>`` lists of times per side, the last fitted
        model / module, their losses and predictions.
    """
    X, y = wl.X_train, wl.y_train
    X_t, y_t = runner.tensors(X, y)
    pred_t = {label: runner.tensors(Xp) for label, Xp, _ in wl.predict_sets}

    # Warm-up: one short untimed fit and predict of each side (kernels, allocator).
    n_warm = min(len(X), 8 * wl.batch_size)
    model = runner.lib_fit(wl, X[:n_warm], y[:n_warm], epochs=1)
    runner.lib_predict(model, X[:n_warm])
    module, _ = runner.hand_fit(wl, X_t[:n_warm], y_t[:n_warm], epochs=1)
    runner.hand_predict(module, X_t[:n_warm])
    del model, module

    res = {"lib": {"fit": []}, "hand": {"fit": []}}
    for label, _, _ in wl.predict_sets:
        res["lib"][f"predict:{label}"] = []
        res["hand"][f"predict:{label}"] = []
    for rep in range(reps):
        order = ("lib", "hand") if rep % 2 == 0 else ("hand", "lib")
        for side in order:
            if side == "lib":
                res["lib_model"] = None
                dt, model = runner.clock(lambda: runner.lib_fit(wl, X, y))
                res["lib_model"] = model
                res["lib"]["fit"].append(dt)
                for label, Xp, _ in wl.predict_sets:
                    times = []
                    for _ in range(predict_repeat):
                        dt, pred = runner.clock(
                            lambda m=model, Xp=Xp: runner.lib_predict(m, Xp)
                        )
                        times.append(dt)
                    res["lib"][f"predict:{label}"].append(statistics.median(times))
                    res.setdefault("lib_pred", {})[label] = pred
            else:
                res["hand_module"] = None
                dt, (module, losses) = runner.clock(
                    lambda: runner.hand_fit(wl, X_t, y_t)
                )
                res["hand_module"], res["hand_losses"] = module, losses
                res["hand"]["fit"].append(dt)
                for label, _, _ in wl.predict_sets:
                    times = []
                    for _ in range(predict_repeat):
                        dt, pred = runner.clock(
                            lambda m=module, Xp=pred_t[label]: runner.hand_predict(
                                m, Xp
                            )
                        )
                        times.append(dt)
                    res["hand"][f"predict:{label}"].append(statistics.median(times))
                    res.setdefault("hand_pred", {})[label] = pred
        print(
            f"  rep {rep + 1}/{reps}: fit library {fmt_time(res['lib']['fit'][-1])}, "
            f"hand {fmt_time(res['hand']['fit'][-1])}",
            flush=True,
        )
    res["lib_losses"] = list(res["lib_model"].history_["train_loss"])
    return res


def report(wl, res, threads, device, check_targets):
    """Print the table of one workload; return its target results.

    Parameters
    ----------
    wl : Workload
        The workload.
    res : dict
        What :func:`run_workload` returned.
    threads : int
        torch threads (for the heading).
    device : str
        Device (for the heading).
    check_targets : bool
        Whether the issue's targets apply to this workload.

    Returns
    -------
    targets : list of (str, bool)
        Name and pass/fail of each target.
    """
    model = res["lib_model"]
    n = len(wl.X_train)
    print(
        f"\n{wl.name}: {n:,d} windows x {wl.X_train.shape[1]} x "
        f"{wl.X_train.shape[2]} (float32), LSTM {wl.hidden} ({model.n_params_:,d} "
        f"params), Adam lr {wl.lr:g}, MSE, batch {wl.batch_size}, {wl.epochs} "
        f"epochs = {wl.steps:,d} steps; {len(res['lib']['fit'])} reps, "
        f"{threads} threads, {device}"
    )
    rows = [
        (
            "",
            "library (LSTMRegressor)",
            "hand-written torch",
            "ratio of",
            "per-rep lib/hand",
            "",
        ),
        ("", "median [min - max]", "median [min - max]", "medians", "median [range]"),
    ]
    targets = []
    for key in res["lib"]:
        lib_t, hand_t = res["lib"][key], res["hand"][key]
        ratio = statistics.median(lib_t) / statistics.median(hand_t)
        paired = [a / b for a, b in zip(lib_t, hand_t, strict=True)]
        p_med, p_lo, p_hi = summarize(paired)
        target = FIT_TARGET if key == "fit" else PREDICT_TARGET
        verdict = ""
        if check_targets:
            ok = p_med <= target
            verdict = f"<= {target:.2f} {'PASS' if ok else 'FAIL'}"
            label = key.replace("predict:", "predict ")
            targets.append((f"{wl.name} {label}: {p_med:.2f} <= {target:.2f}", ok))
        rows.append(
            (
                key.replace("predict:", "predict "),
                fmt_cell(lib_t),
                fmt_cell(hand_t),
                f"{ratio:.2f}x",
                f"{p_med:.2f}x [{p_lo:.2f} - {p_hi:.2f}]",
                verdict,
            )
        )
    med = [statistics.median(res[side]["fit"]) for side in ("lib", "hand")]
    per = [m / (n * wl.epochs) * 1e6 for m in med]
    rows.append(
        (
            "fit per window-epoch",
            f"{per[0]:.2f} µs",
            f"{per[1]:.2f} µs",
            f"{per[0] / per[1]:.2f}x",
            "",
            "",
        )
    )
    per_step = [m / wl.steps for m in med]
    rows.append(
        (
            "fit per step",
            fmt_time(per_step[0]),
            fmt_time(per_step[1]),
            f"{per_step[0] / per_step[1]:.2f}x",
            "",
            "",
        )
    )
    rows = [r + ("",) * (6 - len(r)) for r in rows]
    widths = [max(len(r[i]) for r in rows) for i in range(6)]
    for r in rows:
        print(
            "  "
            + "  ".join(
                c.ljust(w) if i in (0, 5) else c.rjust(w)
                for i, (c, w) in enumerate(zip(r, widths, strict=True))
            ).rstrip()
        )
    lo = [min(res[side]["fit"]) / wl.steps for side in ("lib", "hand")]
    print(
        "  library overhead per step (fit): "
        f"{(per_step[0] - per_step[1]) * 1e6:+.0f} µs from the medians, "
        f"{(lo[0] - lo[1]) * 1e6:+.0f} µs from the minimums "
        f"({(per_step[0] - per_step[1]) * wl.steps:+.3f} s, "
        f"{(lo[0] - lo[1]) * wl.steps:+.3f} s per fit)"
    )
    return targets


def check(wl, res, require_decrease):
    """Compare the two sides' losses and predictions; return the failures.

    Parameters
    ----------
    wl : Workload
        The workload.
    res : dict
        What :func:`run_workload` returned.
    require_decrease : bool
        Also require the final loss below the first epoch's.

    Returns
    -------
    failures : list of str
        Empty when every check passes.
    """
    failures = []
    lib_l, hand_l = res["lib_losses"], res["hand_losses"]
    rel = abs(lib_l[-1] - hand_l[-1]) / max(lib_l[-1], hand_l[-1])
    print(
        f"  training loss (MSE), epoch 1 -> {wl.epochs}: library "
        f"{lib_l[0]:.5f} -> {lib_l[-1]:.5f}, hand {hand_l[0]:.5f} -> "
        f"{hand_l[-1]:.5f} (final rel. diff {rel:.2%})"
    )
    if rel > LOSS_RTOL:
        failures.append(
            f"{wl.name}: final training loss library {lib_l[-1]:.5f} vs hand "
            f"{hand_l[-1]:.5f} differ by {rel:.1%} > {LOSS_RTOL:.0%}"
        )
    if require_decrease and not lib_l[-1] < lib_l[0]:
        failures.append(f"{wl.name}: library training loss did not go down")
    if require_decrease and not hand_l[-1] < hand_l[0]:
        failures.append(f"{wl.name}: hand training loss did not go down")
    for label, _, yp in wl.predict_sets:
        lib_p = np.asarray(res["lib_pred"][label])
        hand_p = np.asarray(res["hand_pred"][label]).ravel()
        finite = bool(np.isfinite(lib_p).all())
        if not finite or lib_p.shape != (len(yp),) or lib_p.dtype != np.float64:
            failures.append(
                f"{wl.name}: library predictions on {label} are not finite float64 "
                f"of shape ({len(yp)},): {lib_p.dtype} {lib_p.shape}, "
                f"finite={finite}"
            )
            continue
        mse = [float(np.mean((p - yp.ravel()) ** 2)) for p in (lib_p, hand_p)]
        diff = float(np.max(np.abs(lib_p - hand_p)))
        print(
            f"  predict {label}: MSE library {mse[0]:.5f}, hand {mse[1]:.5f}; "
            f"max |library - hand| {diff:.2g}; library finite float64: yes"
        )
    return failures


def profile_fit(runner, wl, top):
    """Print the top ``top`` functions (own time) of one library fit."""
    import cProfile
    import pstats

    X, y = wl.X_train, wl.y_train
    profiler = cProfile.Profile()
    profiler.enable()
    runner.lib_fit(wl, X, y)
    profiler.disable()
    print(f"\ncProfile of one library fit ({wl.name}), top {top} by own time:")
    stats = pstats.Stats(profiler, stream=sys.stdout)
    stats.strip_dirs().sort_stats("tottime").print_stats(top)


# -------------------------------------------------------------------------- main
def main(argv=None):
    """Parse the arguments, run the workloads, print the tables and checks."""
    parser = argparse.ArgumentParser(
        description=__doc__.split("\n\n")[0],
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    add = parser.add_argument
    add("--reps", type=int, default=5, help="repetitions of the lab workload (5)")
    add("--threads", type=int, default=usable_cpus(), help="torch intra-op threads")
    add("--device", choices=["cpu", "cuda"], default="cpu")
    add("--seed", type=int, default=0, help="random_state and data seed (0)")
    add("--hours", type=int, default=1464, help="lab series length (1464)")
    add("--lab-epochs", type=int, default=30, help="lab epochs (30)")
    add("--predict-repeat", type=int, default=5, help="lab predict calls per rep")
    add("--skip-large", action="store_true", help="only the lab workload")
    add("--large-reps", type=int, default=3, help="repetitions of large (3)")
    add("--large-windows", type=int, default=50_000, help="windows (50000)")
    add("--large-lookback", type=int, default=168, help="window length (168)")
    add("--large-hidden", type=int, default=64, help="LSTM units (64)")
    add("--large-epochs", type=int, default=2, help="epochs (2)")
    add("--large-batch-size", type=int, default=32, help="batch size (32)")
    add("--no-check", action="store_true", help="report the targets, exit 0")
    add("--profile", type=int, default=0, metavar="N", help="cProfile top N")
    args = parser.parse_args(argv)
    lookback, test_size = 36, 240
    if args.hours < lookback + test_size + lookback + 2 * 32:
        parser.error("--hours too small for 36-hour windows and 240 test windows")
    if min(args.reps, args.large_reps, args.threads, args.predict_repeat) < 1:
        parser.error("--reps, --large-reps, --threads, --predict-repeat must be >= 1")
    if min(args.lab_epochs, args.large_epochs, args.large_batch_size) < 1:
        parser.error("epochs and batch size must be >= 1")
    if args.large_windows < args.large_batch_size or args.large_lookback < 1:
        parser.error(
            "need --large-windows >= --large-batch-size, --large-lookback >= 1"
        )

    import torch

    from lstmforecast.preprocessing import make_windows, time_train_test_split

    if args.device == "cuda" and not torch.cuda.is_available():
        print(
            f"--device cuda: torch {torch.__version__} sees no CUDA GPU; skipped "
            "(run without --device for the CPU benchmark)."
        )
        return 0
    torch.set_num_threads(args.threads)
    print(machine_info(args.device))
    print(f"load average at start: {load_average()}")
    try:  # measured before any work of ours
        busy = os.getloadavg()[0] > 0.5 * usable_cpus()
    except OSError:
        busy = False
    start = time.perf_counter()
    runner = Runner(args.device, args.seed)

    # --- lab workload
    series = synthetic_series(args.hours, args.seed)
    X, y = make_windows(series, lookback)
    X_tr, X_te, y_tr, y_te = time_train_test_split(
        X, y, test_size=test_size, gap=lookback
    )
    X_tr = np.ascontiguousarray(X_tr)
    lab = Workload(
        "lab",
        X_tr,
        y_tr,
        [(f"{len(X_tr):,d} train", X_tr, y_tr), (f"{len(X_te):,d} test", X_te, y_te)],
        (7, 3),
        args.lab_epochs,
        32,
        1e-3,
    )
    print(
        f"\nlab data: {args.hours:,d} hourly values in [0, 1] -> {len(X):,d} windows "
        f"of {lookback} -> {len(X_tr):,d} train, gap {lookback}, {len(X_te):,d} test"
    )
    workloads = [(lab, args.reps, args.predict_repeat, True)]
    if not args.skip_large:
        series = synthetic_series(args.large_windows + args.large_lookback, args.seed)
        X, y = make_windows(series, args.large_lookback)
        X = np.ascontiguousarray(X)
        large = Workload(
            "large",
            X,
            y,
            [(f"{len(X):,d} train", X, y)],
            args.large_hidden,
            args.large_epochs,
            args.large_batch_size,
            1e-3,
        )
        workloads.append((large, args.large_reps, 1, False))

    failures, targets = [], []
    for wl, reps, predict_repeat, is_lab in workloads:
        print(f"\nrunning {wl.name} ({reps} reps of each side, interleaved)...")
        res = run_workload(runner, wl, reps, predict_repeat)
        targets += report(wl, res, torch.get_num_threads(), args.device, is_lab)
        failures += check(wl, res, require_decrease=is_lab)
        if res["lib_model"].n_threads_ != args.threads:
            failures.append(
                f"{wl.name}: the library trained on {res['lib_model'].n_threads_} "
                f"threads, not {args.threads}"
            )
    if args.profile:
        profile_fit(runner, lab, args.profile)

    print(
        f"\ntotal time: {time.perf_counter() - start:.1f} s; load average at the "
        f"end: {load_average()}"
    )
    if busy:
        print(
            "note: the 1-minute load average was above half the CPUs at the start "
            "(something else was running just before): the timings may be unreliable."
        )
    print("\ntargets (lab workload, median of the per-pair ratios lib/hand):")
    for name, ok in targets:
        print(f"  {'PASS' if ok else 'FAIL'}  {name}")
    status = 0
    if failures:
        print("\nCORRECTNESS CHECK FAILED:")
        for msg in failures:
            print("  " + msg)
        status = 1
    else:
        print(
            "\ncorrectness: library predictions finite float64, final training "
            f"losses within {LOSS_RTOL:.0%} of the hand loop's, lab loss went down: OK"
        )
    if not all(ok for _, ok in targets):
        if args.no_check:
            print("targets missed (ignored: --no-check)")
        else:
            print("targets missed: exit status 1 (--no-check to ignore)")
            status = 1
    return status


if __name__ == "__main__":
    sys.exit(main())
