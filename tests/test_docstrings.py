"""Every public object has a numpydoc docstring with its parameters and an example."""

import importlib
import inspect

import pytest

numpydoc_validate = pytest.importorskip("numpydoc.validate")

MODULES = [
    "lstmforecast.datasets",
    "lstmforecast.preprocessing",
    "lstmforecast.nn",
    "lstmforecast.regressors",
    "lstmforecast.metrics",
    "lstmforecast.plotting",
    "lstmforecast.cli",
]
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


def test_api_reference_lists_every_public_name():
    from pathlib import Path

    text = (Path(__file__).parents[1] / "docs" / "api.md").read_text()
    for module_name in MODULES[:-1]:  # the CLI has its own section
        for name in importlib.import_module(module_name).__all__:
            assert f"`{name}`" in text, f"{module_name}.{name} missing from docs/api.md"
