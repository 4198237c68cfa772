"""Shared fixtures. Engine tests (``tests/engine``) need no database, so nothing here imports
Django at module level: ``pytest tests/engine -p no:django`` works."""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING

import pytest

if TYPE_CHECKING:
    from tests.world import World


@pytest.fixture(scope="module")
def world(django_db_setup: None, django_db_blocker: pytest.FixtureRequest) -> Iterator[World]:
    """The two-district permission world, built once per test module and removed after."""
    from tests.world import build_world

    with django_db_blocker.unblock():  # type: ignore[attr-defined]
        built = build_world()
    yield built
    with django_db_blocker.unblock():  # type: ignore[attr-defined]
        from trellis.accounts.models import District, User
        from trellis.audit.models import AuditEvent
        from trellis.core.models import Job

        Job.objects.all().delete()
        AuditEvent.objects.all().delete()
        User.objects.filter(district__in=built.districts.values()).delete()
        District.objects.filter(id__in=[d.id for d in built.districts.values()]).delete()
