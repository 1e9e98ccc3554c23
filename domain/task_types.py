"""The seven task types, declaratively: the questions an expert answers and the answer they become.

For each type, `answer_questions(spec, item)` lists the questions (`domain.questions`, titles as catalog
messages; `handlers.shared.task_forms` shows them as a form) and `validate_answer(spec, item, form_values)`
turns the submitted values into one answer model, or raises `AnswerInvalid(field_id, Msg)` naming the field
to ask again. Gold answers in a task file go through the same checks with `validate_gold`, so "correct"
means the same thing in both places.

Answers are plain pydantic models discriminated by `task_type`, so storage can keep them as JSON and read
them back with `ANSWER_ADAPTER`.
"""
from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from functools import lru_cache
from typing import TYPE_CHECKING, Annotated, Any, Literal, Union

from pydantic import BaseModel, ConfigDict, Field, TypeAdapter

from bot.blobs import BlobRef, kind_of
from bot.i18n.text import Msg, msg
from domain.code_lines import LineRefInvalid, check_span, parse_line_ref, span_text
from domain.project_spec import GOLD_TASK_TYPES, Criterion, ProjectSpec
from domain.questions import (
    Choice, Condition, FileQuestion, LabelQuestion, MultiLabelQuestion, Question, RatingQuestion, TextQuestion,
)

if TYPE_CHECKING:  # task_import imports this module to check gold; avoid the cycle at runtime
    from domain.task_import import TaskItem

__all__ = [
    "ANSWER_ADAPTER",
    "ISSUE_CATEGORIES",
    "MAX_ISSUES_IN_FORM",
    "PREFERENCES",
    "SEVERITIES",
    "Answer",
    "AnswerInvalid",
    "AnswerModel",
    "ErrorCheckAnswer",
    "Issue",
    "LabelingAnswer",
    "PairwiseAnswer",
    "PromptWritingAnswer",
    "RankingAnswer",
    "RatingAnswer",
    "RewriteAnswer",
    "answer_questions",
    "canonical_gold",
    "has_code",
    "rewrites_code",
    "verbatim_code",
    "score_positions",
    "justification_field",
    "normalize_passage",
    "validate_answer",
    "validate_gold",
]

PREFERENCES = ("a_much_better", "a_better", "tie", "b_better", "b_much_better")
ISSUE_CATEGORIES = (
    "factual_error", "missing_caveat", "unsafe_advice", "unsupported_claim", "instruction_not_followed", "other",
)
SEVERITIES = ("minor", "major", "critical")
# Forms have no repeating groups, so an error check offers a fixed number of issue slots.
MAX_ISSUES_IN_FORM = 3
MAX_JUSTIFICATION_CHARS = 5_000
MAX_LONG_TEXT_CHARS = 20_000
MIN_QUOTE_CHARS = 3
MIN_PROMPT_CHARS = 10

Preference = Literal[PREFERENCES]  # type: ignore[valid-type]
IssueCategory = Literal[ISSUE_CATEGORIES]  # type: ignore[valid-type]
Severity = Literal[SEVERITIES]  # type: ignore[valid-type]


# Placeholders never use `count`: `msg()` treats it as the plural selector, and these texts have no plural forms.


class AnswerInvalid(ValueError):
    """The answer cannot be stored as it is; `field_id` is the form field to ask again, `message` says why."""

    def __init__(self, field_id: str, message: Msg) -> None:
        self.field_id = field_id
        self.message = message
        super().__init__(f"{field_id}: {message.key} {message.params}")


# ---------------------------------------------------------------- answer models


