"""Permission-checked reads of frameworks and standards.

Who may see a framework: **every signed-in person of its district** (students, guardians and
staff all browse the map of what is learned); nobody sees another district's. Only district
administrators import and export frameworks (:func:`can_manage_frameworks`). As everywhere in
Trellis, ``access_*`` raises :class:`~trellis.accounts.permissions.NotFound` for a missing and
a forbidden object alike.

The skill map's colouring by a student's mastery is the learning app's
(:func:`trellis.learning.queries.map_colouring`).
"""

from __future__ import annotations

from collections.abc import Iterable

from django.db.models import QuerySet

from trellis.accounts.models import User
from trellis.accounts.permissions import NotFound, district_id_of, is_district_admin
from trellis.frameworks.models import Framework, Standard, StandardAssociation


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


# -- plain reads for the pages of other apps (the caller has already checked who may see them) --


def district_frameworks(district_id: int) -> QuerySet[Framework]:
    """Every framework of a district (the caller decided the viewer may see the district's)."""
    return Framework.objects.filter(district_id=district_id)


def standards_among(framework: Framework, standard_ids: Iterable[int]) -> QuerySet[Standard]:
    """The framework's standards with these ids (ids of other frameworks are left out)."""
    return Standard.objects.filter(framework=framework, id__in=standard_ids)


def related_standard_ids(framework: Framework, standard: Standard) -> set[int]:
    """The standards of the framework linked to ``standard`` by an ``isRelatedTo`` association,
    either way round (two queries); endpoints outside the framework have no id and are left
    out."""
    related = set(
        StandardAssociation.objects.filter(
            framework=framework, association_type="isRelatedTo", origin=standard
        ).values_list("destination_id", flat=True)
    ) | set(
        StandardAssociation.objects.filter(
            framework=framework, association_type="isRelatedTo", destination=standard
        ).values_list("origin_id", flat=True)
    )
    return {standard_id for standard_id in related if standard_id is not None}


def get_district_standard(district_id: int, standard_id: int) -> Standard | None:
    """The standard with this id if it is in one of the district's frameworks, with its
    framework; None otherwise."""
    return Standard.objects.filter(
        framework__district_id=district_id, id=standard_id
    ).select_related("framework").first()


def get_district_standard_by_code(district_id: int, code: str) -> Standard | None:
    """The first standard (in framework order) with exactly this code among the district's
    frameworks, with its framework; None if there is none."""
    return Standard.objects.filter(
        framework__district_id=district_id, code=code
    ).select_related("framework").first()
