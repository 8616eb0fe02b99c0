"""Lazy windows (``SlidingWindow(lazy=True)`` -> ``WindowArray``): the same windows."""

import pickle

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from lstmforecast.preprocessing import SlidingWindow, WindowArray


def _panel(n_cells=3, hours=30, seed=0, dtype=np.float64, by_time=True):
    rng = np.random.default_rng(seed)
    idx = pd.MultiIndex.from_product(
        [
            [f"c{i}" for i in range(n_cells)],
            pd.date_range("2013-11-01", periods=hours, freq="h"),
        ],
        names=["cell", "time"],
    )
    frame = pd.DataFrame(
        {
            "v": rng.normal(size=len(idx)),
            "hour": np.tile(np.arange(hours) % 24, n_cells),
        },
        index=idx,
    ).astype(dtype)
    if by_time:  # rows interleaved: sorted by time, then cell
        frame = frame.iloc[np.lexsort((frame.index.codes[0], frame.index.codes[1]))]
    return frame


def _times(frame):
    return frame.index.get_level_values("time")


@pytest.mark.parametrize("dtype", [np.float64, np.float32])
@pytest.mark.parametrize("known", [None, "hour"])
def test_lazy_panel_windows_equal_the_materialised_ones(dtype, known):
    panel = _panel(dtype=dtype)
    train = panel[_times(panel) < "2013-11-02"]
    test = panel[_times(panel) >= "2013-11-02"]
    for part in (train, test, panel):
        lazy = (
            SlidingWindow(5, known_columns=known, lazy=True).fit(train).transform(part)
        )
        dense = SlidingWindow(5, known_columns=known).fit(train).transform(part)
        assert isinstance(lazy, WindowArray)
        assert lazy.shape == dense.shape and lazy.dtype == dense.dtype
        np.testing.assert_array_equal(np.asarray(lazy), dense)
        # each row's series is its own cell label
        cells = part.index.get_level_values("cell")
        assert [lazy.series_keys[c] for c in lazy.series] == list(cells)


def test_lazy_single_series_equals_the_view_and_carries_history():
    values = np.arange(40.0).reshape(-1, 2)
    sw = SlidingWindow(3, lazy=True).fit(values[:12])
    dense = SlidingWindow(3).fit(values[:12])
    frame = pd.DataFrame(
        values, index=pd.date_range("2013-11-01", periods=20, freq="h")
    )
    for X in (values, values[12:]):
        np.testing.assert_array_equal(np.asarray(sw.transform(X)), dense.transform(X))
    lazy = (
        SlidingWindow("3h", lazy=True).fit(frame.iloc[:12]).transform(frame.iloc[12:])
    )
    np.testing.assert_array_equal(lazy.take([0])[0], values[9:12])  # the fitted tail
    assert lazy.series is None and lazy.series_keys is None and lazy.n_series == 1


def test_an_unseen_series_gets_no_history_and_is_labelled():
    panel = _panel(n_cells=2)
    train = panel[_times(panel) < "2013-11-01 20:00"]
    new = panel.rename(index={"c0": "c9"}, level="cell")
    new = new[_times(new) >= "2013-11-01 20:00"]
    lazy = SlidingWindow(4, lazy=True).fit(train).transform(new)
    dense = SlidingWindow(4).fit(train).transform(new)
    np.testing.assert_array_equal(np.asarray(lazy), dense)
    assert set(lazy.series_keys) == {"c9", "c1"}
    unseen = np.asarray([lazy.series_keys[c] == "c9" for c in lazy.series])
    assert not lazy.complete()[unseen][:4].any()  # its first windows lack history
    assert lazy.complete()[~unseen].all()  # c1 continues its fitted tail


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    lookback=st.integers(1, 6),
    row=st.integers(0, 89),
    seed=st.integers(0, 10_000),
)
def test_a_window_never_reads_its_row_its_future_or_another_series(lookback, row, seed):
    """Changing row r, its series' later rows or any other series keeps r's window."""
    panel = _panel(hours=30, seed=seed, by_time=False)
    sw = SlidingWindow(lookback, lazy=True).fit(panel)
    before = sw.transform(panel)
    cell = panel.index[row][0]
    changed = panel.copy()
    same_cell = (changed.index.get_level_values("cell") == cell) & (
        _times(changed) >= panel.index[row][1]
    )
    changed.loc[same_cell | (changed.index.get_level_values("cell") != cell), "v"] += (
        1e3
    )
    after = sw.transform(changed)
    np.testing.assert_array_equal(before.take([row]), after.take([row]))


