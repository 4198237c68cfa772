"""Exporting a district's roster as a OneRoster 1.2 bulk zip (audited)."""

from __future__ import annotations

import io
from typing import Any

from django.db import transaction

from trellis.accounts.models import District, User
from trellis.audit.actions import record
from trellis.interop.oneroster.writer import write_roster_zip
from trellis.roster.export_streams import RosterExport


def write_roster_export(
    district: District,
    target: Any,
    *,
    actor: User | None,
    include_demographics: bool = False,
) -> dict[str, int]:
    """Write ``district`` as a OneRoster 1.2 bulk zip to ``target`` (a path or a binary file);
    audited as an export. Returns the records written per file.

    What is exported is what Trellis keeps: roster-managed records (those with a sourcedId);
    columns Trellis does not store (userIds, middle names, phone numbers...) are left blank.
    Deactivated people are left out: a bulk file that omits them deactivates them, which they
    already are, so importing the export changes nothing (a fixed point). Exporting them as
    ``tobedeleted`` rows would say the same thing less simply.
    """
    with transaction.atomic():
        exporter = RosterExport(district, include_demographics)
        counts = write_roster_zip(target, exporter.manifest(), exporter.streams())
        record(
            actor,
            "roster.export",
            district,
            details={"files": counts, "demographics": include_demographics},
        )
    return counts


def do_export_roster(
    district: District, actor: User | None, *, include_demographics: bool = False
) -> bytes:
    """The district's roster as the bytes of a OneRoster 1.2 zip (audited as an export)."""
    buffer = io.BytesIO()
    write_roster_export(district, buffer, actor=actor, include_demographics=include_demographics)
    return buffer.getvalue()
