"""benchmarks/bench_cells.py in its smoke mode: every cell is timed against nn.LSTM."""

import numpy as np


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
