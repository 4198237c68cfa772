"""The accessibility crawl: every page of every role of the demo district, checked with axe-core
at a phone's width.

The demo district is seeded small (20 students). Each role signs in as its showcase account
(``DemoAccount``), with one browser context per role at 375 × 812 px, and visits every page the
access matrix (``tests/access_matrix/``) lets that role open for its own objects: the route list
is the matrix's, and the ids come from the matrix's own ``target`` functions, called on a
:class:`~tests.world.World` whose "own" objects are the demo's (the showcase student, their class,
school, check-ups, goals, playlists...). A new page with a matrix entry joins the crawl by
itself; one whose target needs an object this file does not provide fails here, naming it.

Besides the pages, the crawl visits the main htmx and form states: practice with the feedback
shown and a hint open, the check-up's question after an unreadable answer and after a skip, and
a job page while the job runs.

On every page it fails on:

- any **serious or critical** axe-core violation (WCAG 2.0/2.1/2.2 A and AA rules, and axe's
  best practices), naming the rule, the element's selector and the page;
- a page that **scrolls sideways** at 375 px (``scrollWidth > clientWidth + 1``): wide tables
  scroll inside their own container instead.

axe-core comes from the ``axe-playwright-python`` dev dependency (it ships ``axe.min.js``), so
nothing is fetched at run time. Every finding, of every impact, is written to
``test-artifacts/accessibility-report.json``; screenshots of a few pages at 375 px land beside it.
"""

from __future__ import annotations

import json
import re
import time
from collections import Counter
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

import pytest
from django.conf import settings
from django.urls import reverse
from django.utils import timezone
from playwright.sync_api import TimeoutError as PlaywrightTimeoutError

from tests.access_matrix import Endpoint, all_endpoints
from tests.browser.conftest import ARTIFACTS, screenshot, sign_in
from tests.world import ROLES, World

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PHONE = {"width": 375, "height": 812}
FAILING_IMPACTS = ("serious", "critical")
AXE_OPTIONS = {
    "runOnly": {
        "type": "tag",
        "values": ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa", "best-practice"],
    },
    "resultTypes": ["violations"],
}
# Pages left out of the crawl, and why. Non-HTML answers (.ics, exports, JSON) and htmx
# fragments are skipped by what they are, not listed here.
NOT_CRAWLED = {
    "api:openapi-view": "Swagger UI, a third-party page for developers (known gap, see "
                        "docs/accessibility.md)",
}
# The pages photographed at 375 px for a person to look at: (role, url name).
SCREENSHOTS = {
    ("anonymous", "login"), ("anonymous", "accessibility"), ("student", "home"),
    ("student", "student-mastery"), ("teacher", "diagnostic-class"), ("teacher", "today-class"),
    ("district_admin", "audit-log"), ("district_admin", "school-setup"),
}


# -- the demo as a matrix world ------------------------------------------------------------------


def _finish_checkup(student: Any, framework: Any) -> Any:
    """A finished check-up for ``student``, driven through the real actions."""
    from trellis.diagnostics import actions

    session = actions.do_start_session(student, framework)
    for n in range(120):
        item = actions.live(session).next_item()
        if item is None:
            break
        actions.do_answer(session.id, student, engine_item=item, idempotency_key=f"a11y-{n}",
                          correct=n % 3 != 2, response="(crawl)")
        session.refresh_from_db()
    assert session.finished, "the crawl's check-up did not finish"
    return session


