"""The CLI's model file: exact round trips, no code run from a file, and every bad
file a one-line error (exit status 2) that names the file, what was expected and
the fix."""

import io
import json
import os
import pathlib
import pickle
import warnings
import zipfile

import joblib
import numpy as np
import pandas as pd
import pytest
import torch
from sklearn.pipeline import Pipeline

from lstmforecast import __version__
from lstmforecast._model_file import (
    FORMAT_VERSION,
    ModelFileError,
    load_model,
    save_model,
)
from lstmforecast.cli import main
from lstmforecast.preprocessing import SlidingWindow
from lstmforecast.regressors import EpochProgress, LSTMRegressor, MLPRegressor

HOURS = 120
TIMES = pd.date_range("2013-11-01", periods=HOURS, freq="h", tz="Europe/Rome")


def _series(n, start, seed):
    rng = np.random.default_rng(seed)
    t = np.arange(n)
    values = 500 + 120 * np.sin(2 * np.pi * t / 24) + rng.normal(0, 10, n)
    times = pd.date_range(start, periods=n, freq="h", tz="Europe/Rome")
    return pd.DataFrame({"internet": values}, index=times)


FRAME = _series(HOURS, TIMES[0], 0)
LATER = _series(48, TIMES[-1] + pd.Timedelta("1h"), 1)  # continues FRAME


def _cli_pipeline(model):
    """The pipeline 'lstmforecast fit' builds (callbacks included)."""
    model.set_params(
        center="last",
        scale="std",
        max_epochs=2,
        random_state=0,
        n_threads=1,
        callbacks=[EpochProgress(every=1, name="fit")],
    )
    return Pipeline([("window", SlidingWindow(6)), ("model", model)])


def _fit_and_save(kind, folder):
    model = LSTMRegressor((4, 3)) if kind == "lstm" else MLPRegressor(4)
    pipeline = _cli_pipeline(model).fit(FRAME, FRAME["internet"])
    path = folder / "model.lstmf"
    save_model(
        path,
        pipeline,
        target="internet",
        time_column="time",
        first_time=FRAME.index[0],
        last_time=FRAME.index[-1],
    )
    return pipeline, path


@pytest.fixture(scope="module", params=["lstm", "mlp"])
def fitted(request, tmp_path_factory):
    """A fitted CLI-shaped pipeline and its model file (fitted once per module)."""
    return _fit_and_save(request.param, tmp_path_factory.mktemp(request.param))


@pytest.fixture(scope="module")
def mlp_file(tmp_path_factory):
    """The model file of a fitted MLP pipeline, the source of the bad files."""
    return _fit_and_save("mlp", tmp_path_factory.mktemp("bad"))[1]


def _predict(pipeline, X):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)  # the first rows: no history
        return pipeline.predict(X)


def test_round_trip_predicts_exactly_the_same(fitted):
    pipeline, path = fitted
    bundle = load_model(path)
    loaded = bundle["pipeline"]
    for X in (FRAME, LATER, FRAME.iloc[50:70]):
        np.testing.assert_array_equal(_predict(loaded, X), _predict(pipeline, X))
    assert bundle["target"] == "internet" and bundle["time_column"] == "time"
    assert bundle["first_time"] == FRAME.index[0]
    assert bundle["last_time"] == FRAME.index[-1]
    assert bundle["library_version"] == __version__
    assert bundle["dropped_params"] == {
        "model__callbacks": "skorch callbacks act during training only"
    }
    assert loaded[-1].callbacks is None
    assert pipeline[-1].callbacks is not None  # saving left the pipeline alone
    assert loaded[-1].summary() == pipeline[-1].summary()


def _same(a, b):
    if isinstance(a, np.ndarray):
        return a.dtype == b.dtype and np.array_equal(a, b, equal_nan=a.dtype == float)
    if isinstance(a, pd.Index):
        return a.equals(b) and a.dtype == b.dtype
    if isinstance(a, pd.DataFrame):
        pd.testing.assert_frame_equal(a, b)
        return True
    if isinstance(a, float) and np.isnan(a):
        return np.isnan(b)
    return type(a) is type(b) and a == b


