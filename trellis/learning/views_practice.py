"""The practice page: a student works through a standard's items one at a time.

**The flow.** ``/practice/<standard>/`` shows one item: its prompt, the steps answered so far
and the current step's question with an input suited to its interaction (radio buttons or
check boxes for choices, a text box with a hint of the expected form for text and math). An
answer is checked at once by the engine's :func:`~trellis.engine.content.check_answer`:

- *correct* — the item moves to its next step (OATutor problems walk step by step) and, after
  the last, shows the worked steps and a "Next problem" button;
- *not quite* — the feedback says so (and why, when the form is wrong), the student tries again;
- *unreadable* — "I couldn't read that": no penalty, nothing recorded.

Hints and scaffolds (sub-questions with their own answer box) are revealed one at a time on
request; after a wrong answer or once every hint is out, "Show me the answer" finishes the step.

**Evidence.** Every readable answer of a student to a step is recorded through
:func:`trellis.learning.actions.do_record_evidence` (kind ``practice``) with the item's aligned
standards, correct, first attempt, hints used and seconds taken. The form carries an idempotency
key — a UUID put in a hidden field by the page (by ``practice.js`` when scripts run, by the
server otherwise), fresh for every attempt — so a retried submit is stored once. Teachers and
admins may open the page as a preview: everything works, nothing is recorded.

**State.** Where the student is (item, step, hints shown, tries) lives in the session, per
standard: the forms only say which item and step they answer, so a stale or replayed form is
recognised and changes nothing. Everything works as plain form posts; with htmx the answer, hint
and next buttons swap only the practice panel.

**Which item next.** The items aligned to the standard (or to its parts), those the student
has not yet answered correctly first, each group in a shuffle seeded by student and standard
(deterministic, but different students see different orders); an item is not repeated until
every item has been seen.
"""

from __future__ import annotations

import contextlib
import random
import time
import uuid
from dataclasses import dataclass, field
from typing import Any

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import NoReverseMatch, reverse
from django.views.decorators.http import require_POST

from trellis.accounts.models import Role, User
from trellis.accounts.permissions import NotFound
from trellis.content.items import engine_item
from trellis.content.queries import (
    access_standard,
    can_edit_content,
    can_import_items,
    can_read_content,
    get_item,
    playlists_visible_to,
    practice_items,
    standards_visible_to,
)
from trellis.content.rendering import render_text, step_display
from trellis.engine import content as engine
from trellis.engine.content import AnswerResult, InteractionType, check_answer
from trellis.learning.actions import do_record_evidence
from trellis.learning.models import EvidenceEvent

MAX_SECONDS = 3600.0  # a step left open over lunch is not an hour of work


# -- session state --------------------------------------------------------------------------------


@dataclass
class PracticeState:
    """Where a person is in practising one standard (kept in the session)."""

    item: int | None = None
    step: int = 0
    hints: int = 0  # pathway entries revealed for the current step
    tries: int = 0  # readable wrong answers to the current step
    started: float = field(default_factory=time.time)
    revealed: bool = False  # "show me the answer" for the current step
    done: bool = False
    answers: dict[str, str] = field(default_factory=dict)  # step id -> accepted answer
    scaffolds: dict[str, str] = field(default_factory=dict)  # scaffold id -> its answer, if right
    seen: list[int] = field(default_factory=list)
    last_key: str = ""
    last_verdict: str = ""
    last_message: str = ""
    last_response: str = ""  # shown again in the box after a wrong or unreadable answer
    last_scaffold: str = ""  # the scaffold the feedback is about, if any

    @classmethod
    def load(cls, request: HttpRequest, standard: Any) -> PracticeState:
        data = request.session.get(_session_key(standard), {})
        state = cls()
        for name, value in data.items():
            if hasattr(state, name):
                setattr(state, name, value)
        return state

    def save(self, request: HttpRequest, standard: Any) -> None:
        request.session[_session_key(standard)] = dict(self.__dict__)

    def start_item(self, item_id: int | None) -> None:
        self.item = item_id
        self.step = self.hints = self.tries = 0
        self.revealed = self.done = False
        self.answers, self.scaffolds = {}, {}
        self.started = time.time()
        self.last_key = self.last_verdict = self.last_message = self.last_scaffold = ""
        self.last_response = ""
        if item_id is not None and item_id not in self.seen:
            self.seen.append(item_id)

    def next_step(self, step_count: int) -> None:
        self.step += 1
        self.hints = self.tries = 0
        self.revealed = False
        self.started = time.time()
        if self.step >= step_count:
            self.done = True