def demo_world() -> World:
    """The demo district dressed as the matrix's world, for the scope "own" of each role: the
    showcase accounts are the actors, the showcase student ``s_a1`` and their math teacher
    ``t_a1``, and ``world.extra`` holds the demo's objects the matrix's targets ask for."""
    from trellis.accounts.models import Role, School, User
    from trellis.content.models import Item, Playlist
    from trellis.core.models import DemoAccount, Job
    from trellis.core.runners import this_runner
    from trellis.diagnostics import actions as diagnostics
    from trellis.diagnostics.queries import diagnostic_frameworks
    from trellis.frameworks.models import Framework
    from trellis.learning.models import MasteryState
    from trellis.plans.models import Goal, ProjectProposal
    from trellis.roster.models import Enrollment, RosterImportJob

    accounts = {a.user.role: a.user for a in DemoAccount.objects.select_related("user")}
    student, teacher = accounts[Role.STUDENT], accounts[Role.TEACHER]
    klass = (Enrollment.objects.filter(user=student, klass__enrollments__user=teacher)
             .select_related("klass").order_by("klass__id").first())
    assert klass is not None, "the demo student is in the demo teacher's class"
    district, school = student.district, student.school
    assert district is not None and school is not None
    # World.school() looks every scope's school up: the demo's other school stands in for
    # those the crawl never opens ("other_school", "other_district").
    other = School.objects.filter(district=district).exclude(id=school.id).first() or school
    world = World(districts={"a": district}, schools={"a1": school, "a2": other, "b1": other},
                  classes={"a1": klass.klass})
    world.users = {"s_a1": student, "t_a1": teacher}
    world.users.update({f"actor_{role}": user for role, user in accounts.items()})

    playlist = next(p for p in Playlist.objects.filter(district=district)
                    .select_related("standard").order_by("id")
                    if Item.objects.filter(alignments=p.standard).exists())
    entry = playlist.entries.select_related("activity").order_by("position").first()
    assert entry is not None
    framework = Framework.objects.get(id=playlist.standard.framework_id)
    mastered = (MasteryState.objects.filter(student=student).select_related("standard")
                .order_by("id").first())
    checkups = max(diagnostic_frameworks(district.id), key=lambda f: f.id)
    world.extra.update({
        "framework_a": framework,
        "standard_a": playlist.standard,
        "learning_standard_a": mastered.standard if mastered else playlist.standard,
        "practice_a": {
            "standard": playlist.standard, "playlist": playlist, "entry": entry,
            "activity": entry.activity,
            "item": Item.objects.filter(alignments=playlist.standard).order_by("id").first(),
        },
        "plans_goal_own": Goal.objects.filter(student=student).order_by("id").first(),
        "plans_proposal_own": ProjectProposal.objects.filter(student=student).order_by("id")
        .first(),
        "diagnostic_done_own": _finish_checkup(student, checkups),
        "diagnostic_open_own": diagnostics.do_start_session(student, checkups),
        # a job the teacher started, still running: the job page polls its progress
        "job_own": Job.objects.create(
            district=district, kind="schedule", title="Building the week", created_by=teacher,
            status=Job.Status.RUNNING, progress=0.4, message="Placing small groups",
            runner=this_runner(),  # the live server's process: not "gone", so it stays running
        ),
        "roster_job_a": RosterImportJob.objects.create(
            district=district, file_name="roster-check.zip",
            job=Job.objects.create(
                kind="roster.import", title="Check of roster-check.zip", district=district,
                status=Job.Status.SUCCEEDED,
                result={"headline": "The file is valid.", "counts": {}, "issue_count": 0},
            ),
        ),
        "former_student_a": User.objects.create(
            username="former_a11y", first_name="Former", last_name="Student",
            role=Role.STUDENT, district=district, is_active=False, sourced_id="former-a11y",
            deactivated_at=timezone.now(),
        ),
    })
    for key, value in world.extra.items():
        assert value is not None, f"the demo has no object for {key}"
    return world


@dataclass(frozen=True)
class Visit:
    url_name: str
    url: str


def pages_by_role(world: World) -> dict[str, list[Visit]]:
    """Every GET page of the matrix that each role may open for its own objects."""
    pages: dict[str, list[Visit]] = {role: [] for role in ROLES}
    problems: list[str] = []
    for endpoint in all_endpoints():
        if endpoint.api or endpoint.method != "GET" or endpoint.ok_status != 200:
            continue
        if endpoint.url_name in NOT_CRAWLED:
            continue
        for role in ROLES:
            scope = "own" if endpoint.target is not None else "-"
            if scope not in endpoint.allowed.get(role, frozenset()):
                continue
            url = _url(endpoint, world, scope, problems)
            if url and all(v.url != url for v in pages[role]):
                pages[role].append(Visit(endpoint.url_name, url))
    assert not problems, "\n".join(problems)
    return pages


def _url(endpoint: Endpoint, world: World, scope: str, problems: list[str]) -> str | None:
    try:
        kwargs = endpoint.target(world, scope) if endpoint.target else {}
    except KeyError as missing:
        problems.append(f"{endpoint.url_name}: the crawl's demo_world() has no {missing} "
                        "(add the demo's object for it)")
        return None
    return reverse(endpoint.url_name, kwargs=kwargs or {})


# -- checking a page -----------------------------------------------------------------------------


@dataclass
class Findings:
    pages: Counter[str] = field(default_factory=Counter)  # role -> pages checked
    skipped: list[str] = field(default_factory=list)
    failures: list[str] = field(default_factory=list)
    sideways: list[str] = field(default_factory=list)
    report: list[dict[str, Any]] = field(default_factory=list)

    def by_rule(self, impacts: tuple[str, ...] = FAILING_IMPACTS) -> Counter[str]:
        counts: Counter[str] = Counter()
        for entry in self.report:
            for violation in entry["violations"]:
                if violation["impact"] in impacts:
                    counts[violation["id"]] += len(violation["nodes"])
        return counts


