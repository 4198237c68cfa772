"""The item bank: practice items, their importers, answer checking and standards alignment.

Entry points (pure Python; the Django layer persists and renders what these return):

- :func:`load_oatutor` ``(path) -> list[Item]`` — the OATutor content pool (problems, steps,
  hints, scaffolds), aligned to Common Core through the shipped crosswalk;
- :func:`load_qti` ``(path) -> list[Item]`` — QTI 3.0 items, single XML or content package;
- :func:`check_answer` ``(step, response) -> AnswerResult`` — correct / incorrect / unreadable;
- :func:`load_crosswalk` — the lesson → standard-code crosswalk, checked against the map;
- :func:`item_to_dict` / :func:`item_from_dict` — JSON-ready dicts for storage, round-tripping.

Both importers are all-or-nothing and raise :class:`ContentImportError`, whose ``issues`` name
the file, line (where known), item and field of every problem. See ``docs/item-bank.md``.
"""

from trellis.engine.content.answers import AnswerResult, Verdict, check_answer
from trellis.engine.content.crosswalk import load_crosswalk, load_standard_codes
from trellis.engine.content.errors import ContentImportError, ImportIssue
from trellis.engine.content.model import (
    Alignment,
    AnswerForm,
    Attribution,
    Choice,
    Feedback,
    Hint,
    InteractionType,
    Item,
    MapEntry,
    Scaffold,
    Scoring,
    ScoringMethod,
    Source,
    Step,
)
from trellis.engine.content.oatutor import OATutorReport, load_oatutor
from trellis.engine.content.qti import load_qti
from trellis.engine.content.serialize import item_from_dict, item_to_dict

__all__ = [
    "Alignment",
    "AnswerForm",
    "AnswerResult",
    "Attribution",
    "Choice",
    "ContentImportError",
    "Feedback",
    "Hint",
    "ImportIssue",
    "InteractionType",
    "Item",
    "MapEntry",
    "OATutorReport",
    "Scaffold",
    "Scoring",
    "ScoringMethod",
    "Source",
    "Step",
    "Verdict",
    "check_answer",
    "item_from_dict",
    "item_to_dict",
    "load_crosswalk",
    "load_oatutor",
    "load_qti",
    "load_standard_codes",
]
