"""benchmarks/bench_cells.py in its smoke mode: every cell is timed against nn.LSTM."""

import numpy as np
import pytest


def test_bench_cells_times_every_cell_against_nn_lstm(load_benchmark, capsys):
    bench = load_benchmark("bench_cells")
    table = bench.main(["--smoke"])
    text = capsys.readouterr().out
    cells = ["lstm", "peephole", "slstm", "mlstm", "gru", "rnn"]
    assert list(table["cell"]) == cells
    ratios = table[["x nn.LSTM", "x nn.LSTM, min"]].to_numpy()
    assert np.isfinite(ratios).all() and (table["ms / step"] > 0).all()
    assert table.loc[table["cell"] == "lstm", "x nn.LSTM"].item() == 1.0
    assert "ratio to nn.LSTM" in text and "load" in text


def test_a_failed_compile_is_a_note_not_an_error(load_benchmark, monkeypatch):
    bench = load_benchmark("bench_cells")

    def broken(*args, **kwargs):
        raise RuntimeError("no compiler here")

    monkeypatch.setattr("torch.compile", broken)
    args = bench.parse(["--smoke", "--cells", "peephole"])
    medians, failed = bench.time_cells(["peephole"], 3, 4, 2, args, compiled=True)
    assert medians == {} and set(failed) == {"lstm", "peephole"}
    assert failed["peephole"] == "RuntimeError: no compiler here"


def test_a_missing_gpu_is_a_one_line_refusal(load_benchmark, monkeypatch, capsys):
    import torch

    bench = load_benchmark("bench_cells")
    monkeypatch.setattr(torch.cuda, "is_available", lambda: False)
    with pytest.raises(SystemExit):
        bench.parse(["--smoke", "--device", "cuda"])
    assert "--device cuda: no CUDA device" in capsys.readouterr().err


@pytest.mark.gpu
def test_the_step_benchmark_on_the_gpu(load_benchmark, capsys):
    import torch

    if not torch.cuda.is_available():
        pytest.skip("no CUDA device")
    table = load_benchmark("bench_cells").main(["--smoke", "--device", "cuda"])
    assert np.isfinite(table["x nn.LSTM"]).all() and (table["ms / step"] > 0).all()
    assert "device cuda" in capsys.readouterr().out
