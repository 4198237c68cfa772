"""Exporting frameworks to CASE 1.0: strict output, and parse -> export -> parse is lossless."""

from __future__ import annotations

import json
import re
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from jsonschema import Draft7Validator

from tests.engine.frameworks.builders import (
    BASE,
    PackageBuilder,
    demo_package_path,
    fractions_framework,
    uid,
)
from trellis.engine.frameworks import (
    AssociationType,
    CaseValidationError,
    FrameworkPackage,
    encode_association,
    encode_document,
    encode_item,
    export_case_package,
    load_case_package,
    parse_case_package,
)
from trellis.engine.frameworks.schema import case_schema, export_validator, import_validator


def assert_same_framework(first: FrameworkPackage, second: FrameworkPackage) -> None:
    assert second.document == first.document
    assert second.items == first.items
    assert second.associations == first.associations
    assert second == first


def test_demo_round_trip_gives_the_same_items_and_associations() -> None:
    package = load_case_package(demo_package_path())
    exported = export_case_package(package)
    assert list(export_validator().iter_errors(exported)) == []
    again = parse_case_package(json.loads(json.dumps(exported)))
    assert_same_framework(package, again)
    assert set(again.graph.edges) == set(package.graph.edges)
    assert again.summary() == package.summary()


def test_export_writes_the_strict_form_of_liberal_input() -> None:
    b = PackageBuilder("Liberal")
    b.item("G9", "Grade Level", levels="09,10", lastChangeDateTime="2019-07-10 19:23:21")
    b.item("ALG.1", "Standard", parent="G9", conceptKeywords=None, statusEndDate="2030-06-30")
    b.items[-1]["x-extension"] = 1
    raw = b.build()
    raw["CFDocument"]["subject"] = "Mathematics"
    raw["CFAssociations"][0]["sequenceNumber"] = None
    # the liberal reader takes it, the strict one would not
    assert list(import_validator().iter_errors(raw)) == []
    assert list(export_validator().iter_errors(raw)) != []
    package = load_case_package(raw)
    exported = export_case_package(package)
    grade, standard = exported["CFItems"]
    assert grade["educationLevel"] == ["09", "10"]
    assert grade["lastChangeDateTime"] == "2019-07-10T19:23:21+00:00"
    assert standard["statusEndDate"] == "2030-06-30"
    assert "conceptKeywords" not in standard and "x-extension" not in standard
    assert "sequenceNumber" not in exported["CFAssociations"][0]
    assert exported["CFDocument"]["subject"] == ["Mathematics"]
    assert "null" not in json.dumps(exported)
    assert_same_framework(package, parse_case_package(exported))
    with_extensions = export_case_package(package, include_extensions=True)
    assert with_extensions["CFItems"][1]["x-extension"] == 1


def test_definitions_rubrics_and_external_references_survive_the_round_trip() -> None:
    b = fractions_framework()
    other = uid("external")
    match = b.associate("exactMatchOf", "4.NF.B.3", "DOC")
    match["destinationNodeURI"] = {
        "title": "Elsewhere",
        "identifier": other,
        "uri": f"https://other.example.org/CFItems/{other}",
    }
    raw = b.build()
    raw["CFDefinitions"] = {
        "CFItemTypes": [
            {
                "identifier": uid("type"),
                "uri": f"{BASE}/CFItemTypes/{uid('type')}",
                "title": "Standard",
                "hierarchyCode": "1",
                "lastChangeDateTime": "2020-01-01 00:00:00",
            }
        ]
    }
    raw["CFRubrics"] = [
        {
            "identifier": uid("rubric"),
            "uri": f"{BASE}/CFRubrics/{uid('rubric')}",
            "title": "Fractions rubric",
            "lastChangeDateTime": "2020-01-01T00:00:00Z",
        }
    ]
    package = load_case_package(raw)
    exported = export_case_package(package)
    stamp = exported["CFDefinitions"]["CFItemTypes"][0]["lastChangeDateTime"]
    assert stamp == "2020-01-01T00:00:00+00:00"
    assert exported["CFRubrics"][0]["title"] == "Fractions rubric"
    again = parse_case_package(exported)
    assert_same_framework(package, again)
    assert again.external_references == package.external_references


def test_a_framework_stored_object_by_object_exports_the_same() -> None:
    """What the database keeps per row (the JSON of each object) rebuilds the package."""
    package = load_case_package(fractions_framework().build())
    stored = {
        "CFDocument": encode_document(package.document),
        "CFItems": [encode_item(item) for item in reversed(package.items)][::-1],
        "CFAssociations": [encode_association(a) for a in package.associations],
    }
    rebuilt = parse_case_package(stored)
    assert_same_framework(package, rebuilt)
    assert export_case_package(rebuilt) == export_case_package(package)


