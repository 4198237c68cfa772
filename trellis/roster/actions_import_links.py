"""Roster import steps for what ties people together and to classes: guardian links (from
``agentSourcedIds``), coaching links (derived from coaches' school roles), enrollments and,
on opt-in, demographics. Each step is a function of the :class:`ImportRun` and runs inside the
import's transaction (:func:`trellis.roster.actions_import.do_apply_roster_bundle`).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping

from trellis.accounts.models import CoachingLink, GuardianLink, Role, RoleAssignment, User
from trellis.interop.oneroster import bundle as onr
from trellis.interop.oneroster.bundle import RecordKind, Status
from trellis.interop.oneroster.errors import IssueCode
from trellis.roster.actions_import_run import ImportRun, Values, insert_rows
from trellis.roster.import_mapping import (
    BATCH,
    ENROLLMENT_ROLES,
    LOOKUP_BATCH,
    PrimaryRole,
    chunks,
    to_date,
    to_text,
)
from trellis.roster.import_report import KindCounts
from trellis.roster.models import Enrollment, StudentDemographics


def apply_guardian_links(run: ImportRun, roles_by_user: Mapping[str, PrimaryRole]) -> None:
    users = run.pk[RecordKind.USERS]
    roles = run.user_roles
    relationships = {
        key: str(value[1]) for key, value in roles_by_user.items() if value[0] is Role.GUARDIAN
    }
    desired: dict[tuple[int, int], str | None] = {}
    covered: set[int] = set()
    ignored = 0
    inactive = 0
    for u in run.bundle.users:
        pk = users.get(u.sourced_id)
        if pk is None or u.status is Status.TOBEDELETED:
            continue
        covered.add(pk)
        for agent in u.agent_sourced_ids:
            other = users.get(agent)
            if other is None:
                inactive += agent in run.deactivated_ids
                continue
            if roles.get(pk) == Role.GUARDIAN and roles.get(other) == Role.STUDENT:
                desired[(pk, other)] = relationships.get(u.sourced_id)
            elif roles.get(pk) == Role.STUDENT and roles.get(other) == Role.GUARDIAN:
                desired.setdefault((other, pk), relationships.get(agent))
            else:
                ignored += 1
    counts = run.counts.setdefault("guardianLinks", KindCounts())
    updates, deletes = [], []
    links = GuardianLink.objects.filter(district=run.district).values_list(
        "pk", "guardian_id", "student_id", "relationship"
    )
    have: set[tuple[int, int]] = set()
    for pk, guardian, student, relationship in links.iterator(chunk_size=5000):
        pair = (guardian, student)
        if guardian not in covered and student not in covered:
            continue
        have.add(pair)
        if pair not in desired:
            deletes.append(pk)
        elif (wanted := desired[pair]) is not None and wanted != relationship:
            updates.append(GuardianLink(pk=pk, relationship=wanted))
        else:
            counts.unchanged += 1
    district_id = run.district.pk
    creates = [
        (district_id, guardian, student, relationship or "guardian")
        for (guardian, student), relationship in desired.items()
        if (guardian, student) not in have
    ]
    for chunk in chunks(deletes, LOOKUP_BATCH):
        GuardianLink.objects.filter(pk__in=chunk).delete()
    for batch in chunks(updates, BATCH):
        GuardianLink.objects.bulk_update(batch, ["relationship"])
    insert_rows(
        GuardianLink, ("district_id", "guardian_id", "student_id", "relationship"), creates
    )
    counts.created += len(creates)
    counts.updated += len(updates)
    counts.deleted += len(deletes)
    if ignored:
        run.warnings.append(
            f"{ignored} agentSourcedIds link(s) do not join a guardian to a student and "
            "were not imported."
        )
    if inactive:
        run.warnings.append(
            f"{inactive} agentSourcedIds link(s) name a deactivated person and were not "
            "imported: list that person in users.csv again to link them."
        )


def apply_coaching_links(run: ImportRun) -> None:
    """Coaches coach the teachers of the schools where they hold a teacher role."""
    roles = run.user_roles
    coaches = {pk for pk, role in roles.items() if role == Role.COACH}
    schools_of: dict[int, set[int]] = defaultdict(set)
    assignments = RoleAssignment.objects.filter(
        district=run.district, role=Role.TEACHER, is_primary=False, school__isnull=False
    ).values_list("user_id", "school_id")
    for user_id, school_id in assignments:
        if user_id in coaches:
            schools_of[user_id].add(school_id)
    teachers_at: dict[int, list[int]] = defaultdict(list)
    teachers = User.objects.filter(
        district=run.district,
        role=Role.TEACHER,
        school__isnull=False,
        deactivated_at__isnull=True,
    ).values_list("pk", "school_id")
    for pk, school_id in teachers.iterator(chunk_size=5000):
        teachers_at[school_id].append(pk)
    desired = {
        (coach, teacher)
        for coach, schools in schools_of.items()
        for school in schools
        for teacher in teachers_at.get(school, ())
    }
    counts = run.counts.setdefault("coachingLinks", KindCounts())
    have: set[tuple[int, int]] = set()
    deletes = []
    links = CoachingLink.objects.filter(district=run.district).values_list(
        "pk", "coach_id", "teacher_id"
    )
    for pk, coach, teacher in links:
        # Links of coaches without school roles were made by hand: left alone.
        if coach in schools_of or coach not in coaches:
            if (coach, teacher) in desired:
                have.add((coach, teacher))
                counts.unchanged += 1
            elif coach in schools_of or roles.get(coach) is not None:
                deletes.append(pk)
    district_id = run.district.pk
    creates = [
        CoachingLink(district_id=district_id, coach_id=coach, teacher_id=teacher)
        for coach, teacher in sorted(desired - have)
    ]
    for chunk in chunks(deletes, LOOKUP_BATCH):
        CoachingLink.objects.filter(pk__in=chunk).delete()
    for batch in chunks(creates, BATCH):
        CoachingLink.objects.bulk_create(batch)
    counts.created += len(creates)
    counts.deleted += len(deletes)


def apply_enrollments(run: ImportRun) -> None:
    kind = RecordKind.ENROLLMENTS
    names = ("klass_id", "user_id", "role", "primary", "begin_date", "end_date")
    existing = run.existing(
        Enrollment.objects.filter(district=run.district).exclude(sourced_id=""),
        "sourced_id",
        names,
        run.keys_of(kind),
    )
    classes = run.pk[RecordKind.CLASSES]
    users = run.pk[RecordKind.USERS]
    district_id = run.district.pk
    seen: set[int] = set()  # class, person and role packed into one int

    def values(e: onr.Enrollment) -> Values | None:
        klass = classes.get(e.class_sourced_id)
        user = users.get(e.user_sourced_id)
        if klass is None:
            run.issue(
                e,
                "classSourcedId",
                f"{e.class_sourced_id!r} names no class of this district",
                IssueCode.REFERENCE,
            )
        if user is None:
            run.no_person(e, "userSourcedId", e.user_sourced_id)
        if klass is None or user is None:
            return None
        role = str(e.role)
        packed = ((klass << 32 | user) << 2) | ENROLLMENT_ROLES.get(role, 3)
        if packed in seen:
            run.issue(
                e,
                "userSourcedId",
                f"another enrollment already puts {e.user_sourced_id!r} in class "
                f"{e.class_sourced_id!r} as {role}",
                IssueCode.DUPLICATE,
            )
            return None
        seen.add(packed)
        return (klass, user, role, bool(e.primary), to_date(e.begin_date), to_date(e.end_date))

    run.sync(
        "enrollments",
        Enrollment,
        names,
        run.bundle.enrollments,
        existing,
        values,
        fast=(
            ("district_id", "sourced_id", *names),
            lambda key, v: (district_id, key, *v),
        ),
    )


def apply_demographics(run: ImportRun) -> None:
    kind = RecordKind.DEMOGRAPHICS
    names = (
        "user_id",
        "birth_date",
        "sex",
        "american_indian_or_alaska_native",
        "asian",
        "black_or_african_american",
        "native_hawaiian_or_other_pacific_islander",
        "white",
        "two_or_more_races",
        "hispanic_or_latino",
        "country_of_birth_code",
        "state_of_birth_abbreviation",
        "city_of_birth",
        "public_school_residence_status",
    )
    existing = run.existing(
        StudentDemographics.objects.filter(district=run.district),
        "user__sourced_id",
        names,
        run.keys_of(kind),
    )
    users = run.pk[RecordKind.USERS]
    district_id = run.district.pk

    def values(d: onr.Demographics) -> Values | None:
        user = users.get(d.sourced_id)
        if user is None:
            run.no_person(d, "sourcedId", d.sourced_id)
            return None
        return (
            user,
            to_date(d.birth_date),
            to_text(d.sex),
            d.american_indian_or_alaska_native,
            d.asian,
            d.black_or_african_american,
            d.native_hawaiian_or_other_pacific_islander,
            d.white,
            d.demographic_race_two_or_more_races,
            d.hispanic_or_latino_ethnicity,
            d.country_of_birth_code,
            d.state_of_birth_abbreviation,
            d.city_of_birth,
            d.public_school_residence_status,
        )

    run.sync(
        "demographics",
        StudentDemographics,
        names,
        run.bundle.demographics,
        existing,
        values,
        lambda key, v: StudentDemographics(district_id=district_id, **v),
    )
