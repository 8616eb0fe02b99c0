"""``dask_client``: a Dask client on an embedded LocalCluster or a running scheduler."""

from __future__ import annotations

import contextlib
import numbers

from sklearn.utils._param_validation import Interval

from lstmforecast._validation import validate_params

__all__ = ["dask_client", "import_distributed"]

_INSTALL = "pip install 'lstmforecast[dask]' (dask[distributed]>=2024.8)"


def import_distributed(owner: str):
    """Return the ``distributed`` module, or raise an ImportError saying the fix."""
    try:
        import distributed
    except ImportError:
        raise ImportError(
            f"{owner} needs Dask's distributed scheduler, an optional dependency "
            f"that is not installed: {_INSTALL}."
        ) from None
    return distributed


def _connect(distributed, scheduler: str, timeout: float):
    """Connect to the scheduler at ``scheduler``; one-line errors that say the fix."""
    try:
        return distributed.Client(scheduler, timeout=timeout)
    except ValueError as exc:  # not an address: "missing port number ..."
        raise ValueError(
            "The 'scheduler' parameter of dask_client must be a Dask scheduler "
            f"address such as 'tcp://10.0.0.5:8786'; got {scheduler!r} "
            f"({str(exc).splitlines()[0]}). Give the address `dask scheduler` "
            "prints, or scheduler=None for a local cluster."
        ) from None
    except OSError as exc:  # TimeoutError included: nothing answered
        raise ConnectionError(
            f"dask_client could not reach a Dask scheduler at {scheduler!r} within "
            f"{timeout:g} s ({type(exc).__name__}: {str(exc).splitlines()[0]}). "
            "Check the address and port and that the scheduler is running "
            "(`dask scheduler` prints its address), raise 'timeout', or use "
            "scheduler=None for a local cluster."
        ) from None


def _bound_torch_threads(client, torch_threads: int, where: str) -> None:
    """Register the plugin that sets torch's threads on every worker."""
    from lstmforecast.parallel._plugin import TorchThreads

    try:
        client.register_plugin(TorchThreads(torch_threads), name=TorchThreads.name)
    except ImportError as exc:  # the workers cannot unpickle the plugin
        raise ImportError(
            f"The Dask workers of {where} cannot import what dask_client sends "
            f"them ({str(exc).splitlines()[0]}): install lstmforecast (the same "
            "version as here, with torch) in the workers' environment."
        ) from None


@contextlib.contextmanager
@validate_params(
    {
        "scheduler": [str, None],
        "n_workers": [Interval(numbers.Integral, 1, None, closed="left"), None],
        "threads_per_worker": [
            Interval(numbers.Integral, 1, None, closed="left"),
            None,
        ],
        "torch_threads": [Interval(numbers.Integral, 1, None, closed="left"), None],
        "timeout": [Interval(numbers.Real, 0, None, closed="neither")],
    },
    prefer_skip_nested_validation=True,
)
def dask_client(
    scheduler=None,
    *,
    n_workers=None,
    threads_per_worker=None,
    torch_threads=1,
    timeout=10,
    **cluster_kwargs,
):
    """Open a Dask client: an embedded local cluster, or a running scheduler.

    A context manager. Without ``scheduler`` it starts a
    ``distributed.LocalCluster`` of worker **processes** on this machine
    (``processes=True``: torch releases the GIL only inside its kernels, so
    threads of one process would take turns), connects a client, and closes
    both on exit. With ``scheduler`` it connects to that running scheduler
    (``dask scheduler`` and ``dask worker`` started elsewhere) and closes only
    the client. Either way the client is the default one while the block runs,
    so ``joblib.parallel_backend("dask")`` (scikit-learn's searches) and
    :func:`fit_per_series` use it.

    Parameters
    ----------
    scheduler : str or None, default=None
        Address of a running scheduler, such as ``'tcp://10.0.0.5:8786'``.
        None starts a local cluster.
    n_workers : int or None, default=None
        Worker processes of the local cluster; None: one per usable core
        divided by ``threads_per_worker`` (Dask's choice). Only without
        ``scheduler``.
    threads_per_worker : int or None, default=None
        Task threads per worker process of the local cluster (None: 1). One
        thread per process suits torch: each task has its process to itself.
        Only without ``scheduler``.
    torch_threads : int or None, default=1
        torch intra-op threads on every worker (and on workers that join
        later), set in each thread that runs tasks. Keep ``n_workers x
        threads_per_worker x torch_threads`` at or below the cores, or the
        workers oversubscribe them. None leaves the workers' setting (Dask's
        worker processes start with ``OMP_NUM_THREADS=1``). On a running
        cluster the setting stays for the workers' lifetime.
    timeout : float, default=10
        Seconds to wait for ``scheduler`` to answer (and for the local
        cluster's client to connect).
    **cluster_kwargs
        Passed to ``distributed.LocalCluster`` (``memory_limit``,
        ``dashboard_address``, ``processes``...). Only without ``scheduler``.

    Yields
    ------
    client : distributed.Client
        The connected client.

    Raises
    ------
    ConnectionError
        When nothing answers at ``scheduler`` within ``timeout`` seconds: one
        line naming the address and what to check.
    ImportError
        When ``dask[distributed]`` is not installed (``pip install
        'lstmforecast[dask]'``), or the workers cannot import lstmforecast.

    See Also
    --------
    fit_per_series : One model per series of a panel, fitted on the workers.

    Notes
    -----
    Worker processes are started with ``spawn``: a script that opens a local
    cluster at import time must do it under ``if __name__ == "__main__":``.
    The workers of a running cluster need lstmforecast, torch and
    scikit-learn at the versions used here. See the scaling page of the
    documentation for the choice between the fleet, the fan-out and the
    searches.

    Examples
    --------
    A local cluster of two single-threaded workers, and a scheduler that does
    not answer (skipped here: starting worker processes takes seconds;
    ``tests/parallel/test_dask.py`` makes the same calls):

    >>> from lstmforecast.parallel import dask_client
    >>> with dask_client(n_workers=2) as client:  # doctest: +SKIP
    ...     print(len(client.nthreads()))  # workers
    2
    >>> with dask_client("tcp://127.0.0.1:1", timeout=1):  # doctest: +SKIP
    ...     pass
    Traceback (most recent call last):
    ConnectionError: dask_client could not reach a Dask scheduler at ...
    """
    distributed = import_distributed("dask_client")
    if scheduler is not None:
        given = [
            name
            for name, value in (
                ("n_workers", n_workers),
                ("threads_per_worker", threads_per_worker),
            )
            if value is not None
        ] + sorted(cluster_kwargs)
        if given:
            raise ValueError(
                f"dask_client got scheduler={scheduler!r} and {', '.join(given)}, "
                "which shape a local cluster: a running cluster keeps its own "
                "workers. Drop them, or pass scheduler=None to start a local one."
            )
    with contextlib.ExitStack() as stack:
        if scheduler is None:
            options = {"processes": True, **cluster_kwargs}
            cluster = distributed.LocalCluster(
                n_workers=n_workers,
                threads_per_worker=threads_per_worker or 1,
                **options,
            )
            stack.callback(cluster.close)
            client = distributed.Client(cluster, timeout=timeout)
            where = "the local cluster"
        else:
            client = _connect(distributed, scheduler, timeout)
            where = f"the scheduler at {scheduler!r}"
        stack.callback(client.close)
        if torch_threads is not None:
            _bound_torch_threads(client, torch_threads, where)
        yield client
