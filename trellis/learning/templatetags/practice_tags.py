"""``{% practice_for user as entries %}``: standards a student can practise, for home pages.

Their own grade's standards first (those whose education levels include the student's grade),
then the rest — so the home page can show a short "Practice" list without its view knowing
about the item bank.
"""

from __future__ import annotations

from typing import Any

from django import template

from trellis.accounts.models import User

register = template.Library()


@register.simple_tag
def practice_for(user: User, limit: int = 8) -> list[dict[str, Any]]:
    from trellis.learning.views_practice import for_grade, standards_with_items

    entries = standards_with_items(user)
    mine = for_grade(entries, getattr(user, "grade", ""))
    rest = [e for e in entries if e not in mine]
    return (mine + rest)[:limit]
