"""Shared fixtures and hypothesis settings for the cnnbook tests."""

import os

import numpy as np
import pytest
from hypothesis import HealthCheck, settings

# "ci" is thorough but bounded; "dev" is quick for local iteration
# (HYPOTHESIS_PROFILE=dev pytest ...).
settings.register_profile(
    "ci",
    max_examples=60,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow],
    derandomize=True,
)
settings.register_profile("dev", max_examples=15, deadline=None)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "ci"))


@pytest.fixture
def rng():
    """A seeded generator, so a failure reproduces."""
    return np.random.default_rng(20261125)
