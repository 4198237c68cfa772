"""Roster import and export: district administrators of the district only."""

from __future__ import annotations

from typing import Any

from tests.access_matrix import ANY, NONE, OWN, Endpoint
from tests.world import World
from trellis.roster.models import RosterImportJob

JOB_SCOPES = ("own", "other_district")  # jobs belong to a district, not to a school


def extend_world(world: World) -> None:
    """A finished dry run in each district (no stored file: "apply" has nothing to apply)."""
    for key, district in world.districts.items():
        world.extra[f"roster_job_{key}"] = RosterImportJob.objects.create(
            district=district,
            file_name=f"roster-{key}.zip",
            status=RosterImportJob.Status.DONE,
            report={"headline": "The file is valid.", "counts": {}, "issue_count": 0},
        )


def job_target(world: World, scope: str) -> dict[str, Any] | None:
    key = {"own": "a", "other_district": "b"}.get(scope)
    return None if key is None else {"job_id": world.extra[f"roster_job_{key}"].id}


DISTRICT_ADMIN_ONLY = {
    "student": NONE,
    "guardian": NONE,
    "teacher": NONE,
    "coach": NONE,
    "school_admin": NONE,
    "district_admin": ANY,
}
OWN_DISTRICT_ONLY = {**DISTRICT_ADMIN_ONLY, "district_admin": OWN}

ENDPOINTS = [
    Endpoint("roster-import", DISTRICT_ADMIN_ONLY),
    # an upload without a file: the form again, with the error
    Endpoint("roster-import", DISTRICT_ADMIN_ONLY, method="POST", ok_status=400),
    Endpoint("roster-export", DISTRICT_ADMIN_ONLY),
    Endpoint("roster-import-job", OWN_DISTRICT_ONLY, target=job_target, target_scopes=JOB_SCOPES),
    Endpoint(
        "roster-import-progress", OWN_DISTRICT_ONLY, target=job_target, target_scopes=JOB_SCOPES
    ),
    Endpoint(
        "roster-import-apply",
        OWN_DISTRICT_ONLY,
        target=job_target,
        target_scopes=JOB_SCOPES,
        method="POST",
        ok_status=302,
    ),
]
