"""Sub-commands of the ``trellis`` command line, one module per area.

Each module exposes ``register(subparsers)`` that adds its parser(s) and sets
``func=handler`` on them; :mod:`trellis.cli` lists the modules in ``COMMAND_MODULES``.
A handler takes the parsed ``argparse.Namespace`` and returns the process exit code.
Handlers that need the database call :func:`trellis.commands.django_setup` first; pure
commands (for example ``trellis learner evaluate``) never start Django.
"""

from __future__ import annotations

import os
from typing import Any


def django_setup(settings_module: str = "trellis.settings.dev") -> None:
    """Start Django for a command that needs the database (idempotent)."""
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", settings_module)
    import django

    django.setup()


def resolve_district(sourced_id: str | None, *, required: bool = True) -> Any:
    """The district a command acts on: the one named by ``--district SOURCED_ID``, or the only
    district in the database. Raises :class:`LookupError` with a message for people when the
    name is unknown, or when none was named and there is not exactly one district. With
    ``required=False`` an unnamed district is ``None`` (the command finds it elsewhere, as a
    roster import does from its file)."""
    from trellis.accounts.models import District

    if sourced_id:
        district = District.objects.filter(sourced_id=sourced_id).first()
        if district is None:
            known = ", ".join(District.objects.values_list("sourced_id", flat=True)) or "none"
            raise LookupError(f"no district with sourcedId {sourced_id!r} (known: {known})")
        return district
    if not required:
        return None
    districts = list(District.objects.all()[:2])
    if len(districts) != 1:
        raise LookupError(
            "no district yet: load a roster or run `trellis seed-demo` first"
            if not districts
            else "several districts: say which with --district SOURCED_ID"
        )
    return districts[0]