def test_round_trip_keeps_every_parameter_and_fitted_attribute(fitted):
    pipeline, path = fitted
    loaded = load_model(path)["pipeline"]
    assert [name for name, _ in loaded.steps] == ["window", "model"]
    for (_, original), (_, copy) in zip(pipeline.steps, loaded.steps, strict=True):
        assert type(copy) is type(original)
        state = {k: v for k, v in vars(original).items() if k not in ("net_",)}
        if "callbacks" in state:
            state["callbacks"] = None  # dropped, and said so
        assert set(vars(copy)) - {"net_"} == set(state)
        for key, value in state.items():
            assert _same(value, vars(copy)[key]), key
    original_weights = pipeline[-1].net_.module_.state_dict()
    for key, tensor in loaded[-1].net_.module_.state_dict().items():
        assert torch.equal(tensor, original_weights[key]), key


def test_file_is_plain_data_and_loads_without_pickle(fitted, monkeypatch):
    _, path = fitted
    with zipfile.ZipFile(path) as archive:
        names = archive.namelist()
        manifest = json.loads(archive.read("model.json"))
    assert names[0] == "model.json"
    assert all(
        n == "model.json"
        or n.startswith("arrays/")
        and n.endswith(".npy")
        or n.startswith("weights/")
        and n.endswith(".pt")
        for n in names
    ), names
    assert manifest["format_version"] == FORMAT_VERSION
    assert manifest["training"]["first_time"]["tz"] == "Europe/Rome"

    def refuse(*args, **kwargs):
        raise AssertionError("a model file must load without pickle")

    for module, name in [(pickle, "load"), (pickle, "loads"), (joblib, "load")]:
        monkeypatch.setattr(module, name, refuse)
    load_model(path)


def test_global_torch_random_state_is_left_alone(fitted):
    _, path = fitted
    torch.manual_seed(123)
    expected = torch.rand(3)
    torch.manual_seed(123)
    load_model(path)
    assert torch.equal(torch.rand(3), expected)


def test_save_writes_the_same_bytes_twice(fitted, tmp_path):
    pipeline, path = fitted
    again = tmp_path / "again.lstmf"
    save_model(
        again,
        pipeline,
        target="internet",
        time_column="time",
        first_time=FRAME.index[0],
        last_time=FRAME.index[-1],
    )
    with zipfile.ZipFile(path) as a, zipfile.ZipFile(again) as b:
        assert a.read("model.json") == b.read("model.json")
    assert [p.name for p in tmp_path.iterdir()] == ["again.lstmf"]  # no temp file


def test_save_refuses_what_a_file_cannot_hold(tmp_path):
    model = MLPRegressor(4, max_epochs=1, random_state=0, optimizer=torch.optim.SGD)
    pipeline = Pipeline([("window", SlidingWindow(6)), ("model", model)])
    pipeline.fit(FRAME, FRAME["internet"])
    with pytest.raises(ValueError, match="Cannot save model.optimizer"):
        save_model(
            tmp_path / "m.lstmf",
            pipeline,
            target="internet",
            time_column="time",
            first_time=FRAME.index[0],
            last_time=FRAME.index[-1],
        )
    assert not list(tmp_path.iterdir())


# ------------------------------------------------------------ bad model files
def _rewrite(src, dst, *, manifest=None, members=None, drop=()):
    """Copy a model archive, editing model.json and replacing or dropping members."""
    with zipfile.ZipFile(src) as old, zipfile.ZipFile(dst, "w") as new:
        for name in old.namelist():
            if name in drop:
                continue
            data = old.read(name)
            if name == "model.json" and manifest is not None:
                data = json.dumps(manifest(json.loads(data))).encode()
            new.writestr(name, (members or {}).get(name, data))
    return dst


def _edit(dotted, value):
    def edit(manifest):
        node = manifest
        *parents, last = dotted
        for key in parents:
            node = node[key]
        node[last] = value
        return manifest

    return edit


