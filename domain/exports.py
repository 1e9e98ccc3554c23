"""Exports: what one stored submission becomes in each training-data format, and how the formats stream.

Pure: no storage, no chat. Rows arrive one by one (`ExportRow`, built from a storage row by `export_row`, which
replaces the person with a pseudonym); an exporter turns each into zero or more output lines and never holds
more than one item's answers. The formats:

- `jsonl` — one record per submission: the item, the answer, the pseudonymous expert id, time spent, review
  outcome (state, and the reviewer's decision, reason code and comment on the answer as it stands), gold result,
  submitted_at (UTC ISO 8601).
- `csv` — the same flattened: answer fields as `answer.*` columns for the project's task type, nested lists
  and objects as JSON strings; UTF-8 with a header row. Text cells go through `domain.csv_safety` (quoted, and
  a leading `=`, `+`, `-`, `@`, tab or CR gets a `'`); numbers stay bare numbers.
- `dpo` — `{"prompt", "chosen", "rejected"}` per pairwise judgement (ties skipped; `margin` 2 for "much
  better", 1 for "better"; the justification kept) and per rewrite (the rewrite chosen, the original rejected).
  With `consensus`, one record per item with two or more judgements: the preference more than half of them
  share, with its votes and agreement (items without such a majority are left out).
- `sft` — `{"prompt", "completion"}` from prompt writing (prompt → reference answer) and from rewrites (the
  item's prompt → the rewrite).
- `aggregated` — one row per item: the plurality answer (label, preference direction, verdict, order; None on a
  tie for first), votes; rankings as mean fractional ranks and Borda points; ratings as mean, median and spread
  per criterion (the median level for named ordered scales); percent agreement and the count of answers.

`dpo` and `sft` prompts carry the item's context before the question (a trainer reads only `prompt`), as TRL's
standard format (strings) or, with `conversational`, its conversational one (lists of role/content messages).

The training formats (`dpo`, `sft`, `aggregated`) leave out answers a reviewer rejected or sent back for rework:
a judgement the project itself refused is not a training signal. `dpo` and `sft` go further and take approved
answers only unless `include_unreviewed` is set. An export that comes out empty says why (`why_empty`).

Media stay references: an item's attachments (prompt, context, each response) and any file in an answer are written
as `{"sha256", "mime", "name", "kind", "alt"}`, never as bytes or a store's address (`media_reference`); `csv` gets
them as JSON in a `media` column when the project has media. With `with_media` (`jsonl` only) each reference also
gets its `path` in the export's zip (`media/<sha256><ext>`) and the record gets `image`/`images`/`audio`/`audios`
columns of those paths, which Hugging Face `datasets` casts with `Image()`/`Audio()`; the exporter remembers each
blob it pointed at once (`Exporter.media`) for whoever writes the zip. `dpo`, `sft` and `aggregated` are text:
they count the items whose media they leave out (`Exporter.media_items`) so the caller can say so. A project without
media exports exactly as it did before media existed.
"""
from __future__ import annotations

import io
import json
import mimetypes
import re
import statistics
from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta, timezone
from typing import Any, ClassVar

from bot.i18n.text import Msg, msg
from domain.csv_safety import SafeCsvWriter
from domain.gold import PREFERENCE_DIRECTION
from domain.agreement import percent_agreement
from domain.item_answers import borda_points, comparable, fractional_ranks, item_agreement, questions
from domain.project_spec import ProjectSpec
from domain.pseudonyms import pseudonym
from domain.task_types import (
    ErrorCheckAnswer, LabelingAnswer, PairwiseAnswer, PromptWritingAnswer, RankingAnswer, RatingAnswer, RewriteAnswer,
)

__all__ = [
    "FORMATS", "MARGIN", "NOT_FOR_TRAINING", "OPTION_FORMATS", "SKIP_REASONS", "EmptyExport", "ExportArgsError",
    "ExportFilters", "ExportRequest", "ExportRow", "Exporter", "ItemCache", "aggregate_item", "applies_to",
    "check_options", "check_range", "exporter_for", "export_row", "iso_utc", "item_has_media", "media_path",
    "media_reference", "parse_chat_args", "parse_day", "submission_record", "training_prompt", "why_empty",
    "write_rows", "MediaLinks", "MEDIA_DIR",
]

MARGIN = {"a_much_better": 2, "a_better": 1, "b_better": 1, "b_much_better": 2}
NOT_FOR_TRAINING = frozenset({"rejected", "rework"})
_ANSWER_MODELS = {
    "rating": RatingAnswer, "pairwise": PairwiseAnswer, "ranking": RankingAnswer, "error_check": ErrorCheckAnswer,
    "rewrite": RewriteAnswer, "labeling": LabelingAnswer, "prompt_writing": PromptWritingAnswer,
}


# ---------------------------------------------------------------- rows


@dataclass(frozen=True)
class ExportRow:
    """One submission as an export sees it: no person id, no name, only the pseudonym."""

    submission_id: int
    task_id: int
    external_id: str
    item: Mapping[str, Any]  # the TaskItem as stored: prompt, responses [{id, text}], context, metadata, gold
    answer: Mapping[str, Any]  # the validated answer model, with its `task_type`
    expert_id: str
    seconds_spent: int
    late: bool
    submitted_at: datetime
    review_state: str
    revision: int
    is_gold: bool
    gold_passed: bool | None
    gold_score: float | None
    instructions_version: int = 1  # the project's instructions version the answer was given under
    review_decision: str | None = None  # the reviewer's decision on this revision: approved | rejected | rework
    review_reason: str | None = None  # the reason code of a rejection
    review_comment: str | None = None
    answer_files: bool | None = None  # whether the answer names a stored file (None: not known, look)


