"""The command line's model file: a fitted pipeline that loads without running code.

A model file (``.lstmf``) is a zip archive of plain data:

- ``model.json``: the format and its version, the library version that wrote it,
  the target and time columns, the first and last training hour, and the pipeline
  as a recipe: each step's class (from a fixed allowlist), its ``get_params()``
  and its fitted attributes, all as JSON (tuples, non-finite floats, indexes and
  timestamps as small tagged objects);
- ``arrays/*.npy``: the numeric arrays, written and read by numpy with
  ``allow_pickle=False``;
- ``weights/*.pt``: each network's ``state_dict``, read with
  ``torch.load(weights_only=True)``.

Loading builds each estimator from its class and parameters, sets its fitted
attributes and, for a network, builds the skorch net as ``fit`` does and loads the
weights into it: no training, no pickle, the same predictions. Callbacks are not
saved (they act during training only; the file records that they were dropped).
Old pickle / joblib files load only with ``trust=True`` (they can run any code).
"""

from __future__ import annotations

import io
import json
import os
import re
import secrets
import warnings
import zipfile
import zlib
from pathlib import Path

import numpy as np
import pandas as pd

__all__ = ["FORMAT_VERSION", "ModelFileError", "load_model", "save_model"]

FORMAT = "lstmforecast-model"
FORMAT_VERSION = 1
SUFFIX = ".lstmf"
_MANIFEST = "model.json"
_MAX_MANIFEST_BYTES = 16 * 2**20
_MAX_MEMBER_BYTES = 2**30  # an array or weights: a guard against zip bombs
_PIPELINE = "sklearn.pipeline.Pipeline"
# (module, name, role): the only classes a model file may name.
_ALLOWED = {
    "lstmforecast.preprocessing.SlidingWindow": (
        "lstmforecast.preprocessing",
        "SlidingWindow",
        "transformer",
    ),
    "lstmforecast.regressors.LSTMRegressor": (
        "lstmforecast.regressors",
        "LSTMRegressor",
        "network",
    ),
    "lstmforecast.regressors.MLPRegressor": (
        "lstmforecast.regressors",
        "MLPRegressor",
        "network",
    ),
}
# Fitted attributes a step cannot predict without (a check of the file).
_REQUIRED = {
    "transformer": ("n_features_in_", "lookback_", "_window_cols", "_known_cols"),
    "network": ("n_features_in_", "input_shape_", "n_outputs_", "_y_ndim", "_norm"),
}
# Parameters that hold training-time objects: not saved, None when loaded.
_DROPPED = {"callbacks": "skorch callbacks act during training only"}
_ATTRIBUTE = re.compile(r"^_?[a-z][a-z0-9_]*$")
_PICKLE_ADVICE = (
    "Re-fit with this version ('lstmforecast fit') to get a safe .lstmf file, or "
    "pass --trust if you wrote the file yourself."
)


class ModelFileError(ValueError):
    """A model file that cannot be loaded: what it is, what was expected, the fix.

    The message is one line and names the file.

    Examples
    --------
    >>> from lstmforecast._model_file import ModelFileError, load_model
    >>> try:
    ...     load_model("no-such-model.lstmf")
    ... except ModelFileError as exc:
    ...     print(exc)  # doctest: +ELLIPSIS
    model file 'no-such-model.lstmf': no such file ... run 'fit' first.
    """


def _short(value, width: int = 60) -> str:
    text = repr(value)
    return text if len(text) <= width else text[: width - 3] + "..."


def _first_line(exc: BaseException, width: int = 160) -> str:
    text = (str(exc).strip().splitlines() or [type(exc).__name__])[0].strip()
    text = re.sub(r"[\x00-\x1f\x7f]", "", re.sub(r"\x1b\[[0-9;]*m", "", text))
    return text if len(text) <= width else text[: width - 3] + "..."


