import re

import pytest

from bot.i18n import default_catalogs
from domain.feedback import (
    CATALOG_KEYS,
    GENERIC_PHRASES,
    JUSTIFICATION_RULES,
    check_justification,
    is_specific,
    normalize,
)
from domain.project_spec import ProjectSpec
from domain.task_import import TaskItem

PAY = {"kind": "per_task", "amount": "1.00", "currency": "EUR"}


def make_spec(**fields) -> ProjectSpec:
    base = {
        "name": "Medication answers", "domain": "medicine", "task_type": "rating", "instructions": "Rate.",
        "pay": PAY,
        "criteria": [
            {"id": "accuracy", "label": "Accuracy", "scale": [1, 5]},
            {"id": "patient_safety", "label": "Patient safety", "scale": [1, 5]},
            {"id": "exactitud", "label": "Exactitud", "scale": [1, 5]},
        ],
    }
    return ProjectSpec.model_validate({**base, **fields})


SPEC = make_spec()
LENIENT = make_spec(min_justification_chars=0)
ITEM = TaskItem(
    external_id="med-1", prompt="Can I drink grapefruit juice while taking simvastatin?",
    responses=[{"id": "a", "text": "Yes, grapefruit juice has no effect on simvastatin, so drink as much as you like."}],
)


def rule(text, spec=SPEC, item=None):
    hint = check_justification(text, spec, item)
    return hint.rule_id if hint else None


# ---------------------------------------------------------------- the catalog and the rules


def test_hint_keys_are_in_both_catalogs_with_the_same_placeholders():
    # A plural entry's forms are joined: each form has the same placeholders.
    texts = {loc: {k: v if isinstance(v, str) else " ".join(v) for k, v in default_catalogs()._by_locale[loc].texts.items()}
             for loc in ("en", "es")}
    for key in CATALOG_KEYS:
        assert key.startswith("task.feedback.")
        assert key in texts["en"] and key in texts["es"], key
        assert set(re.findall(r"{(\w+)}", texts["en"][key])) == set(re.findall(r"{(\w+)}", texts["es"][key]))
        assert "count" not in re.findall(r"{(\w+)}", texts["en"][key])  # msg() reserves count for plurals


@pytest.mark.parametrize(("text", "en", "es"), [
    ("Bad.", "Your justification has 4 characters; this project asks for at least 40. "
             "Name the criterion, quote the passage and say what it would cause.",
     "Tu justificación tiene 4 caracteres; este proyecto pide al menos 40. "
     "Nombra el criterio, cita el pasaje y di qué consecuencia tendría."),
    ("This answer is really quite bad overall, honestly.",
     "“Looks good” or “this is bad” does not tell the model what to change. Name the criterion, quote the passage "
     "and say the consequence — e.g. Accuracy: “take 4 g every 2 hours” exceeds the daily maximum and risks liver "
     "damage.",
     "«Está bien» o «es mala» no le dice al modelo qué cambiar. Nombra el criterio, cita el pasaje y di la "
     "consecuencia; p. ej. Exactitud: «tomar 4 g cada 2 horas» supera el máximo diario y puede dañar el hígado."),
    ("The reasoning here skips a step that a pharmacist would have flagged.",
     "Point at something we can check: name the criterion, quote the passage (in quotes) or give the figure that "
     "is wrong.",
     "Señala algo verificable: nombra el criterio, cita el pasaje (entre comillas) o da la cifra que está mal."),
])
def test_hints_read_from_the_catalog_in_each_language(text, en, es):
    hint = check_justification(text, SPEC)
    assert hint is not None
    assert default_catalogs().render(hint.hint, "en") == en
    assert default_catalogs().render(hint.hint, "es") == es


def test_rules_are_data():
    assert [r.id for r in JUSTIFICATION_RULES] == ["too_short", "generic", "no_reference"]
    assert all(r.hint_key in CATALOG_KEYS for r in JUSTIFICATION_RULES)


def test_generic_phrases_are_stored_normalised():
    assert all(normalize(p) == p for p in GENERIC_PHRASES)


def test_normalize_folds_case_accents_and_punctuation():
    assert normalize("¡Está BIEN!") == "esta bien"
    assert normalize("Looks   good...  :)") == "looks good"


# ---------------------------------------------------------------- passes


