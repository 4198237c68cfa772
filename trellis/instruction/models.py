"""Small groups, one-on-ones and weekly schedules, persisted.

The engine (:mod:`trellis.engine.grouping`, :mod:`trellis.engine.scheduling`) computes groups
and weeks; these tables hold what people *said* and what the solver *answered*:

- :class:`BellSchedule` and :class:`Period`: a school's days, time zone and bell periods (one
  set for every day; after-school periods hold extended learning);
- :class:`Room`: the school's rooms and how many students each holds;
- :class:`TeacherAvailability` / :class:`StudentAvailability`: a period (or a whole day) when a
  person is *not* available — a prep period, a pull-out service, a part-time contract;
- :class:`FixedBlock`: a session whose time is set elsewhere (extended learning after school,
  a dual-enrollment course at the college, a fixed online session with a teacher);
- :class:`GroupOverride`: a teacher's change to today's groups (move a student, pin a group,
  dissolve a group), replayed into the grouping every time so it is respected next time;
- :class:`WeeklySchedule`: a solved week of a school — meetings, the independent validator's
  report and the soft-goal score — or the reasons in words why there is none.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models

from trellis.accounts.models import District, School
from trellis.roster.models import Class

DAY_NAMES = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")


class BellSchedule(models.Model):
    """A school's week: which days it runs and the time zone its bells ring in."""

    district = models.ForeignKey(District, on_delete=models.CASCADE, related_name="+")
    school = models.OneToOneField(School, on_delete=models.CASCADE, related_name="bell_schedule")
    days = models.JSONField(default=list, help_text='Day names in order, e.g. ["Mon", ..., "Fri"].')
    timezone = models.CharField(max_length=64, default="America/Chicago")

    def __str__(self) -> str:
        return f"bell schedule of {self.school}"

    @property
    def day_names(self) -> list[str]:
        return list(self.days) or list(DAY_NAMES[:5])


class Period(models.Model):
    """One bell period, the same every day."""

    district = models.ForeignKey(District, on_delete=models.CASCADE, related_name="+")
    school = models.ForeignKey(School, on_delete=models.CASCADE, related_name="periods")
    name = models.CharField(max_length=40)
    start = models.TimeField()
    end = models.TimeField()
    after_school = models.BooleanField(default=False)

    class Meta:
        ordering = ["start", "id"]
        constraints = [
            models.UniqueConstraint(fields=["school", "name"], name="period_name_unique")
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.start:%H:%M}–{self.end:%H:%M})"


class Room(models.Model):
    district = models.ForeignKey(District, on_delete=models.CASCADE, related_name="+")
    school = models.ForeignKey(School, on_delete=models.CASCADE, related_name="rooms")
    name = models.CharField(max_length=80)
    capacity = models.PositiveIntegerField()

    class Meta:
        ordering = ["name"]
        constraints = [models.UniqueConstraint(fields=["school", "name"], name="room_name_unique")]

    def __str__(self) -> str:
        return f"{self.name} ({self.capacity})"


class _Unavailable(models.Model):
    """A period on a day (``period`` empty: the whole day) when someone is not available."""

    district = models.ForeignKey(District, on_delete=models.CASCADE, related_name="+")
    school = models.ForeignKey(School, on_delete=models.CASCADE, related_name="+")
    day = models.PositiveSmallIntegerField(help_text="0 = the bell schedule's first day.")
    period = models.ForeignKey(Period, on_delete=models.CASCADE, null=True, blank=True,
                               related_name="+")
    note = models.CharField(max_length=200, blank=True)

    class Meta:
        abstract = True
        ordering = ["day", "period__start", "id"]


class TeacherAvailability(_Unavailable):
    teacher = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE,
                                related_name="+")

    class Meta(_Unavailable.Meta):
        verbose_name_plural = "teacher availability"

    def __str__(self) -> str:
        return f"{self.teacher} unavailable on day {self.day + 1} ({self.period or 'all day'})"


