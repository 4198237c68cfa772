"""The first step of a roster import: deletions, and people leaving the roster.

Deletions come first, dependents before what they depend on, so that every deletion is counted
under its own kind (not hidden in a cascade) and the slots they free (a class, a person, a
role) can be reused by rows of the same import. People are never deleted: a roster that stops
listing someone *deactivates* them (:func:`deactivate`), keeping their learning history.
Runs inside the import's transaction (:func:`trellis.roster.actions_import.do_apply_roster_bundle`).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from typing import Any

from django.db import models
from django.utils import timezone

from trellis.accounts.models import CoachingLink, GuardianLink, RoleAssignment, User
from trellis.interop.oneroster.bundle import FileMode, RecordKind, Status
from trellis.roster.actions_import_run import ImportRun
from trellis.roster.import_mapping import DELETE_ORDER, KIND_MODELS, LOOKUP_BATCH, chunks
from trellis.roster.import_report import COUNT_LABELS, KindCounts
from trellis.roster.models import Enrollment, LearnerGroup, StudentDemographics


def delete_pass(run: ImportRun) -> None:
    """Delete first, dependents before what they depend on, so that every deletion is
    counted under its own kind (not hidden in a cascade) and freed (class, person, role)
    slots can be reused by rows of the same import.

    Bulk files delete the district's roster-managed rows they do not list; delta files
    delete their ``tobedeleted`` rows. People are the exception: they are deactivated
    (:func:`deactivate`), and people already deactivated are not counted again.
    """
    for kind in DELETE_ORDER:
        if not run.present(kind):
            continue
        if kind is RecordKind.DEMOGRAPHICS and not run.include_demographics:
            continue
        model = KIND_MODELS[kind]
        key = "user__sourced_id" if kind is RecordKind.DEMOGRAPHICS else "sourced_id"
        rows: Any = model._default_manager.filter(  # type: ignore[attr-defined]
            district=run.district
        )
        if kind in (RecordKind.USERS, RecordKind.ROLES, RecordKind.ENROLLMENTS):
            rows = rows.exclude(sourced_id="")  # made by hand in Trellis: not ours
        if kind is RecordKind.USERS:
            rows = rows.filter(deactivated_at__isnull=True)  # already: not counted again
        records = run.bundle.records(kind)
        leaving = {r.sourced_id for r in records if r.status is Status.TOBEDELETED}
        leaving.discard(run.district.sourced_id)
        doomed: list[int] = []
        if run.mode(kind) is FileMode.BULK:
            keep = {r.sourced_id for r in records if r.status is not Status.TOBEDELETED}
            for pk, sourced_id in rows.values_list("pk", key).iterator(chunk_size=5000):
                if sourced_id not in keep:
                    doomed.append(pk)
        else:
            for wanted in chunks(sorted(leaving), LOOKUP_BATCH):
                doomed.extend(
                    rows.filter(**{f"{key}__in": wanted}).values_list("pk", flat=True)
                )
        counts = run.counts.setdefault(kind.value, KindCounts())
        if run.mode(kind) is FileMode.DELTA:
            counts.unchanged += len(leaving) - len(doomed)  # already gone
        if kind is RecordKind.USERS:
            counts.deactivated += len(doomed)
            deactivate(run, doomed)
            continue
        counts.deleted += len(doomed)
        for chunk in chunks(doomed, LOOKUP_BATCH):
            model._default_manager.filter(pk__in=chunk).delete()  # type: ignore[attr-defined]
        if doomed:
            run.advance(f"Deleting {COUNT_LABELS[kind.value].lower()}", len(doomed))


def deactivate(run: ImportRun, pks: Sequence[int]) -> None:
    """Deactivate these people: they keep their row and everything hanging off it
    (evidence, mastery, plans, diagnostic sessions, audit events) but can no longer sign
    in, and what ties them to the roster goes — primary school, role assignments,
    enrollments, guardian and coaching links, demographics, and the learner groups of the
    classes they leave — as a deletion would have removed it. Those removals are counted
    under their own kinds (group memberships are not a roster kind). Batched: a few
    statements per :data:`LOOKUP_BATCH` people, none per person."""
    if not pks:
        return
    now = timezone.now()
    removed: dict[str, int] = defaultdict(int)
    ties: tuple[tuple[str, type[models.Model], str], ...] = (
        ("roles", RoleAssignment, "user_id"),
        ("enrollments", Enrollment, "user_id"),
        ("guardianLinks", GuardianLink, "guardian_id"),
        ("guardianLinks", GuardianLink, "student_id"),
        ("coachingLinks", CoachingLink, "coach_id"),
        ("coachingLinks", CoachingLink, "teacher_id"),
        ("demographics", StudentDemographics, "user_id"),
    )
    for chunk in chunks(pks, LOOKUP_BATCH):
        User.objects.filter(pk__in=chunk).update(
            is_active=False, deactivated_at=now, school=None
        )
        for label, model, column in ties:
            manager: Any = model._default_manager  # type: ignore[attr-defined]
            _total, per_model = manager.filter(**{f"{column}__in": chunk}).delete()
            removed[label] += per_model.get(model._meta.label, 0)
        LearnerGroup.members.through.objects.filter(user_id__in=chunk).delete()
    for label, count in removed.items():
        if count:
            run.counts.setdefault(label, KindCounts()).deleted += count
    run.advance("Deactivating people", len(pks))