def test_schema_is_a_valid_draft7_schema_with_the_case_vocabulary() -> None:
    schema = case_schema()
    Draft7Validator.check_schema(schema)
    definitions = schema["definitions"]
    enum = definitions["CFPackageAssociation"]["properties"]["associationType"]["enum"]
    assert enum == [str(kind) for kind in AssociationType]
    assert schema["additionalProperties"] is False
    assert definitions["LinkGenURI"]["additionalProperties"] is False
    assert definitions["CFPackageItem"]["required"] == [
        "identifier",
        "fullStatement",
        "uri",
        "lastChangeDateTime",
    ]
    assert definitions["CFPackageDocument"]["required"] == [
        "identifier",
        "uri",
        "creator",
        "title",
        "lastChangeDateTime",
    ]
    pattern = re.compile(definitions["UUID"]["pattern"])
    assert pattern.match("0f8fad5b-d9cb-469f-a165-70867728950e")
    assert not pattern.match("0F8FAD5B-D9CB-469F-A165-70867728950E")
    assert not pattern.match("x0f8fad5b-d9cb-469f-a165-70867728950e")
    assert not pattern.match("0f8fad5b-d9cb-069f-a165-70867728950e")  # version 0


def test_export_refuses_to_emit_an_invalid_package() -> None:
    package = load_case_package(fractions_framework().build())
    broken = FrameworkPackage(
        document=package.document,
        items=package.items,
        associations=package.associations,
        definitions={"CFUnknownThings": []},  # definitions are kept verbatim: garbage in
    )
    with pytest.raises(CaseValidationError) as caught:
        export_case_package(broken)
    assert caught.value.source == "export"


# -- property: any framework survives parse -> export -> parse -------------------------------

_text = st.text(
    alphabet=st.characters(codec="utf-8", exclude_categories=("Cs", "Cc")), min_size=1, max_size=12
)
_stamp = st.sampled_from(
    [
        "2026-01-01T00:00:00+00:00",
        "2020-02-29T12:30:00Z",
        "2019-07-10 19:23:21",
        "2021-05-05T05:05:05.5-07:00",
    ]
)
_item_type = st.sampled_from(
    [None, "Grade Level", "Domain", "Cluster", "Standard", "Component", "Content Standard", "Topic"]
)


@st.composite
def frameworks(draw: st.DrawFn) -> dict[str, Any]:
    """A random framework: an outline (each item under an earlier one or the document),
    prerequisite links from earlier to later standards (so acyclic), random optional fields."""
    size = draw(st.integers(min_value=1, max_value=12))
    b = PackageBuilder(draw(_text))
    codes = [f"S{i}" for i in range(size)]
    for i, code in enumerate(codes):
        parent = "DOC" if i == 0 else draw(st.sampled_from(["DOC", *codes[:i]]))
        optional: dict[str, Any] = {}
        if draw(st.booleans()):
            optional["educationLevel"] = draw(
                st.one_of(
                    st.lists(
                        st.sampled_from(["KG", "01", "04", "09", "10"]), max_size=3, unique=True
                    ),
                    st.sampled_from(["04", "09,10"]),
                )
            )
        if draw(st.booleans()):
            optional["abbreviatedStatement"] = draw(_text)
        if draw(st.booleans()):
            optional["conceptKeywords"] = draw(st.lists(_text, max_size=3))
        if draw(st.booleans()):
            optional["statusStartDate"] = draw(
                st.sampled_from(["2020-01-01", "2020-01-01T08:00:00Z"])
            )
        item = b.item(
            code, draw(_item_type), parent=parent, lastChangeDateTime=draw(_stamp), **optional
        )
        if draw(st.booleans()):
            del item["humanCodingScheme"]
        item["fullStatement"] = draw(_text)
    pairs = [(a, b_) for i, a in enumerate(codes) for b_ in codes[i + 1 :]]
    for origin, destination in draw(
        st.lists(st.sampled_from(pairs), max_size=15) if pairs else st.just([])
    ):
        kind = draw(
            st.sampled_from(["precedes", "precedes", "isRelatedTo", "exactMatchOf", "isPeerOf"])
        )
        link = b.associate(kind, origin, destination)
        if draw(st.booleans()):
            link["sequenceNumber"] = None
    return b.build()


@settings(
    max_examples=60, deadline=None, derandomize=True, suppress_health_check=[HealthCheck.too_slow]
)
@given(raw=frameworks())
def test_any_framework_round_trips(raw: dict[str, Any]) -> None:
    package = load_case_package(raw)
    exported = export_case_package(package)
    assert list(export_validator().iter_errors(exported)) == []
    again = parse_case_package(json.loads(json.dumps(exported)))
    assert_same_framework(package, again)
    assert export_case_package(again) == exported  # the export is a fixed point
    assert set(again.graph.edges) == set(package.graph.edges)