def test_indexing_is_lazy_and_behaves_like_an_array():
    panel = _panel()
    lazy = SlidingWindow(4, lazy=True).fit_transform(panel)
    dense = SlidingWindow(4).fit_transform(panel)
    rows = np.array([5, 1, 40])
    mask = np.arange(len(lazy)) % 3 == 0
    for key in (slice(10, 20), rows, mask):
        part = lazy[key]
        assert isinstance(part, WindowArray) and part.base is lazy.base
        np.testing.assert_array_equal(np.asarray(part), dense[key])
    np.testing.assert_array_equal(lazy[7], dense[7])
    np.testing.assert_array_equal(lazy[:, :, 0], dense[:, :, 0])
    np.testing.assert_array_equal(lazy[7, -1], dense[7, -1])
    np.testing.assert_array_equal(
        lazy.take(rows, dtype=np.float32), dense[rows].astype(np.float32)
    )
    assert len(lazy) == len(dense) and lazy.ndim == 3
    np.testing.assert_array_equal(lazy.complete(), ~np.isnan(dense).any(axis=(1, 2)))
    again = pickle.loads(pickle.dumps(lazy))
    np.testing.assert_array_equal(np.asarray(again), dense)
    assert "n_series=3" in repr(lazy) and "lookback=4" in repr(lazy)


def test_the_windows_are_never_materialised():
    """A panel's lazy windows hold the rows once, not lookback times."""
    panel = _panel(n_cells=20, hours=200)
    lazy = SlidingWindow(48, lazy=True).fit_transform(panel)
    dense_bytes = len(lazy) * 48 * 2 * 8
    assert lazy.nbytes < dense_bytes / 10
    assert not lazy.base.flags.writeable


def test_coverage_counts_the_windows_over_each_row():
    lazy = SlidingWindow(3, lazy=True).fit_transform(np.arange(10.0)[:, None])
    rows = np.flatnonzero(lazy.complete())
    counts = lazy.coverage(rows)
    by_hand = np.zeros(len(lazy.base), dtype=int)
    for start in lazy.starts[rows]:
        by_hand[start : start + 3] += 1
    np.testing.assert_array_equal(counts, by_hand)


def test_inputs_are_not_modified():
    panel = _panel()
    copy = panel.copy()
    base = np.zeros((10, 1))
    SlidingWindow(4, lazy=True).fit(panel).transform(panel)
    WindowArray(base, [0, 1], 3)
    pd.testing.assert_frame_equal(panel, copy)
    assert base.flags.writeable


@pytest.mark.parametrize(
    "make, match",
    [
        (lambda: WindowArray(np.zeros(5), [0], 2), r"'base' as a 2-D float array"),
        (lambda: WindowArray(np.zeros((5, 1), int), [0], 2), r"2-D float array"),
        (lambda: WindowArray(np.zeros((5, 1)), [4], 2), r"window start outside 'base'"),
        (lambda: WindowArray(np.zeros((5, 1)), [0], 2, series=[0]), r"together"),
        (
            lambda: np.asarray(WindowArray(np.zeros((5, 1)), [0], 2), copy=False),
            r"without a copy",
        ),
        (
            lambda: WindowArray(np.zeros((5, 1)), [0, 1], 2)[np.array([True])],
            r"one value per window",
        ),
        (
            lambda: WindowArray(np.zeros((5, 1)), [0, 1], 2)[np.array([0.5])],
            r"int, a slice",
        ),
        (
            lambda: SlidingWindow(3, flatten=True, lazy=True).fit(np.zeros((9, 1))),
            r"flatten=True and lazy=True",
        ),
    ],
)
def test_bad_input_is_one_clear_line(make, match):
    with pytest.raises((ValueError, IndexError), match=match) as info:
        make()
    assert "\n" not in str(info.value)
