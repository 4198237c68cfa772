"""Importing CASE 1.0 packages: the real demo map, liberal reading, every error named."""

from __future__ import annotations

import copy
import csv
import gzip
import io
import json
from pathlib import Path
from typing import Any

import pytest

from tests.engine.frameworks.builders import (
    BASE,
    PackageBuilder,
    demo_package_path,
    fractions_framework,
    uid,
)
from trellis.engine.frameworks import (
    AssociationType,
    CaseError,
    CaseValidationError,
    ErrorKind,
    FrameworkPackage,
    ItemKind,
    classify_item_type,
    load_case_package,
)

# -- the real demo package -------------------------------------------------------------------


@pytest.fixture(scope="module")
def demo() -> FrameworkPackage:
    return load_case_package(demo_package_path())


def test_demo_package_validates_with_its_published_counts(demo: FrameworkPackage) -> None:
    summary = demo.summary()
    assert summary.items == 695
    assert summary.associations_by_type == {"isChildOf": 695, "precedes": 757, "isRelatedTo": 142}
    assert summary.items_by_type == {
        "Standard": 364,
        "Cluster": 142,
        "Component": 116,
        "Domain": 63,
        "Grade Level": 10,
    }
    assert summary.external_references == 0


def test_demo_graph_has_757_prerequisite_edges_and_no_cycle(demo: FrameworkPackage) -> None:
    graph = demo.graph
    assert len(graph.edges) == 757
    assert len(graph) == 480  # 364 standards + 116 sub-standards
    order = graph.topological_order()
    position = {code: i for i, code in enumerate(order)}
    assert len(order) == 480
    assert all(position[a] < position[b] for a, b in graph.edges)


def test_demo_graph_matches_the_coherence_map_csv(demo: FrameworkPackage) -> None:
    """The CASE package and the CSV files are two spellings of one map: same standards, same
    prerequisite edges (the CSV's own codes mapped to official CCSS codes)."""
    folder = demo_package_path().parent
    with (folder / "standards.csv").open(encoding="utf-8") as handle:
        official = {row["code"]: row["ccss_code"] for row in csv.DictReader(handle)}
    with (folder / "prerequisite_edges.csv").open(encoding="utf-8") as handle:
        edges = {
            (official[row["prerequisite_code"]], official[row["dependent_code"]])
            for row in csv.DictReader(handle)
        }
    assert set(demo.graph.codes) == set(official.values())
    assert set(demo.graph.edges) == edges


def test_demo_standards_carry_grade_domain_and_cluster(demo: FrameworkPackage) -> None:
    component = demo.graph.standard("4.NF.B.3a")
    assert (component.grade, component.domain) == ("4", "4.NF")
    assert component.attributes["cluster"] == "4.NF.B"
    assert component.attributes["kind"] == "component"
    assert component.attributes["education_levels"] == "04"
    algebra = demo.graph.standard("HSA-SSE.A.1")
    assert (algebra.grade, algebra.domain) == ("HS", "HS.A-SSE")
    assert algebra.attributes["education_levels"] == "09,10,11,12"
    # a page filters by grade and domain straight from the nodes
    grade4_fractions = [
        code
        for code in demo.graph.codes
        if demo.graph.standard(code).grade == "4" and demo.graph.standard(code).domain == "4.NF"
    ]
    assert "4.NF.B.3a" in grade4_fractions
    assert all(code.startswith("4.NF.") for code in grade4_fractions)


def test_every_item_knows_its_grade_domain_and_cluster(demo: FrameworkPackage) -> None:
    def context_of(code: str) -> tuple[str, str, str]:
        item = demo.item_by_code(code)
        assert item is not None
        context = demo.context(item.identifier)
        return context.grade, context.domain, context.cluster

    assert context_of("4.NF.B") == ("4", "4.NF", "4.NF.B")
    assert context_of("4.NF") == ("4", "4.NF", "")
    assert context_of("HS") == ("HS", "", "")
    assert context_of("K.CC.A.1") == ("K", "K.CC", "K.CC.A")
    with pytest.raises(KeyError):
        demo.context("not-an-identifier")


