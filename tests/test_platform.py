"""Foundation behaviour beyond the matrix: audit, admin, API lists, settings, CLI."""

from __future__ import annotations

import importlib
import os
import subprocess
import sys

import pytest
from django.core.exceptions import ImproperlyConfigured
from django.test import Client
from django.urls import reverse

from tests.world import PASSWORD, World
from trellis.accounts.actions import do_create_user, do_link_guardian
from trellis.accounts.models import Role
from trellis.accounts.permissions import students_visible_to
from trellis.audit.models import AuditEvent
from trellis.cli import main

pytestmark = pytest.mark.django_db


def test_writes_of_people_are_audited(world: World) -> None:
    district = world.districts["a"]
    before = AuditEvent.objects.count()
    student = do_create_user(district, "new_student", Role.STUDENT, first_name="New")
    guardian = do_create_user(district, "new_guardian", Role.GUARDIAN)
    do_link_guardian(guardian, student, actor=world.users["da_a"])
    events = list(AuditEvent.objects.order_by("id")[before:])
    assert [e.action for e in events] == ["user.create", "user.create", "guardian.link"]
    link = events[-1]
    assert link.actor_label == "da_a"
    assert link.district_id == district.id
    assert link.object_id == str(student.id)


def test_linking_across_districts_is_refused_and_changes_nothing(world: World) -> None:
    before = AuditEvent.objects.count()
    with pytest.raises(ValueError, match="same district"):
        do_link_guardian(world.users["g_a1"], world.users["s_b1"])
    assert AuditEvent.objects.count() == before
    assert world.users["s_b1"] not in students_visible_to(world.users["g_a1"])


def test_an_inactive_account_sees_nobody(world: World) -> None:
    teacher = world.users["t_a1"]
    teacher.is_active = False
    assert not students_visible_to(teacher).exists()
    teacher.is_active = True


def test_audit_log_shows_only_own_district_and_filters(world: World) -> None:
    do_create_user(world.districts["b"], "b_only_person", Role.STUDENT)
    client = Client()
    client.force_login(world.users["da_a"])
    page = client.get(reverse("audit-log"))
    assert page.status_code == 200
    assert b"b_only_person" not in page.content
    filtered = client.get(reverse("audit-log"), {"action": "guardian.link"})
    assert b"user.create" not in filtered.content.split(b"<tbody>")[-1]


def test_api_lists_only_visible_classes(world: World) -> None:
    client = Client()
    client.force_login(world.users["t_a1"])
    body = client.get("/api/v1/classes").json()
    assert [c["title"] for c in body["items"]] == ["Math 7 (a1)"]
    assert body["count"] == 1
    client.force_login(world.users["da_a"])
    titles = {c["title"] for c in client.get("/api/v1/classes").json()["items"]}
    assert titles == {"Math 7 (a1)", "Math 7 (a1b)", "Math 7 (a2)"}


def test_api_answers_404_alike_for_missing_and_forbidden(world: World) -> None:
    client = Client()
    client.force_login(world.users["g_a1"])
    forbidden = client.get(f"/api/v1/students/{world.users['s_b1'].id}")
    missing = client.get("/api/v1/students/999999")
    assert forbidden.status_code == missing.status_code == 404
    assert forbidden.json() == missing.json() == {"detail": "Not found"}


def test_django_admin_is_for_staff_only_and_tenant_filtered(world: World) -> None:
    client = Client()
    client.force_login(world.users["da_a"])  # a district admin is not platform staff
    response = client.get("/admin/")
    assert response.status_code == 302 and "/admin/login/" in response["Location"]

    operator = world.users["t_a2"]
    operator.is_staff = True
    operator.is_superuser = False
    operator.save()
    from django.contrib.auth.models import Permission

    operator.user_permissions.add(Permission.objects.get(codename="view_user"))
    client.force_login(operator)
    listing = client.get("/admin/accounts/user/")
    assert listing.status_code == 200
    assert b"s_a1" in listing.content and b"s_b1" not in listing.content
    operator.is_staff = False
    operator.save()


def test_sign_in_with_a_real_password(world: World) -> None:
    client = Client()
    response = client.post(reverse("login"), {"username": "t_a1", "password": PASSWORD})
    assert response.status_code == 302 and response["Location"] == reverse("home")
    bad = Client().post(reverse("login"), {"username": "t_a1", "password": "nope"})
    assert bad.status_code == 200 and b"match. Please try again" in bad.content


