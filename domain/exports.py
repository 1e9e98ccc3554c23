"""Exports: what one stored submission becomes in each training-data format, and how the formats stream.

Pure: no storage, no chat. Rows arrive one by one (`ExportRow`, built from a storage row by `export_row`, which
replaces the person with a pseudonym); an exporter turns each into zero or more output lines and never holds
more than one item's answers. The formats:

- `jsonl` — one record per submission: the item, the answer, the pseudonymous expert id, time spent, review
  outcome, gold result, submitted_at (UTC ISO 8601).
- `csv` — the same flattened: answer fields as `answer.*` columns for the project's task type, nested lists
  and objects as JSON strings; UTF-8 with a header row. Text cells go through `domain.csv_safety` (quoted, and
  a leading `=`, `+`, `-`, `@`, tab or CR gets a `'`); numbers stay bare numbers.
- `dpo` — `{"prompt", "chosen", "rejected"}` per pairwise judgement (ties skipped; `margin` 2 for "much
  better", 1 for "better"; the justification kept) and per rewrite (the rewrite chosen, the original rejected).
- `sft` — `{"prompt", "completion"}` from prompt writing (prompt → reference answer) and from approved
  rewrites (the item's prompt → the rewrite).
- `aggregated` — one row per item: the majority answer (label, preference direction, verdict, order), mean
  scores per criterion (majority level for named scales), votes, percent agreement and the count of answers.

The training formats (`dpo`, `sft`, `aggregated`) leave out answers a reviewer rejected or sent back for rework:
a judgement the project itself refused is not a training signal.
"""
from __future__ import annotations

import io
import json
from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta, timezone
from typing import Any, ClassVar

from bot.i18n.text import Msg, msg
from domain.csv_safety import SafeCsvWriter
from domain.gold import PREFERENCE_DIRECTION
from domain.item_answers import comparable, item_agreement
from domain.project_spec import ProjectSpec
from domain.pseudonyms import pseudonym
from domain.task_types import (
    ErrorCheckAnswer, LabelingAnswer, PairwiseAnswer, PromptWritingAnswer, RankingAnswer, RatingAnswer, RewriteAnswer,
)

__all__ = [
    "FORMATS", "MARGIN", "NOT_FOR_TRAINING", "ExportArgsError", "ExportFilters", "ExportRequest", "ExportRow",
    "Exporter", "ItemCache", "aggregate_item", "applies_to", "check_range", "exporter_for", "export_row", "iso_utc",
    "parse_chat_args", "parse_day", "submission_record", "write_rows",
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
    )


def iso_utc(moment: datetime) -> str:
    """`2026-11-28T18:00:05.250000Z`: UTC, microseconds always present, so the strings also sort."""
    return moment.astimezone(timezone.utc).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def _dumps(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False, separators=(",", ":"))


def _line(record: Mapping[str, Any]) -> str:
    return _dumps(record) + "\n"


def _responses(item: Mapping[str, Any]) -> list[dict]:
    return [{"id": r["id"], "text": r["text"]} for r in item.get("responses", [])]


# ---------------------------------------------------------------- exporters


class Exporter:
    """Turns rows into output lines. `feed` returns the lines for one row; `finish` what is left at the end.
    `records` counts data records written (a CSV header is not one)."""

    name: ClassVar[str]
    suffix: ClassVar[str] = ".jsonl"
    mime: ClassVar[str] = "application/x-ndjson"
    by_item: ClassVar[bool] = False  # rows must arrive grouped by item (task id), not in submission order
    task_types: ClassVar[frozenset[str] | None] = None  # None: every task type

    def __init__(self, spec: ProjectSpec) -> None:
        self.spec = spec
        self.records = 0

    def start(self) -> list[str]:
        return []

    def feed(self, row: ExportRow) -> list[str]:
        raise NotImplementedError

    def finish(self) -> list[str]:
        return []

    def _emit(self, lines: list[str]) -> list[str]:
        self.records += len(lines)
        return lines


def submission_record(row: ExportRow) -> dict[str, Any]:
    """The `jsonl` record: everything about one answer except who gave it."""
    item = row.item
    return {
        "submission_id": row.submission_id,
        "external_id": row.external_id,
        "task_type": row.answer.get("task_type"),
        "prompt": item.get("prompt", ""),
        "context": item.get("context"),
        "responses": _responses(item),
        "metadata": item.get("metadata", {}),
        "answer": dict(row.answer),
        "expert_id": row.expert_id,
        "seconds_spent": row.seconds_spent,
        "late": row.late,
        "review_state": row.review_state,
        "revision": row.revision,
        "is_gold": row.is_gold,
        "gold_passed": row.gold_passed,
        "gold_score": row.gold_score,
        "submitted_at": iso_utc(row.submitted_at),
        "instructions_version": row.instructions_version,
    }