def test_grade_falls_back_to_the_first_education_level() -> None:
    b = PackageBuilder()
    b.item("ALG.1", "Standard", levels=["09", "10", "11", "12"])
    package = load_case_package(b.build())
    assert package.graph.standard("ALG.1").grade == "09"
    assert package.context(b.id("ALG.1")).grade == "09"


def test_demo_outline_and_prerequisite_direction(demo: FrameworkPackage) -> None:
    grades = [item.code for item in demo.children()]
    assert grades == ["K", "1", "2", "3", "4", "5", "6", "7", "8", "HS"]
    standard = demo.item_by_code("4.NF.B.3")
    assert standard is not None
    parent = demo.parent(standard.identifier)
    assert parent is not None and getattr(parent, "code", None) == "4.NF.B"
    assert "4.NF.B.3a" in [child.code for child in demo.children(standard.identifier)]
    # "A precedes B" makes A a prerequisite of B, in the links and in the graph
    for prerequisite, dependent in demo.prerequisite_links[:50]:
        assert prerequisite.code in demo.graph.prerequisites(str(dependent.code))


def test_outline_follows_sequence_numbers_and_picks_one_parent() -> None:
    b = PackageBuilder()
    b.item("D1", "Domain")
    b.item("D2", "Domain")
    b.item("S-late", "Standard", parent="D1")
    b.item("S-early", "Standard", parent="D1")
    b.associations[-2]["sequenceNumber"] = 9
    b.associations[-1]["sequenceNumber"] = 3
    also = b.associate("isChildOf", "S-late", "D2", sequenceNumber=1)  # a second home
    package = load_case_package(b.build())
    assert [item.code for item in package.children(b.id("D1"))] == ["S-early"]
    assert [item.code for item in package.children(b.id("D2"))] == ["S-late"]
    parent = package.parent(b.id("S-late"))
    assert parent is not None and parent.identifier == also["destinationNodeURI"]["identifier"]
    assert package.parent(b.id("D1")) == package.document
    b.associations[-1]["sequenceNumber"] = 20  # now D1 (9) is the first home
    package = load_case_package(b.build())
    assert [item.code for item in package.children(b.id("D1"))] == ["S-early", "S-late"]


def test_every_source_form_loads_the_same_package(tmp_path: Path) -> None:
    raw = fractions_framework().build()
    text = json.dumps(raw).encode()
    plain = tmp_path / "framework.json"
    plain.write_bytes(text)
    zipped = tmp_path / "framework.json.gz"
    zipped.write_bytes(gzip.compress(text))
    expected = load_case_package(raw)
    for source in (plain, str(zipped), text, gzip.compress(text), io.BytesIO(text)):
        assert load_case_package(source) == expected
    with plain.open(encoding="utf-8") as text_file:  # a text-mode file works too
        assert load_case_package(text_file) == expected


# -- the small framework ---------------------------------------------------------------------


def test_small_framework_types_its_associations() -> None:
    package = load_case_package(fractions_framework().build())
    assert len(package.associations_of_type(AssociationType.IS_CHILD_OF)) == 10
    assert [(a.code, b.code) for a, b in package.prerequisite_links] == [
        ("3.NF.A.1", "3.NF.A.2"),
        ("3.NF.A.2", "4.NF.B.3"),
        ("4.NF.B.3", "4.NF.B.3a"),
    ]
    assert len(package.associations_of_type("isRelatedTo")) == 1
    assert package.graph.codes == ["3.NF.A.1", "3.NF.A.2", "4.NF.B.3", "4.NF.B.3a"]
    assert package.graph.pathway(mastered={"3.NF.A.1"}, goals=["4.NF.B.3a"]) == [
        "3.NF.A.2",
        "4.NF.B.3",
        "4.NF.B.3a",
    ]
    assert package.summary().lines()[0] == f"Framework: Fractions ({package.document.identifier})"


