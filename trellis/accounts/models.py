"""Tenancy and people, shaped like OneRoster 1.2 so rostering maps one-to-one.

- A :class:`District` is the tenant: every row of student data belongs to exactly one, and no
  query ever crosses from one district to another (see :mod:`trellis.accounts.permissions`).
- A :class:`School` is a OneRoster ``org`` of type ``school`` inside a district.
- A :class:`User` is anyone who signs in. ``role`` is the person's primary role (OneRoster's
  ``roleType=primary``); :class:`RoleAssignment` holds every role a person has at an org, as
  ``roles.csv`` does. ``school`` is the primary org (``primaryOrgSourcedId``).
- :class:`GuardianLink` ties a guardian to a student (``agentSourcedIds``), and
  :class:`CoachingLink` an instructional coach to a teacher they coach.

``sourced_id`` is the identifier the district's student information system uses; it is unique
within a district, so re-importing the same roster updates rows in place.

A roster-managed person whom the district's roster no longer lists is **deactivated**, never
deleted: ``deactivated_at`` is set and ``is_active`` cleared, so they cannot sign in, while
their learning history stays; a later roster that lists them again reactivates the same row.
"""

from __future__ import annotations

from django.contrib.auth.models import AbstractUser
from django.db import models


class Role(models.TextChoices):
    DISTRICT_ADMIN = "district_admin", "District administrator"
    SCHOOL_ADMIN = "school_admin", "School administrator"
    TEACHER = "teacher", "Teacher"
    COACH = "coach", "Instructional coach"
    STUDENT = "student", "Student"
    GUARDIAN = "guardian", "Guardian"


STAFF_ROLES = frozenset({Role.DISTRICT_ADMIN, Role.SCHOOL_ADMIN, Role.TEACHER, Role.COACH})


class District(models.Model):
    """The tenant: a school district (OneRoster org of type ``district``)."""

    sourced_id = models.CharField(max_length=255, unique=True)
    name = models.CharField(max_length=200)
    identifier = models.CharField(max_length=100, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class School(models.Model):
    """A school (OneRoster org of type ``school``) inside one district."""

    district = models.ForeignKey(District, on_delete=models.CASCADE, related_name="schools")
    sourced_id = models.CharField(max_length=255)
    name = models.CharField(max_length=200)
    identifier = models.CharField(max_length=100, blank=True)

    class Meta:
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(fields=["district", "sourced_id"], name="school_sourced_id")
        ]

    def __str__(self) -> str:
        return self.name


class User(AbstractUser):
    """Anyone who signs in: staff, students and guardians of one district.

    Platform operators (``is_superuser``) have no district and use only the Django admin.
    """

    district = models.ForeignKey(
        District, on_delete=models.CASCADE, null=True, blank=True, related_name="users"
    )
    school = models.ForeignKey(
        School, on_delete=models.SET_NULL, null=True, blank=True, related_name="people",
        help_text="Primary org (OneRoster primaryOrgSourcedId).",
    )
    role = models.CharField(max_length=20, choices=Role.choices, blank=True)
    sourced_id = models.CharField(max_length=255, blank=True)
    preferred_name = models.CharField(max_length=150, blank=True)
    grade = models.CharField(max_length=8, blank=True, help_text="CEDS grade code, e.g. 07.")
    preferred_language = models.CharField(
        max_length=8, default="en", choices=[("en", "English"), ("es", "Español")]
    )
    deactivated_at = models.DateTimeField(
        null=True, blank=True,
        help_text="When a roster import stopped listing this person (they cannot sign in; "
        "their learning history is kept). Empty while they are on the roster.",
    )

    class Meta:
        ordering = ["last_name", "first_name", "username"]
        constraints = [
            models.UniqueConstraint(
                fields=["district", "sourced_id"],
                condition=~models.Q(sourced_id=""),
                name="user_sourced_id",
            )
        ]
        indexes = [models.Index(fields=["district", "role"])]

    def __str__(self) -> str:
        return self.display_name

    @property
    def display_name(self) -> str:
        first = self.preferred_name or self.first_name
        full = f"{first} {self.last_name}".strip()
        return full or self.username

    @property
    def short_name(self) -> str:
        """What pages call the person in a sentence ("that Henry knows"): the name they go
        by, else their first name, else their username."""
        return self.preferred_name or self.first_name or self.username

    @property
    def is_student(self) -> bool:
        return self.role == Role.STUDENT

    @property
    def is_guardian(self) -> bool:
        return self.role == Role.GUARDIAN


class RoleAssignment(models.Model):
    """A role a person holds at an org (OneRoster ``roles.csv``): the school, or the district
    itself when ``school`` is empty."""

    district = models.ForeignKey(District, on_delete=models.CASCADE, related_name="+")
    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="role_assignments")
    role = models.CharField(max_length=20, choices=Role.choices)
    school = models.ForeignKey(School, on_delete=models.CASCADE, null=True, blank=True)
    is_primary = models.BooleanField(default=True)
    sourced_id = models.CharField(max_length=255, blank=True)
    begin_date = models.DateField(null=True, blank=True)
    end_date = models.DateField(null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["user", "role", "school"], name="role_assignment_unique"
            )
        ]

    def __str__(self) -> str:
        return f"{self.user} — {self.get_role_display()} at {self.school or self.district}"


class GuardianLink(models.Model):
    """A guardian (parent or other responsible adult) of a student."""

    district = models.ForeignKey(District, on_delete=models.CASCADE, related_name="+")
    guardian = models.ForeignKey(User, on_delete=models.CASCADE, related_name="children_links")
    student = models.ForeignKey(User, on_delete=models.CASCADE, related_name="guardian_links")
    relationship = models.CharField(max_length=30, default="guardian")

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["guardian", "student"], name="guardian_link_unique")
        ]

    def __str__(self) -> str:
        return f"{self.guardian} is {self.relationship} of {self.student}"


class CoachingLink(models.Model):
    """An instructional coach and a teacher they coach."""

    district = models.ForeignKey(District, on_delete=models.CASCADE, related_name="+")
    coach = models.ForeignKey(User, on_delete=models.CASCADE, related_name="coachee_links")
    teacher = models.ForeignKey(User, on_delete=models.CASCADE, related_name="coach_links")

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["coach", "teacher"], name="coaching_link_unique")
        ]

    def __str__(self) -> str:
        return f"{self.coach} coaches {self.teacher}"
