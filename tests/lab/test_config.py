"""LabConfig: one source for the lab's parameters, checks, options and results."""

import dataclasses

import pytest

import lstmforecast.lab
from lstmforecast.cli import main
from lstmforecast.lab import LabConfig, run_lab

FIELDS = dataclasses.fields(LabConfig)


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"cell": "5161"}, "cell: expected an integer cell id; got '5161'."),
        ({"trace_cells": [1, "a"]}, "trace_cells: expected None or a list of integer"),
        ({"traffic": "smsin"}, "traffic: expected one of ("),
        ({"data_dir": 3}, "data_dir: expected a folder path or None; got 3."),
        ({"days": 70}, "days: expected an integer from 1 to 62"),
        ({"days": True}, "days: expected an integer from 1 to 62"),
        ({"test_days": 0}, "test_days: expected an integer >= 1; got 0."),
        ({"lookback": 169}, "lookback: expected an integer from 1 to 168 hours"),
        ({"lstm_epochs": 0}, "lstm_epochs: expected an integer >= 1; got 0."),
        ({"mlp_epochs": 2.5}, "mlp_epochs: expected an integer >= 1; got 2.5."),
        ({"alpha": -1}, "alpha: expected a finite number >= 0; got -1."),
        ({"beta": float("inf")}, "beta: expected a finite number >= 0; got inf."),
        ({"alphas": [1]}, "alphas: expected at least two finite prices >= 0; got (1,)"),
        ({"betas": ["a", "b"]}, "betas: expected at least two finite prices"),
        ({"step": 0}, "step: expected a finite number > 0 or None; got 0."),
        ({"grid": "yes"}, "grid: expected True or False; got 'yes'."),
        ({"grid_epochs": -1}, "grid_epochs: expected an integer >= 1; got -1."),
        ({"device": None}, "device: expected a device name"),
        ({"n_threads": 0}, "n_threads: expected an integer >= 1 or None; got 0."),
        ({"output_dir": None}, "output_dir: expected a folder path; got None."),
        ({"seed": 1.5}, "seed: expected an integer or None; got 1.5."),
        ({"verbose": -1}, "verbose: expected 0 (silent) or 1"),
        ({"days": 12, "test_days": 10}, "leaves 2 training days; the lab needs at"),
    ],
)
def test_every_field_is_checked_with_a_one_line_error_naming_it(change, message):
    config = LabConfig(**change)  # made as given; checked by validate / run_lab
    with pytest.raises(ValueError) as error:
        config.validate()
    assert message in str(error.value)
    assert "\n" not in str(error.value)
    with pytest.raises(ValueError, match="expected|leaves"):
        run_lab(config)


def test_valid_values_pass_and_lists_become_tuples():
    config = LabConfig(
        trace_cells=[4159], alphas=[0, 1.5], betas=range(1, 3), step=None, seed=None
    )
    assert config.validate() is config
    assert (config.trace_cells, config.alphas, config.betas) == (
        (4159,),
        (0, 1.5),
        (1, 2),
    )
    assert hash(config) == hash(dataclasses.replace(config))  # frozen and hashable
    with pytest.raises(dataclasses.FrozenInstanceError):
        config.days = 3


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"lookbak": 24}, "'lookbak' is not a lab option .*did you mean 'lookback'"),
        ({"epochs": 5}, "'epochs' is not a lab option"),
    ],
)
def test_run_lab_keywords_are_config_fields(overrides, message):
    with pytest.raises(TypeError, match=message):
        run_lab(**overrides)
    with pytest.raises(TypeError, match="config: expected a LabConfig or None"):
        run_lab({"days": 20})


def test_docstring_documents_every_field_with_its_default():
    docscrape = pytest.importorskip("numpydoc.docscrape")
    parameters = docscrape.ClassDoc(LabConfig)["Parameters"]
    documented = {p.name: p.type for p in parameters}
    assert list(documented) == [f.name for f in FIELDS]
    for f in FIELDS:
        default = f.default
        shown = "(1, 2, ..., 10)" if isinstance(default, tuple) else repr(default)
        assert documented[f.name].endswith(f"default={shown}"), f.name


@pytest.fixture
def lab_config(monkeypatch):
    """Run ``lstmforecast lab ...`` and return the LabConfig it passes to run_lab."""
    seen = []
    monkeypatch.setattr(lstmforecast.lab, "run_lab", seen.append)

    def parse(*args):
        assert main(["lab", *args]) == 0
        return seen.pop()

    return parse


def test_the_command_line_options_are_the_fields(lab_config, capsys):
    assert lab_config() == LabConfig()
    config = lab_config(
        "--threads", "2", "--no-grid", "--quiet", "--alphas", "1", "2.5",
        "--trace-cells", "4159", "--step", "none", "--data-dir", "raw",
    )  # fmt: skip
    assert config == LabConfig(
        n_threads=2, grid=False, verbose=0, alphas=(1.0, 2.5), trace_cells=(4159,),
        step=None, data_dir="raw",
    )  # fmt: skip
    assert main(["lab", "--help"]) == 0
    usage = capsys.readouterr().out
    flags = {"n_threads": "--threads", "grid": "--no-grid", "verbose": "--quiet"}
    for f in FIELDS:
        assert flags.get(f.name, "--" + f.name.replace("_", "-")) in usage, f.name
    assert "(default: 1 ... 10)" in usage and "(default: 10)" in usage
