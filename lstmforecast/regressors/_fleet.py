"""FleetRegressor: one small network per series of a panel, all trained in one fit."""

from __future__ import annotations

import copy
import math
import numbers
import warnings

import numpy as np
import pandas as pd
import torch
from sklearn.base import BaseEstimator, RegressorMixin, _fit_context, clone
from sklearn.utils._param_validation import HasMethods, Interval, StrOptions
from sklearn.utils.validation import _num_samples, check_is_fitted
from skorch.history import History
from torch.func import vmap

from lstmforecast._validation import PlainParamsMixin, check_same_rows, validated_data
from lstmforecast.datasets._schema import as_written
from lstmforecast.nn._fleet import (
    _MEMBER_OPTIMIZERS,
    RecurrentFleetModule,
    _backward,
    _copy_into,
    _forward,
    _infer,
    _native_kernels,
    _Spec,
    _Workspace,
)
from lstmforecast.nn._modules import _sizes
from lstmforecast.preprocessing._panel import (
    _plain,
    check_aligned,
    panel_layout,
)
from lstmforecast.regressors._base import (
    _check_float32_range,
    _check_target,
    _finite_rows,
    _resolve_threads,
    _torch_threads,
)
from lstmforecast.regressors._lstm import LSTMRegressor

__all__ = ["FleetRegressor"]

_OWNER = "FleetRegressor"
# Rows per member and forward pass in predict.
_PREDICT_ROWS = 512
# compile='auto' compiles the native kernels for fits of at least this many
# member batches (members x batches x epochs): ~0.15 s to compile once per
# machine, ~40 us saved per member batch on the lab's network.
_COMPILE_WORK = 20_000
# Settings of the member estimator that the fleet cannot reproduce exactly, with
# the value it needs and why.
_UNSUPPORTED = (
    ("cell", "lstm", "the fleet's kernel is an LSTM"),
    ("bidirectional", False, "the fleet's kernel runs forward in time"),
    ("dropout", 0.0, "dropout masks would interleave the members' random draws"),
    ("residual", False, "the fleet's kernel stacks plain LSTM layers"),
    ("layer_norm", False, "the fleet's kernel stacks plain LSTM layers"),
    ("early_stopping", False, "each member would stop at its own epoch"),
    ("verbose", 0, "skorch's per-epoch table is per network"),
    ("callbacks", None, "skorch callbacks act on one network"),
    ("optimizer_params", None, "the fleet's optimizers take lr and weight_decay"),
    ("series_embedding", None, "each member is the model of one series"),
    ("windows_per_epoch", None, "each member trains on all of its windows"),
    ("predict_dtype", None, "members forecast in float64"),
    ("anchor", None, "the fleet's members are centred by their window's level"),
    ("linear_path", False, "the fleet's kernel is the LSTM and its head alone"),
    ("quantiles", None, "the fleet's kernel has one output per target column"),
    ("nonnegative", False, "the fleet's members forecast as they are trained"),
    ("capacity_step", None, "the fleet's kernel reads the targets alone"),
)


def _series_text(label) -> str:
    return "the only series" if label is None else f"series {_plain(label)}"


class _Panel:
    """Rows of ``X`` by series: labels, row positions (time order), the layout."""

    def __init__(self, X, owner: str):
        self.index = X.index if isinstance(X, (pd.DataFrame, pd.Series)) else None
        if isinstance(self.index, pd.MultiIndex):
            self.layout = panel_layout(self.index, owner)
            self.labels = list(self.layout.keys)
            self.rows = [self.layout.rows(g) for g in range(self.layout.n_groups)]
            self.names = self.layout.key_names
        else:
            self.layout = None
            self.labels = [None]
            self.rows = [np.arange(_num_samples(X))]
            self.names = ["series"]