def _axe_script() -> str:
    from axe_playwright_python.base import AXE_SCRIPT

    return AXE_SCRIPT


def check(page: Any, role: str, label: str, findings: Findings) -> None:
    """axe-core and the sideways-scroll check on the page as it is now."""
    page.evaluate(_axe_script())
    results = page.evaluate("options => axe.run(document, options)", AXE_OPTIONS)
    width = page.evaluate(
        "() => [document.documentElement.scrollWidth, document.documentElement.clientWidth]"
    )
    where = f"{role} {label}"
    findings.pages[role] += 1
    violations = [
        {"id": v["id"], "impact": v["impact"], "help": v["help"],
         "nodes": [{"target": n["target"], "html": n["html"][:200]} for n in v["nodes"]]}
        for v in results["violations"]
    ]
    findings.report.append({"role": role, "page": label, "url": page.url,
                            "scroll_width": width[0], "client_width": width[1],
                            "violations": violations})
    for violation in violations:
        if violation["impact"] not in FAILING_IMPACTS:
            continue
        for node in violation["nodes"][:5]:
            selector = " ".join(str(part) for part in node["target"])
            findings.failures.append(
                f"{where}: {violation['id']} ({violation['impact']}) at {selector} — "
                f"{violation['help']}"
            )
        if len(violation["nodes"]) > 5:
            findings.failures.append(
                f"{where}: {violation['id']} on {len(violation['nodes']) - 5} more elements"
            )
    if width[0] > width[1] + 1:
        widest = page.evaluate(WIDEST_ELEMENT)
        findings.sideways.append(f"{where}: {width[0]} px wide at {width[1]} px ({widest})")


# The elements that stick out past the right edge, for the message: those a scrolling box
# clips do not widen the page, unless they are positioned out of it (a visually hidden
# caption in a scroller that is not itself positioned does).
WIDEST_ELEMENT = """() => {
  const limit = document.documentElement.clientWidth + 1;
  const found = [];
  for (const el of document.querySelectorAll("body *")) {
    const right = el.getBoundingClientRect().right;
    if (right <= limit) continue;
    const escapes = ["absolute", "fixed"].includes(getComputedStyle(el).position);
    let clipped = false;
    for (let up = el.parentElement; up && up !== document.body && !escapes; up = up.parentElement) {
      if (getComputedStyle(up).overflowX !== "visible") { clipped = true; break; }
    }
    if (clipped) continue;
    const id = el.id ? "#" + el.id : "";
    const cls = el.classList.length ? "." + [...el.classList].join(".") : "";
    found.push(`${el.tagName.toLowerCase()}${id}${cls} reaches ${Math.round(right)} px`);
  }
  return found.slice(-3).join(", ") || "no single element";
}"""


def visit(page: Any, base_url: str, role: str, item: Visit, findings: Findings) -> bool:
    """Open one page; returns whether it was an HTML page and was checked."""
    label = f"{item.url_name} {item.url}"
    # Asked first without the page, so a download (.ics, an export) does not start one.
    answer = page.request.get(f"{base_url}{item.url}", max_redirects=0)
    if answer.status >= 300:
        findings.failures.append(f"{role} {label}: answered {answer.status}")
        return False
    kind = answer.headers.get("content-type", "")
    body = answer.text() if "text/html" in kind else ""
    if "text/html" not in kind or "<html" not in body[:600].lower():
        findings.skipped.append(f"{role} {label} ({kind.split(';')[0] or 'no type'}"
                                f"{', a fragment' if 'text/html' in kind else ''})")
        return False
    page.goto(f"{base_url}{item.url}", wait_until="load")
    check(page, role, label, findings)
    if (role, item.url_name) in SCREENSHOTS:
        screenshot(page, f"a11y-375-{role}-{item.url_name}")
    return True


# -- the htmx and form states --------------------------------------------------------------------


