"""A project spec: the file a manager uploads to create a project, parsed into one frozen `ProjectSpec`.

Read like Argilla's dataset settings: what the task is (`task_type`, `instructions`), what an answer is
made of (`criteria`, `labels`), and how work is handed out and paid (`overlap`, `lease_minutes`, `pay`).
A spec with errors is refused whole, and `SpecError` lists every problem by field path
("criteria[2].scale") so the manager can fix the file in one go. Each problem is a catalog message
(`spec.problem.*`, `input.*`), shown in the manager's language.

Each top-level field carries its own validation in its `Annotated` type, so a field can be checked alone;
that is how cross-field rules still run (and report) when some other field is broken.
"""
from __future__ import annotations

import json
import re
from bot.blobs import MediaKind
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from datetime import UTC, date, datetime, time
from functools import lru_cache
from typing import Annotated, Any, Literal
from urllib.parse import urlsplit

import yaml

from domain.strict_json import object_without_duplicates, refuse_constant
from pydantic import (
    AfterValidator,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    Strict,
    StringConstraints,
    TypeAdapter,
    ValidationError,
    WithJsonSchema,
    field_validator,
    model_validator,
)

from bot.i18n.text import Money, Msg, msg
from domain.money import MoneyError, format_amount, normalize_currency, parse_amount
from domain.problems import Invalid, english, problem_messages
from domain.reflow import reflow

__all__ = [
    "DOMAINS",
    "GOLD_TASK_TYPES",
    "MAX_SPEC_BYTES",
    "TASK_TYPES",
    "Criterion",
    "Pay",
    "ProjectSpec",
    "Requires",
    "Scale",
    "SpecError",
    "SpecProblem",
    "SpecRule",
    "SPEC_RULES",
    "SPEC_EXAMPLES",
    "looks_like_assessment",
    "one_of",
    "problem_count",
    "with_examples",
    "parse_project_spec",
    "response_count_range",
]

# Onboarding offers the same list, so it lives here once.
DOMAINS = (
    "medicine", "law", "software_engineering", "data_analysis", "finance", "business_operations",
    "sciences", "engineering", "arts_design", "language_audio", "humanities",
)
TASK_TYPES = ("rating", "pairwise", "ranking", "error_check", "rewrite", "labeling", "prompt_writing")
# Task types whose answers can be compared with an expected answer automatically.
GOLD_TASK_TYPES = ("rating", "pairwise", "ranking", "labeling")
CRITERIA_TASK_TYPES = ("rating", "pairwise", "ranking")

MAX_SPEC_BYTES = 1_000_000
# Limits on the parsed document: anchors/aliases can make a small file expand enormously once walked.
MAX_SPEC_NODES = 50_000
MAX_SPEC_DEPTH = 20
MAX_RANKING_RESPONSES = 10
MAX_TEXT_CHARS = 20_000

Domain = Literal[DOMAINS]  # type: ignore[valid-type]
TaskType = Literal[TASK_TYPES]  # type: ignore[valid-type]


# ---------------------------------------------------------------- problems


class SpecProblem(BaseModel):
    """One thing wrong with a spec: where (`criteria[2].scale`, or "" for the file itself) and why, as a catalog
    message."""

    model_config = ConfigDict(frozen=True)

    path: str
    message: Msg
    example: bool = False  # a "for example: …" line after a problem, not a problem of its own

    @property
    def text(self) -> Msg:
        """The report line: "criteria[2].scale: why", or just why for the file itself."""
        return msg("spec.problem.at", path=self.path, problem=self.message) if self.path else self.message

    def render(self, translate: Callable[[Msg], str]) -> str:
        """The report line in the reader's words (`translate` renders a catalog message for them)."""
        return translate(self.text)

    def __str__(self) -> str:
        return self.render(english)


class SpecError(ValueError):
    def __init__(self, errors: list[SpecProblem]) -> None:
        self.errors = errors
        super().__init__(errors)

    def __str__(self) -> str:
        return "; ".join(str(e) for e in self.errors)


def _file_problem(message: Msg) -> SpecError:
    """The file as a whole cannot be read (no field path)."""
    return SpecError([SpecProblem(path="", message=message)])