# --------------------------------------------------------------------- values
def _encode(value, where: str, arrays: dict):
    """Turn ``value`` into JSON; numeric arrays go to ``arrays`` as ``.npy`` bytes."""
    if value is None or isinstance(value, (bool, str)):
        return value
    if isinstance(value, (int, np.integer)) and not isinstance(value, np.bool_):
        return int(value)
    if isinstance(value, np.bool_):
        return bool(value)
    if isinstance(value, (float, np.floating)):
        value = float(value)
        if np.isfinite(value):
            return value
        return {"__type__": "float", "value": repr(value)}  # 'nan', 'inf', '-inf'
    if isinstance(value, tuple):
        return {"__type__": "tuple", "items": _encode(list(value), where, arrays)}
    if isinstance(value, list):
        return [_encode(v, f"{where}.{i}", arrays) for i, v in enumerate(value)]
    if isinstance(value, dict) and all(isinstance(k, str) for k in value):
        items = {k: _encode(v, f"{where}.{k}", arrays) for k, v in value.items()}
        return {"__type__": "dict", "items": items}
    if isinstance(value, np.ndarray):
        return _encode_array(value, where, arrays)
    if isinstance(value, (pd.Timestamp, pd.DatetimeIndex)):
        return _encode_times(value, where, arrays)
    if isinstance(value, pd.Index) and pd.api.types.is_integer_dtype(value.dtype):
        values = value.to_numpy()
        return {"__type__": "index", "values": _encode(values, where, arrays)}
    if isinstance(value, pd.DataFrame) and all(isinstance(c, str) for c in value):
        columns = {
            c: _encode(value[c].to_numpy(), f"{where}.{c}", arrays) for c in value
        }
        return {"__type__": "frame", "columns": columns}
    raise ValueError(
        f"Cannot save {where} in a model file: it is a {type(value).__name__} "
        f"({_short(value)}), and a model file holds only numbers, strings, tuples, "
        "lists, numeric arrays, time indexes and tables. Use such values."
    )


def _encode_array(value: np.ndarray, where: str, arrays: dict):
    if value.dtype == object and all(isinstance(v, str) for v in value.ravel()):
        return {"__type__": "str_array", "items": value.tolist()}
    if value.dtype.kind not in "biuf":
        raise ValueError(
            f"Cannot save {where} in a model file: an array of dtype {value.dtype}; "
            "a model file holds arrays of numbers, booleans or strings."
        )
    name = f"arrays/{where}.npy"
    buffer = io.BytesIO()
    np.save(buffer, value, allow_pickle=False)
    arrays[name] = buffer.getvalue()
    return {"__type__": "ndarray", "file": name}


def _encode_times(value, where: str, arrays: dict):
    tz = None if value.tz is None else str(value.tz)
    if isinstance(value, pd.Timestamp):
        encoded = {"__type__": "timestamp", "ns": int(value.as_unit("ns").value)}
        encoded["tz"] = tz
    else:
        ns = _encode(value.as_unit("ns").asi8, where, arrays)
        encoded = {"__type__": "datetime_index", "ns": ns, "tz": tz}
        encoded["unit"] = value.unit
    decoded = _decode_times(encoded, where, lambda ref: value.as_unit("ns").asi8)
    same = (
        decoded == value if isinstance(value, pd.Timestamp) else decoded.equals(value)
    )
    if not same or (tz is not None and str(decoded.tz) != tz):
        raise ValueError(
            f"Cannot save {where} in a model file: its time zone {tz!r} does not "
            "survive being written by name. Convert the times to a named zone "
            "(e.g. 'Europe/Rome') or to UTC first."
        )
    return encoded


