"""Evidence and mastery: the start of Trellis's one-way data flow.

Evidence (a practice answer, a quiz or diagnostic response, a project scored on a rubric, a
teacher's observation) is stored as an :class:`EvidenceEvent` and, in the same transaction,
moves the learner model's :class:`MasteryState` for each standard it bears on. Plans, groups,
schedules and reports read mastery; nothing writes it except
:func:`trellis.learning.actions.do_record_evidence`.

Recording is idempotent: the client supplies ``idempotency_key`` (unique per student), so a
retried submit is stored once and an acknowledged response is never lost.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models

from trellis.accounts.models import District
from trellis.content.models import Item
from trellis.frameworks.models import Standard


class EvidenceEvent(models.Model):
    class Kind(models.TextChoices):
        PRACTICE = "practice", "Practice"
        QUIZ = "quiz", "Quiz"
        DIAGNOSTIC = "diagnostic", "Diagnostic"
        PROJECT = "project", "Project scored on a rubric"
        OBSERVATION = "observation", "Teacher observation"

    district = models.ForeignKey(District, on_delete=models.CASCADE, related_name="+")
    student = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE,
                                related_name="evidence")
    kind = models.CharField(max_length=20, choices=Kind.choices)
    item = models.ForeignKey(Item, on_delete=models.SET_NULL, null=True, blank=True,
                             related_name="+")
    step = models.CharField(max_length=100, blank=True, help_text="Item step answered.")
    standards = models.ManyToManyField(Standard, related_name="evidence")
    correct = models.BooleanField(null=True, help_text="Right or wrong, for scored responses.")
    score = models.FloatField(null=True, blank=True, help_text="0–1, for rubric scores and levels.")
    first_attempt = models.BooleanField(default=True)
    hints_used = models.PositiveSmallIntegerField(default=0)
    seconds = models.FloatField(null=True, blank=True, help_text="Time taken.")
    response = models.TextField(blank=True)
    note = models.TextField(blank=True)
    idempotency_key = models.CharField(max_length=100)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL,
                                    null=True, blank=True, related_name="+")
    occurred_at = models.DateTimeField()
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-occurred_at", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["student", "idempotency_key"],
                                    name="evidence_idempotency")
        ]
        indexes = [models.Index(fields=["district", "student", "occurred_at"])]

    def __str__(self) -> str:
        return f"{self.student} {self.kind} {self.occurred_at:%Y-%m-%d}"


class MasteryState(models.Model):
    """The learner model's current belief about one student and one standard."""

    district = models.ForeignKey(District, on_delete=models.CASCADE, related_name="+")
    student = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE,
                                related_name="mastery_states")
    standard = models.ForeignKey(Standard, on_delete=models.CASCADE, related_name="+")
    probability = models.FloatField()
    evidence_count = models.PositiveIntegerField(default=0)
    evidence_days = models.JSONField(default=list, blank=True,
                                     help_text="Distinct ISO dates with evidence.")
    last_evidence = models.ForeignKey(EvidenceEvent, on_delete=models.SET_NULL, null=True,
                                      blank=True, related_name="+")
    last_change = models.FloatField(default=0.0, help_text="How much the last evidence moved it.")
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["student", "standard"], name="mastery_unique")
        ]
        indexes = [models.Index(fields=["district", "standard"])]

    def __str__(self) -> str:
        return f"{self.student} {self.standard}: {self.probability:.2f}"


class LearnerModelState(models.Model):
    """A student's whole learner-model state (counts, ability...) as the engine serialises it."""

    district = models.ForeignKey(District, on_delete=models.CASCADE, related_name="+")
    student = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.CASCADE,
                                   related_name="learner_state")
    state = models.JSONField(default=dict)
    parameters_version = models.PositiveIntegerField(default=0)
    updated_at = models.DateTimeField(auto_now=True)

    def __str__(self) -> str:
        return f"learner state of {self.student}"


class LearnerModelParameters(models.Model):
    """Fitted learner-model parameters for a district; exactly one row is active at a time."""

    district = models.ForeignKey(District, on_delete=models.CASCADE, related_name="+")
    model_name = models.CharField(max_length=50)
    parameters = models.JSONField()
    version = models.PositiveIntegerField()
    active = models.BooleanField(default=False)
    responses_used = models.PositiveIntegerField(default=0)
    fitted_at = models.DateTimeField(auto_now_add=True)
    note = models.CharField(max_length=300, blank=True)

    class Meta:
        ordering = ["-version"]
        constraints = [
            models.UniqueConstraint(fields=["district", "version"], name="params_version"),
            models.UniqueConstraint(fields=["district"], condition=models.Q(active=True),
                                    name="one_active_params"),
        ]

    def __str__(self) -> str:
        return f"{self.model_name} v{self.version}{' (active)' if self.active else ''}"
