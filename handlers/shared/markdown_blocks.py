"""A response written in Markdown (`"format": "markdown"`) as reply blocks: paragraphs with bold, italic and inline
code, headings, list items, quotes, and fenced code as `Code` with its language — what every renderer shows in
its own markup. Parsed with markdown-it-py (CommonMark); raw HTML in the text stays literal text, never markup.
"""
from __future__ import annotations

from markdown_it import MarkdownIt
from markdown_it.token import Token

from bot.core.blocks import Code, Paragraph, Span

_PARSER = MarkdownIt("commonmark", {"html": False})
_STYLES = {"strong": "bold", "em": "italic"}


def _spans(inline: Token, prefix: str = "") -> list[Span]:
    """The inline token's children as styled spans (links shown as their text and address)."""
    spans = [Span(text=prefix)] if prefix else []
    styles: list[str] = []
    href = None
    for child in inline.children or []:
        kind = child.type
        if kind == "link_open":
            href = child.attrs.get("href")
        if kind.endswith("_open") and kind[:-5] in _STYLES:
            styles.append(_STYLES[kind[:-5]])
        elif kind.endswith("_close") and kind[:-6] in _STYLES and styles:
            styles.pop()
        elif kind == "code_inline":
            spans.append(Span(text=child.content, style="code"))
        elif kind in ("softbreak", "hardbreak"):
            spans.append(Span(text="\n"))
        elif kind == "link_close" and href:
            spans.append(Span(text=f" ({href})"))
            href = None
        elif child.content:
            spans.append(Span(text=child.content, style=styles[-1] if styles else "plain"))
    return [s for s in spans if s.text]


def markdown_blocks(source: str) -> list[Paragraph | Code]:
    blocks: list[Paragraph | Code] = []
    tokens = _PARSER.parse(source)
    markers: list[str] = []  # the list item marker in force ("•" or "3.")
    numbers: list[int] = []
    quoted = 0
    for i, token in enumerate(tokens):
        kind = token.type
        if kind == "bullet_list_open":
            markers.append("•")
        elif kind == "ordered_list_open":
            markers.append("#")
            numbers.append(int(token.attrs.get("start", 1) or 1) - 1)
        elif kind in ("bullet_list_close", "ordered_list_close") and markers:
            if markers.pop() == "#" and numbers:
                numbers.pop()
        elif kind == "list_item_open" and markers and markers[-1] == "#" and numbers:
            numbers[-1] += 1
        elif kind == "blockquote_open":
            quoted += 1
        elif kind == "blockquote_close":
            quoted = max(0, quoted - 1)
        elif kind in ("fence", "code_block"):
            language = (token.info or "").strip().split(" ")[0][:30]
            from handlers.shared.task_render import code_filename  # (task_render shows these blocks)

            blocks.append(Code(text=token.content.rstrip("\n"), language=language,
                               filename=code_filename("snippet", language)))
        elif kind == "inline":
            opener = tokens[i - 1].type if i else ""
            prefix = "│ " * quoted
            if opener == "paragraph_open" and markers and tokens[i - 2].type == "list_item_open":
                marker = f"{numbers[-1]}." if markers[-1] == "#" and numbers else "•"
                prefix += "  " * (len(markers) - 1) + marker + " "
            spans = _spans(token, prefix)
            if opener == "heading_open":
                spans = [s.model_copy(update={"style": "bold"}) if s.style == "plain" else s for s in spans]
            if spans:
                blocks.append(Paragraph(spans=spans))
    if not blocks and source.strip():  # nested past the parser's limit: the text as it was written, not nothing
        blocks.append(Paragraph(spans=[Span(text=source.strip())]))
    return blocks
