"""Writing the audit log. Called by every ``do_*`` action that changes student data or
exports it, inside that action's transaction."""

from __future__ import annotations

from typing import Any

from django.db import models

from trellis.accounts.models import District, User
from trellis.audit.models import AuditEvent


def record(
    actor: User | None,
    action: str,
    obj: models.Model | None = None,
    *,
    district: District | None = None,
    details: dict[str, Any] | None = None,
    object_label: str | None = None,
) -> AuditEvent:
    """Record that ``actor`` did ``action`` to ``obj`` (``None`` actor: the system)."""
    if district is None:
        district = _district_of(obj) or (actor.district if actor is not None else None)
    return AuditEvent.objects.create(
        district=district,
        actor=actor,
        actor_label=(actor.username if actor is not None else "system"),
        action=action,
        object_type=(obj._meta.label if obj is not None else ""),
        object_id=(str(obj.pk) if obj is not None else ""),
        object_label=(object_label if object_label is not None else str(obj or ""))[:255],
        details=details or {},
    )


def _district_of(obj: models.Model | None) -> District | None:
    if isinstance(obj, District):
        return obj
    district = getattr(obj, "district", None)
    return district if isinstance(district, District) else None