class ItemCache:
    """Parsed items by task id, bounded: rows of one item come close together, items are parsed once.
    Pseudonyms by person id, bounded too (an HMAC per row would be a third of the export's time)."""

    def __init__(self, size: int = 512, people: int = 10_000) -> None:
        self.size = size
        self.people = people
        self._items: dict[int, dict] = {}
        self._pseudonyms: dict[int, str] = {}

    def pseudonym(self, secret: bytes, person_id: int) -> str:
        name = self._pseudonyms.get(person_id)
        if name is None:
            if len(self._pseudonyms) >= self.people:
                self._pseudonyms.clear()
            name = self._pseudonyms[person_id] = pseudonym(secret, person_id)
        return name

    def get(self, task_id: int, raw: str | Mapping) -> Mapping[str, Any]:
        item = self._items.get(task_id)
        if item is None:
            item = json.loads(raw) if isinstance(raw, (str, bytes)) else dict(raw)
            if len(self._items) >= self.size:
                self._items.pop(next(iter(self._items)))
            self._items[task_id] = item
        return item


def export_row(raw: Mapping[str, Any], secret: bytes, items: ItemCache | None = None) -> ExportRow:
    """A storage row (submission joined with its task) as an `ExportRow`; `person_id` becomes a pseudonym."""
    answer = raw["answer"]
    # A file in an answer is rare: its JSON text says whether to look for one, before any walk of the answer.
    files = ('"sha256"' in answer) if isinstance(answer, str) else (b'"sha256"' in answer) \
        if isinstance(answer, bytes) else None
    cache = items or ItemCache(1, 1)
    item = cache.get(raw["task_id"], raw["item"])
    gold_passed = raw["gold_passed"]
    return ExportRow(
        submission_id=int(raw["id"]), task_id=int(raw["task_id"]), external_id=raw["external_id"], item=item,
        answer=json.loads(answer) if isinstance(answer, (str, bytes)) else answer,
        expert_id=cache.pseudonym(secret, int(raw["person_id"])), seconds_spent=int(raw["seconds_spent"]),
        late=bool(raw["late"]), submitted_at=raw["submitted_at"], review_state=raw["review_state"],
        revision=int(raw["revision"]), is_gold=bool(raw["is_gold"]),
        gold_passed=None if gold_passed is None else bool(gold_passed),
        gold_score=None if raw["gold_score"] is None else float(raw["gold_score"]),
        instructions_version=int(raw.get("instructions_version") or 1),
        review_decision=raw.get("review_decision"), review_reason=raw.get("review_reason"),
        review_comment=raw.get("review_comment"), answer_files=files,
    )


def iso_utc(moment: datetime) -> str:
    """`2026-11-28T18:00:05.250000Z`: UTC, microseconds always present, so the strings also sort."""
    return moment.astimezone(timezone.utc).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def _dumps(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False, separators=(",", ":"))


def _line(record: Mapping[str, Any]) -> str:
    return _dumps(record) + "\n"


def training_prompt(item: Mapping[str, Any]) -> str:
    """The prompt a trainer sees: the item's context (when it has one) before its question, as the expert saw
    them; a context in a key of its own would be ignored by the trainer."""
    prompt = item.get("prompt", "")
    context = (item.get("context") or "").strip()
    return f"{context}\n\n{prompt}" if context else prompt


def _review_fields(row: ExportRow) -> dict[str, Any]:
    return {"review_decision": row.review_decision, "review_reason": row.review_reason,
            "review_comment": row.review_comment}


def _responses(item: Mapping[str, Any], links: MediaLinks | None = None) -> list[dict]:
    out = []
    for r in item.get("responses", []):
        response = {"id": r["id"], "text": r.get("text", "")}
        if r.get("attachments"):  # only then: a response without media is written as it always was
            response["attachments"] = _references(r["attachments"], links)
        out.append(response)
    return out


# ---------------------------------------------------------------- media references

MEDIA_DIR = "media"
# The usual suffix per type, so a file opened from the zip by hand gets the right program; anything else asks the
# `mimetypes` table, and a type it does not know gets no suffix (the bytes are what they are).
_SUFFIXES = {
    "image/png": ".png", "image/jpeg": ".jpg", "image/gif": ".gif", "image/webp": ".webp", "image/bmp": ".bmp",
    "image/tiff": ".tif", "image/svg+xml": ".svg", "audio/mpeg": ".mp3", "audio/ogg": ".ogg", "audio/opus": ".opus",
    "audio/wav": ".wav", "audio/x-wav": ".wav", "audio/wave": ".wav", "audio/flac": ".flac", "audio/x-flac": ".flac",
    "audio/mp4": ".m4a", "audio/aac": ".aac", "audio/webm": ".webm", "video/mp4": ".mp4", "video/webm": ".webm",
    "video/quicktime": ".mov", "application/pdf": ".pdf", "text/plain": ".txt", "text/csv": ".csv",
    "application/json": ".json", "application/zip": ".zip",
}
_SHA256 = re.compile(r"^[0-9a-f]{64}$")


