"""A `Code` block as Telegram messages: `<pre><code class="language-…">`, split between lines only.

Rules:
- Each message is an optional bold title (first message only) and one `<pre>` entity; every tag opens and closes
  inside its message, so no cut ever falls inside an entity.
- Messages are cut between lines. A line longer than a whole message is the one case cut inside a line (starting
  in the room left in the message before): each piece but the last ends with `CUT_MARK` (↩), so a reader sees
  that the line goes on. Telegram refuses a blank message, so blank lines that would fill a message alone at a
  cut, and trailing blanks of a cut line, are left out.
- With an anchored span (`mark`) or an excerpt (`first_line` other than 1), lines are numbered; the marked lines
  start with `MARK` (▶). Indentation is kept exactly.
- Code that needs more than `max_messages` messages is sent as a document named for its language (`code.py`), and
  inline only an excerpt: the messages around the marked span (or the first), with `⋯` where lines are left out.
- The language is reduced to `[a-z0-9+#-]` (at most 32 characters); anything else in it is dropped.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import PurePosixPath

from bot.adapters.telegram.html import escape, truncate
from bot.core.blocks import Code
from bot.core.split import utf16_len

MARK = "\u25b6"  # ▶ a line of the span pointed at
CUT_MARK = "\u21a9"  # ↩ this line goes on in the next piece
GAP = "\u22ef"  # ⋯ lines left out of an inline excerpt
MAX_TITLE = 256
MAX_LANGUAGE = 32

# The extension a file of code gets for its language (Telegram's clients and editors go by it).
EXTENSIONS = {
    "python": "py", "py": "py", "javascript": "js", "js": "js", "typescript": "ts", "ts": "ts", "tsx": "tsx",
    "jsx": "jsx", "java": "java", "kotlin": "kt", "kt": "kt", "scala": "scala", "c": "c", "h": "h", "cpp": "cpp",
    "c++": "cpp", "cc": "cpp", "cxx": "cpp", "c#": "cs", "csharp": "cs", "cs": "cs", "f#": "fs", "fsharp": "fs",
    "go": "go", "golang": "go", "rust": "rs", "rs": "rs", "ruby": "rb", "rb": "rb", "php": "php", "perl": "pl",
    "swift": "swift", "objective-c": "m", "objc": "m", "r": "r", "julia": "jl", "matlab": "m", "lua": "lua",
    "dart": "dart", "elixir": "ex", "erlang": "erl", "haskell": "hs", "clojure": "clj", "ocaml": "ml",
    "sql": "sql", "postgresql": "sql", "mysql": "sql", "sqlite": "sql", "bash": "sh", "sh": "sh", "shell": "sh",
    "zsh": "sh", "powershell": "ps1", "html": "html", "css": "css", "scss": "scss", "json": "json", "yaml": "yaml",
    "yml": "yaml", "toml": "toml", "xml": "xml", "markdown": "md", "md": "md", "tex": "tex", "latex": "tex",
    "diff": "diff", "patch": "patch", "dockerfile": "dockerfile", "makefile": "mk", "graphql": "graphql",
    "proto": "proto", "protobuf": "proto", "solidity": "sol", "verilog": "v", "vhdl": "vhd", "assembly": "s",
    "asm": "s", "fortran": "f90", "cobol": "cob", "groovy": "groovy", "zig": "zig", "nim": "nim",
}


def language_of(code: Code) -> str:
    return re.sub(r"[^a-z0-9+#-]", "", code.language.strip().lower())[:MAX_LANGUAGE]


def filename_of(code: Code) -> str:
    """The file name for the whole code: the block's own name, with the language's extension when it has none
    of its own (or the default `.txt`); never a path."""
    name = PurePosixPath(code.filename.replace("\\", "/")).name.strip() or "code.txt"
    extension = EXTENSIONS.get(language_of(code))
    path = PurePosixPath(name)
    if extension and path.suffix.lower() in ("", ".txt"):
        name = f"{path.stem or 'code'}.{extension}"
    return name[-255:]


@dataclass(frozen=True)
class _Line:
    text: str  # as shown (number and marks included)
    source: int  # index of the source line it shows, for finding the marked span


MIN_PIECE = 16  # a cut line's first piece starts in the message before only when at least this much fits there


def layout(code: Code, first_room: int, room: int) -> list[list[_Line]]:
    """The lines as shown, in messages: whole lines while they fit (the first message has `first_room`, the others
    `room`, UTF-16 code units); a line that fits no message whole is cut, filling the message it starts in, each
    piece but the last ending with `CUT_MARK`."""
    lines = code.text.rstrip("\n").split("\n") if code.text.strip() else []
    numbered = code.mark is not None or code.first_line != 1
    width = len(str(code.first_line + max(len(lines) - 1, 0)))
    low, high = code.mark or (0, -1)
    parts: list[list[_Line]] = []
    current: list[_Line] = []
    used = 0

    def limit() -> int:
        return first_room if not parts else room

    def add(text: str, index: int) -> None:
        nonlocal used
        used += utf16_len(text) + (1 if current else 0)
        current.append(_Line(text, index))

    def close() -> None:
        nonlocal current, used
        parts.append(current)
        current, used = [], 0

    for index, line in enumerate(lines):
        number = code.first_line + index
        if numbered:
            flag = MARK if low <= number <= high else " "
            prefix, continued = f"{flag}{number:>{width}} \u2502 ", f"{flag}{'':>{width}} \u2502 "
        else:
            prefix = continued = ""
        while True:
            whole = prefix + line
            gap = 1 if current else 0
            if used + gap + utf16_len(whole) <= limit():
                add(whole, index)
                break
            if current and utf16_len(whole) <= room:
                close()  # it fits a message of its own: lines are never cut when a message can hold them
                continue
            space = limit() - used - gap - utf16_len(prefix) - utf16_len(CUT_MARK)
            if current and space < min(MIN_PIECE, limit() // 2):
                close()
                continue
            piece = _fit(line, max(space, 1))
            if piece == line:  # no room even for the mark (a limit smaller than any real one): the line whole
                add(whole, index)
                break
            if not line[len(piece):].strip():  # only trailing blanks would go on: they are dropped, not cut
                add(prefix + piece, index)
                break
            add(prefix + piece + CUT_MARK, index)
            close()
            line, prefix = line[len(piece):], continued
    if current:
        parts.append(current)
    return parts


def _fit(text: str, budget: int) -> str:
    """The longest head of `text` within `budget` UTF-16 code units, never half a surrogate pair."""
    used, end = 0, 0
    for ch in text:
        width = utf16_len(ch)
        if used + width > budget:
            break
        used += width
        end += 1
    return text[:max(end, 1)]


def code_html(title: str, lines: list[str], language: str) -> str:
    body = escape("\n".join(lines))
    head = f"<b>{escape(title)}</b>\n" if title else ""
    if not body:
        return head.rstrip("\n")
    opening = f'<pre><code class="language-{language}">' if language else "<pre><code>"
    return f"{head}{opening}{body}</code></pre>"


@dataclass
class CodeMessages:
    """What a code block shows: the texts (HTML) of its messages, and the whole code as a file when it is long."""

    texts: list[str]
    document: tuple[bytes, str] | None = None  # (bytes, file name)


def code_messages(code: Code, title: str, limit: int, max_messages: int) -> CodeMessages:
    title = truncate(" ".join(title.split()), min(MAX_TITLE, limit // 4))
    language = language_of(code)
    code = _without_leading_blanks(code)
    first_room = limit - (utf16_len(title) + 1 if title else 0)
    # A message of blank lines only would be empty to Telegram: blank lines at a cut between messages go.
    parts = [part for part in layout(code, first_room, limit) if any(line.text.strip() for line in part)]
    if not parts:
        return CodeMessages([code_html(title, [], language)] if title else [])
    if len(parts) <= max_messages:
        return CodeMessages([code_html(title if i == 0 else "", [ln.text for ln in part], language)
                             for i, part in enumerate(parts)])
    shown = _excerpt(parts, code, max_messages)
    texts = []
    for n, i in enumerate(shown):
        body = [ln.text for ln in parts[i]]
        head_gap = n == 0 and i > 0
        tail_gap = n == len(shown) - 1 and i < len(parts) - 1
        room_here = first_room if n == 0 else limit
        while body and _size(body) + 2 * (head_gap + tail_gap) > room_here:
            body.pop()  # the title took the room: what is dropped is in the file, and the gap says so
            tail_gap = True
        body = [GAP] * head_gap + body + [GAP] * tail_gap
        texts.append(code_html(title if n == 0 else "", body, language))
    return CodeMessages(texts, (code.text.encode("utf-8"), filename_of(code)))


def _without_leading_blanks(code: Code) -> Code:
    """Blank lines at the top show nothing, and the first message (the one with the title) must not be one that
    would be dropped as blank; numbered code keeps its numbers."""
    lines = code.text.split("\n")
    blank = next((i for i, line in enumerate(lines) if line.strip()), 0)
    if not blank:
        return code
    numbered = code.mark is not None or code.first_line != 1
    return code.model_copy(update={"text": "\n".join(lines[blank:]),
                                   "first_line": code.first_line + blank if numbered else code.first_line})


def _size(lines: list[str]) -> int:
    return sum(utf16_len(line) for line in lines) + max(len(lines) - 1, 0)


def _excerpt(parts: list[list[_Line]], code: Code, max_messages: int) -> list[int]:
    """Which messages an excerpt shows: those holding the marked span (at most `max_messages`), else the first."""
    if code.mark is None:
        return [0]
    low, high = code.mark[0] - code.first_line, code.mark[1] - code.first_line
    hit = [i for i, part in enumerate(parts) if any(low <= ln.source <= high for ln in part)]
    return hit[:max_messages] or [0]
