"""Task files: one JSON object per line, read as a stream so a 100,000-line (or hostile) file stays cheap.

`iter_task_lines` yields, in file order, either a `GoodLine` (a valid `TaskItem`) or a `LineProblem` with
the line number and a precise reason. It never holds more than one line (at most `max_line_bytes`) in
memory; a longer line is skipped chunk by chunk and reported. Deciding what to store — skip existing
external ids, refuse the whole file for `--all-or-nothing` — is the handler's job; `ImportReport` is the
shape of what it tells the manager. Every reason is a catalog message (`import.problem.*`, `input.*`,
`task.invalid.*`), rendered in the manager's language by whoever shows the report (chat or CLI).
"""
from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from typing import Annotated, Any, BinaryIO, Literal, Union

from pydantic import (
    BaseModel, ConfigDict, Field, Strict, StringConstraints, ValidationError, field_validator, model_validator,
)

from bot.blobs import BlobRef, MediaKind
from bot.i18n.text import Msg, msg
from domain.problems import Invalid, english, problem_messages
from domain.strict_json import object_without_duplicates, refuse_constant
from domain.project_spec import ProjectSpec, response_count_range
from domain.task_types import AnswerInvalid, canonical_gold, validate_gold

__all__ = [
    "Attachment",
    "CHUNK_BYTES",
    "GoodLine",
    "ImportLine",
    "ImportReport",
    "LineProblem",
    "Response",
    "TaskItem",
    "iter_task_lines",
    "parse_task_item",
]

CHUNK_BYTES = 64 * 1024
MAX_TASK_TEXT_CHARS = 200_000
MAX_JSON_DEPTH = 32
MAX_LISTED_PROBLEMS = 1_000

