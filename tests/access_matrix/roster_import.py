"""Roster import and export, and people off the roster: district administrators of the district
only."""

from __future__ import annotations

import datetime as dt
from typing import Any

from tests.access_matrix import ANY, NONE, OWN, Endpoint, Rows
from tests.world import World
from trellis.accounts.models import Role, User
from trellis.core.models import Job
from trellis.roster.models import RosterImportJob

JOB_SCOPES = ("own", "other_district")  # jobs belong to a district, not to a school


def extend_world(world: World) -> None:
    """A finished dry run in each district (no stored file: "apply" has nothing to apply)."""
    for key, district in world.districts.items():
        world.extra[f"roster_job_{key}"] = RosterImportJob.objects.create(
            district=district,
            file_name=f"roster-{key}.zip",
            job=Job.objects.create(
                kind="roster.import",
                title=f"Check of roster-{key}.zip",
                district=district,
                status=Job.Status.SUCCEEDED,
                result={"headline": "The file is valid.", "counts": {}, "issue_count": 0},
            ),
        )
        # a student a roster import deactivated: off every list, history kept
        world.extra[f"former_student_{key}"] = User.objects.create(
            username=f"former_{key}", role=Role.STUDENT, district=district, is_active=False,
            sourced_id=f"former-{key}", deactivated_at=dt.datetime(2026, 10, 1, tzinfo=dt.UTC),
        )


def job_target(world: World, scope: str) -> dict[str, Any] | None:
    key = {"own": "a", "other_district": "b"}.get(scope)
    return None if key is None else {"job_id": world.extra[f"roster_job_{key}"].id}


def former_person_target(world: World, scope: str) -> dict[str, Any] | None:
    key = {"own": "a", "other_district": "b"}.get(scope)
    return None if key is None else {"person_id": world.extra[f"former_student_{key}"].id}


def former_names(world: World, scope: str) -> tuple[str, ...]:
    key = {"own": "a", "other_district": "b"}.get(scope)
    return () if key is None else (world.extra[f"former_student_{key}"].username,)


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
    # the district's people off the roster, never the other district's
    Endpoint("roster-former-people", DISTRICT_ADMIN_ONLY,
             rows=(Rows(former_names, {"district_admin": OWN}),)),
    Endpoint("roster-former-person", OWN_DISTRICT_ONLY, target=former_person_target,
             target_scopes=JOB_SCOPES),
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