def _path(loc: Iterable[str | int]) -> str:
    out = ""
    for part in loc:
        if isinstance(part, int):
            out += f"[{part}]"
        else:
            out += f".{part}" if out else str(part)
    return out


_QUOTED = re.compile(r"'([^']*)'")


def _allowed_values(error: dict[str, Any]) -> list[str] | None:
    """The allowed values of an enum-like field a value was refused by (pydantic writes them quoted)."""
    ctx = error.get("ctx") or {}
    if error["type"] in ("literal_error", "enum"):
        return _QUOTED.findall(str(ctx.get("expected", ""))) or None
    if error["type"] == "union_tag_invalid":
        return _QUOTED.findall(str(ctx.get("expected_tags", ""))) or None
    return None


def one_of(values: Iterable[str]) -> Msg:
    """"one of per_task, hourly": what a refused enum value teaches."""
    return msg("spec.problem.one_of", values=", ".join(values))


def _problems(err: ValidationError, prefix: tuple[str | int, ...] = ()) -> list[SpecProblem]:
    found = []
    for e in err.errors(include_url=False):
        loc = prefix + tuple(e["loc"])
        allowed = _allowed_values(e)
        if allowed:
            if e["type"] == "union_tag_invalid":  # the tag is the discriminator field of that entry
                loc += (str((e.get("ctx") or {}).get("discriminator", "")).strip("'"),)
            found.append(SpecProblem(path=_path(loc), message=one_of(allowed)))
            continue
        found += [SpecProblem(path=_path(loc), message=m) for m in problem_messages(e)]
    return found


# A minimal valid value for the fields a manager most often gets wrong, shown under the first problem with that
# field. YAML text, not words: it reads the same in every language.
SPEC_EXAMPLES: dict[str, str] = {
    "domain": "medicine",
    "task_type": "rating",
    "criteria": "[{id: accuracy, label: Accuracy, scale: [1, 5]}]",
    "labels": "[positive, negative, neutral]",
    "pay": '{kind: per_task, currency: EUR, amount: "2.50"}',
    "requires": "{domain: medicine, level: 2}",
    "languages": "[en, es]",
    "deadline": "2026-12-31",
    "guidelines_url": "https://example.com/guidelines",
    "answer_file": "{label: Upload the corrected chart, kinds: [image]}",
}


def with_examples(problems: list[SpecProblem], examples: Mapping[str, str]) -> list[SpecProblem]:
    """`problems`, each top-level field that has an example followed once by "for example: …"."""
    out: list[SpecProblem] = []
    shown: set[str] = set()
    for problem in problems:
        out.append(problem)
        field = re.split(r"[.\[]", problem.path, maxsplit=1)[0]
        if field in examples and field not in shown:
            shown.add(field)
            out.append(SpecProblem(path=field, message=msg("spec.problem.example", example=examples[field]),
                                   example=True))
    return out


def problem_count(problems: Iterable[SpecProblem]) -> int:
    """How many things are wrong (the example lines do not count)."""
    return sum(not p.example for p in problems)


# ---------------------------------------------------------------- small value types


def _no_bool(value: Any) -> Any:
    # YAML turns `yes`/`no` into booleans; a bool is never a sensible number or ratio here.
    if isinstance(value, bool):
        raise Invalid(msg("spec.problem.number_not_bool"))
    return value


def _no_string_number(value: Any) -> Any:
    if isinstance(value, str):
        raise Invalid(msg("spec.problem.number_not_text"))
    return value


Text = Annotated[str, Strict(), StringConstraints(strip_whitespace=True, min_length=1, max_length=MAX_TEXT_CHARS)]
ShortText = Annotated[str, Strict(), StringConstraints(strip_whitespace=True, min_length=1, max_length=200)]
# What experts read: a YAML block's line breaks are the author's wrapping, not breaks to show (domain/reflow.py).
Instructions = Annotated[Text, AfterValidator(reflow)]
_SLUG = re.compile(r"[a-z][a-z0-9_]{0,39}")


def _slug(value: str) -> str:
    if not _SLUG.fullmatch(value):
        raise Invalid(msg("spec.problem.slug"))
    return value


# Ids end up in form field ids and button payloads, so they stay short and plain.
Slug = Annotated[str, Strict(), AfterValidator(_slug)]
StrictInt = Annotated[int, Strict()]
StrictBool = Annotated[bool, Strict()]
Ratio = Annotated[
    float, BeforeValidator(_no_string_number), BeforeValidator(_no_bool), Field(ge=0, le=1, allow_inf_nan=False)
]


