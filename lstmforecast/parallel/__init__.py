"""Scale out: one model per series, and scikit-learn's searches, on Dask.

- :func:`dask_client`: a ``distributed.Client`` on an embedded ``LocalCluster``
  (worker processes on this machine) or on a running scheduler, with torch's
  threads bounded on every worker;
- :class:`PerSeriesRegressor`: one clone of any estimator per series of a panel
  (local models), each row predicted by its series' model;
- :func:`fit_per_series`: the same fits as Dask tasks, one per series (or per
  sub-panel, e.g. of a :class:`~lstmforecast.regressors.FleetRegressor`).

scikit-learn's searches need nothing new: ``GridSearchCV(..., n_jobs=-1)`` inside
``joblib.parallel_backend("dask")`` runs its fits on the client's workers. Dask
(``pip install 'lstmforecast[dask]'``) is imported only when a client is opened
or used, never by ``import lstmforecast``.
"""

from lstmforecast.parallel._client import dask_client
from lstmforecast.parallel._per_series import PerSeriesRegressor, fit_per_series

__all__ = ["PerSeriesRegressor", "dask_client", "fit_per_series"]
