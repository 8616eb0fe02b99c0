"""The worker plugin that bounds torch's threads on Dask workers."""

from __future__ import annotations

import asyncio
import threading

try:
    from distributed import WorkerPlugin
except ImportError:  # importable without Dask; dask_client needs it to run
    WorkerPlugin = object

__all__ = ["TorchThreads"]

# Seconds to wait for a busy worker's threads to take the setting together.
_BARRIER_SECONDS = 5.0


class TorchThreads(WorkerPlugin):
    """Set torch's intra-op threads on a worker, in every thread that runs tasks.

    torch keeps the setting per thread once a thread has used it, so setting it
    in the worker's event loop alone leaves existing task threads as they were.
    ``setup`` sets it there (threads started later, e.g. after a ``secede``,
    start from it) and runs one call in each of the worker's ``nthreads`` task
    threads, held at a barrier so that every thread takes one.
    """

    name = "lstmforecast-torch-threads"

    def __init__(self, n_threads: int):
        self.n_threads = n_threads

    async def setup(self, worker):
        """Apply the setting to ``worker``'s loop and task threads."""
        import torch

        torch.set_num_threads(self.n_threads)
        executor = worker.executors.get("default")
        n = worker.state.nthreads
        if executor is None or n < 1:
            return
        barrier = threading.Barrier(n, timeout=_BARRIER_SECONDS)

        def apply():
            torch.set_num_threads(self.n_threads)
            try:
                barrier.wait()
            except threading.BrokenBarrierError:  # a busy thread: set when free
                pass
            return torch.get_num_threads()

        futures = [asyncio.wrap_future(executor.submit(apply)) for _ in range(n)]
        # a thread still busy with a long task takes the setting when it is free
        await asyncio.wait(futures, timeout=2 * _BARRIER_SECONDS)
