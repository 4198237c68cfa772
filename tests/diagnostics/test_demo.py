"""The demo seed: classmates of the demo student have finished (and one paused) checks."""

from __future__ import annotations

import pytest

from tests.diagnostics.helpers import add_classmate, setup_diagnostic
from tests.world import build_world
from trellis.core.models import DemoAccount
from trellis.diagnostics.demo import seed_diagnostics
from trellis.diagnostics.models import DiagnosticSession

pytestmark = pytest.mark.django_db


def test_seed_diagnostics_fills_the_demo_class_once() -> None:
    world = build_world()
    district = world.districts["a"]
    setup_diagnostic(district)
    DemoAccount.objects.create(user=world.users["s_a1"], role_label="Student",
                               description="Grade 7")
    klass = world.klass("own")
    add_classmate(klass, "s_peer1", "Ada")
    add_classmate(klass, "s_peer2", "Ben")
    lines: list[str] = []
    counts = seed_diagnostics(district, lines.append, completed=1, pause_after=1)
    assert counts == {"completed": 1, "paused": 1}
    statuses = sorted(DiagnosticSession.objects.values_list("status", flat=True))
    assert statuses == ["abandoned", "completed"]
    assert not DiagnosticSession.objects.filter(student=world.users["s_a1"]).exists()
    assert any("finished checks" in line for line in lines)
    assert seed_diagnostics(district, completed=1) == {"completed": 0, "paused": 0}