class _Decoder:
    """Rebuild values written by :func:`_encode`; anything else is a file error."""

    def __init__(self, reader):
        self.reader = reader

    def __call__(self, obj, where: str):
        if obj is None or isinstance(obj, (bool, int, float, str)):
            return obj
        if isinstance(obj, list):
            return [self(v, f"{where}.{i}") for i, v in enumerate(obj)]
        kind = obj.get("__type__") if isinstance(obj, dict) else None
        if kind == "float" and obj.get("value") in ("nan", "inf", "-inf"):
            return float(obj["value"])
        if kind == "tuple" and isinstance(obj.get("items"), list):
            return tuple(self(obj["items"], where))
        if kind == "dict" and isinstance(obj.get("items"), dict):
            return {k: self(v, f"{where}.{k}") for k, v in obj["items"].items()}
        if kind == "str_array" and isinstance(obj.get("items"), list):
            if all(isinstance(v, str) for v in obj["items"]):
                return np.asarray(obj["items"], dtype=object)
        if kind == "ndarray" and isinstance(obj.get("file"), str):
            return self.reader.array(obj["file"], where)
        if kind in ("timestamp", "datetime_index"):
            try:
                return _decode_times(obj, where, lambda ref: self(ref, where))
            except ModelFileError:
                raise
            except ValueError as exc:
                raise self.reader.error(_first_line(exc), "times") from None
        if kind == "index":
            values = self(obj.get("values"), where)
            if isinstance(values, np.ndarray) and values.dtype.kind in "iu":
                return pd.Index(values)
        if kind == "frame" and isinstance(obj.get("columns"), dict):
            columns = {c: self(v, f"{where}.{c}") for c, v in obj["columns"].items()}
            sizes = {len(v) for v in columns.values() if isinstance(v, np.ndarray)}
            if len(sizes) <= 1 and all(
                isinstance(v, np.ndarray) and v.ndim == 1 for v in columns.values()
            ):
                return pd.DataFrame(columns)
        raise self.reader.error(
            f"model.json has a value it cannot read at {where} ({_short(obj)})",
            "numbers, strings and the tagged values 'lstmforecast fit' writes",
        )


def _decode_times(obj: dict, where: str, load):
    tz = obj.get("tz")
    if tz is not None and not isinstance(tz, str):
        raise ValueError(f"{where}: the time zone is not a name ({_short(tz)}).")
    try:
        if obj["__type__"] == "timestamp":
            if not isinstance(obj.get("ns"), int) or isinstance(obj["ns"], bool):
                raise ValueError(f"{where}: 'ns' is not an integer")
            stamp = pd.Timestamp(obj["ns"], unit="ns", tz="UTC")
            return stamp.tz_convert(tz) if tz else stamp.tz_localize(None)
        ns = load(obj.get("ns"))
        if not isinstance(ns, np.ndarray) or ns.dtype != np.int64 or ns.ndim != 1:
            raise ValueError(f"{where}: 'ns' is not a 1-D int64 array")
        index = pd.DatetimeIndex(pd.to_datetime(ns, unit="ns", utc=True))
        index = index.tz_convert(tz) if tz else index.tz_localize(None)
        return index.as_unit(obj.get("unit", "ns"))
    except ModelFileError:
        raise
    except (KeyError, TypeError, ValueError, OverflowError) as exc:
        raise ValueError(f"{where}: unreadable times ({_first_line(exc)})") from None


# ---------------------------------------------------------------------- save
def save_model(
    path,
    pipeline,
    *,
    target: str,
    time_column: str,
    first_time: pd.Timestamp,
    last_time: pd.Timestamp,
) -> Path:
    """Write a fitted CLI pipeline to a model file that loads without running code.

    Parameters
    ----------
    path : str or path-like
        The file to write (``.lstmf`` by convention). It is written to a temporary
        file in the same folder first and renamed, so an interrupted write never
        leaves a truncated model file.
    pipeline : sklearn.pipeline.Pipeline
        Fitted steps of the allowlisted classes (:class:`SlidingWindow`, then
        :class:`LSTMRegressor` or :class:`MLPRegressor`). It is not modified.
    target : str
        The column the model forecasts.
    time_column : str
        The column of timestamps in the data files.
    first_time, last_time : pandas.Timestamp
        The first and last training hour.

    Returns
    -------
    path : pathlib.Path
        The file written.

    Raises
    ------
    ValueError
        A step of a class outside the allowlist, or a parameter or fitted
        attribute that a model file cannot hold (such as a class or a function).

    See Also
    --------
    load_model : Read the file back.

    Examples
    --------
    >>> import tempfile
    >>> import numpy as np, pandas as pd
    >>> from sklearn.pipeline import Pipeline
    >>> from lstmforecast.preprocessing import SlidingWindow
    >>> from lstmforecast.regressors import MLPRegressor
    >>> times = pd.date_range("2013-11-01", periods=60, freq="h", tz="Europe/Rome")
    >>> frame = pd.DataFrame({"internet": np.sin(np.arange(60.0))}, index=times)
    >>> model = MLPRegressor(4, max_epochs=2, random_state=0)
    >>> pipe = Pipeline([("window", SlidingWindow(6)), ("model", model)])
    >>> train, later = frame.iloc[:48], frame.iloc[48:]
    >>> pipe = pipe.fit(train, train["internet"])
    >>> path = save_model(
    ...     tempfile.mkdtemp() + "/model.lstmf", pipe, target="internet",
    ...     time_column="time", first_time=times[0], last_time=times[47])
    >>> bundle = load_model(path)
    >>> bool((bundle["pipeline"].predict(later) == pipe.predict(later)).all())
    True
    """
    from lstmforecast import __version__

    arrays, weights = {}, {}
    steps = [_save_step(name, est, arrays, weights) for name, est in pipeline.steps]
    times = {"first_time": first_time, "last_time": last_time}
    manifest = {
        "format": FORMAT,
        "format_version": FORMAT_VERSION,
        "library_version": __version__,
        "written_by": "lstmforecast fit",
        "target": target,
        "time_column": time_column,
        "training": {k: _encode(pd.Timestamp(v), k, arrays) for k, v in times.items()},
        "pipeline": {"class": _PIPELINE, "steps": steps},
        "versions": _versions(),
    }
    text = json.dumps(manifest, indent=1, allow_nan=False)
    return _write_archive(Path(path), text, {**arrays, **weights})