def _check_url(value: str) -> str:
    parts = urlsplit(value)
    if parts.scheme not in ("http", "https") or not parts.hostname or any(c.isspace() for c in value):
        raise Invalid(msg("spec.problem.url"))
    return value


Url = Annotated[str, Strict(), StringConstraints(strip_whitespace=True, max_length=2000), AfterValidator(_check_url)]

_LANGUAGE = re.compile(r"^([A-Za-z]{2,3})((?:-[A-Za-z0-9]{2,8})*)$")


def _language_tag(value: str) -> str:
    """BCP-47-ish: `en`, `pt-BR`, `zh-Hant-TW`; case normalised the way the registry writes it."""
    m = _LANGUAGE.fullmatch(value)
    if not m:
        raise Invalid(msg("spec.problem.language", value=repr(value[:40])))
    parts = [m.group(1).lower()]
    for sub in m.group(2).split("-")[1:]:
        if len(sub) == 2 and sub.isalpha():
            parts.append(sub.upper())
        elif len(sub) == 4 and sub.isalpha():
            parts.append(sub.title())
        else:
            parts.append(sub.lower())
    return "-".join(parts)


LanguageTag = Annotated[str, Strict(), StringConstraints(strip_whitespace=True, max_length=35), AfterValidator(_language_tag)]


def _unique_languages(tags: list[str]) -> list[str]:
    if len(set(tags)) != len(tags):
        raise Invalid(msg("spec.problem.language_twice"))
    return tags


def _utc_deadline(value: Any) -> datetime:
    """Dates mean the end of that day in UTC; datetimes must say their offset (a bare time is ambiguous)."""
    if isinstance(value, str):
        text = value.strip()
        try:
            value = date.fromisoformat(text) if len(text) == 10 else datetime.fromisoformat(text)
        except ValueError:
            raise Invalid(msg("spec.problem.deadline_format")) from None
    if isinstance(value, datetime):
        if value.tzinfo is None or value.utcoffset() is None:
            raise Invalid(msg("spec.problem.deadline_offset"))
        result = value.astimezone(UTC)
    elif isinstance(value, date):
        result = datetime.combine(value, time(23, 59, 59), UTC)
    else:
        raise Invalid(msg("spec.problem.deadline_format"))
    if not 2000 <= result.year <= 2200:
        raise Invalid(msg("spec.problem.deadline_implausible"))
    return result


# The JSON Schema says what a file may hold (an ISO date or datetime), not the parsed value.
Deadline = Annotated[datetime, BeforeValidator(_utc_deadline), WithJsonSchema({"type": "string", "format": "date"})]


# ---------------------------------------------------------------- criteria


class Scale(BaseModel):
    """A numeric range (`[1, 5]`) or named levels (`[poor, fair, good]`), written either way in the spec.

    Named levels are answered by name; `min`/`max` are then their positions 0..n-1, so gold tolerance and
    agreement can compare them as numbers.
    """

    model_config = ConfigDict(frozen=True, extra="forbid")

    min: int
    max: int
    levels: tuple[str, ...] = ()

    @property
    def named(self) -> bool:
        return bool(self.levels)

    def position(self, value: int | str) -> int | None:
        """The numeric position of an answer on this scale, or None if it is not on it."""
        if self.named:
            return self.levels.index(value) if isinstance(value, str) and value in self.levels else None
        if isinstance(value, bool) or not isinstance(value, int):
            return None
        return value if self.min <= value <= self.max else None