class _RunsCommand:
    """A pickle that would create ``marker`` when unpickled."""

    def __init__(self, marker):
        self.marker = marker

    def __reduce__(self):
        return (pathlib.Path.touch, (pathlib.Path(self.marker),))


def _wrong_weights(path, tmp_path):
    with zipfile.ZipFile(path) as archive:
        state = torch.load(
            io.BytesIO(archive.read("weights/model.pt")), weights_only=True
        )
    key = next(iter(state))
    state[key] = torch.zeros(*[s + 1 for s in state[key].shape])
    buffer = io.BytesIO()
    torch.save(state, buffer)
    return _rewrite(
        path, tmp_path / "m.lstmf", members={"weights/model.pt": buffer.getvalue()}
    )


def _object_array(path, tmp_path):
    buffer = io.BytesIO()
    np.save(buffer, np.array([_RunsCommand(tmp_path / "marker")]), allow_pickle=True)
    return _rewrite(
        path,
        tmp_path / "m.lstmf",
        members={"arrays/window.tail_.npy": buffer.getvalue()},
    )


def _crafted_weights(path, tmp_path):
    buffer = io.BytesIO()
    torch.save({"x": _RunsCommand(tmp_path / "marker")}, buffer)
    return _rewrite(
        path, tmp_path / "m.lstmf", members={"weights/model.pt": buffer.getvalue()}
    )


def _zip_without_json(path, tmp_path):
    return _rewrite(path, tmp_path / "m.lstmf", drop={"model.json"})


def _bytes(data):
    def write(path, tmp_path):
        target = tmp_path / "m.lstmf"
        target.write_bytes(data(path) if callable(data) else data)
        return target

    return write


def _manifest(dotted, value):
    def write(path, tmp_path):
        return _rewrite(path, tmp_path / "m.lstmf", manifest=_edit(dotted, value))

    return write


def _newer_library(path, tmp_path):
    def edit(manifest):
        manifest["library_version"] = "9.0.0"
        manifest["pipeline"]["steps"][1]["params"]["attention"] = True
        return manifest

    return _rewrite(path, tmp_path / "m.lstmf", manifest=edit)


def _newer_format(path, tmp_path):
    def edit(manifest):
        manifest["library_version"] = "9.0.0"
        manifest["format_version"] = FORMAT_VERSION + 1
        return manifest

    return _rewrite(path, tmp_path / "m.lstmf", manifest=edit)


def _crafted_pickle(path, tmp_path):
    target = tmp_path / "m.joblib"
    target.write_bytes(pickle.dumps(_RunsCommand(tmp_path / "marker"), protocol=4))
    return target