# -- liberal reading of real publishers' packages ---------------------------------------------


def test_liberal_reading_of_optional_fields_and_spellings() -> None:
    b = PackageBuilder("Publisher quirks")
    b.item("G9", "grade", levels="09,10, 11")  # a comma string, spaces, lower case type
    b.item(
        "ALG",
        None,
        parent="G9",
        CFItemTypeURI={  # type only in the URI's title
            "title": "Domain",
            "identifier": uid("type:domain"),
            "uri": f"{BASE}/CFItemTypes/x",
        },
    )
    b.item("ALG.1", "Content Standard", parent="ALG", lastChangeDateTime="2019-07-10 19:23:21")
    b.item("ALG.1.a", "Sub-Standard", parent="ALG.1", conceptKeywords=None, statusStartDate=None)
    b.item("ALG.2", None, parent="ALG")  # no type at all, but a code: still a standard node
    b.precedes("ALG.1", "ALG.2")
    raw = b.build()
    del raw["CFDocument"]["subject"]
    raw["CFDocument"]["subject"] = "Mathematics"  # a string where a list is usual
    raw["CFItems"][0]["x-publisher-extension"] = {"kept": True}
    raw["CFItems"][0]["notes"] = None  # null for "no notes": read as absent
    raw["CFItems"][0]["abbreviatedStatement"] = None
    raw["CFDocument"]["description"] = None
    package = load_case_package(raw)
    grade = package.item(b.id("G9"))
    assert grade.education_level == ("09", "10", "11")
    assert grade.kind is ItemKind.GRADE
    assert grade.extensions == {"x-publisher-extension": {"kept": True}}
    assert package.item(b.id("ALG")).kind is ItemKind.DOMAIN
    stamp = package.item(b.id("ALG.1")).last_change_date_time
    assert stamp.tzinfo is not None and stamp.isoformat() == "2019-07-10T19:23:21+00:00"
    assert package.document.subject == ("Mathematics",)
    assert package.graph.codes == ["ALG.1", "ALG.1.a", "ALG.2"]
    assert package.graph.standard("ALG.1.a").domain == "ALG"
    assert package.graph.standard("ALG.1.a").grade == "G9"


@pytest.mark.parametrize(
    ("text", "kind"),
    [
        ("Grade Level", ItemKind.GRADE),
        ("Domain", ItemKind.DOMAIN),
        ("Conceptual Category", ItemKind.DOMAIN),
        ("Strand", ItemKind.DOMAIN),
        ("Cluster", ItemKind.CLUSTER),
        ("Standard", ItemKind.STANDARD),
        ("Content Standard", ItemKind.STANDARD),
        ("Student Expectation", ItemKind.STANDARD),
        ("Benchmark", ItemKind.STANDARD),
        ("Sub-Standard", ItemKind.COMPONENT),
        ("Component", ItemKind.COMPONENT),
        ("Course", ItemKind.OTHER),
        (None, ItemKind.OTHER),
    ],
)
def test_item_type_variations_are_classified(text: str | None, kind: ItemKind) -> None:
    assert classify_item_type(text) is kind


def test_endpoints_in_other_documents_are_kept_as_external_references() -> None:
    b = fractions_framework()
    other = uid("someone else's 4.NF.B.3")
    match = b.associate("exactMatchOf", "4.NF.B.3", "DOC")
    match["destinationNodeURI"] = {
        "title": "CCSS.Math.Content.4.NF.B.3",
        "identifier": other,
        "uri": f"https://other.example.org/CFItems/{other}",
    }
    package = load_case_package(b.build())
    (reference,) = package.external_references
    assert reference.association_type is AssociationType.EXACT_MATCH_OF
    assert (reference.end, reference.target.identifier) == ("destination", other)
    assert package.summary().external_references == 1
    assert len(package.graph.edges) == 3  # an external end never enters the graph
    with pytest.raises(CaseValidationError) as refused:
        load_case_package(b.build(), allow_external=False)
    (error,) = refused.value.errors
    assert error.kind is ErrorKind.DANGLING
    assert error.identifier == match["identifier"]