def _save_step(name: str, est, arrays: dict, weights: dict) -> dict:
    """One step of the recipe: class, parameters, fitted attributes, weights."""
    qualname = f"{_public_module(type(est))}.{type(est).__name__}"
    if qualname not in _ALLOWED or not re.fullmatch(r"[a-z][a-z0-9_]*", name):
        raise ValueError(
            f"Cannot save step {name!r} ({type(est).__name__}) in a model file: it "
            f"holds only steps with lowercase names of the classes {sorted(_ALLOWED)}."
        )
    role = _ALLOWED[qualname][2]
    params = est.get_params(deep=False)
    dropped = sorted(k for k in _DROPPED if params.get(k) is not None)
    params = {k: (None if k in dropped else v) for k, v in params.items()}
    fitted = {
        key: value
        for key, value in vars(est).items()
        if key not in params and not (role == "network" and key == "net_")
    }
    step = {
        "name": name,
        "class": qualname,
        "params": {k: _encode(v, f"{name}.{k}", arrays) for k, v in params.items()},
        "fitted": {k: _encode(v, f"{name}.{k}", arrays) for k, v in fitted.items()},
        "dropped_params": {k: _DROPPED[k] for k in dropped},
    }
    if role == "network":
        import torch

        state = {k: v.detach().cpu() for k, v in est.net_.module_.state_dict().items()}
        buffer = io.BytesIO()
        torch.save(state, buffer)
        step["weights"] = f"weights/{name}.pt"
        weights[step["weights"]] = buffer.getvalue()
    return step


def _public_module(cls) -> str:
    """``lstmforecast.regressors`` for ``lstmforecast.regressors._lstm``."""
    parts = cls.__module__.split(".")
    while parts and parts[-1].startswith("_"):
        parts.pop()
    return ".".join(parts)


def _versions() -> dict:
    import sklearn
    import skorch
    import torch

    return {
        "numpy": np.__version__,
        "pandas": pd.__version__,
        "scikit-learn": sklearn.__version__,
        "torch": torch.__version__,
        "skorch": skorch.__version__,
    }


def _write_archive(path: Path, manifest: str, members: dict) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    # a new file of the usual permissions (mkstemp's would be private), renamed
    temporary = path.with_name(f".{path.name}.{secrets.token_hex(6)}.tmp")
    try:
        with (
            open(temporary, "xb") as handle,
            zipfile.ZipFile(handle, "w", zipfile.ZIP_DEFLATED) as archive,
        ):
            for name, data in [(_MANIFEST, manifest.encode()), *members.items()]:
                info = zipfile.ZipInfo(name, date_time=(1980, 1, 1, 0, 0, 0))
                info.compress_type = zipfile.ZIP_DEFLATED
                archive.writestr(info, data)
        os.replace(temporary, path)
    finally:
        if os.path.exists(temporary):
            os.remove(temporary)
    return path


