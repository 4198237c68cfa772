"""Importing CASE frameworks into the database: all or nothing, dry run, update in place by
identifier, refusing to delete standards still in use, and export round trips."""

from __future__ import annotations

import copy
import datetime as dt

import pytest

from tests.engine.frameworks.builders import demo_package_path, fractions_framework
from trellis.accounts.actions import do_create_district, do_create_user
from trellis.accounts.models import District, Role
from trellis.audit.models import AuditEvent
from trellis.engine.frameworks import load_case_package, parse_case_package
from trellis.frameworks.actions import (
    FrameworkImportReport,
    do_export_framework,
    do_import_framework,
)
from trellis.frameworks.adapters import framework_graph, framework_package, load_framework
from trellis.frameworks.models import Framework, Standard, StandardAssociation

pytestmark = pytest.mark.django_db


def _framework(report: FrameworkImportReport) -> Framework:
    assert report.ok and report.framework_id is not None, report.lines()
    return Framework.objects.get(id=report.framework_id)


@pytest.fixture
def district() -> District:
    return do_create_district("District F", "dist-f")


def test_import_stores_the_outline_the_graph_and_the_case_json(district: District) -> None:
    admin = do_create_user(district, "admin_f", Role.DISTRICT_ADMIN)
    report = do_import_framework(district, fractions_framework().build(), actor=admin)
    assert report.ok, report.lines()
    framework = _framework(report)
    assert framework.title == "Fractions" and framework.district == district
    assert Standard.objects.filter(framework=framework).count() == 10
    assert StandardAssociation.objects.filter(framework=framework).count() == 14
    standard = Standard.objects.get(framework=framework, code="4.NF.B.3a")
    assert (standard.grade, standard.domain, standard.cluster) == ("4", "4.NF", "4.NF.B")
    assert standard.parent is not None and standard.parent.code == "4.NF.B.3"
    assert Standard.objects.get(framework=framework, code="3").parent is None
    precedes = StandardAssociation.objects.get(
        framework=framework, association_type="precedes", origin__code="3.NF.A.1"
    )
    assert precedes.destination is not None and precedes.destination.code == "3.NF.A.2"
    graph = framework_graph(framework)
    assert graph.prerequisites("4.NF.B.3") == ["3.NF.A.2"]
    assert graph.standard("4.NF.B.3").grade == "4"
    assert report.items.created == 10 and report.associations.created == 14
    event = AuditEvent.objects.get(action="framework.import")
    assert event.actor == admin and event.object_id == str(framework.id)


def test_dry_run_counts_and_writes_nothing(district: District) -> None:
    report = do_import_framework(district, fractions_framework().build(), dry_run=True)
    assert report.ok and report.dry_run
    assert report.summary is not None and report.summary.items == 10
    assert report.items.created == 10
    assert "dry run" in report.lines()[0]
    assert not Framework.objects.exists() and not Standard.objects.exists()
    assert not AuditEvent.objects.filter(action__startswith="framework").exists()


def test_a_bad_package_is_refused_whole_with_item_and_field_named(district: District) -> None:
    builder = fractions_framework()
    data = builder.build()
    del data["CFItems"][3]["fullStatement"]  # 3.NF.A.1
    builder.precedes("4.NF.B.3", "3.NF.A.1")  # a cycle
    data["CFAssociations"] = builder.associations
    report = do_import_framework(district, data)
    assert not report.ok
    missing = next(e for e in report.errors if e.field == "fullStatement")
    assert missing.code == "3.NF.A.1" and missing.identifier == builder.id("3.NF.A.1")
    assert "CFItem (code 3.NF.A.1" in str(missing)
    assert report.lines()[0].startswith("Refused: ")
    assert not Framework.objects.exists() and not Standard.objects.exists()


def test_a_cycle_is_refused_naming_the_standards(district: District) -> None:
    builder = fractions_framework()
    builder.precedes("4.NF.B.3", "3.NF.A.1")
    report = do_import_framework(district, builder.build())
    assert not report.ok
    assert any("3.NF.A.1 -> 3.NF.A.2 -> 4.NF.B.3 -> 3.NF.A.1" in e.message for e in report.errors)
    assert not Standard.objects.exists()


def test_reimport_updates_in_place_by_identifier(district: District) -> None:
    builder = fractions_framework()
    first = do_import_framework(district, builder.build())
    framework = _framework(first)
    ids = dict(Standard.objects.filter(framework=framework).values_list("identifier", "id"))
    version = framework.imported_at
    load_framework(framework)  # warm the cache with the old version

    # Unchanged: everything counted as unchanged, rows keep their ids.
    again = do_import_framework(district, builder.build())
    assert again.updates_existing and again.framework_id == framework.id
    assert again.items.unchanged == 10 and again.items.updated == 0
    assert again.associations.unchanged == 14

    # A newer version: one statement edited, one standard and one prerequisite added.
    newer = fractions_framework()
    newer.items[4]["fullStatement"] = "Understand a fraction a/b (revised)."  # 3.NF.A.2
    newer.item("4.NF.B.4", "Standard", parent="4.NF.B", levels=["04"])
    newer.precedes("4.NF.B.3", "4.NF.B.4")
    report = do_import_framework(district, newer.build())
    assert report.ok, report.lines()
    assert (report.items.created, report.items.updated, report.items.unchanged) == (1, 1, 9)
    assert report.associations.created == 2  # isChildOf + precedes
    assert Framework.objects.filter(district=district).count() == 1
    after = dict(Standard.objects.filter(framework=framework).values_list("identifier", "id"))
    assert all(after[identifier] == pk for identifier, pk in ids.items())
    revised = Standard.objects.get(id=ids[builder.id("3.NF.A.2")])
    assert revised.statement == "Understand a fraction a/b (revised)."
    framework.refresh_from_db()
    assert framework.imported_at >= version
    # the cached graph follows the new version
    assert framework_graph(framework).prerequisites("4.NF.B.4") == ["4.NF.B.3"]


