"""Background-job progress pages: the person who started a job, and district admins."""

from __future__ import annotations

from tests.access_matrix import DISTRICT, OWN, Endpoint, by_id
from tests.world import World


def extend_world(world: World) -> None:
    from trellis.core.models import Job

    for scope in ["own", "same_school", "other_school", "other_district"]:
        teacher = world.teacher(scope)
        world.extra[f"job_{scope}"] = Job.objects.create(
            district_id=teacher.district_id, kind="test", title=f"Job of {teacher.username}",
            created_by=teacher,
        )


ENDPOINTS = [
    Endpoint(
        "job-status",
        {"teacher": OWN, "district_admin": DISTRICT},
        target=by_id("job_id", lambda world, scope: world.extra[f"job_{scope}"]),
    ),
]
