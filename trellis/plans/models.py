"""What a learning plan is built from, persisted: the plan itself is never stored.

A plan is recomputed from the learner model on every view (``trellis.engine.planning``), so
these tables hold only what people *said*:

- :class:`PlanSettings`: a district's mastery rule and term calendar (JSON validated by the
  engine's :class:`~trellis.engine.mastery.MasteryRule` and
  :class:`~trellis.engine.planning.TermCalendar`) and the framework plans walk;
- :class:`Goal`: set by the student, a teacher, or from the standards, with a date;
- :class:`PlanEdit`: a teacher's change to a student's plan (move, add, remove, set the mode,
  assign activities), kept by standard code so it survives the plan being rebuilt;
- :class:`StepChoice`: the activity a student chose for a step;
- :class:`Reflection`: what the student learned, found hard and how they feel, after a step;
- :class:`LearnerProfile`: interests, strengths, how I learn best, languages;
- :class:`ProjectProposal`: "let me show mastery with a project" — approved, then scored on a
  rubric by the teacher; the score becomes evidence.

Teacher observations are evidence (``EvidenceEvent`` of kind ``observation``), not a table
here.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models

from trellis.accounts.models import District
from trellis.content.models import Activity
from trellis.frameworks.models import Framework, Standard


class PlanSettings(models.Model):
    """A district's planning settings; a district without a row uses the defaults."""

    district = models.OneToOneField(District, on_delete=models.CASCADE,
                                    related_name="plan_settings")
    mastery_rule = models.JSONField(default=dict, blank=True,
                                    help_text='e.g. {"threshold": 0.95, "min_distinct_days": 2}')
    term_calendar = models.JSONField(default=dict, blank=True,
                                     help_text='e.g. {"start": "2026-08-24", "end": "2027-06-04",'
                                               ' "holidays": ["2026-11-26"]}')
    framework = models.ForeignKey(Framework, on_delete=models.SET_NULL, null=True, blank=True,
                                  related_name="+", help_text="The map plans walk.")
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name_plural = "plan settings"

    def __str__(self) -> str:
        return f"plan settings of {self.district}"


class Goal(models.Model):
    class Kind(models.TextChoices):
        STUDENT = "student", "Set by me"
        TEACHER = "teacher", "Set by my teacher"
        STANDARDS = "standards", "From the standards"

    district = models.ForeignKey(District, on_delete=models.CASCADE, related_name="+")
    student = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE,
                                related_name="plan_goals")
    kind = models.CharField(max_length=20, choices=Kind.choices)
    title = models.CharField(max_length=200)
    standard_codes = models.JSONField(default=list)
    due = models.DateField()
    set_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True,
                               blank=True, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["due", "id"]

    def __str__(self) -> str:
        return f"{self.title} (by {self.due})"


class PlanEdit(models.Model):
    """A teacher's edit, applied in ``id`` order to the computed plan."""

    class Action(models.TextChoices):
        MOVE = "move", "Move"
        ADD = "add", "Add"
        REMOVE = "remove", "Remove"
        SET_MODE = "set_mode", "Set the mode"
        ASSIGN = "assign", "Assign activities"

    district = models.ForeignKey(District, on_delete=models.CASCADE, related_name="+")
    student = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE,
                                related_name="plan_edits")
    action = models.CharField(max_length=20, choices=Action.choices)
    code = models.CharField(max_length=100)
    position = models.PositiveIntegerField(null=True, blank=True)
    mode = models.CharField(max_length=30, blank=True)
    activity_ids = models.JSONField(default=list, blank=True)
    note = models.CharField(max_length=300, blank=True)
    by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True,
                           blank=True, related_name="+")
    active = models.BooleanField(default=True, help_text="False once undone.")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["id"]

    def __str__(self) -> str:
        return f"{self.action} {self.code}"


class StepChoice(models.Model):
    """The activity a student chose for a step of their plan (one per standard)."""

    district = models.ForeignKey(District, on_delete=models.CASCADE, related_name="+")
    student = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE,
                                related_name="step_choices")
    code = models.CharField(max_length=100)
    activity = models.ForeignKey(Activity, on_delete=models.CASCADE, related_name="+")
    chosen_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["student", "code"], name="step_choice_unique")
        ]

    def __str__(self) -> str:
        return f"{self.code}: {self.activity}"


class Reflection(models.Model):
    FEELINGS = [
        (1, "😟 Worried"),
        (2, "😕 Unsure"),
        (3, "😐 Okay"),
        (4, "😊 Good"),
        (5, "😄 Great"),
    ]

    district = models.ForeignKey(District, on_delete=models.CASCADE, related_name="+")
    student = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE,
                                related_name="reflections")
    code = models.CharField(max_length=100)
    learned = models.TextField(blank=True)
    hard = models.TextField(blank=True)
    feeling = models.PositiveSmallIntegerField(choices=FEELINGS)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"reflection on {self.code}"


class LearnerProfile(models.Model):
    district = models.ForeignKey(District, on_delete=models.CASCADE, related_name="+")
    student = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.CASCADE,
                                   related_name="learner_profile")
    interests = models.JSONField(default=list, blank=True)
    strengths = models.JSONField(default=list, blank=True)
    learns_best = models.JSONField(default=list, blank=True,
                                   help_text="Modalities, most preferred first.")
    languages = models.JSONField(default=list, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    def __str__(self) -> str:
        return f"profile of {self.student}"


class ProjectProposal(models.Model):
    class Status(models.TextChoices):
        PROPOSED = "proposed", "Waiting for the teacher"
        APPROVED = "approved", "Approved: go ahead"
        DECLINED = "declined", "Not this time"
        SCORED = "scored", "Scored"

    district = models.ForeignKey(District, on_delete=models.CASCADE, related_name="+")
    student = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE,
                                related_name="project_proposals")
    standard = models.ForeignKey(Standard, on_delete=models.CASCADE, related_name="+")
    title = models.CharField(max_length=200)
    description = models.TextField()
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.PROPOSED)
    reviewed_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL,
                                    null=True, blank=True, related_name="+")
    teacher_note = models.TextField(blank=True)
    rubric_levels = models.JSONField(default=dict, blank=True,
                                     help_text="criterion key -> level 1..4")
    score = models.FloatField(null=True, blank=True, help_text="0–1, as recorded as evidence.")
    evidence = models.ForeignKey("learning.EvidenceEvent", on_delete=models.SET_NULL, null=True,
                                 blank=True, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return self.title
