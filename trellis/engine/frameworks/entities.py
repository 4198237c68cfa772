"""The objects of a CASE framework: one document, its items, and associations between them.

CASE (1EdTech Competencies and Academic Standards Exchange) publishes a framework as a
**CFDocument** (the framework itself: title, creator, licence), a flat list of **CFItems** (every
grade, domain, cluster, standard and sub-standard, each with a UUID ``identifier``, its text
``fullStatement`` and usually a ``humanCodingScheme`` such as ``4.NF.B.3a``) and a list of
**CFAssociations** that give the list its shape. An association reads "origin *type*
destination":

- ``A isChildOf B`` builds the outline: B is A's parent (the document is the root);
- ``A precedes B`` says A is taught before B, i.e. **A is a prerequisite of B**;
- ``isRelatedTo`` links two items without direction; ``exactMatchOf`` says two items (often in
  different frameworks) are the same standard; the other CASE 1.0 types (``isPeerOf``,
  ``isPartOf``, ``replacedBy``, ``exemplar``, ``hasSkillLevel``) are kept as they are.

The classes here are frozen dataclasses mirroring the CASE fields in Python names; their
values are already normalised (date-times are timezone-aware ``datetime``s, list-or-string
fields are tuples), so two packages that say the same thing compare equal. Fields a publisher
added beyond CASE 1.0 are kept in ``extensions`` and do not take part in comparisons.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date, datetime
from enum import StrEnum
from typing import Any


class AssociationType(StrEnum):
    """The CASE 1.0 association types (CASE 1.1 adds ``isTranslationOf`` and extensions)."""

    IS_CHILD_OF = "isChildOf"
    IS_PEER_OF = "isPeerOf"
    IS_PART_OF = "isPartOf"
    EXACT_MATCH_OF = "exactMatchOf"
    PRECEDES = "precedes"
    IS_RELATED_TO = "isRelatedTo"
    REPLACED_BY = "replacedBy"
    EXEMPLAR = "exemplar"
    HAS_SKILL_LEVEL = "hasSkillLevel"


class ItemKind(StrEnum):
    """What an item is in the outline, read from the publisher's free-text ``CFItemType``.

    Publishers spell item types many ways ("Grade Level", "Content Standard", "Sub-standard",
    "Student Expectation"), so the kind is a coarse, normalised reading of that text; the
    original text stays in :attr:`FrameworkItem.item_type`.
    """

    GRADE = "grade"
    DOMAIN = "domain"
    CLUSTER = "cluster"
    STANDARD = "standard"
    COMPONENT = "component"
    OTHER = "other"


# Checked in this order: "sub-standard" must win over "standard", "standard cluster" is a cluster.
_KIND_PATTERNS: tuple[tuple[ItemKind, tuple[str, ...]], ...] = (
    (ItemKind.GRADE, ("grade",)),
    (ItemKind.COMPONENT, ("substandard", "component", "element", "subskill")),
    (ItemKind.CLUSTER, ("cluster",)),
    (ItemKind.DOMAIN, ("domain", "strand", "category")),
    (
        ItemKind.STANDARD,
        (
            "standard",
            "benchmark",
            "indicator",
            "expectation",
            "objective",
            "competency",
            "skill",
            "learningtarget",
        ),
    ),
)


def classify_item_type(item_type: str | None) -> ItemKind:
    """Map a publisher's ``CFItemType`` text to an :class:`ItemKind` (``OTHER`` if unknown).

    >>> classify_item_type("Grade Level"), classify_item_type("Sub-Standard")
    (<ItemKind.GRADE: 'grade'>, <ItemKind.COMPONENT: 'component'>)
    """
    if not item_type:
        return ItemKind.OTHER
    letters = re.sub(r"[^a-z]", "", item_type.lower())
    for kind, patterns in _KIND_PATTERNS:
        if any(pattern in letters for pattern in patterns):
            return kind
    return ItemKind.OTHER


@dataclass(frozen=True)
class LinkRef:
    """A CASE reference (``LinkURI`` / ``LinkGenURI``): identifier, URI and a human title.

    An association endpoint's identifier need not be a UUID of this package: it may name an
    item of another framework.
    """

    identifier: str
    uri: str
    title: str = ""


DateOrDateTime = date | datetime


@dataclass(frozen=True)
class FrameworkDocument:
    """The CFDocument: the framework as a whole."""

    identifier: str
    uri: str
    creator: str
    title: str
    last_change_date_time: datetime
    official_source_url: str | None = None
    publisher: str | None = None
    description: str | None = None
    subject: tuple[str, ...] = ()
    subject_uri: tuple[LinkRef, ...] = ()
    language: str | None = None
    version: str | None = None
    adoption_status: str | None = None
    status_start_date: DateOrDateTime | None = None
    status_end_date: DateOrDateTime | None = None
    license_uri: LinkRef | None = None
    notes: str | None = None
    package_uri: LinkRef | None = None
    extensions: Mapping[str, Any] = field(default_factory=dict, compare=False, hash=False)

    @property
    def ref(self) -> LinkRef:
        return LinkRef(self.identifier, self.uri, self.title)


@dataclass(frozen=True)
class FrameworkItem:
    """A CFItem: one grade, domain, cluster, standard or sub-standard of the framework."""

    identifier: str
    uri: str
    full_statement: str
    last_change_date_time: datetime
    human_coding_scheme: str | None = None
    list_enumeration: str | None = None
    abbreviated_statement: str | None = None
    alternative_label: str | None = None
    item_type: str | None = None
    item_type_uri: LinkRef | None = None
    concept_keywords: tuple[str, ...] = ()
    concept_keywords_uri: LinkRef | None = None
    education_level: tuple[str, ...] = ()
    language: str | None = None
    license_uri: LinkRef | None = None
    status_start_date: DateOrDateTime | None = None
    status_end_date: DateOrDateTime | None = None
    notes: str | None = None
    document_uri: LinkRef | None = None
    extensions: Mapping[str, Any] = field(default_factory=dict, compare=False, hash=False)

    @property
    def code(self) -> str | None:
        """The human coding scheme (``4.NF.B.3a``), or None when the publisher gave none."""
        return self.human_coding_scheme or None

    @property
    def type_label(self) -> str | None:
        """The item type as written: ``CFItemType``, else the title of ``CFItemTypeURI``."""
        if self.item_type:
            return self.item_type
        return self.item_type_uri.title if self.item_type_uri else None

    @property
    def kind(self) -> ItemKind:
        return classify_item_type(self.type_label)

    @property
    def label(self) -> str:
        """A short display text: the abbreviated statement if any, else the full one."""
        return self.abbreviated_statement or self.full_statement

    @property
    def ref(self) -> LinkRef:
        return LinkRef(self.identifier, self.uri, self.code or self.label)


@dataclass(frozen=True)
class FrameworkAssociation:
    """A CFAssociation: "``origin`` *association_type* ``destination``"."""

    identifier: str
    uri: str
    association_type: AssociationType
    origin: LinkRef
    destination: LinkRef
    last_change_date_time: datetime
    sequence_number: int | None = None
    grouping_uri: LinkRef | None = None
    document_uri: LinkRef | None = None
    extensions: Mapping[str, Any] = field(default_factory=dict, compare=False, hash=False)


@dataclass(frozen=True)
class ExternalReference:
    """An association endpoint that lives outside this package (another framework's item).

    Kept rather than refused: real frameworks align to each other (``exactMatchOf`` a Common
    Core standard, ``isRelatedTo`` a state standard). Trellis cannot show the far end, but the
    association survives import and export.
    """

    association_identifier: str
    association_type: AssociationType
    end: str  # "origin" or "destination"
    target: LinkRef