class FleetRegressor(PlainParamsMixin, RegressorMixin, BaseEstimator):
    """One network per series of a panel, all trained together in one fit.

    ``fit`` gives every series of a panel (a frame indexed by ``(series, ...,
    time)``) its own copy of ``estimator`` (an :class:`LSTMRegressor`), trained
    on that series only, and trains all of them at once: their weights are
    stacked in one tensor and every training step runs all members through one
    batched matrix product per layer and time step (see
    :class:`~lstmforecast.nn.RecurrentFleetModule`). Each member is the network
    a single ``clone(estimator).fit(X_s, y_s)`` on its series would give, with
    the same ``random_state``: the same initial weights, the same shuffled
    batches, the same optimizer steps, the same centring and scaling, the same
    skipped NaN rows, equal up to float32 rounding (1e-6 on the predictions of
    the tests). ``predict`` forecasts each row with its own series' member.

    .. code-block:: text

        panel X (cell, time)         windows per series      members
        cell 4159  t0 t1 ... tn  ->  W[4159]  y[4159]   ->   network 4159
        cell 5161  t0 t1 ... tn  ->  W[5161]  y[5161]   ->   network 5161
        ...                          (never across series)   one vectorised loop

    Parameters
    ----------
    estimator : LSTMRegressor
        The network of each member (cloned per series): its ``hidden_size``,
        training settings and ``random_state`` are the members'. LSTM cells,
        without dropout, bidirectional layers, early stopping, callbacks or
        ``verbose``, on the CPU, with a named optimizer (``'adam'``, ``'sgd'``,
        ``'rmsprop'``).
    window : SlidingWindow or None, default=None
        A :class:`~lstmforecast.preprocessing.SlidingWindow` (cloned in
        :meth:`fit`): ``X`` is the frame it reads and each series gets the
        windows ``window.fit_transform`` gives it, within the series only. None:
        the rows of ``X`` are the members' inputs already (flattened windows of
        one feature, as ``SlidingWindow(flatten=True)`` gives them).
    members_per_pass : int, default=256
        Members trained together in one vectorised loop; more series are
        trained in successive passes of this many. Larger passes spread the
        per-operation overhead over more members, smaller ones keep the
        training data in the cache; results do not depend on it.
    compile : {'auto', True, False}, default='auto'
        Whether each wave's elementwise work (gate nonlinearities and cell
        update forward, gate derivatives backward) runs in two small native
        kernels, compiled with the machine's C compiler (``$CC``, else ``cc``)
        on first use and cached in the user's own cache folder
        (``~/.cache/lstmforecast``, mode 700; a folder or file there that is
        not the user's, or that others may write, is refused), instead of a dozen
        torch operations. The same formulas, a float32 rounding apart (members
        still agree with their single fits to ~1e-7). ``'auto'`` compiles for
        fits of at least 20,000 member batches (members x batches per epoch x
        epochs) and keeps eager torch for smaller ones; True compiles for any
        fit; False never. Compiling takes ~0.15 s once per machine (a later
        process only loads the cached library, ~1 ms) and makes the fleet
        ~1.35x faster on one thread: 39 ms per member instead of 53 for the
        lab's network in ``benchmarks/bench_fleet.py`` (1,000 cells, 5
        epochs), the compiling included. If compiling or loading fails (no C
        compiler, say), the fit warns (``UserWarning``, naming the reason) and
        trains with eager torch.

    Attributes
    ----------
    series_ : pandas.Index
        The series labels, one member each, in order of first appearance in
        ``X`` (a MultiIndex for several series levels; ``[None]`` when ``X``
        is one series).
    history_ : pandas.DataFrame
        Tidy training history: one row per series and epoch, with the series
        level(s), ``epoch`` and ``train_loss`` (each member's epoch loss, as its
        single fit reports it).
    n_skipped_ : pandas.Series
        Rows skipped per series (NaN in the window or the target).
    window_ : SlidingWindow
        The fitted window (only with ``window``).
    n_outputs_ : int
        Target columns.
    n_params_ : int
        Trainable parameters per member.
    n_threads_ : int
        torch threads used in :meth:`fit`.
    n_features_in_ : int
        Columns of ``X``.
    feature_names_in_ : ndarray of str
        Column names, when ``X`` was a DataFrame with string column names.

    See Also
    --------
    LSTMRegressor : One member.
    lstmforecast.nn.RecurrentFleetModule : The stacked networks inside.
    lstmforecast.preprocessing.SlidingWindow : The windows of each series.

    Notes
    -----
    Series may differ in length and in skipped rows: each member trains on its
    own rows, in its own number of batches per epoch (a member whose epoch is
    over waits, its optimizer untouched). Every series must be on the panel's
    one time step, have at least two rows, and (in :meth:`predict`) have been
    seen in :meth:`fit`. Plain arrays and frames without a panel index are one
    series: a fleet of one.

    On one CPU thread the fleet trains 1,000 of the lab's ``(7, 3)`` LSTMs at
    about 21x the throughput of a loop of single fits, 16x with
    ``compile=False`` (``benchmarks/bench_fleet.py``; user guide, section 6).

    Examples
    --------
    >>> import numpy as np
    >>> import pandas as pd
    >>> from lstmforecast.preprocessing import SlidingWindow
    >>> from lstmforecast.regressors import FleetRegressor, LSTMRegressor
    >>> idx = pd.MultiIndex.from_product(
    ...     [["a", "b"], pd.date_range("2013-11-01", periods=60, freq="h")],
    ...     names=["cell", "time"])
    >>> hours = np.tile(np.arange(60), 2)
    >>> X = pd.DataFrame({"load": np.sin(2 * np.pi * hours / 24)}, index=idx)
    >>> fleet = FleetRegressor(
    ...     LSTMRegressor((4,), max_epochs=2, random_state=0),
    ...     window=SlidingWindow(12)).fit(X, X["load"])
    >>> list(fleet.series_)
    ['a', 'b']
    >>> fleet.predict(X.loc[["b"]].iloc[-3:]).shape
    (3,)
    >>> member = fleet.member("b")  # a fitted LSTMRegressor, as fit on 'b' alone
    >>> type(member).__name__
    'LSTMRegressor'
    """

    _parameter_constraints = {
        "estimator": [HasMethods(["fit", "predict"])],
        "window": [HasMethods(["fit", "transform"]), None],
        "members_per_pass": [Interval(numbers.Integral, 1, None, closed="left")],
        "compile": [StrOptions({"auto"}), "boolean"],
    }

    def __init__(self, estimator, *, window=None, members_per_pass=256, compile="auto"):
        self.estimator = estimator
        self.window = window
        self.members_per_pass = members_per_pass
        self.compile = compile

    # ------------------------------------------------------------ checks
    def _check_estimator(self) -> LSTMRegressor:
        """Refuse an estimator or settings the fleet cannot reproduce exactly."""
        est = self.estimator
        if not isinstance(est, LSTMRegressor):
            raise ValueError(
                f"The 'estimator' parameter of {_OWNER} must be an LSTMRegressor "
                f"(the members are trained as one vectorised LSTM); got "
                f"{type(est).__name__}. Fit one {type(est).__name__} per series "
                "instead (a loop, or joblib)."
            )
        template = clone(est)
        template._validate_params()
        for name, needed, why in _UNSUPPORTED:
            value = getattr(template, name)
            if value != needed and not (name == "callbacks" and value == []):
                raise ValueError(
                    f"{_OWNER} does not support estimator__{name}={as_written(value)}"
                    f" ({why}). Set estimator__{name}={as_written(needed)}, or fit "
                    "one LSTMRegressor per series."
                )
        if not isinstance(template.optimizer, str):
            raise ValueError(
                f"{_OWNER} supports estimator__optimizer='adam', 'sgd' or 'rmsprop' "
                f"(each member's step is replayed exactly); got the class "
                f"{template.optimizer.__name__}. Use one of the names."
            )
        if template.device not in ("cpu", "auto") or (
            template.device == "auto" and torch.cuda.is_available()
        ):
            raise ValueError(
                f"{_OWNER} trains on the CPU; got estimator__device="
                f"{as_written(template.device)}. Set estimator__device='cpu'."
            )
        return template

    # --------------------------------------------------------------- data
    def _inputs(self, X, values, panel: _Panel, groups) -> list:
        """Return the member inputs (windows, or X's rows) of the series ``groups``.

        One window transform for all of them: the window works within each
        series, so the windows of a series do not depend on the others.
        """
        rows = [panel.rows[g] for g in groups]
        if self.window is None:
            return [values[r] for r in rows]
        every = np.concatenate(rows)
        part = X.iloc[every] if isinstance(X, (pd.DataFrame, pd.Series)) else X[every]
        windows = np.asarray(self.window_.transform(part), dtype=np.float64)
        cuts = np.cumsum([len(r) for r in rows])[:-1]
        return np.split(windows, cuts)

    def _validate_X(self, X, reset: bool):
        """Check X; return its values as float64 (None with a window, which reads X)."""
        if self.window is not None:
            if reset:
                self.window_ = clone(self.window).fit(X)
                self.n_features_in_ = self.window_.n_features_in_
                if hasattr(self.window_, "feature_names_in_"):
                    self.feature_names_in_ = self.window_.feature_names_in_
            return None
        kwargs = {"dtype": [np.float64, np.float32], "ensure_all_finite": "allow-nan"}
        expected = "2-D (n_samples, lookback) rows of member inputs"
        if isinstance(X, pd.DataFrame):
            validated_data(self, X, expected=expected, reset=reset, **kwargs)
            return X.to_numpy(dtype=np.float64)
        else:
            values = validated_data(
                self, X, expected=expected, reset=reset, allow_nd=True, **kwargs
            )
            return np.asarray(values, dtype=np.float64)

    # ---------------------------------------------------------------- fit
    @_fit_context(prefer_skip_nested_validation=False)
    def fit(self, X, y):
        """Train one member per series of ``X``, all at once.

        Parameters
        ----------
        X : pandas.DataFrame or array-like
            A panel indexed by ``(series, ..., time)`` (each series in time
            order, on one regular step), or one series. With ``window``, the
            frame it reads; without, the members' input rows.
        y : pandas.Series, pandas.DataFrame or array-like of shape (n_samples,) \
or (n_samples, n_outputs)
            Targets aligned with the rows of ``X`` (the same index for pandas);
            NaN marks a row to skip, as in :meth:`LSTMRegressor.fit`.

        Returns
        -------
        self : FleetRegressor
            The fitted fleet.
        """
        template = self._check_estimator()
        check_aligned(X, y, _OWNER)
        y = _check_target(y, _OWNER, estimator=self)
        check_same_rows(_OWNER, "Pass one target row per row of X.", X=X, y=y)
        panel = _Panel(X, _OWNER)
        _check_series_rows(panel)
        values = self._validate_X(X, reset=True)
        self._spec = None
        work = sum(len(r) for r in panel.rows) / template.batch_size
        kernels = self._kernels(work * template.max_epochs)
        members, weights, losses = [], [], []
        n = len(panel.labels)
        for start in range(0, n, self.members_per_pass):
            group = range(start, min(n, start + self.members_per_pass))
            inputs = self._inputs(X, values, panel, group)
            prepared = [
                self._prepare(template, inputs[j], y, panel, g)
                for j, g in enumerate(group)
            ]
            trained, loss = self._train_pass(prepared, kernels)
            members += [est for est, _, _ in prepared]
            weights.append(trained)
            losses.append(loss)
        self._members = members
        self._weights = torch.cat(weights)
        self._finish_fit(panel, np.concatenate(losses, axis=1))
        return self

    def _prepare(self, template, inputs, y, panel: _Panel, g: int):
        """Member ``g``: its estimator, prepared exactly as its own fit would."""
        est = clone(template)
        try:
            X_model, y2, _, _ = est._prepare_fit(inputs, y[panel.rows[g]])
        except ValueError as exc:
            if panel.layout is None:
                raise
            raise ValueError(
                f"{_OWNER} cannot fit {_series_text(panel.labels[g])}: {exc}"
            ) from None
        return est, np.ascontiguousarray(X_model, np.float32), y2

    def _finish_fit(self, panel: _Panel, losses: np.ndarray) -> None:
        first = self._members[0]
        labels = panel.labels
        if len(panel.names) > 1:
            self.series_ = pd.MultiIndex.from_tuples(labels, names=panel.names)
        else:
            self.series_ = pd.Index(labels, name=panel.names[0], dtype=object)
            if panel.layout is not None:
                self.series_ = pd.Index(labels, name=panel.names[0])
        self._position = {label: m for m, label in enumerate(labels)}
        self.n_outputs_ = first.n_outputs_
        self.n_params_ = self._spec.n_params
        self._y_ndim = first._y_ndim
        self._losses = losses  # (epochs, members)
        self.n_skipped_ = pd.Series(
            [est.n_skipped_ for est in self._members], index=self.series_
        )
        epochs = losses.shape[0]
        frame = self.series_.to_frame(index=False).loc[
            np.repeat(np.arange(len(labels)), epochs)
        ]
        frame = frame.reset_index(drop=True)
        frame["epoch"] = np.tile(np.arange(1, epochs + 1), len(labels))
        frame["train_loss"] = losses.T.ravel()
        self.history_ = frame

    def _kernels(self, work: float):
        """Return the native kernels for ``work`` member batches, or None (eager)."""
        auto = isinstance(self.compile, str)
        if (work < _COMPILE_WORK) if auto else not self.compile:
            return None
        kernels, why = _native_kernels()
        if kernels is None:
            warnings.warn(
                f"{_OWNER} could not compile its native kernels ({why}); training "
                "with eager torch operations instead (the same members, slower). "
                "Set compile=False to silence this.",
                UserWarning,
                stacklevel=3,
            )
        return kernels

    def _train_pass(self, prepared, kernels=None):
        """Train the members of one pass together; return weights and losses."""
        template = prepared[0][0]
        shapes = {(est.input_shape_, est.n_outputs_) for est, _, _ in prepared}
        if len(shapes) != 1:
            raise ValueError(
                f"{_OWNER} needs every member's inputs and targets in one shape; "
                f"got {sorted(shapes)}. Give every series the same columns."
            )
        n_features, n_outputs = template.input_shape_[1], template.n_outputs_
        sizes = _sizes(template.hidden_size, "hidden_size", "LSTMRegressor")
        spec = _Spec.build(n_features, sizes, n_outputs)
        self._spec = spec
        data = _PassData(prepared, spec)
        # the threads one member's fit would take: the fleet's operations are
        # larger, but more threads lose several times over when a core is busy
        work = template._thread_work(spec.n_params, data.batch)
        self.n_threads_ = _resolve_threads(template.n_threads, work, "cpu")
        with _torch_threads(self.n_threads_):
            losses = _train_loop(template, data, kernels)
        return data.weights, losses

    # ------------------------------------------------------------ predict
    def predict(self, X):
        """Forecast each row of ``X`` with its own series' member.

        Parameters
        ----------
        X : pandas.DataFrame or array-like
            Rows of fitted series, shaped as in :meth:`fit` (with ``window``,
            rows that continue each series get their history from its fitted
            tail). ``X`` is not modified.

        Returns
        -------
        y_pred : ndarray of shape (n_samples,) or (n_samples, n_outputs)
            float64, in the order of the rows of ``X``, in ``y``'s shape. Rows
            with NaN in their window are NaN, with a warning.
        """
        check_is_fitted(self)
        values = self._validate_X(X, reset=False)
        panel = _Panel(X, _OWNER)
        members = self._members_of(panel)
        out = np.full((_num_rows(X), self.n_outputs_), np.nan)
        n_incomplete = 0
        for start in range(0, len(members), self.members_per_pass):
            chunk = list(range(start, min(len(members), start + self.members_per_pass)))
            n_incomplete += self._predict_chunk(X, values, panel, members, chunk, out)
        if n_incomplete:
            warnings.warn(
                f"{n_incomplete} of {len(out)} rows of X have NaN (incomplete "
                "history): their predictions are NaN.",
                UserWarning,
                stacklevel=2,
            )
        return out.ravel() if self._y_ndim == 1 else out

    def _members_of(self, panel: _Panel) -> list:
        """Member index of each series of ``panel``; refuse unseen series."""
        fitted_panel = self.series_[0] is not None
        if (panel.layout is not None) != fitted_panel:
            raise ValueError(
                f"{_OWNER} was fitted on "
                + (
                    f"a panel of {len(self.series_)} series"
                    if fitted_panel
                    else "one series (no panel index)"
                )
                + " but X is "
                + ("a panel" if panel.layout is not None else "not a panel")
                + ". Pass X indexed as in fit."
            )
        unseen = [label for label in panel.labels if label not in self._position]
        if unseen:
            shown = ", ".join(_plain(label) for label in unseen[:3])
            raise ValueError(
                f"{_OWNER} has no member for series {shown} ({len(unseen)} unseen "
                f"series; fitted on {len(self.series_)}). Predict only fitted "
                "series, or refit with them."
            )
        return [self._position[label] for label in panel.labels]

    def _predict_chunk(self, X, values, panel, members, chunk, out) -> int:
        """Forecast the rows of the series ``chunk``; return how many had NaN."""
        inputs, n_incomplete = [], 0
        for g, part in zip(chunk, self._inputs(X, values, panel, chunk), strict=True):
            est = self._members[members[g]]
            rows = panel.rows[g]
            X_m = est._validate_X(part, reset=False)
            _check_float32_range(X_m, "X", _OWNER)
            level, spread = est._window_stats(X_m)
            X_model = est._to_model_input(est._normalized(X_m, level, spread))
            est._check_model_input(X_model)
            complete = _finite_rows(X_model)
            n_incomplete += int((~complete).sum())
            inputs.append((rows, X_model, complete, level, spread))
        weights = self._weights[[members[g] for g in chunk]].double()
        preds = _predict_members(
            self._spec, weights, [x[c] for _, x, c, _, _ in inputs]
        )
        for g, (rows, _, complete, level, spread), pred in zip(
            chunk, inputs, preds, strict=True
        ):
            if spread is not None:
                pred *= spread[complete, None]
            if level is not None:
                pred += level[complete, None]
            self._members[members[g]]._check_finite_forecasts(pred)
            out[rows[complete]] = pred
        return n_incomplete

    # ------------------------------------------------------------ members
    def member(self, series=None) -> LSTMRegressor:
        """Return one member as a fitted :class:`LSTMRegressor`.

        Parameters
        ----------
        series : label or None, default=None
            The series (a tuple for several series levels); None for a fleet of
            one series.

        Returns
        -------
        estimator : LSTMRegressor
            A fitted copy whose ``predict`` on that series' windows gives the
            fleet's forecasts for it, and whose ``net_``, ``history_``,
            ``n_skipped_``... are what its own fit would have set.
        """
        check_is_fitted(self)
        if series not in self._position:
            shown = ", ".join(_plain(s) for s in list(self.series_)[:3])
            raise KeyError(
                f"{_OWNER} has no member for series {_plain(series)}; its series "
                f"are {shown}{', ...' if len(self.series_) > 3 else ''}."
            )
        m = self._position[series]
        est = copy.deepcopy(self._members[m])
        with torch.random.fork_rng(devices=[]):
            dummy = np.zeros((1, *est.input_shape_), dtype=np.float32)
            net = est._build_net(dummy, 0)
            net.initialize()
        _copy_into(self._spec, self._weights[m], net.module_)
        losses = self._losses[:, m]
        net.history = History(
            [{"epoch": e + 1, "train_loss": float(v)} for e, v in enumerate(losses)]
        )
        est.net_ = net
        est.n_threads_ = self.n_threads_
        est.n_params_ = self.n_params_
        est.history_ = est._history_frame()
        return est

    def __sklearn_tags__(self):
        """Declare NaN rows (skipped), window input and multi-output targets."""
        tags = super().__sklearn_tags__()
        tags.input_tags.allow_nan = True
        tags.input_tags.three_d_array = self.window is None
        tags.target_tags.multi_output = True
        tags.regressor_tags.poor_score = True
        tags.non_deterministic = getattr(self.estimator, "random_state", 0) is None
        return tags