def media_suffix(mime: str) -> str:
    mime = (mime or "").split(";")[0].strip().lower()
    return _SUFFIXES.get(mime) or mimetypes.guess_extension(mime, strict=False) or ""


def media_path(sha256: str, mime: str) -> str:
    """Where a blob sits in an export's zip: named by its content, so each is there once whoever points at it."""
    return f"{MEDIA_DIR}/{sha256}{media_suffix(mime)}"


def _kind_of(mime: str) -> str:
    major = (mime or "").split("/")[0]
    return major if major in ("image", "audio", "video") else "document"


def _blob_of(value: Any) -> Mapping[str, Any] | None:
    """The stored blob ref a value names: an attachment's `blob`, or a bare ref (an answer's file)."""
    if not isinstance(value, Mapping):
        return None
    blob = value.get("blob") if "blob" in value else value
    if not isinstance(blob, Mapping) or not isinstance(blob.get("sha256"), str) or not _SHA256.match(blob["sha256"]):
        return None
    size, mime = blob.get("size"), blob.get("mime", "")
    if isinstance(size, bool) or not isinstance(size, int) or size < 0 or not isinstance(mime, str) or len(mime) > 127:
        return None  # not a ref the store could have written
    return blob


class MediaLinks:
    """With `with_media`: each reference also gets its `path` in the zip, and every blob pointed at is remembered
    once, by hash, with its type and size (never its bytes) so the zip writer adds each once."""

    def __init__(self) -> None:
        self.blobs: dict[str, tuple[str, int]] = {}  # sha256 -> (mime, size)

    def link(self, reference: dict[str, Any], blob: Mapping[str, Any]) -> dict[str, Any]:
        self.blobs.setdefault(reference["sha256"], (reference["mime"], int(blob.get("size") or 0)))
        reference["path"] = media_path(reference["sha256"], reference["mime"])
        return reference


def media_reference(value: Any, links: MediaLinks | None = None) -> dict[str, Any] | None:
    """An attachment (or a bare blob ref) as an export writes it: its content hash, type, original name, kind and
    alt text; no bytes, no url or path it was imported from, no store address. None: it names no stored bytes."""
    blob = _blob_of(value)
    if blob is None:
        return None
    mime = str(blob.get("mime") or "application/octet-stream")
    kind = value.get("kind") if "blob" in value else None
    reference = {"sha256": blob["sha256"], "mime": mime, "name": str(blob.get("name") or ""),
                 "kind": kind or _kind_of(mime), "alt": str(value.get("alt") or "") if "blob" in value else ""}
    return links.link(reference, blob) if links is not None else reference


def _references(attachments: Any, links: MediaLinks | None) -> list[dict[str, Any]]:
    if not isinstance(attachments, list):
        return []
    return [ref for ref in (media_reference(a, links) for a in attachments) if ref is not None]


def item_has_media(item: Mapping[str, Any]) -> bool:
    """Whether the item carries any attachment (prompt, context or a response)."""
    if item.get("attachments") or item.get("context_attachments"):
        return True
    return any(isinstance(r, Mapping) and r.get("attachments") for r in item.get("responses") or ())


def _answer_references(value: Any, links: MediaLinks | None) -> tuple[Any, bool]:
    """The answer with every file in it (a stored attachment or blob ref) written as a reference, and whether
    there was one; an answer without files comes back as it was."""
    if isinstance(value, Mapping):
        reference = media_reference(value, links)
        if reference is not None:
            return reference, True
        found = False
        out = {}
        for key, inner in value.items():
            out[key], changed = _answer_references(inner, links)
            found = found or changed
        return (out, True) if found else (value, False)
    if isinstance(value, list):
        pairs = [_answer_references(v, links) for v in value]
        if any(changed for _, changed in pairs):
            return [v for v, _ in pairs], True
    return value, False


def _collect(value: Any, out: list[dict[str, Any]]) -> None:
    """Every reference in a record's answer, in order (for the `media` column and the path columns)."""
    if isinstance(value, dict):
        if "sha256" in value and "kind" in value and "mime" in value:
            out.append(value)
            return
        for inner in value.values():
            _collect(inner, out)
    elif isinstance(value, list):
        for inner in value:
            _collect(inner, out)


def _where(reference: dict[str, Any], where: str) -> dict[str, Any]:
    return {"where": where, **reference}


def record_media(record: Mapping[str, Any]) -> list[dict[str, Any]]:
    """Every reference in a `jsonl` record, each with where it sits (`prompt`, `context`, `response.<id>`,
    `answer`): what the `csv` `media` column holds."""
    out = [_where(r, "prompt") for r in record.get("attachments", [])]
    out += [_where(r, "context") for r in record.get("context_attachments", [])]
    for response in record.get("responses", []):
        out += [_where(r, f"response.{response['id']}") for r in response.get("attachments", [])]
    answer: list[dict[str, Any]] = []
    _collect(record.get("answer"), answer)
    return out + [_where(r, "answer") for r in answer]


def _path_columns(record: Mapping[str, Any]) -> dict[str, Any]:
    """`image`, `images`, `audio`, `audios`: the paths in the zip of the record's images and audio, in the order of
    `record_media` (the first one alone too), which `datasets` casts with `Image()`, `List(Image())`, `Audio()`."""
    media = record_media(record)
    images = [r["path"] for r in media if r["kind"] == "image" and "path" in r]
    audios = [r["path"] for r in media if r["kind"] in ("audio", "voice") and "path" in r]
    return {"image": images[0] if images else None, "images": images,
            "audio": audios[0] if audios else None, "audios": audios}


