"""benchmarks/bench_check_stability.py: it checks the suite's own instances, counts
unexpected failures and ties each one to the seed that reproduces it."""

import numpy as np
from sklearn.linear_model import Ridge


class _NoisyRidge(Ridge):
    """A regressor that breaks sklearn's contract: predictions change per call."""

    def predict(self, X):
        noise = np.random.default_rng().normal(size=len(X))
        return super().predict(X) + noise


def test_the_instances_are_the_suites_regressors(load_benchmark):
    bench = load_benchmark("bench_check_stability")
    instances, expected = bench.suite_instances()
    names = {type(e).__name__ for e in instances}
    assert names == {"LSTMRegressor", "MLPRegressor"}
    assert not any("LBFGS" in repr(e) for e in instances)
    with_closure, _ = bench.suite_instances(closure=True)
    assert len(with_closure) == len(instances) + 1
    for e in with_closure:  # only the anchored instance has a listed failure
        wanted = {"check_regressor_multioutput"} if e.anchor is not None else set()
        assert set(expected(e)) == wanted, e


def test_failures_are_counted_with_their_seed(load_benchmark):
    bench = load_benchmark("bench_check_stability")
    rows = bench.stability([_NoisyRidge()], lambda e: {}, runs=2, seed_offset=5)
    (row,) = rows
    assert row["runs"] == 2 and row["failed"] > 0
    counted = row["passed"] + row["xfail"] + row["skipped"] + row["failed"]
    assert counted == 2 * row["checks"]
    assert {seed for seed, _, _ in row["failures"]} == {5, 6}
    assert all(check.startswith("check_") for _, check, _ in row["failures"])
    assert row["label"] == "_NoisyRidge(random_state='seed')"


def test_one_run_of_the_mlp_passes_every_check(load_benchmark, capsys):
    bench = load_benchmark("bench_check_stability")
    rows = bench.main(["--runs", "1", "--only", "MLPRegressor(batch_size=16"])
    text = capsys.readouterr().out
    (row,) = rows
    assert row["runs"] == 1 and row["checks"] > 40 and row["failed"] == 0
    assert "0 unexpected failure(s)" in text and "| instance | runs |" in text
