"""The HTML documentation builds with warnings as errors (Sphinx, nothing executed)."""

import importlib
import subprocess
import sys
import time
from pathlib import Path

import pytest

for _name in ("sphinx", "myst_parser", "numpydoc"):  # the dev and docs extras
    pytest.importorskip(_name)

ROOT = Path(__file__).parents[1]
# The modules of the API reference (as in tests/test_docstrings.py).
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


@pytest.mark.slow
def test_html_docs_build_without_warnings(tmp_path):
    out = tmp_path / "html"
    command = [
        sys.executable,
        "-m",
        "sphinx",
        "-W",
        "--keep-going",
        "-q",
        "-b",
        "html",
        "-d",
        str(tmp_path / "doctrees"),
        str(ROOT / "docs"),
        str(out),
    ]
    start = time.perf_counter()
    result = subprocess.run(
        command, cwd=ROOT, capture_output=True, text=True, timeout=300
    )
    seconds = time.perf_counter() - start
    assert result.returncode == 0, (
        f"sphinx-build failed after {seconds:.0f} s:\n{result.stdout}\n{result.stderr}"
    )

    for page in ("index", "user_guide", "api", "data", "changelog"):
        assert (out / f"{page}.html").is_file(), page
    generated = out / "generated"
    for name in (
        "lstmforecast.regressors.LSTMRegressor",
        "lstmforecast.metrics.provisioning_cost",
        "lstmforecast.plotting.CostSurfaceDisplay",
    ):
        assert (generated / f"{name}.html").is_file(), name
    # One page per public name of every module.
    for module_name in MODULES:
        for name in importlib.import_module(module_name).__all__:
            page = generated / f"{module_name}.{name}.html"
            assert page.is_file(), f"no API page for {module_name}.{name}"

    lstm = (generated / "lstmforecast.regressors.LSTMRegressor.html").read_text()
    # Methods of the private base class are documented, scikit-learn's are not.
    assert 'id="lstmforecast.regressors.LSTMRegressor.fit"' in lstm
    assert 'id="lstmforecast.regressors.LSTMRegressor.get_params"' not in lstm
    data = (out / "data.html").read_text()
    assert "ODbL" in data and "doi:10.7910/DVN/EGZHFV" in data