def _scale(value: Any) -> Any:
    if isinstance(value, Scale):
        return value
    if isinstance(value, dict) and set(value) <= {"min", "max", "levels"}:
        # The stored (dumped) form; it goes through the same checks as the two written forms.
        value = list(value["levels"]) if value.get("levels") else [value.get("min"), value.get("max")]
    if not isinstance(value, list):
        raise Invalid(msg("spec.problem.scale_shape"))
    if len(value) == 2 and all(isinstance(v, int) and not isinstance(v, bool) for v in value):
        low, high = value
        if not (-1000 <= low < high <= 1000):
            raise Invalid(msg("spec.problem.scale_bounds"))
        if high - low > 100:
            raise Invalid(msg("spec.problem.scale_points"))
        return Scale(min=low, max=high)
    if all(isinstance(v, str) for v in value):
        levels = tuple(v.strip() for v in value)
        if not 2 <= len(levels) <= 10:
            raise Invalid(msg("spec.problem.levels_count"))
        if any(not lv or len(lv) > 50 for lv in levels):
            raise Invalid(msg("spec.problem.level_length"))
        if len({lv.casefold() for lv in levels}) != len(levels):
            raise Invalid(msg("spec.problem.levels_differ"))
        return Scale(min=0, max=len(levels) - 1, levels=levels)
    raise Invalid(msg("spec.problem.scale_values"))


class Criterion(BaseModel):
    """One rubric criterion; `tolerance` is how far from a gold score still counts as agreeing."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    id: Slug
    label: ShortText
    description: Annotated[str, Strict(), StringConstraints(strip_whitespace=True, max_length=2000)] = ""
    scale: Annotated[Scale, BeforeValidator(_scale), WithJsonSchema({"type": "array", "minItems": 2, "maxItems": 10,
                                                                     "items": {"type": ["integer", "string"]}})]
    tolerance: Annotated[int, Strict(), Field(ge=0)] = 0

    @field_validator("tolerance")
    @classmethod
    def _tolerance_within_scale(cls, value: int, info: Any) -> int:
        scale = info.data.get("scale")
        if scale is not None and value >= scale.max - scale.min:
            raise Invalid(msg("spec.problem.tolerance"))
        return value


def _duplicate_ids(ids: Iterable[Any]) -> Msg | None:
    seen: dict[str, int] = {}
    for i, cid in enumerate(ids):
        if not isinstance(cid, str):  # reported as a type error on its own
            continue
        if cid in seen:
            return msg("spec.problem.criterion_twice", id=repr(cid), first=str(seen[cid]), second=str(i))
        seen[cid] = i
    return None


def _unique_criteria(criteria: list[Criterion]) -> list[Criterion]:
    duplicate = _duplicate_ids(c.id for c in criteria)
    if duplicate:
        raise Invalid(duplicate)
    return criteria


def _unique_labels(labels: list[str]) -> list[str]:
    seen: set[str] = set()
    for label in labels:
        if label.casefold() in seen:
            raise Invalid(msg("spec.problem.label_twice", label=repr(label)))
        seen.add(label.casefold())
    return labels


Label = Annotated[str, Strict(), StringConstraints(strip_whitespace=True, min_length=1, max_length=100)]


# ---------------------------------------------------------------- pay and requirements


class Pay(BaseModel):
    """What an answer (per_task) or an hour (hourly) earns. `amount` stays the decimal text; `minor` is exact."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    kind: Literal["per_task", "hourly"]
    currency: str  # declared before amount so the amount check can see it
    amount: str
    # Higher rates from a qualification level up (level → amount), e.g. {3: "6.50", 5: "9.00"}: a person earns
    # the rate of the highest level they hold at or below theirs, else `amount`.
    by_level: dict[Annotated[int, Field(ge=1, le=5)], str] = {}

    @field_validator("currency", mode="before")
    @classmethod
    def _currency(cls, value: Any) -> str:
        try:
            return normalize_currency(value)
        except MoneyError as e:
            raise Invalid(e.message) from None

    @field_validator("amount", mode="before")
    @classmethod
    def _amount(cls, value: Any, info: Any) -> str:
        currency = info.data.get("currency")
        try:
            if currency is None:  # the currency error is reported on its own; still check the shape
                parse_amount(value, "EUR")
                return str(value)
            return format_amount(parse_amount(value, currency), currency)
        except MoneyError as e:
            raise Invalid(e.message) from None

    @field_validator("by_level", mode="after")
    @classmethod
    def _level_amounts(cls, value: dict[int, str], info: Any) -> dict[int, str]:
        currency = info.data.get("currency")
        if currency is None:
            return value
        try:
            return {level: format_amount(parse_amount(amount, currency), currency) for level, amount in value.items()}
        except MoneyError as e:
            raise Invalid(e.message) from None

    @property
    def minor(self) -> int:
        return parse_amount(self.amount, self.currency)

    def minor_for_level(self, level: int) -> int:
        """The rate for someone holding `level` of the project's qualification."""
        eligible = [lvl for lvl in self.by_level if lvl <= level]
        return parse_amount(self.by_level[max(eligible)], self.currency) if eligible else self.minor

    @property
    def money(self) -> Money:
        return Money(minor=self.minor, currency=self.currency)


