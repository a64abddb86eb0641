"""Shared fixtures. Hypothesis runs a small, deadline-free profile in CI (CI=true)."""
from __future__ import annotations

import os
from pathlib import Path

import pytest
from hypothesis import HealthCheck, settings

settings.register_profile("ci", max_examples=8, deadline=None, derandomize=True,
                          suppress_health_check=[HealthCheck.too_slow])
settings.register_profile("dev", max_examples=20, deadline=None,
                          suppress_health_check=[HealthCheck.too_slow])
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "ci" if os.environ.get("CI") else "dev"))

_REPO = Path(__file__).resolve().parents[1]


def _shared_data() -> Path | None:
    env = os.environ.get("TLCORE_DATA_DIR")
    for cand in ([Path(env)] if env else []) + [_REPO.parent / "shared" / "data"]:
        if cand.is_dir() and (cand / "SHA256SUMS").exists():
            return cand
    return None


@pytest.fixture(scope="session")
def shared_data() -> Path:
    """The checksummed real datasets (../shared/data or $TLCORE_DATA_DIR); skip where absent."""
    path = _shared_data()
    if path is None:
        pytest.skip("needs ../shared/data (or TLCORE_DATA_DIR) with the real datasets; a user's "
                    "clone has none")
    return path