BAD_FILES = {
    "missing file": (lambda p, t: t / "nope.lstmf", ["no such file", "run 'fit'"]),
    "a folder": (lambda p, t: t, ["is a folder", "Pass the file"]),
    "empty file": (_bytes(b""), ["is empty (0 bytes", "Run 'fit' again"]),
    "truncated file": (
        _bytes(lambda p: p.read_bytes()[: p.stat().st_size // 2]),
        ["is damaged", "truncated", "Copy it again or re-fit"],
    ),
    "random bytes": (
        _bytes(np.random.default_rng(0).bytes(512)),
        ["not an lstmforecast model file", "expected a zip archive", "re-fit"],
    ),
    "a zip without the JSON": (
        _zip_without_json,
        ["has no model.json", "expected a JSON model description"],
    ),
    "invalid JSON": (
        lambda p, t: _rewrite(p, t / "m.lstmf", members={"model.json": b"{oops"}),
        ["model.json is not valid JSON", "Re-fit"],
    ),
    "JSON of another format": (
        _manifest(["format"], "sklearn-model"),
        ["describes format 'sklearn-model'", "expected format 'lstmforecast-model'"],
    ),
    "JSON of another format version": (
        _manifest(["format_version"], 0),
        ["model format version 0", "expected format 1", "Re-fit"],
    ),
    "a newer format version": (
        _newer_format,
        ["by lstmforecast 9.0.0 in model format 2, newer than", "Upgrade"],
    ),
    "a newer library version": (
        _newer_library,
        ["parameters ['attention']", "written by lstmforecast 9.0.0", "Upgrade"],
    ),
    "a class outside the allowlist": (
        _manifest(["pipeline", "steps", 1, "class"], "os.system"),
        ["names the class 'os.system'", "may not hold", "expected one of"],
    ),
    "a fitted attribute that shadows a method": (
        _manifest(["pipeline", "steps", 1, "fitted", "predict"], 1),
        ["step 'model' sets 'predict'", "expected only fitted attributes"],
    ),
    "a missing fitted attribute": (
        _manifest(["pipeline", "steps", 0, "fitted"], {}),
        ["lacks the fitted attributes", "expected a fitted SlidingWindow"],
    ),
    "a parameter out of range": (
        _manifest(["pipeline", "steps", 1, "params", "lr"], -1.0),
        ["a parameter MLPRegressor refuses", "'lr'"],
    ),
    "weights of the wrong shape": (
        _wrong_weights,
        ["weights/model.pt has", "of shape", "needs", "re-fit"],
    ),
    "an object array": (
        _object_array,
        ["arrays/window.tail_.npy is not a numeric .npy array", "without pickle"],
    ),
    "a crafted pickle as weights": (
        _crafted_weights,
        ["weights/model.pt is not a file of torch weights", "weights_only=True"],
    ),
    "a pickle without --trust": (
        _crafted_pickle,
        ["is a pickle (joblib) file", "refused", "pass --trust"],
    ),
}


@pytest.mark.parametrize("kind", list(BAD_FILES))
def test_bad_model_file_is_one_line_status_2(kind, mlp_file, tmp_path, capsys):
    make, pieces = BAD_FILES[kind]
    bad = make(mlp_file, tmp_path)
    data = tmp_path / "never-read.csv"
    assert main(["predict", "--model", str(bad), "--data", str(data)]) == 2
    err = capsys.readouterr().err
    assert len(err.strip().splitlines()) == 1 and "Traceback" not in err, err
    assert err.startswith(f"lstmforecast: error: model file {str(bad)!r}"), err
    for piece in pieces:
        assert piece in err, (piece, err)
    assert not (tmp_path / "marker").exists()  # nothing in the file ran


def test_bad_model_file_on_evaluate_too(tmp_path, capsys):
    empty = tmp_path / "m.lstmf"
    empty.write_bytes(b"")
    assert main(["evaluate", "--model", str(empty), "--data", "x.csv"]) == 2
    assert "is empty" in capsys.readouterr().err


def test_crafted_pickle_does_not_run_without_trust(tmp_path, capsys):
    marker = tmp_path / "marker"
    crafted = _crafted_pickle(None, tmp_path)
    for command in ("predict", "evaluate"):
        assert main([command, "--model", str(crafted), "--data", "x.csv"]) == 2
    assert not marker.exists()
    with pytest.raises(ModelFileError, match="is a pickle"):
        load_model(crafted)
    assert not marker.exists()
    # with --trust the user has said they wrote it: it runs, after a warning
    assert main(["predict", "--model", str(crafted), "--data", "x.csv", "--trust"]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert marker.exists()
    assert err[-2].startswith("lstmforecast: warning: --trust: loading")
    assert "runs any code" in err[-2]
    assert "is a pickle of a NoneType" in err[-1]


def test_old_joblib_file_loads_only_with_trust(fitted, tmp_path, capsys):
    pipeline, _ = fitted
    old = tmp_path / "model.joblib"
    joblib.dump(
        {
            "pipeline": pipeline,
            "target": "internet",
            "time_column": "time",
            "last_time": FRAME.index[-1],
        },
        old,
    )
    data = tmp_path / "hourly.csv"
    LATER.rename_axis("time").to_csv(data)
    out = tmp_path / "forecast.csv"
    args = ["predict", "--model", str(old), "--data", str(data), "--output", str(out)]
    assert main(args) == 2
    assert "re-fit with this version" in capsys.readouterr().err.lower()
    assert main([*args, "--trust"]) == 0
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "warning: --trust" in err
    forecast = pd.read_csv(out, float_precision="round_trip")["forecast"].to_numpy()
    extended = pd.concat(
        [LATER, pd.DataFrame({"internet": [np.nan]}, [LATER.index[-1] + TIMES.freq])]
    )
    np.testing.assert_array_equal(forecast, _predict(pipeline, extended))
    # an old file knows only its last training hour
    train = tmp_path / "train.csv"
    FRAME.rename_axis("time").to_csv(train)
    assert main(["evaluate", "--model", str(old), "--data", str(train), "--trust"]) == 0
    err = capsys.readouterr().err.splitlines()
    assert len(err) == 2 and "warning: --trust" in err[0]
    assert f"hours the model was trained on (up to {FRAME.index[-1]})" in err[1]


# ------------------------------------------------------------------- the CLI
@pytest.fixture(scope="module")
def cli_model(tmp_path_factory):
    """A model written by 'lstmforecast fit' on FRAME, and the data files."""
    folder = tmp_path_factory.mktemp("cli")
    train, later = folder / "train.csv", folder / "later.csv"
    FRAME.rename_axis("time").to_csv(train)
    LATER.rename_axis("time").to_csv(later)
    model = folder / "model.lstmf"
    args = ["fit", "--data", str(train), "--model", "mlp", "--lookback", "6"]
    assert main([*args, "--epochs", "2", "--output", str(model)]) == 0
    return model, train, later


def test_fit_writes_a_model_file_by_default_name(cli_model):
    model, _, _ = cli_model
    assert model.read_bytes()[:4] == b"PK\x03\x04"
    bundle = load_model(model)
    assert bundle["first_time"] == FRAME.index[0]
    assert bundle["last_time"] == FRAME.index[-1]


def test_fit_warns_about_a_joblib_name(cli_model, tmp_path, capsys):
    _, train, _ = cli_model
    out = tmp_path / "model.joblib"
    args = ["fit", "--data", str(train), "--model", "mlp", "--epochs", "1"]
    assert main([*args, "--lookback", "6", "--output", str(out)]) == 0
    err = capsys.readouterr().err
    assert "warning: --output" in err and "is not a .joblib" in err
    assert load_model(out)["target"] == "internet"


def test_evaluate_warns_when_scoring_training_hours(cli_model, capsys):
    model, train, later = cli_model
    capsys.readouterr()
    assert main(["evaluate", "--model", str(model), "--data", str(train)]) == 0
    err = capsys.readouterr().err
    assert len(err.splitlines()) == 1
    assert "hours scored are hours the model was trained on" in err
    assert main(["evaluate", "--model", str(model), "--data", str(later)]) == 0
    assert capsys.readouterr().err == ""
    # a .lstmf file needs no trust, and --trust changes nothing for it
    args = ["evaluate", "--model", str(model), "--data", str(later), "--trust"]
    assert main(args) == 0
    assert capsys.readouterr().err == ""


def test_version(capsys):
    assert main(["--version"]) == 0
    assert capsys.readouterr().out.strip() == f"lstmforecast {__version__}"


def test_unexpected_error_is_one_line_saying_where_to_report(monkeypatch, capsys):
    import lstmforecast.cli as cli

    def boom(args):
        raise RuntimeError("something broke\nsecond line")

    monkeypatch.setattr(cli, "_run_predict", boom)
    assert main(["predict", "--model", "m.lstmf", "--data", "x.csv"]) == 1
    err = capsys.readouterr().err
    assert len(err.splitlines()) == 1 and "Traceback" not in err
    assert "internal error (RuntimeError: something broke)" in err
    assert "please report it" in err


def test_load_model_leaves_the_file_alone(fitted, tmp_path):
    _, path = fitted
    before = path.read_bytes()
    load_model(path)
    assert path.read_bytes() == before
    assert os.access(path, os.R_OK)
