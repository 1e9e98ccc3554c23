"""A person's text set inside a sentence so that its direction cannot leak into the bot's words around it.

A display name such as "\\u202eevil" (RIGHT-TO-LEFT OVERRIDE) would otherwise reverse the rest of the line it is
shown in, and an Arabic or Hebrew name would drag neighbouring numbers and punctuation along with it. `isolate`
puts the text between FIRST STRONG ISOLATE (U+2068) and POP DIRECTIONAL ISOLATE (U+2069), the Unicode
Bidirectional Algorithm's (UAX #9) way to say "lay this out on its own", after making the inside balanced:

* a closing control with nothing of the text's own to close (a stray PDI, which would end our isolate early, or a
  stray PDF) is dropped;
* embeddings, overrides and isolates the text opens and never closes are closed at the end of each line;
* nesting deeper than `MAX_DEPTH` is dropped with its closer (UAX #9 stops at 125 levels, and clients differ
  in how they handle overflow);
* every line is isolated on its own: a line break ends every embedding and isolate in UAX #9, so one pair around a
  multi-line text would leave the last line's text unisolated next to the bot's words.

`open_controls` reads which embeddings and isolates are still open at the end of a piece of text, so code that
cuts text (splitting a long message, truncating a label) can close them at the cut (`closers`) and reopen them
in the next part.
"""
from __future__ import annotations

from typing import Callable

FSI = "\u2068"  # FIRST STRONG ISOLATE: direction from the text's first strong character, as a person would expect
PDI = "\u2069"  # POP DIRECTIONAL ISOLATE
PDF = "\u202c"  # POP DIRECTIONAL FORMATTING: closes an embedding or override
EMBEDDINGS = frozenset("\u202a\u202b\u202d\u202e")  # LRE RLE LRO RLO
ISOLATES = frozenset("\u2066\u2067\u2068")  # LRI RLI FSI
CONTROLS = EMBEDDINGS | ISOLATES | {PDF, PDI}
# Bidi class B: each one ends a paragraph, and with it every open embedding and isolate (UAX #9, X8).
PARAGRAPH_SEPARATORS = frozenset("\n\r\x1c\x1d\x1e\x85\u2029")
MAX_DEPTH = 16


def isolate(text: str) -> str:
    """`text` as FSI + text + PDI, line by line, with its own controls balanced inside; "" stays ""."""
    if not text:
        return ""
    if CONTROLS.isdisjoint(text) and PARAGRAPH_SEPARATORS.isdisjoint(text):  # the common case: a plain name
        return FSI + text + PDI
    out: list[str] = []
    line: list[str] = []
    for ch in text:
        if ch in PARAGRAPH_SEPARATORS:
            out.append(_isolate_line(line))
            out.append(ch)
            line = []
        else:
            line.append(ch)
    out.append(_isolate_line(line))
    return "".join(out)


def _isolate_line(chars: list[str]) -> str:
    if not chars:
        return ""
    out: list[str] = []
    stack: list[tuple[str, bool]] = []  # (PDF or PDI: what closes it, kept)
    isolates = 0  # how many of `stack` are isolates
    for ch in chars:
        if ch in EMBEDDINGS or ch in ISOLATES:
            kept = len(stack) < MAX_DEPTH
            stack.append((PDF if ch in EMBEDDINGS else PDI, kept))
            isolates += ch in ISOLATES
            if kept:
                out.append(ch)
        elif ch == PDF:
            if stack and stack[-1][0] == PDF:  # inside an isolate, a PDF cannot close what is outside it
                if stack.pop()[1]:
                    out.append(ch)
        elif ch == PDI:
            if isolates:
                # UAX #9: a PDI also closes the embeddings opened after its isolate; say so explicitly.
                isolates -= 1
                while True:
                    closer, kept = stack.pop()
                    if kept:
                        out.append(closer)
                    if closer == PDI:
                        break
        else:
            out.append(ch)
    out.extend(closer for closer, kept in reversed(stack) if kept)
    body = "".join(out)
    if _single_isolate(body):  # already one FSI…PDI (e.g. text isolated before): no second pair
        return body
    return FSI + body + PDI


def _single_isolate(body: str) -> bool:
    """Whether balanced `body` is exactly one FSI…PDI pair around everything."""
    if len(body) < 2 or body[0] != FSI or body[-1] != PDI:
        return False
    depth = 0
    for i, ch in enumerate(body):
        if ch in ISOLATES:
            depth += 1
        elif ch == PDI:
            depth -= 1
            if depth == 0:
                return i == len(body) - 1
    return False


def step(stack: tuple[str, ...], ch: str) -> tuple[str, ...]:
    """The embeddings and isolates open after `ch`, given those open before it (`stack`, outermost first).

    Read as UAX #9 reads it: a PDF closes the innermost embedding unless an isolate is open inside it, a PDI
    closes the innermost isolate and every embedding opened inside it, a paragraph separator closes everything.
    Stray closers change nothing.
    """
    if ch in EMBEDDINGS or ch in ISOLATES:
        return stack + (ch,)
    if ch == PDF:
        return stack[:-1] if stack and stack[-1] in EMBEDDINGS else stack
    if ch == PDI:
        for i in range(len(stack) - 1, -1, -1):
            if stack[i] in ISOLATES:
                return stack[:i]
        return stack
    if ch in PARAGRAPH_SEPARATORS:
        return ()
    return stack


def open_controls(text: str) -> tuple[str, ...]:
    """The embeddings and isolates still open at the end of `text`, outermost first."""
    stack: tuple[str, ...] = ()
    if CONTROLS.isdisjoint(text):
        return stack
    for ch in text:
        stack = step(stack, ch)
    return stack


def closers(stack: tuple[str, ...]) -> str:
    """What closes `stack`, innermost first: a PDF for each embedding, a PDI for each isolate."""
    return "".join(PDI if ch in ISOLATES else PDF for ch in reversed(stack))


def open_isolates(text: str) -> int:
    """How many isolates are left open at the end of `text`."""
    return sum(ch in ISOLATES for ch in open_controls(text))


def close_isolates(text: str) -> str:
    """`text` with everything it leaves open closed: what to show when `text` was cut from a longer one."""
    return text + closers(open_controls(text))


def cut_closed(kept: str, budget: int, measure: Callable[[str], int] = len) -> str:
    """`kept` (a prefix cut to `budget`) with what it leaves open closed, shortened further if the closers need
    room."""
    while kept and open_controls(kept) and measure(close_isolates(kept)) > budget:
        kept = kept[:-1]
    return close_isolates(kept)
