"""The audit log: who did what, to which object, when.

Every write of student data and every export goes through an action that calls
:func:`trellis.audit.actions.record`, in the same transaction as the write, so a change and its
record are committed together or not at all. Rows are never updated or deleted by the
application.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models


class AuditEvent(models.Model):
    # By label, not by import: the audit log sits below accounts so that every app, accounts
    # included, can record into it.
    district = models.ForeignKey(
        "accounts.District", on_delete=models.CASCADE, null=True, blank=True, related_name="+"
    )
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True,
        related_name="+",
    )
    actor_label = models.CharField(max_length=200, blank=True)
    action = models.CharField(max_length=100)
    object_type = models.CharField(max_length=100, blank=True)
    object_id = models.CharField(max_length=100, blank=True)
    object_label = models.CharField(max_length=255, blank=True)
    details = models.JSONField(default=dict, blank=True)
    at = models.DateTimeField(auto_now_add=True, db_index=True)

    class Meta:
        ordering = ["-at", "-id"]
        indexes = [
            models.Index(fields=["district", "-at"]),
            models.Index(fields=["district", "action"]),
        ]

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M} {self.actor_label} {self.action} {self.object_label}"

    @property
    def details_text(self) -> str:
        """The details as "key: value; ..." for people (any keys, including ``items``)."""
        if not isinstance(self.details, dict):
            return str(self.details)
        return "; ".join(f"{key}: {value}" for key, value in self.details.items())
