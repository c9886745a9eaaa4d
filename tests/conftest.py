"""Shared test setup: offscreen Qt, hypothesis profiles and torch as the reference."""

import os

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
# OpenBLAS threads that spin after a NumPy call slow the next torch call; tests do not need it.
os.environ.setdefault("OPENBLAS_THREAD_TIMEOUT", "4")

import pytest  # noqa: E402
from hypothesis import HealthCheck, settings  # noqa: E402

settings.register_profile(
    "default", deadline=None, max_examples=60, suppress_health_check=[HealthCheck.too_slow]
)
settings.register_profile(
    "ci", deadline=None, max_examples=60, derandomize=True, suppress_health_check=[HealthCheck.too_slow]
)
settings.load_profile("ci" if os.environ.get("CI") else "default")


@pytest.fixture(scope="module")
def one_torch_thread():
    """The reference runs on tiny tensors, where torch's thread pool only adds wake-up latency (50x
    more when the two cores are busy): run it single-threaded, and restore the setting after.

    Opt in per module: ``pytestmark = pytest.mark.usefixtures("one_torch_thread")``.
    """
    import torch  # here, so that a test file without torch does not pay for importing it

    threads = torch.get_num_threads()
    torch.set_num_threads(1)
    yield
    torch.set_num_threads(threads)