# ---------------------------------------------------------------------- load
def load_model(path, *, trust: bool = False) -> dict:
    """Read a model file written by :func:`save_model`, without running its code.

    Parameters
    ----------
    path : str or path-like
        The model file.
    trust : bool, default=False
        Also load an old pickle / joblib model file (as earlier versions of
        ``lstmforecast fit`` wrote), with a :class:`UserWarning`: unpickling
        runs whatever code the file holds, so pass True only for a file you
        wrote yourself. A ``.lstmf`` file never needs it.

    Returns
    -------
    bundle : dict
        ``pipeline`` (the fitted :class:`~sklearn.pipeline.Pipeline`),
        ``target``, ``time_column``, ``first_time`` and ``last_time`` (the
        training hours; ``first_time`` is None for an old pickle file),
        ``library_version`` and ``dropped_params``.

    Raises
    ------
    ModelFileError
        Anything that is not a readable model file of this format: the message
        (one line) names the file, what was expected, what it holds and the fix.

    See Also
    --------
    save_model : Write the file.

    Notes
    -----
    A network trained on a GPU loads on the CPU when this machine has none.

    Examples
    --------
    >>> from lstmforecast._model_file import load_model
    >>> load_model("model.lstmf")  # doctest: +SKIP
    """
    path = Path(path)
    kind, head = _sniff(path)
    if kind == "zip":
        return _load_archive(path)
    if not trust:
        if kind == "pickle":
            raise ModelFileError(
                f"model file {str(path)!r} is a pickle (joblib) file, which can run "
                "any code when loaded, so it is refused (expected a .lstmf model "
                f"file, which loads without running code). {_PICKLE_ADVICE}"
            )
        raise ModelFileError(
            f"model file {str(path)!r} is not an lstmforecast model file (expected "
            "a zip archive written by 'lstmforecast fit', starting with b'PK'; got "
            f"bytes starting with {head[:8]!r}). Pass the file 'fit' wrote, or "
            "re-fit; for an old joblib model you wrote yourself, pass --trust."
        )
    return _load_pickle(path)


def _sniff(path: Path) -> tuple[str, bytes]:
    """('zip' | 'pickle' | 'other', first bytes), or a one-line error."""
    where = f"model file {str(path)!r}"
    if not path.exists():
        raise ModelFileError(
            f"{where}: no such file (expected a model file written by 'lstmforecast "
            "fit'). Check the path, or run 'fit' first."
        )
    if path.is_dir():
        raise ModelFileError(
            f"{where} is a folder (expected a model file written by 'lstmforecast "
            f"fit', such as {str(path / ('model' + SUFFIX))!r}). Pass the file."
        )
    try:
        with open(path, "rb") as handle:
            head = handle.read(16)
    except OSError as exc:
        raise ModelFileError(
            f"{where} cannot be read ({exc.strerror or _first_line(exc)}; expected a "
            "readable model file). Check its permissions."
        ) from None
    if not head:
        raise ModelFileError(
            f"{where} is empty (0 bytes; expected an lstmforecast model file, a zip "
            "archive): its writing or copying was cut short. Run 'fit' again or copy "
            "the file again."
        )
    if head[:4] in (b"PK\x03\x04", b"PK\x05\x06"):
        return "zip", head
    if len(head) > 1 and head[0] == 0x80 and 2 <= head[1] <= 5:
        return "pickle", head
    return "other", head


def _load_pickle(path: Path) -> dict:
    import joblib

    warnings.warn(
        f"--trust: loading {str(path)!r} with pickle, which runs any code the file "
        "holds; do this only with a file you wrote yourself, and re-fit with this "
        "version for a safe .lstmf file.",
        UserWarning,
        stacklevel=3,
    )
    try:
        bundle = joblib.load(path)
    except Exception as exc:  # anything a damaged or foreign pickle raises
        raise ModelFileError(
            f"model file {str(path)!r} cannot be unpickled ({type(exc).__name__}: "
            f"{_first_line(exc)}; expected a joblib file of 'lstmforecast fit'). "
            "Re-fit with this version."
        ) from None
    if not isinstance(bundle, dict) or not {"pipeline", "target"} <= set(bundle):
        raise ModelFileError(
            f"model file {str(path)!r} is a pickle of a {type(bundle).__name__}, not "
            "of the dict 'lstmforecast fit' wrote (expected keys 'pipeline', "
            "'target', 'time_column', 'last_time'). Re-fit with this version."
        )
    return {
        "first_time": None,
        "library_version": None,
        "dropped_params": {},
        **bundle,
    }


