"""The district's mastery rule: the one rule that calls a standard *mastered*.

Mastery is learning's concept, but districts set their rule on the plan settings page, and the
plans app, which sits above learning in the house (``ARCHITECTURE.md``), stores it with
:class:`~trellis.plans.models.PlanSettings`. Learning therefore declares the question — "what is
this district's rule?" — and the plans app registers its answer when Django starts
(``PlansConfig.ready``), so learning never imports plans. With no answer registered, or for a
district that configured nothing, the rule is the engine's default
(:class:`~trellis.engine.mastery.MasteryRule`).
"""

from __future__ import annotations

from collections.abc import Callable

from trellis.engine.mastery import DEFAULT_RULE, MasteryRule

# district id -> the rule it configured, or None when it configured none
StoredRule = Callable[[int], MasteryRule | None]

_stored_rule: StoredRule | None = None


def register_stored_rule(source: StoredRule) -> None:
    """Called once, by the app that stores the districts' rules."""
    global _stored_rule
    _stored_rule = source


def mastery_rule_for(district_id: int | None) -> MasteryRule:
    """The district's one mastery rule, shown the same to students, teachers, guardians and in
    exports (the default when it configured none)."""
    if district_id is None or _stored_rule is None:
        return DEFAULT_RULE
    return _stored_rule(district_id) or DEFAULT_RULE
