"""Roster import steps for people: users (created, updated, reactivated), their usernames,
their role assignments, and the role each person gets from them. Each step is a function of
the :class:`ImportRun` and runs inside the import's transaction
(:func:`trellis.roster.actions_import.do_apply_roster_bundle`).

People created by an import get unusable passwords (districts sign in through SSO or set
passwords); the demo seeder sets the demo password on its showcase accounts.
"""

from __future__ import annotations

import secrets
from collections import defaultdict
from collections.abc import Mapping

from trellis.accounts.models import RoleAssignment, User
from trellis.interop.oneroster import bundle as onr
from trellis.interop.oneroster.bundle import RecordKind, RoleType, Status
from trellis.interop.oneroster.errors import IssueCode
from trellis.interop.oneroster.exchange import duplicate_usernames
from trellis.roster.actions_import_run import ImportRun, Values
from trellis.roster.import_mapping import (
    BATCH,
    LOOKUP_BATCH,
    ROLE_PRECEDENCE,
    PrimaryRole,
    chunks,
    map_role,
    to_date,
)
from trellis.roster.import_report import KindCounts


def _unusable_password() -> str:
    # What Django's make_password(None) stores ("!" + random), without 40 calls to
    # secrets.choice per person: an import creates hundreds of thousands of people.
    return "!" + secrets.token_urlsafe(30)


def apply_users(run: ImportRun, roles_by_user: Mapping[str, PrimaryRole]) -> None:
    kind = RecordKind.USERS
    names = (
        "username",
        "first_name",
        "last_name",
        "preferred_name",
        "email",
        "school_id",
        "grade",
        "is_active",
        "deactivated_at",  # None for everyone the file lists: listing reactivates
    )
    existing = run.existing(
        User.objects.filter(district=run.district).exclude(sourced_id=""),
        "sourced_id",
        names,
        run.keys_of(kind),
    )
    was_deactivated = {key for key, (_pk, row) in existing.items() if row[-1] is not None}
    check_usernames(run)
    if run.issues:
        return
    schools = run.pk[RecordKind.ORGS]
    district_id = run.district.pk

    def values(u: onr.User) -> Values | None:
        school = run.org_school(u, "primaryOrgSourcedId", u.primary_org_sourced_id)
        if school is False:
            return None
        if school is None and not u.primary_org_sourced_id:
            role = roles_by_user.get(u.sourced_id)
            school = schools.get(role[2]) if role else None
        return (
            u.username,
            u.given_name[:150],
            u.family_name[:150],
            u.preferred_given_name[:150],
            u.email[:254],
            school,
            u.grades[0] if u.grades else "",
            u.enabled_user is not False,
            None,
        )

    def row(key: str, v: Values) -> Values:
        role = roles_by_user.get(key)
        return (district_id, key, _unusable_password(), role[0] if role else "", *v)

    columns = ("district_id", "sourced_id", "password", "role", *names)
    synced = run.sync(
        "users", User, names, run.bundle.users, existing, values, fast=(columns, row)
    )
    run.users_synced = synced
    reactivated = was_deactivated & synced.updated
    if synced.created or reactivated:
        run.load_people()
    if reactivated:
        people = "1 person" if len(reactivated) == 1 else f"{len(reactivated)} people"
        run.warnings.append(
            f"{people} deactivated earlier {'is' if len(reactivated) == 1 else 'are'} "
            "listed again and reactivated, with their learning history (counted as "
            "updated)."
        )


def check_usernames(run: ImportRun) -> None:
    """Usernames are unique across the whole installation: report every clash.

    A deactivated person keeps their username (so that their history stays theirs when
    they come back): a row that wants it gets a clear problem naming them, not a
    database error.
    """
    in_file = duplicate_usernames(run.bundle.users)  # usernames the file repeats
    run.issues.extend(in_file.issues)
    owner = in_file.owners  # username -> the row that will hold it
    for chunk in chunks(list(owner), LOOKUP_BATCH):
        holders = User.objects.filter(username__in=chunk).values_list(
            "username", "district_id", "sourced_id", "deactivated_at"
        )
        for username, district_id, sourced_id, deactivated_at in holders:
            row = owner[username]
            if district_id == run.district.pk and sourced_id == row.sourced_id:
                continue
            message = f"username {username!r} is already used by another account"
            if district_id == run.district.pk and sourced_id and deactivated_at is not None:
                message = (
                    f"username {username!r} belongs to {sourced_id!r}, who is deactivated "
                    "(no longer on the roster) and keeps their username with their "
                    f"learning history: give this person another username, or list "
                    f"{sourced_id!r} again"
                )
            elif district_id == run.district.pk and sourced_id:
                message += f" ({sourced_id!r}; to swap usernames between people, import twice)"
            run.issue(row, "username", message, IssueCode.DUPLICATE)


