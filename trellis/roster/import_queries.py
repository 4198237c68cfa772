"""What a roster import reads from the database before it writes anything.

The checks themselves are pure (:mod:`trellis.interop.oneroster`); they ask two things only
the database knows, and get the answers here as plain data:

* which district an exchange names, if it exists already (:func:`district_named`);
* which of the sourcedIds a delta leaves unresolved exist in the district
  (:func:`existing_sourced_ids`): one query per kind and per :data:`LOOKUP_BATCH` ids, never
  one per row.
"""

from __future__ import annotations

from collections.abc import Mapping, Set
from typing import Any

from django.db import models

from trellis.accounts.models import District, School, User
from trellis.interop.oneroster.bundle import RecordKind
from trellis.roster.import_mapping import LOOKUP_BATCH, chunks
from trellis.roster.models import AcademicSession, Class, Course

# The kinds a reference may name, and where their records live.
REFERENCED_MODELS: Mapping[RecordKind, type[models.Model]] = {
    RecordKind.ORGS: School,
    RecordKind.ACADEMIC_SESSIONS: AcademicSession,
    RecordKind.COURSES: Course,
    RecordKind.CLASSES: Class,
    RecordKind.USERS: User,
}


def district_named(sourced_id: str) -> District | None:
    """The district whose sourcedId an exchange names, ``None`` when it is new."""
    return District.objects.filter(sourced_id=sourced_id).first()


def existing_sourced_ids(
    district: District | None, wanted: Mapping[RecordKind, Set[str]]
) -> dict[RecordKind, set[str]]:
    """Which of the ``wanted`` sourcedIds (per kind) exist in ``district``; the district org
    itself counts as an org. Nothing exists in a district not created yet."""
    found: dict[RecordKind, set[str]] = {}
    if district is None:
        return found
    for kind, ids in wanted.items():
        model = REFERENCED_MODELS.get(kind)
        if model is None:
            continue
        manager: Any = model._default_manager  # type: ignore[attr-defined]
        hits: set[str] = set()
        for chunk in chunks(sorted(ids), LOOKUP_BATCH):
            hits.update(
                manager.filter(district=district, sourced_id__in=chunk).values_list(
                    "sourced_id", flat=True
                )
            )
        if kind is RecordKind.ORGS and district.sourced_id in ids:
            hits.add(district.sourced_id)
        found[kind] = hits
    return found