def _session_key(standard: Any) -> str:
    return f"practice:{standard.id}"


# -- who and what ---------------------------------------------------------------------------------


def _viewer(request: HttpRequest) -> User:
    user: User = request.user  # type: ignore[assignment]
    if not can_read_content(user):
        raise NotFound
    return user


def _is_practising(user: User) -> bool:
    """Students practise for themselves; everyone else is previewing."""
    return user.role == Role.STUDENT


def practice_order(user: User, standard: Any) -> list[int]:
    """Item ids in the order this person meets them (see the module docstring); the items are
    :func:`~trellis.content.queries.practice_items`."""
    ids = list(practice_items(standard).order_by("identifier").values_list("id", flat=True))
    random.Random(f"{user.id}:{standard.id}").shuffle(ids)  # noqa: S311 - order, not secrecy
    solved: set[int] = set()
    if _is_practising(user):
        solved = set(EvidenceEvent.objects.filter(
            student=user, item_id__in=ids, correct=True, first_attempt=True,
        ).values_list("item_id", flat=True))
    return [i for i in ids if i not in solved] + [i for i in ids if i in solved]


def _choose_next(user: User, standard: Any, state: PracticeState) -> int | None:
    order = practice_order(user, standard)
    if not order:
        return None
    fresh = [i for i in order if i not in state.seen]
    if not fresh:  # every item seen: start a new round, not with the one just done
        state.seen = []
        fresh = [i for i in order if i != state.item] or order
    return fresh[0]


def _pathway(step: engine.Step) -> list[engine.Hint | engine.Scaffold]:
    """Hints and scaffolds in the order they are revealed (sub-hints after their hint)."""
    flat: list[engine.Hint | engine.Scaffold] = []

    def walk(entries: tuple[engine.Hint | engine.Scaffold, ...]) -> None:
        for entry in entries:
            flat.append(entry)
            if isinstance(entry, engine.Hint):
                walk(entry.sub_hints)

    walk(step.hints)
    return flat


def _links(standard: Any, user: User) -> dict[str, str]:
    links = {"playlists": reverse("standard-playlists", args=[standard.id])}
    with contextlib.suppress(NoReverseMatch):  # the skill map may not be mounted
        links["standard"] = reverse("standard-detail", args=[standard.framework_id, standard.id])
    return links


# -- the page -------------------------------------------------------------------------------------


def _step_view(step: engine.Step, fmt: str, response: str = "") -> dict[str, Any]:
    return {
        "step": step,
        **step_display(step, fmt),
        "answer_html": render_text(_keyed_answer(step), fmt),
        "response": response,
    }


def _keyed_answer(step: engine.Step) -> str:
    if step.interaction is InteractionType.MULTIPLE_RESPONSE:
        return ", ".join(c.content for c in step.choices if c.identifier in step.correct_response)
    value = step.keyed_response
    if step.interaction is InteractionType.MATH_EXPRESSION and "$" not in value:
        value = f"$${value}$$"
    return value


def _panel_context(request: HttpRequest, standard: Any, state: PracticeState,
                   notice: str = "") -> dict[str, Any]:
    user: User = request.user  # type: ignore[assignment]
    context: dict[str, Any] = {
        "standard": standard, "state": state, "notice": notice,
        "preview": not _is_practising(user), "can_edit": can_edit_content(user),
        "links": _links(standard, user), "attempt_key": uuid.uuid4().hex,
        "playlist_count": playlists_visible_to(user).filter(standard=standard).count(),
    }
    row = get_item(state.item) if state.item is not None else None
    if row is None:
        context["item"] = None
        return context
    item = engine_item(row)
    fmt = item.source.format
    if state.step >= len(item.steps):
        state.done = True
    steps = []
    for index, step in enumerate(item.steps):
        view = _step_view(step, fmt, state.answers.get(step.identifier, ""))
        view["index"] = index
        view["status"] = ("done" if index < state.step or state.done
                          else "current" if index == state.step else "later")
        steps.append(view)
    current = None if state.done else steps[state.step]
    if current is not None:
        pathway = _pathway(item.steps[state.step])
        shown = []
        for entry in pathway[:state.hints]:
            if isinstance(entry, engine.Scaffold):
                shown.append({"scaffold": True, "id": entry.identifier,
                              "step": _step_view(entry.step, fmt),
                              "answered": state.scaffolds.get(entry.identifier, "")})
            else:
                shown.append({"scaffold": False, "title": render_text(entry.title, fmt),
                              "text": render_text(entry.text, fmt)})
        current["pathway"] = shown
        current["more_hints"] = state.hints < len(pathway)
        current["can_reveal"] = state.tries > 0 or state.hints >= len(pathway)
    worked = []
    if state.done:
        for step in item.steps:
            worked.append({
                "title": render_text(step.title or step.prompt, fmt),
                "hints": [render_text(entry.text or entry.title, fmt)
                          for entry in _pathway(step) if isinstance(entry, engine.Hint)],
                "scaffolds": [{"prompt": render_text(entry.step.prompt or entry.step.title, fmt),
                               "answer": render_text(_keyed_answer(entry.step), fmt)}
                              for entry in _pathway(step) if isinstance(entry, engine.Scaffold)],
                "answer": render_text(_keyed_answer(step), fmt),
            })
    attribution = item.attribution
    context.update({
        "item": item, "row": row, "prompt": render_text(item.prompt, fmt), "steps": steps,
        "current": current, "worked": worked, "multi_step": len(item.steps) > 1,
        "attribution": {
            "source": attribution.source_name or row.attribution,
            "source_url": attribution.source_url,
            "license": attribution.license_name or row.license,
            "license_url": attribution.license_url,
            "adapted_by": "OATutor" if fmt == "oatutor" else "",
        },
    })
    return context


