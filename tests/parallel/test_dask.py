"""On a 2-worker LocalCluster: the fan-out, the fleet, a grid search and a fitted
pipeline give what the local run gives; torch threads per worker; bad schedulers.

One cluster for the module (2 worker processes x 1 thread, started by
``dask_client`` itself); every test that needs workers shares it. Under
pytest-xdist the module runs in one test process (the ``xdist_group``): two
clusters started at once by two test processes on one machine left the
fan-out waiting forever.
"""

import operator
import socket
import time
import warnings

import numpy as np
import pandas as pd
import pytest

distributed = pytest.importorskip("distributed")

pytestmark = pytest.mark.xdist_group("dask-cluster")

import joblib  # noqa: E402
import torch  # noqa: E402
from sklearn.model_selection import GridSearchCV  # noqa: E402
from sklearn.pipeline import Pipeline  # noqa: E402

from lstmforecast.metrics import make_provisioning_scorer  # noqa: E402
from lstmforecast.model_selection import PanelTimeSeriesSplit  # noqa: E402
from lstmforecast.parallel import (  # noqa: E402
    PerSeriesRegressor,
    dask_client,
    fit_per_series,
)
from lstmforecast.preprocessing import SlidingWindow  # noqa: E402
from lstmforecast.regressors import LSTMRegressor  # noqa: E402


@pytest.fixture(scope="module")
def client():
    start = time.perf_counter()
    with dask_client(n_workers=2, threads_per_worker=1, dashboard_address=None) as c:
        # import torch, skorch and the regressors on both workers once, up front
        c.run(exec, "import lstmforecast.regressors, lstmforecast.parallel")
        print(f"cluster up in {time.perf_counter() - start:.1f} s")
        yield c


def _panel(cells=(4159, 5161, 5059, 899), hours=48, seed=0):
    idx = pd.MultiIndex.from_product(
        [list(cells), pd.date_range("2013-11-01", periods=hours, freq="h")],
        names=["cell", "time"],
    )
    rng = np.random.default_rng(seed)
    t = np.tile(np.arange(hours), len(cells))
    level = np.repeat(np.linspace(0.5, 1.5, len(cells)), hours)
    load = level * (1 + np.sin(2 * np.pi * t / 24)) + 0.1 * rng.normal(size=len(t))
    return pd.DataFrame({"load": load}, index=idx)


def _pipe(hidden=(2,)):
    return Pipeline(
        [
            ("window", SlidingWindow(6)),
            ("model", LSTMRegressor(hidden, max_epochs=1, random_state=0)),
        ]
    )


def _quiet_predict(model, X):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)  # first hours: no history
        return model.predict(X)


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _task_threads(client) -> list:
    """torch's threads as seen by a task on each worker (not its event loop)."""
    return [
        client.submit(torch.get_num_threads, pure=False, workers=[w]).result()
        for w in sorted(client.nthreads())
    ]


# ------------------------------------------------------------------ cluster
def test_local_cluster_has_two_single_threaded_workers(client):
    assert sorted(client.nthreads().values()) == [1, 1]
    assert _task_threads(client) == [1, 1]


def test_torch_threads_are_set_in_every_task_thread(client):
    address = client.scheduler.address
    with dask_client(address, torch_threads=2) as other:  # the running cluster
        assert _task_threads(other) == [2, 2]
    with dask_client(address, torch_threads=1):
        pass
    assert _task_threads(client) == [1, 1]


def test_unreachable_scheduler_is_one_line_naming_the_address():
    address = f"tcp://127.0.0.1:{_free_port()}"
    start = time.perf_counter()
    with pytest.raises(ConnectionError) as info:
        with dask_client(address, timeout=1):
            pass
    assert time.perf_counter() - start < 8
    message = str(info.value)
    assert "\n" not in message
    expected = f"dask_client could not reach a Dask scheduler at '{address}'"
    assert message.startswith(expected)
    assert "scheduler=None for a local cluster" in message