def _num_rows(X) -> int:
    return _num_samples(X)


def _check_series_rows(panel: _Panel) -> None:
    """Refuse series of one row: their time step cannot be verified."""
    if panel.layout is None:
        return
    sizes = np.array([len(r) for r in panel.rows])
    if (sizes == 1).any():
        one = [panel.labels[g] for g in np.flatnonzero(sizes == 1)]
        shown = ", ".join(_plain(label) for label in one[:3])
        raise ValueError(
            f"{_OWNER} got {len(one)} series with one row ({shown}): each member "
            "needs at least two rows of its series (for its windows and its time "
            "step). Drop them (X.groupby(level=0).filter(lambda s: len(s) > 1)) "
            "or give them more rows."
        )


class _PassData:
    """One pass's members: padded float32 data, initial weights, shuffles."""

    def __init__(self, prepared, spec: _Spec):
        template = prepared[0][0]
        self.n_rows = np.array([len(x) for _, x, _ in prepared])
        n_max = int(self.n_rows.max())
        m = len(prepared)
        self.batch = min(template.batch_size, n_max)
        lookback, n_features = template.input_shape_
        self.X = torch.zeros(m * n_max, lookback, n_features)
        self.y = torch.zeros(m * n_max, template.n_outputs_)
        self.order = torch.zeros(template.max_epochs, m, n_max, dtype=torch.long)
        self.weights = None
        drawn = {}  # members with one seed and one row count draw the same
        for i, (est, X_model, y2) in enumerate(prepared):
            n = len(X_model)
            self.X[i * n_max : i * n_max + n] = torch.from_numpy(X_model)
            self.y[i * n_max : i * n_max + n] = torch.from_numpy(y2)
            seed = est._torch_seed()
            if (seed, n) not in drawn:
                drawn[seed, n] = _first_draws(est, X_model, seed)
            row, order = drawn[seed, n]
            if self.weights is None:
                self.weights = torch.empty(m, row.shape[0], dtype=row.dtype)
            self.weights[i] = row
            self.order[:, i, :n] = order + i * n_max
        self.spec, self.n_max = spec, n_max