def practice_states(page: Any, base_url: str, world: World, findings: Findings) -> None:
    """Practice: a wrong answer (the feedback shown and announced), then a hint."""
    standard = world.extra["practice_a"]["standard"]
    page.goto(f"{base_url}{reverse('practice', kwargs={'standard_id': standard.id})}")
    panel = page.locator("#practice-panel")
    choice = panel.locator(".answer-form input[type=radio]")
    if choice.count():
        choice.first.check()
    else:
        panel.locator(".answer-form .answer-input").first.fill("12345")
    _clear_live(page)
    panel.get_by_role("button", name="Check my answer").click()
    page.locator("#practice-panel .feedback").first.wait_for()
    announced = _announced(page)
    check(page, "student", "practice with feedback", findings)
    if not re.search(r"Correct|Not quite|couldn't read|Answer shown", announced):
        findings.failures.append(
            f"student practice with feedback: the feedback is not announced (live region "
            f"says {announced!r})")
    screenshot(page, "a11y-375-student-practice-feedback")
    hint = page.locator("#practice-panel").get_by_role("button", name=re.compile("hint"))
    if hint.count():
        _clear_live(page)
        hint.first.click()
        page.locator("#practice-panel .hints").wait_for()
        if not re.match(r"Hint|Try this smaller question", _announced(page)):
            findings.failures.append("student practice with a hint: the hint is not announced")
        check(page, "student", "practice with a hint", findings)


def checkup_states(page: Any, base_url: str, world: World, findings: Findings) -> None:
    """The check-up: a question after an unreadable answer, then the next question."""
    session = world.extra["diagnostic_open_own"]
    page.goto(f"{base_url}{reverse('diagnostic-session', kwargs={'session_id': session.id})}")
    box = page.locator("#diag-answer")
    if box.count():
        box.fill("???")
        page.get_by_role("button", name="Send answer").click()
        page.wait_for_load_state("load")
        check(page, "student", "check-up question, answer unreadable", findings)
    page.get_by_role("button", name="I don't know yet").click()
    page.wait_for_load_state("load")
    check(page, "student", "check-up next question", findings)
    screenshot(page, "a11y-375-student-checkup-question")


LIVE_TEXT = "(document.getElementById('live-polite') || {}).textContent || ''"


def _clear_live(page: Any) -> None:
    page.evaluate("() => { const r = document.getElementById('live-polite'); "
                  "if (r) r.textContent = ''; }")


def _announced(page: Any) -> str:
    """What the polite live region says once it has something to say after a swap (live.js
    empties it, then writes the new text a moment later); empty if nothing came."""
    try:
        # a function, not an expression: the page's CSP refuses eval of a string
        page.wait_for_function(f"() => ({LIVE_TEXT}).trim() !== ''", timeout=5_000)
    except PlaywrightTimeoutError:
        return ""
    return str(page.evaluate(f"() => {LIVE_TEXT}")).strip()


STATES: dict[str, list[Callable[[Any, str, World, Findings], None]]] = {
    "student": [practice_states, checkup_states],
}


# -- the test ------------------------------------------------------------------------------------


@contextmanager
def phone(browser: Any) -> Iterator[Any]:
    """A fresh browser context at 375 px, and its page."""
    context = browser.new_context(viewport=PHONE)
    try:
        page = context.new_page()
        page.set_default_timeout(20_000)
        yield page
    finally:
        context.close()


def test_every_page_of_every_role_passes_axe_and_fits_a_phone(
    live_server: Any, browser: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("TRELLIS_JOBS_INLINE", "true")
    from trellis.portal.demo import seed_demo_district

    seed_demo_district(students=20, seed=7, progress=lambda _line: None)
    world = demo_world()
    pages = pages_by_role(world)
    findings = Findings()
    started = time.monotonic()
    for role in ROLES:
        with phone(browser) as page:
            actor = world.actor(role)
            if actor is not None:
                sign_in(page, live_server.url, actor.username, settings.DEMO_PASSWORD)
                page.wait_for_url(re.compile(r"^(?!.*/accounts/login/)"))
            for item in pages[role]:
                visit(page, live_server.url, role, item, findings)
            for state in STATES.get(role, []):
                state(page, live_server.url, world, findings)
    elapsed = time.monotonic() - started

    ARTIFACTS.mkdir(exist_ok=True)
    (ARTIFACTS / "accessibility-report.json").write_text(json.dumps({
        "pages_per_role": dict(findings.pages), "seconds": round(elapsed),
        "serious_or_critical_by_rule": dict(findings.by_rule()),
        "all_by_rule": dict(findings.by_rule(("minor", "moderate", "serious", "critical"))),
        "sideways": findings.sideways, "skipped": findings.skipped, "pages": findings.report,
    }, indent=1))
    for role in ROLES:
        assert findings.pages[role] >= 1, f"the crawl checked no page for {role}"
    assert sum(findings.pages.values()) >= 100, dict(findings.pages)
    problems = findings.failures + [f"scrolls sideways: {line}" for line in findings.sideways]
    assert not problems, (
        f"{len(findings.failures)} axe findings (serious or critical), "
        f"{len(findings.sideways)} pages scrolling sideways at 375 px, on "
        f"{sum(findings.pages.values())} pages; by rule {dict(findings.by_rule())}:\n"
        + "\n".join(problems[:300])
    )
