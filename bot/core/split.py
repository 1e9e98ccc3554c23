"""Split long text for platforms with a message limit: paragraph, then line, then word, then hard cut.

`measure` lets each platform count as it counts (Telegram counts UTF-16 code units after entity parsing).

A person's text inside a sentence is a Unicode isolate (FSI … PDI, see `bot.i18n.bidi`). A cut never falls on
a space inside an isolate while the text can be cut elsewhere; when it must (an isolate longer than a whole
message), the part before the cut closes what is open there (PDIs, and PDFs for overrides inside) and the next
part reopens it with the same initiators, so each message is balanced on its own and the person's text still cannot reverse the bot's.
Those marks count toward the limit.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Callable

from bot.i18n.bidi import CONTROLS, ISOLATES, closers, step

# (separator, whether a cut may fall on one inside an isolate)
_LEVELS = (("\n\n", True), ("\n", True), (" ", False), (" ", True))


def utf16_len(text: str) -> int:
    return len(text.encode("utf-16-le")) // 2


@dataclass(frozen=True)
class Part:
    """`text[start:end]` of the text split, shown as `head + text[start:end] + tail`.

    `head` reopens the isolates (and embeddings) a cut before it closed; `tail` closes those open at a cut after it.
    """

    start: int
    end: int
    head: str = ""
    tail: str = ""


def split_text(text: str, limit: int, measure: Callable[[str], int] = len) -> list[str]:
    """`text` in parts of at most `limit` (by `measure`); the separator at each cut is dropped."""
    return [p.head + text[p.start:p.end] + p.tail for p in split_parts(text, limit, measure)]


def split_parts(text: str, limit: int, measure: Callable[[str], int] = len) -> list[Part]:
    """Where `split_text` cuts, as positions in `text` (for renderers that keep styles by position)."""
    if limit <= 0:
        raise ValueError("limit must be positive")
    if measure(text) <= limit:
        return [Part(0, len(text))]
    return _Splitter(text, limit, measure).parts()


class _Splitter:
    def __init__(self, text: str, limit: int, measure: Callable[[str], int]) -> None:
        self.text, self.limit, self.measure = text, limit, measure
        self.opens = _open_controls(text)

    def parts(self) -> list[Part]:
        # A limit too small for even one character and its marks: the limit wins over the marks.
        return [self.part(s, e) if self.fits(s, e) else Part(s, e) for s, e in self.split(0, len(self.text))]

    def part(self, start: int, end: int) -> Part:
        if self.opens is None:
            return Part(start, end)
        head = "".join(self.opens[start])
        # At the very end the text stays as it was written; at a cut, what is open is closed.
        tail = closers(self.opens[end]) if end < len(self.text) else ""
        return Part(start, end, head, tail)

    def fits(self, start: int, end: int) -> bool:
        if self.opens is None:  # no directional controls: nothing to add at a cut
            return self.measure(self.text[start:end]) <= self.limit
        p = self.part(start, end)
        return self.measure(p.head + self.text[start:end] + p.tail) <= self.limit

    def depth(self, at: int) -> int:
        return 0 if self.opens is None else sum(ch in ISOLATES for ch in self.opens[at])

    def split(self, start: int, end: int) -> list[tuple[int, int]]:
        if self.fits(start, end):
            return [(start, end)]
        for sep, inside in _LEVELS:
            cuts = []
            at = self.text.find(sep, start, end)
            while at >= 0:
                if inside or self.depth(at) == 0:
                    cuts.append(at)
                at = self.text.find(sep, at + len(sep), end)
            if cuts:
                return self.pack(start, end, cuts, len(sep))
        return self.hard_cut(start, end)

    def pack(self, start: int, end: int, cuts: list[int], sep_len: int) -> list[tuple[int, int]]:
        bounds = [start, *(c for cut in cuts for c in (cut, cut + sep_len)), end]
        pieces = list(zip(bounds[::2], bounds[1::2]))
        out: list[tuple[int, int]] = []
        current: tuple[int, int] | None = None
        for ps, pe in pieces:
            empty = current is None or current[0] == current[1]
            candidate = (ps, pe) if empty else (current[0], pe)
            if self.fits(*candidate):
                current = candidate
                continue
            if not empty:
                out.append(current)
            if self.fits(ps, pe):
                current = (ps, pe)
            else:
                sub = self.split(ps, pe)
                out.extend(sub[:-1])
                current = sub[-1]
        if current is not None:
            out.append(current)
        return [p for p in out if p[0] != p[1]] or [(start, start)]

    def hard_cut(self, start: int, end: int) -> list[tuple[int, int]]:
        """One unbroken run: cut by characters (code points, so never inside a surrogate pair)."""
        out: list[tuple[int, int]] = []
        current = start
        for i in range(start, end):
            if i > current and not self.fits(current, i + 1):
                out.append((current, i))
                current = i
        if current < end:
            out.append((current, end))
        return out


def _open_controls(text: str) -> list[tuple[str, ...]] | None:
    """For each position 0..len(text), the embeddings and isolates open just before it (`bidi.step`); None when
    `text` has no directional controls at all."""
    if CONTROLS.isdisjoint(text):
        return None
    opens: list[tuple[str, ...]] = []
    stack: tuple[str, ...] = ()
    for ch in text:
        opens.append(stack)
        stack = step(stack, ch)
    opens.append(stack)
    return opens