def _first_draws(est, X_model, seed: int):
    """Draw the initial weights and the epochs' shuffles as the member's fit does.

    What its fit draws from torch's CPU generator once seeded: the module's
    initialisation, then one ``randperm`` per epoch (the batches of
    ``_TensorBatches``).
    """
    with torch.random.fork_rng(devices=[]):
        torch.default_generator.manual_seed(seed)  # the CPU's only, as fit's
        module = est._build_module(X_model, est.n_outputs_)
        n = len(X_model)
        order = torch.stack([torch.randperm(n) for _ in range(est.max_epochs)])
    row = RecurrentFleetModule.from_modules([module]).weight.data[0]
    return row, order


def _criterion(template):
    """Build the member's own criterion (what its skorch net would build)."""
    cls, params = template._criterion()
    return cls(**{key.split("__", 1)[1]: value for key, value in params.items()})


def _train_loop(template, data: _PassData, kernels=None) -> np.ndarray:
    """Train the pass's members; return their epoch losses ``(epochs, members)``."""
    spec, weights, batch = data.spec, data.weights, data.batch
    n_members = len(data.n_rows)
    lookback = template.input_shape_[0]
    ws = _Workspace(spec, n_members, lookback, batch)
    ws.kernels = kernels  # float32 workspaces: the native kernels' type
    optimizer = _MEMBER_OPTIMIZERS[template.optimizer](
        weights.shape, weights.dtype, lr=template.lr, weight_decay=template.weight_decay
    )
    criterion = vmap(_criterion(template))
    steps = int(math.ceil(data.n_rows.max() / template.batch_size))
    losses = np.zeros((template.max_epochs, n_members))
    for epoch in range(template.max_epochs):
        total = np.zeros(n_members)
        for step in range(steps):
            start = step * template.batch_size
            sizes = np.clip(data.n_rows - start, 0, template.batch_size)
            rows = data.order[epoch][:, start : start + batch]
            X_tm, y = _gather(data, rows, batch)
            out = _forward(spec, weights, X_tm, ws)
            loss, d_out = _losses_and_grad(criterion, out, y, sizes)
            grad = _backward(spec, weights, ws, d_out)
            if template.gradient_clip is not None:
                _clip(spec, grad, template.gradient_clip)
            active = sizes > 0
            optimizer.step(
                weights,
                grad,
                None if active.all() else torch.from_numpy(np.flatnonzero(active)),
            )
            total += loss * sizes
        losses[epoch] = total / data.n_rows
    return losses


