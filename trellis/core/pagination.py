"""Pagination of API lists with bounds: django-ninja's limit/offset, each kept to what a
database column holds, so a huge ``offset`` is a 422 that says why, not a server error (SQLite
refuses a number past 64 bits)."""

from __future__ import annotations

from ninja import Field, Schema
from ninja.pagination import LimitOffsetPagination

MAX_LIMIT = 1000  # rows in one page
MAX_OFFSET = 2**31 - 1


class BoundedLimitOffset(LimitOffsetPagination):
    """``?limit=`` (1 to :data:`MAX_LIMIT`, default 100) and ``?offset=`` (0 to
    :data:`MAX_OFFSET`)."""

    class Input(Schema):
        limit: int = Field(100, ge=1, le=MAX_LIMIT)
        offset: int = Field(0, ge=0, le=MAX_OFFSET)
