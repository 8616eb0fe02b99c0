"""LSTMRegressor with every cell, residual stacks and layer norms, and a user cell."""

import pickle

import numpy as np
import pytest
import torch
from sklearn.base import clone
from sklearn.model_selection import GridSearchCV, TimeSeriesSplit
from sklearn.utils._param_validation import InvalidParameterError

from lstmforecast.nn import MLSTMModule, PeepholeLSTMModule, SLSTMModule
from lstmforecast.preprocessing import make_windows
from lstmforecast.regressors import FleetRegressor, LSTMRegressor

TINY = {"max_epochs": 2, "batch_size": 16, "random_state": 0}


class GatedTanh(torch.nn.Module):
    """A user's cell, importable so that a fitted model pickles."""

    def __init__(self, input_size, hidden_size):
        super().__init__()
        self.gru = torch.nn.GRU(input_size, hidden_size, batch_first=True)

    def forward(self, X):
        out, h = self.gru(X)
        return torch.tanh(out), h


CELLS = ["lstm", "gru", "rnn", "peephole", "slstm", "mlstm", GatedTanh]
IDS = [c if isinstance(c, str) else c.__name__ for c in CELLS]


@pytest.fixture(scope="module")
def windows():
    t = np.arange(160, dtype=float)
    X, y = make_windows(np.sin(2 * np.pi * t / 24), lookback=12)
    return X, y.ravel()


@pytest.mark.parametrize("cell", CELLS, ids=IDS)
def test_every_cell_fits_reruns_bit_for_bit_and_pickles(windows, cell):
    X, y = windows
    model = LSTMRegressor((4, 3), cell=cell, **TINY).fit(X, y)
    pred = model.predict(X)
    assert pred.shape == y.shape and np.isfinite(pred).all()
    again = clone(model).fit(X, y)  # the class survives clone
    assert again.cell is cell
    np.testing.assert_array_equal(again.predict(X), pred)
    restored = pickle.loads(pickle.dumps(model))
    np.testing.assert_array_equal(restored.predict(X), pred)
    assert model.n_params_ == sum(p.numel() for p in model.net_.module_.parameters())
    assert "Total params" in model.summary()


@pytest.mark.parametrize(
    ("cell", "layer"),
    [("peephole", PeepholeLSTMModule), ("slstm", SLSTMModule), ("mlstm", MLSTMModule)],
)
def test_the_cells_are_the_library_modules(windows, cell, layer):
    X, y = windows
    model = LSTMRegressor(4, cell=cell, **TINY).fit(X, y)
    assert isinstance(model.net_.module_.layers[0], layer)


@pytest.mark.parametrize("cell", ["peephole", "slstm", "mlstm"])
def test_numpy_integer_sizes_are_accepted(windows, cell):
    X, y = windows
    sizes = (np.int64(4), np.int32(3))
    model = LSTMRegressor(sizes, cell=cell, **TINY).fit(X, y)
    plain = LSTMRegressor((4, 3), cell=cell, **TINY).fit(X, y)
    np.testing.assert_array_equal(model.predict(X), plain.predict(X))


@pytest.mark.parametrize("cell", ["lstm", "slstm"])
def test_residual_and_layer_norm_fit_deep_stacks(windows, cell):
    X, y = windows
    deep = {"hidden_size": (4, 4, 4, 2), "cell": cell, **TINY}
    plain = LSTMRegressor(**deep).fit(X, y)
    both = LSTMRegressor(residual=True, layer_norm=True, **deep).fit(X, y)
    module = both.net_.module_
    assert module.residual and module.layer_norm
    assert len(module.projections) == 3 and len(module.norms) == 4
    # 4 -> 2 needs a map (8 weights), the others are identities; 4 norms
    assert both.n_params_ == plain.n_params_ + 4 * 2 + 2 * (4 + 4 + 4 + 2)
    assert np.isfinite(both.predict(X)).all()
    again = LSTMRegressor(residual=True, layer_norm=True, **deep).fit(X, y)
    np.testing.assert_array_equal(again.predict(X), both.predict(X))


