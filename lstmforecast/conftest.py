"""Doctest collection of the package (``--doctest-modules``): optional extras.

``lstmforecast.sktime`` needs sktime, an optional extra: without it its modules
cannot be imported, so pytest leaves them out instead of failing to collect
them (``tests/sktime`` skips itself the same way).
"""

import importlib.util


def _importable(name: str) -> bool:
    try:
        return importlib.util.find_spec(name) is not None
    except (ImportError, ValueError):  # a parent missing, or sys.modules[name] = None
        return False


collect_ignore = [] if _importable("sktime") else ["sktime"]
