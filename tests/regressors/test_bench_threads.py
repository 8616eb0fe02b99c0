"""benchmarks/bench_threads.py at tiny settings: it runs, idle and busy, and 'auto'
resolves as the library documents."""

import numpy as np
import pytest


@pytest.fixture(scope="module")
def bench(load_benchmark):
    return load_benchmark("bench_threads")


@pytest.mark.slow
def test_bench_threads_times_every_setting_idle_and_busy(bench, capsys):
    out = bench.main(
        ["--threads", "2", "--epochs", "1", "--big-epochs", "1", "--big-hidden", "8"]
        + ["--big-batch", "64", "--reps", "1", "--retries", "0"]
    )
    text = capsys.readouterr().out
    assert "busy (a child process spinning on one core):" in text
    assert set(out) == {"idle", "busy"}
    for condition in out.values():
        assert set(condition) == {"lab (7, 3), b32", "big 8, b64"}
        for res in condition.values():
            for setting in ("1 thread", "2 threads", "auto"):
                assert np.isfinite(res[setting]["fit"]).all()
            assert res["1 thread"]["threads"] == 1
            assert res["2 threads"]["threads"] == 2
            assert res["auto"]["threads"] == 1  # both are small networks