def test_duplicate_codes_fall_back_to_identifiers_as_graph_keys() -> None:
    b = PackageBuilder()
    b.item("A", "Standard")
    twin = b.item("B", "Standard")
    twin["humanCodingScheme"] = "A"
    package = load_case_package(b.build())
    assert sorted(package.graph.codes) == sorted([b.id("A"), b.id("B")])
    assert package.node_key(b.id("B")) == b.id("B")


# -- errors: one per problem, naming item and field --------------------------------------------


def errors_of(raw: dict[str, Any], **options: Any) -> list[CaseError]:
    with pytest.raises(CaseValidationError) as caught:
        load_case_package(raw, **options)
    return caught.value.errors


def test_missing_required_field_names_item_code_and_field() -> None:
    raw = fractions_framework().build()
    del raw["CFItems"][3]["fullStatement"]
    (error,) = errors_of(raw)
    assert error.kind is ErrorKind.SCHEMA
    assert error.entity == "CFItem"
    assert error.code == "3.NF.A.1"
    assert error.identifier == raw["CFItems"][3]["identifier"]
    assert error.field == "fullStatement"
    assert error.path == "$.CFItems[3].fullStatement"
    assert "3.NF.A.1" in str(error) and "fullStatement" in str(error)


def test_a_null_required_field_is_an_error_not_an_absence() -> None:
    raw = fractions_framework().build()
    raw["CFItems"][4]["fullStatement"] = None
    (error,) = errors_of(raw)
    assert (error.code, error.field) == ("3.NF.A.2", "fullStatement")
    assert error.message == "null should be of type string"


def test_missing_document_field_is_named() -> None:
    raw = fractions_framework().build()
    del raw["CFDocument"]["creator"]
    (error,) = errors_of(raw)
    assert (error.entity, error.field, error.path) == (
        "CFDocument",
        "creator",
        "$.CFDocument.creator",
    )


@pytest.mark.parametrize(
    "bad",
    [
        "not-a-uuid",
        "5A1C8A0E-2F4E-4C4A-9A49-0D8B5F6B1E11",  # upper case
        "5a1c8a0e2f4e4c4a9a490d8b5f6b1e11",  # no hyphens
        "5a1c8a0e-2f4e-7c4a-9a49-0d8b5f6b1e11",  # version 7: not CASE 1.0
    ],
)
def test_bad_uuid_is_named(bad: str) -> None:
    raw = fractions_framework().build()
    raw["CFItems"][8]["identifier"] = bad
    errors = errors_of(raw)
    schema_errors = [e for e in errors if e.kind is ErrorKind.SCHEMA]
    assert len(schema_errors) == 1
    (error,) = schema_errors
    assert (error.entity, error.code, error.identifier) == ("CFItem", "4.NF.B.3", bad)
    assert error.field == "identifier"
    assert "UUID" in error.message


def test_unknown_association_type_is_named() -> None:
    b = fractions_framework()
    wrong = b.associate("isPrerequisiteOf", "3.NF.A.1", "3.NF.A.2")
    index = len(b.associations) - 1
    (error,) = errors_of(b.build())
    assert error.entity == "CFAssociation"
    assert error.identifier == wrong["identifier"]
    assert error.field == "associationType"
    assert error.path == f"$.CFAssociations[{index}].associationType"
    assert "isPrerequisiteOf" in error.message and "precedes" in error.message


def test_dangling_endpoint_is_named() -> None:
    b = fractions_framework()
    link = b.precedes("3.NF.A.2", "4.NF.B.3")
    link["destinationNodeURI"]["identifier"] = uid("a standard that is not there")
    index = len(b.associations) - 1
    (error,) = errors_of(b.build())
    assert error.kind is ErrorKind.DANGLING
    assert error.identifier == link["identifier"]
    assert error.field == "destinationNodeURI.identifier"
    assert error.path == f"$.CFAssociations[{index}].destinationNodeURI.identifier"
    assert "identifier does not match" in error.message  # its uri still names 4.NF.B.3