def _render(request: HttpRequest, standard: Any, state: PracticeState,
            notice: str = "") -> HttpResponse:
    context = _panel_context(request, standard, state, notice)
    if request.htmx:  # type: ignore[attr-defined]
        return render(request, "learning/practice_panel.html", context)
    return render(request, "learning/practice.html", context)


@login_required
def practice(request: HttpRequest, standard_id: int) -> HttpResponse:
    user = _viewer(request)
    standard = access_standard(user, standard_id)
    state = PracticeState.load(request, standard)
    if state.item is None or not practice_items(standard).filter(id=state.item).exists():
        state.start_item(_choose_next(user, standard, state))
        state.save(request, standard)
    return _render(request, standard, state)


def _current(request: HttpRequest, standard_id: int) -> tuple[User, Any, PracticeState, Any]:
    user = _viewer(request)
    standard = access_standard(user, standard_id)
    state = PracticeState.load(request, standard)
    row = (practice_items(standard).filter(id=state.item).first()
           if state.item is not None else None)
    if row is not None and state.step >= len(row.content.get("steps", ())):
        state.done = True  # the item was re-imported with fewer steps
    return user, standard, state, row


def _same_place(request: HttpRequest, state: PracticeState, row: Any) -> bool:
    """Does the form answer the step the person is on (not a stale or replayed form)?"""
    return (request.POST.get("item") == str(row.id)
            and request.POST.get("step") == str(state.step) and not state.done)


@require_POST
@login_required
def practice_answer(request: HttpRequest, standard_id: int) -> HttpResponse:
    user, standard, state, row = _current(request, standard_id)
    if row is None:
        return redirect("practice", standard_id=standard.id)
    item = engine_item(row)
    if not _same_place(request, state, row):
        return _render(request, standard, state, notice="That answer was already checked.")
    step = item.steps[state.step]
    scaffold_id = request.POST.get("scaffold", "")
    if scaffold_id:
        return _answer_scaffold(request, standard, state, step, scaffold_id)
    response: str | list[str]
    if step.interaction is InteractionType.MULTIPLE_RESPONSE:
        response = request.POST.getlist("response")
    else:
        response = request.POST.get("response", "")
    result = check_answer(step, response)
    key = request.POST.get("attempt_key", "")[:100] or uuid.uuid4().hex
    text = ", ".join(response) if isinstance(response, list) else response
    if result.readable:
        new_attempt = key != state.last_key
        if _is_practising(user):
            _, new_attempt = do_record_evidence(
                user, kind="practice", standards=row.alignments.all(), idempotency_key=key,
                correct=result.correct, score=result.score / step.scoring.max_score,
                item=row, step=step.identifier, first_attempt=state.tries == 0,
                hints_used=state.hints, seconds=min(time.time() - state.started, MAX_SECONDS),
                response=text,
            )
        if new_attempt:
            _apply(state, item, step, result, text)
        state.last_key = key
    state.last_verdict, state.last_message = _feedback(step, result, response)
    state.last_scaffold = ""
    state.last_response = "" if result.correct or isinstance(response, list) else text.strip()
    state.save(request, standard)
    return _render(request, standard, state)


