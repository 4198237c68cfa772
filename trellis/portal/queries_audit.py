"""Reading the audit log: district administrators see their own district's events only."""

from __future__ import annotations

from django.db.models import QuerySet

from trellis.accounts.models import Role, User
from trellis.audit.models import AuditEvent


def audit_events_visible_to(user: User) -> QuerySet[AuditEvent]:
    if not user.is_authenticated or user.role != Role.DISTRICT_ADMIN or user.district_id is None:
        return AuditEvent.objects.none()
    return AuditEvent.objects.filter(district_id=user.district_id).select_related("actor")
