"""Courses, classes and enrollments, shaped like OneRoster 1.2.

District → School → Course → Class (a section) taught in one or more academic sessions
(terms); an :class:`Enrollment` puts a student or a teacher in a class, and a
:class:`LearnerGroup` is a teacher's small group inside a class. Every row carries its
``district`` so that tenant filtering is one indexed condition, never a chain of joins.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db import models

from trellis.accounts.models import District, School


class AcademicSession(models.Model):
    """A school year, semester, term or grading period."""

    class Type(models.TextChoices):
        SCHOOL_YEAR = "schoolYear", "School year"
        SEMESTER = "semester", "Semester"
        TERM = "term", "Term"
        GRADING_PERIOD = "gradingPeriod", "Grading period"

    district = models.ForeignKey(District, on_delete=models.CASCADE, related_name="sessions")
    sourced_id = models.CharField(max_length=255)
    title = models.CharField(max_length=200)
    type = models.CharField(max_length=20, choices=Type.choices)
    start_date = models.DateField()
    end_date = models.DateField()
    school_year = models.PositiveIntegerField()
    parent = models.ForeignKey("self", on_delete=models.SET_NULL, null=True, blank=True)

    class Meta:
        ordering = ["start_date", "title"]
        constraints = [
            models.UniqueConstraint(fields=["district", "sourced_id"], name="session_sourced_id")
        ]

    def __str__(self) -> str:
        return self.title


class Course(models.Model):
    district = models.ForeignKey(District, on_delete=models.CASCADE, related_name="courses")
    school = models.ForeignKey(
        School, on_delete=models.CASCADE, null=True, blank=True, related_name="courses",
        help_text="The org that offers the course (empty: the district itself).",
    )
    sourced_id = models.CharField(max_length=255)
    title = models.CharField(max_length=200)
    course_code = models.CharField(max_length=100, blank=True)
    grades = models.JSONField(default=list, blank=True)
    subjects = models.JSONField(default=list, blank=True)
    school_year = models.ForeignKey(
        AcademicSession, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    class Meta:
        ordering = ["title"]
        constraints = [
            models.UniqueConstraint(fields=["district", "sourced_id"], name="course_sourced_id")
        ]

    def __str__(self) -> str:
        return self.title


class Class(models.Model):
    """A section of a course that students and teachers are enrolled in."""

    class ClassType(models.TextChoices):
        SCHEDULED = "scheduled", "Scheduled"
        HOMEROOM = "homeroom", "Homeroom"

    district = models.ForeignKey(District, on_delete=models.CASCADE, related_name="classes")
    school = models.ForeignKey(School, on_delete=models.CASCADE, related_name="classes")
    course = models.ForeignKey(Course, on_delete=models.CASCADE, related_name="classes")
    sourced_id = models.CharField(max_length=255)
    title = models.CharField(max_length=200)
    class_code = models.CharField(max_length=100, blank=True)
    class_type = models.CharField(
        max_length=20, choices=ClassType.choices, default=ClassType.SCHEDULED
    )
    location = models.CharField(max_length=100, blank=True)
    grades = models.JSONField(default=list, blank=True)
    subjects = models.JSONField(default=list, blank=True)
    periods = models.JSONField(default=list, blank=True)
    terms = models.ManyToManyField(AcademicSession, blank=True, related_name="classes")

    class Meta:
        ordering = ["title"]
        verbose_name_plural = "classes"
        constraints = [
            models.UniqueConstraint(fields=["district", "sourced_id"], name="class_sourced_id")
        ]

    def __str__(self) -> str:
        return self.title


class Enrollment(models.Model):
    class Role(models.TextChoices):
        STUDENT = "student", "Student"
        TEACHER = "teacher", "Teacher"
        ADMINISTRATOR = "administrator", "Administrator"
        PROCTOR = "proctor", "Proctor"

    district = models.ForeignKey(District, on_delete=models.CASCADE, related_name="+")
    klass = models.ForeignKey(Class, on_delete=models.CASCADE, related_name="enrollments")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="enrollments"
    )
    role = models.CharField(max_length=20, choices=Role.choices)
    primary = models.BooleanField(default=False)
    sourced_id = models.CharField(max_length=255, blank=True)
    begin_date = models.DateField(null=True, blank=True)
    end_date = models.DateField(null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["klass", "user", "role"], name="enrollment_unique"),
        ]
        indexes = [
            models.Index(fields=["user", "role"]),
            models.Index(fields=["district", "sourced_id"]),
        ]

    def __str__(self) -> str:
        return f"{self.user} in {self.klass} as {self.role}"


class LearnerGroup(models.Model):
    """A small group of students inside a class (OneRoster has none; Trellis adds it)."""

    district = models.ForeignKey(District, on_delete=models.CASCADE, related_name="+")
    klass = models.ForeignKey(Class, on_delete=models.CASCADE, related_name="groups")
    name = models.CharField(max_length=100)
    members = models.ManyToManyField(settings.AUTH_USER_MODEL, blank=True, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return f"{self.name} ({self.klass})"


class RosterImportJob(models.Model):
    """One upload of a OneRoster file by a district administrator: what was uploaded, and how
    to read it.

    The work runs as a background job of :mod:`trellis.core.jobs` (``job``), like every other
    job: its status, progress, process (runner) and error live on that
    :class:`~trellis.core.models.Job`, and its result is the finished
    :class:`~trellis.roster.import_report.ApplyReport` as JSON (:attr:`report`). A dry run
    keeps its file (``stored_name`` under ``MEDIA_ROOT``) so that "Apply" re-reads the very
    same bytes.
    """

    job = models.OneToOneField(
        "core.Job", on_delete=models.CASCADE, related_name="roster_import",
        help_text="The background job that reads (and, unless a dry run, applies) the file.",
    )
    district = models.ForeignKey(District, on_delete=models.CASCADE, related_name="+")
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True,
        related_name="+",
    )
    file_name = models.CharField(max_length=255)
    stored_name = models.CharField(max_length=255, blank=True)
    file_size = models.PositiveBigIntegerField(default=0)
    dry_run = models.BooleanField(default=True)
    include_demographics = models.BooleanField(default=False)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        kind = "dry run" if self.dry_run else "import"
        return f"{self.file_name} ({kind}, {self.job.get_status_display()})"

    @property
    def report(self) -> dict[str, Any]:
        """The import's report (:meth:`ApplyReport.as_dict`) once its job succeeded; ``{}``
        before, and when it failed (the job's ``error`` says why)."""
        result: dict[str, Any] = self.job.result
        return result


class StudentDemographics(models.Model):
    """OneRoster ``demographics.csv`` for one person. Sensitive: imported only when the
    district opts in (``--demographics`` / the upload page's checkbox)."""

    district = models.ForeignKey(District, on_delete=models.CASCADE, related_name="+")
    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="demographics"
    )
    birth_date = models.DateField(null=True, blank=True)
    sex = models.CharField(max_length=20, blank=True)
    american_indian_or_alaska_native = models.BooleanField(null=True, blank=True)
    asian = models.BooleanField(null=True, blank=True)
    black_or_african_american = models.BooleanField(null=True, blank=True)
    native_hawaiian_or_other_pacific_islander = models.BooleanField(null=True, blank=True)
    white = models.BooleanField(null=True, blank=True)
    two_or_more_races = models.BooleanField(null=True, blank=True)
    hispanic_or_latino = models.BooleanField(null=True, blank=True)
    country_of_birth_code = models.CharField(max_length=10, blank=True)
    state_of_birth_abbreviation = models.CharField(max_length=10, blank=True)
    city_of_birth = models.CharField(max_length=100, blank=True)
    public_school_residence_status = models.CharField(max_length=100, blank=True)

    class Meta:
        verbose_name_plural = "student demographics"

    def __str__(self) -> str:
        return f"Demographics of {self.user}"