def _apply(state: PracticeState, item: engine.Item, step: engine.Step, result: AnswerResult,
           text: str) -> None:
    if result.correct:
        state.answers[step.identifier] = text
        state.next_step(len(item.steps))
    else:
        state.tries += 1
        state.started = time.time()  # the next attempt's seconds start now


def _feedback(step: engine.Step, result: AnswerResult,
              response: str | list[str]) -> tuple[str, str]:
    if not result.readable:
        return "unreadable", result.message or "I couldn't read that. Check what you typed."
    if result.correct:
        return "correct", result.message or "Correct!"
    message = result.message or "Not quite. Try again."
    # the page already says "Not quite." in bold; keep only what follows
    message = message.removeprefix("Not quite.").strip() or "Try again."
    if step.choices and isinstance(response, str):
        extra = step.feedback.for_choice(response)
        if extra:
            message = f"{message} {extra}"
    return "incorrect", message


def _answer_scaffold(request: HttpRequest, standard: Any, state: PracticeState,
                     step: engine.Step, scaffold_id: str) -> HttpResponse:
    shown = _pathway(step)[:state.hints]
    scaffold = next((e for e in shown if isinstance(e, engine.Scaffold)
                     and e.identifier == scaffold_id), None)
    if scaffold is None:
        return _render(request, standard, state)
    response = request.POST.get("response", "")
    result = check_answer(scaffold.step, response)
    if result.correct:
        state.scaffolds[scaffold_id] = response
    state.last_verdict, state.last_message = _feedback(scaffold.step, result, response)
    state.last_scaffold = scaffold_id
    state.save(request, standard)
    return _render(request, standard, state)


@require_POST
@login_required
def practice_hint(request: HttpRequest, standard_id: int) -> HttpResponse:
    """Reveal the next hint or scaffold; with ``show=answer``, show the step's answer."""
    _, standard, state, row = _current(request, standard_id)
    if row is None:
        return redirect("practice", standard_id=standard.id)
    if not _same_place(request, state, row):
        return _render(request, standard, state)
    item = engine_item(row)
    step = item.steps[state.step]
    state.last_verdict = state.last_message = state.last_scaffold = ""
    if request.POST.get("show") == "answer":
        state.answers[step.identifier] = ""
        state.last_verdict = "revealed"
        state.last_message = "Here is the answer. Read the worked steps, then try the next one."
        state.next_step(len(item.steps))
    elif state.hints < len(_pathway(step)):
        state.hints += 1
    state.save(request, standard)
    return _render(request, standard, state)


@require_POST
@login_required
def practice_next(request: HttpRequest, standard_id: int) -> HttpResponse:
    user, standard, state, _ = _current(request, standard_id)
    if state.done or state.item is None or request.POST.get("skip"):
        state.start_item(_choose_next(user, standard, state))
        state.save(request, standard)
    if request.htmx:  # type: ignore[attr-defined]
        return _render(request, standard, state)
    return redirect("practice", standard_id=standard.id)


# -- the list of standards to practise ------------------------------------------------------------


def standards_with_items(user: User) -> list[dict[str, Any]]:
    """Standards of the person's district that have practice items, with counts."""
    from django.db.models import Count

    rows = (standards_visible_to(user).annotate(item_count=Count("items", distinct=True))
            .filter(item_count__gt=0).select_related("framework"))
    result = [{"standard": s, "count": s.item_count,  # type: ignore[attr-defined]
               "grade": s.grade, "levels": s.education_levels or [s.grade]} for s in rows]
    result.sort(key=lambda r: (_grade_rank(r["grade"]), r["standard"].code))
    return result


def _grade_rank(grade: str) -> tuple[int, str]:
    if grade in {"K", "KG"}:
        return (0, grade)
    return (int(grade), grade) if grade.isdigit() else (99, grade)


def for_grade(entries: list[dict[str, Any]], grade: str) -> list[dict[str, Any]]:
    """Entries whose education levels include ``grade`` (``07`` matches ``7`` too)."""
    if not grade:
        return []
    wanted = {grade, grade.lstrip("0") or "0", grade.zfill(2)}
    return [e for e in entries if wanted & set(e["levels"])]


@login_required
def practice_home(request: HttpRequest) -> HttpResponse:
    user = _viewer(request)
    entries = standards_with_items(user)
    mine = for_grade(entries, user.grade) if user.role == Role.STUDENT else []
    return render(request, "learning/practice_home.html", {
        "entries": entries, "mine": mine, "preview": not _is_practising(user),
        "can_import": can_import_items(user), "can_edit": can_edit_content(user),
    })