# ---------------------------------------------------------------- exporters


class Exporter:
    """Turns rows into output lines. `feed` returns the lines for one row; `finish` what is left at the end.
    `records` counts data records written (a CSV header is not one)."""

    name: ClassVar[str]
    suffix: ClassVar[str] = ".jsonl"
    mime: ClassVar[str] = "application/x-ndjson"
    by_item: bool = False  # rows must arrive grouped by item (task id), not in submission order
    task_types: ClassVar[frozenset[str] | None] = None  # None: every task type
    approved_only_by_default: ClassVar[bool] = False  # `dpo`, `sft`: unless `include_unreviewed`

    def __init__(self, spec: ProjectSpec, options: ExportFilters | None = None, *, has_media: bool = False) -> None:
        self.spec = spec
        self.options = options or ExportFilters()
        self.has_media = has_media  # some item of the project carries media (`csv` adds its `media` column)
        self.records = 0
        self.read = 0  # rows fed, whether they became records or not
        self.skipped: Counter[str] = Counter()  # why rows (or items) did not become records: see `why_empty`
        self.links = MediaLinks() if self.options.with_media else None
        self.media_items: set[int] = set()  # dpo, sft, aggregated: items whose media a text-only format leaves out

    @property
    def media(self) -> dict[str, tuple[str, int]]:
        """With `with_media`: every blob the records point at, once (sha256 -> (mime, size))."""
        return self.links.blobs if self.links is not None else {}

    def _trainable(self, row: ExportRow) -> bool:
        """Whether a training format may learn from this answer; counts why not. Rejected and sent-back answers
        never; `dpo` and `sft` take approved answers only unless `include_unreviewed`. Also counts the items whose
        media these text-only formats leave out, to be said, never silently."""
        if row.review_state in NOT_FOR_TRAINING:
            self.skipped["rejected"] += 1
            return False
        if self.approved_only_by_default and not self.options.include_unreviewed and row.review_state != "approved":
            self.skipped["pending" if row.review_state == "pending" else "unreviewed"] += 1
            return False
        if item_has_media(row.item):
            self.media_items.add(row.task_id)
        return True

    def start(self) -> list[str]:
        return []

    def feed(self, row: ExportRow) -> list[str]:
        raise NotImplementedError

    def finish(self) -> list[str]:
        return []

    def _emit(self, lines: list[str]) -> list[str]:
        self.records += len(lines)
        return lines


def submission_record(row: ExportRow, links: MediaLinks | None = None) -> dict[str, Any]:
    """The `jsonl` record: everything about one answer except who gave it. Media as references (`attachments`,
    `context_attachments` and a response's `attachments` only when there are some); with `links`, each with its
    path in the zip, and the `image`/`audio` path columns."""
    item = row.item
    media: dict[str, Any] = {}
    for key in ("attachments", "context_attachments"):
        if item.get(key):
            media[key] = _references(item[key], links)
    answer = row.answer if row.answer_files is False else _answer_references(row.answer, links)[0]
    record = {
        "submission_id": row.submission_id,
        "external_id": row.external_id,
        "task_type": row.answer.get("task_type"),
        "prompt": item.get("prompt", ""),
        "context": item.get("context"),
        **media,
        "responses": _responses(item, links),
        "metadata": item.get("metadata", {}),
        "answer": dict(answer),
        "expert_id": row.expert_id,
        "seconds_spent": row.seconds_spent,
        "late": row.late,
        "review_state": row.review_state,
        "revision": row.revision,
        "is_gold": row.is_gold,
        "gold_passed": row.gold_passed,
        "gold_score": row.gold_score,
        **_review_fields(row),
        "submitted_at": iso_utc(row.submitted_at),
        "instructions_version": row.instructions_version,
    }
    if links is not None:
        record.update(_path_columns(record))
    return record


class JsonlExporter(Exporter):
    name = "jsonl"

    def feed(self, row: ExportRow) -> list[str]:
        self.read += 1
        return self._emit([_line(submission_record(row, self.links))])


BASE_COLUMNS = ("submission_id", "external_id", "task_type", "prompt", "context", "responses", "metadata", "expert_id",
                "seconds_spent", "late", "review_state", "revision", "is_gold", "gold_passed", "gold_score",
                "review_decision", "review_reason", "review_comment", "submitted_at", "instructions_version")


MEDIA_COLUMN = "media"  # csv, when the project has media: every reference of the row as a JSON list


def answer_columns(spec: ProjectSpec) -> list[tuple[str, str, str | None]]:
    """(column, answer field, key) for the task type's answer model, in field order: a mapping field becomes one
    column per criterion (`answer.scores.accuracy`), everything else one column (`answer.justification`)."""
    model = _ANSWER_MODELS[spec.task_type]
    columns: list[tuple[str, str, str | None]] = []
    for field in model.model_fields:
        if field in ("task_type", "attachment"):  # an answer's file is in the media column, with every other medium
            continue
        if field in ("scores", "criteria_preferences"):
            columns += [(f"answer.{field}.{c.id}", field, c.id) for c in spec.criteria]
        else:
            columns.append((f"answer.{field}", field, None))
    return columns