class _Answer(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")

    # The file the answer came with, when the project asks for one (`ProjectSpec.answer_file`); left out of the
    # stored answer when there is none, so answers of projects without files read exactly as before.
    attachment: BlobRef | None = Field(default=None, exclude_if=lambda value: value is None)


class RatingAnswer(_Answer):
    task_type: Literal["rating"] = "rating"
    scores: dict[str, int | str]  # criterion id → number, or level name for named scales
    justification: str = ""


class PairwiseAnswer(_Answer):
    """"A" is the item's first response and "B" its second, whatever their ids."""

    task_type: Literal["pairwise"] = "pairwise"
    preference: Preference
    criteria_preferences: dict[str, Preference] = {}
    justification: str = ""


class RankingAnswer(_Answer):
    task_type: Literal["ranking"] = "ranking"
    order: list[list[str]]  # best first; a group of several response ids is a tie
    justification: str = ""


class Issue(_Answer):
    quote: str = ""  # may be empty when `lines` says where the issue is
    category: IssueCategory
    severity: Severity
    correction: str
    response_id: str | None = None  # the response the quote (or the lines) were found in
    lines: tuple[int, int] | None = None  # 1-based inclusive lines of a code response


class ErrorCheckAnswer(_Answer):
    task_type: Literal["error_check"] = "error_check"
    issues: list[Issue] = []
    no_issues: bool = False
    no_issues_reason: str = ""


class RewriteAnswer(_Answer):
    task_type: Literal["rewrite"] = "rewrite"
    text: str
    what_was_wrong: str


class LabelingAnswer(_Answer):
    task_type: Literal["labeling"] = "labeling"
    labels: list[str]
    comment: str = ""


class PromptWritingAnswer(_Answer):
    task_type: Literal["prompt_writing"] = "prompt_writing"
    prompt: str
    reference_answer: str
    why_hard: str


AnswerModel = Union[
    RatingAnswer, PairwiseAnswer, RankingAnswer, ErrorCheckAnswer, RewriteAnswer, LabelingAnswer, PromptWritingAnswer,
]
Answer = Annotated[AnswerModel, Field(discriminator="task_type")]
ANSWER_ADAPTER: TypeAdapter[Any] = TypeAdapter(Answer)


# ---------------------------------------------------------------- questions per task type
#
# Labels are catalog keys (`task.field.*`, `task.option.*`) or the manager's own words from the spec; the texts
# live only in locales/*/LC_MESSAGES/panelist.po.


def _justification(spec: ProjectSpec) -> TextQuestion:
    # The spec's minimum is a soft rule (feedback.py sends it back once; the expert may insist), so the
    # question itself only refuses an empty justification.
    return TextQuestion(name="justification", title=msg("task.field.justification"),
                        min_length=1, max_length=MAX_JUSTIFICATION_CHARS)


def _criterion_question(c: Criterion) -> Question:
    title = msg("task.field.score", criterion=c.label)
    description = c.description or None
    if c.scale.named:
        return LabelQuestion(name=f"score.{c.id}", title=title, description=description,
                             labels=tuple(Choice(value=lv, label=lv) for lv in c.scale.levels))
    return RatingQuestion(name=f"score.{c.id}", title=title, description=description,
                          min=c.scale.min, max=c.scale.max)


@lru_cache(maxsize=None)  # a handful of fixed option sets; the choices are frozen and shared
def _choices(values: tuple[str, ...]) -> tuple[Choice, ...]:
    return tuple(Choice(value=v, label=msg(f"task.option.{v}")) for v in values)


def _rating_questions(spec: ProjectSpec, item: TaskItem) -> list[Question]:
    return [_criterion_question(c) for c in spec.criteria] + [_justification(spec)]


def _pairwise_questions(spec: ProjectSpec, item: TaskItem) -> list[Question]:
    questions: list[Question] = [
        LabelQuestion(name="preference", title=msg("task.field.preference"), labels=_choices(PREFERENCES))]
    questions += [
        LabelQuestion(name=f"pref.{c.id}", required=False, description=c.description or None,
                      title=msg("task.field.criterion_preference", criterion=c.label), labels=_choices(PREFERENCES))
        for c in spec.criteria
    ]
    return questions + [_justification(spec)]


def _ranking_questions(spec: ProjectSpec, item: TaskItem) -> list[Question]:
    places = tuple(Choice(value=str(n), label=str(n)) for n in range(1, len(item.responses) + 1))
    questions: list[Question] = [
        LabelQuestion(name=f"rank.{r.id}", title=msg("task.field.rank", response=r.id), labels=places)
        for r in item.responses
    ]
    return questions + [_justification(spec)]


def has_code(item: TaskItem) -> bool:
    """Whether some response of the item is code (its issues may then name lines)."""
    return any(r.format == "code" for r in item.responses)


def _error_check_questions(spec: ProjectSpec, item: TaskItem) -> list[Question]:
    questions: list[Question] = [LabelQuestion(name="verdict", title=msg("task.field.verdict"),
                                               labels=_choices(("issues_found", "no_issues")))]
    where = msg("task.field.issue_quote_code_help") if has_code(item) else None
    found: Condition = ("verdict", ("issues_found",))
    for n in range(1, MAX_ISSUES_IN_FORM + 1):
        # Issue n is offered after issue n-1 was written; skipping its quote ends the list.
        quote_if: tuple[Condition, ...] = (found, (f"issue.{n - 1}.quote", None)) if n > 1 else (found,)
        rest_if = (found, (f"issue.{n}.quote", None))
        questions += [
            TextQuestion(name=f"issue.{n}.quote", required=False, show_if=quote_if, description=where,
                         title=msg("task.field.issue_quote", n=n), max_length=MAX_LONG_TEXT_CHARS),
            LabelQuestion(name=f"issue.{n}.category", required=False, show_if=rest_if,
                          title=msg("task.field.issue_category", n=n), labels=_choices(ISSUE_CATEGORIES)),
            LabelQuestion(name=f"issue.{n}.severity", required=False, show_if=rest_if,
                          title=msg("task.field.issue_severity", n=n), labels=_choices(SEVERITIES)),
            TextQuestion(name=f"issue.{n}.correction", required=False, show_if=rest_if,
                         title=msg("task.field.issue_correction", n=n), max_length=MAX_LONG_TEXT_CHARS),
        ]
    questions.append(TextQuestion(name="no_issues_reason", required=False, show_if=(("verdict", ("no_issues",)),),
                                  title=msg("task.field.no_issues_reason"), max_length=MAX_JUSTIFICATION_CHARS))
    return questions


def _rewrite_questions(spec: ProjectSpec, item: TaskItem) -> list[Question]:
    low, high = spec.rewrite_bounds
    return [
        TextQuestion(name="text", title=msg("task.field.rewrite_text", count=high, min=low, max=high),
                     min_length=low, max_length=high),
        TextQuestion(name="what_was_wrong", title=msg("task.field.what_was_wrong"),
                     min_length=1, max_length=MAX_JUSTIFICATION_CHARS),
    ]


def _labeling_questions(spec: ProjectSpec, item: TaskItem) -> list[Question]:
    labels = tuple(Choice(value=label, label=label) for label in spec.labels)
    main: Question
    if spec.multi_label:
        main = MultiLabelQuestion(name="labels", title=msg("task.field.labels"), labels=labels)
    else:
        main = LabelQuestion(name="labels", title=msg("task.field.label"), labels=labels)
    return [main, TextQuestion(name="comment", required=False, title=msg("task.field.comment"),
                               max_length=MAX_JUSTIFICATION_CHARS)]


def _prompt_writing_questions(spec: ProjectSpec, item: TaskItem) -> list[Question]:
    return [
        TextQuestion(name="prompt", title=msg("task.field.prompt"),
                     min_length=MIN_PROMPT_CHARS, max_length=MAX_LONG_TEXT_CHARS),
        TextQuestion(name="reference_answer", title=msg("task.field.reference_answer"),
                     min_length=1, max_length=MAX_LONG_TEXT_CHARS),
        TextQuestion(name="why_hard", title=msg("task.field.why_hard"),
                     min_length=1, max_length=MAX_JUSTIFICATION_CHARS),
    ]


_QUESTIONS: dict[str, Callable[[ProjectSpec, Any], list[Question]]] = {
    "rating": _rating_questions,
    "pairwise": _pairwise_questions,
    "ranking": _ranking_questions,
    "error_check": _error_check_questions,
    "rewrite": _rewrite_questions,
    "labeling": _labeling_questions,
    "prompt_writing": _prompt_writing_questions,
}


def answer_questions(spec: ProjectSpec, item: TaskItem) -> list[Question]:
    """The questions an expert answers for this item, in order (`handlers.shared.task_forms` makes them a form);
    the project's file question, if it asks for one, last."""
    questions = _QUESTIONS[spec.task_type](spec, item)
    if spec.answer_file is not None:
        questions = [*questions, FileQuestion(name=ATTACHMENT, title=spec.answer_file.label,
                                              required=spec.answer_file.required, accept=tuple(spec.answer_file.kinds))]
    return questions


def justification_field(task_type: str) -> str | None:
    """The free-text field that `feedback.check_justification` looks at, if the type has one."""
    return {
        "rating": "justification", "pairwise": "justification", "ranking": "justification",
        "error_check": "no_issues_reason", "rewrite": "what_was_wrong", "prompt_writing": "why_hard",
    }.get(task_type)


# ---------------------------------------------------------------- reading form values


def _text(values: Mapping[str, Any], field_id: str, *, required: bool = True, low: int = 1,
          high: int = MAX_LONG_TEXT_CHARS) -> str:
    value = values.get(field_id)
    if value is None or (isinstance(value, str) and not value.strip()):
        if required:
            raise AnswerInvalid(field_id, msg("task.invalid.required"))
        return ""
    if not isinstance(value, str):
        raise AnswerInvalid(field_id, msg("task.invalid.required"))
    text = value.strip()
    if len(text) < low:
        raise AnswerInvalid(field_id, msg("task.invalid.too_short", count=low, min=low, length=len(text)))
    if len(text) > high:
        raise AnswerInvalid(field_id, msg("task.invalid.too_long", count=high, max=high, length=len(text)))
    return text


def _option(values: Mapping[str, Any], field_id: str, allowed: tuple[str, ...] | list[str], *,
            required: bool = True) -> str | None:
    value = values.get(field_id)
    if value is None or value == "":
        if required:
            raise AnswerInvalid(field_id, msg("task.invalid.required"))
        return None
    if not isinstance(value, str) or value not in allowed:
        raise AnswerInvalid(field_id, msg("task.invalid.not_an_option"))
    return value


def _score(c: Criterion, value: Any, field_id: str) -> int | str:
    if value is None or value == "":
        raise AnswerInvalid(field_id, msg("task.invalid.required"))
    if not c.scale.named and isinstance(value, str) and re.fullmatch(r"-?[0-9]{1,5}", value.strip()):
        value = int(value.strip())  # wizards and buttons hand numbers over as text
    if c.scale.position(value) is None:
        if c.scale.named:
            raise AnswerInvalid(field_id, msg("task.invalid.not_an_option"))
        raise AnswerInvalid(field_id, msg("task.invalid.not_on_scale", min=c.scale.min, max=c.scale.max))
    return value


# ---------------------------------------------------------------- checks shared by answers and gold


def _check_scores(spec: ProjectSpec, scores: Mapping[str, Any]) -> dict[str, int | str]:
    known = {c.id for c in spec.criteria}
    for cid in scores:
        if cid not in known:
            raise AnswerInvalid(f"score.{str(cid)[:40]}", msg("task.invalid.unknown_criterion", criterion=str(cid)[:40]))
    return {c.id: _score(c, scores.get(c.id), f"score.{c.id}") for c in spec.criteria}


def _check_order(spec: ProjectSpec, item: TaskItem, places: Mapping[str, Any]) -> list[list[str]]:
    """Places (response id → 1-based place) into best-first groups; a shared place is a tie."""
    ids = [r.id for r in item.responses]
    count = len(ids)
    for rid in places:
        if rid not in ids:
            raise AnswerInvalid(f"rank.{str(rid)[:40]}", msg("task.invalid.ranking_incomplete", places=count))
    parsed: dict[str, int] = {}
    for rid in ids:
        value = places.get(rid)
        if isinstance(value, str) and re.fullmatch(r"[0-9]{1,3}", value.strip()):  # not isdigit(): "²" is a digit
            value = int(value.strip())
        if isinstance(value, bool) or not isinstance(value, int) or not 1 <= value <= count:
            raise AnswerInvalid(f"rank.{rid}", msg("task.invalid.ranking_incomplete", places=count))
        parsed[rid] = value
    used = sorted(set(parsed.values()))
    if len(used) < count and not spec.allow_ties:
        tied = next(rid for rid in ids if list(parsed.values()).count(parsed[rid]) > 1)
        raise AnswerInvalid(f"rank.{tied}", msg("task.invalid.ranking_ties"))
    # With ties, places are dense (1, 1, 2): a gap would make "second" ambiguous.
    if used != list(range(1, len(used) + 1)):
        worst = max(ids, key=lambda rid: parsed[rid])
        raise AnswerInvalid(f"rank.{worst}", msg("task.invalid.ranking_gap"))
    return [[rid for rid in ids if parsed[rid] == place] for place in used]


def _check_labels(spec: ProjectSpec, chosen: Any, field_id: str = "labels") -> list[str]:
    if isinstance(chosen, str):
        chosen = [chosen]
    if not isinstance(chosen, list) or not chosen or not all(isinstance(x, str) for x in chosen):
        raise AnswerInvalid(field_id, msg("task.invalid.required"))
    for label in chosen:
        if label not in spec.labels:
            raise AnswerInvalid(field_id, msg("task.invalid.unknown_label", label=label[:100]))
    unique = list(dict.fromkeys(chosen))
    if not spec.multi_label and len(unique) != 1:
        raise AnswerInvalid(field_id, msg("task.invalid.exactly_one_label"))
    return unique


_SPACE = re.compile(r"\s+")
_QUOTE_MARKS = "\"'“”‘’«»„`"


def normalize_passage(text: str) -> str:
    """How quotes are compared with responses: whitespace collapsed, case folded, outer quote marks dropped."""
    return _SPACE.sub(" ", text).strip().strip(_QUOTE_MARKS).strip().casefold()


def _find_quote(item: TaskItem, quote: str, field_id: str) -> str:
    needle = normalize_passage(quote)
    if len(needle) >= MIN_QUOTE_CHARS:
        for response in item.responses:
            if needle in normalize_passage(response.text):
                return response.id
    raise AnswerInvalid(field_id, msg("task.invalid.quote_not_found"))


def _issue_place(item: TaskItem, typed: str, field_id: str) -> tuple[str, str, tuple[int, int] | None]:
    """(quote, response id, lines) of what an expert typed where an issue is: a quote, or for code also a line
    or a range ("lines 12-14", "12-14: the quoted text"), checked against the code it names."""
    if not has_code(item):
        return typed, _find_quote(item, typed, field_id), None
    try:
        lines, quote = parse_line_ref(typed)
    except LineRefInvalid as exc:
        raise AnswerInvalid(field_id, exc.message) from None
    if lines is None:
        return typed, _find_quote(item, typed, field_id), None
    if quote:
        response_id = _find_quote(item, quote, field_id)
    else:
        code = [r for r in item.responses if r.format == "code"]
        if len(code) > 1:  # lines alone do not say which of several
            raise AnswerInvalid(field_id, msg("task.invalid.lines_which_response"))
        response_id = code[0].id
    response = next(r for r in item.responses if r.id == response_id)
    if response.format != "code":
        raise AnswerInvalid(field_id, msg("task.invalid.lines_not_code"))
    try:
        check_span(lines, response.text)
    except LineRefInvalid as exc:
        raise AnswerInvalid(field_id, exc.message) from None
    if quote and normalize_passage(quote) not in normalize_passage(span_text(lines, response.text)):
        raise AnswerInvalid(field_id, msg("task.invalid.quote_not_on_lines", first=str(lines[0]),
                                          last=str(lines[1])))
    return quote, response_id, lines


# ---------------------------------------------------------------- form values → answers


def _rating(spec: ProjectSpec, item: TaskItem, v: Mapping[str, Any]) -> RatingAnswer:
    scores = {c.id: _score(c, v.get(f"score.{c.id}"), f"score.{c.id}") for c in spec.criteria}
    return RatingAnswer(scores=scores, justification=_text(v, "justification", high=MAX_JUSTIFICATION_CHARS))


def _pairwise(spec: ProjectSpec, item: TaskItem, v: Mapping[str, Any]) -> PairwiseAnswer:
    preference = _option(v, "preference", PREFERENCES)
    per_criterion = {}
    for c in spec.criteria:
        choice = _option(v, f"pref.{c.id}", PREFERENCES, required=False)
        if choice is not None:
            per_criterion[c.id] = choice
    return PairwiseAnswer(preference=preference, criteria_preferences=per_criterion,
                          justification=_text(v, "justification", high=MAX_JUSTIFICATION_CHARS))


def _ranking(spec: ProjectSpec, item: TaskItem, v: Mapping[str, Any]) -> RankingAnswer:
    places = {r.id: v.get(f"rank.{r.id}") for r in item.responses}
    for rid, place in places.items():
        if place is None or place == "":
            raise AnswerInvalid(f"rank.{rid}", msg("task.invalid.required"))
    return RankingAnswer(order=_check_order(spec, item, places),
                         justification=_text(v, "justification", high=MAX_JUSTIFICATION_CHARS))


def _error_check(spec: ProjectSpec, item: TaskItem, v: Mapping[str, Any]) -> ErrorCheckAnswer:
    verdict = _option(v, "verdict", ("issues_found", "no_issues"))
    issues = []
    for n in range(1, MAX_ISSUES_IN_FORM + 1):
        parts = {p: v.get(f"issue.{n}.{p}") for p in ("quote", "category", "severity", "correction")}
        if all(x is None or (isinstance(x, str) and not x.strip()) for x in parts.values()):
            continue  # an unused slot
        for part, value in parts.items():
            if value is None or (isinstance(value, str) and not value.strip()):
                raise AnswerInvalid(f"issue.{n}.{part}", msg("task.invalid.issue_incomplete", n=n))
        quote, response_id, lines = _issue_place(item, _text(v, f"issue.{n}.quote"), f"issue.{n}.quote")
        issues.append(Issue(
            quote=quote,
            category=_option(v, f"issue.{n}.category", ISSUE_CATEGORIES),
            severity=_option(v, f"issue.{n}.severity", SEVERITIES),
            correction=_text(v, f"issue.{n}.correction"),
            response_id=response_id,
            lines=lines,
        ))
    if verdict == "no_issues":
        if issues:
            raise AnswerInvalid("verdict", msg("task.invalid.issues_and_none"))
        reason = _text(v, "no_issues_reason", high=MAX_JUSTIFICATION_CHARS)
        return ErrorCheckAnswer(no_issues=True, no_issues_reason=reason)
    if not issues:
        raise AnswerInvalid("issue.1.quote", msg("task.invalid.no_issue_given"))
    return ErrorCheckAnswer(issues=issues)


_BLANK_LINES = re.compile(r"\A(?:[ \t]*\n)+")


def rewrites_code(item: TaskItem) -> bool:
    """Whether a rewrite of this item is code, kept as typed: indentation is meaning there."""
    return bool(item.responses) and item.responses[0].format == "code"


def verbatim_code(text: str) -> str:
    """Code as typed, with only blank lines before it and whitespace after it dropped: every tab and leading space
    of its lines stays."""
    return _BLANK_LINES.sub("", text.replace("\r\n", "\n")).rstrip()


def _rewrite(spec: ProjectSpec, item: TaskItem, v: Mapping[str, Any]) -> RewriteAnswer:
    low, high = spec.rewrite_bounds
    text = _text(v, "text", low=low, high=high)
    if rewrites_code(item):
        text = verbatim_code(v["text"])  # `_text` checked it; its strip would take the first line's indentation
        if any(text == verbatim_code(r.text) for r in item.responses):  # re-indenting is a change in code
            raise AnswerInvalid("text", msg("task.invalid.rewrite_unchanged"))
    elif any(normalize_passage(text) == normalize_passage(r.text) for r in item.responses):
        raise AnswerInvalid("text", msg("task.invalid.rewrite_unchanged"))
    return RewriteAnswer(text=text, what_was_wrong=_text(v, "what_was_wrong", high=MAX_JUSTIFICATION_CHARS))


def _labeling(spec: ProjectSpec, item: TaskItem, v: Mapping[str, Any]) -> LabelingAnswer:
    labels = _check_labels(spec, v.get("labels"))
    return LabelingAnswer(labels=labels, comment=_text(v, "comment", required=False, high=MAX_JUSTIFICATION_CHARS))


def _prompt_writing(spec: ProjectSpec, item: TaskItem, v: Mapping[str, Any]) -> PromptWritingAnswer:
    return PromptWritingAnswer(
        prompt=_text(v, "prompt", low=MIN_PROMPT_CHARS),
        reference_answer=_text(v, "reference_answer"),
        why_hard=_text(v, "why_hard", high=MAX_JUSTIFICATION_CHARS),
    )


_FROM_FORM: dict[str, Callable[[ProjectSpec, Any, Mapping[str, Any]], Any]] = {
    "rating": _rating,
    "pairwise": _pairwise,
    "ranking": _ranking,
    "error_check": _error_check,
    "rewrite": _rewrite,
    "labeling": _labeling,
    "prompt_writing": _prompt_writing,
}


def validate_answer(spec: ProjectSpec, item: TaskItem, raw: Mapping[str, Any]) -> AnswerModel:
    """The submitted form values (field id → value) as an answer model, or `AnswerInvalid` for the first bad field."""
    if not isinstance(raw, Mapping):
        raise AnswerInvalid("", msg("task.invalid.required"))
    answer = _FROM_FORM[spec.task_type](spec, item, raw)
    attachment = _attachment(spec, raw.get(ATTACHMENT))
    return answer.model_copy(update={"attachment": attachment}) if attachment is not None else answer


ATTACHMENT = "attachment"  # the form field (and answer key) of the project's file question


def _attachment(spec: ProjectSpec, value: Any) -> BlobRef | None:
    """The answer's file: required when the project says so, of a kind it accepts (the form already checked the
    kind; checked again, as every value from a client is)."""
    if spec.answer_file is None:
        return None
    if value in (None, "", {}):
        if spec.answer_file.required:
            raise AnswerInvalid(ATTACHMENT, msg("task.invalid.required"))
        return None
    try:
        ref = BlobRef.model_validate(value)
    except ValueError:
        raise AnswerInvalid(ATTACHMENT, msg("form.error.file_expected")) from None
    if spec.answer_file.kinds and kind_of(ref.mime) not in spec.answer_file.kinds:
        raise AnswerInvalid(ATTACHMENT, msg("form.error.file_kind", kind=msg(f"media.kind.{kind_of(ref.mime)}"),
                                            accepted=msg("media.kind.as_asked")))
    return ref


# ---------------------------------------------------------------- gold


def _unwrap(raw: Any, key: str) -> Any:
    # Gold may be written in full ({"labels": [...]}) or as just the value (["billing"]).
    if isinstance(raw, dict):
        if set(raw) - {key}:
            extra = sorted(set(raw) - {key})[0]
            raise AnswerInvalid(f"gold.{str(extra)[:40]}", msg("task.invalid.not_an_option"))
        if key not in raw:
            raise AnswerInvalid(f"gold.{key}", msg("task.invalid.required"))
        return raw[key]
    return raw


def _order_to_places(order: Any) -> dict[str, int]:
    if not isinstance(order, list) or not order:
        raise AnswerInvalid("gold.order", msg("task.invalid.required"))
    places: dict[str, int] = {}
    for place, group in enumerate(order, start=1):
        for rid in group if isinstance(group, list) else [group]:
            if not isinstance(rid, str) or rid in places:
                raise AnswerInvalid("gold.order", msg("task.invalid.ranking_ties"))
            places[rid] = place
    return places


_GOLD_KEY = {"rating": "scores", "pairwise": "preference", "ranking": "order", "labeling": "labels"}


def canonical_gold(spec: ProjectSpec, answer: AnswerModel) -> dict[str, Any]:
    """The one stored shape of a gold answer — what `domain.gold` scores against:
    `{"scores": {...}}`, `{"preference": ...}`, `{"order": [[...], ...]}` or `{"labels": [...]}`."""
    key = _GOLD_KEY[spec.task_type]
    return {key: answer.model_dump()[key]}


def score_positions(spec: ProjectSpec, scores: Mapping[str, int | str]) -> dict[str, int]:
    """Rating scores as numbers (named levels → 0..n-1), for tolerance checks and agreement."""
    positions: dict[str, int] = {}
    for cid, value in scores.items():
        position = spec.criterion(cid).scale.position(value)
        if position is None:
            raise ValueError(f"{value!r} is not on the scale of {cid!r}")
        positions[cid] = position
    return positions


def validate_gold(spec: ProjectSpec, item: TaskItem, raw: Any) -> AnswerModel:
    """An item's expected answer, checked like an expert's: rating → scores, pairwise → preference,
    ranking → order (best first; a nested list is a tie), labeling → labels."""
    kind = spec.task_type
    if kind not in GOLD_TASK_TYPES:
        raise AnswerInvalid("gold", msg("task.invalid.no_gold"))
    if kind == "rating":
        scores = _unwrap(raw, "scores")
        if not isinstance(scores, dict):
            raise AnswerInvalid("gold.scores", msg("task.invalid.required"))
        return RatingAnswer(scores=_check_scores(spec, scores))
    if kind == "pairwise":
        preference = _unwrap(raw, "preference")
        if preference not in PREFERENCES:
            raise AnswerInvalid("gold.preference", msg("task.invalid.not_an_option"))
        return PairwiseAnswer(preference=preference)
    if kind == "ranking":
        return RankingAnswer(order=_check_order(spec, item, _order_to_places(_unwrap(raw, "order"))))
    return LabelingAnswer(labels=_check_labels(spec, _unwrap(raw, "labels"), "gold.labels"))
