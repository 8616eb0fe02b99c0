"""The HTML documentation builds with warnings as errors, the gallery executed.

The build runs every example (``examples/plot_*.py``, through sphinx-gallery) and
puts its figures on its page: this is where the suite runs the examples.
"""

import importlib
import importlib.util
import os
import re
import shutil
import subprocess
import sys
import time
from pathlib import Path

import pytest

for _name in ("sphinx", "myst_parser", "numpydoc", "sphinx_gallery"):  # dev, docs
    pytest.importorskip(_name)

ROOT = Path(__file__).parents[1]
_THREAD_VARIABLES = ("OMP_NUM_THREADS", "MKL_NUM_THREADS", "OPENBLAS_NUM_THREADS")
EXAMPLES = sorted((ROOT / "examples").glob("plot_*.py"))
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
if importlib.util.find_spec("sktime") is not None:  # the optional sktime extra
    MODULES.append("lstmforecast.sktime")


@pytest.mark.slow
def test_html_docs_build_without_warnings(tmp_path):
    out = tmp_path / "html"
    command = [
        sys.executable,
        "-m",
        "sphinx",
        "-W",
        "--keep-going",
        "-j",
        "auto",  # one example per core (the gallery's "parallel")
        "-q",
        "-b",
        "html",
        "-d",
        str(tmp_path / "doctrees"),
        str(ROOT / "docs"),
        str(out),
    ]
    # a gallery left by an earlier build would skip the unchanged examples
    shutil.rmtree(ROOT / "docs" / "auto_examples", ignore_errors=True)
    start = time.perf_counter()
    # one torch / BLAS thread per example process: two examples on two cores
    # must not oversubscribe them (threads spin on a busy core)
    env = {**os.environ, **dict.fromkeys(_THREAD_VARIABLES, "1")}
    result = subprocess.run(
        command, cwd=ROOT, capture_output=True, text=True, timeout=900, env=env
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
    _check_gallery(out)


def _check_gallery(out: Path) -> None:
    """Every example has its page with every figure it draws (one per savefig)."""
    gallery = out / "auto_examples"
    index = (gallery / "index.html").read_text()
    assert EXAMPLES, "no examples found"
    for path in EXAMPLES:
        name = path.stem
        page = gallery / f"{name}.html"
        assert page.is_file(), f"no gallery page for {name}"
        assert f"{name}.html" in index, f"{name} is not in the gallery index"
        drawn = sorted((out / "_images").glob(f"sphx_glr_{name}_[0-9][0-9][0-9].png"))
        saved = len(re.findall(r"\bsavefig\(", path.read_text()))
        assert saved >= 1, f"{name} saves no figure"
        assert len(drawn) == saved, f"{name}: {len(drawn)} figures drawn, {saved} saved"
        html = page.read_text()
        for image in drawn:
            assert image.name in html, f"{image.name} is not shown on {name}'s page"