def _cell(value: Any) -> Any:
    """A record value as a CSV cell: numbers stay numbers, everything else becomes text (which the writer
    neutralizes; see `domain.csv_safety`)."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (int, float)):
        return value
    if isinstance(value, (list, dict)):
        return _dumps(value)
    return str(value)


class CsvExporter(Exporter):
    """Every text cell (prompts, responses, answers, external ids, metadata…: anything a person wrote or
    imported) is quoted and neutralized against spreadsheet formulas by `SafeCsvWriter`; numbers the project
    records (ids, seconds, scores, gold scores) are written as bare numbers."""

    name = "csv"
    suffix = ".csv"
    mime = "text/csv"

    def __init__(self, spec: ProjectSpec, options: ExportFilters | None = None, *, has_media: bool = False) -> None:
        super().__init__(spec, options, has_media=has_media)
        self.columns = answer_columns(spec)
        self._buffer = io.StringIO()
        self._writer = SafeCsvWriter(self._buffer, lineterminator="\n")

    def _row(self, cells: list[Any]) -> str:
        self._buffer.seek(0)
        self._buffer.truncate()
        self._writer.writerow(cells)
        return self._buffer.getvalue()

    def start(self) -> list[str]:
        media = [MEDIA_COLUMN] if self.has_media else []
        return [self._row(list(BASE_COLUMNS) + [c for c, _, _ in self.columns] + media)]

    def feed(self, row: ExportRow) -> list[str]:
        self.read += 1
        record = submission_record(row)
        cells = [_cell(record[c]) for c in BASE_COLUMNS]
        answer = record["answer"]
        for _, field, key in self.columns:
            value = answer.get(field)
            if key is not None:
                value = (value or {}).get(key)
            cells.append(_cell(value))
        if self.has_media:  # JSON text starting with `[`, through the same neutralizing writer as every cell
            cells.append(_cell(record_media(record)))
        return self._emit([self._row(cells)])


def _user(text: str) -> list[dict[str, str]]:
    return [{"role": "user", "content": text}]


def _assistant(text: str) -> list[dict[str, str]]:
    return [{"role": "assistant", "content": text}]


class _TrainingExporter(Exporter):
    """`dpo` and `sft`: approved answers only by default; prompts with the item's context; TRL's standard
    format (strings) or its conversational one (role/content message lists)."""

    approved_only_by_default = True

    def _prompt(self, text: str) -> str | list[dict[str, str]]:
        return _user(text) if self.options.conversational else text

    def _reply(self, text: str) -> str | list[dict[str, str]]:
        return _assistant(text) if self.options.conversational else text


class DpoExporter(_TrainingExporter):
    """TRL's preference format (`prompt`, `chosen`, `rejected`); other keys ride along."""

    name = "dpo"
    task_types = frozenset({"pairwise", "rewrite"})

    def __init__(self, spec: ProjectSpec, options: ExportFilters | None = None, *, has_media: bool = False) -> None:
        super().__init__(spec, options, has_media=has_media)
        self.by_item = self.options.consensus
        self._task: int | None = None
        self._judgements: list[ExportRow] = []

    def _pair(self, row: ExportRow, chosen: str, rejected: str, extra: dict[str, Any]) -> str:
        return _line({"prompt": self._prompt(training_prompt(row.item)), "chosen": self._reply(chosen),
                      "rejected": self._reply(rejected), **extra, "context": row.item.get("context") or "",
                      "external_id": row.external_id})

    def _sides(self, row: ExportRow, direction: str) -> tuple[str, str] | None:
        responses = _responses(row.item)
        if direction not in ("A", "B") or len(responses) < 2:
            return None
        a, b = responses[0]["text"], responses[1]["text"]
        return (a, b) if direction == "A" else (b, a)

    def feed(self, row: ExportRow) -> list[str]:
        self.read += 1
        out: list[str] = []
        if self.options.consensus and row.task_id != self._task:
            out = self._flush()
            self._task = row.task_id
        if not self._trainable(row):
            return out
        kind = row.answer.get("task_type")
        if kind == "pairwise" and self.options.consensus:
            self._judgements.append(row)
            return out
        if kind == "pairwise":
            preference = row.answer.get("preference")
            sides = self._sides(row, PREFERENCE_DIRECTION.get(preference, "tie"))
            if preference not in MARGIN or sides is None:
                self.skipped["tie"] += 1  # a tie says nothing about which is better
                return out
            return out + self._emit([self._pair(row, *sides, {
                "margin": MARGIN[preference], "justification": row.answer.get("justification", ""),
                "source": "pairwise", "expert_id": row.expert_id, "submission_id": row.submission_id,
                **_review_fields(row)})])
        if kind == "rewrite" and _responses(row.item):
            return out + self._emit([self._pair(row, row.answer["text"], _responses(row.item)[0]["text"], {
                "margin": None, "justification": row.answer.get("what_was_wrong", ""), "source": "rewrite",
                "expert_id": row.expert_id, "submission_id": row.submission_id, **_review_fields(row)})])
        return out

    def _flush(self) -> list[str]:
        """One item's judgements as its consensus pair: the direction more than half of them share."""
        rows, self._judgements = self._judgements, []
        if not rows:
            return []
        if len(rows) < 2:
            self.skipped["one_judgement"] += 1
            return []
        directions = [PREFERENCE_DIRECTION.get(r.answer.get("preference"), "tie") for r in rows]
        votes = Counter(directions)
        winner, count = votes.most_common(1)[0]
        sides = self._sides(rows[0], winner)
        if 2 * count <= len(rows) or sides is None:
            self.skipped["no_majority"] += 1
            return []
        margins = [MARGIN[r.answer["preference"]] for r, d in zip(rows, directions) if d == winner]
        agreement = item_agreement(self.spec, [dict(r.answer) for r in rows])
        return self._emit([self._pair(rows[0], *sides, {
            "margin": statistics.median_low(margins), "source": "consensus", "judgements": len(rows),
            "votes": {d: votes.get(d, 0) for d in ("A", "tie", "B")}, "majority_share": round(count / len(rows), 4),
            "agreement_percent": None if agreement is None else round(agreement * 100, 1),
            "expert_ids": [r.expert_id for r in rows], "submission_ids": [r.submission_id for r in rows],
            "review_decisions": [r.review_decision for r in rows]})])

    def finish(self) -> list[str]:
        return self._flush()