class StudentAvailability(_Unavailable):
    student = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE,
                                related_name="+")

    class Meta(_Unavailable.Meta):
        verbose_name_plural = "student availability"

    def __str__(self) -> str:
        return f"{self.student} unavailable on day {self.day + 1} ({self.period or 'all day'})"


class FixedBlock(models.Model):
    """A session at a time set elsewhere; the rest of the week is built around it."""

    class Kind(models.TextChoices):
        EXTENDED_LEARNING = "extended_learning", "Extended learning"
        DUAL_ENROLLMENT = "dual_enrollment", "Dual enrollment"
        ONLINE_WITH_TEACHER = "online_with_teacher", "Online session with a teacher"

    district = models.ForeignKey(District, on_delete=models.CASCADE, related_name="+")
    school = models.ForeignKey(School, on_delete=models.CASCADE, related_name="fixed_blocks")
    kind = models.CharField(max_length=30, choices=Kind.choices)
    title = models.CharField(max_length=200)
    students = models.ManyToManyField(settings.AUTH_USER_MODEL, related_name="+")
    teacher = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True,
                                blank=True, related_name="+")
    room = models.ForeignKey(Room, on_delete=models.SET_NULL, null=True, blank=True,
                             related_name="+", help_text="Empty: off-site or online.")
    slots = models.JSONField(default=list, help_text="[[day, period id], ...]")

    class Meta:
        ordering = ["title", "id"]

    def __str__(self) -> str:
        return self.title


class GroupOverride(models.Model):
    """A teacher's change to a class's groups, replayed (in ``id`` order) into every grouping."""

    class Kind(models.TextChoices):
        MOVE = "move", "Move a student"
        PIN = "pin", "Keep a group together"
        DISSOLVE = "dissolve", "Dissolve a group"

    district = models.ForeignKey(District, on_delete=models.CASCADE, related_name="+")
    klass = models.ForeignKey(Class, on_delete=models.CASCADE, related_name="group_overrides")
    kind = models.CharField(max_length=10, choices=Kind.choices)
    group_id = models.CharField(max_length=120)
    student = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, null=True,
                                blank=True, related_name="+")
    student_ids = models.JSONField(default=list, blank=True, help_text="A pinned group's students.")
    active = models.BooleanField(default=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL,
                                   null=True, blank=True, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["id"]
        indexes = [models.Index(fields=["klass", "active"])]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.group_id}"


class WeeklySchedule(models.Model):
    """The solved week of a school (the latest row is the current one)."""

    class Status(models.TextChoices):
        SOLVING = "solving", "Solving"
        READY = "ready", "Ready"
        INFEASIBLE = "infeasible", "Cannot be built"
        FAILED = "failed", "Failed"

    district = models.ForeignKey(District, on_delete=models.CASCADE, related_name="+")
    school = models.ForeignKey(School, on_delete=models.CASCADE, related_name="weekly_schedules")
    week_start = models.DateField()
    status = models.CharField(max_length=12, choices=Status.choices, default=Status.SOLVING)
    result = models.JSONField(default=dict, blank=True,
                              help_text="Bell schedule, meetings and who is in them.")
    problems = models.JSONField(default=list, blank=True, help_text="Why there is no week.")
    violations = models.JSONField(default=list, blank=True,
                                  help_text="The independent validator's findings ([] = none).")
    soft = models.JSONField(default=dict, blank=True, help_text="The soft-goal report.")
    soft_score = models.FloatField(null=True, blank=True)
    solve_seconds = models.FloatField(default=0.0)
    job = models.ForeignKey("core.Job", on_delete=models.SET_NULL, null=True, blank=True,
                            related_name="+")
    requested_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL,
                                     null=True, blank=True, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-id"]
        indexes = [models.Index(fields=["school", "-id"])]

    def __str__(self) -> str:
        return f"week of {self.week_start} at {self.school} ({self.status})"
