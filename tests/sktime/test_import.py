"""sktime stays optional: ``import lstmforecast`` never imports it.

These tests run without sktime too (they need no import of it).
"""

import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).parents[2]


def _run(code: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-c", code],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_import_lstmforecast_does_not_import_sktime():
    # the networks too (lazy names): nothing but lstmforecast.sktime loads sktime
    result = _run(
        "import sys, lstmforecast\n"
        "lstmforecast.LSTMRegressor, lstmforecast.regressors, lstmforecast.lab\n"
        "print(sorted(m for m in sys.modules if m.split('.')[0] == 'sktime'"
        " or m == 'lstmforecast.sktime'))"
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "[]"


def test_import_lstmforecast_sktime_without_sktime_names_the_extra():
    result = _run(
        "import sys\n"
        "sys.modules['sktime'] = None  # as if it were not installed\n"
        "import lstmforecast.sktime"
    )
    assert result.returncode != 0
    message = result.stderr.strip().splitlines()[-1]
    assert message.startswith("ImportError: lstmforecast.sktime needs the optional")
    assert "pip install lstmforecast[sktime]" in message


@pytest.mark.slow
def test_doctests_collect_without_sktime():
    # pytest --doctest-modules on the package leaves lstmforecast/sktime out
    result = _run(
        "import sys\n"
        "sys.modules['sktime'] = None\n"
        "import pytest\n"
        "sys.exit(pytest.main(['-q', '-p', 'no:cacheprovider', '--collect-only',"
        " 'lstmforecast']))"
    )
    assert result.returncode == 0, result.stdout[-2000:]
    assert "lstmforecast/regressors/_lstm.py" in result.stdout
    assert "lstmforecast/sktime" not in result.stdout
