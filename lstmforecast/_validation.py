"""Input checks shared by the estimators and metrics: one-line errors naming the input.

scikit-learn's ``validate_data`` / ``check_array`` messages may span several lines
(the whole array printed), show numpy reprs (``dtype('float64')``,
``np.str_('a')``), pass numpy's own conversion error on, or name no input
(``inconsistent numbers of samples: [10, 9]``). The wrappers here call them and
re-raise one line that names the estimator and the parameter, what was expected,
what came and the fix. They keep the phrases scikit-learn's estimator checks look
for ("Reshape your data", "Complex data not supported", "0 feature(s) (shape=...)
while a minimum of 1 is required", "argument must be a string or a real number",
"X has 3 features, but ... is expecting 2 features as input"), and leave the
feature-name messages, whose lines those checks read, as they are.
"""

from __future__ import annotations

import functools
import inspect
import re

import numpy as np
import pandas as pd
from sklearn.utils import check_array
from sklearn.utils._param_validation import InvalidParameterError
from sklearn.utils._param_validation import validate_params as _sklearn_validate
from sklearn.utils.validation import _num_samples, validate_data

from lstmforecast.datasets._schema import as_written

__all__ = [
    "PlainParamsMixin",
    "check_same_rows",
    "checked_array",
    "plain",
    "retold",
    "validate_params",
    "validated_data",
]

# np.float64(1.5) -> 1.5, np.str_('a') -> 'a' (numpy 2 reprs of scalars)
_NUMPY_SCALAR = re.compile(r"\bnp\.[a-z_]+[0-9]*\(([^()]*)\)")
_MIN_SIZE = re.compile(
    r"Found array with (\d+ (?:sample|feature)\(s\) \(shape=\([^)]*\)\)) while a "
    r"minimum of (\d+) is required"
)
_DIM = re.compile(r"Found array with dim (\d+)")
_N_FEATURES = re.compile(r"^X has \d+ features, but \w+ is expecting \d+ features")


def plain(text: str) -> str:
    """Write the numpy scalars of a message as users type them: ``1.5``, ``'a'``."""
    return _NUMPY_SCALAR.sub(r"\1", text)


def retold(exc: InvalidParameterError, params: dict) -> InvalidParameterError:
    """Return the same parameter error with the value as written, on one line.

    scikit-learn's message ends with ``Got {value!r} instead.``: numpy 2 writes
    ``np.int64(0)`` for a value from a NumPy grid, and an array (or a list of
    them) is printed whole, over several lines.
    """
    text = str(exc)
    named = re.match(r"The '(\w+)' parameter", text)
    if named and named.group(1) in params:
        shown = as_written(params[named.group(1)]).splitlines()[0]
        shown = shown if len(shown) <= 60 else shown[:57] + "..."
        text = re.sub(r"Got .* instead\.$", f"Got {shown} instead.", text, flags=re.S)
    return InvalidParameterError(plain(text))


class PlainParamsMixin:
    """Parameter errors that show values as written (``0``, not ``np.int64(0)``)."""

    def _validate_params(self):
        try:
            super()._validate_params()
        except InvalidParameterError as exc:
            raise retold(exc, self.get_params(deep=False)) from None


def validate_params(parameter_constraints, *, prefer_skip_nested_validation):
    """scikit-learn's ``validate_params``, with values in messages as written."""

    def decorator(func):
        checked = _sklearn_validate(
            parameter_constraints,
            prefer_skip_nested_validation=prefer_skip_nested_validation,
        )(func)
        signature = inspect.signature(func)

        @functools.wraps(func)
        def wrapper(*args, **kwargs):
            try:
                return checked(*args, **kwargs)
            except InvalidParameterError as exc:
                try:
                    params = signature.bind(*args, **kwargs).arguments
                except TypeError:
                    params = {}
                raise retold(exc, params) from None

        return wrapper

    return decorator


def _where(X, name: str, position: tuple) -> str:
    """Name one entry of ``X``: ``X[1, 0]``, or ``column 'hour' (row 1)``."""
    if isinstance(X, pd.DataFrame) and len(position) == 2:
        return f"column {as_written(X.columns[position[1]])} (row {position[0]})"
    return f"{name}[{', '.join(str(int(p)) for p in position)}]"


def _first_not_a_number(X):
    """Position and value of the first entry that float() refuses, or None."""
    try:
        values = (
            X.to_numpy(dtype=object)
            if isinstance(X, (pd.DataFrame, pd.Series))
            else np.asarray(X, dtype=object)
        )
    except (TypeError, ValueError):
        return None
    for position, value in np.ndenumerate(values):
        try:
            float(value)
        except (TypeError, ValueError):
            return position, value
    return None


def _first_at(X, name: str, test) -> str:
    """`` (first at X[4, 1])``: the first entry for which ``test`` holds, or ''."""
    try:
        hits = np.argwhere(test(np.asarray(X, dtype=np.float64)))
    except (TypeError, ValueError):
        return ""
    return f" (first at {_where(X, name, tuple(hits[0]))})" if len(hits) else ""


def _shape(X) -> tuple:
    try:
        return tuple(np.shape(X))
    except ValueError:  # ragged lists
        return (_num_samples(X),)