class SftExporter(_TrainingExporter):
    """TRL's prompt–completion format (`prompt`, `completion`)."""

    name = "sft"
    task_types = frozenset({"prompt_writing", "rewrite"})

    def _record(self, row: ExportRow, prompt: str, completion: str, source: str) -> str:
        return _line({"prompt": self._prompt(prompt), "completion": self._reply(completion),
                      "context": row.item.get("context") or "", "source": source, "external_id": row.external_id,
                      "expert_id": row.expert_id, "submission_id": row.submission_id, **_review_fields(row)})

    def feed(self, row: ExportRow) -> list[str]:
        self.read += 1
        if not self._trainable(row):
            return []
        kind = row.answer.get("task_type")
        if kind == "prompt_writing":  # the expert's own prompt: the item's context was theirs to use, not the model's
            return self._emit([self._record(row, row.answer["prompt"], row.answer["reference_answer"],
                                            "prompt_writing")])
        if kind == "rewrite":
            return self._emit([self._record(row, training_prompt(row.item), row.answer["text"], "rewrite")])
        return []


def _plurality(values: list[Any]) -> Any:
    """The most common value, or None when two values share first place (then there is no plurality to report)."""
    top = Counter(values).most_common(2)
    if not top or (len(top) == 2 and top[0][1] == top[1][1]):
        return None
    return top[0][0]


def _round(value: float | None) -> float | None:
    return None if value is None else round(value, 4)


def _numeric_summary(values: list[float]) -> dict[str, Any]:
    """Mean, median and spread (sample standard deviation, n − 1; None with one answer), min and max."""
    return {
        "mean": _round(statistics.fmean(values)) if values else None,
        "median": _round(float(statistics.median(values))) if values else None,
        "sd": _round(statistics.stdev(values)) if len(values) > 1 else None,
        "min": min(values, default=None), "max": max(values, default=None), "n": len(values),
    }


def _level_summary(levels: tuple[str, ...], given: list[str]) -> dict[str, Any]:
    """A named ordered scale: the median level (the lower of the two middle answers when their number is even,
    so it is always a level someone gave) and how many chose each level."""
    positions = sorted(levels.index(g) for g in given)
    return {"median": levels[statistics.median_low(positions)] if positions else None,
            "votes": {lv: given.count(lv) for lv in levels}, "n": len(given)}


def _tie_groups(points: Mapping[str, float]) -> list[list[str]]:
    """Response ids best first by points, equal points in one group (ids sorted within it)."""
    groups: list[list[str]] = []
    last = None
    for rid in sorted(points, key=lambda r: (-points[r], r)):
        if groups and points[rid] == last:
            groups[-1].append(rid)
        else:
            groups.append([rid])
        last = points[rid]
    return groups


def _agreement_on(values: list[Any]) -> float | None:
    """Percent agreement among one item's values for one question (None with fewer than two)."""
    return percent_agreement([values]) if len(values) >= 2 else None


def _percent(value: float | None) -> float | None:
    return None if value is None else round(value * 100, 1)