def apply_roles(run: ImportRun) -> None:
    kind = RecordKind.ROLES
    names = ("user_id", "role", "school_id", "is_primary", "begin_date", "end_date")
    existing = run.existing(
        RoleAssignment.objects.filter(district=run.district).exclude(sourced_id=""),
        "sourced_id",
        names,
        run.keys_of(kind),
    )
    users = run.pk[RecordKind.USERS]
    district_id = run.district.pk
    unmapped: dict[str, int] = defaultdict(int)
    taken: set[tuple[int, str, int | None]] = set()
    duplicates = 0

    def values(r: onr.Role) -> Values | None:
        nonlocal duplicates
        user = users.get(r.user_sourced_id)
        if user is None:
            run.no_person(r, "userSourcedId", r.user_sourced_id)
            return None
        role = map_role(r.role, r.org_sourced_id, run.district.sourced_id)
        if role is None:
            unmapped[str(r.role)] += 1
            return None
        if r.org_sourced_id in run.other_orgs:
            unmapped[f"{r.role} at a non-school org"] += 1
            return None
        school = run.org_school(r, "orgSourcedId", r.org_sourced_id)
        if school is False:
            return None
        triple = (user, role.value, school)
        if triple in taken:
            duplicates += 1
            return None
        taken.add(triple)
        return (
            user,
            role.value,
            school,
            r.role_type is RoleType.PRIMARY,
            to_date(r.begin_date),
            to_date(r.end_date),
        )

    run.sync(
        "roles",
        RoleAssignment,
        names,
        run.bundle.roles,
        existing,
        values,
        fast=(
            ("district_id", "sourced_id", *names),
            lambda key, v: (district_id, key, *v),
        ),
    )
    for name, count in sorted(unmapped.items()):
        run.warnings.append(
            f"{count} role(s) {name} have no Trellis equivalent and were not imported; "
            "people with only such roles cannot see anything."
        )
    if duplicates:
        run.warnings.append(
            f"{duplicates} role(s) repeat a role the same person already has at the same "
            "org in Trellis terms (e.g. principal and siteAdministrator): kept once."
        )


def derive_user_roles(run: ImportRun) -> None:
    """``User.role`` follows the widest primary role a roster-managed person holds.

    Deactivated people hold no roles but keep the role they had, so that their history
    still reads as a student's (or a teacher's); they are left out of ``user_roles``."""
    best: dict[int, str] = {}
    rank = {role.value: index for index, role in enumerate(ROLE_PRECEDENCE)}
    primaries = RoleAssignment.objects.filter(district=run.district, is_primary=True)
    for user_id, role in primaries.values_list("user_id", "role").iterator(chunk_size=5000):
        current = best.get(user_id)
        if current is None or rank.get(role, 99) < rank.get(current, 99):
            best[user_id] = role
    synced = run.users_synced
    file_keys = {u.sourced_id for u in run.bundle.users if u.status is not Status.TOBEDELETED}
    counts = run.counts.setdefault("users", KindCounts())
    run.user_roles = {}
    changes = []
    people = User.objects.filter(district=run.district).values_list(
        "pk", "role", "sourced_id", "deactivated_at"
    )
    for pk, role, sourced_id, deactivated_at in people.iterator(chunk_size=5000):
        if deactivated_at is not None:
            continue
        want = best.get(pk, "") if sourced_id else role
        run.user_roles[pk] = want
        if want == role:
            continue
        changes.append(User(pk=pk, role=want))
        if sourced_id in synced.created or sourced_id in synced.updated:
            continue
        counts.updated += 1
        if sourced_id in file_keys:
            counts.unchanged -= 1
    for chunk in chunks(changes, BATCH):
        User.objects.bulk_update(chunk, ["role"])
