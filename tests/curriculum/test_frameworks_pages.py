"""Framework pages: upload with dry run then import, export download, the skill map (filters,
layout, colouring and who may colour it), and a standard's detail panel."""

from __future__ import annotations

import json
import re
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse

from tests.engine.frameworks.builders import fractions_framework
from tests.world import World
from trellis.audit.models import AuditEvent
from trellis.curriculum.adapters import framework_graph
from trellis.curriculum.models import Framework, Item, Standard
from trellis.curriculum.queries import map_colouring
from trellis.curriculum.views_frameworks import (
    LAYER_WIDTH,
    NODE_HEIGHT,
    NODE_WIDTH,
    layout_map,
)


@pytest.fixture(scope="module")
def fw_world(world: World, django_db_blocker: Any) -> World:
    from trellis.curriculum.actions import do_import_framework

    with django_db_blocker.unblock():  # type: ignore[attr-defined]
        for key, district in world.districts.items():
            builder = fractions_framework()
            builder.item("4.NF.B.4", "Standard", parent="4.NF.B", levels=["04"])
            builder.precedes("3.NF.A.2", "4.NF.B.4")
            report = do_import_framework(district, builder.build())
            assert report.framework_id is not None, report.lines()
            world.extra[f"fw_{key}"] = Framework.objects.get(id=report.framework_id)
    return world


def _client(world: World, username: str) -> Client:
    client = Client()
    client.force_login(world.users[username])
    return client


def _framework(world: World, key: str = "a") -> Framework:
    framework = world.extra[f"fw_{key}"]
    assert isinstance(framework, Framework)
    return framework


def _standard(world: World, code: str, key: str = "a") -> Standard:
    return Standard.objects.get(framework=_framework(world, key), code=code)


def _node_codes(html: str, context: bool = False) -> list[str]:
    pattern = (
        r'class="node[^"]*?( context)?" href="[^"]*" hx-get="[^"]*" hx-target="[^"]*" '
        r'data-code="([^"]+)"'
    )
    return [code for ctx, code in re.findall(pattern, html) if bool(ctx) == context]


# -- list ----------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_everyone_in_the_district_sees_its_frameworks_only(fw_world: World) -> None:
    response = _client(fw_world, "g_a1").get(reverse("framework-list"))
    assert response.status_code == 200
    html = response.content.decode()
    assert reverse("skill-map", args=[_framework(fw_world).id]) in html
    assert reverse("skill-map", args=[_framework(fw_world, "b").id]) not in html
    assert "Import a CASE framework" not in html
    admin_html = _client(fw_world, "da_a").get(reverse("framework-list")).content.decode()
    assert "Import a CASE framework" in admin_html
    assert reverse("framework-export", args=[_framework(fw_world).id]) in admin_html


# -- upload, dry run, import ---------------------------------------------------------------------


def _renamed(builder: Any, identifier: str) -> dict[str, Any]:
    """The builder's package as another framework (another CFDocument identifier)."""
    text = json.dumps(builder.build()).replace(builder.document_id, identifier)
    return dict(json.loads(text))


def _upload(client: Client, data: dict[str, Any], name: str = "package.json") -> Any:
    upload = SimpleUploadedFile(name, json.dumps(data).encode(), "application/json")
    return client.post(reverse("framework-import"), {"package": upload})


@pytest.mark.django_db
def test_a_bad_upload_lists_every_problem_and_imports_nothing(fw_world: World) -> None:
    data = _renamed(fractions_framework(), "8f3e2c8a-0000-4000-8000-000000000001")
    del data["CFItems"][3]["fullStatement"]
    data["CFAssociations"][0]["associationType"] = "isCousinOf"
    before = Framework.objects.count()
    response = _upload(_client(fw_world, "da_a"), data)
    html = response.content.decode()
    assert response.status_code == 200
    assert "2 problems found. Nothing was imported" in html
    assert "fullStatement" in html and "3.NF.A.1" in html and "isCousinOf" in html
    assert "Import this framework" not in html
    assert Framework.objects.count() == before


@pytest.mark.django_db
def test_upload_shows_the_dry_run_then_imports_on_confirmation(
    fw_world: World, monkeypatch: pytest.MonkeyPatch, settings: Any, tmp_path: Any
) -> None:
    monkeypatch.setenv("TRELLIS_JOBS_INLINE", "true")
    settings.DATA_DIR = tmp_path
    client = _client(fw_world, "da_a")
    new_id = "8f3e2c8a-0000-4000-8000-000000000002"
    data = _renamed(fractions_framework(), new_id)
    data["CFDocument"]["title"] = "Fractions, new edition"
    response = _upload(client, data)
    html = response.content.decode()
    assert "What will be imported from package.json" in html
    assert "a new framework" in html
    assert not Framework.objects.filter(identifier=new_id).exists()
    token = re.search(r'name="token" value="([^"]+)"', html)
    assert token is not None

    # another admin's session cannot use this upload
    other = _client(fw_world, "da_a")
    refused = other.post(reverse("framework-import-confirm"), {"token": token.group(1)})
    assert refused.status_code == 302 and refused["Location"] == reverse("framework-import")

    confirmed = client.post(reverse("framework-import-confirm"), {"token": token.group(1)})
    assert confirmed.status_code == 302 and "/jobs/" in confirmed["Location"]
    framework = Framework.objects.get(identifier=new_id)
    assert framework.title == "Fractions, new edition"
    assert framework.district == fw_world.districts["a"]
    job_page = client.get(confirmed["Location"]).content.decode()
    assert "Finished" in job_page
    assert AuditEvent.objects.filter(
        action="framework.import", object_id=str(framework.id)
    ).exists()
    # the token is spent, and the stored upload is gone
    again = client.post(reverse("framework-import-confirm"), {"token": token.group(1)})
    assert again["Location"] == reverse("framework-import")
    assert not list((tmp_path / "uploads" / "frameworks").iterdir())


