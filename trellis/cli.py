"""The ``trellis`` command line.

``trellis demo`` runs the demo district, ``trellis serve`` the server, ``trellis manage ...``
any Django management command; each area adds its own sub-commands (``framework``,
``learner``, ``roster``, ``plan``, ...) from a module in :mod:`trellis.commands`.
"""

from __future__ import annotations

import argparse
import importlib
import sys
from collections.abc import Sequence

# Modules in trellis.commands that contribute sub-commands, in help order.
COMMAND_MODULES = [
    "platform",
    "learner",
    "learner_platform",  # adds `learner refit` (after "learner", whose group it joins)
    "framework",
    "content",
    "roster",
    "plan",
    "diagnostic",
    "schedule",
    "backup",  # backup and restore
]


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="trellis",
        description="Trellis: personalized learning for school districts.",
    )
    subparsers = parser.add_subparsers(dest="command", metavar="COMMAND")
    subparsers.required = True
    for name in COMMAND_MODULES:
        try:
            module = importlib.import_module(f"trellis.commands.{name}")
        except ModuleNotFoundError as exc:
            if exc.name == f"trellis.commands.{name}":
                continue  # an area not installed yet
            raise
        module.register(subparsers)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    # `trellis manage ...` passes everything after it to Django untouched.
    if argv[:1] == ["manage"]:
        from trellis.commands.platform import run_manage

        return run_manage(argv[1:])
    parser = build_parser()
    args = parser.parse_args(argv)
    return int(args.func(args) or 0)


if __name__ == "__main__":
    sys.exit(main())