_Id = Annotated[str, Strict(), StringConstraints(min_length=1, max_length=200)]
_ResponseId = Annotated[str, Strict(), StringConstraints(pattern=r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,39}$")]
_Text = Annotated[str, Strict(), StringConstraints(max_length=MAX_TASK_TEXT_CHARS)]


MAX_ATTACHMENTS = 10
_Language = Annotated[str, Strict(), StringConstraints(pattern=r"^[A-Za-z0-9][A-Za-z0-9+#._-]{0,29}$")]


class Attachment(BaseModel):
    """A medium on a prompt, the context or a response. A task file names its bytes by `url` (https only) or by
    `path` inside the .zip it came in; once imported, `blob` names the stored bytes (checked by content) and the
    url or path is kept for the record. `alt` says what it shows, for people who cannot see or hear it."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    kind: MediaKind
    url: Annotated[str, Strict(), StringConstraints(min_length=1, max_length=2000)] | None = None
    path: Annotated[str, Strict(), StringConstraints(min_length=1, max_length=500)] | None = None
    alt: Annotated[str, Strict(), StringConstraints(max_length=1000)] = ""
    blob: BlobRef | None = None

    @field_validator("url")
    @classmethod
    def _https(cls, value: str | None) -> str | None:
        if value is not None and not value.lower().startswith("https://"):
            raise Invalid(msg("import.problem.media_not_https"))
        return value

    @model_validator(mode="after")
    def _one_source(self) -> "Attachment":
        if self.blob is None and (self.url is None) == (self.path is None):
            raise Invalid(msg("import.problem.media_source"))
        return self


_Attachments = Annotated[list[Attachment], Field(max_length=MAX_ATTACHMENTS)]


class Response(BaseModel):
    """One model output to judge; `id` is short because it travels in form field ids ("rank.b"). `format: code`
    (with a `language`) shows it monospaced and split between lines; a response may be media with no text."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    id: _ResponseId
    text: _Text = ""
    format: Literal["text", "code", "markdown"] = "text"
    language: _Language | None = None
    attachments: _Attachments = []

    @model_validator(mode="after")
    def _says_something(self) -> "Response":
        if not self.text and not self.attachments:
            raise Invalid(msg("import.problem.response_empty"))
        return self


class TaskItem(BaseModel):
    """One line of a task file. `gold` is the expected answer; `iter_task_lines` checks it against the spec
    and stores it in canonical form (see `task_types.canonical_gold`)."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    external_id: _Id
    prompt: Annotated[_Text, StringConstraints(min_length=1)]
    responses: Annotated[list[Response], Field(max_length=10)] = []
    context: _Text | None = None
    attachments: _Attachments = []  # media of the prompt
    context_attachments: _Attachments = []
    metadata: dict[str, Any] = {}
    gold: Any = None

    @field_validator("external_id")
    @classmethod
    def _printable_id(cls, value: str) -> str:
        if value != value.strip() or any(not c.isprintable() for c in value):
            raise Invalid(msg("import.problem.id_spaces"))
        return value

    @field_validator("responses")
    @classmethod
    def _unique_response_ids(cls, responses: list[Response]) -> list[Response]:
        ids = [r.id for r in responses]
        for rid in ids:
            if ids.count(rid) > 1:
                raise Invalid(msg("import.problem.response_id_twice", id=repr(rid)))
        return responses


class GoodLine(BaseModel):
    kind: Literal["item"] = "item"
    line_no: int
    item: TaskItem


class LineProblem(BaseModel):
    """A line that was not imported. `code` is stable (for counting); `reasons` (catalog messages) are for people,
    with `more` further reasons counted but not listed."""

    kind: Literal["problem"] = "problem"
    line_no: int
    code: str
    reasons: list[Msg]
    more: int = 0

    def render(self, translate: Callable[[Msg], str]) -> str:
        """The report line in the reader's words: `line 3: prompt: Field required; responses: …`."""
        said = "; ".join(translate(r) for r in self.reasons)
        if self.more:
            said += translate(msg("import.problem.more", count=self.more))
        return translate(msg("import.problem.line", line=str(self.line_no), reasons=said))

    def __str__(self) -> str:
        return self.render(english)


ImportLine = Annotated[Union[GoodLine, LineProblem], Field(discriminator="kind")]


class ImportReport(BaseModel):
    """What an import did, for the manager. Problems past `MAX_LISTED_PROBLEMS` are counted, not listed.
    `refused`: why the file as a whole was refused or the import stopped (a bad .zip, a media store that could not
    be reached); `store_detail` is the store's own words, for the command line and logs."""

    imported: int = 0
    unchanged_existing: int = 0
    problems: list[LineProblem] = []
    problem_count: int = 0
    refused: list[Msg] = []
    store_detail: str | None = None

    def add_problem(self, problem: LineProblem) -> None:
        self.problem_count += 1
        if len(self.problems) < MAX_LISTED_PROBLEMS:
            self.problems.append(problem)

    @property
    def ok(self) -> bool:
        return self.problem_count == 0 and not self.refused


# ---------------------------------------------------------------- reading lines


def _raw_lines(stream: BinaryIO, max_line_bytes: int) -> Iterator[tuple[int, bytes | None]]:
    """(line number, bytes) per line, or (line number, None) for a line longer than `max_line_bytes`."""
    line_no = 1
    parts: list[bytes] = []
    size = 0
    too_long = False
    while True:
        chunk = stream.read(CHUNK_BYTES)
        if not chunk:
            break
        start = 0
        while True:
            newline = chunk.find(b"\n", start)
            piece = chunk[start:] if newline < 0 else chunk[start:newline]
            if not too_long:
                size += len(piece)
                if size > max_line_bytes:
                    too_long, parts = True, []  # drop what we held; keep counting to the newline
                elif piece:
                    parts.append(piece)
            if newline < 0:
                break
            yield line_no, None if too_long else b"".join(parts)
            line_no, parts, size, too_long = line_no + 1, [], 0, False
            start = newline + 1
    if parts or too_long:
        yield line_no, None if too_long else b"".join(parts)


class _TooDeep(ValueError):
    pass


def _check_depth(value: Any) -> None:
    stack = [(value, 0)]
    while stack:
        node, depth = stack.pop()
        if depth > MAX_JSON_DEPTH:
            raise _TooDeep
        if isinstance(node, dict):
            stack.extend((v, depth + 1) for v in node.values())
        elif isinstance(node, list):
            stack.extend((v, depth + 1) for v in node)


_object = object_without_duplicates
_constant = refuse_constant


def _field_path(loc: tuple[Any, ...]) -> str:
    out = ""
    for part in loc:
        out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else str(part))
    return out


