"""Fixtures for roster import tests: small generated districts (fast, seeded)."""

from __future__ import annotations

import pytest

from trellis.interop.oneroster.bundle import RosterBundle
from trellis.interop.oneroster.generator import generate_district


@pytest.fixture(scope="session")
def small_bundle() -> RosterBundle:
    """Two schools, six teachers, sixty students with guardians, one coach."""
    return generate_district(students=60, teachers=6, schools=2, seed=3)