def _gather(data: _PassData, rows: torch.Tensor, batch: int):
    """Gather every member's batch, time-major ``(lookback, n, features, batch)``."""
    n_members = rows.shape[0]
    if rows.shape[1] < batch:  # the last rows of an epoch: pad with row 0
        pad = rows[:, :1].expand(n_members, batch - rows.shape[1])
        rows = torch.cat([rows, pad], dim=1)
    flat = rows.reshape(-1)
    X = data.X.index_select(0, flat).view(n_members, batch, *data.X.shape[1:])
    y = data.y.index_select(0, flat).view(n_members, batch, -1)
    return X.permute(2, 0, 3, 1), y.transpose(1, 2)


def _losses_and_grad(criterion, out, y, sizes: np.ndarray):
    """Each member's mean loss over its own rows, and d(sum of them) / d out."""
    out = out.detach().requires_grad_()
    batch = out.shape[-1]
    parts, members = [], []
    for size in np.unique(sizes[sizes > 0]):
        idx = torch.from_numpy(np.flatnonzero(sizes == size))
        k = int(size)
        if k == batch and len(idx) == len(sizes):
            parts.append(criterion(out, y))
        else:
            parts.append(criterion(out[idx, :, :k], y[idx, :, :k]))
        members.append(idx)
    loss = torch.zeros(len(sizes), dtype=out.dtype)
    for idx, part in zip(members, parts, strict=True):
        loss = loss.index_put((idx,), part)
    (d_out,) = torch.autograd.grad(loss.sum(), out)
    return loss.detach().numpy().astype(np.float64), d_out


