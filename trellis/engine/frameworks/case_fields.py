"""How each CASE JSON field maps to a Python attribute, both ways.

One table per object type lists ``(JSON name, attribute, codec)``; the importer decodes with
it and the exporter encodes with it, so the two can never disagree about a field. A codec
normalises on the way in (a ``"KG"`` string and a ``["KG"]`` list are the same education
level; a date-time without a zone is read as UTC) and writes the strict form on the way out
(lists are lists, date-times are RFC 3339, nothing is ``null``).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import Any

from trellis.engine.frameworks.entities import AssociationType, LinkRef


@dataclass(frozen=True)
class Codec:
    decode: Callable[[Any], Any]
    encode: Callable[[Any], Any]


def _decode_date_time(value: str) -> datetime:
    parsed = datetime.fromisoformat(value.strip())
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)


def _encode_date_time(value: datetime) -> str:
    return value.isoformat()


def _decode_date_or_date_time(value: str) -> date | datetime:
    try:
        return date.fromisoformat(value.strip())
    except ValueError:
        return _decode_date_time(value)


def _decode_link(value: Mapping[str, Any]) -> LinkRef:
    return LinkRef(identifier=value["identifier"], uri=value["uri"], title=value.get("title") or "")


def _encode_link(value: LinkRef) -> dict[str, str]:
    return {"title": value.title, "identifier": value.identifier, "uri": value.uri}


def _decode_texts(value: str | list[str]) -> tuple[str, ...]:
    return (value,) if isinstance(value, str) else tuple(value)


def _decode_codes(value: str | list[str]) -> tuple[str, ...]:
    """Education levels: some publishers write ``"09,10,11,12"`` instead of a list."""
    parts = value.split(",") if isinstance(value, str) else value
    return tuple(part.strip() for part in parts if part.strip())


def _identity(value: Any) -> Any:
    return value


TEXT = Codec(_identity, _identity)
INTEGER = Codec(int, _identity)
DATE_TIME = Codec(_decode_date_time, _encode_date_time)
DATE = Codec(_decode_date_or_date_time, lambda value: value.isoformat())
LINK = Codec(_decode_link, _encode_link)
LINKS = Codec(
    lambda value: tuple(_decode_link(v) for v in value),
    lambda value: [_encode_link(v) for v in value],
)
TEXTS = Codec(_decode_texts, list)
CODES = Codec(_decode_codes, list)
ASSOCIATION_TYPE = Codec(AssociationType, str)

FieldTable = tuple[tuple[str, str, Codec], ...]

DOCUMENT_FIELDS: FieldTable = (
    ("identifier", "identifier", TEXT),
    ("uri", "uri", TEXT),
    ("creator", "creator", TEXT),
    ("title", "title", TEXT),
    ("lastChangeDateTime", "last_change_date_time", DATE_TIME),
    ("officialSourceURL", "official_source_url", TEXT),
    ("publisher", "publisher", TEXT),
    ("description", "description", TEXT),
    ("subject", "subject", TEXTS),
    ("subjectURI", "subject_uri", LINKS),
    ("language", "language", TEXT),
    ("version", "version", TEXT),
    ("adoptionStatus", "adoption_status", TEXT),
    ("statusStartDate", "status_start_date", DATE),
    ("statusEndDate", "status_end_date", DATE),
    ("licenseURI", "license_uri", LINK),
    ("notes", "notes", TEXT),
    ("CFPackageURI", "package_uri", LINK),
)

ITEM_FIELDS: FieldTable = (
    ("identifier", "identifier", TEXT),
    ("uri", "uri", TEXT),
    ("fullStatement", "full_statement", TEXT),
    ("lastChangeDateTime", "last_change_date_time", DATE_TIME),
    ("humanCodingScheme", "human_coding_scheme", TEXT),
    ("listEnumeration", "list_enumeration", TEXT),
    ("abbreviatedStatement", "abbreviated_statement", TEXT),
    ("alternativeLabel", "alternative_label", TEXT),
    ("CFItemType", "item_type", TEXT),
    ("CFItemTypeURI", "item_type_uri", LINK),
    ("conceptKeywords", "concept_keywords", TEXTS),
    ("conceptKeywordsURI", "concept_keywords_uri", LINK),
    ("educationLevel", "education_level", CODES),
    ("language", "language", TEXT),
    ("licenseURI", "license_uri", LINK),
    ("statusStartDate", "status_start_date", DATE),
    ("statusEndDate", "status_end_date", DATE),
    ("notes", "notes", TEXT),
    ("CFDocumentURI", "document_uri", LINK),
)

ASSOCIATION_FIELDS: FieldTable = (
    ("identifier", "identifier", TEXT),
    ("uri", "uri", TEXT),
    ("associationType", "association_type", ASSOCIATION_TYPE),
    ("originNodeURI", "origin", LINK),
    ("destinationNodeURI", "destination", LINK),
    ("lastChangeDateTime", "last_change_date_time", DATE_TIME),
    ("sequenceNumber", "sequence_number", INTEGER),
    ("CFAssociationGroupingURI", "grouping_uri", LINK),
    ("CFDocumentURI", "document_uri", LINK),
)


def decode_fields(raw: Mapping[str, Any], table: FieldTable) -> dict[str, Any]:
    """Constructor arguments from a schema-valid JSON object; unknown keys go to extensions.

    ``null`` means absent (the schema allows it for several optional fields).
    """
    known = {json_name for json_name, _, _ in table}
    arguments = {
        attribute: codec.decode(raw[json_name])
        for json_name, attribute, codec in table
        if raw.get(json_name) is not None
    }
    arguments["extensions"] = {key: value for key, value in raw.items() if key not in known}
    return arguments


def encode_fields(entity: Any, table: FieldTable) -> dict[str, Any]:
    """The strict JSON object for an entity: absent and empty optional fields are omitted."""
    out: dict[str, Any] = {}
    for json_name, attribute, codec in table:
        value = getattr(entity, attribute)
        if value is None or value == ():
            continue
        out[json_name] = codec.encode(value)
    return out


def normalise_stamps(value: Any) -> Any:
    """CFDefinitions and CFRubrics are kept as the JSON they came in, except that their
    ``lastChangeDateTime`` values are rewritten in RFC 3339 (they may arrive in a looser ISO
    8601 spelling), so what is stored is already what is exported."""
    if isinstance(value, Mapping):
        return {
            key: (
                DATE_TIME.encode(DATE_TIME.decode(item))
                if key == "lastChangeDateTime" and isinstance(item, str)
                else normalise_stamps(item)
            )
            for key, item in value.items()
        }
    if isinstance(value, list):
        return [normalise_stamps(item) for item in value]
    return value
