"""An assessment file: the screening an expert takes before qualifying in a domain.

```yaml
kind: assessment              # tells an assessment from a project spec (or name the file *.assessment.yaml)
id: medicine_screening
domain: medicine
title: Clinical reasoning screening
instructions: …
time_limit_minutes: 20
pass_score: 0.7               # share of points (70 also reads as 70 %)
retake_after_days: 14
max_attempts: 3
level: 2                      # the qualification level a pass grants (default 2; a declared domain is level 1)
valid_days: 365               # optional: the qualification lapses after this
items:
  - {id: q1, type: choice, prompt: …, options: [a, b, c], correct: [b]}       # one or several correct
  - {id: q2, type: numeric, prompt: …, answer: 2.5, tolerance: 0.1, unit: mg/kg}
  - {id: q3, type: written, prompt: …, rubric: …, points: 3}                 # a reviewer scores 0..points
  - id: q4
    type: task                # any task type of the task engine; gold scores it, else a reviewer with the rubric
    task: {task_type: pairwise}
    item: {prompt: …, responses: [{id: a, text: …}, {id: b, text: …}], gold: {preference: a_better}}
```

Parsing reuses the project spec's strict loader (duplicate keys, size and alias-bomb limits); problems come back as
`SpecError` with paths such as `items[2].options`, every one at once.
"""
from __future__ import annotations

from typing import Annotated, Any, Literal, Union

from pydantic import (
    BaseModel, BeforeValidator, ConfigDict, Field, Strict, ValidationError, WithJsonSchema, model_validator,
)

from bot.i18n.text import msg
from domain.problems import Invalid
from domain.project_spec import (
    GOLD_TASK_TYPES, SPEC_EXAMPLES, Domain, Instructions, ProjectSpec, ShortText, Slug, SpecError, SpecProblem, Text,
    _check_size, _file_problem, _load, _no_bool, _problems, looks_like_assessment, with_examples,
)
from domain.task_import import TaskItem
from domain.task_types import AnswerInvalid, canonical_gold, validate_gold

__all__ = [
    "AssessmentSpec", "ChoiceItem", "NumericItem", "WrittenItem", "TaskSampleItem", "Item",
    "is_assessment_file", "parse_assessment", "SUFFIXES", "ASSESSMENT_EXAMPLES",
]

ASSESSMENT_EXAMPLES: dict[str, str] = {
    "kind": "assessment",
    "id": "medicine_screening",
    "domain": SPEC_EXAMPLES["domain"],
    "title": "Clinical reasoning screening",
    "instructions": "Answer each question on your own.",
    "time_limit_minutes": "20",
    "pass_score": "0.7",
    "items": '[{id: q1, type: choice, prompt: "2 + 2?", options: ["3", "4"], correct: ["4"]}]',
}

SUFFIXES = (".assessment.yaml", ".assessment.yml", ".assessment.json")
MAX_ITEMS = 50
MAX_OPTIONS = 10
Points = Annotated[int, Strict(), Field(ge=1, le=10)]


def _number(value: Any) -> Any:
    value = _no_bool(value)
    if isinstance(value, str):
        raise Invalid(msg("spec.problem.number_not_text"))
    return value


Number = Annotated[float, BeforeValidator(_number), Field(allow_inf_nan=False)]


