"""Items survive a JSON round trip unchanged, and a tampered item is refused."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from trellis.engine.content.model import Item
from trellis.engine.content.oatutor import OATutorReport
from trellis.engine.content.qti import load_qti
from trellis.engine.content.serialize import item_from_dict, item_to_dict

from .test_qti import MULTIPLE_RESPONSE, TEXT_ENTRY


def test_every_oatutor_item_round_trips(all_oatutor: tuple[list[Item], OATutorReport]) -> None:
    items = all_oatutor[0]
    restored = [item_from_dict(json.loads(json.dumps(item_to_dict(item)))) for item in items]
    assert restored == items


def test_qti_items_round_trip(tmp_path: Path) -> None:
    for name, text in (("m.xml", MULTIPLE_RESPONSE), ("t.xml", TEXT_ENTRY)):
        (tmp_path / name).write_text(text, encoding="utf-8")
        (item,) = load_qti(tmp_path / name)
        assert item_from_dict(json.loads(json.dumps(item_to_dict(item)))) == item


def test_a_tampered_item_is_refused(all_oatutor: tuple[list[Item], OATutorReport]) -> None:
    choice_item = next(item for item in all_oatutor[0]
                       if item.steps[0].interaction.value == "single_choice")
    data = item_to_dict(choice_item)
    data["steps"][0]["correct_response"] = ["c99"]
    with pytest.raises(ValueError, match="not a choice"):
        item_from_dict(data)
