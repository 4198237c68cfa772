"""Framework routes: every signed-in person of the district browses frameworks and the skill
map; only district administrators import and export."""

from __future__ import annotations

from typing import Any

from tests.access_matrix import ANY, DISTRICT, SIGNED_IN, Endpoint
from tests.world import World


def extend_world(world: World) -> None:
    from tests.engine.frameworks.builders import fractions_framework
    from trellis.frameworks.actions import do_import_framework
    from trellis.frameworks.models import Framework, Standard

    for key, district in world.districts.items():
        report = do_import_framework(district, fractions_framework().build())
        assert report.framework_id is not None, report.lines()
        framework = Framework.objects.get(id=report.framework_id)
        world.extra[f"framework_{key}"] = framework
        world.extra[f"standard_{key}"] = Standard.objects.get(framework=framework, code="4.NF.B.3")


def _district_key(scope: str) -> str:
    return "b" if scope == "other_district" else "a"


def framework_target(world: World, scope: str) -> dict[str, Any]:
    return {"framework_id": world.extra[f"framework_{_district_key(scope)}"].id}


def standard_target(world: World, scope: str) -> dict[str, Any]:
    key = _district_key(scope)
    return {
        "framework_id": world.extra[f"framework_{key}"].id,
        "standard_id": world.extra[f"standard_{key}"].id,
    }


EVERYONE_IN_DISTRICT = dict.fromkeys(
    ["student", "guardian", "teacher", "coach", "school_admin", "district_admin"], DISTRICT
)

ENDPOINTS = [
    Endpoint("framework-list", SIGNED_IN),
    Endpoint("framework-import", {"district_admin": ANY}),
    # without a checked upload the confirmation sends the admin back to the upload page
    Endpoint("framework-import-confirm", {"district_admin": ANY}, method="POST", ok_status=302),
    Endpoint("skill-map", EVERYONE_IN_DISTRICT, target=framework_target),
    Endpoint("framework-export", {"district_admin": DISTRICT}, target=framework_target),
    Endpoint("standard-detail", EVERYONE_IN_DISTRICT, target=standard_target),
]