def aggregate_item(spec: ProjectSpec, external_id: str, item: Mapping[str, Any],
                   answers: list[Mapping[str, Any]]) -> dict[str, Any]:
    """One item's answers summarised: the plurality (None when two answers share first place), votes,
    per-criterion statistics, agreement."""
    record: dict[str, Any] = {
        "external_id": external_id, "task_type": spec.task_type, "prompt": item.get("prompt", ""),
        "answers": len(answers),
    }
    kind = spec.task_type
    if kind == "rating":
        scores: dict[str, Any] = {}
        shares = []
        for question, c in zip(questions(spec), spec.criteria):
            given = [v for v in (question.same(dict(a)) for a in answers) if v is not None]
            summary = (_level_summary(c.scale.levels, given) if c.scale.named
                       else _numeric_summary([float(g) for g in given]))
            share = _agreement_on(given)
            summary["agreement_percent"] = _percent(share)
            shares.append(share)
            scores[c.id] = summary
        record["scores"] = scores
        known = [s for s in shares if s is not None]
        # the mean of the criteria's agreement: a whole-rubric match would hide which criterion people differ on
        record["agreement_percent"] = _percent(sum(known) / len(known)) if known else None
        return record
    record["agreement_percent"] = _percent(item_agreement(spec, [dict(a) for a in answers]))
    if kind == "labeling":
        votes = Counter(label for a in answers for label in a.get("labels", []))
        sets = [tuple(sorted(a.get("labels", []))) for a in answers]
        winner = _plurality(sets)
        record["plurality"] = (None if winner is None else (winner[0] if not spec.multi_label and len(winner) == 1
                                                           else list(winner)))
        record["votes"] = dict(sorted(votes.items()))
    elif kind == "pairwise":
        directions = [PREFERENCE_DIRECTION[a["preference"]] for a in answers if a.get("preference") in
                      PREFERENCE_DIRECTION]
        record["plurality"] = _plurality(directions)
        record["votes"] = {d: directions.count(d) for d in ("A", "tie", "B")}
    elif kind == "ranking":
        orders = [comparable(spec, dict(a)) for a in answers]
        winner = _plurality(orders)
        record["plurality"] = None if winner is None else [list(group) for group in winner]
        ranks: dict[str, list[float]] = {}
        points: dict[str, float] = {}
        for a in answers:
            for rid, rank in fractional_ranks(a.get("order", [])).items():
                ranks.setdefault(rid, []).append(rank)
            for rid, p in borda_points(a.get("order", [])).items():
                points[rid] = points.get(rid, 0.0) + p
        record["mean_rank"] = {rid: _round(statistics.fmean(r)) for rid, r in sorted(ranks.items())}
        record["borda"] = {rid: _round(p) for rid, p in sorted(points.items())}
        record["borda_order"] = _tie_groups(points)
    elif kind == "error_check":
        verdicts = [comparable(spec, dict(a)) for a in answers]
        record["plurality"] = _plurality(verdicts)
        record["votes"] = {v: verdicts.count(v) for v in ("issues_found", "no_issues")}
    return record


class AggregatedExporter(Exporter):
    name = "aggregated"
    by_item = True
    task_types = frozenset({"labeling", "pairwise", "rating", "ranking", "error_check"})

    def __init__(self, spec: ProjectSpec, options: ExportFilters | None = None, *, has_media: bool = False) -> None:
        super().__init__(spec, options, has_media=has_media)
        self._task: int | None = None
        self._first: ExportRow | None = None
        self._answers: list[Mapping[str, Any]] = []

    def _flush(self) -> list[str]:
        if self._first is None or not self._answers:
            return []
        line = _line(aggregate_item(self.spec, self._first.external_id, self._first.item, self._answers))
        self._first, self._answers = None, []
        return self._emit([line])

    def feed(self, row: ExportRow) -> list[str]:
        self.read += 1
        out: list[str] = []
        if row.task_id != self._task:
            out = self._flush()
            self._task = row.task_id
        if not self._trainable(row):
            return out
        if self._first is None:
            self._first = row
        self._answers.append(row.answer)
        return out

    def finish(self) -> list[str]:
        return self._flush()


FORMATS: dict[str, type[Exporter]] = {
    e.name: e for e in (JsonlExporter, CsvExporter, DpoExporter, SftExporter, AggregatedExporter)
}


def applies_to(fmt: str, task_type: str) -> bool:
    allowed = FORMATS[fmt].task_types
    return allowed is None or task_type in allowed


def exporter_for(fmt: str, spec: ProjectSpec, options: ExportFilters | None = None, *,
                 has_media: bool = False) -> Exporter:
    if fmt not in FORMATS:
        raise ValueError(f"unknown export format {fmt!r}; one of {', '.join(FORMATS)}")
    return FORMATS[fmt](spec, options, has_media=has_media)


# Which formats each option changes: anywhere else it would be silently ignored, so it is refused.
OPTION_FORMATS = {"include_unreviewed": ("dpo", "sft"), "conversational": ("dpo", "sft"), "consensus": ("dpo",),
                  "with_media": ("jsonl",)}


def check_options(fmt: str, task_type: str, options: ExportFilters) -> None:
    """Refuse an option the format does not have (`consensus` also needs pairwise judgements)."""
    for option, formats in OPTION_FORMATS.items():
        if getattr(options, option) and fmt not in formats:
            raise ExportArgsError(msg("export.option_not_for_format", option=option.replace("_", "-"),
                                      format=fmt, formats=", ".join(formats)))
    if options.consensus and task_type != "pairwise":
        raise ExportArgsError(msg("export.consensus_pairwise_only"))


# Why rows did not become records, in the order they are told.
SKIP_REASONS = ("pending", "unreviewed", "rejected", "tie", "one_judgement", "no_majority")


@dataclass(frozen=True)
class EmptyExport:
    """Why an export came out empty: `sentence` is read piece after piece as one sentence (a catalog message per
    reason, so no nesting grows with their number); `hint` is what to do about it, when there is something."""

    sentence: tuple[Msg, ...]
    hint: Msg | None = None