class _Reader:
    """The members of an open model archive, each read once and checked."""

    def __init__(self, archive: zipfile.ZipFile, path: Path):
        self.archive = archive
        self.path = path
        self.names = set(archive.namelist())

    def error(self, problem: str, expected: str, fix: str = "") -> ModelFileError:
        fix = fix or "Re-fit with this version ('lstmforecast fit') to write it again."
        return ModelFileError(
            f"model file {str(self.path)!r}: {problem} (expected {expected}). {fix}"
        )

    def member(self, name: str, what: str, limit: int | None = None) -> bytes:
        if name not in self.names:
            listed = sorted(self.names)
            raise self.error(
                f"the archive has no {name} (members: {_short(listed, 80)})",
                f"{what} as written by 'lstmforecast fit'",
                "Pass the file 'fit' wrote; this one is another zip, or incomplete.",
            )
        if limit is not None and self.archive.getinfo(name).file_size > limit:
            raise self.error(
                f"{name} is {self.archive.getinfo(name).file_size:,} bytes",
                f"{what} of at most {limit:,} bytes",
            )
        return self.archive.read(name)

    def manifest(self) -> dict:
        data = self.member(_MANIFEST, "a JSON model description", _MAX_MANIFEST_BYTES)
        try:
            manifest = json.loads(data.decode("utf-8"), parse_constant=_no_constant)
        except (UnicodeDecodeError, ValueError, RecursionError) as exc:
            raise self.error(
                f"{_MANIFEST} is not valid JSON ({_first_line(exc)})",
                "the JSON model description 'lstmforecast fit' writes",
            ) from None
        if not isinstance(manifest, dict) or manifest.get("format") != FORMAT:
            got = manifest.get("format") if isinstance(manifest, dict) else manifest
            raise self.error(
                f"{_MANIFEST} describes format {_short(got)}",
                f"format {FORMAT!r}",
                "Pass a model file written by 'lstmforecast fit'.",
            )
        return manifest

    def array(self, name: str, where: str) -> np.ndarray:
        if not name.startswith("arrays/") or not name.endswith(".npy"):
            raise self.error(
                f"{where} refers to {_short(name)}", "an arrays/*.npy member"
            )
        data = self.member(name, f"the array {where}", _MAX_MEMBER_BYTES)
        try:
            return np.load(io.BytesIO(data), allow_pickle=False)
        except (ValueError, OSError, EOFError) as exc:
            raise self.error(
                f"{name} is not a numeric .npy array ({_first_line(exc)})",
                "an array saved without pickle",
            ) from None


def _no_constant(name: str):
    raise ValueError(f"non-standard JSON constant {name}")


def _load_archive(path: Path) -> dict:
    """Open the zip and rebuild the bundle; a damaged zip is a one-line error."""
    try:
        with zipfile.ZipFile(path) as archive:
            reader = _Reader(archive, path)
            manifest = reader.manifest()
            _check_version(manifest, reader)
            try:
                return _bundle(manifest, reader)
            except RecursionError:
                raise reader.error(
                    f"{_MANIFEST} nests its values too deeply",
                    "the flat model description 'lstmforecast fit' writes",
                ) from None
    except (zipfile.BadZipFile, zlib.error, EOFError, NotImplementedError) as exc:
        raise ModelFileError(
            f"model file {str(path)!r} is damaged: it starts as a zip archive but "
            f"cannot be read ({_first_line(exc)}), probably truncated by a cut-short "
            "copy or write (expected a complete model file). Copy it again or re-fit."
        ) from None