class Requires(BaseModel):
    """Who may join: a named qualification and/or an onboarding domain, at a level from 1 to 5."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    qualification: Slug | None = None
    domain: Domain | None = None
    level: Annotated[int, Strict(), Field(ge=1, le=5)] = 1

    @model_validator(mode="after")
    def _something_required(self) -> Requires:
        if self.qualification is None and self.domain is None:
            raise Invalid(msg("spec.problem.requires_something"))
        return self


class AnswerFile(BaseModel):
    """An answer that comes with a file (a corrected image, a patch, a recording): `label` asks for it, `kinds`
    narrows what is accepted (image, audio, voice, video, document; none listed: any file)."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    label: ShortText
    kinds: Annotated[list[MediaKind], Field(max_length=5)] = []
    required: StrictBool = False


# ---------------------------------------------------------------- the spec


class ProjectSpec(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")

    name: ShortText
    domain: Domain
    task_type: TaskType
    instructions: Instructions
    guidelines_url: Url | None = None
    criteria: Annotated[list[Criterion], Field(max_length=30), AfterValidator(_unique_criteria)] = []
    labels: Annotated[list[Label], Field(max_length=100), AfterValidator(_unique_labels)] = []
    multi_label: StrictBool = False
    # How many responses each item must carry; pairwise is always 2, ranking 3..10 (checked on import).
    responses_per_item: Annotated[int, Strict(), Field(ge=0, le=MAX_RANKING_RESPONSES)] | None = None
    overlap: Annotated[int, Strict(), Field(ge=1, le=20)] = 1  # answers wanted per item
    max_overlap: Annotated[int, Strict(), Field(ge=1, le=20)] | None = None  # ceiling when more answers are sought
    gold_ratio: Ratio = 0.0  # share of served items that are gold
    gold_hidden: StrictBool = True  # experts cannot tell gold items apart
    review_share: Ratio = 0.0  # share of submissions sent to a reviewer once an expert is trusted
    review_until_approvals: Annotated[int, Strict(), Field(ge=0, le=1000)] = 5  # review everything until then
    gold_feedback: StrictBool = True  # show the expected answer after a wrong gold answer
    gold_explanation: Text | None = None
    quality_threshold: Ratio | None = None  # pause experts whose quality score falls below this
    agreement_threshold: Ratio | None = None  # below this, an item is offered to more experts (max_overlap)
    # /progress flags answers given in less time than this; unset: a third of the project's median time per answer
    min_answer_seconds: Annotated[int, Strict(), Field(ge=1, le=86400)] | None = None
    lease_minutes: Annotated[int, Strict(), Field(ge=1, le=1440)] = 60
    pay: Pay
    requires: Requires | None = None
    languages: Annotated[list[LanguageTag], Field(max_length=20), AfterValidator(_unique_languages)] = []  # [] = any
    deadline: Deadline | None = None  # UTC
    allow_ties: StrictBool = False  # ranking only
    answer_file: AnswerFile | None = None  # every answer may (or must) carry a file
    # Below this a justification is sent back once with a hint (feedback.py); the expert may insist.
    min_justification_chars: Annotated[int, Strict(), Field(ge=0, le=2000)] = 40
    rewrite_min_chars: Annotated[int, Strict(), Field(ge=1, le=MAX_TEXT_CHARS)] | None = None
    rewrite_max_chars: Annotated[int, Strict(), Field(ge=1, le=MAX_TEXT_CHARS)] | None = None

    @model_validator(mode="after")
    def _cross_field_rules(self) -> ProjectSpec:
        problems = run_spec_rules(dict(self))
        if problems:
            raise Invalid(*(p.text for p in problems))
        return self

    def criterion(self, criterion_id: str) -> Criterion:
        for c in self.criteria:
            if c.id == criterion_id:
                return c
        raise KeyError(criterion_id)

    @property
    def rewrite_bounds(self) -> tuple[int, int]:
        return (self.rewrite_min_chars or 1, self.rewrite_max_chars or MAX_TEXT_CHARS)


def response_count_range(spec: ProjectSpec) -> tuple[int, int]:
    """How many responses an item of this spec must have, inclusive."""
    if spec.responses_per_item is not None:
        return (spec.responses_per_item, spec.responses_per_item)
    return {
        "pairwise": (2, 2),
        "ranking": (3, MAX_RANKING_RESPONSES),
        "prompt_writing": (0, 0),
    }.get(spec.task_type, (1, MAX_RANKING_RESPONSES))


# ---------------------------------------------------------------- cross-field rules, as data


@dataclass(frozen=True)
class SpecRule:
    """A rule between fields; it runs only when every field it reads validated on its own."""

    id: str
    reads: tuple[str, ...]
    check: Callable[[Mapping[str, Any]], list[SpecProblem]]


def _p(path: str, message: Msg) -> list[SpecProblem]:
    return [SpecProblem(path=path, message=message)]


def _rating_needs_criteria(v: Mapping[str, Any]) -> list[SpecProblem]:
    if v["task_type"] == "rating" and not v["criteria"]:
        return _p("criteria", msg("spec.problem.rating_needs_criteria"))
    return []


def _criteria_where_used(v: Mapping[str, Any]) -> list[SpecProblem]:
    if v["criteria"] and v["task_type"] not in CRITERIA_TASK_TYPES:
        return _p("criteria", msg("spec.problem.criteria_where_used", types=", ".join(CRITERIA_TASK_TYPES),
                                  task_type=v["task_type"]))
    return []


def _labeling_needs_labels(v: Mapping[str, Any]) -> list[SpecProblem]:
    if v["task_type"] == "labeling" and len(v["labels"]) < 2:
        return _p("labels", msg("spec.problem.labeling_needs_labels"))
    if v["task_type"] != "labeling" and v["labels"]:
        return _p("labels", msg("spec.problem.labels_for_labeling"))
    return []


def _labeling_only(field: str) -> Callable[[Mapping[str, Any]], list[SpecProblem]]:
    def check(v: Mapping[str, Any]) -> list[SpecProblem]:
        if v[field] and v["task_type"] != "labeling":
            return _p(field, msg("spec.problem.labeling_only"))
        return []

    return check


def _ties_for_ranking(v: Mapping[str, Any]) -> list[SpecProblem]:
    if v["allow_ties"] and v["task_type"] != "ranking":
        return _p("allow_ties", msg("spec.problem.ranking_only"))
    return []


def _rewrite_lengths(v: Mapping[str, Any]) -> list[SpecProblem]:
    low, high = v["rewrite_min_chars"], v["rewrite_max_chars"]
    found: list[SpecProblem] = []
    if v["task_type"] != "rewrite":
        for field in ("rewrite_min_chars", "rewrite_max_chars"):
            if v[field] is not None:
                found += _p(field, msg("spec.problem.rewrite_only"))
    elif low is not None and high is not None and low > high:
        found += _p("rewrite_max_chars", msg("spec.problem.rewrite_max_below_min", min=str(low)))
    return found


def _max_overlap(v: Mapping[str, Any]) -> list[SpecProblem]:
    if v["max_overlap"] is not None and v["max_overlap"] < v["overlap"]:
        return _p("max_overlap", msg("spec.problem.max_overlap_below_overlap", overlap=str(v["overlap"])))
    return []


def _gold_needs_comparable_answers(v: Mapping[str, Any]) -> list[SpecProblem]:
    if v["gold_ratio"] > 0 and v["task_type"] not in GOLD_TASK_TYPES:
        return _p("gold_ratio", msg("spec.problem.gold_needs_checkable", types=", ".join(GOLD_TASK_TYPES)))
    return []


def _response_counts(v: Mapping[str, Any]) -> list[SpecProblem]:
    n, kind = v["responses_per_item"], v["task_type"]
    if n is None:
        return []
    if kind == "pairwise" and n != 2:
        return _p("responses_per_item", msg("spec.problem.pairwise_responses"))
    if kind == "ranking" and n < 3:
        return _p("responses_per_item", msg("spec.problem.ranking_responses", count=MAX_RANKING_RESPONSES, max=str(MAX_RANKING_RESPONSES)))
    if kind == "prompt_writing" and n != 0:
        return _p("responses_per_item", msg("spec.problem.prompt_writing_responses"))
    if kind not in ("pairwise", "ranking", "prompt_writing") and n < 1:
        return _p("responses_per_item", msg("spec.problem.needs_a_response", task_type=kind))
    return []


SPEC_RULES: tuple[SpecRule, ...] = (
    SpecRule("rating_needs_criteria", ("task_type", "criteria"), _rating_needs_criteria),
    SpecRule("criteria_where_used", ("task_type", "criteria"), _criteria_where_used),
    SpecRule("labeling_needs_labels", ("task_type", "labels"), _labeling_needs_labels),
    SpecRule("multi_label_for_labeling", ("task_type", "multi_label"), _labeling_only("multi_label")),
    SpecRule("ties_for_ranking", ("task_type", "allow_ties"), _ties_for_ranking),
    SpecRule("rewrite_lengths", ("task_type", "rewrite_min_chars", "rewrite_max_chars"), _rewrite_lengths),
    SpecRule("max_overlap_at_least_overlap", ("overlap", "max_overlap"), _max_overlap),
    SpecRule("gold_needs_comparable_answers", ("task_type", "gold_ratio"), _gold_needs_comparable_answers),
    SpecRule("response_counts", ("task_type", "responses_per_item"), _response_counts),
)


def run_spec_rules(values: Mapping[str, Any]) -> list[SpecProblem]:
    """Every cross-field problem among `values` (validated fields only; rules reading a missing one are skipped)."""
    found: list[SpecProblem] = []
    for rule in SPEC_RULES:
        if all(name in values for name in rule.reads):
            found += rule.check(values)
    return found


# ---------------------------------------------------------------- parsing files


class _StrictYamlLoader(yaml.SafeLoader):
    """safe_load, plus: a key given twice is an error (PyYAML silently keeps the last)."""


class _DuplicateKey(yaml.constructor.ConstructorError):
    """A key given twice, with the line PyYAML marks; `message` is what the manager reads."""

    def __init__(self, message: Msg, mark: Any) -> None:
        super().__init__(None, None, english(message), mark)
        self.message = message


def _construct_mapping(loader: _StrictYamlLoader, node: yaml.MappingNode, deep: bool = False) -> dict[Any, Any]:
    seen: set[Any] = set()
    for key_node, _ in node.value:
        key = loader.construct_object(key_node, deep=deep)
        if isinstance(key, str) and key in seen:
            raise _DuplicateKey(msg("spec.problem.key_twice", field=repr(key)), key_node.start_mark)
        if isinstance(key, str):
            seen.add(key)
    return yaml.SafeLoader.construct_mapping(loader, node, deep=deep)


_StrictYamlLoader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, _construct_mapping)


