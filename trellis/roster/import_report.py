"""What a roster import did (or, for a dry run, would do): :class:`ApplyReport`.

The counts are kept per OneRoster kind of record (:class:`KindCounts`), in the order a district
administrator reads them (:data:`COUNT_LABELS`); the problems are the parser's and
validator's :class:`~trellis.interop.oneroster.errors.RosterIssue` objects, each naming its
file, line and column. The upload page keeps :meth:`ApplyReport.as_dict` as its job's result;
the command line prints :meth:`ApplyReport.table`.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from trellis.interop.oneroster.bundle import IgnoredFile
from trellis.interop.oneroster.errors import RosterIssue

# Report lines, in the order a district admin reads them.
COUNT_LABELS = {
    "orgs": "Schools and district",
    "academicSessions": "Academic sessions",
    "courses": "Courses",
    "classes": "Classes",
    "users": "People",
    "roles": "Roles",
    "guardianLinks": "Guardian links",
    "coachingLinks": "Coaching links",
    "enrollments": "Enrollments",
    "demographics": "Demographics",
}


@dataclass
class KindCounts:
    created: int = 0
    updated: int = 0
    deleted: int = 0
    unchanged: int = 0
    deactivated: int = 0  # people only: kept with their history, no longer signing in

    @property
    def changed(self) -> int:
        return self.created + self.updated + self.deleted + self.deactivated


@dataclass(frozen=True)
class ApplyReport:
    """What an import did (or, for a dry run, would do), and every problem found.

    ``applied`` is true only when the changes were committed. ``issues`` are errors (nothing
    was changed when there are any); ``warnings`` are things imported differently than the
    file says, or not at all, that do not stop the import.
    """

    dry_run: bool
    applied: bool
    district_name: str = ""
    district_sourced_id: str = ""
    counts: Mapping[str, KindCounts] = field(default_factory=dict)
    issues: tuple[RosterIssue, ...] = ()
    warnings: tuple[str, ...] = ()
    modes: Mapping[str, str] = field(default_factory=dict)
    ignored_files: tuple[IgnoredFile, ...] = ()
    source_name: str = ""
    seconds: float = 0.0

    @property
    def ok(self) -> bool:
        return not self.issues

    @property
    def changed(self) -> bool:
        return any(counts.changed for counts in self.counts.values())

    @property
    def headline(self) -> str:
        """One sentence for people: what happened."""
        if self.issues:
            return (
                f"{len(self.issues)} problem(s) found: nothing was changed. "
                "Fix the file and check it again."
            )
        if not self.changed:
            return "No changes: the database already matches this file."
        if self.dry_run:
            return "The file is valid. Nothing has changed yet: apply it to make these changes."
        return "Import applied: the roster now matches this file."

    def as_dict(self, max_issues: int | None = 1000) -> dict[str, Any]:
        """JSON-ready form (the upload page keeps it on the job row)."""
        shown = self.issues if max_issues is None else self.issues[:max_issues]
        return {
            "dry_run": self.dry_run,
            "applied": self.applied,
            "headline": self.headline,
            "district_name": self.district_name,
            "district_sourced_id": self.district_sourced_id,
            "counts": {
                kind: {
                    "created": c.created,
                    "updated": c.updated,
                    "deleted": c.deleted,
                    "unchanged": c.unchanged,
                    "deactivated": c.deactivated,
                }
                for kind, c in self.counts.items()
            },
            "issues": [issue.as_dict() for issue in shown],
            "issue_count": len(self.issues),
            "warnings": list(self.warnings),
            "modes": dict(self.modes),
            "ignored_files": [{"name": f.name, "reason": f.reason} for f in self.ignored_files],
            "source_name": self.source_name,
            "seconds": round(self.seconds, 2),
        }

    @property
    def deactivated(self) -> int:
        """People deactivated (dry run: to be deactivated), their learning history kept."""
        users = self.counts.get("users")
        return users.deactivated if users is not None else 0

    def table(self) -> str:
        """The counts as an aligned text table (for the command line)."""
        header = f"{'':22} {'created':>9} {'updated':>9} {'deleted':>9} {'unchanged':>10}"
        lines = [f"{header} {'deactivated':>12}"]
        for kind, c in self.counts.items():
            label = COUNT_LABELS.get(kind, kind)
            lines.append(
                f"{label:22} {c.created:>9} {c.updated:>9} {c.deleted:>9} {c.unchanged:>10}"
                f" {c.deactivated:>12}"
            )
        return "\n".join(lines)

    @property
    def deactivation_note(self) -> str:
        """A sentence about the people this import deactivates ("" when none)."""
        n = self.deactivated
        if not n:
            return ""
        people = "1 person" if n == 1 else f"{n} people"
        verb = "will be" if self.dry_run else "were"
        return (
            f"{people} {verb} deactivated: the file no longer lists them, so they can no longer "
            "sign in and leave their classes, but their learning history is kept, and a later "
            "file that lists them again brings them back."
        )
