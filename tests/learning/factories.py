"""Small districts with standards and students for the learning tests."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from trellis.accounts.actions import do_create_district, do_create_user
from trellis.accounts.models import District, Role, User
from trellis.frameworks.models import Framework, Standard
from trellis.learning.actions import do_record_evidence
from trellis.learning.models import EvidenceEvent

START = dt.datetime(2026, 9, 1, 9, 0, tzinfo=dt.UTC)
CODES = ("6.EE.A.1", "6.EE.A.2", "6.EE.A.3")


@dataclass
class Setting:
    district: District
    standards: dict[str, Standard]
    students: list[User]


def make_setting(key: str = "l", students: int = 2) -> Setting:
    district = do_create_district(f"District {key}", f"dist-{key}")
    framework = Framework.objects.create(district=district, identifier=f"fw-{key}",
                                         title="Expressions")
    standards = {
        code: Standard.objects.create(framework=framework, identifier=f"{key}-{code}", code=code,
                                      statement=f"Statement of {code}", position=i)
        for i, code in enumerate(CODES)
    }
    people = [do_create_user(district, f"{key}_s{i}", Role.STUDENT, first_name="Student",
                             last_name=str(i), grade="06") for i in range(students)]
    return Setting(district, standards, people)


def answer(student: User, standard: Standard, correct: bool, n: int, *,
           days: int = 0, key: str | None = None, **kw: object) -> EvidenceEvent:
    event, _ = do_record_evidence(
        student, kind=str(kw.pop("kind", "practice")), standards=[standard],
        idempotency_key=key or f"{student.username}-{standard.code}-{n}", correct=correct,
        occurred_at=START + dt.timedelta(days=days, minutes=n), **kw)  # type: ignore[arg-type]
    return event