def test_dangling_parent_and_unconnected_associations_are_errors() -> None:
    b = fractions_framework()
    orphan = b.item("5.NF.A.1", "Standard")
    b.associations[-1]["destinationNodeURI"] = {
        "title": "5.NF.A",
        "identifier": uid("missing cluster"),
        "uri": "https://x.example/c",
    }
    floating = b.associate("isRelatedTo", "3.NF.A.1", "DOC")
    floating["originNodeURI"] = {"title": "?", "identifier": uid("p"), "uri": "https://x.example/p"}
    floating["destinationNodeURI"] = {
        "title": "?",
        "identifier": uid("q"),
        "uri": "https://x.example/q",
    }
    errors = errors_of(b.build())
    assert [e.kind for e in errors] == [ErrorKind.DANGLING] * 3
    assert "isChildOf" in errors[0].message
    assert errors[0].code == "5.NF.A.1 isChildOf 5.NF.A"
    assert errors[0].path.endswith(".destinationNodeURI.identifier")
    assert orphan["identifier"] == b.associations[-2]["originNodeURI"]["identifier"]
    assert {e.field for e in errors[1:]} == {
        "originNodeURI.identifier",
        "destinationNodeURI.identifier",
    }


def test_prerequisite_cycle_is_refused_naming_the_standards_by_code() -> None:
    b = fractions_framework()
    back = b.precedes("4.NF.B.3", "3.NF.A.1")
    (error,) = errors_of(b.build())
    assert error.kind is ErrorKind.PREREQUISITE_CYCLE
    assert error.code == "3.NF.A.1 -> 3.NF.A.2 -> 4.NF.B.3 -> 3.NF.A.1"
    assert "3.NF.A.1 -> 3.NF.A.2 -> 4.NF.B.3 -> 3.NF.A.1" in error.message
    assert error.identifier in {
        a["identifier"] for a in b.associations if a["associationType"] == "precedes"
    }
    assert f"$.CFAssociations[{b.associations.index(back)}]" in error.message


def test_self_prerequisite_is_a_cycle() -> None:
    b = fractions_framework()
    b.precedes("4.NF.B.3", "4.NF.B.3")
    (error,) = errors_of(b.build())
    assert error.kind is ErrorKind.PREREQUISITE_CYCLE
    assert error.code == "4.NF.B.3 -> 4.NF.B.3"


def test_outline_loop_is_refused() -> None:
    b = fractions_framework()
    b.associate("isChildOf", "3", "3.NF.A")  # grade 3 made a child of its own cluster
    errors = errors_of(b.build())
    assert [e.kind for e in errors] == [ErrorKind.TREE_CYCLE]
    assert (
        errors[0].message == "isChildOf links loop (parent -> child): 3.NF -> 3.NF.A -> 3 -> 3.NF"
    )
    assert (errors[0].entity, errors[0].code) == ("CFItem", "3.NF")


def test_a_bad_definition_names_its_entry() -> None:
    raw = fractions_framework().build()
    raw["CFDefinitions"] = {
        "CFItemTypes": [
            {
                "identifier": uid("type"),
                "uri": f"{BASE}/CFItemTypes/{uid('type')}",
                "title": "Standard",
                "lastChangeDateTime": "2020-01-01T00:00:00Z",
            }
        ]
    }
    (error,) = errors_of(raw)
    assert (error.entity, error.identifier, error.field) == (
        "CFItemType",
        uid("type"),
        "hierarchyCode",
    )
    assert error.path == "$.CFDefinitions.CFItemTypes[0].hierarchyCode"


