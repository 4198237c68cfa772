"""Item text for pages: the practice page, the check-up and any page that shows an item.

:func:`render_text` turns an item's text into safe HTML (OATutor text is plain text with line
breaks; QTI text is XHTML, sanitised to a small set of harmless tags); :func:`answer_hint` is
the line under an answer box saying what form of answer is expected. LaTeX (``$$...$$``) is
left for KaTeX in the page.
"""

from __future__ import annotations

import re
from typing import Any

from django.utils.html import escape, linebreaks
from django.utils.safestring import SafeString, mark_safe
from lxml import etree
from lxml import html as lxml_html

from trellis.engine import content as engine
from trellis.engine.content import InteractionType

_ALLOWED_TAGS = {"p", "br", "b", "strong", "i", "em", "u", "sub", "sup", "span", "div", "ul",
                 "ol", "li", "table", "thead", "tbody", "tr", "td", "th", "code", "pre"}


def _sanitise_html(text: str) -> str:
    """QTI bodies are XHTML: keep a small set of harmless tags, drop every attribute but
    ``class`` (blanks are ``<span class="qti-blank">``), keep the text of anything else."""
    try:
        fragments = lxml_html.fragments_fromstring(text)
    except (etree.ParserError, ValueError):
        return str(escape(text))
    parts: list[str] = []
    for fragment in fragments:
        if isinstance(fragment, str):
            parts.append(str(escape(fragment)))
            continue
        for element in list(fragment.iter()):
            if not isinstance(element.tag, str):  # comments, processing instructions
                element.drop_tree()
                continue
            tag = element.tag.split("}")[-1]
            if tag in {"script", "style", "iframe", "object"}:
                element.drop_tree()
                continue
            for name in list(element.attrib):
                if name != "class":
                    del element.attrib[name]
            if tag not in _ALLOWED_TAGS and element is not fragment:
                element.drop_tag()
        if fragment.tag not in _ALLOWED_TAGS:
            fragment.tag = "span"
        parts.append(lxml_html.tostring(fragment, encoding="unicode"))
    return "".join(parts)


def render_text(text: str, source_format: str) -> SafeString:
    """Item text as safe HTML; LaTeX (``$$...$$``) is left for KaTeX in the page.

    OATutor text is plain text with line breaks (its ``<`` are inequalities, not tags); QTI
    text is XHTML and is sanitised.
    """
    if not text:
        return mark_safe("")
    if source_format.startswith("qti"):
        return mark_safe(_sanitise_html(text))  # noqa: S308 - sanitised above
    text = text.strip()
    if "\n\n" in text:  # paragraphs
        return mark_safe(linebreaks(escape(text)))  # noqa: S308 - escaped
    return mark_safe(str(escape(text)).replace("\n", "<br>"))  # noqa: S308 - escaped; inline


def answer_hint(step: engine.Step) -> str:
    """A short line under the answer box saying what form of answer is expected."""
    interaction = step.interaction
    if interaction is InteractionType.SINGLE_CHOICE:
        return "Choose one answer."
    if interaction is InteractionType.MULTIPLE_RESPONSE:
        return "Choose every answer that is right."
    if interaction is InteractionType.NUMERIC:
        return "Type a number, like 12 or -3.5."
    key = step.correct_response[0].replace("$$", "").strip() if step.correct_response else ""
    if interaction is InteractionType.TEXT_ENTRY and not re.search(r"[\d=^\\]", key):
        return "Type your answer."
    form = {
        engine.AnswerForm.FACTORED: "Write it factored, like 3(x+2)(x-1).",
        engine.AnswerForm.EXPANDED: "Multiply it out, with no brackets left, like 2x^2+5x-3.",
        engine.AnswerForm.SIMPLIFIED: "Simplify it as far as you can.",
        engine.AnswerForm.SCIENTIFIC: "Use scientific notation, like 3.2*10^5.",
    }.get(step.required_form, "")
    if re.search(r"\d\s*[a-z]\s*\d", key) and not re.search(r"[=\\^+\-*/()]", key):
        # labelled answers such as 42a105c ("42 adults, 105 children")
        shape = "Type your answer the way the question asks."
    elif "," in key or r"\text{or}" in key or " or " in key:
        shape = "Separate answers with commas, like x=2, x=-3."
    elif re.search(r"[<>]|\\le|\\ge|\\lt|\\gt", key):
        shape = "Type an inequality, like x > 4 or x <= -1."
    elif "=" in key:
        shape = "Type an equation or a value, like x = 4."
    elif re.search(r"[a-zA-Z]", re.sub(r"\\[a-zA-Z]+", "", key)):
        shape = "Type an expression, like 3x+5 or (x+1)/2. Use ^ for powers: x^2."
    else:
        shape = "Type a number. Fractions like 3/4 are fine."
    return f"{shape} {form}".strip()


def step_display(step: engine.Step, source_format: str) -> dict[str, Any]:
    """What a page shows of one step of an item, rendered: its title and prompt, its choices,
    whether the answer is a choice (and whether several may be picked), and the hint on the
    form of the answer. The practice page and the check-up both show steps this way."""
    return {
        "title": render_text(step.title, source_format),
        "prompt": render_text(step.prompt, source_format),
        "choices": [{"id": c.identifier, "html": render_text(c.content, source_format)}
                    for c in step.choices],
        "is_choice": step.interaction in {InteractionType.SINGLE_CHOICE,
                                          InteractionType.MULTIPLE_RESPONSE},
        "multiple": step.interaction is InteractionType.MULTIPLE_RESPONSE,
        "hint": answer_hint(step),
    }
