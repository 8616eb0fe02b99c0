"""PerSeriesRegressor and fit_per_series without Dask: the local loop, its errors.

These need no cluster (``client=None`` fits in this process), so they run where
``dask[distributed]`` is not installed too.
"""

import importlib
import re
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from sklearn.base import clone
from sklearn.linear_model import LinearRegression
from sklearn.pipeline import make_pipeline
from sklearn.utils._param_validation import InvalidParameterError

from lstmforecast.parallel import PerSeriesRegressor, dask_client, fit_per_series
from lstmforecast.preprocessing import SlidingWindow
from lstmforecast.regressors import MLPRegressor


def _panel(cells=(4159, 5161, 5059), hours=40, seed=0):
    idx = pd.MultiIndex.from_product(
        [list(cells), pd.date_range("2013-11-01", periods=hours, freq="h")],
        names=["cell", "time"],
    )
    rng = np.random.default_rng(seed)
    t = np.tile(np.arange(hours), len(cells))
    level = np.repeat(np.arange(1.0, len(cells) + 1), hours)
    load = level * (1 + np.sin(2 * np.pi * t / 24)) + 0.1 * rng.normal(size=len(t))
    return pd.DataFrame({"load": load}, index=idx)


def _pipe():
    return make_pipeline(
        SlidingWindow(4), MLPRegressor((2,), max_epochs=1, random_state=0)
    )


@pytest.fixture(scope="module")
def panel():
    return _panel()


@pytest.fixture(scope="module")
def fitted(panel):
    return PerSeriesRegressor(_pipe()).fit(panel, panel["load"])


def test_fit_is_the_loop_of_clones(panel, fitted):
    X, y = panel, panel["load"]
    assert list(fitted.series_) == [4159, 5161, 5059]
    with pytest.warns(UserWarning, match="incomplete history"):
        got = fitted.predict(X)
    for cell in (4159, 5161, 5059):
        rows = X.index.get_level_values("cell") == cell
        alone = clone(_pipe()).fit(X[rows], y[rows])
        with pytest.warns(UserWarning, match="incomplete history"):
            expected = alone.predict(X[rows])
        np.testing.assert_array_equal(got[rows], expected)


def test_predict_routes_rows_in_input_order(panel, fitted):
    rows = [119, 38, 79, 39]  # last hours of three cells, cells interleaved
    X = panel.iloc[rows]
    got = fitted.predict(X)
    cells = X.index.get_level_values("cell")
    for cell in (4159, 5161, 5059):
        mine = cells == cell
        expected = fitted.estimators_[cell].predict(X[mine])
        np.testing.assert_array_equal(got[mine], expected)


def test_inputs_are_not_modified(panel):
    X, y = panel.copy(), panel["load"].copy()
    pipe = _pipe()
    before = repr(pipe.get_params())
    fit_per_series(pipe, X, y, progress=False)
    pd.testing.assert_frame_equal(X, panel)
    pd.testing.assert_series_equal(y, panel["load"])
    assert repr(pipe.get_params()) == before
    assert not hasattr(pipe[-1], "net_")  # clones were fitted, not the estimator


def test_fit_per_series_without_client_equals_fit(panel, fitted):
    model = fit_per_series(_pipe(), panel, panel["load"], progress=False)
    assert isinstance(model, PerSeriesRegressor)
    X = panel.iloc[[39, 79, 119]]
    np.testing.assert_array_equal(model.predict(X), fitted.predict(X))


def test_progress_line_per_fit_on_stderr(panel, capsys):
    fit_per_series(LinearRegression(), panel, panel["load"])
    err = capsys.readouterr().err.splitlines()
    assert len(err) == 3
    line = r"fit_per_series: 1/3 series 4159 fitted in \d+\.\d\d s"
    assert re.fullmatch(line, err[0])
    assert err[2].startswith("fit_per_series: 3/3 series 5059")


def test_progress_callback_gets_series_and_seconds(panel):
    seen = []
    fit_per_series(
        LinearRegression(),
        panel,
        panel["load"],
        series_per_fit=2,
        progress=lambda series, seconds: seen.append((series, seconds)),
    )
    assert [s for s, _ in seen] == [[4159, 5161], [5059]]
    assert all(seconds >= 0 for _, seconds in seen)


def test_series_per_fit_shares_one_clone_per_sub_panel(panel):
    X, y = panel, panel["load"]
    model = PerSeriesRegressor(LinearRegression(), series_per_fit=2).fit(X, y)
    est = model.estimators_
    assert est[4159] is est[5161] and est[5059] is not est[4159]
    rows = X.index.get_level_values("cell") != 5059
    joint = LinearRegression().fit(X[rows], y[rows])
    np.testing.assert_array_equal(est[4159].coef_, joint.coef_)
    np.testing.assert_allclose(model.predict(X)[rows], joint.predict(X[rows]))


def test_several_series_levels_and_numpy_y():
    X = _panel(hours=6).reset_index()
    X["region"] = np.where(X["cell"] == 5059, "south", "north")
    X = X.set_index(["region", "cell", "time"])[["load"]]
    y = X["load"].to_numpy() * 2
    model = PerSeriesRegressor(LinearRegression()).fit(X, y)
    assert list(model.series_) == [("north", 4159), ("north", 5161), ("south", 5059)]
    np.testing.assert_allclose(model.predict(X), y)


