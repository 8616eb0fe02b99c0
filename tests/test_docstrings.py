"""Every public object has a numpydoc docstring with its parameters and an example."""

import importlib
import importlib.util
import inspect

import pytest

numpydoc_validate = pytest.importorskip("numpydoc.validate")

MODULES = [
    "lstmforecast.datasets",
    "lstmforecast.preprocessing",
    "lstmforecast.nn",
    "lstmforecast.regressors",
    "lstmforecast.model_selection",
    "lstmforecast.metrics",
    "lstmforecast.plotting",
    "lstmforecast.lab",
    "lstmforecast.cli",
]
if importlib.util.find_spec("sktime") is not None:  # the optional sktime extra
    MODULES.append("lstmforecast.sktime")
# GL08 no docstring, PR01/PR02 parameters missing or unknown, RT01 no Returns,
# SS01 no summary; EX01 (no Examples) is required of classes and functions only.
ERRORS = {"GL08", "PR01", "PR02", "RT01", "SS01"}


def _public_objects():
    for module_name in MODULES:
        module = importlib.import_module(module_name)
        for name in module.__all__:
            obj = getattr(module, name)
            if inspect.isfunction(obj) or inspect.isclass(obj):
                yield f"{obj.__module__}.{obj.__qualname__}", True
            if inspect.isclass(obj):
                for meth, value in vars(obj).items():
                    if not meth.startswith("_") and callable(value):
                        yield f"{obj.__module__}.{obj.__qualname__}.{meth}", False


OBJECTS = sorted(set(_public_objects()))


@pytest.mark.parametrize(
    ("qualname", "needs_example"), OBJECTS, ids=[o[0] for o in OBJECTS]
)
def test_numpydoc(qualname, needs_example):
    result = numpydoc_validate.validate(qualname)
    wanted = ERRORS | ({"EX01"} if needs_example else set())
    errors = [f"{code}: {msg}" for code, msg in result["errors"] if code in wanted]
    assert not errors, "\n".join(errors)


def _api_reference_entries():
    """Names listed in the ``.. autosummary::`` blocks of docs/api.md, per module."""
    from pathlib import Path

    lines = (Path(__file__).parents[1] / "docs" / "api.md").read_text().splitlines()
    entries, module, in_block = {}, None, False
    for line in lines:
        stripped = line.strip()
        if stripped.startswith(".. currentmodule::"):
            module, in_block = stripped.split("::", 1)[1].strip(), False
        elif stripped.startswith(".. autosummary::"):
            in_block = True
        elif in_block and line.startswith("   ") and not stripped.startswith(":"):
            entries.setdefault(module, []).append(stripped)
        elif in_block and stripped and not line.startswith("   "):
            in_block = False
    return entries


def test_api_reference_lists_every_public_name():
    # docs/api.md generates one page per name it lists (autosummary); a public name
    # it leaves out has no page, one it lists that is not public is stale.
    entries = _api_reference_entries()
    for module_name in MODULES:
        public = set(importlib.import_module(module_name).__all__)
        listed = entries.get(module_name, [])
        missing = sorted(public - set(listed))
        assert not missing, f"{module_name}: {missing} missing from docs/api.md"
        stale = sorted(set(listed) - public)
        assert not stale, f"{module_name}: {stale} in docs/api.md but not in __all__"
        assert len(listed) == len(set(listed)), f"{module_name}: listed twice"