def _check_version(manifest: dict, reader: _Reader) -> None:
    from lstmforecast import __version__

    version = manifest.get("format_version")
    writer = _writer(manifest)
    if version == FORMAT_VERSION and not isinstance(version, bool):
        return
    if isinstance(version, int) and not isinstance(version, bool):
        if version > FORMAT_VERSION:
            raise reader.error(
                f"it was written by lstmforecast {writer} in model format "
                f"{version}, newer than this lstmforecast {__version__} reads",
                f"format {FORMAT_VERSION}",
                "Upgrade lstmforecast (pip install -U lstmforecast), or re-fit with "
                "this version.",
            )
    raise reader.error(
        f"model format version {_short(version)} (written by lstmforecast "
        f"{writer}) is not one this version reads",
        f"format {FORMAT_VERSION}, lstmforecast {__version__}",
    )


def _writer(manifest: dict) -> str:
    """Return the library version that wrote the file, safe to print on one line."""
    writer = manifest.get("library_version")
    if not isinstance(writer, str) or not writer:
        return "an unknown version"
    return re.sub(r"[^0-9A-Za-z.+_-]", "?", writer)[:30]


def _bundle(manifest: dict, reader: _Reader) -> dict:
    reader.writer = _writer(manifest)
    decode = _Decoder(reader)
    fields = {}
    for key in ("target", "time_column"):
        fields[key] = manifest.get(key)
        if not isinstance(fields[key], str):
            raise reader.error(
                f"model.json has {key} = {_short(fields[key])}", "a column name"
            )
    training = manifest.get("training")
    training = training if isinstance(training, dict) else {}
    for key in ("first_time", "last_time"):
        fields[key] = decode(training.get(key), f"training.{key}")
        if not isinstance(fields[key], pd.Timestamp):
            raise reader.error(
                f"model.json has training.{key} = {_short(training.get(key))}",
                "the first and last training hour as timestamps",
            )
    pipeline, dropped = _build_pipeline(manifest.get("pipeline"), reader, decode)
    return {
        "pipeline": pipeline,
        **fields,
        "library_version": manifest.get("library_version"),
        "dropped_params": dropped,
    }


def _build_pipeline(spec, reader: _Reader, decode: _Decoder):
    from sklearn.pipeline import Pipeline

    steps = spec.get("steps") if isinstance(spec, dict) else None
    if not isinstance(steps, list) or spec.get("class") != _PIPELINE:
        got = spec.get("class") if isinstance(spec, dict) else spec
        raise reader.error(
            f"model.json describes the pipeline as {_short(got)}",
            f"a {_PIPELINE} with a list of steps",
        )
    if not steps or not all(isinstance(s, dict) for s in steps):
        raise reader.error("model.json has no steps", "one or more pipeline steps")
    built, dropped = [], {}
    for i, step in enumerate(steps):
        name, est, role = _build_step(step, reader, decode)
        if (role == "network") != (i == len(steps) - 1):
            raise reader.error(
                f"step {name!r} is a {role} at position {i} of {len(steps)}",
                "transformers, then one network regressor last",
            )
        built.append((name, est))
        dropped.update({f"{name}__{k}": v for k, v in step["dropped_params"].items()})
    return Pipeline(built), dropped


def _build_step(step: dict, reader: _Reader, decode: _Decoder):
    """Construct one allowlisted estimator and give it its fitted state."""
    import importlib

    from lstmforecast import __version__

    name, qualname = step.get("name"), step.get("class")
    if not isinstance(name, str) or not re.fullmatch(r"[a-z][a-z0-9_]*", name):
        raise reader.error(f"a step is named {_short(name)}", "a lowercase step name")
    if qualname not in _ALLOWED:
        raise reader.error(
            f"step {name!r} names the class {_short(qualname)}, which a model file "
            "may not hold",
            f"one of {sorted(_ALLOWED)}",
            "Only pipelines written by 'lstmforecast fit' load; re-fit.",
        )
    module, cls_name, role = _ALLOWED[qualname]
    cls = getattr(importlib.import_module(module), cls_name)
    parts = {k: step.get(k) for k in ("params", "fitted", "dropped_params")}
    if not all(isinstance(v, dict) for v in parts.values()):
        raise reader.error(
            f"step {name!r} lacks params, fitted or dropped_params",
            "a JSON object for each",
        )
    params = {k: decode(v, f"{name}.{k}") for k, v in parts["params"].items()}
    unknown = sorted(set(params) - set(cls._get_param_names()))
    if unknown:
        raise reader.error(
            f"step {name!r} has parameters {unknown} that {cls_name} of lstmforecast "
            f"{__version__} does not know (the file was written by lstmforecast "
            f"{reader.writer})",
            f"the parameters of {cls_name}",
            "Upgrade lstmforecast (pip install -U lstmforecast), or re-fit with this "
            "version.",
        )
    est = cls(**params)
    try:
        est._validate_params()  # sklearn's check of _parameter_constraints
    except (ValueError, TypeError) as exc:
        raise reader.error(
            f"step {name!r} has a parameter {cls_name} refuses ({_first_line(exc)})",
            f"the parameters of a fitted {cls_name}",
        ) from None
    for key, value in parts["fitted"].items():
        if not _ATTRIBUTE.match(key) or key in params or hasattr(cls, key):
            raise reader.error(
                f"step {name!r} sets {_short(key)}",
                f"only fitted attributes of {cls_name}, such as 'n_outputs_'",
            )
        setattr(est, key, decode(value, f"{name}.{key}"))
    missing = [k for k in _REQUIRED[role] if k not in parts["fitted"]]
    if missing:
        raise reader.error(
            f"step {name!r} lacks the fitted attributes {missing}",
            f"a fitted {cls_name}",
        )
    if role == "network":
        _restore_net(est, step.get("weights"), name, reader)
    return name, est, role