def test_two_d_targets_give_two_d_predictions(panel):
    Y = pd.DataFrame({"h1": panel["load"], "h2": 2 * panel["load"]})
    pred = PerSeriesRegressor(LinearRegression()).fit(panel, Y).predict(panel)
    assert pred.shape == (len(panel), 2)
    np.testing.assert_allclose(pred, Y.to_numpy())


# ---------------------------------------------------------------- bad input
@pytest.mark.parametrize(
    ("X", "got"),
    [
        (np.zeros((4, 1)), "got ndarray"),
        (pd.DataFrame({"load": [1.0, 2.0]}), "got a DataFrame indexed by a RangeIndex"),
    ],
)
def test_non_panel_X_is_refused(X, got):
    with pytest.raises(TypeError, match=f"must be a panel.*{got}.*X.set_index"):
        fit_per_series(LinearRegression(), X, np.zeros(len(X)), progress=False)


def test_one_row_series_is_refused(panel):
    X = pd.concat([panel, _panel(cells=(7,), hours=1)])
    with pytest.raises(ValueError, match=r"1 series with a single row \(7\)"):
        PerSeriesRegressor(LinearRegression()).fit(X, X["load"])


def test_unseen_series_at_predict_is_refused(panel, fitted):
    X = _panel(cells=(4159, 1, 2), hours=3)
    with pytest.raises(
        ValueError,
        match=r"2 series that fit did not see \(1, 2\); there is a model for 3 "
        r"series \(4159, 5161, 5059\)\. Predict the fitted series only",
    ):
        fitted.predict(X)


def test_wrong_target_rows_are_refused(panel):
    with pytest.raises(ValueError, match="has 3 rows for the 120 rows of X"):
        fit_per_series(LinearRegression(), panel, [1.0, 2.0, 3.0])
    shifted = panel["load"].iloc[::-1]
    with pytest.raises(ValueError, match="another index than X"):
        fit_per_series(LinearRegression(), panel, shifted)
    with pytest.raises(ValueError, match="requires y to be passed"):
        fit_per_series(LinearRegression(), panel, None)


def test_missing_series_label_is_refused():
    idx = pd.MultiIndex.from_arrays([[1.0, np.nan], [0, 1]], names=["cell", "t"])
    X = pd.DataFrame({"v": [1.0, 2.0]}, index=idx)
    with pytest.raises(ValueError, match="missing series label at row 1"):
        fit_per_series(LinearRegression(), X, [1.0, 2.0])


def test_a_fit_error_names_its_series(panel):
    pipe = make_pipeline(SlidingWindow(60), LinearRegression())  # longer than 40 h
    with pytest.raises(ValueError, match=r"^series 4159: ") as info:
        fit_per_series(pipe, panel, panel["load"], progress=False)
    assert "\n" not in str(info.value)


@pytest.mark.parametrize(
    ("kwargs", "match"),
    [
        ({"series_per_fit": 0}, "'series_per_fit' parameter of fit_per_series"),
        ({"progress": "yes"}, "'progress' parameter of fit_per_series"),
    ],
)
def test_bad_parameters(panel, kwargs, match):
    with pytest.raises(InvalidParameterError, match=match):
        fit_per_series(LinearRegression(), panel, panel["load"], **kwargs)
    with pytest.raises(InvalidParameterError, match="'estimator' parameter"):
        PerSeriesRegressor("ridge").fit(panel, panel["load"])


def test_dask_client_without_dask_says_the_fix(monkeypatch):
    import sys

    monkeypatch.setitem(sys.modules, "distributed", None)  # import fails
    with pytest.raises(ImportError, match=r"pip install 'lstmforecast\[dask\]'"):
        with dask_client():
            pass


# ------------------------------------------------------------------- docs
def _docstring_targets():
    module = importlib.import_module("lstmforecast.parallel")
    for name in module.__all__:
        obj = getattr(module, name)
        qualname = f"{obj.__module__}.{obj.__qualname__}"
        yield qualname, True  # classes and functions need an example
        if isinstance(obj, type):
            yield f"{qualname}.fit", False
            yield f"{qualname}.predict", False


@pytest.mark.parametrize(("qualname", "needs_example"), list(_docstring_targets()))
def test_numpydoc(qualname, needs_example):
    # tests/test_docstrings.py's check, for this subpackage
    numpydoc_validate = pytest.importorskip("numpydoc.validate")
    wanted = {"GL08", "PR01", "PR02", "RT01", "SS01"} | (
        {"EX01"} if needs_example else set()
    )
    result = numpydoc_validate.validate(qualname)
    errors = [f"{c}: {m}" for c, m in result["errors"] if c in wanted]
    assert not errors, "\n".join(errors)


def test_api_reference_lists_every_public_name():
    module = importlib.import_module("lstmforecast.parallel")
    api = (Path(__file__).parents[2] / "docs" / "api.md").read_text()
    section = api.split("## `lstmforecast.parallel`", 1)[1].split("\n## ", 1)[0]
    listed = [line.strip() for line in section.splitlines() if line.startswith("   ")]
    assert sorted(n for n in listed if not n.startswith(":")) == sorted(module.__all__)


def test_import_lstmforecast_parallel_does_not_load_dask():
    import subprocess
    import sys

    code = (
        "import sys, lstmforecast.parallel; "
        "print(any(m.split('.')[0] in ('dask', 'distributed', 'torch') "
        "for m in sys.modules))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert out.returncode == 0, out.stderr
    assert out.stdout.strip() == "False"