_json_object = object_without_duplicates
_refuse_constant = refuse_constant


def _check_size(document: Any) -> None:
    """Walk the parsed document with a budget: catches alias bombs, recursive anchors and deep nesting."""
    budget = MAX_SPEC_NODES
    stack: list[tuple[Any, int]] = [(document, 0)]
    while stack:
        node, depth = stack.pop()
        budget -= 1
        if budget < 0:
            raise _file_problem(msg("spec.problem.too_large_expanded"))
        if depth > MAX_SPEC_DEPTH:
            raise _file_problem(msg("spec.problem.too_deep"))
        if isinstance(node, dict):
            stack.extend((v, depth + 1) for v in node.values())
            stack.extend((k, depth + 1) for k in node.keys())
        elif isinstance(node, list):
            stack.extend((v, depth + 1) for v in node)


def _load(data: bytes, filename: str) -> Any:
    if len(data) > MAX_SPEC_BYTES:
        raise _file_problem(msg("spec.problem.file_too_large", kb=str(MAX_SPEC_BYTES // 1000)))
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as e:
        line = data[: e.start].count(b"\n") + 1
        raise _file_problem(msg("spec.problem.not_utf8", line=str(line))) from None
    is_json = filename.lower().endswith(".json")
    try:
        if is_json:
            return json.loads(text, object_pairs_hook=_json_object, parse_constant=_refuse_constant)
        return yaml.load(text, Loader=_StrictYamlLoader)  # noqa: S506 - SafeLoader subclass
    except yaml.MarkedYAMLError as e:
        # PyYAML's own explanation is English text from the library; ours (a key given twice) is a catalog message.
        detail: Msg | str = e.message if isinstance(e, _DuplicateKey) else str(e.problem or e.context)
        if e.problem_mark:
            line = str(e.problem_mark.line + 1)
            raise _file_problem(msg("spec.problem.yaml_at_line", line=line, detail=detail)) from None
        raise _file_problem(msg("spec.problem.yaml", detail=detail)) from None
    except json.JSONDecodeError as e:
        raise _file_problem(msg("spec.problem.json_at_line", line=str(e.lineno), detail=e.msg)) from None
    except RecursionError:
        raise _file_problem(msg("spec.problem.too_deep")) from None
    except (ValueError, yaml.YAMLError) as e:  # huge integers, duplicate JSON keys, NaN, odd YAML
        kind = "JSON" if is_json else "YAML"
        detail = e.message if isinstance(e, Invalid) else str(e)[:200]
        raise _file_problem(msg("spec.problem.not_valid", kind=kind, detail=detail)) from None


@lru_cache(maxsize=None)
def _field_adapter(name: str) -> TypeAdapter[Any]:
    info = ProjectSpec.model_fields[name]
    if not info.metadata:
        return TypeAdapter(info.annotation)
    return TypeAdapter(Annotated[(info.annotation, *info.metadata)])  # type: ignore[valid-type]


def _validated_fields(raw: Mapping[str, Any]) -> tuple[dict[str, Any], list[SpecProblem]]:
    """Each known top-level field validated on its own: the good values, and the problems of the rest."""
    values: dict[str, Any] = {}
    problems: list[SpecProblem] = []
    for name, info in ProjectSpec.model_fields.items():
        if name not in raw:
            if info.is_required():
                choices = getattr(info.annotation, "__args__", None) if name in ("domain", "task_type") else None
                problems.append(SpecProblem(path=name, message=msg("spec.problem.required_one_of",
                                                                   values=", ".join(choices))
                                            if choices else msg("spec.problem.required")))
            else:
                values[name] = info.get_default(call_default_factory=True)
            continue
        try:
            values[name] = _field_adapter(name).validate_python(raw[name])
        except ValidationError as e:
            problems += _problems(e, (name,))
            # The uniqueness check runs after the items validate; say it now too, so one round fixes all.
            if name == "criteria" and isinstance(raw[name], list):
                duplicate = _duplicate_ids(c.get("id") if isinstance(c, dict) else None for c in raw[name])
                if duplicate:
                    problems.append(SpecProblem(path="criteria", message=duplicate))
    for key in raw:
        if key not in ProjectSpec.model_fields:
            problems.append(SpecProblem(path=str(key), message=msg("input.unknown_field")))
    return values, problems


_ASSESSMENT_ITEM_TYPES = ("choice", "numeric", "written", "task")


def looks_like_assessment(document: Any) -> bool:
    """An assessment file that forgot `kind: assessment`: no task type, and items or scoring only an assessment
    has. A manager who uploads one means an assessment, so it is read as one."""
    if not isinstance(document, dict) or "task_type" in document or document.get("kind") not in (None, "assessment"):
        return False
    if document.get("kind") == "assessment":
        return True
    items = document.get("items")
    typed = isinstance(items, list) and any(isinstance(i, dict) and i.get("type") in _ASSESSMENT_ITEM_TYPES
                                            for i in items)
    return typed or (items is not None and ("pass_score" in document or "time_limit_minutes" in document))


def parse_project_spec(data: bytes, filename: str) -> ProjectSpec:
    """A spec from a YAML (or `.json`) file's bytes; `SpecError` lists every problem, nothing half-accepted."""
    document = _load(data, filename)
    if not isinstance(document, dict):
        raise _file_problem(msg("spec.problem.top_level", example="name"))
    _check_size(document)
    if looks_like_assessment(document):
        raise _file_problem(msg("spec.problem.looks_like_assessment"))
    values, problems = _validated_fields(document)
    problems += run_spec_rules(values)
    if problems:
        raise SpecError(with_examples(problems, SPEC_EXAMPLES))
    return ProjectSpec.model_validate(document)