class JsonlExporter(Exporter):
    name = "jsonl"

    def feed(self, row: ExportRow) -> list[str]:
        return self._emit([_line(submission_record(row))])


BASE_COLUMNS = ("submission_id", "external_id", "task_type", "prompt", "context", "responses", "metadata", "expert_id",
                "seconds_spent", "late", "review_state", "revision", "is_gold", "gold_passed", "gold_score",
                "submitted_at", "instructions_version")


def answer_columns(spec: ProjectSpec) -> list[tuple[str, str, str | None]]:
    """(column, answer field, key) for the task type's answer model, in field order: a mapping field becomes one
    column per criterion (`answer.scores.accuracy`), everything else one column (`answer.justification`)."""
    model = _ANSWER_MODELS[spec.task_type]
    columns: list[tuple[str, str, str | None]] = []
    for field in model.model_fields:
        if field == "task_type":
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

    def __init__(self, spec: ProjectSpec) -> None:
        super().__init__(spec)
        self.columns = answer_columns(spec)
        self._buffer = io.StringIO()
        self._writer = SafeCsvWriter(self._buffer, lineterminator="\n")

    def _row(self, cells: list[Any]) -> str:
        self._buffer.seek(0)
        self._buffer.truncate()
        self._writer.writerow(cells)
        return self._buffer.getvalue()

    def start(self) -> list[str]:
        return [self._row(list(BASE_COLUMNS) + [c for c, _, _ in self.columns])]

    def feed(self, row: ExportRow) -> list[str]:
        record = submission_record(row)
        cells = [_cell(record[c]) for c in BASE_COLUMNS]
        for _, field, key in self.columns:
            value = row.answer.get(field)
            if key is not None:
                value = (value or {}).get(key)
            cells.append(_cell(value))
        return self._emit([self._row(cells)])


def _pair_record(row: ExportRow, prompt: str, chosen: str, rejected: str, margin: int | None, justification: str,
                 source: str) -> dict[str, Any]:
    return {
        "prompt": prompt, "chosen": chosen, "rejected": rejected, "margin": margin, "justification": justification,
        "context": row.item.get("context") or "", "source": source, "external_id": row.external_id,
        "expert_id": row.expert_id, "submission_id": row.submission_id,
    }


class DpoExporter(Exporter):
    """TRL's preference format (`prompt`, `chosen`, `rejected`, all strings); other keys ride along."""

    name = "dpo"
    task_types = frozenset({"pairwise", "rewrite"})

    def feed(self, row: ExportRow) -> list[str]:
        if row.review_state in NOT_FOR_TRAINING:
            return []
        responses = _responses(row.item)
        prompt = row.item.get("prompt", "")
        kind = row.answer.get("task_type")
        if kind == "pairwise":
            preference = row.answer.get("preference")
            if preference not in MARGIN or len(responses) < 2:
                return []  # a tie says nothing about which is better
            a, b = responses[0]["text"], responses[1]["text"]
            chosen, rejected = (a, b) if PREFERENCE_DIRECTION[preference] == "A" else (b, a)
            return self._emit([_line(_pair_record(row, prompt, chosen, rejected, MARGIN[preference],
                                                  row.answer.get("justification", ""), "pairwise"))])
        if kind == "rewrite" and responses:
            return self._emit([_line(_pair_record(row, prompt, row.answer["text"], responses[0]["text"], None,
                                                  row.answer.get("what_was_wrong", ""), "rewrite"))])
        return []


class SftExporter(Exporter):
    """TRL's prompt–completion format (`prompt`, `completion`, both strings)."""

    name = "sft"
    task_types = frozenset({"prompt_writing", "rewrite"})

    def _record(self, row: ExportRow, prompt: str, completion: str, source: str) -> str:
        return _line({"prompt": prompt, "completion": completion, "context": row.item.get("context") or "",
                      "source": source, "external_id": row.external_id, "expert_id": row.expert_id,
                      "submission_id": row.submission_id})

    def feed(self, row: ExportRow) -> list[str]:
        if row.review_state in NOT_FOR_TRAINING:
            return []
        kind = row.answer.get("task_type")
        if kind == "prompt_writing":
            return self._emit([self._record(row, row.answer["prompt"], row.answer["reference_answer"],
                                            "prompt_writing")])
        if kind == "rewrite" and row.review_state == "approved":
            return self._emit([self._record(row, row.item.get("prompt", ""), row.answer["text"], "rewrite")])
        return []


