"""Shared test setup: offscreen Qt, hypothesis profiles and torch as the reference."""

import os

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
# OpenBLAS threads that spin after a NumPy call slow the next torch call; tests do not need it.
os.environ.setdefault("OPENBLAS_THREAD_TIMEOUT", "4")

from hypothesis import HealthCheck, settings  # noqa: E402

settings.register_profile(
    "default", deadline=None, max_examples=60, suppress_health_check=[HealthCheck.too_slow]
)
settings.register_profile(
    "ci", deadline=None, max_examples=60, derandomize=True, suppress_health_check=[HealthCheck.too_slow]
)
settings.load_profile("ci" if os.environ.get("CI") else "default")
