"""Lines of code an issue points at: "line 12", "lines 12–14", "12-14", "L12-L14", each optionally followed by
": the quoted text".

`parse_line_ref` reads a reference at the start of what an expert typed and returns it with the rest (the quote);
text that does not start with a reference is all quote, as before code existed. A reference that is clearly one
but cannot be right (line 0, 14–12, a number of ten digits) raises `LineRefInvalid` with the reason, rather than
being taken for a quote. `check_span` holds a span against the code's line count. Both are pure and bounded: the
pattern is anchored and every part of it has a fixed length, so hostile text costs no more than its first
characters.
"""
from __future__ import annotations

import re

from bot.i18n.text import Msg, msg

__all__ = ["LineRefInvalid", "MAX_LINE_DIGITS", "check_span", "code_lines", "parse_line_ref", "span_text"]

MAX_LINE_DIGITS = 6  # a million lines: more is not a line of a response, it is a typo or an attack

# English, Spanish, Portuguese, French, German; "L12" as code hosts write it.
_WORD = r"(?:lines?|l[ií]neas?|linhas?|lignes?|zeilen?|ln|l\.?)"
_DASH = r"(?:-|–|—|‒|\.\.|to|through|a|hasta|at[eé]|à|bis)"
_NUMBER = r"l?([0-9]+)"
_REF = re.compile(
    rf"\s{{0,8}}(?:{_WORD}\s{{0,4}})?{_NUMBER}(?:\s{{0,4}}{_DASH}\s{{0,4}}{_NUMBER})?"
    rf"\s{{0,8}}(?:(?P<sep>[:;,]|\s[-–—]\s)(?P<rest>.*))?",
    re.IGNORECASE | re.DOTALL,
)


class LineRefInvalid(ValueError):
    """A line reference that cannot be right; `message` says why, in the catalog's words."""

    def __init__(self, message: Msg) -> None:
        self.message = message
        super().__init__(message.key)


def parse_line_ref(typed: str) -> tuple[tuple[int, int] | None, str]:
    """(span, quote): the 1-based inclusive lines `typed` starts with, or None, and the text after them.

    A bare number or range ("12", "12-14") is a reference only when nothing follows it or a separator (":")
    does, so a quote that starts with a number ("3 tablets a day") stays a quote."""
    found = _REF.fullmatch(typed)
    if found is None:
        return None, typed
    first, last = found.group(1), found.group(2) or found.group(1)
    if len(first) > MAX_LINE_DIGITS or len(last) > MAX_LINE_DIGITS:
        longest = max(first, last, key=len)
        raise LineRefInvalid(msg("task.invalid.line_number", line=longest[:12] + "…"))
    low, high = int(first), int(last)
    if low < 1 or high < 1:
        raise LineRefInvalid(msg("task.invalid.line_number", line="0"))
    if high < low:
        raise LineRefInvalid(msg("task.invalid.line_order", first=str(low), last=str(high)))
    return (low, high), (found.group("rest") or "").strip()


def code_lines(code: str) -> list[str]:
    """The lines of `code` as the screen numbers them (a final newline ends the last line, it adds none)."""
    lines = code.replace("\r\n", "\n").split("\n")
    if len(lines) > 1 and lines[-1] == "":
        lines.pop()
    return lines


def check_span(span: tuple[int, int], code: str) -> None:
    """Raise `LineRefInvalid` unless `span` lies within `code`'s lines."""
    count = len(code_lines(code))
    if span[1] > count:
        raise LineRefInvalid(msg("task.invalid.line_past_end", count=count, line=str(span[1])))


def span_text(span: tuple[int, int], code: str) -> str:
    """The text of the lines in `span`."""
    return "\n".join(code_lines(code)[span[0] - 1:span[1]])