def test_friendly_404_for_an_unknown_url(world: World) -> None:
    client = Client()
    client.force_login(world.users["t_a1"])
    response = client.get("/no/such/page/")
    assert response.status_code == 404
    assert b"find that page" in response.content


def test_production_settings_refuse_to_start_without_a_secret(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.delenv("TRELLIS_SECRET_KEY", raising=False)
    for name in ["trellis.settings.prod", "trellis.settings.base"]:
        sys.modules.pop(name, None)
    with pytest.raises(ImproperlyConfigured, match="TRELLIS_SECRET_KEY"):
        importlib.import_module("trellis.settings.prod")
    monkeypatch.setenv("TRELLIS_SECRET_KEY", "x" * 50)
    sys.modules.pop("trellis.settings.base", None)
    prod = importlib.import_module("trellis.settings.prod")
    assert prod.DEBUG is False
    assert prod.SESSION_COOKIE_SECURE and prod.CSRF_COOKIE_SECURE
    assert prod.SECURE_HSTS_SECONDS >= 31_536_000
    sys.modules.pop("trellis.settings.prod", None)
    sys.modules.pop("trellis.settings.base", None)


def test_cli_help_lists_the_platform_commands(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exit_info:
        main(["--help"])
    assert exit_info.value.code == 0
    out = capsys.readouterr().out
    for command in ["demo", "seed-demo", "serve", "manage"]:
        assert command in out


def test_manage_passes_through_to_django(tmp_path: object) -> None:
    env = {**os.environ, "TRELLIS_DATABASE_URL": f"sqlite:///{tmp_path}/cli.sqlite3"}
    env.pop("DJANGO_SETTINGS_MODULE", None)
    result = subprocess.run(
        [sys.executable, "-m", "trellis.cli", "manage", "check"],
        env=env, capture_output=True, text=True, timeout=120, check=False,
    )
    assert result.returncode == 0, result.stderr
    assert "no issues" in result.stdout


def test_audit_log_shows_details_whatever_their_keys(world: World) -> None:
    from trellis.audit.actions import record

    record(world.users["da_a"], "roster.import", world.districts["a"],
           details={"items": 3, "created": {"users": 2}})
    client = Client()
    client.force_login(world.users["da_a"])
    page = client.get(reverse("audit-log"))
    assert page.status_code == 200
    assert b"items: 3" in page.content


def test_the_admin_home_counts_without_multiplying_and_in_the_same_queries(
        world: World) -> None:
    """Issue 14, item 9: each school's students, teachers and classes are counted on their
    own (no join of people × classes), and the page's queries do not grow with the district."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from trellis.roster.actions import do_create_class, do_enroll

    client = Client()
    client.force_login(world.users["da_a"])
    url = reverse("home")

    def counted() -> tuple[int, dict[str, tuple[int, int, int]], dict[str, int]]:
        with CaptureQueriesContext(connection) as captured:
            response = client.get(url)
        assert response.status_code == 200
        for query in captured:  # no join of every person with every class of a school
            assert not ('JOIN "accounts_user"' in query["sql"]
                        and 'JOIN "roster_class"' in query["sql"]), query["sql"]
        schools = {s.name: (s.student_count, s.teacher_count, s.class_count)
                   for s in response.context["schools"]}
        classes = {c.title: c.student_count for c in response.context["page"].object_list}
        return len(captured), schools, classes

    client.get(url)  # the first request of a session does more (its session, the sign-in)
    queries, schools, classes = counted()
    assert schools["School A1"] == (2, 2, 2) and classes["Math 7 (a1)"] == 1
    klass = world.classes["a1"]
    for n in range(3):
        student = do_create_user(world.districts["a"], f"home_count_{n}", Role.STUDENT,
                                 school=world.schools["a1"])
        do_enroll(klass, student, "student")
    for n in range(2):
        extra = do_create_class(klass.course, world.schools["a1"], f"Extra {n}", f"extra-{n}")
        do_enroll(extra, world.users["s_a1"], "student")
    more_queries, schools, classes = counted()
    assert more_queries == queries
    assert schools["School A1"] == (5, 2, 4) and schools["School A2"] == (1, 1, 1)
    assert classes["Math 7 (a1)"] == 4 and classes["Extra 0"] == 1