class _Item(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")

    id: Slug
    prompt: Text
    section: ShortText | None = None  # the breakdown groups items by section (default: by kind)
    points: Points = 1


class ChoiceItem(_Item):
    """Multiple choice; several correct options make it "choose all that apply". Scored all or nothing."""

    type: Literal["choice"]
    options: Annotated[list[ShortText], Field(min_length=2, max_length=MAX_OPTIONS)]
    correct: Annotated[list[int | str], Field(min_length=1)]  # option texts or 0-based positions in the file

    @model_validator(mode="after")
    def _correct_are_options(self) -> ChoiceItem:
        if len({o.casefold() for o in self.options}) != len(self.options):
            raise Invalid(msg("assess.problem.option_twice"))
        indexes = []
        for c in self.correct:
            if isinstance(c, bool):
                raise Invalid(msg("assess.problem.correct_bool"))
            if isinstance(c, int):
                if not 0 <= c < len(self.options):
                    raise Invalid(msg("assess.problem.correct_position", position=str(c),
                                      last=str(len(self.options) - 1)))
                indexes.append(c)
            else:
                if c.strip() not in self.options:
                    raise Invalid(msg("assess.problem.correct_not_option", option=repr(c[:60])))
                indexes.append(self.options.index(c.strip()))
        if len(set(indexes)) != len(indexes):
            raise Invalid(msg("assess.problem.correct_twice"))
        if len(indexes) == len(self.options):
            raise Invalid(msg("assess.problem.all_correct"))
        object.__setattr__(self, "correct", sorted(indexes))
        return self

    @property
    def multiple(self) -> bool:
        return len(self.correct) > 1


class NumericItem(_Item):
    type: Literal["numeric"]
    answer: Number
    tolerance: Annotated[Number, Field(ge=0)] = 0.0
    unit: Annotated[str, Strict(), Field(max_length=40)] | None = None


class WrittenItem(_Item):
    """A short written answer a reviewer scores from 0 to `points` against the rubric."""

    type: Literal["written"]
    rubric: Text
    min_chars: Annotated[int, Strict(), Field(ge=1, le=5000)] = 20
    max_chars: Annotated[int, Strict(), Field(ge=10, le=5000)] = 1500

    @model_validator(mode="after")
    def _bounds(self) -> WrittenItem:
        if self.min_chars > self.max_chars:
            raise Invalid(msg("assess.problem.min_above_max"))
        return self


class TaskSampleItem(_Item):
    """One item of a task type, answered with that type's form. Gold scores it; without gold a reviewer does."""

    type: Literal["task"]
    task: Annotated[ProjectSpec, WithJsonSchema({"type": "object"})]  # name, pay, … are filled in
    item: TaskItem
    rubric: Text | None = None

    @model_validator(mode="before")
    @classmethod
    def _fill_in(cls, raw: Any) -> Any:
        """The task part is a project spec without the parts an assessment does not need (name, pay, …)."""
        if not isinstance(raw, dict):
            return raw
        raw = dict(raw)
        if "prompt" not in raw:  # what the expert is asked to do; the task's own instructions when not given
            task_raw, item_raw = raw.get("task"), raw.get("item")
            raw["prompt"] = ((task_raw.get("instructions") if isinstance(task_raw, dict) else None)
                             or (item_raw.get("prompt") if isinstance(item_raw, dict) else None) or "-")
        task = raw.get("task")
        if isinstance(task, dict):
            task = {"name": "sample", "pay": {"kind": "per_task", "currency": "EUR", "amount": "0"},
                    "domain": raw.pop("_domain", "sciences"), "instructions": raw.get("prompt") or "-", **task}
            raw["task"] = task
        else:
            raw.pop("_domain", None)
        item = raw.get("item")
        if isinstance(item, dict) and "external_id" not in item:
            raw["item"] = {"external_id": str(raw.get("id", "item")), **item}
        return raw

    @model_validator(mode="after")
    def _gold_or_rubric(self) -> TaskSampleItem:
        from domain.project_spec import response_count_range

        low, high = response_count_range(self.task)
        if not low <= len(self.item.responses) <= high:
            raise Invalid(msg("assess.problem.response_count", count=high, task_type=self.task.task_type, min=str(low),
                              max=str(high)))
        if self.item.gold is not None:
            if self.task.task_type not in GOLD_TASK_TYPES:
                raise Invalid(msg("assess.problem.no_gold_type", task_type=self.task.task_type))
            try:
                gold = canonical_gold(self.task, validate_gold(self.task, self.item, self.item.gold))
            except AnswerInvalid as exc:
                raise Invalid(msg("assess.problem.gold_invalid", field=exc.field_id)) from None
            object.__setattr__(self, "item", self.item.model_copy(update={"gold": gold}))
        elif self.rubric is None:
            raise Invalid(msg("assess.problem.needs_rubric"))
        return self

    @property
    def auto(self) -> bool:
        return self.item.gold is not None


Item = Annotated[Union[ChoiceItem, NumericItem, WrittenItem, TaskSampleItem], Field(discriminator="type")]


def _ratio_or_percent(value: Any) -> Any:
    value = _number(value)
    if isinstance(value, (int, float)):
        if not 0 < value <= 100:
            raise Invalid(msg("assess.problem.pass_score"))
        if value > 1:
            return value / 100
    return value


class AssessmentSpec(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")

    kind: Literal["assessment"] = "assessment"
    id: Slug
    domain: Domain
    title: ShortText
    instructions: Instructions
    time_limit_minutes: Annotated[int, Strict(), Field(ge=1, le=600)]
    pass_score: Annotated[float, BeforeValidator(_ratio_or_percent), Field(gt=0, le=1),
                          WithJsonSchema({"type": "number", "exclusiveMinimum": 0, "maximum": 100})]
    retake_after_days: Annotated[int, Strict(), Field(ge=0, le=365)] = 14
    max_attempts: Annotated[int, Strict(), Field(ge=1, le=20)] = 3
    qualification: Slug | None = None  # what a pass grants; the domain when not named
    level: Annotated[int, Strict(), Field(ge=1, le=5)] = 2
    valid_days: Annotated[int, Strict(), Field(ge=1, le=3650)] | None = None
    items: Annotated[list[Item], Field(min_length=1, max_length=MAX_ITEMS)]

    @model_validator(mode="before")
    @classmethod
    def _domain_into_tasks(cls, raw: Any) -> Any:
        if isinstance(raw, dict) and isinstance(raw.get("items"), list) and isinstance(raw.get("domain"), str):
            items = []
            for it in raw["items"]:
                if isinstance(it, dict) and it.get("type") == "task" and isinstance(it.get("task"), dict) \
                        and "domain" not in it["task"]:
                    it = {**it, "_domain": raw["domain"]}
                items.append(it)
            raw = {**raw, "items": items}
        return raw

    @model_validator(mode="after")
    def _unique_item_ids(self) -> AssessmentSpec:
        seen: set[str] = set()
        for item in self.items:
            if item.id in seen:
                raise Invalid(msg("assess.problem.item_twice", id=repr(item.id)))
            seen.add(item.id)
        return self

    @property
    def grants(self) -> str:
        return self.qualification or self.domain

    @property
    def total_points(self) -> int:
        return sum(i.points for i in self.items)

    def item(self, item_id: str) -> Item:
        for it in self.items:
            if it.id == item_id:
                return it
        raise KeyError(item_id)


def is_assessment_file(data: bytes, filename: str) -> bool:
    """An upload is an assessment when its name says so, its top level has `kind: assessment`, or it plainly is one
    without saying so (`looks_like_assessment`)."""
    name = filename.lower()
    if name.endswith(SUFFIXES):
        return True
    if not name.endswith((".yaml", ".yml", ".json")):
        return False
    try:
        document = _load(data, filename)
    except SpecError:
        return False
    return looks_like_assessment(document)


def parse_assessment(data: bytes, filename: str) -> AssessmentSpec:
    """An assessment from YAML (or `.json`) bytes; `SpecError` lists the problems, nothing half-accepted."""
    document = _load(data, filename)
    if not isinstance(document, dict):
        raise _file_problem(msg("spec.problem.top_level", example="id"))
    _check_size(document)
    try:
        return AssessmentSpec.model_validate(document)
    except ValidationError as exc:
        problems = []
        for p in _problems(exc):
            # A discriminated union names the item kind in the path ("items[2].choice.options"); drop it.
            path = p.path
            for kind in ("choice", "numeric", "written", "task"):
                path = path.replace(f"].{kind}.", "].").replace(f"].{kind}", "]")
            problems.append(SpecProblem(path=path, message=p.message))
        raise SpecError(with_examples(problems, ASSESSMENT_EXAMPLES)) from None