def test_malformed_address_and_local_options_with_a_scheduler():
    with pytest.raises(ValueError, match=r"got 'nonsense' \(missing port number"):
        with dask_client("nonsense"):
            pass
    with pytest.raises(ValueError, match="n_workers, memory_limit, which shape a"):
        with dask_client("tcp://127.0.0.1:1", n_workers=2, memory_limit="1GB"):
            pass


# ------------------------------------------------------------------ fan-out
def test_fan_out_on_dask_equals_the_local_loop(client):
    X = _panel()
    seen = []
    remote = fit_per_series(
        _pipe(), X, X["load"], client=client, progress=lambda s, t: seen.append(s)
    )
    local = PerSeriesRegressor(_pipe()).fit(X, X["load"])
    assert sorted(s[0] for s in seen) == [899, 4159, 5059, 5161]
    assert list(remote.series_) == list(local.series_)
    np.testing.assert_array_equal(_quiet_predict(remote, X), _quiet_predict(local, X))
    for cell in local.series_:
        a, b = remote.estimators_[cell][-1], local.estimators_[cell][-1]
        assert a.history_["train_loss"].tolist() == b.history_["train_loss"].tolist()


def test_progress_lines_on_stderr_one_per_task(client, capsys):
    X = _panel(cells=(1, 2, 3), hours=12)
    from sklearn.linear_model import LinearRegression

    fit_per_series(LinearRegression(), X, X["load"], client=client)
    lines = capsys.readouterr().err.splitlines()
    lines = [line for line in lines if line.startswith("fit_per_series:")]
    assert len(lines) == 3
    assert {line.split()[1] for line in lines} == {"1/3", "2/3", "3/3"}


def test_fleet_on_dask_in_sub_panels_equals_the_local_run(client):
    from lstmforecast.regressors import FleetRegressor

    X = _panel()
    fleet = FleetRegressor(
        LSTMRegressor((2,), max_epochs=1, random_state=0), window=SlidingWindow(6)
    )
    remote = fit_per_series(
        fleet, X, X["load"], client=client, series_per_fit=2, progress=False
    )
    local = PerSeriesRegressor(fleet, series_per_fit=2).fit(X, X["load"])
    assert remote.estimators_[4159] is remote.estimators_[5161]
    got = _quiet_predict(remote, X)
    np.testing.assert_array_equal(got, _quiet_predict(local, X))
    # and a fleet over sub-panels is the fleet over the whole panel
    whole = _quiet_predict(fleet.fit(X, X["load"]), X)
    np.testing.assert_allclose(got, whole, rtol=0, atol=1e-6)


def test_a_failing_task_names_its_series_and_leaves_nothing(client):
    X = _panel(hours=48)
    X = pd.concat([X, _panel(cells=(7,), hours=5)])  # too short for the window
    with pytest.raises(ValueError, match=r"^series 7: ") as info:
        fit_per_series(_pipe(), X, X["load"], client=client, progress=False)
    assert "\n" not in str(info.value)
    deadline = time.monotonic() + 5
    while time.monotonic() < deadline:
        keys = [k for ks in client.has_what().values() for k in ks]
        if not any(str(k).startswith("fit_per_series-") for k in keys):
            break
        time.sleep(0.1)
    assert not any(str(k).startswith("fit_per_series-") for k in keys)


# -------------------------------------------------------------- grid search
def test_grid_search_with_the_dask_backend_equals_n_jobs_1(client):
    X = _panel(cells=(4159, 5161), hours=72)
    search = GridSearchCV(
        _pipe(),
        {"model__hidden_size": [(2,), (3,)], "model__lr": [1e-3, 1e-2]},
        scoring=make_provisioning_scorer(alpha=1.0, beta=10.0),
        cv=PanelTimeSeriesSplit(n_splits=2, test_size=12),
    )
    local = search.fit(X, X["load"])
    local_scores = local.cv_results_["mean_test_score"].copy()
    local_splits = [local.cv_results_[f"split{k}_test_score"].copy() for k in (0, 1)]
    best = dict(local.best_params_)
    with distributed.get_task_stream(client) as stream:
        with joblib.parallel_backend("dask"):
            remote = GridSearchCV(**{**search.get_params(deep=False), "n_jobs": -1})
            remote.fit(X, X["load"])
    assert len({task["worker"] for task in stream.data}) >= 1  # ran on the workers
    np.testing.assert_array_equal(remote.cv_results_["mean_test_score"], local_scores)
    for k in (0, 1):
        np.testing.assert_array_equal(
            remote.cv_results_[f"split{k}_test_score"], local_splits[k]
        )
    assert remote.best_params_ == best


