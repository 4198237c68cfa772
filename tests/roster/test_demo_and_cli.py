"""``trellis seed-demo`` (through the OneRoster importer) and ``trellis roster import/export``."""

from __future__ import annotations

from pathlib import Path

import pytest
from django.conf import settings
from django.test import Client

from trellis.accounts.models import CoachingLink, District, GuardianLink, Role, User
from trellis.cli import main
from trellis.core.models import DemoAccount
from trellis.interop.oneroster.generator import write_district_zip
from trellis.portal import demo
from trellis.portal.demo import DemoError, seed_demo_district
from trellis.roster.models import Enrollment

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def roster_only(monkeypatch: pytest.MonkeyPatch) -> None:
    """These tests are about the roster part of the demo: other areas' seeders stay out."""
    monkeypatch.setattr(demo, "AREA_SEEDERS", ())


HOME_TEXT = {
    "Student": "Hi ",
    "Guardian": "My children",
    "Teacher": "My classes",
    "Instructional coach": "Teachers I coach",
    "School administrator": "Classes",
    "District administrator": "Maple Valley Unified (demo)",
}


def test_seed_demo_twice_refuses_the_second_time(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["seed-demo", "--students", "40", "--seed", "1"]) == 0
    out = capsys.readouterr().out
    assert "Demo accounts" in out and "Maple Valley Unified (demo)" in out
    assert User.objects.filter(role=Role.STUDENT).count() == 40
    assert main(["seed-demo", "--students", "40", "--seed", "1"]) == 2
    assert "already holds the demo district" in capsys.readouterr().err
    assert District.objects.count() == 1


def test_showcase_accounts_belong_together_and_sign_in() -> None:
    seed_demo_district(students=40, seed=1, progress=lambda _line: None)
    accounts = {a.role_label: a.user for a in DemoAccount.objects.select_related("user")}
    assert list(accounts) == list(HOME_TEXT)
    student, guardian, teacher = accounts["Student"], accounts["Guardian"], accounts["Teacher"]
    assert GuardianLink.objects.filter(guardian=guardian, student=student).exists()
    assert Enrollment.objects.filter(
        user=student, klass__enrollments__user=teacher, klass__course__sourced_id__endswith="math"
    ).exists()
    assert CoachingLink.objects.filter(coach=accounts["Instructional coach"], teacher=teacher)
    assert accounts["School administrator"].school == student.school
    for label, user in accounts.items():
        client = Client()
        assert client.login(username=user.username, password=settings.DEMO_PASSWORD), label
        page = client.get("/")
        assert page.status_code == 200
        assert HOME_TEXT[label] in page.content.decode(), label
    # everyone else has no usable password
    others = User.objects.exclude(pk__in=[u.pk for u in accounts.values()])
    assert not any(u.has_usable_password() for u in others[:50])


def test_seed_demo_is_reproducible_and_refuses_tiny_districts() -> None:
    with pytest.raises(DemoError, match="at least 20"):
        seed_demo_district(students=5, progress=lambda _line: None)
    seed_demo_district(students=30, seed=4, progress=lambda _line: None)
    first = sorted(User.objects.values_list("username", "first_name", "last_name", "role"))
    User.objects.all().delete()
    District.objects.all().delete()
    seed_demo_district(students=30, seed=4, progress=lambda _line: None)
    assert sorted(User.objects.values_list("username", "first_name", "last_name", "role")) == first


def test_roster_cli_import_dry_run_export(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    source = tmp_path / "district.zip"
    write_district_zip(source, students=25, teachers=3, schools=1, seed=5)
    assert main(["roster", "import", str(source), "--dry-run"]) == 0
    assert "Dry run" in capsys.readouterr().out
    assert not District.objects.exists()
    assert main(["roster", "import", str(source)]) == 0
    out = capsys.readouterr().out
    assert "Import applied" in out and "Enrollments" in out
    assert main(["roster", "import", str(source)]) == 0
    assert "No changes" in capsys.readouterr().out
    exported = tmp_path / "out" / "export.zip"
    assert main(["roster", "export", str(exported)]) == 0
    assert exported.exists()
    assert main(["roster", "import", str(exported)]) == 0
    assert "No changes" in capsys.readouterr().out


def test_roster_cli_reports_errors_on_stderr(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    broken = tmp_path / "broken.zip"
    broken.write_bytes(b"PK\x03\x04 not really a zip")
    assert main(["roster", "import", str(broken)]) == 1
    err = capsys.readouterr().err
    assert "archive" in err and "nothing was changed" in err
    District.objects.create(name="A", sourced_id="a")
    District.objects.create(name="B", sourced_id="b")
    assert main(["roster", "export", str(tmp_path / "x.zip")]) == 2
    assert "--district" in capsys.readouterr().err
    assert main(["roster", "export", str(tmp_path / "x.zip"), "--district", "b"]) == 0


def test_area_seeders_run_in_order_after_the_roster(monkeypatch: pytest.MonkeyPatch) -> None:
    calls: list[tuple[str, int, int]] = []

    def seeder(label: str):  # type: ignore[no-untyped-def]
        def seed(district: District, progress: object) -> None:
            calls.append((label, district.pk, DemoAccount.objects.count()))
            if label == "broken":
                raise RuntimeError("no data folder")

        return seed

    import types

    fake = types.ModuleType("fake_area_demo")
    fake.first = seeder("first")  # type: ignore[attr-defined]
    fake.broken = seeder("broken")  # type: ignore[attr-defined]
    fake.last = seeder("last")  # type: ignore[attr-defined]
    monkeypatch.setitem(__import__("sys").modules, "fake_area_demo", fake)
    monkeypatch.setattr(
        demo,
        "AREA_SEEDERS",
        (
            ("first", "fake_area_demo:first"),
            ("missing", "trellis.not_an_area.demo:seed"),
            ("broken", "fake_area_demo:broken"),
            ("last", "fake_area_demo:last"),
        ),
    )
    summary = seed_demo_district(students=20, seed=2, progress=lambda _line: None)
    district = District.objects.get()
    assert calls == [
        ("first", district.pk, 6),
        ("broken", district.pk, 6),
        ("last", district.pk, 6),
    ]
    assert "not seeded" in summary and "broken" in summary