@pytest.mark.django_db
def test_export_downloads_the_case_json_and_is_audited(fw_world: World) -> None:
    framework = _framework(fw_world)
    response = _client(fw_world, "da_a").get(reverse("framework-export", args=[framework.id]))
    assert response.status_code == 200
    assert response["Content-Disposition"] == 'attachment; filename="fractions.case.json"'
    exported = json.loads(response.content)
    assert len(exported["CFItems"]) == 11
    assert AuditEvent.objects.filter(
        action="framework.export", actor=fw_world.users["da_a"], object_id=str(framework.id)
    ).exists()


# -- the skill map -------------------------------------------------------------------------------


@pytest.mark.django_db
def test_map_filters_by_grade_and_domain_and_shows_outside_prerequisites(fw_world: World) -> None:
    url = reverse("skill-map", args=[_framework(fw_world).id])
    client = _client(fw_world, "t_a1")
    grade_4 = client.get(url, {"grade": "4"}).content.decode()
    assert sorted(_node_codes(grade_4)) == ["4.NF.B.3", "4.NF.B.3a", "4.NF.B.4"]
    assert _node_codes(grade_4, context=True) == ["3.NF.A.2"]
    # 3.NF.A.2 -> 4.NF.B.3 and -> 4.NF.B.4 (dashed, from outside), 4.NF.B.3 -> 4.NF.B.3a
    assert grade_4.count('<path class="edge') == 3
    everything = client.get(url, {"grade": "all"}).content.decode()
    assert len(_node_codes(everything)) == 5 and not _node_codes(everything, context=True)
    # an unknown grade falls back to a real one; an unknown domain to all domains
    fallback = client.get(url, {"grade": "99", "domain": "XX"}).content.decode()
    assert sorted(_node_codes(fallback)) == ["3.NF.A.1", "3.NF.A.2"]
    # the plain list for screen readers has the same standards
    assert 'id="standard-list"' in grade_4 and grade_4.count("Statement of 4.NF") >= 3


@pytest.mark.django_db
def test_layout_arrows_point_right_and_nodes_do_not_overlap(fw_world: World) -> None:
    graph = framework_graph(_framework(fw_world))
    shown = [c for c in graph if graph.standard(c).grade == "4"]
    layout = layout_map(graph, shown, context=["3.NF.A.2"])
    nodes = {n.code: n for n in layout.nodes}
    assert nodes["3.NF.A.2"].context and nodes["3.NF.A.2"].x < nodes["4.NF.B.3"].x
    assert nodes["4.NF.B.3a"].x == nodes["4.NF.B.3"].x + LAYER_WIDTH  # one layer further
    for edge in layout.edges:
        assert nodes[edge.target].x > nodes[edge.source].x + NODE_WIDTH
    boxes = [(n.x, n.y) for n in layout.nodes]
    for i, (x1, y1) in enumerate(boxes):
        for x2, y2 in boxes[i + 1 :]:
            assert abs(x1 - x2) >= NODE_WIDTH or abs(y1 - y2) >= NODE_HEIGHT
    assert all(n.x >= 0 and n.x + NODE_WIDTH <= layout.width for n in layout.nodes)
    assert all(n.y >= 0 and n.y + NODE_HEIGHT <= layout.height for n in layout.nodes)


def _practise(student: Any, standard: Standard) -> None:
    """What the learner model writes once a student has shown a standard on two days.

    Written directly so these tests pin the colouring rule, not the learner model's numbers.
    """
    from trellis.learning.models import MasteryState

    MasteryState.objects.update_or_create(
        student=student, standard=standard,
        defaults={"district_id": student.district_id, "probability": 0.99,
                  "evidence_count": 6, "evidence_days": ["2026-09-01", "2026-09-03"]},
    )


@pytest.mark.django_db
def test_map_colouring_reads_mastery_and_is_neutral_without_evidence(fw_world: World) -> None:
    student = fw_world.users["s_a1"]
    framework = _framework(fw_world)
    assert map_colouring(student, framework) == {}
    _practise(student, _standard(fw_world, "3.NF.A.1"))
    colouring = map_colouring(student, framework)
    assert colouring["3.NF.A.1"] == "mastered"
    assert colouring["3.NF.A.2"] == "ready"
    assert colouring["4.NF.B.3"] == colouring["4.NF.B.3a"] == "not_yet"
    assert map_colouring(student) == colouring  # every framework of the district


