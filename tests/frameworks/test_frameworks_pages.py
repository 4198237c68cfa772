"""Framework pages: upload with dry run then import, export download, the map's layout, and
the read-only admin. The skill map page itself, coloured by mastery, is tested in
``tests/learning/test_skill_map.py``."""

from __future__ import annotations

import json
import re
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse

from tests.engine.frameworks.builders import fractions_framework
from tests.frameworks.helpers import (
    client_for,
    framework_of,
    standard_of,
    with_fraction_frameworks,
)
from tests.world import World
from trellis.audit.models import AuditEvent
from trellis.frameworks.adapters import framework_graph
from trellis.frameworks.layout import LAYER_WIDTH, NODE_HEIGHT, NODE_WIDTH, layout_map
from trellis.frameworks.models import Framework


@pytest.fixture(scope="module")
def fw_world(world: World, django_db_blocker: Any) -> World:
    return with_fraction_frameworks(world, django_db_blocker)


# -- list ----------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_everyone_in_the_district_sees_its_frameworks_only(fw_world: World) -> None:
    response = client_for(fw_world, "g_a1").get(reverse("framework-list"))
    assert response.status_code == 200
    html = response.content.decode()
    assert reverse("skill-map", args=[framework_of(fw_world).id]) in html
    assert reverse("skill-map", args=[framework_of(fw_world, "b").id]) not in html
    assert "Import a CASE framework" not in html
    admin_html = client_for(fw_world, "da_a").get(reverse("framework-list")).content.decode()
    assert "Import a CASE framework" in admin_html
    assert reverse("framework-export", args=[framework_of(fw_world).id]) in admin_html


# -- upload, dry run, import ---------------------------------------------------------------------


def _renamed(builder: Any, identifier: str) -> dict[str, Any]:
    """The builder's package as another framework (another CFDocument identifier)."""
    text = json.dumps(builder.build()).replace(builder.document_id, identifier)
    return dict(json.loads(text))


def _upload(client: Client, data: dict[str, Any], name: str = "package.json") -> Any:
    upload = SimpleUploadedFile(name, json.dumps(data).encode(), "application/json")
    # The check runs as a job (within the request for a small file); its report is the
    # page the upload redirects to.
    return client.post(reverse("framework-import"), {"package": upload}, follow=True)


@pytest.mark.django_db
def test_a_bad_upload_lists_every_problem_and_imports_nothing(fw_world: World) -> None:
    data = _renamed(fractions_framework(), "8f3e2c8a-0000-4000-8000-000000000001")
    del data["CFItems"][3]["fullStatement"]
    data["CFAssociations"][0]["associationType"] = "isCousinOf"
    before = Framework.objects.count()
    response = _upload(client_for(fw_world, "da_a"), data)
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
    client = client_for(fw_world, "da_a")
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
    other = client_for(fw_world, "da_a")
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
    framework = framework_of(fw_world)
    response = client_for(fw_world, "da_a").get(reverse("framework-export", args=[framework.id]))
    assert response.status_code == 200
    assert response["Content-Disposition"] == 'attachment; filename="fractions.case.json"'
    exported = json.loads(response.content)
    assert len(exported["CFItems"]) == 11
    assert AuditEvent.objects.filter(
        action="framework.export", actor=fw_world.users["da_a"], object_id=str(framework.id)
    ).exists()


# -- the map's layout ---------------------------------------------------------------------------


@pytest.mark.django_db
def test_layout_arrows_point_right_and_nodes_do_not_overlap(fw_world: World) -> None:
    graph = framework_graph(framework_of(fw_world))
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
    assert f"/admin/curriculum/standard/{standard_of(fw_world, '3.NF.A.2').id}/" in html
    assert f"/admin/curriculum/standard/{standard_of(fw_world, '3.NF.A.2', 'b').id}/" not in html
    # forbidden reads as not found everywhere in Trellis
    assert client.get("/admin/curriculum/framework/add/").status_code == 404
    operator.is_staff = False
    operator.save()
