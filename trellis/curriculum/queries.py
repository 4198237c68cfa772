"""Permission-checked reads of frameworks and standards, and the skill map's colouring.

Who may see a framework: **every signed-in person of its district** (students, guardians and
staff all browse the map of what is learned); nobody sees another district's. Only district
administrators import and export frameworks (:func:`can_manage_frameworks`). As everywhere in
Trellis, ``access_*`` raises :class:`~trellis.accounts.permissions.NotFound` for a missing and
a forbidden object alike.

:func:`map_colouring` is the hook through which the learner model colours the map: for one
student, every standard of a framework is *mastered*, *ready to learn* (not mastered, every
prerequisite mastered) or *not yet*, by the district's one mastery rule
(:class:`~trellis.engine.mastery.MasteryRule`) applied to the student's
:class:`~trellis.learning.models.MasteryState` rows. With no evidence at all the map stays
neutral (an empty colouring): calling every first standard "ready" for a student we know
nothing about would tell nobody anything.
"""

from __future__ import annotations

from typing import Literal

from django.db.models import QuerySet

from trellis.accounts.models import User
from trellis.accounts.permissions import NotFound, district_id_of, is_district_admin
from trellis.curriculum.adapters import load_framework
from trellis.curriculum.models import Framework, Standard
from trellis.engine.mastery import EvidenceSummary, MasteryRule

MapStatus = Literal["mastered", "ready", "not_yet"]

MAP_STATUS_LABELS: dict[str, str] = {
    "mastered": "Mastered",
    "ready": "Ready to learn",
    "not_yet": "Not yet",
}


def frameworks_visible_to(user: User) -> QuerySet[Framework]:
    """The frameworks of the user's own district (none for anonymous or inactive people)."""
    district_id = district_id_of(user)
    if district_id is None:
        return Framework.objects.none()
    return Framework.objects.filter(district_id=district_id)


def can_manage_frameworks(user: User) -> bool:
    """Import and export are for district administrators."""
    return is_district_admin(user)


def access_framework(user: User, framework_id: int) -> Framework:
    try:
        return frameworks_visible_to(user).get(id=framework_id)
    except Framework.DoesNotExist:
        raise NotFound from None


def access_managed_framework(user: User, framework_id: int) -> Framework:
    """A framework the user may export (district admins of its district)."""
    if not can_manage_frameworks(user):
        raise NotFound
    return access_framework(user, framework_id)


def access_standard(user: User, framework: Framework, standard_id: int) -> Standard:
    """A standard of a framework the caller already obtained through access_framework."""
    if framework.district_id != user.district_id:
        raise NotFound
    try:
        return Standard.objects.select_related("parent").get(
            framework=framework, id=standard_id
        )
    except Standard.DoesNotExist:
        raise NotFound from None


def mastery_rule_for(district_id: int | None) -> MasteryRule:
    """The district's one mastery rule, shown the same to students, teachers, guardians and in
    exports. Districts configure it in their plan settings (the default when they have not)."""
    from trellis.plans.adapters import mastery_rule  # plans builds on curriculum: import late

    return mastery_rule(district_id)


def evidence_summaries(student: User, framework: Framework) -> dict[str, EvidenceSummary]:
    """The student's learner-model state on a framework's standards, by graph node key."""
    from trellis.learning.models import MasteryState

    keys = load_framework(framework).keys
    states = MasteryState.objects.filter(
        student=student, standard__framework=framework
    ).values_list("standard_id", "probability", "evidence_count", "evidence_days")
    summaries: dict[str, EvidenceSummary] = {}
    for standard_id, probability, count, days in states:
        key = keys.get(standard_id)
        if key is None:
            continue  # a grade, domain or cluster row: not a node of the map
        distinct_days = len(set(days or []))
        summaries[key] = EvidenceSummary(
            probability=min(1.0, max(0.0, probability)),
            evidence_days=min(distinct_days, count),
            evidence_count=count,
        )
    return summaries


def map_colouring(student: User, framework: Framework | None = None) -> dict[str, MapStatus]:
    """Each standard's map status for ``student``: ``{code: "mastered" | "ready" |
    "not_yet"}``; empty (a neutral map) when the student has no evidence on the framework.

    Without ``framework``, every framework of the student's district is coloured (the keys
    are graph node keys, normally the standards' codes).
    """
    if framework is not None:
        frameworks = [framework]
    elif student.district_id is None:
        return {}
    else:
        frameworks = list(Framework.objects.filter(district_id=student.district_id))
    rule = mastery_rule_for(student.district_id)
    colouring: dict[str, MapStatus] = {}
    for each in frameworks:
        state = evidence_summaries(student, each)
        if not state:
            continue
        classification = rule.classify(load_framework(each).graph, state)
        colouring.update(dict.fromkeys(classification.not_yet, "not_yet"))
        colouring.update(dict.fromkeys(classification.ready, "ready"))
        colouring.update(dict.fromkeys(classification.mastered, "mastered"))
    return colouring