# --------------------------------------------------------------- round trip
def test_fitted_pipeline_round_trips_through_a_worker(client):
    X = _panel(cells=(4159,), hours=60)
    train, test = X.iloc[:48], X.iloc[48:]
    pipe = _pipe().fit(train, train["load"])
    expected = pipe.predict(test)  # continues the fitted tail: no NaN
    sent = client.scatter(pipe)
    on_worker = client.submit(operator.methodcaller("predict", test), sent).result()
    np.testing.assert_array_equal(on_worker, expected)
    back = sent.result()  # the pipeline, serialised there and back
    assert back is not pipe
    np.testing.assert_array_equal(back.predict(test), expected)


# ---------------------------------------------------------------- benchmark
def test_bench_dask_smoke(client, load_benchmark, capsys):
    bench = load_benchmark("bench_dask")
    out = bench.measure(client, n_cells=4, hours=48, epochs=1, hidden=2, lookback=6)
    text = capsys.readouterr().out
    assert "local loop" in text and "fit_per_series on" in text
    assert out["identical"] is True
    assert out["local_s"] > 0 and out["dask_s"] > 0 and out["one_task_s"] > 0
    assert "the loop inside one task" in text


# ---------------------------------------------------------------------- CLI
def _read_forecasts(path):
    return pd.read_csv(path, float_precision="round_trip")  # floats read back exactly


def test_cli_forecast_cells_on_the_running_cluster(
    client, raw_folder, fast_options, local_forecast, tmp_path, capsys
):
    from lstmforecast.cli import main

    address = client.scheduler.address
    argv = ["--data-dir", str(raw_folder), "--output", str(tmp_path / "f.csv")]
    argv += fast_options + ["--scheduler", address]
    assert main(["forecast-cells", *argv]) == 0
    out = capsys.readouterr().out
    assert f"fitting 3 cell(s) on 2 Dask worker(s) ({address})" in out
    assert len([line for line in out.splitlines() if ": fitted in " in line]) == 3
    got = _read_forecasts(tmp_path / "f.csv")
    model, frame, expected = local_forecast(argv)
    assert list(got.columns) == ["cell", "time", "step", "forecast"]
    assert got["cell"].tolist() == expected["cell"].tolist()
    assert got["step"].tolist() == [1, 2] * 3
    assert got["time"].tolist() == [t.isoformat(sep=" ") for t in expected["time"]]
    np.testing.assert_array_equal(got["forecast"], expected["forecast"])
    # the forecast continues each cell's data: the full history, one more row
    cell = int(got["cell"][0])
    history = frame.loc[[cell]]
    nxt = pd.DataFrame(
        {"internet": [np.nan]},
        index=pd.MultiIndex.from_tuples(
            [(cell, history.index[-1][1] + pd.Timedelta("1h"))],
            names=frame.index.names,
        ),
    )
    full = _quiet_predict(model.estimators_[cell], pd.concat([history, nxt]))
    np.testing.assert_allclose(full[-1], got["forecast"][:2], rtol=1e-12)


def test_cli_failing_fit_exits_2_and_leaves_the_old_output(
    client, raw_folder, tmp_path, capsys
):
    from lstmforecast.cli import main

    output = tmp_path / "f.csv"
    output.write_text("old\n")
    argv = ["forecast-cells", "--data-dir", str(raw_folder), "--output", str(output)]
    argv += ["--lookback", "100", "--epochs", "1"]  # longer than the 72 hours
    assert main([*argv, "--scheduler", client.scheduler.address]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and err[0].startswith("lstmforecast: error: series ")
    assert output.read_text() == "old\n"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["f.csv"]