def test_a_document_without_items_is_an_empty_framework() -> None:
    raw = PackageBuilder("Empty").build()
    del raw["CFItems"], raw["CFAssociations"]
    package = load_case_package(raw)
    assert (package.items, package.associations, len(package.graph)) == ((), (), 0)
    assert package.summary().items == 0


def test_duplicate_identifiers_are_refused() -> None:
    raw = fractions_framework().build()
    raw["CFItems"].append(copy.deepcopy(raw["CFItems"][3]))
    raw["CFAssociations"].append(copy.deepcopy(raw["CFAssociations"][0]))
    errors = errors_of(raw)
    assert [(e.kind, e.entity) for e in errors] == [
        (ErrorKind.DUPLICATE, "CFItem"),
        (ErrorKind.DUPLICATE, "CFAssociation"),
    ]
    assert errors[0].code == "3.NF.A.1" and errors[0].path == "$.CFItems[10].identifier"


def test_every_error_is_collected_not_just_the_first() -> None:
    b = fractions_framework()
    b.precedes("4.NF.B.3a", "3.NF.A.1")  # cycle
    b.associate("isSimilarTo", "3", "4")  # unknown type
    raw = b.build()
    del raw["CFItems"][0]["uri"]  # missing field
    raw["CFItems"][1]["identifier"] = "3nf"  # bad UUID (its associations now dangle too)
    raw["CFItems"][2]["educationLevel"] = 3  # wrong type
    raw["CFItems"][5]["lastChangeDateTime"] = "yesterday"  # bad date-time
    raw["CFDocument"]["uri"] = "not a uri"
    raw["CFAssociations"][0]["sequenceNumber"] = "first"
    raw["extra"] = True
    errors = errors_of(raw)
    found = {(e.kind, e.entity, e.field) for e in errors}
    expected = {
        (ErrorKind.SCHEMA, "CFPackage", "extra"),
        (ErrorKind.SCHEMA, "CFDocument", "uri"),
        (ErrorKind.SCHEMA, "CFItem", "uri"),
        (ErrorKind.SCHEMA, "CFItem", "identifier"),
        (ErrorKind.SCHEMA, "CFItem", "educationLevel"),
        (ErrorKind.SCHEMA, "CFItem", "lastChangeDateTime"),
        (ErrorKind.SCHEMA, "CFAssociation", "sequenceNumber"),
        (ErrorKind.SCHEMA, "CFAssociation", "associationType"),
        (ErrorKind.PREREQUISITE_CYCLE, "CFAssociation", "associationType"),
    }
    assert expected <= found
    # links to the item whose identifier broke are explained by that error, not repeated
    assert ErrorKind.DANGLING not in {e.kind for e in errors}
    by_field = {e.field: e for e in errors if e.entity == "CFItem"}
    assert by_field["uri"].code == "3"
    assert by_field["educationLevel"].code == "3.NF.A"
    assert "yesterday" in by_field["lastChangeDateTime"].message
    # errors come in file order, so the list reads top to bottom
    paths = [e.path for e in errors]
    assert paths.index("$.extra") > paths.index("$.CFDocument.uri")
    assert len(errors) == len({(e.path, e.message) for e in errors})


@pytest.mark.parametrize(
    "payload",
    [b"", b"{not json", gzip.compress(b"[1, 2]", mtime=0)[:-6], json.dumps([1, 2]).encode()],
    # Named ids: xdist workers must collect the same test names, and raw bytes make poor ones.
    ids=["empty", "broken-json", "truncated-gzip", "not-a-package"],
)
def test_unreadable_input_is_one_clear_error(payload: bytes) -> None:
    with pytest.raises(CaseValidationError) as caught:
        load_case_package(payload)
    (error,) = caught.value.errors
    assert error.kind is ErrorKind.UNREADABLE


def test_missing_file_is_reported_with_its_name(tmp_path: Path) -> None:
    missing = tmp_path / "nope.json"
    with pytest.raises(CaseValidationError) as caught:
        load_case_package(missing)
    assert caught.value.source == str(missing)
    assert str(missing) in str(caught.value)
