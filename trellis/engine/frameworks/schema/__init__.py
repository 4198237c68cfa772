"""The CASE 1.0 CFPackage JSON Schema and the two ways Trellis checks against it.

The schema file next to this module (``case-v1p0-cfpackage-schema.json``) states what a CASE
1.0 package must contain. It is used twice, with different strictness for the *formats* of
strings, following "accept liberally, emit strictly":

- :func:`import_validator` checks uploads. Dates and times are accepted in any form Python's
  ISO 8601 parser reads (real publishers write ``2019-07-10 19:23:21`` as often as
  ``2019-07-10T19:23:21Z``); a URI needs a scheme and no spaces.
- :func:`export_validator` checks what Trellis writes: date-times must be RFC 3339 with a time
  zone and dates plain ``YYYY-MM-DD``.

Both collect every error (``iter_errors``), never only the first.
"""

from __future__ import annotations

import json
import re
from datetime import date, datetime
from functools import cache
from importlib import resources
from typing import Any
from urllib.parse import urlsplit

from jsonschema import Draft7Validator, FormatChecker

SCHEMA_FILE = "case-v1p0-cfpackage-schema.json"

_RFC3339_DATE_TIME = re.compile(
    r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$", re.IGNORECASE
)
_PLAIN_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")


@cache
def case_schema() -> dict[str, Any]:
    """The CASE 1.0 CFPackage JSON Schema, as a dict."""
    text = resources.files(__name__).joinpath(SCHEMA_FILE).read_text(encoding="utf-8")
    schema: dict[str, Any] = json.loads(text)
    return schema


def _is_uri(value: object) -> bool:
    if not isinstance(value, str):
        return True  # formats only constrain strings; "type" catches the rest
    if not value or any(ch.isspace() for ch in value):
        return False
    parts = urlsplit(value)
    return bool(parts.scheme) and bool(parts.netloc or parts.path)


def _is_liberal_date_time(value: object) -> bool:
    if not isinstance(value, str):
        return True
    try:
        datetime.fromisoformat(value)
    except ValueError:
        return False
    return "T" in value.upper() or " " in value  # a bare date is not a date-time


def _is_liberal_date(value: object) -> bool:
    if not isinstance(value, str):
        return True
    try:
        date.fromisoformat(value)
    except ValueError:
        return False
    return True


def _is_strict_date_time(value: object) -> bool:
    if not isinstance(value, str):
        return True
    return bool(_RFC3339_DATE_TIME.match(value)) and _is_liberal_date_time(value)


def _is_strict_date(value: object) -> bool:
    if not isinstance(value, str):
        return True
    return bool(_PLAIN_DATE.match(value)) and _is_liberal_date(value)


def _format_checker(*, strict: bool) -> FormatChecker:
    checker = FormatChecker(formats=())
    checker.checks("uri")(_is_uri)
    checker.checks("date-time")(_is_strict_date_time if strict else _is_liberal_date_time)
    checker.checks("date")(_is_strict_date if strict else _is_liberal_date)
    return checker


@cache
def import_validator() -> Draft7Validator:
    """Validator for uploaded packages (liberal about date and time spellings)."""
    return Draft7Validator(case_schema(), format_checker=_format_checker(strict=False))


@cache
def export_validator() -> Draft7Validator:
    """Validator for packages Trellis emits (RFC 3339 date-times, plain dates)."""
    return Draft7Validator(case_schema(), format_checker=_format_checker(strict=True))