def why_empty(fmt: str, task_type: str, exporter: Exporter, name: Any, option: str) -> EmptyExport:
    """What to tell a manager whose export came out empty: the rule of the format and what it left out
    ("SFT takes approved rewrites only; 1 is waiting for review"), then how to take unreviewed answers too when
    that is what stood in the way (`option` is how the reader writes it: `include-unreviewed` in chat,
    `--include-unreviewed` on the command line). Nothing read at all: no answer passes the filters."""
    if exporter.read == 0:
        return EmptyExport((msg("export.empty", name=name),))
    options = exporter.options
    if options.consensus:
        rule = msg("export.rule.consensus")
    elif exporter.approved_only_by_default and options.include_unreviewed:
        rule = msg("export.rule.unreviewed", format=fmt)
    elif exporter.approved_only_by_default:
        rule = msg(f"export.rule.{fmt}.{task_type}")
    else:
        rule = msg("export.rule.not_rejected", format=fmt)
    reasons = [msg(f"export.skipped.{r}", count=exporter.skipped[r]) for r in SKIP_REASONS if exporter.skipped[r]]
    if not reasons:  # cannot happen while every skip is counted; said plainly rather than with an empty list
        return EmptyExport((msg("export.empty", name=name),))
    sentence = (msg("export.empty_because", name=name, rule=rule, reason=reasons[0]),
                *(msg("export.another_reason", reason=r) for r in reasons[1:]), msg("export.end_of_reasons"))
    stood_in_the_way = exporter.skipped["pending"] or exporter.skipped["unreviewed"]
    hint = msg("export.hint_unreviewed", option=option) if stood_in_the_way and not options.include_unreviewed else None
    return EmptyExport(sentence, hint)


def write_rows(exporter: Exporter, rows: Iterable[ExportRow]) -> Iterable[str]:
    """Every output line for `rows`, header and trailer included (for in-memory use and tests)."""
    yield from exporter.start()
    for row in rows:
        yield from exporter.feed(row)
    yield from exporter.finish()


# ---------------------------------------------------------------- filters and arguments


@dataclass(frozen=True)
class ExportFilters:
    approved_only: bool = False
    since: datetime | None = None  # inclusive, UTC
    until: datetime | None = None  # exclusive, UTC
    exclude_paused: bool = False
    # Not filters on the rows read but options of the training formats (see `OPTION_FORMATS`).
    include_unreviewed: bool = False
    consensus: bool = False
    conversational: bool = False
    with_media: bool = False  # jsonl: a zip with the records and the media they point at

    def describe(self) -> str:
        parts = []
        if self.approved_only:
            parts.append("approved")
        for option in ("include_unreviewed", "consensus", "conversational", "with_media"):
            if getattr(self, option):
                parts.append(option.replace("_", "-"))
        if self.since is not None:
            parts.append("since:" + self.since.date().isoformat())
        if self.until is not None:
            parts.append("until:" + (self.until - timedelta(days=1)).date().isoformat())
        if self.exclude_paused:
            parts.append("exclude-paused")
        return " ".join(parts)


class ExportArgsError(ValueError):
    """The request cannot be run; `message` says why, in the person's language."""

    def __init__(self, message: Msg) -> None:
        self.message = message
        super().__init__(f"{message.key} {message.params}")


def parse_day(text: str, *, end: bool = False) -> datetime:
    """`YYYY-MM-DD` as the UTC start of that day; with `end`, the start of the next day (an inclusive last day)."""
    try:
        day = date.fromisoformat(text.strip())
    except ValueError:
        raise ExportArgsError(msg("export.bad_date", value=text[:40])) from None
    start = datetime.combine(day, time(0), tzinfo=timezone.utc)
    return start + timedelta(days=1) if end else start


def check_range(since: datetime | None, until: datetime | None) -> None:
    if since is not None and until is not None and since >= until:
        raise ExportArgsError(msg("export.bad_range", since=since.date().isoformat(),
                                  until=(until - timedelta(days=1)).date().isoformat()))


@dataclass(frozen=True)
class ExportRequest:
    project: str  # as typed: a name or the start of one
    fmt: str | None  # None: ask which
    filters: ExportFilters


_FLAGS = {"approved": "approved_only", "approved-only": "approved_only", "exclude-paused": "exclude_paused",
          "include-unreviewed": "include_unreviewed", "consensus": "consensus", "conversational": "conversational",
          "with-media": "with_media"}


def parse_chat_args(text: str) -> ExportRequest:
    """`PROJECT [FORMAT] [approved] [since:YYYY-MM-DD] [until:YYYY-MM-DD] [exclude-paused] [include-unreviewed]
    [consensus] [conversational] [with-media]`.

    The project name may have spaces: it is every word before the format (or before the first option, or all
    of it). Options come after it, in any order."""
    words = text.split()
    if not words:
        raise ExportArgsError(msg("export.usage"))

    def is_option(w: str) -> bool:
        low = w.lower()
        return low in _FLAGS or low.startswith(("since:", "until:"))

    split = next((i for i, w in enumerate(words) if w.lower() in FORMATS or is_option(w)), len(words))
    project = " ".join(words[:split])
    if not project:
        raise ExportArgsError(msg("export.usage"))
    rest = words[split:]
    fmt = None
    if rest and rest[0].lower() in FORMATS:
        fmt = rest.pop(0).lower()
    flags = dict.fromkeys(_FLAGS.values(), False)
    since = until = None
    for word in rest:
        low = word.lower()
        if low in _FLAGS:
            flags[_FLAGS[low]] = True
        elif low.startswith("since:"):
            since = parse_day(word[6:])
        elif low.startswith("until:"):
            until = parse_day(word[6:], end=True)
        elif low in FORMATS:
            raise ExportArgsError(msg("export.two_formats"))
        else:
            raise ExportArgsError(msg("export.unknown_option", option=word[:40]))
    check_range(since, until)
    return ExportRequest(project=project, fmt=fmt,
                         filters=ExportFilters(since=since, until=until, **flags))
