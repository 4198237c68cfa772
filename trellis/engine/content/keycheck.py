"""Audit an item bank's answer keys against the answer checker.

``python -m trellis.engine.content.keycheck [POOL_DIR]`` loads an OATutor pool (every problem,
figure-dependent ones included) and prints, for the lead's note and for content authors:

- how many steps and scaffolds accept their own stated answer (should be all);
- how many *plausible wrong answers* are rejected: the key with its sign changed, the key with
  its last whole number changed by one, and every other choice of a multiple-choice step.

The wrong-answer generators live here so the tests and this report use the same ones.
"""

from __future__ import annotations

import argparse
import re
import time
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from trellis.engine.content.answers import Verdict, check_answer
from trellis.engine.content.mathparse import strip_math_delimiters
from trellis.engine.content.model import InteractionType, Item, Step
from trellis.engine.content.oatutor import OATutorReport, load_oatutor


def math_part(key: str) -> str:
    """The LaTeX of a key without its ``$$`` delimiters (several pieces joined)."""
    return strip_math_delimiters(key).replace("$$", " ").strip()


def flip_sign(key: str) -> str | None:
    """A changed sign: negate the answer (the right-hand side of ``x = ...``)."""
    plain = math_part(key)
    head, equals, tail = plain.rpartition("=")
    target = (tail if equals else plain).strip()
    if not target or re.search(r"[,;]| or |\\pm|matrix", target):
        return None
    if target.startswith("-"):
        flipped = target[1:]
    elif re.search(r"[+\-]", target):
        flipped = f"-\\left({target}\\right)"
    else:
        flipped = f"-{target}"
    return f"{head}={flipped}" if equals else flipped


def change_constant(key: str) -> str | None:
    """A changed constant: the last whole number in the answer plus one."""
    plain = math_part(key)
    numbers = list(re.finditer(r"\d+", plain))
    if not numbers:
        return None
    last = numbers[-1]
    return plain[:last.start()] + str(int(last.group()) + 1) + plain[last.end():]


def is_zero_key(key: str) -> bool:
    """``0`` or ``x=0``: its sign change ``-0`` is the same answer, not a wrong one."""
    return re.fullmatch(r"(\w=)?0", math_part(key).replace(" ", "")) is not None


@dataclass
class Tally:
    tried: int = 0
    passed: int = 0

    def add(self, ok: bool) -> None:
        self.tried += 1
        self.passed += ok

    def __str__(self) -> str:
        return f"{self.passed:,} / {self.tried:,}"


@dataclass
class KeyAudit:
    own_steps: Tally
    own_scaffolds: Tally
    sign_rejected: Tally
    constant_rejected: Tally
    other_choice_rejected: Tally


def audit(steps: Iterable[Step]) -> KeyAudit:
    result = KeyAudit(Tally(), Tally(), Tally(), Tally(), Tally())
    for step in steps:
        result.own_steps.add(check_answer(step, step.keyed_response).correct)
        for scaffold in step.scaffold_steps():
            result.own_scaffolds.add(check_answer(scaffold, scaffold.keyed_response).correct)
        if step.interaction is InteractionType.SINGLE_CHOICE:
            for choice in step.choices:
                if choice.identifier not in step.correct_response:
                    verdict = check_answer(step, choice.identifier).verdict
                    result.other_choice_rejected.add(verdict is Verdict.INCORRECT)
            continue
        key = step.correct_response[0]
        wrong_sign = flip_sign(key)
        if wrong_sign is not None and not is_zero_key(key):
            verdict = check_answer(step, wrong_sign).verdict
            result.sign_rejected.add(verdict is Verdict.INCORRECT)
        wrong_constant = change_constant(key)
        if wrong_constant is not None:
            verdict = check_answer(step, wrong_constant).verdict
            result.constant_rejected.add(verdict is Verdict.INCORRECT)
    return result


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    default = Path(__file__).resolve().parents[4] / "shared" / "data" / "content" / (
        "oatutor-elementary-algebra")
    parser.add_argument("pool", nargs="?", type=Path, default=default)
    args = parser.parse_args(argv)
    started = time.perf_counter()
    report = OATutorReport()
    items: list[Item] = load_oatutor(args.pool, include_figure_dependent=True, report=report)
    presentable = sum(1 for item in items if not item.missing_figures)
    steps = [step for item in items for step in item.steps]
    result = audit(steps)
    print(f"problems {len(items):,}  steps {len(steps):,}  "
          f"presentable (no missing figure) {presentable:,}  "
          f"left out for a missing figure {len(items) - presentable:,}  "
          f"hints/scaffolds dropped for a figure {len(report.hints_dropped):,}")
    print(f"own answer accepted: steps {result.own_steps}  scaffolds {result.own_scaffolds}")
    print(f"wrong answers rejected: sign changed {result.sign_rejected}  "
          f"constant changed {result.constant_rejected}  "
          f"other choice {result.other_choice_rejected}")
    print(f"({time.perf_counter() - started:.1f} s)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
