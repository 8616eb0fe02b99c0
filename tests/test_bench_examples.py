"""benchmarks/bench_examples.py: the README's quick start blocks are found, a fast
example runs with one core busy, the table is printed and --check sets the status."""

import argparse
import os
from pathlib import Path

import pytest

ROOT = Path(__file__).parents[1]
BENCHMARKS = ROOT / "benchmarks"

README = """# project

```bash
pip install project
```

## Quick start

```python
import first
```

Some text.

### Every cell, 24 hours ahead

```python
second = first.more()
```

```bash
not python
```

## Speed

```python
not_in_the_section = 1
```
"""


@pytest.fixture(scope="module")
def bench(load_benchmark):
    return load_benchmark("bench_examples")


def test_readme_scripts_hold_the_quick_start_code(bench):
    scripts = bench.readme_scripts()
    first = scripts["README quick start"]
    both = scripts["README quick start + every cell"]
    assert "from lstmforecast.regressors import LSTMRegressor" in first
    assert "from sklearn.model_selection import GridSearchCV" in first
    assert "search.predict(test)" in first
    assert "PanelTimeSeriesSplit" not in first
    assert both.startswith(first)
    assert "from lstmforecast.model_selection import PanelTimeSeriesSplit" in both
    assert "search.predict(X_test)" in both
    for code in scripts.values():
        compile(code, "README.md", "exec")  # whole statements, no Markdown


def test_readme_blocks_reads_only_the_quick_start_python_blocks(bench, tmp_path):
    blocks = bench.readme_blocks(README)
    assert blocks == {
        None: ["import first\n"],
        "Every cell, 24 hours ahead": ["second = first.more()\n"],
    }
    path = tmp_path / "README.md"
    path.write_text(README)
    assert bench.readme_scripts(path)["README quick start + every cell"] == (
        "import first\n\nsecond = first.more()\n"
    )
    path.write_text(README.replace("### Every cell", "### Each cell"))
    with pytest.raises(ValueError, match="one under '### Every cell, 24 hours"):
        bench.readme_scripts(path)
    with pytest.raises(ValueError, match="no '## Quick start' heading"):
        bench.readme_blocks(README.replace("## Quick start", "## Start"))


def test_cases_are_the_readme_every_example_and_the_lab(bench):
    names = list(bench.cases())
    examples = [f"examples/{p.name}" for p in sorted((ROOT / "examples").glob("*.py"))]
    assert examples
    assert names == [
        "README quick start",
        "README quick start + every cell",
        *examples,
        "lstmforecast lab",
    ]
    assert bench.lab_command()[-1] == "lab"


def test_busy_core_spins_and_always_stops(bench):
    with bench.busy_core() as pid:
        os.kill(pid, 0)  # running
    with pytest.raises(ProcessLookupError):
        os.kill(pid, 0)
    with pytest.raises(KeyboardInterrupt), bench.busy_core() as pid:
        raise KeyboardInterrupt
    with pytest.raises(ProcessLookupError):
        os.kill(pid, 0)
    with bench.busy_core(enabled=False) as pid:
        assert pid is None


def test_run_once_uses_a_fresh_directory_and_reports_failures(bench):
    env = {**os.environ, "MPLBACKEND": "Agg"}
    code = "import os; print(os.getcwd(), os.environ['MPLBACKEND'])"
    run = bench.run_once({"code": code}, env, timeout=60, busy_pid=None)
    cwd, backend = run["tail"].split()
    assert run["rc"] == 0 and backend == "Agg"
    assert Path(cwd).name.startswith("bench_examples_") and not Path(cwd).exists()
    failed = bench.run_once({"code": "raise SystemExit(3)"}, env, 60, None)
    slow = bench.run_once({"code": "import time; time.sleep(30)"}, env, 0.5, None)
    assert failed["rc"] == 3 and slow["rc"] is None and slow["wall"] < 10
    ok = dict(run, wall=1.0)
    results = {"ok": [ok], "failed": [failed], "slow": [slow], "long": [ok, ok]}
    rows = bench.table(results, limit=60)
    verdicts = {row[0]: row[3] for row in rows[1:]}
    assert verdicts == {
        "ok": "yes",
        "failed": "no: exit 3",
        "slow": "no: timeout",
        "long": "yes",
    }
    assert rows[0][:4] == ["case", "wall s", "cpu s", "< 60 s?"]
    assert bench.exit_status({"ok": [ok]}, 60, check=True) == 0
    assert bench.exit_status({"ok": [ok]}, 0.5, check=True) == 1
    assert bench.exit_status(results, 60, check=False) == 0


def test_a_disturbed_run_is_run_again_and_the_least_disturbed_kept(
    bench, capsys, monkeypatch
):
    others = iter([0.4, 0.9, 0.1, 0.5, 0.8])
    run = {"rc": 0, "wall": 1.0, "cpu": 1.0, "load": (0.0, 0.0), "tail": ""}
    monkeypatch.setattr(bench, "run_once", lambda *a: {**run, "others": next(others)})
    args = argparse.Namespace(repeat=3, retries=1, max_others=0.25, timeout=60)
    results = bench.run_cases({"case": {"code": "pass"}}, args, busy_pid=None)
    out = capsys.readouterr().out
    # 0.4 is run again (0.9: 0.4 is kept), 0.1 is not, 0.5 is run again (0.8)
    assert [r["others"] for r in results["case"]] == [0.4, 0.1, 0.5]
    assert out.count("(disturbed: again)") == 2
    assert out.count("  case #") == 5


@pytest.mark.slow  # 8 s on a quiet machine, about 20 s on a busy one
def test_main_times_one_example_with_a_busy_core(bench, capsys):
    status = bench.main(["--only", "plot_milano_hourly", "--check"])
    out = capsys.readouterr().out
    assert status == 0
    assert "one core kept busy; load average at start:" in out
    lines = out.splitlines()
    at = next(i for i, line in enumerate(lines) if "wall s" in line)
    assert lines[at].split()[:6] == ["case", "wall", "s", "cpu", "s", "<"]
    row = lines[at + 1]  # the table's only row
    name, wall, cpu, verdict = row.split()[:4]
    assert name == "examples/plot_milano_hourly.py" and verdict == "yes"
    assert 0 < float(wall) < 60 and float(cpu) > 0
    assert "1 of 1 cases under 60 s" in out


def test_only_must_match_a_case(bench):
    with pytest.raises(SystemExit):
        bench.main(["--only", "no such case"])