@pytest.mark.django_db
def test_who_may_colour_the_map_with_a_student(fw_world: World) -> None:
    student = fw_world.users["s_a1"]
    _practise(student, _standard(fw_world, "3.NF.A.1"))
    url = reverse("skill-map", args=[_framework(fw_world).id])
    params = {"grade": "3", "student": str(student.id)}
    # their teacher and their guardian may; the student sees their own without asking
    for username in ("t_a1", "g_a1", "sa_a1", "da_a"):
        html = _client(fw_world, username).get(url, params).content.decode()
        assert "node status-mastered" in html, username
    own = _client(fw_world, "s_a1").get(url, {"grade": "3"}).content.decode()
    assert "Your progress:" in own and "node status-mastered" in own
    # another class's teacher, a coach, and another student get the not-found page
    for username in ("t_a1b", "coach_a1", "s_a1b"):
        response = _client(fw_world, username).get(url, params)
        if username == "s_a1b":  # a student's map is always their own: the parameter is ignored
            assert response.status_code == 200
            assert "node status-mastered" not in response.content.decode()
        else:
            assert response.status_code == 404, username
    assert _client(fw_world, "t_a1").get(url, {"student": "x"}).status_code == 404


@pytest.mark.django_db
def test_standard_detail_panel_and_page(fw_world: World) -> None:
    framework = _framework(fw_world)
    standard = _standard(fw_world, "3.NF.A.2")
    url = reverse("standard-detail", args=[framework.id, standard.id])
    client = _client(fw_world, "s_a1")
    panel = client.get(url, HTTP_HX_REQUEST="true").content.decode()
    assert "<html" not in panel
    assert 'id="standard-h"' in panel and "Statement of 3.NF.A.2" in panel
    assert "3.NF.A.1" in panel  # comes before it
    assert "4.NF.B.3" in panel and "4.NF.B.4" in panel  # builds on it
    assert "No practice items are aligned to this standard yet." in panel
    item = Item.objects.create(
        district=fw_world.districts["a"], identifier="frac-1", source="qti",
        title="Fractions on a number line", content={},
    )
    item.alignments.add(standard)
    page = client.get(url).content.decode()
    assert "<html" in page and "Fractions on a number line" in page
    assert "Back to the skill map" in page
    # a standard of another framework, through this framework's URL: not found
    other = _standard(fw_world, "3.NF.A.2", key="b")
    assert client.get(reverse("standard-detail", args=[framework.id, other.id])).status_code == 404


@pytest.mark.django_db
def test_admin_lists_only_the_operators_district_and_is_read_only(fw_world: World) -> None:
    from django.contrib.auth.models import Permission

    operator = fw_world.users["t_a2"]
    operator.is_staff = True
    operator.save()
    operator.user_permissions.add(
        *Permission.objects.filter(codename__in=["view_framework", "view_standard"])
    )
    client = Client()
    client.force_login(operator)
    listing = client.get("/admin/curriculum/standard/?q=3.NF.A.2")
    assert listing.status_code == 200
    html = listing.content.decode()
    assert f"/admin/curriculum/standard/{_standard(fw_world, '3.NF.A.2').id}/" in html
    assert f"/admin/curriculum/standard/{_standard(fw_world, '3.NF.A.2', 'b').id}/" not in html
    # forbidden reads as not found everywhere in Trellis
    assert client.get("/admin/curriculum/framework/add/").status_code == 404
    operator.is_staff = False
    operator.save()


@pytest.mark.django_db
def test_a_framework_written_without_the_importer_is_drawn_too(fw_world: World) -> None:
    """Fixtures and scripts create rows without CASE JSON: the map reads their columns."""
    from trellis.curriculum.models import StandardAssociation

    district = fw_world.districts["a"]
    framework = Framework.objects.create(district=district, identifier="hand-made", title="Hand")
    first, second = (
        Standard.objects.create(framework=framework, identifier=f"hand-{code}", code=code,
                                statement=f"About {code}", grade="07", position=position)
        for position, code in enumerate(["7.EE.A.1", "7.EE.A.2"])
    )
    StandardAssociation.objects.create(
        framework=framework, identifier="hand-link", association_type="precedes",
        origin=first, destination=second,
    )
    graph = framework_graph(framework)
    assert graph.prerequisites("7.EE.A.2") == ["7.EE.A.1"]
    assert graph.standard("7.EE.A.1").grade == "07"
    html = _client(fw_world, "t_a1").get(reverse("skill-map", args=[framework.id])).content
    assert sorted(_node_codes(html.decode())) == ["7.EE.A.1", "7.EE.A.2"]
    # a row added later, without a re-import, is seen (the cache key counts rows)
    Standard.objects.create(framework=framework, identifier="hand-3", code="7.EE.B.3",
                            statement="Later", grade="07", position=2)
    assert "7.EE.B.3" in framework_graph(framework)
    assert _client(fw_world, "s_a1").get(reverse("framework-list")).status_code == 200
