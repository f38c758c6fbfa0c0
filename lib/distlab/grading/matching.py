"""Find, in a submission, which chapter it is and the code a learner wrote for each exercise.

The submission's cells are aligned with the instructor's copy by content (`difflib`'s matching
blocks over the cells' keys, so order counts and an edited or inserted cell shifts nothing else).
An exercise's answer is every code cell of the submission between the locked cells that surround
its template in the instructor's copy -- so a learner may split an answer over several cells. An
exercise moved elsewhere (its check cell out of order) is found by its check cell, when the
submission holds that cell once: the code cells right above it are its answer. When
those neighbours were changed or deleted the grader widens to the nearest locked cells it still
finds; if that region then holds another exercise's slot too, it cannot tell the answers apart and
the exercise is ``missing`` rather than guessed.
"""
from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from difflib import SequenceMatcher
from typing import Any

from .course import Chapter, Slot, cell_key, cell_source

__all__ = ["Answer", "Match", "identify", "match"]

#: below this share of a chapter's locked cells found, a submission is not that chapter
MIN_SHARE = 0.3


@dataclass(frozen=True)
class Answer:
    """What a submission holds for one slot: its code cells (None when they cannot be found) and why."""

    slot: Slot
    cells: tuple[str, ...] | None  # the answer's code cells, run one by one as the notebook would
    problem: str = ""

    @property
    def code(self) -> str | None:
        """The answer's cells joined (what the static checks read), or None when it was not found."""
        return None if self.cells is None else "\n\n".join(self.cells)

    @property
    def untouched(self) -> bool:
        """True when the code is the instructor's template, unchanged."""
        return self.code is not None and cell_key({"cell_type": "code", "source": self.code})[1] == self.slot.template


@dataclass(frozen=True)
class Match:
    """A submission matched to a chapter: the answers, and the locked cells it changed or deleted."""

    chapter: Chapter
    answers: tuple[Answer, ...]
    changed: tuple[int, ...]  # instructor cell indices not found in the submission


def _share(chapter: Chapter, keys: set[tuple[str, str]]) -> float:
    locked = [chapter.keys[i] for i in sorted(chapter.locked) if chapter.keys[i][1]]
    return sum(k in keys for k in locked) / max(1, len(locked))


def identify(cells: Sequence[Any], course: Sequence[Chapter]) -> tuple[Chapter | None, float]:
    """The chapter whose locked cells the submission holds most of, and that share (None below
    :data:`MIN_SHARE`)."""
    keys = {cell_key(c) for c in cells}
    scored = sorted(((_share(ch, keys), ch.name, ch) for ch in course), key=lambda t: (-t[0], t[1]))
    if not scored:
        return None, 0.0
    share, _, best = scored[0]
    return (best if share >= MIN_SHARE else None), share


def _alignment(chapter: Chapter, theirs: Sequence[tuple[str, str]]) -> dict[int, int]:
    """Instructor cell index -> submission cell index (by the cells' keys), for the locked cells found."""
    answers = {slot.answer_index for slot in chapter.slots}
    ours = [("answer", str(i)) if i in answers else key for i, key in enumerate(chapter.keys)]
    found: dict[int, int] = {}
    for block in SequenceMatcher(None, ours, theirs, autojunk=False).get_matching_blocks():
        for k in range(block.size):
            found[block.a + k] = block.b + k
    return found


def _code(cells: Sequence[Any]) -> tuple[str, ...]:
    return tuple(cell_source(c) for c in cells if isinstance(c, dict) and c.get("cell_type") == "code")


def _moved(slot: Slot, chapter: Chapter, cells: Sequence[Any], keys: Sequence[tuple[str, str]]) -> Answer | None:
    """The answer of an exercise the learner moved (cells reordered): the code cells right above its
    check cell, found by content when the submission holds that check cell exactly once."""
    key = chapter.keys[slot.check_index]
    spots = [i for i, their in enumerate(keys) if their == key]
    if len(spots) != 1:
        return None
    locked = {chapter.keys[i] for i in chapter.locked}
    low = spots[0]
    while low > 0 and keys[low - 1] not in locked:
        low -= 1
    code = _code(cells[low:spots[0]])
    return Answer(slot, code) if any(part.strip() for part in code) else None


def _answer(slot: Slot, chapter: Chapter, cells: Sequence[Any], keys: Sequence[tuple[str, str]],
            found: dict[int, int]) -> Answer:
    moved = _moved(slot, chapter, cells, keys) if slot.check_index not in found else None
    if moved is not None:
        return moved
    before = max((i for i in found if i < slot.answer_index), default=-1)
    after = min((i for i in found if i > slot.answer_index), default=len(chapter.keys))
    others = [s.id for s in chapter.slots if s is not slot and before < s.answer_index < after]
    if others:
        return Answer(slot, None, f"the cells around this exercise and {', '.join(others)} were changed or "
                                  "deleted, so the grader cannot tell which code answers which")
    low = found.get(before, -1)
    high = found.get(after, len(cells))
    code = _code(cells[low + 1:high])
    if not any(part.strip() for part in code):
        return Answer(slot, None, f"no answer cell found where {slot.name} is defined (between the exercise's "
                                  "text and its check cell)")
    return Answer(slot, code)


def match(chapter: Chapter, cells: Sequence[Any]) -> Match:
    """Each slot's answer in ``cells`` (a submission's cells) and the locked cells not found."""
    keys = [cell_key(c) for c in cells]
    found = _alignment(chapter, keys)
    changed = tuple(i for i in sorted(chapter.locked) if i not in found and chapter.keys[i][1])
    return Match(chapter, tuple(_answer(slot, chapter, cells, keys, found) for slot in chapter.slots), changed)
