"""Who runs a command that changes data: the ``--as USERNAME`` option of audited commands.

A command that writes (``trellis learner refit``, ``trellis schedule solve``, ``trellis diagnostic
calibrate``) is audited like the same change made on a page. The operator may name their own
Trellis account with ``--as USERNAME``: the audit log then shows that person as the actor, and
the account must be allowed to make the change on a page (the command checks it). Without
``--as`` the actor is recorded as the system — there is no Trellis account to name, and
borrowing someone else's would be a lie — and the entry says where it came from.

Either way the entry's details carry ``{"via": "cli", "os_user": ...}``: the operating-system
user who ran the command.
"""

from __future__ import annotations

import argparse
import getpass
from typing import Any


def add_operator_option(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--as", dest="operator", metavar="USERNAME", default=None,
        help="your Trellis account: the audit log names it as who did this (default: "
             "recorded as the system, with your operating-system user name)")


def os_user() -> str:
    try:
        return getpass.getuser()
    except (OSError, KeyError, ImportError):  # no login name (a bare container...)
        return "unknown"


def cli_details() -> dict[str, Any]:
    """What an audit entry of a command says about where it came from."""
    return {"via": "cli", "os_user": os_user()}


def operator_of(args: argparse.Namespace) -> Any:
    """The active account named by ``--as`` (``None`` when it was not given); raises
    :class:`LookupError` with a message for people when there is no such active account.
    The caller checks the account may do what the command does."""
    from trellis.accounts.models import User

    username = getattr(args, "operator", None)
    if not username:
        return None
    user = User.objects.filter(username=username, is_active=True).first()
    if user is None:
        raise LookupError(f"--as {username}: no active Trellis account with that username")
    return user
