"""Checks of an exchange as a whole that an importer makes before it touches its database.

:func:`.validation.validate_bundle` checks records against each other; the checks here answer
the questions an importer asks next, still without a database:

* **Which district is this exchange for?** (:func:`exchange_district`) One exchange is one
  tenant: exactly one live org of type ``district``, never deleted, and — when the caller
  imports into a district it already chose — that very district.
* **Is a username used twice?** (:func:`duplicate_usernames`) The importer then asks its own
  store who else holds the usernames left (:class:`UsernameOwners`).
* **In what order are problems read?** (:func:`issue_order`) The archive first, then the
  manifest, then the files in the order the binding lists them, each by line.

Everything comes back as :class:`~.errors.RosterIssue` objects, never as exceptions.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import NamedTuple

from .bundle import Org, OrgType, RecordKind, RosterBundle, Status, User
from .errors import IssueCode, RosterIssue


class DistrictRef(NamedTuple):
    """The district a caller imports into, as the exchange would name it."""

    sourced_id: str
    name: str


def exchange_district(
    bundle: RosterBundle, into: DistrictRef | None
) -> tuple[Org | None, list[RosterIssue]]:
    """The exchange's district org (``None`` when it names none) and every problem with it.

    ``into``: the district the caller imports into, or ``None`` to take the one the exchange
    names (then the exchange must name one).
    """
    issues: list[RosterIssue] = []
    orgs = [o for o in bundle.orgs if o.type is OrgType.DISTRICT]
    for doomed in orgs:
        if doomed.status is Status.TOBEDELETED:
            issues.append(
                RosterIssue(
                    IssueCode.REFERENCE,
                    "an import never deletes a district (ask the Trellis operator)",
                    doomed.FILE,
                    doomed.line,
                    "status",
                    doomed.sourced_id,
                )
            )
    live = [o for o in orgs if o.status is not Status.TOBEDELETED]
    for extra in live[1:]:
        issues.append(
            RosterIssue(
                IssueCode.REFERENCE,
                f"one district per exchange: {live[0].sourced_id!r} (line {live[0].line}) "
                "is already the district",
                extra.FILE,
                extra.line,
                "type",
                extra.sourced_id,
            )
        )
    org = live[0] if live else None
    if into is not None:
        if org is not None and org.sourced_id != into.sourced_id:
            issues.append(
                RosterIssue(
                    IssueCode.REFERENCE,
                    f"this file is for the district {org.sourced_id!r} ({org.name}), but you "
                    f"are importing into {into.name} ({into.sourced_id!r})",
                    org.FILE,
                    org.line,
                    "sourcedId",
                    org.sourced_id,
                )
            )
    elif org is None and not issues:
        issues.append(
            RosterIssue(
                IssueCode.REFERENCE,
                "the exchange has no org of type district: Trellis needs its district "
                "(or name the district to import into)",
                RecordKind.ORGS.file_name,
            )
        )
    return org, issues


class UsernameOwners(NamedTuple):
    """Who should hold each username: the issues of usernames repeated within the exchange,
    and, for the others, the record that is to hold each."""

    issues: list[RosterIssue]
    owners: dict[str, User]


def duplicate_usernames(users: Iterable[User]) -> UsernameOwners:
    """Usernames the exchange gives to two live people (each repeat is an issue naming the
    line of the first); the live records keep the first holder of each username."""
    issues: list[RosterIssue] = []
    first_line: dict[str, int] = {}
    owners: dict[str, User] = {}
    for u in users:
        if u.status is Status.TOBEDELETED:
            continue
        if u.username in first_line:
            issues.append(
                RosterIssue(
                    IssueCode.DUPLICATE,
                    f"username {u.username!r} is already used on line {first_line[u.username]}",
                    u.FILE,
                    u.line,
                    "username",
                    u.sourced_id,
                )
            )
            continue
        first_line[u.username] = u.line
        owners[u.username] = u
    return UsernameOwners(issues, owners)


_FILE_RANK = {"": -2, "manifest.csv": -1} | {kind.file_name: n for n, kind in enumerate(RecordKind)}


def issue_order(issue: RosterIssue) -> tuple[int, int]:
    """Sort key of a report's problems: the archive, the manifest, then each file by line."""
    return (_FILE_RANK.get(issue.file, len(_FILE_RANK)), issue.line or 0)
