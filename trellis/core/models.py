"""Core tables shared by every area."""

from __future__ import annotations

from django.conf import settings
from django.db import models


class DemoAccount(models.Model):
    """A showcase account of the fictional demo district, listed on the login page when
    ``TRELLIS_DEMO`` is on. The demo seeder picks them so that they belong together (the
    guardian's child is in the teacher's class, the coach coaches that teacher...)."""

    user = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.CASCADE)
    role_label = models.CharField(max_length=60)
    description = models.CharField(max_length=200, blank=True)
    position = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["position"]

    def __str__(self) -> str:
        return f"{self.role_label}: {self.user.username}"


class Job(models.Model):
    """Long work run in the background (an import, a model refit, a batch of reports).

    The person who started it watches ``progress`` on the job page, which polls with htmx. In
    the embedded default a job runs in a thread of the web process (:mod:`trellis.core.jobs`).
    """

    class Status(models.TextChoices):
        QUEUED = "queued", "Waiting to start"
        RUNNING = "running", "Running"
        SUCCEEDED = "succeeded", "Finished"
        FAILED = "failed", "Failed"

    district = models.ForeignKey(
        "accounts.District", on_delete=models.CASCADE, null=True, blank=True, related_name="+"
    )
    kind = models.CharField(max_length=50)
    title = models.CharField(max_length=200)
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.QUEUED)
    progress = models.FloatField(default=0.0, help_text="0 to 1")
    message = models.CharField(max_length=300, blank=True)
    result = models.JSONField(default=dict, blank=True)
    error = models.TextField(blank=True)
    result_url = models.CharField(max_length=300, blank=True)
    runner = models.CharField(
        max_length=120, blank=True,
        help_text="The process running it, host:pid:token (trellis.core.runners).",
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True,
        related_name="+",
    )
    created_at = models.DateTimeField(auto_now_add=True)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"{self.title} ({self.get_status_display()})"

    @property
    def done(self) -> bool:
        return self.status in {self.Status.SUCCEEDED, self.Status.FAILED}

    @property
    def percent(self) -> int:
        return round(100 * self.progress)
