"""`Code` as Slack code blocks (```…``` in mrkdwn sections). Pure functions, no network.

* Every line is numbered (from `Code.first_line`); the lines of `Code.mark` carry "▶" instead of "│", so the span a
  reviewer points at is visible without colour.
* A section holds at most 3,000 characters (counted after escaping, in UTF-16 units): sections are filled with
  whole lines; only a single line longer than a section is cut, and its continuation rows carry "↪" instead of a
  number.
* Code needing more than `MAX_SECTIONS` sections shows that many (starting just before the marked span, when there
  is one) followed by "…", and the whole source goes as a file with the language's extension as well.
* Inside a code block Slack styles nothing, so only `&`, `<`, `>` are escaped; a run of backticks gets zero-width
  spaces between them, so the code cannot close its own block.
"""
from __future__ import annotations

import re
from pathlib import PurePosixPath

from bot.adapters.slack import SLACK, mrkdwn
from bot.core.blocks import Code

size = mrkdwn.size

FENCE = "```"
MAX_SECTIONS = 10
MARK, BAR, CONTINUED = "▶", "│", "↪"
_TICKS = re.compile(r"`(?=`)")

# The extension a code file gets from its language when `Code.filename` names none (or only .txt).
EXTENSIONS = {
    "python": ".py", "py": ".py", "javascript": ".js", "js": ".js", "typescript": ".ts", "ts": ".ts",
    "tsx": ".tsx", "jsx": ".jsx", "java": ".java", "kotlin": ".kt", "scala": ".scala", "go": ".go", "rust": ".rs",
    "c": ".c", "cpp": ".cpp", "c++": ".cpp", "csharp": ".cs", "c#": ".cs", "ruby": ".rb", "php": ".php",
    "swift": ".swift", "r": ".r", "julia": ".jl", "sql": ".sql", "bash": ".sh", "shell": ".sh", "sh": ".sh",
    "zsh": ".sh", "powershell": ".ps1", "html": ".html", "css": ".css", "json": ".json", "yaml": ".yaml",
    "yml": ".yaml", "toml": ".toml", "xml": ".xml", "markdown": ".md", "md": ".md", "diff": ".diff",
    "patch": ".patch", "haskell": ".hs", "lua": ".lua", "perl": ".pl", "matlab": ".m", "dart": ".dart",
    "elixir": ".ex", "erlang": ".erl", "clojure": ".clj", "ocaml": ".ml", "fortran": ".f90", "latex": ".tex",
    "tex": ".tex", "dockerfile": ".dockerfile", "makefile": ".mk", "text": ".txt", "plaintext": ".txt",
}


def filename(code: Code) -> str:
    """`Code.filename` when it has a real extension, else its stem with the language's extension."""
    path = PurePosixPath(code.filename.replace("\\", "/")).name or "code"
    suffix = PurePosixPath(path).suffix.lower()
    if suffix and suffix != ".txt":
        return path
    ext = EXTENSIONS.get(code.language.strip().lower(), ".txt")
    return (PurePosixPath(path).stem or "code") + ext


def _escape(text: str) -> str:
    return _TICKS.sub("`" + mrkdwn.ZWSP, mrkdwn.escape(text))


def _rows(code: Code, room: int) -> list[str]:
    """Numbered, escaped rows; a line too long for one section is cut into continuation rows."""
    lines = code.text.split("\n")
    if lines and lines[-1] == "" and len(lines) > 1:
        lines.pop()  # the file's final newline is not a line of its own
    last = code.first_line + len(lines) - 1
    width = len(str(last))
    lo, hi = code.mark or (0, -1)
    rows: list[str] = []
    for i, line in enumerate(lines):
        n = code.first_line + i
        prefix = f"{n:>{width}} {MARK if lo <= n <= hi else BAR} "
        escaped = _escape(line.replace("\t", "    "))
        if size(prefix) + size(escaped) <= room:
            rows.append(prefix + escaped)
            continue
        cont = f"{'':>{width}} {CONTINUED} "
        head, rest = prefix, line.replace("\t", "    ")
        while rest:
            take = _fit(rest, room - size(head))
            rows.append(head + _escape(rest[:take]))
            rest, head = rest[take:], cont
    return rows


def _fit(text: str, room: int) -> int:
    """How many characters of `text` fit in `room` units once escaped (at least one)."""
    used = 0
    for i, ch in enumerate(text):
        used += size(_escape(ch)) + (1 if ch == "`" else 0)
        if used > room:
            return max(i, 1)
    return len(text)


def sections(code: Code) -> tuple[list[str], bool]:
    """The code as mrkdwn texts of at most 3,000 units each, and whether it was cut (then send the file too)."""
    room = SLACK.max_section_text - 2 * size(FENCE) - 2  # the fences and the newlines after/before them
    chunks: list[list[str]] = [[]]
    used = 0
    for row in _rows(code, room):
        if chunks[-1] and used + 1 + size(row) > room:
            chunks.append([])
            used = 0
        used += size(row) + (1 if chunks[-1] else 0)
        chunks[-1].append(row)
    start_at = 0
    cut = len(chunks) > MAX_SECTIONS
    if cut and code.mark is not None:
        marked = next((i for i, c in enumerate(chunks) if any(f" {MARK} " in r for r in c)), 0)
        start_at = max(0, min(marked - 1, len(chunks) - MAX_SECTIONS))
    chosen = chunks[start_at: start_at + MAX_SECTIONS] if cut else chunks
    return [f"{FENCE}\n" + "\n".join(c) + f"\n{FENCE}" for c in chosen if c], cut


def heading(code: Code, title: str) -> str:
    """The line above the code: its title, its language and the marked span (mrkdwn)."""
    parts = []
    if title.strip():
        parts.append(mrkdwn.bold(title.strip()))
    if code.language.strip():
        parts.append(mrkdwn.code(code.language.strip()))
    if code.mark is not None:
        lo, hi = code.mark
        parts.append(f"{MARK} {lo}" + (f"–{hi}" if hi != lo else ""))
    return " · ".join(parts)
