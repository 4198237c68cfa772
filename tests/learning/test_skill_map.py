"""The skill map page: filters, colouring by a student's mastery and who may colour it, a
standard's detail panel, and a framework written without the importer."""

from __future__ import annotations

from typing import Any

import pytest
from django.urls import reverse

from tests.frameworks.helpers import (
    client_for,
    framework_of,
    node_codes,
    standard_of,
    with_fraction_frameworks,
)
from tests.world import World
from trellis.content.models import Item
from trellis.frameworks.adapters import framework_graph
from trellis.frameworks.models import Framework, Standard
from trellis.learning.queries import map_colouring


@pytest.fixture(scope="module")
def fw_world(world: World, django_db_blocker: Any) -> World:
    return with_fraction_frameworks(world, django_db_blocker)


@pytest.mark.django_db
def test_map_filters_by_grade_and_domain_and_shows_outside_prerequisites(fw_world: World) -> None:
    url = reverse("skill-map", args=[framework_of(fw_world).id])
    client = client_for(fw_world, "t_a1")
    grade_4 = client.get(url, {"grade": "4"}).content.decode()
    assert sorted(node_codes(grade_4)) == ["4.NF.B.3", "4.NF.B.3a", "4.NF.B.4"]
    assert node_codes(grade_4, context=True) == ["3.NF.A.2"]
    # 3.NF.A.2 -> 4.NF.B.3 and -> 4.NF.B.4 (dashed, from outside), 4.NF.B.3 -> 4.NF.B.3a
    assert grade_4.count('<path class="edge') == 3
    everything = client.get(url, {"grade": "all"}).content.decode()
    assert len(node_codes(everything)) == 5 and not node_codes(everything, context=True)
    # an unknown grade falls back to a real one; an unknown domain to all domains
    fallback = client.get(url, {"grade": "99", "domain": "XX"}).content.decode()
    assert sorted(node_codes(fallback)) == ["3.NF.A.1", "3.NF.A.2"]
    # the plain list for screen readers has the same standards
    assert 'id="standard-list"' in grade_4 and grade_4.count("Statement of 4.NF") >= 3


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
    framework = framework_of(fw_world)
    assert map_colouring(student, framework) == {}
    _practise(student, standard_of(fw_world, "3.NF.A.1"))
    colouring = map_colouring(student, framework)
    assert colouring["3.NF.A.1"] == "mastered"
    assert colouring["3.NF.A.2"] == "ready"
    assert colouring["4.NF.B.3"] == colouring["4.NF.B.3a"] == "not_yet"
    assert map_colouring(student) == colouring  # every framework of the district


@pytest.mark.django_db
def test_who_may_colour_the_map_with_a_student(fw_world: World) -> None:
    student = fw_world.users["s_a1"]
    _practise(student, standard_of(fw_world, "3.NF.A.1"))
    url = reverse("skill-map", args=[framework_of(fw_world).id])
    params = {"grade": "3", "student": str(student.id)}
    # their teacher and their guardian may; the student sees their own without asking
    for username in ("t_a1", "g_a1", "sa_a1", "da_a"):
        html = client_for(fw_world, username).get(url, params).content.decode()
        assert "node status-mastered" in html, username
    own = client_for(fw_world, "s_a1").get(url, {"grade": "3"}).content.decode()
    assert "Your progress:" in own and "node status-mastered" in own
    # another class's teacher, a coach, and another student get the not-found page
    for username in ("t_a1b", "coach_a1", "s_a1b"):
        response = client_for(fw_world, username).get(url, params)
        if username == "s_a1b":  # a student's map is always their own: the parameter is ignored
            assert response.status_code == 200
            assert "node status-mastered" not in response.content.decode()
        else:
            assert response.status_code == 404, username
    assert client_for(fw_world, "t_a1").get(url, {"student": "x"}).status_code == 404


@pytest.mark.django_db
def test_standard_detail_panel_and_page(fw_world: World) -> None:
    framework = framework_of(fw_world)
    standard = standard_of(fw_world, "3.NF.A.2")
    url = reverse("standard-detail", args=[framework.id, standard.id])
    client = client_for(fw_world, "s_a1")
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
    other = standard_of(fw_world, "3.NF.A.2", key="b")
    assert client.get(reverse("standard-detail", args=[framework.id, other.id])).status_code == 404


@pytest.mark.django_db
def test_a_framework_written_without_the_importer_is_drawn_too(fw_world: World) -> None:
    """Fixtures and scripts create rows without CASE JSON: the map reads their columns."""
    from trellis.frameworks.models import StandardAssociation

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
    html = client_for(fw_world, "t_a1").get(reverse("skill-map", args=[framework.id])).content
    assert sorted(node_codes(html.decode())) == ["7.EE.A.1", "7.EE.A.2"]
    # a row added later, without a re-import, is seen (the cache key counts rows)
    Standard.objects.create(framework=framework, identifier="hand-3", code="7.EE.B.3",
                            statement="Later", grade="07", position=2)
    assert "7.EE.B.3" in framework_graph(framework)
    assert client_for(fw_world, "s_a1").get(reverse("framework-list")).status_code == 200