def _rewrite(exc: Exception, X, name: str, owner: str, expected: str) -> str | None:
    """Return the one-line message for a scikit-learn error (None: keep it)."""
    text = str(exc)
    head = f"The '{name}' parameter of {owner}"
    shape = _shape(X)
    if text.startswith("Expected 2D array, got"):
        got = "scalar array" if not shape else f"{len(shape)}D array of shape {shape}"
        return (
            f"{head} must be {expected}. Expected 2D array, got {got} instead. "
            f"Reshape your data: {name}.reshape(-1, 1) for a single feature, "
            f"{name}.reshape(1, -1) for a single sample."
        )
    if _DIM.match(text):
        return (
            f"{head} must be {expected}. Found array with dim {len(shape)} (shape "
            f"{shape}). Reshape it, or pass the {expected} it takes."
        )
    if text.startswith("Sparse data was passed"):
        return (
            f"{head} must be dense, {expected}; sparse data was passed. Convert it "
            f"with {name}.toarray()."
        )
    if text.startswith("Complex data not supported"):
        dtype = np.asarray(X).dtype
        return (
            f"{head} holds complex numbers (dtype {dtype}). Complex data not "
            f"supported: pass real values, e.g. {name}.real or abs({name})."
        )
    if "could not convert" in text or "argument must be a string" in text:
        found = _first_not_a_number(X)
        if found is None:
            return None
        position, value = found
        shown = as_written(value)
        shown = shown if len(shown) <= 40 else shown[:37] + "..."
        reason = (
            "could not convert it to float"
            if isinstance(exc, ValueError)
            else text.splitlines()[0]  # 'float() argument must be a string or ...'
        )
        return (
            f"{head} must hold numbers, but {_where(X, name, position)} is {shown}, "
            f"not a number ({reason}). Convert that column with pandas.to_numeric, "
            "or drop it."
        )
    if "inhomogeneous" in text or "setting an array element with a sequence" in text:
        return (
            f"{head} must be a rectangular array of numbers ({expected}), but its "
            "rows have different lengths or hold sequences. Give every row the "
            "same number of values."
        )
    if "contains infinity" in text:
        return (
            f"{head} contains infinity or a value too large for float64"
            f"{_first_at(X, name, np.isinf)}. Replace it with NaN (a missing value) "
            "or a finite value, or scale the data."
        )
    if "contains NaN" in text:
        return (
            f"{head} contains NaN{_first_at(X, name, np.isnan)}, which {owner} "
            "does not take. Fill or drop those values first."
        )
    match = _MIN_SIZE.search(text)
    if match:
        what = "row" if "sample" in match.group(1) else "column"
        return (
            f"{head} has {match.group(1)} while a minimum of {match.group(2)} is "
            f"required. Pass at least {match.group(2)} {what}(s)."
        )
    if _N_FEATURES.match(text):
        return f"{text.splitlines()[0]} Pass X with the columns it was fitted on."
    return None  # the feature-name messages, whose lines sklearn's checks read


def validated_data(estimator, X, *, expected: str, **kwargs):
    """``validate_data(estimator, X, **kwargs)`` with one-line errors naming X.

    ``expected`` says what X must be, e.g. ``'2-D (n_samples, n_features)'``.
    """
    try:
        return validate_data(estimator, X, **kwargs)
    except (ValueError, TypeError) as exc:
        owner = type(estimator).__name__
        message = _rewrite(exc, X, "X", owner, expected)
        if message is None:
            raise
        raise type(exc)(message) from None


def checked_array(array, *, name: str, owner: str, expected: str, **kwargs):
    """``check_array(array, **kwargs)`` with one-line errors naming ``name``."""
    try:
        return check_array(array, input_name=name, **kwargs)
    except (ValueError, TypeError) as exc:
        message = _rewrite(exc, array, name, owner, expected)
        if message is None:
            raise
        raise type(exc)(message) from None


def check_same_rows(owner: str, fix: str, **arrays) -> None:
    """Refuse inputs whose numbers of rows differ, naming each and its length.

    Keeps scikit-learn's phrase "inconsistent numbers of samples".
    """
    lengths = {}
    for name, a in arrays.items():
        if a is None:
            continue
        try:
            lengths[name] = _num_samples(a)
        except TypeError:
            raise TypeError(
                f"The '{name}' parameter of {owner} must be an array-like with one "
                f"row per sample; got a {type(a).__name__}. {fix}"
            ) from None
    if len(set(lengths.values())) <= 1:
        return
    names = " and ".join(f"'{n}'" for n in lengths)
    counts = ", ".join(f"{n} has {k}" for n, k in lengths.items())
    raise ValueError(
        f"The {names} parameters of {owner} have inconsistent numbers of samples "
        f"({counts} rows). {fix}"
    )


#: Constructor arguments renamed on the regressors: old name -> new name.
RENAMED_PRICES = {"alpha": "over_cost", "beta": "under_cost"}


def refuse_renamed(owner: str, kwargs: dict) -> None:
    """Refuse constructor arguments that were renamed, naming the new ones.

    Called from ``__new__`` (so the estimators' signatures stay their real
    parameters): the regressors took the provisioning prices as ``alpha`` /
    ``beta``, which collides with scikit-learn's ``MLPRegressor(alpha=...)`` (an
    L2 penalty): a ported ``alpha=1e-4`` would silently have priced
    over-provisioning instead.
    """
    name = next((k for k in kwargs if k in RENAMED_PRICES), None)
    if name is None:
        return
    raise TypeError(
        f"{owner} has no parameter {name!r}: the provisioning prices are "
        "'over_cost' (was 'alpha') and 'under_cost' (was 'beta'), renamed because "
        "scikit-learn's MLPRegressor(alpha=...) is an L2 penalty, which is "
        f"'weight_decay' here. Write {owner}({RENAMED_PRICES[name]}=...)."
    )