def _plurality(values: list[Any]) -> Any:
    """The most common value, or None when two or more share the top count (no majority to report)."""
    top = Counter(values).most_common(2)
    if not top or (len(top) == 2 and top[0][1] == top[1][1]):
        return None
    return top[0][0]


def _mean(values: list[float]) -> float | None:
    return round(sum(values) / len(values), 4) if values else None


def aggregate_item(spec: ProjectSpec, external_id: str, item: Mapping[str, Any],
                   answers: list[Mapping[str, Any]]) -> dict[str, Any]:
    """One item's answers summarised: the majority (None on a tie), votes, mean scores, agreement."""
    agreement = item_agreement(spec, [dict(a) for a in answers])
    record: dict[str, Any] = {
        "external_id": external_id, "task_type": spec.task_type, "prompt": item.get("prompt", ""),
        "answers": len(answers),
        "agreement_percent": None if agreement is None else round(agreement * 100, 1),
    }
    kind = spec.task_type
    if kind == "labeling":
        votes = Counter(label for a in answers for label in a.get("labels", []))
        sets = [tuple(sorted(a.get("labels", []))) for a in answers]
        winner = _plurality(sets)
        record["majority"] = (None if winner is None else (winner[0] if not spec.multi_label and len(winner) == 1
                                                          else list(winner)))
        record["votes"] = dict(sorted(votes.items()))
    elif kind == "pairwise":
        directions = [PREFERENCE_DIRECTION[a["preference"]] for a in answers if a.get("preference") in
                      PREFERENCE_DIRECTION]
        record["majority"] = _plurality(directions)
        record["votes"] = {d: directions.count(d) for d in ("A", "tie", "B")}
    elif kind == "rating":
        scores: dict[str, Any] = {}
        for c in spec.criteria:
            given = [a.get("scores", {}).get(c.id) for a in answers]
            given = [g for g in given if g is not None]
            if c.scale.named:
                scores[c.id] = _plurality(given)
            else:
                scores[c.id] = _mean([float(g) for g in given])
        record["scores"] = scores
    elif kind == "ranking":
        orders = [comparable(spec, dict(a)) for a in answers]
        winner = _plurality(orders)
        record["majority"] = None if winner is None else [list(group) for group in winner]
        places: dict[str, list[float]] = {}
        for a in answers:
            for place, group in enumerate(a.get("order", []), start=1):
                for rid in group:
                    places.setdefault(rid, []).append(place)
        record["mean_rank"] = {rid: _mean(p) for rid, p in sorted(places.items())}
    elif kind == "error_check":
        verdicts = [comparable(spec, dict(a)) for a in answers]
        record["majority"] = _plurality(verdicts)
        record["votes"] = {v: verdicts.count(v) for v in ("issues_found", "no_issues")}
    return record


class AggregatedExporter(Exporter):
    name = "aggregated"
    by_item = True
    task_types = frozenset({"labeling", "pairwise", "rating", "ranking", "error_check"})

    def __init__(self, spec: ProjectSpec) -> None:
        super().__init__(spec)
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
        out: list[str] = []
        if row.task_id != self._task:
            out = self._flush()
            self._task = row.task_id
        if row.review_state in NOT_FOR_TRAINING:
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


def exporter_for(fmt: str, spec: ProjectSpec) -> Exporter:
    if fmt not in FORMATS:
        raise ValueError(f"unknown export format {fmt!r}; one of {', '.join(FORMATS)}")
    return FORMATS[fmt](spec)


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

    def describe(self) -> str:
        parts = []
        if self.approved_only:
            parts.append("approved")
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


_FLAGS = {"approved": "approved_only", "approved-only": "approved_only", "exclude-paused": "exclude_paused"}


def parse_chat_args(text: str) -> ExportRequest:
    """`PROJECT [FORMAT] [approved] [since:YYYY-MM-DD] [until:YYYY-MM-DD] [exclude-paused]`.

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
    flags = {"approved_only": False, "exclude_paused": False}
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
