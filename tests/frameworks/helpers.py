"""Shared set-up for the framework page and skill map tests (not a test module): the
two-district world with a small fractions framework in each district."""

from __future__ import annotations

import re
from typing import Any

from django.test import Client

from tests.engine.frameworks.builders import fractions_framework
from tests.world import World
from trellis.frameworks.models import Framework, Standard


def with_fraction_frameworks(world: World, django_db_blocker: Any) -> World:
    """Import the fractions framework (plus 4.NF.B.4) into both districts of ``world``."""
    from trellis.frameworks.actions import do_import_framework

    with django_db_blocker.unblock():
        for key, district in world.districts.items():
            builder = fractions_framework()
            builder.item("4.NF.B.4", "Standard", parent="4.NF.B", levels=["04"])
            builder.precedes("3.NF.A.2", "4.NF.B.4")
            report = do_import_framework(district, builder.build())
            assert report.framework_id is not None, report.lines()
            world.extra[f"fw_{key}"] = Framework.objects.get(id=report.framework_id)
    return world


def client_for(world: World, username: str) -> Client:
    client = Client()
    client.force_login(world.users[username])
    return client


def framework_of(world: World, key: str = "a") -> Framework:
    framework = world.extra[f"fw_{key}"]
    assert isinstance(framework, Framework)
    return framework


def standard_of(world: World, code: str, key: str = "a") -> Standard:
    return Standard.objects.get(framework=framework_of(world, key), code=code)


def node_codes(html: str, context: bool = False) -> list[str]:
    """The codes of the map's nodes (or of its dashed context nodes) in a page."""
    pattern = (
        r'class="node[^"]*?( context)?" href="[^"]*" hx-get="[^"]*" hx-target="[^"]*" '
        r'data-code="([^"]+)"'
    )
    return [code for ctx, code in re.findall(pattern, html) if bool(ctx) == context]