def test_a_grid_search_may_compare_cells(windows):
    X, y = windows
    search = GridSearchCV(
        LSTMRegressor(3, **TINY),
        {"cell": ["lstm", "peephole", GatedTanh], "residual": [False]},
        cv=TimeSeriesSplit(2),
    ).fit(X, y)
    assert search.best_params_["cell"] in ("lstm", "peephole", GatedTanh)
    assert len(search.cv_results_["params"]) == 3


class NotAModule:
    def __init__(self, input_size, hidden_size):
        pass


class FinalStateOnly(GatedTanh):
    def forward(self, X):
        return self.gru(X)[1][0], None  # (batch, hidden): not every step


@pytest.mark.parametrize(
    ("cell", "match"),
    [
        (
            "lsmt",
            r"'cell' parameter of LSTMRegressor must be one of \['gru', 'lstm',.*"
            r"Got 'lsmt' instead\. Did you mean 'lstm'\?",
        ),
        ("xlstm", r"or a torch\.nn\.Module subclass.*Got 'xlstm' instead"),
        (NotAModule, "'cell' parameter of LSTMRegressor.*Got the class NotAModule"),
        (GatedTanh(1, 2), "Got an instance of GatedTanh.*pass the class itself"),
    ],
)
def test_bad_cells_are_refused_in_fit(windows, cell, match):
    X, y = windows
    with pytest.raises(InvalidParameterError, match=match) as info:
        LSTMRegressor(cell=cell, **TINY).fit(X, y)
    assert "\n" not in str(info.value)


def test_torchs_own_classes_are_built_batch_first(windows):
    X, y = windows
    by_class = LSTMRegressor((4, 3), cell=torch.nn.GRU, **TINY).fit(X, y)
    by_name = LSTMRegressor((4, 3), cell="gru", **TINY).fit(X, y)
    assert by_class.net_.module_.layers[0].batch_first
    np.testing.assert_array_equal(by_class.predict(X), by_name.predict(X))


def test_a_users_cell_with_the_wrong_outputs_is_refused_at_the_first_batch(windows):
    X, y = windows
    with pytest.raises(ValueError, match=r"class FinalStateOnly.*\(16, 12, 7\)"):
        LSTMRegressor(cell=FinalStateOnly, **TINY).fit(X, y)


@pytest.mark.parametrize(
    ("params", "match"),
    [
        ({"cell": "peephole"}, "estimator__cell='peephole'.*estimator__cell='lstm'"),
        ({"cell": "slstm"}, "estimator__cell='slstm'"),
        ({"cell": "mlstm"}, "estimator__cell='mlstm'"),
        ({"cell": "rnn"}, "estimator__cell='rnn'"),
        ({"cell": GatedTanh}, "estimator__cell=<class .*GatedTanh'>"),
        ({"residual": True}, "estimator__residual=True.*estimator__residual=False"),
        ({"layer_norm": True}, "estimator__layer_norm=True"),
    ],
)
def test_the_fleet_refuses_what_its_lstm_kernel_cannot_run(windows, params, match):
    X, y = windows
    fleet = FleetRegressor(LSTMRegressor(4, **TINY, **params))
    with pytest.raises(ValueError, match=match) as info:
        fleet.fit(X, y)
    assert "\n" not in str(info.value)
    assert "fit one LSTMRegressor per series" in str(info.value)


def test_the_fleet_module_refuses_residual_networks():
    from lstmforecast.nn import RecurrentFleetModule, RecurrentModule

    with pytest.raises(ValueError, match="no residual or layer_norm"):
        RecurrentFleetModule.from_modules([RecurrentModule(1, (3, 3), residual=True)])


@pytest.mark.gpu
@pytest.mark.skipif(not torch.cuda.is_available(), reason="no CUDA device")
@pytest.mark.parametrize("cell", ["peephole", "slstm", "mlstm"])
def test_cells_train_and_predict_on_the_gpu(windows, cell):
    X, y = windows
    model = LSTMRegressor((8, 4), cell=cell, device="cuda", **TINY).fit(X, y)
    assert next(model.net_.module_.parameters()).is_cuda
    pred = model.predict(X)
    cpu = LSTMRegressor((8, 4), cell=cell, **TINY).fit(X, y).predict(X)
    np.testing.assert_allclose(pred, cpu, atol=1e-3)