def test_reimport_removes_unused_items_and_refuses_to_remove_used_ones(
    district: District,
) -> None:
    from trellis.learning.actions import do_record_evidence

    builder = fractions_framework()
    imported = do_import_framework(district, builder.build())
    framework = _framework(imported)

    smaller = fractions_framework()
    code = "4.NF.B.3a"
    smaller.items = [i for i in smaller.items if i["humanCodingScheme"] != code]
    smaller.associations = [
        a for a in smaller.associations
        if code not in (a["originNodeURI"]["title"], a["destinationNodeURI"]["title"])
    ]
    student = do_create_user(district, "stu_f", Role.STUDENT)
    component = Standard.objects.get(framework=framework, code=code)
    do_record_evidence(
        student, kind="practice", standards=[component], idempotency_key="k1", correct=True,
        occurred_at=dt.datetime(2026, 9, 1, tzinfo=dt.UTC),
    )
    refused = do_import_framework(district, smaller.build())
    assert not refused.ok
    (problem,) = refused.errors
    assert problem.code == code and problem.kind == "in-use"
    assert "evidence" in problem.message.lower() or "mastery" in problem.message.lower()
    assert Standard.objects.filter(id=component.id).exists()

    # Without student data the item can go, and its associations with it.
    from trellis.learning.models import EvidenceEvent, MasteryState

    MasteryState.objects.all().delete()
    EvidenceEvent.objects.all().delete()
    report = do_import_framework(district, smaller.build())
    assert report.ok, report.lines()
    assert report.items.removed == 1 and report.associations.removed == 3
    assert not Standard.objects.filter(id=component.id).exists()


def test_frameworks_are_per_district(district: District) -> None:
    other = do_create_district("District G", "dist-g")
    data = fractions_framework().build()
    a = do_import_framework(district, data)
    b = do_import_framework(other, data)
    assert a.framework_id != b.framework_id
    assert not b.updates_existing
    assert Standard.objects.filter(framework__district=other).count() == 10


def test_export_round_trips_and_is_audited(district: District) -> None:
    admin = do_create_user(district, "admin_x", Role.DISTRICT_ADMIN)
    data = fractions_framework().build()
    framework = _framework(do_import_framework(district, data))
    exported = do_export_framework(framework, actor=admin)
    assert parse_case_package(exported) == parse_case_package(data)
    assert AuditEvent.objects.filter(action="framework.export", actor=admin).count() == 1
    # importing the export changes nothing
    again = do_import_framework(district, copy.deepcopy(exported))
    assert again.items.unchanged == 10 and again.associations.unchanged == 14


def test_the_coherence_map_imports_and_round_trips(district: District) -> None:
    path = demo_package_path()
    report = do_import_framework(district, path)
    assert report.ok, report.lines()[:5]
    assert report.summary is not None
    assert (report.summary.items, report.summary.associations) == (695, 1594)
    framework = _framework(report)
    graph = framework_graph(framework)
    assert (len(graph), len(graph.edges)) == (480, 757)
    expected = load_case_package(path)
    assert framework_package(framework) == expected
    assert parse_case_package(do_export_framework(framework)) == expected
    seventh = Standard.objects.get(framework=framework, code="7.EE.A.1")
    assert (seventh.grade, seventh.domain) == ("7", "7.EE")


def test_round_trip_keeps_definitions_rubrics_external_links_and_extensions(
    district: District,
) -> None:
    from tests.engine.frameworks.builders import BASE, uid

    builder = fractions_framework()
    builder.items[3]["x-publisher-note"] = "kept"  # a publisher extension on an item
    other = uid("external")
    match = builder.associate("exactMatchOf", "4.NF.B.3", "DOC")
    match["destinationNodeURI"] = {
        "title": "Elsewhere", "identifier": other,
        "uri": f"https://other.example.org/CFItems/{other}",
    }
    data = builder.build()
    data["CFDefinitions"] = {
        "CFItemTypes": [{
            "identifier": uid("type"), "uri": f"{BASE}/CFItemTypes/{uid('type')}",
            "title": "Standard", "hierarchyCode": "1", "lastChangeDateTime": "2020-01-01 00:00:00",
        }]
    }
    data["CFRubrics"] = [{
        "identifier": uid("rubric"), "uri": f"{BASE}/CFRubrics/{uid('rubric')}",
        "title": "Fractions rubric", "lastChangeDateTime": "2020-01-01T00:00:00Z",
    }]
    report = do_import_framework(district, data)
    assert report.ok and report.summary is not None
    assert report.summary.external_references == 1
    framework = _framework(report)
    external = StandardAssociation.objects.get(
        framework=framework, association_type="exactMatchOf"
    )
    assert external.destination is None and external.destination_uri.startswith("https://other.")
    stored = Standard.objects.get(framework=framework, code="3.NF.A.1")
    assert stored.source["x-publisher-note"] == "kept"
    exported = do_export_framework(framework)
    assert parse_case_package(exported) == parse_case_package(data)
    assert exported["CFRubrics"][0]["title"] == "Fractions rubric"
    assert exported["CFDefinitions"]["CFItemTypes"][0]["lastChangeDateTime"] == (
        "2020-01-01T00:00:00+00:00"
    )
    assert "x-publisher-note" not in exported["CFItems"][3]  # strict CASE 1.0 on the way out
