"""The seven task types, declaratively: the form an expert fills in and the answer it becomes.

For each type, `answer_fields(spec, item)` lists the form fields (`bot.core.forms.FieldSpec`, labels as
catalog keys) and `validate_answer(spec, item, form_values)` turns the submitted values into one answer
model, or raises `AnswerInvalid(field_id, Msg)` naming the field to ask again. Gold answers in a task file
go through the same checks with `validate_gold`, so "correct" means the same thing in both places.

Answers are plain pydantic models discriminated by `task_type`, so storage can keep them as JSON and read
them back with `ANSWER_ADAPTER`.
"""
from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from typing import TYPE_CHECKING, Annotated, Any, Literal, Union

from pydantic import BaseModel, ConfigDict, Field, TypeAdapter

from bot.core.forms import FieldKind, FieldSpec, Option
from bot.i18n.text import Msg, msg
from domain.project_spec import GOLD_TASK_TYPES, Criterion, ProjectSpec

if TYPE_CHECKING:  # task_import imports this module to check gold; avoid the cycle at runtime
    from domain.task_import import TaskItem

__all__ = [
    "ANSWER_ADAPTER",
    "CATALOG_KEYS",
    "ENGLISH",
    "ISSUE_CATEGORIES",
    "MAX_ISSUES_IN_FORM",
    "PREFERENCES",
    "SEVERITIES",
    "SPANISH",
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
    "answer_fields",
    "canonical_gold",
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
    quote: str
    category: IssueCategory
    severity: Severity
    correction: str
    response_id: str | None = None  # the response the quote was found in


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


# ---------------------------------------------------------------- catalog

ENGLISH: dict[str, str] = {
    # field labels
    "task.field.score": "Score for {criterion}",
    "task.field.justification": "Justification: name the criterion, quote the passage, say what it causes",
    "task.field.preference": "Which response is better overall?",
    "task.field.criterion_preference": "Which response is better on {criterion}? (optional)",
    "task.field.rank": "Place for response {response} (1 = best)",
    "task.field.verdict": "Did you find issues in the response?",
    "task.field.issue_quote": "Issue {n}: copy the exact passage",
    "task.field.issue_category": "Issue {n}: category",
    "task.field.issue_severity": "Issue {n}: severity",
    "task.field.issue_correction": "Issue {n}: the correction",
    "task.field.no_issues_reason": "If you found no issues: why is the response right?",
    "task.field.rewrite_text": "Your improved response ({min}–{max} characters)",
    "task.field.what_was_wrong": "What was wrong with the original?",
    "task.field.label": "Choose the label",
    "task.field.labels": "Choose every label that applies",
    "task.field.comment": "Comment (optional)",
    "task.field.prompt": "Your prompt",
    "task.field.reference_answer": "A reference answer",
    "task.field.why_hard": "Why is this prompt hard for a model?",
    # options
    "task.option.a_much_better": "A is much better",
    "task.option.a_better": "A is better",
    "task.option.tie": "About the same",
    "task.option.b_better": "B is better",
    "task.option.b_much_better": "B is much better",
    "task.option.issues_found": "Yes, I found issues",
    "task.option.no_issues": "No issues found",
    "task.option.factual_error": "Factual error",
    "task.option.missing_caveat": "Missing caveat",
    "task.option.unsafe_advice": "Unsafe advice",
    "task.option.unsupported_claim": "Unsupported claim",
    "task.option.instruction_not_followed": "Instruction not followed",
    "task.option.other": "Other",
    "task.option.minor": "Minor",
    "task.option.major": "Major",
    "task.option.critical": "Critical",
    # why an answer was sent back
    "task.invalid.required": "Please answer this.",
    "task.invalid.not_on_scale": "Choose a value from {min} to {max}.",
    "task.invalid.not_an_option": "Choose one of the options offered.",
    "task.invalid.too_short": "Please write at least {min} characters (you wrote {length}).",
    "task.invalid.too_long": "Please keep it to {max} characters (you wrote {length}).",
    "task.invalid.unknown_criterion": "“{criterion}” is not a criterion of this project.",
    "task.invalid.ranking_incomplete": "Give every response a place from 1 to {places}.",
    "task.invalid.ranking_ties": "Ties are not allowed here: give each response its own place.",
    "task.invalid.ranking_gap": "Places must follow on from 1 without gaps.",
    "task.invalid.quote_not_found": "That passage is not in the response. Copy it exactly as written.",
    "task.invalid.issue_incomplete": "Issue {n}: give the passage, the category, the severity and the correction.",
    "task.invalid.no_issue_given": "Describe at least one issue, or choose “No issues found”.",
    "task.invalid.issues_and_none": "You described issues but chose “No issues found”.",
    "task.invalid.exactly_one_label": "Choose exactly one label.",
    "task.invalid.unknown_label": "“{label}” is not one of this project's labels.",
    "task.invalid.rewrite_unchanged": "The rewrite is the same as the original response.",
    "task.invalid.no_gold": "This task type has no gold answer.",
}

SPANISH: dict[str, str] = {
    "task.field.score": "Puntuación de {criterion}",
    "task.field.justification": "Justificación: nombra el criterio, cita el pasaje y di qué consecuencia tiene",
    "task.field.preference": "¿Qué respuesta es mejor en conjunto?",
    "task.field.criterion_preference": "¿Qué respuesta es mejor en {criterion}? (opcional)",
    "task.field.rank": "Puesto de la respuesta {response} (1 = la mejor)",
    "task.field.verdict": "¿Encontraste problemas en la respuesta?",
    "task.field.issue_quote": "Problema {n}: copia el pasaje exacto",
    "task.field.issue_category": "Problema {n}: categoría",
    "task.field.issue_severity": "Problema {n}: gravedad",
    "task.field.issue_correction": "Problema {n}: la corrección",
    "task.field.no_issues_reason": "Si no encontraste problemas: ¿por qué la respuesta es correcta?",
    "task.field.rewrite_text": "Tu respuesta mejorada ({min}–{max} caracteres)",
    "task.field.what_was_wrong": "¿Qué fallaba en la original?",
    "task.field.label": "Elige la etiqueta",
    "task.field.labels": "Elige todas las etiquetas que correspondan",
    "task.field.comment": "Comentario (opcional)",
    "task.field.prompt": "Tu prompt",
    "task.field.reference_answer": "Una respuesta de referencia",
    "task.field.why_hard": "¿Por qué este prompt es difícil para un modelo?",
    "task.option.a_much_better": "A es mucho mejor",
    "task.option.a_better": "A es mejor",
    "task.option.tie": "Más o menos igual",
    "task.option.b_better": "B es mejor",
    "task.option.b_much_better": "B es mucho mejor",
    "task.option.issues_found": "Sí, encontré problemas",
    "task.option.no_issues": "No encontré problemas",
    "task.option.factual_error": "Error factual",
    "task.option.missing_caveat": "Falta una advertencia",
    "task.option.unsafe_advice": "Consejo peligroso",
    "task.option.unsupported_claim": "Afirmación sin respaldo",
    "task.option.instruction_not_followed": "No sigue la instrucción",
    "task.option.other": "Otro",
    "task.option.minor": "Leve",
    "task.option.major": "Grave",
    "task.option.critical": "Crítico",
    "task.invalid.required": "Responde a esto, por favor.",
    "task.invalid.not_on_scale": "Elige un valor de {min} a {max}.",
    "task.invalid.not_an_option": "Elige una de las opciones ofrecidas.",
    "task.invalid.too_short": "Escribe al menos {min} caracteres (escribiste {length}).",
    "task.invalid.too_long": "No pases de {max} caracteres (escribiste {length}).",
    "task.invalid.unknown_criterion": "«{criterion}» no es un criterio de este proyecto.",
    "task.invalid.ranking_incomplete": "Da a cada respuesta un puesto del 1 al {places}.",
    "task.invalid.ranking_ties": "Aquí no se permiten empates: da a cada respuesta su propio puesto.",
    "task.invalid.ranking_gap": "Los puestos deben seguir desde el 1 sin huecos.",
    "task.invalid.quote_not_found": "Ese pasaje no está en la respuesta. Cópialo tal como está escrito.",
    "task.invalid.issue_incomplete": "Problema {n}: indica el pasaje, la categoría, la gravedad y la corrección.",
    "task.invalid.no_issue_given": "Describe al menos un problema o elige «No encontré problemas».",
    "task.invalid.issues_and_none": "Describiste problemas pero elegiste «No encontré problemas».",
    "task.invalid.exactly_one_label": "Elige exactamente una etiqueta.",
    "task.invalid.unknown_label": "«{label}» no es una de las etiquetas de este proyecto.",
    "task.invalid.rewrite_unchanged": "La reescritura es igual a la respuesta original.",
    "task.invalid.no_gold": "Este tipo de tarea no tiene respuesta de referencia (gold).",
}

CATALOG_KEYS: tuple[str, ...] = tuple(ENGLISH)


# ---------------------------------------------------------------- form fields per task type


def _justification(spec: ProjectSpec) -> FieldSpec:
    # The spec's minimum is a soft rule (feedback.py sends it back once; the expert may insist), so the
    # form itself only refuses an empty justification.
    return FieldSpec(
        id="justification", kind=FieldKind.long_text, label=msg("task.field.justification"),
        min_length=1, max_length=MAX_JUSTIFICATION_CHARS,
    )


def _criterion_field(c: Criterion) -> FieldSpec:
    label = msg("task.field.score", criterion=c.label)
    help_text = c.description or None
    if c.scale.named:
        return FieldSpec(
            id=f"score.{c.id}", kind=FieldKind.choice, label=label, help=help_text,
            options=[Option(value=lv, label=lv) for lv in c.scale.levels],
        )
    return FieldSpec(
        id=f"score.{c.id}", kind=FieldKind.scale, label=label, help=help_text, min=c.scale.min, max=c.scale.max,
    )


def _choice(values: tuple[str, ...]) -> list[Option]:
    return [Option(value=v, label=msg(f"task.option.{v}")) for v in values]


def _rating_fields(spec: ProjectSpec, item: TaskItem) -> list[FieldSpec]:
    return [_criterion_field(c) for c in spec.criteria] + [_justification(spec)]


def _pairwise_fields(spec: ProjectSpec, item: TaskItem) -> list[FieldSpec]:
    fields = [FieldSpec(id="preference", kind=FieldKind.choice, label=msg("task.field.preference"),
                        options=_choice(PREFERENCES))]
    fields += [
        FieldSpec(id=f"pref.{c.id}", kind=FieldKind.choice, required=False, help=c.description or None,
                  label=msg("task.field.criterion_preference", criterion=c.label), options=_choice(PREFERENCES))
        for c in spec.criteria
    ]
    return fields + [_justification(spec)]


def _ranking_fields(spec: ProjectSpec, item: TaskItem) -> list[FieldSpec]:
    places = [Option(value=str(n), label=str(n)) for n in range(1, len(item.responses) + 1)]
    fields = [
        FieldSpec(id=f"rank.{r.id}", kind=FieldKind.choice, label=msg("task.field.rank", response=r.id), options=places)
        for r in item.responses
    ]
    return fields + [_justification(spec)]


def _error_check_fields(spec: ProjectSpec, item: TaskItem) -> list[FieldSpec]:
    fields = [FieldSpec(id="verdict", kind=FieldKind.choice, label=msg("task.field.verdict"),
                        options=_choice(("issues_found", "no_issues")))]
    found = ("verdict", ["issues_found"])
    for n in range(1, MAX_ISSUES_IN_FORM + 1):
        # Issue n is offered after issue n-1 was written; skipping its quote ends the list.
        quote_if = [found] + ([(f"issue.{n - 1}.quote", None)] if n > 1 else [])
        rest_if = [found, (f"issue.{n}.quote", None)]
        fields += [
            FieldSpec(id=f"issue.{n}.quote", kind=FieldKind.long_text, required=False, show_if=quote_if,
                      label=msg("task.field.issue_quote", n=n), max_length=MAX_LONG_TEXT_CHARS),
            FieldSpec(id=f"issue.{n}.category", kind=FieldKind.choice, required=False, show_if=rest_if,
                      label=msg("task.field.issue_category", n=n), options=_choice(ISSUE_CATEGORIES)),
            FieldSpec(id=f"issue.{n}.severity", kind=FieldKind.choice, required=False, show_if=rest_if,
                      label=msg("task.field.issue_severity", n=n), options=_choice(SEVERITIES)),
            FieldSpec(id=f"issue.{n}.correction", kind=FieldKind.long_text, required=False, show_if=rest_if,
                      label=msg("task.field.issue_correction", n=n), max_length=MAX_LONG_TEXT_CHARS),
        ]
    fields.append(FieldSpec(id="no_issues_reason", kind=FieldKind.long_text, required=False,
                            show_if=[("verdict", ["no_issues"])],
                            label=msg("task.field.no_issues_reason"), max_length=MAX_JUSTIFICATION_CHARS))
    return fields


def _rewrite_fields(spec: ProjectSpec, item: TaskItem) -> list[FieldSpec]:
    low, high = spec.rewrite_bounds
    return [
        FieldSpec(id="text", kind=FieldKind.long_text, label=msg("task.field.rewrite_text", min=low, max=high),
                  min_length=low, max_length=high),
        FieldSpec(id="what_was_wrong", kind=FieldKind.long_text, label=msg("task.field.what_was_wrong"),
                  min_length=1, max_length=MAX_JUSTIFICATION_CHARS),
    ]


def _labeling_fields(spec: ProjectSpec, item: TaskItem) -> list[FieldSpec]:
    options = [Option(value=label, label=label) for label in spec.labels]
    if spec.multi_label:
        main = FieldSpec(id="labels", kind=FieldKind.multi_choice, label=msg("task.field.labels"), options=options)
    else:
        main = FieldSpec(id="labels", kind=FieldKind.choice, label=msg("task.field.label"), options=options)
    return [main, FieldSpec(id="comment", kind=FieldKind.long_text, required=False, label=msg("task.field.comment"),
                            max_length=MAX_JUSTIFICATION_CHARS)]


def _prompt_writing_fields(spec: ProjectSpec, item: TaskItem) -> list[FieldSpec]:
    return [
        FieldSpec(id="prompt", kind=FieldKind.long_text, label=msg("task.field.prompt"),
                  min_length=MIN_PROMPT_CHARS, max_length=MAX_LONG_TEXT_CHARS),
        FieldSpec(id="reference_answer", kind=FieldKind.long_text, label=msg("task.field.reference_answer"),
                  min_length=1, max_length=MAX_LONG_TEXT_CHARS),
        FieldSpec(id="why_hard", kind=FieldKind.long_text, label=msg("task.field.why_hard"),
                  min_length=1, max_length=MAX_JUSTIFICATION_CHARS),
    ]


_FIELDS: dict[str, Callable[[ProjectSpec, Any], list[FieldSpec]]] = {
    "rating": _rating_fields,
    "pairwise": _pairwise_fields,
    "ranking": _ranking_fields,
    "error_check": _error_check_fields,
    "rewrite": _rewrite_fields,
    "labeling": _labeling_fields,
    "prompt_writing": _prompt_writing_fields,
}


def answer_fields(spec: ProjectSpec, item: TaskItem) -> list[FieldSpec]:
    """The form fields an expert fills in for this item, in order."""
    return _FIELDS[spec.task_type](spec, item)


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
        raise AnswerInvalid(field_id, msg("task.invalid.too_short", min=low, length=len(text)))
    if len(text) > high:
        raise AnswerInvalid(field_id, msg("task.invalid.too_long", max=high, length=len(text)))
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
        quote = _text(v, f"issue.{n}.quote")
        issues.append(Issue(
            quote=quote,
            category=_option(v, f"issue.{n}.category", ISSUE_CATEGORIES),
            severity=_option(v, f"issue.{n}.severity", SEVERITIES),
            correction=_text(v, f"issue.{n}.correction"),
            response_id=_find_quote(item, quote, f"issue.{n}.quote"),
        ))
    if verdict == "no_issues":
        if issues:
            raise AnswerInvalid("verdict", msg("task.invalid.issues_and_none"))
        reason = _text(v, "no_issues_reason", high=MAX_JUSTIFICATION_CHARS)
        return ErrorCheckAnswer(no_issues=True, no_issues_reason=reason)
    if not issues:
        raise AnswerInvalid("issue.1.quote", msg("task.invalid.no_issue_given"))
    return ErrorCheckAnswer(issues=issues)


def _rewrite(spec: ProjectSpec, item: TaskItem, v: Mapping[str, Any]) -> RewriteAnswer:
    low, high = spec.rewrite_bounds
    text = _text(v, "text", low=low, high=high)
    if any(normalize_passage(text) == normalize_passage(r.text) for r in item.responses):
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
    return _FROM_FORM[spec.task_type](spec, item, raw)


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