def _restore_net(est, member, name: str, reader: _Reader) -> None:
    """Build the skorch net as ``fit`` does and load the saved weights into it."""
    import torch

    if not isinstance(member, str) or not re.fullmatch(
        r"weights/[a-z0-9_]+\.pt", member
    ):
        raise reader.error(
            f"step {name!r} refers to weights {_short(member)}", "a weights/*.pt member"
        )
    data = reader.member(member, f"the weights of step {name!r}", _MAX_MEMBER_BYTES)
    try:
        state = torch.load(io.BytesIO(data), map_location="cpu", weights_only=True)
    except Exception as exc:  # a restricted unpickler: anything foreign fails here
        raise reader.error(
            f"{member} is not a file of torch weights ({type(exc).__name__}: it "
            "holds objects other than tensors, or is damaged)",
            "a state_dict saved by torch.save, read with weights_only=True",
        ) from None
    if not isinstance(state, dict) or not all(
        isinstance(k, str) and isinstance(v, torch.Tensor) for k, v in state.items()
    ):
        raise reader.error(
            f"{member} holds a {type(state).__name__}",
            "a state_dict: a dict of parameter names to tensors",
        )
    if str(est.device_).startswith("cuda") and not torch.cuda.is_available():
        est.device_ = "cpu"  # trained on a GPU, loaded on a machine without one
    try:
        dummy = np.zeros((0, *tuple(est.input_shape_)), dtype=np.float32)
        with torch.random.fork_rng(devices=[]):  # the fresh weights are overwritten
            net = est._build_net(dummy, 0)
            net.initialize()
    except (ValueError, TypeError, RuntimeError) as exc:
        raise reader.error(
            f"step {name!r} does not describe a network that can be built "
            f"({_first_line(exc)})",
            f"the parameters and input shape of a fitted {type(est).__name__}",
        ) from None
    _check_state(net.module_.state_dict(), state, member, type(est).__name__, reader)
    net.module_.load_state_dict(state)
    est.net_ = net


def _check_state(expected: dict, state: dict, member, owner, reader) -> None:
    """Require the names, shapes and dtypes of the network the file describes."""
    if set(state) != set(expected):
        missing, extra = (
            sorted(set(expected) - set(state)),
            sorted(set(state) - set(expected)),
        )
        raise reader.error(
            f"{member} does not fit the {owner} the file describes (missing "
            f"{_short(missing, 60)}, unexpected {_short(extra, 60)})",
            "the weights saved with that network",
        )
    for key, tensor in expected.items():
        got = state[key]
        if got.shape != tensor.shape or got.dtype != tensor.dtype:
            raise reader.error(
                f"{member} has {key} of shape {tuple(got.shape)} ({got.dtype}), but "
                f"the {owner} the file describes needs {tuple(tensor.shape)} "
                f"({tensor.dtype})",
                "weights of the network the file describes",
                "The file is damaged or was edited; re-fit with this version.",
            )
