"""benchmarks/bench_architectures.py in its --quick mode: every row is scored."""

import numpy as np
import pytest


@pytest.mark.slow
def test_bench_architectures_quick_scores_every_architecture(
    load_benchmark, capsys, tmp_path
):
    bench = load_benchmark("bench_architectures")
    out = tmp_path / "arch"
    png = tmp_path / "attention.png"
    table = bench.main(["--quick", "--out", str(out), "--attention-png", str(png)])
    text = capsys.readouterr().out
    assert len(table) == 1 * 2 * 3  # horizons x architectures x cells
    assert set(table["cell"]) == {4159, 4556, 5161}
    assert set(table["architecture"]) == set(bench.QUICK)
    values = table[["mse / naive", "cost / naive", "fit s"]].to_numpy()
    assert np.isfinite(values).all() and (values > 0).all()
    wide = bench.wide_table(table)
    assert len(wide) == 2 and wide.index.is_unique  # one row per (H, architecture)
    assert np.isfinite(wide.to_numpy()).all()
    assert "cost / naive 5161" in text and "load average" in text
    lines = out.with_suffix(".md").read_text().splitlines()
    assert sum(line.startswith("|") for line in lines) == 2 + 2  # header, rule
    assert len(out.with_suffix(".csv").read_text().splitlines()) == 1 + 6
    assert png.stat().st_size > 0


def test_every_architecture_builds_a_window_pipeline(load_benchmark):
    bench = load_benchmark("bench_architectures")
    args = type("Args", (), {"lookback": 48, "epochs": 1})()
    for name in bench.ARCHITECTURES:
        pipe = bench._pipeline(name, 0, args)
        window = pipe[0]
        assert window.lookback == 48
        assert window.lazy == (name in bench.CELLS)  # seq2seq needs dense windows
    tf0 = bench._pipeline("seq2seq bahdanau tf=0", 0, args)[-1]
    assert tf0.teacher_forcing == 0.0 and tf0.attention == "bahdanau"
    assert bench._pipeline("seq2seq no attention", 0, args)[-1].attention is None
