"""Demo content for frameworks: the Common Core math Coherence Map.

:func:`seed_frameworks` imports the CASE package that ships in the shared data folder through
the same importer a district administrator uses (:func:`~trellis.frameworks.actions.
do_import_framework`), so the demo exercises the real path. The folder is found next to the
repository (``../shared``) or wherever ``TRELLIS_SHARED_DIR`` points.

Attribution (keep it wherever the framework is shown): standards text © 2010 NGA Center/CCSSO,
public licence; prerequisite and related links from Achieve the Core's Coherence Map, CC0.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from django.conf import settings

from trellis.accounts.models import District
from trellis.frameworks.actions import FrameworkImportReport, do_import_framework

COHERENCE_PACKAGE = Path(
    "data", "standards", "ccssm-coherence", "ccssm_coherence_case_package.json.gz"
)


class FrameworkDemoError(RuntimeError):
    """The demo framework cannot be imported (the shared data is missing or invalid)."""


def shared_dir() -> Path:
    """The shared public-data folder (``settings.SHARED_DIR``, set by TRELLIS_SHARED_DIR)."""
    return Path(settings.SHARED_DIR)


def coherence_package_path() -> Path:
    path = shared_dir() / COHERENCE_PACKAGE
    if not path.is_file():
        raise FrameworkDemoError(
            f"the Common Core Coherence Map package is missing: expected {path}. Put the "
            "shared data folder next to the repository or set TRELLIS_SHARED_DIR."
        )
    return path


def seed_frameworks(
    district: District, progress: Callable[[str], object] | None = None
) -> FrameworkImportReport:
    """Import the Coherence Map into ``district`` (a second run updates it in place)."""
    say = progress or (lambda message: None)
    path = coherence_package_path()
    say(f"Importing the Common Core math Coherence Map from {path.name}…")
    report = do_import_framework(district, path)
    if not report.ok:
        raise FrameworkDemoError("\n".join(report.lines()))
    summary = report.summary
    assert summary is not None  # noqa: S101 - an ok report has one
    say(
        f"Framework: {summary.standards} standards, {summary.prerequisite_edges} prerequisite "
        f"links ({report.items.created} items new, {report.items.updated} updated)."
    )
    return report