def _clip(spec: _Spec, grad: torch.Tensor, max_norm: float) -> None:
    """Clip as skorch's ``GradientNormClipping``, each member on its own gradient."""
    layers, head = spec.views(grad)
    norms = []
    for (weight, b_ih, b_hh), (_, width, _) in zip(layers, spec.layers, strict=True):
        norms += [
            torch.linalg.vector_norm(weight[:, :, :width], dim=(1, 2)),
            torch.linalg.vector_norm(weight[:, :, width:], dim=(1, 2)),
            torch.linalg.vector_norm(b_ih, dim=1),
            torch.linalg.vector_norm(b_hh, dim=1),
        ]
    norms += [torch.linalg.vector_norm(head[0], dim=(1, 2))]
    norms += [torch.linalg.vector_norm(head[1], dim=1)]
    total = torch.linalg.vector_norm(torch.stack(norms, dim=1), dim=1)
    coef = torch.clamp(max_norm / (total + 1e-6), max=1.0)
    grad.mul_(coef[:, None])


def _predict_members(spec: _Spec, weights: torch.Tensor, inputs: list) -> list:
    """Forecasts of each member's complete rows (float64), in batches of rows."""
    n_rows = [len(x) for x in inputs]
    preds = [np.empty((n, spec.n_outputs)) for n in n_rows]
    lookback = next((x.shape[1] for x in inputs if len(x)), None)
    if lookback is None:
        return preds
    for start in range(0, max(n_rows), _PREDICT_ROWS):
        live = [m for m, n in enumerate(n_rows) if n > start]
        size = min(_PREDICT_ROWS, max(n_rows[m] - start for m in live))
        X = torch.zeros(len(live), size, lookback, spec.input_size, dtype=torch.float64)
        for j, m in enumerate(live):
            part = inputs[m][start : start + size]
            X[j, : len(part)] = torch.from_numpy(np.asarray(part, dtype=np.float64))
        out = _infer(spec, weights[live], X.permute(2, 0, 3, 1))  # (n, outputs, rows)
        for j, m in enumerate(live):
            part = min(size, n_rows[m] - start)
            preds[m][start : start + part] = out[j, :, :part].T.numpy()
    return preds
