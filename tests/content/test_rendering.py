"""Item text for pages (trellis.content.rendering): escaping, QTI sanitising, answer hints."""

from __future__ import annotations

from tests.content.helpers import equation_item
from trellis.content.rendering import answer_hint, render_text


def test_the_expected_form_is_hinted() -> None:
    step = equation_item().steps[0]
    assert "equation" in answer_hint(step)
    assert "number" in answer_hint(equation_item(answer="4").steps[0])
    assert "expression" in answer_hint(equation_item(answer="3x+5").steps[0])


def test_item_text_is_escaped_and_qti_markup_is_sanitised() -> None:
    assert render_text("$$a<b$$ <script>x</script>", "oatutor") == (
        "$$a&lt;b$$ &lt;script&gt;x&lt;/script&gt;")
    cleaned = render_text('<p onclick="x()">Hi <script>bad()</script><b>there</b></p>', "qti3")
    assert cleaned == "<p>Hi <b>there</b></p>"
