"""Test-wide settings: tiny torch networks run on one thread.

On the 2-core CI machine, torch's default of one thread per core makes the tiny
networks of the tests slower and far less steady (threads spin-wait on each
other); joblib workers started by the tests get their own limits.
"""

import pytest
import torch


@pytest.fixture(autouse=True, scope="session")
def _one_torch_thread():
    threads = torch.get_num_threads()
    torch.set_num_threads(1)
    yield
    torch.set_num_threads(threads)