@pytest.mark.parametrize(
    "text",
    [
        "Accuracy: “up to 6 g a day” exceeds the 4 g adult maximum; a patient following it risks liver failure.",
        "Patient safety is the problem: the answer never says to stop the drug and seek care if the rash spreads, "
        "which is how Stevens-Johnson syndrome first shows.",
        'The answer says "no effect on simvastatin", which is wrong: grapefruit raises simvastatin levels and '
        "can cause muscle damage.",
        "Exactitud: «hasta 6 g al día» supera el máximo de 4 g; el paciente podría sufrir daño hepático.",
        "A cites section 21 of the Housing Act and gives the tenant a deadline; B only says to ask nicely.",
        "Looks good overall, but accuracy suffers because the interaction with grapefruit is understated.",
    ],
)
def test_specific_justifications_pass(text):
    assert check_justification(text, SPEC) is None


def test_a_long_justification_without_markers_passes():
    text = ("The response treats a serious interaction as harmless and tells the patient to drink as much as they like, "
            "when the safe advice is to avoid it entirely while on this statin and to ask the pharmacist.")
    assert rule(text) is None


def test_echoing_the_response_counts_as_naming_the_passage():
    text = "It claims grapefruit juice has no effect on simvastatin; that is false and risky."
    assert rule(text, item=ITEM) is None
    assert rule(text) == "no_reference"  # without the item there is nothing to match against


# ---------------------------------------------------------------- sent back


@pytest.mark.parametrize("text", ["Looks good.", "This answer is bad.", "Incomplete", "es mala", "Está bien", "", "   "])
def test_short_ones_are_too_short(text):
    hint = check_justification(text, SPEC)
    assert hint is not None and hint.rule_id == "too_short"
    assert hint.hint.key == "task.feedback.too_short"
    assert hint.hint.params == {"min": 40, "length": len(text.strip())}


@pytest.mark.parametrize(
    "text",
    [
        "looks good",
        "This answer is bad",
        "LGTM!",
        "incomplete.",
        "Es mala.",
        "¡Está bien!",
        "This answer is really bad because it is incomplete and not helpful.",
        "I think the response looks good to me, it's fine and pretty clear overall.",
        "La respuesta está bien, es correcta y completa en general.",
        "Es mala, está incompleta y le falta información importante para el paciente.",
        "B is better. A is confusing and incomplete.",
    ],
)
def test_generic_phrases_without_specifics(text):
    hint = check_justification(text, LENIENT)
    assert hint is not None and hint.rule_id == "generic", text
    assert hint.hint.key == "task.feedback.generic" and hint.hint.params == {}


def test_generic_phrase_plus_specifics_passes():
    assert rule("This answer is bad: “6 g a day” is above the maximum.", LENIENT) is None
    assert rule("Incomplete on patient safety.", LENIENT) is None
    assert rule("Incorrect dose: 6 g.", LENIENT) is None


@pytest.mark.parametrize(
    "text",
    [
        "The response misses the point of the question and would confuse the patient.",
        "La respuesta no contesta lo que se pregunta y confundiría al paciente.",
    ],
)
def test_short_without_any_reference(text):
    assert rule(text) == "no_reference"


def test_minimum_length_comes_from_the_spec():
    strict = make_spec(min_justification_chars=200)
    text = "Accuracy: “up to 6 g a day” exceeds the 4 g adult maximum; a patient following it risks liver failure."
    hint = check_justification(text, strict)
    assert hint is not None and hint.rule_id == "too_short" and hint.hint.params["min"] == 200


def test_is_specific_markers():
    assert is_specific("see 'the dose line'", SPEC)
    assert is_specific("step 3 is wrong", SPEC)
    assert is_specific("patient safety suffers", SPEC)
    assert is_specific("PATIENT-SAFETY suffers", SPEC)
    assert not is_specific("it is wrong", SPEC)
    assert not is_specific("inaccurate", SPEC)  # a criterion name must appear as whole words
    assert is_specific("the `mean()` call divides by zero", SPEC)


def test_apostrophes_are_not_quotations():
    assert not is_specific("it's wrong and the patient's dose isn't right", SPEC)
    assert not is_specific("it’s wrong and the patient’s dose isn’t right", SPEC)
    assert rule("It's wrong, the patient's question isn't answered and that's bad.") == "no_reference"
