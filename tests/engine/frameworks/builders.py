"""Small CASE packages for tests, written the way a publisher would write them.

Identifiers are UUID 5 of readable names, so tests say ``builder.id("4.NF.B.3")`` rather than
pasting UUIDs, and every build of the same package is byte-for-byte the same.
"""

from __future__ import annotations

import uuid
from pathlib import Path
from typing import Any

import pytest

NAMESPACE = uuid.UUID("5a1c8a0e-2f4e-4c4a-9a49-0d8b5f6b1e11")
STAMP = "2026-01-01T00:00:00+00:00"
BASE = "https://case.example.org/ims/case/v1p0"


def data_dir() -> Path:
    """``../shared/data`` next to the repository; skip the test when it is not there."""
    path = Path(__file__).resolve().parents[3] / ".." / "shared" / "data"
    if not path.is_dir():
        pytest.skip("shared data directory is absent")
    return path


def demo_package_path() -> Path:
    path = data_dir() / "standards" / "ccssm-coherence" / "ccssm_coherence_case_package.json.gz"
    if not path.is_file():
        pytest.skip("CCSSM Coherence Map CASE package is absent")
    return path


def uid(name: str) -> str:
    return str(uuid.uuid5(NAMESPACE, name))


class PackageBuilder:
    """Builds a CFPackage dict: a document, items in an outline, and associations."""

    def __init__(self, title: str = "Test framework") -> None:
        self.title = title
        self.document_id = uid("document:" + title)
        self.items: list[dict[str, Any]] = []
        self.associations: list[dict[str, Any]] = []

    def id(self, code: str) -> str:
        return uid("item:" + code)

    def ref(self, code: str) -> dict[str, str]:
        if code == "DOC":
            return self.document_ref()
        return {
            "title": code,
            "identifier": self.id(code),
            "uri": f"{BASE}/CFItems/{self.id(code)}",
        }

    def document_ref(self) -> dict[str, str]:
        return {
            "title": self.title,
            "identifier": self.document_id,
            "uri": f"{BASE}/CFDocuments/{self.document_id}",
        }

    def item(
        self,
        code: str,
        item_type: str | None = "Standard",
        parent: str = "DOC",
        levels: list[str] | str | None = None,
        **fields: Any,
    ) -> dict[str, Any]:
        """Add an item (and its isChildOf link to ``parent``, a code or ``"DOC"``)."""
        raw: dict[str, Any] = {
            "identifier": self.id(code),
            "uri": f"{BASE}/CFItems/{self.id(code)}",
            "fullStatement": f"Statement of {code}",
            "humanCodingScheme": code,
            "lastChangeDateTime": STAMP,
        }
        if item_type is not None:
            raw["CFItemType"] = item_type
        if levels is not None:
            raw["educationLevel"] = levels
        raw.update(fields)
        self.items.append(raw)
        if parent:
            self.associate("isChildOf", code, parent)
        return raw

    def associate(
        self, association_type: str, origin: str, destination: str, **fields: Any
    ) -> dict[str, Any]:
        name = f"association:{origin}:{association_type}:{destination}:{len(self.associations)}"
        raw: dict[str, Any] = {
            "identifier": uid(name),
            "associationType": association_type,
            "uri": f"{BASE}/CFAssociations/{uid(name)}",
            "originNodeURI": self.ref(origin),
            "destinationNodeURI": self.ref(destination),
            "lastChangeDateTime": STAMP,
            "sequenceNumber": len(self.associations) + 1,
        }
        raw.update(fields)
        self.associations.append(raw)
        return raw

    def precedes(self, prerequisite: str, dependent: str) -> dict[str, Any]:
        return self.associate("precedes", prerequisite, dependent)

    def build(self) -> dict[str, Any]:
        return {
            "CFDocument": {
                "identifier": self.document_id,
                "uri": f"{BASE}/CFDocuments/{self.document_id}",
                "creator": "Trellis tests",
                "title": self.title,
                "lastChangeDateTime": STAMP,
                "subject": ["Mathematics"],
                "language": "en",
                "adoptionStatus": "Draft",
            },
            "CFItems": self.items,
            "CFAssociations": self.associations,
        }


def fractions_framework() -> PackageBuilder:
    """Grade 3 and 4 fractions: an outline of grade > domain > cluster > standard > component
    and a prerequisite chain 3.NF.A.1 -> 3.NF.A.2 -> 4.NF.B.3 (-> 4.NF.B.3a)."""
    b = PackageBuilder("Fractions")
    b.item("3", "Grade Level", levels=["03"])
    b.item("3.NF", "Domain", parent="3", levels=["03"])
    b.item("3.NF.A", "Cluster", parent="3.NF", levels=["03"])
    b.item("3.NF.A.1", "Standard", parent="3.NF.A", levels=["03"])
    b.item("3.NF.A.2", "Standard", parent="3.NF.A", levels=["03"])
    b.item("4", "Grade Level", levels=["04"])
    b.item("4.NF", "Domain", parent="4", levels=["04"])
    b.item("4.NF.B", "Cluster", parent="4.NF", levels=["04"])
    b.item("4.NF.B.3", "Standard", parent="4.NF.B", levels=["04"])
    b.item("4.NF.B.3a", "Component", parent="4.NF.B.3", levels=["04"])
    b.precedes("3.NF.A.1", "3.NF.A.2")
    b.precedes("3.NF.A.2", "4.NF.B.3")
    b.precedes("4.NF.B.3", "4.NF.B.3a")
    b.associate("isRelatedTo", "3.NF.A.1", "4.NF.B.3a")
    return b
