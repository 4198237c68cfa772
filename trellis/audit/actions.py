"""Writing the audit log. Called by every ``do_*`` action that changes student data or
exports it, inside that action's transaction.

The audit log is the second floor of the house, right above ``core``: every app records into
it, so it imports none of them. People and districts are therefore handled as plain models here
(an actor has a ``username`` and a ``district_id``; a district is the ``accounts.District``
model, recognised by its label).
"""

from __future__ import annotations

from typing import Any

from django.db import models

from trellis.audit.models import AuditEvent

DISTRICT_MODEL = "accounts.District"


def record(
    actor: Any | None,
    action: str,
    obj: models.Model | None = None,
    *,
    district: models.Model | None = None,
    details: dict[str, Any] | None = None,
    object_label: str | None = None,
) -> AuditEvent:
    """Record that ``actor`` (a user) did ``action`` to ``obj`` (``None`` actor: the system).

    The event belongs to ``district``, else to the district of ``obj`` (the object itself when
    it is a district), else to the actor's.
    """
    if district is not None:
        district_id = district.pk
    else:
        district_id = _district_id_of(obj)
        if district_id is None and actor is not None:
            district_id = actor.district_id
    return AuditEvent.objects.create(
        district_id=district_id,
        actor=actor,
        actor_label=(actor.username if actor is not None else "system"),
        action=action,
        object_type=(obj._meta.label if obj is not None else ""),
        object_id=(str(obj.pk) if obj is not None else ""),
        object_label=(object_label if object_label is not None else str(obj or ""))[:255],
        details=details or {},
    )


def _district_id_of(obj: models.Model | None) -> int | None:
    if obj is None:
        return None
    if obj._meta.label == DISTRICT_MODEL:
        return int(obj.pk)
    district_id = getattr(obj, "district_id", None)
    return district_id if isinstance(district_id, int) else None
