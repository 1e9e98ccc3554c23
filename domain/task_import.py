"""Task files: one JSON object per line, read as a stream so a 100,000-line (or hostile) file stays cheap.

`iter_task_lines` yields, in file order, either a `GoodLine` (a valid `TaskItem`) or a `LineProblem` with
the line number and a precise reason. It never holds more than one line (at most `max_line_bytes`) in
memory; a longer line is skipped chunk by chunk and reported. Deciding what to store — skip existing
external ids, refuse the whole file for `--all-or-nothing` — is the handler's job; `ImportReport` is the
shape of what it tells the manager.
"""
from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Annotated, Any, BinaryIO, Literal, Union

from pydantic import BaseModel, ConfigDict, Field, Strict, StringConstraints, ValidationError, field_validator

from domain.strict_json import object_without_duplicates, refuse_constant
from domain.project_spec import ProjectSpec, response_count_range
from domain.task_types import ENGLISH, AnswerInvalid, canonical_gold, validate_gold

__all__ = [
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


class Response(BaseModel):
    """One model output to judge; `id` is short because it travels in form field ids ("rank.b")."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    id: _ResponseId
    text: Annotated[_Text, StringConstraints(min_length=1)]


class TaskItem(BaseModel):
    """One line of a task file. `gold` is the expected answer; `iter_task_lines` checks it against the spec
    and stores it in canonical form (see `task_types.canonical_gold`)."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    external_id: _Id
    prompt: Annotated[_Text, StringConstraints(min_length=1)]
    responses: Annotated[list[Response], Field(max_length=10)] = []
    context: _Text | None = None
    metadata: dict[str, Any] = {}
    gold: Any = None

    @field_validator("external_id")
    @classmethod
    def _printable_id(cls, value: str) -> str:
        if value != value.strip() or any(not c.isprintable() for c in value):
            raise ValueError("must not have surrounding spaces or control characters")
        return value

    @field_validator("responses")
    @classmethod
    def _unique_response_ids(cls, responses: list[Response]) -> list[Response]:
        ids = [r.id for r in responses]
        for rid in ids:
            if ids.count(rid) > 1:
                raise ValueError(f"response id {rid!r} is used twice")
        return responses


class GoodLine(BaseModel):
    kind: Literal["item"] = "item"
    line_no: int
    item: TaskItem


class LineProblem(BaseModel):
    """A line that was not imported. `code` is stable (for counting and translation); `reason` is for people."""

    kind: Literal["problem"] = "problem"
    line_no: int
    code: str
    reason: str

    def __str__(self) -> str:
        return f"line {self.line_no}: {self.reason}"


ImportLine = Annotated[Union[GoodLine, LineProblem], Field(discriminator="kind")]


class ImportReport(BaseModel):
    """What an import did, for the manager. Problems past `MAX_LISTED_PROBLEMS` are counted, not listed."""

    imported: int = 0
    unchanged_existing: int = 0
    problems: list[LineProblem] = []
    problem_count: int = 0

    def add_problem(self, problem: LineProblem) -> None:
        self.problem_count += 1
        if len(self.problems) < MAX_LISTED_PROBLEMS:
            self.problems.append(problem)

    @property
    def ok(self) -> bool:
        return self.problem_count == 0


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

    def problem(code: str, reason: str) -> LineProblem:
        return LineProblem(line_no=line_no, code=code, reason=reason)

    try:
        text = line.decode("utf-8")
    except UnicodeDecodeError as e:
        return problem("invalid_utf8", f"not valid UTF-8 (byte {e.start + 1})")
    try:
        data = json.loads(text, object_pairs_hook=_object, parse_constant=_constant)
        _check_depth(data)
    except (RecursionError, _TooDeep):
        return problem("too_deep", f"JSON nested deeper than {MAX_JSON_DEPTH} levels")
    except json.JSONDecodeError as e:
        return problem("invalid_json", f"not valid JSON: {e.msg} (column {e.colno})")
    except ValueError as e:  # duplicate keys, NaN, integers with thousands of digits
        return problem("invalid_json", f"not valid JSON: {str(e)[:200]}")
    if not isinstance(data, dict):
        return problem("not_object", f"each line must be a JSON object, not {type(data).__name__}")
    try:
        item = TaskItem.model_validate(data)
    except ValidationError as e:
        first = e.errors(include_url=False)
        reasons = []
        for err in first[:5]:
            message = "unknown field" if err["type"] == "extra_forbidden" else err["msg"].removeprefix("Value error, ")
            reasons.append(f"{_field_path(err['loc']) or 'line'}: {message}")
        more = f" (and {len(first) - 5} more)" if len(first) > 5 else ""
        return problem("invalid_field", "; ".join(reasons) + more)
    low, high = response_count_range(spec)
    count = len(item.responses)
    if not low <= count <= high:
        wanted = str(low) if low == high else f"{low} to {high}"
        return problem("response_count", f"{spec.task_type} items need {wanted} responses; this one has {count}")
    if item.gold is not None:
        try:
            gold = validate_gold(spec, item, item.gold)
        except AnswerInvalid as e:
            # Import reports go to managers (and the CLI) in English; the catalog text is precise enough.
            what = ENGLISH.get(e.message.key, e.message.key).format(**e.message.params)
            return problem("invalid_gold", f"gold: {e.field_id}: {what}")
        # Shorthand ("fraud", ["b", "a", "c"]) is stored in the one shape the gold scorer reads.
        item = item.model_copy(update={"gold": canonical_gold(spec, gold)})
    return item


def iter_task_lines(stream: BinaryIO, spec: ProjectSpec, max_line_bytes: int = 1_000_000) -> Iterator[GoodLine | LineProblem]:
    """Every non-blank line of a JSONL task file, in order, as a `GoodLine` or a `LineProblem`."""
    first_seen: dict[str, int] = {}
    for line_no, raw in _raw_lines(stream, max_line_bytes):
        if raw is None:
            yield LineProblem(line_no=line_no, code="too_long", reason=f"longer than {max_line_bytes} bytes")
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
            yield LineProblem(line_no=line_no, code="duplicate_id",
                              reason=f"external_id {result.external_id!r} already used on line {earlier}")
            continue
        first_seen[result.external_id] = line_no
        yield GoodLine(line_no=line_no, item=result)
