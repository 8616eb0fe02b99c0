"""Test-wide settings: tiny torch networks run on one thread.

On the 2-core CI machine, torch's default of one thread per core makes the tiny
networks of the tests slower and far less steady (threads spin-wait on each
other); joblib workers started by the tests get their own limits. ``load_benchmark``
imports a script of ``benchmarks/`` for its smoke test.
"""

import importlib.util
import sys
from pathlib import Path

import pytest
import torch

BENCHMARKS = Path(__file__).parents[1] / "benchmarks"


@pytest.fixture(autouse=True, scope="session")
def _one_torch_thread():
    threads = torch.get_num_threads()
    torch.set_num_threads(1)
    yield
    torch.set_num_threads(threads)


@pytest.fixture(scope="module")
def load_benchmark():
    """Import ``benchmarks/<name>.py`` as a module (with its ``_machine`` helper)."""
    sys.path.insert(0, str(BENCHMARKS))
    try:

        def load(name):
            spec = importlib.util.spec_from_file_location(
                name, BENCHMARKS / f"{name}.py"
            )
            module = importlib.util.module_from_spec(spec)
            spec.loader.exec_module(module)
            return module

        yield load
    finally:
        sys.path.remove(str(BENCHMARKS))
