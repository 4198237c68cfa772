"""A fresh two-district world with the plan map, per test (rolled back after each)."""

from __future__ import annotations

import pytest

from tests.plans.helpers import setup_district
from tests.world import World, build_world


@pytest.fixture
def pw(db: None) -> World:
    world = build_world()
    for key, district in world.districts.items():
        world.extra[f"framework_{key}"] = setup_district(district)
    return world