def parse_task_item(line: bytes, line_no: int, spec: ProjectSpec) -> TaskItem | LineProblem:
    """One line's bytes (no newline) as a checked item, or the reason it is not one."""

    def problem(code: str, *reasons: Msg, more: int = 0) -> LineProblem:
        return LineProblem(line_no=line_no, code=code, reasons=list(reasons), more=more)

    try:
        text = line.decode("utf-8")
    except UnicodeDecodeError as e:
        return problem("invalid_utf8", msg("import.problem.not_utf8", byte=str(e.start + 1)))
    try:
        data = json.loads(text, object_pairs_hook=_object, parse_constant=_constant)
        _check_depth(data)
    except (RecursionError, _TooDeep):
        return problem("too_deep", msg("import.problem.too_deep", count=MAX_JSON_DEPTH, levels=str(MAX_JSON_DEPTH)))
    except json.JSONDecodeError as e:  # the json module's own explanation, in its words
        return problem("invalid_json", msg("import.problem.json_at_column", detail=e.msg, column=str(e.colno)))
    except ValueError as e:  # duplicate keys, NaN, integers with thousands of digits
        detail = e.message if isinstance(e, Invalid) else str(e)[:200]
        return problem("invalid_json", msg("import.problem.json", detail=detail))
    if not isinstance(data, dict):
        return problem("not_object", msg("import.problem.not_object", type=type(data).__name__))
    try:
        item = TaskItem.model_validate(data)
    except ValidationError as e:
        errors = e.errors(include_url=False)
        reasons = [
            msg("spec.problem.at", path=_field_path(err["loc"]), problem=m) if err["loc"]
            else msg("import.problem.whole_line", problem=m)
            for err in errors[:5] for m in problem_messages(err)
        ]
        return problem("invalid_field", *reasons, more=max(0, len(errors) - 5))
    low, high = response_count_range(spec)
    count = len(item.responses)
    if not low <= count <= high:
        key = "import.problem.response_count" if low == high else "import.problem.response_range"
        return problem("response_count", msg(key, count=high, task_type=spec.task_type, min=str(low), max=str(high),
                                             found=str(count)))
    if item.gold is not None:
        try:
            gold = validate_gold(spec, item, item.gold)
        except AnswerInvalid as e:
            return problem("invalid_gold", msg("import.problem.gold", field=e.field_id, problem=e.message))
        # Shorthand ("fraud", ["b", "a", "c"]) is stored in the one shape the gold scorer reads.
        item = item.model_copy(update={"gold": canonical_gold(spec, gold)})
    return item


def iter_task_lines(stream: BinaryIO, spec: ProjectSpec, max_line_bytes: int = 1_000_000) -> Iterator[GoodLine | LineProblem]:
    """Every non-blank line of a JSONL task file, in order, as a `GoodLine` or a `LineProblem`."""
    first_seen: dict[str, int] = {}
    for line_no, raw in _raw_lines(stream, max_line_bytes):
        if raw is None:
            yield LineProblem(line_no=line_no, code="too_long",
                              reasons=[msg("import.problem.too_long", count=max_line_bytes, bytes=str(max_line_bytes))])
            continue
        if line_no == 1 and raw.startswith(b"\xef\xbb\xbf"):
            raw = raw[3:]  # a byte-order mark from spreadsheet exports
        if raw.endswith(b"\r"):
            raw = raw[:-1]
        if not raw.strip():
            continue
        result = parse_task_item(raw, line_no, spec)
        if isinstance(result, LineProblem):
            yield result
            continue
        earlier = first_seen.get(result.external_id)
        if earlier is not None:
            yield LineProblem(line_no=line_no, code="duplicate_id", reasons=[
                msg("import.problem.duplicate_id", id=repr(result.external_id), line=str(earlier))])
            continue
        first_seen[result.external_id] = line_no
        yield GoodLine(line_no=line_no, item=result)
