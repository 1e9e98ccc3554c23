"""What an expert types into a form is kept and understood (issue 16, points 2, 3, 5 and 6), on every adapter
and both backends:

- text typed at a button step is kept for the next text question: offered there, or taken when it is the only
  text question left (point 2);
- a long paste the platform split into two messages is joined, and the person told the total length (point 3);
- each answer is checked when it is entered, and a problem found at the end sends the person back to that very
  question with every answer kept (point 5);
- typing a visible option picks it; a number may come with its unit; a range asks which (point 6).

A Slack modal submits a whole form, so points 2, 3 and 6 (typing into a conversation) do not apply to it; its
per-field checks (point 5) do.
"""
from __future__ import annotations

import json
from datetime import timedelta

import pytest

from bot.core.runtime import EVENT
from tests.flows.helpers import Clock, actor_key, line_with, rows
from tests.flows.tasks_data import ANSWERS, add_member, seed_project

pytestmark = pytest.mark.filterwarnings("ignore::DeprecationWarning")

# 4,800 characters, cut by the platform at 4,096 in the middle of a word
PASTE = ("Under the Housing Act 2004 the landlord had thirty days to protect the deposit and to serve the "
         "prescribed information; protecting it on day forty-five does not cure the breach. ") * 40
PASTE = PASTE[:4800]
FIRST, REST = PASTE[:4096], PASTE[4096:]
JUSTIFY = ANSWERS["rating_medicine"]["justification"]


def _walked_in_conversation(chat) -> bool:
    return not getattr(chat, "forms_as_modals", False)


async def _task(chat, user: str, stem: str) -> None:
    project_id = await seed_project(chat.runtime, stem)
    await chat.send(user, "/help")
    await add_member(chat.runtime, project_id, chat.identity(user))
    await chat.send(user, "/next")


async def _session(chat, form_id: str) -> dict:
    [got] = await rows(chat.runtime, "SELECT vals, pending, step, stage, status FROM form_sessions WHERE form_id = $1"
                                     " ORDER BY id DESC LIMIT 1", form_id)
    return {**got, "vals": json.loads(got["vals"]), "pending": json.loads(got["pending"])}


async def _submitted(chat) -> dict:
    [sub] = await rows(chat.runtime, "SELECT form_values FROM submissions")
    return json.loads(sub["form_values"])


# point 2 ---------------------------------------------------------------------------------------------------
async def test_text_typed_at_a_button_step_becomes_the_only_text_answer(chat):
    if not _walked_in_conversation(chat):
        pytest.skip("a modal submits the whole form: nothing is typed at a button step")
    await _task(chat, "ana", "rating_medicine")
    assert "Step 1 of 4" in chat.last("ana").text
    await chat.send("ana", JUSTIFY)  # at the 1-5 scale of accuracy
    shown = chat.last("ana").text
    assert f"I kept your text ({len(JUSTIFY):,} characters) for “Justification" in shown
    assert "This step still needs a choice" in shown and "Step 1 of 4" in shown
    draft = await _session(chat, "task")
    assert draft["vals"] == {} and draft["pending"]["kept"]["text"] == JUSTIFY  # not an answer (yet)
    await chat.send("ana", "high")  # a word or two is a mistyped choice: refused, the kept text stays as it was
    assert "Please type a number." in chat.last("ana").text and "I kept" not in chat.last("ana").text
    assert (await _session(chat, "task"))["pending"]["kept"]["text"] == JUSTIFY

    await chat.fill_form("ana", {k: v for k, v in ANSWERS["rating_medicine"].items() if k != "justification"},
                         confirm=False)
    # the justification was the only text question left: taken as it, and said so, at the summary
    shown = chat.texts("ana")
    assert "The text you typed earlier is now your answer to “Justification" in shown
    assert "Please check your answers" in chat.last("ana").text
    await chat.press("ana", "Submit answer")
    values = await _submitted(chat)
    assert values["justification"] == JUSTIFY and set(values) == {"score.accuracy", "score.safety",
                                                                 "score.completeness", "justification"}


CREDENTIALS = "MD, board-certified internist since 2012"


async def _credentials_typed_at_the_domains(chat, user: str) -> None:
    await chat.send(user, "/start")
    await chat.send(user, user.title())
    await chat.send(user, CREDENTIALS)  # at the fields-of-expertise buttons
    assert f"I kept your text ({len(CREDENTIALS)} characters) for “Credentials”" in chat.last(user).text
    await chat.press(user, "Medicine")
    await chat.press(user, "Done")
    await chat.send(user, "12")


async def test_kept_text_is_offered_at_the_next_text_question(chat):
    if not _walked_in_conversation(chat):
        pytest.skip("a modal submits the whole form")
    await _credentials_typed_at_the_domains(chat, "bo")
    # three text questions are still open (credentials, languages, time zone): offered, not taken
    shown = chat.last("bo")
    assert "Use the text you typed earlier as your answer to “Credentials”?" in shown.text
    assert CREDENTIALS in shown.text and {"Use it", "Type another"} <= set(shown.buttons)
    await chat.press("bo", "Use it")
    draft = await _session(chat, "onboarding")
    assert draft["vals"]["credentials"] == CREDENTIALS and "kept" not in draft["pending"]
    assert "Use it" not in chat.last("bo").buttons  # on to the languages, nothing offered there

    await _credentials_typed_at_the_domains(chat, "cal")
    await chat.press("cal", "Type another")
    assert "Use it" not in chat.last("cal").buttons and "Credentials" in chat.last("cal").text
    await chat.send("cal", "Pharmacist")
    draft = await _session(chat, "onboarding")
    assert draft["vals"]["credentials"] == "Pharmacist" and "kept" not in draft["pending"]


async def test_kept_text_in_spanish(chat):
    if not _walked_in_conversation(chat):
        pytest.skip("a modal submits the whole form")
    await chat.send("eva", "/language")
    await chat.press("eva", "Español")
    await _task(chat, "eva", "rating_medicine")
    await chat.send("eva", "La dosis es correcta, pero falta decir que no se tome con enfermedad renal.")
    assert "Guardé tu texto (75 caracteres) para “Justificación" in chat.last("eva").text
    assert "Este paso aún necesita que elijas una opción" in chat.last("eva").text


# point 3 ---------------------------------------------------------------------------------------------------
async def test_a_long_paste_split_in_two_is_joined_where_the_form_has_moved_on(chat):
    if not _walked_in_conversation(chat):
        pytest.skip("a modal submits the whole form: nothing arrives in parts")
    assert FIRST[-1].isalpha() and REST[0].isalpha()  # cut inside a word: joined exactly, nothing added
    await _task(chat, "cy", "prompt_writing_law")
    await chat.send("cy", FIRST)
    assert "Step 2 of 3" in chat.last("cy").text
    await chat.send("cy", REST)  # the platform's second message: back to the answer it continues
    shown = chat.last("cy").text
    assert "Joined 2 parts: 4,800 characters for “Your prompt" in shown and "Step 2 of 3" in shown
    assert (await _session(chat, "task"))["vals"] == {"prompt": PASTE}

    # a quick short answer to the next question is an answer, not a third part
    await chat.send("cy", ANSWERS["prompt_writing_law"]["reference_answer"])
    assert "Step 3 of 3" in chat.last("cy").text
    # the last question: the first part reaches the summary, the second comes back to it
    await chat.send("cy", FIRST)
    await chat.send("cy", REST)
    assert "Joined 2 parts: 4,800 characters for “Why is this prompt hard" in chat.texts("cy")
    await chat.press("cy", "Submit answer")
    values = await _submitted(chat)
    assert values == {"prompt": PASTE, "reference_answer": ANSWERS["prompt_writing_law"]["reference_answer"],
                      "why_hard": PASTE}


async def test_a_part_after_the_window_or_after_a_long_but_whole_answer_is_not_joined(open_chat):
    clock = Clock()
    chat = await open_chat(clock=clock)
    if not _walked_in_conversation(chat):
        pytest.skip("a modal submits the whole form")
    await _task(chat, "di", "prompt_writing_law")
    await chat.send("di", FIRST)
    clock.now += timedelta(seconds=6)  # too late to be the rest of that paste
    await chat.send("di", "A claim of one to three times the deposit.")
    assert "Step 3 of 3" in chat.last("di").text
    assert (await _session(chat, "task"))["vals"] == {"prompt": FIRST.strip(),
                                                      "reference_answer": "A claim of one to three times the deposit."}
    await chat.press("di", "Back")
    await chat.press("di", "Back")
    await chat.send("di", PASTE[:4050])  # long, but it did not fill a message: a whole answer
    await chat.send("di", "Short.")
    assert (await _session(chat, "task"))["vals"]["reference_answer"] == "Short."
    assert "Joined" not in chat.texts("di")


async def test_joined_parts_in_spanish(chat):
    if not _walked_in_conversation(chat):
        pytest.skip("a modal submits the whole form")
    await chat.send("eva", "/language")
    await chat.press("eva", "Español")
    await _task(chat, "eva", "prompt_writing_law")
    await chat.send("eva", FIRST)
    await chat.send("eva", REST)
    assert "Uní 2 partes: 4.800 caracteres en “" in chat.last("eva").text


# point 5 ---------------------------------------------------------------------------------------------------
async def test_a_past_away_date_is_refused_at_its_question(chat):
    await chat.send("eli", "/availability")
    await chat.press("eli", "Change")
    await chat.press("eli", "Away")
    await chat.send("eli", "2020-01-01")
    shown = chat.last("eli").text
    assert "That date has already passed." in shown and "Away until" in shown
    await chat.send("eli", "2099-01-01")
    assert "Quiet hours start" in chat.last("eli").text
    # the end of quiet hours cannot be skipped once a start is given: no Skip there, and it says why
    await chat.send("eli", "22:00")
    assert "Quiet hours end" in chat.last("eli").text and "Skip" not in chat.last("eli").buttons
    assert "press “Back”, then “Skip” at the start" in chat.last("eli").text
    await chat.press("eli", "Back")
    await chat.press("eli", "Skip")  # no quiet hours at all: on to the reminder day, not to the first question
    assert "Which day should I remind you to log your hours?" in chat.last("eli").text
    assert "Step 1 of" not in chat.last("eli").text


async def test_dates_in_the_form_people_write_them(chat):
    """A date question takes the numeric form of the person's language (day first in Spanish), and ISO."""
    await chat.send("eme", "/language")
    await chat.press("eme", "Español")
    await chat.send("eme", "/availability")
    await chat.press("eme", "Cambiar")
    await chat.press("eme", "Ausente")
    await chat.send("eme", "1/12/2020")
    assert "Esa fecha ya ha pasado." in chat.last("eme").text
    await chat.send("eme", "el día 20")
    assert "Escribe una fecha, como 20/12/2026" in chat.last("eme").text
    await chat.send("eme", "20/12/2099")
    assert "Inicio de horas de silencio" in chat.last("eme").text
    draft = await _session(chat, "availability")
    assert draft["vals"]["away_until"] == "2099-12-20"


async def test_a_problem_found_at_save_sends_back_to_that_question_with_the_answers_kept(open_chat):
    clock = Clock()
    chat = await open_chat(clock=clock)
    tomorrow = (clock.now + timedelta(days=2)).date().isoformat()
    await chat.send("fe", "/availability")
    await chat.press("fe", "Change")
    await chat.fill_form("fe", {"status": "Away", "away_until": tomorrow, "quiet_start": "22:00",
                                "quiet_end": "07:00", "hours_day": "Monday", "hours_time": "09:30"}, confirm=False)
    assert "Please check your answers" in chat.last("fe").text
    clock.now += timedelta(days=4)  # the summary waited: the date has passed meanwhile
    await chat.press("fe", "Save")
    shown = chat.last("fe").text
    assert "That date has already passed." in shown and "Away until" in shown
    draft = await _session(chat, "availability")
    assert draft["status"] == "open"
    assert draft["vals"]["quiet_start"] == "22:00" and draft["vals"]["hours_time"] == "09:30"
    await chat.send("fe", (clock.now + timedelta(days=7)).date().isoformat())  # only this answer again
    assert "Please check your answers" in chat.last("fe").text
    await chat.press("fe", "Save")
    assert "Away until" in chat.last("fe").text
    [saved] = await rows(chat.runtime, "SELECT status, quiet_start, quiet_end FROM availability")
    assert saved == {"status": "away", "quiet_start": "22:00", "quiet_end": "07:00"}


async def test_a_modal_submission_gets_the_same_checks_per_field(chat):
    """A Slack modal sends the whole availability form: the past date and the missing quiet-hours end come back
    on their own fields, and nothing is saved."""
    if not getattr(chat, "forms_as_modals", False):
        pytest.skip("only Slack submits a form whole")
    await chat.send("gus", "/availability")
    await chat.press("gus", "Change")
    draft = await rows(chat.runtime, "SELECT id FROM form_sessions WHERE form_id = 'availability'")
    [last] = await rows(chat.runtime, "SELECT payload FROM inbox WHERE actor_key = $1 ORDER BY id DESC LIMIT 1",
                        actor_key(chat, "gus"))
    event = json.loads(last["payload"])
    submitted = {k: event[k] for k in ("actor", "conversation", "locale_hint", "reply_context") if k in event}
    submitted.update(kind="form_submitted", delivery_id="modal-" + str(draft[0]["id"]), session_id=draft[0]["id"],
                     # quiet_end left empty: the modal shows it once a start is typed
                     values={"status": "away", "away_until": "2020-01-01", "quiet_start": "22:00", "quiet_end": None})
    deliveries = await chat.runtime.handle(EVENT.validate_python(submitted))
    errors = [d.op for d in deliveries if getattr(d.op, "kind", None) == "form_errors"]
    assert errors, deliveries
    got = errors[0].errors  # localized for the person on the way out, as the ack carries them
    assert got == {"away_until": "That date has already passed.",
                   "quiet_end": "Quiet hours need both a start and an end."}
    assert await rows(chat.runtime, "SELECT status FROM availability") in ([], [{"status": "available"}])


# point 6 ---------------------------------------------------------------------------------------------------
async def test_typed_options_and_numbers_in_onboarding(chat):
    if not _walked_in_conversation(chat):
        pytest.skip("a modal submits the whole form")
    await chat.send("hal", "/start")
    await chat.send("hal", "Hal Ortiz")
    await chat.send("hal", "medicina")  # the Spanish label, without the case, toggles Medicine
    assert "Chosen so far: Medicine" in chat.last("hal").text
    await chat.send("hal", "LAW")
    assert "Chosen so far: Medicine, Law" in chat.last("hal").text
    await chat.send("hal", "law")  # typed again: off again, as a second press would
    assert line_with(chat.last("hal").text, "Chosen so far:").endswith("Chosen so far: Medicine")
    await chat.send("hal", "DONE")  # the button's label, typed, is the button
    await chat.send("hal", "10-15")  # a range for a number: which one?
    shown = chat.last("hal")
    # (the typed text is shown isolated, as every person's text is)
    assert "“\u206810-15\u2069” fits more than one answer. Which one did you mean?" in shown.text
    assert {"10", "15"} <= set(shown.buttons)
    await chat.press("hal", "15")
    assert "credentials" in chat.last("hal").text.lower()
    draft = await _session(chat, "onboarding")
    assert draft["vals"]["domains"] == ["medicine"] and draft["vals"]["years"] == 15


async def test_a_typed_list_is_the_whole_answer_to_a_multiple_choice(chat):
    if not _walked_in_conversation(chat):
        pytest.skip("a modal submits the whole form")
    await chat.send("jon", "/start")
    await chat.send("jon", "Jon Ruiz")
    await chat.send("jon", "medicina, LAW, Medicine")  # any language, any case; a repeat counts once
    assert "years" in chat.last("jon").text.lower()
    assert (await _session(chat, "onboarding"))["vals"] == {"name": "Jon Ruiz", "domains": ["medicine", "law"]}


async def test_a_number_with_its_unit_in_spanish(chat):
    if not _walked_in_conversation(chat):
        pytest.skip("a modal submits the whole form")
    await chat.send("ines", "/language")
    await chat.press("ines", "Español")
    await chat.send("ines", "/start")
    await chat.send("ines", "Inés Gil")
    await chat.send("ines", "Medicine")  # the English label works in Spanish too
    await chat.send("ines", "listo")  # the Done button's label, typed
    assert "Años de experiencia" in chat.last("ines").text
    await chat.send("ines", "12 años")
    assert (await _session(chat, "onboarding"))["vals"] == {"name": "Inés Gil", "domains": ["medicine"], "years": 12}


async def test_typed_choice_in_a_task_and_which_one_when_it_fits_several(chat):
    if not _walked_in_conversation(chat):
        pytest.skip("a modal submits the whole form")
    await _task(chat, "ivy", "pairwise_law")
    await chat.send("ivy", "A")  # two options start with the word A
    shown = chat.last("ivy")
    assert "“\u2068A\u2069” fits more than one answer" in shown.text
    assert {"A is much better", "A is better"} <= set(shown.buttons) and "B is better" not in shown.buttons
    await chat.press("ivy", "A is better")
    await chat.send("ivy", "b much better")  # every word of one label
    draft = await _session(chat, "task")
    assert draft["vals"] == {"preference": "a_better", "pref.legal_accuracy": "b_much_better"}


async def test_a_long_paste_at_a_button_step_is_kept_whole(chat):
    """Both parts of a split paste typed at a choice step: kept as one text, then the only text answer."""
    if not _walked_in_conversation(chat):
        pytest.skip("a modal submits the whole form")
    await _task(chat, "jo", "pairwise_law")
    await chat.send("jo", FIRST)
    await chat.send("jo", REST)
    shown = chat.last("jo").text
    assert "Joined 2 parts: 4,800 characters" in shown and "I kept your text (4,800 characters)" in shown
    assert (await _session(chat, "task"))["pending"]["kept"]["text"] == PASTE
    await chat.fill_form("jo", {"preference": "B is better", "pref.legal_accuracy": None,
                                "pref.actionability": None}, confirm=False)
    assert "The text you typed earlier is now your answer to “Justification" in chat.texts("jo")
    assert (await _session(chat, "task"))["vals"]["justification"] == PASTE


async def test_joined_parts_longer_than_the_answer_takes_are_refused_and_the_first_kept(chat):
    if not _walked_in_conversation(chat):
        pytest.skip("a modal submits the whole form")
    await _task(chat, "kim", "pairwise_law")
    await chat.fill_form("kim", {"preference": "B is better", "pref.legal_accuracy": None,
                                 "pref.actionability": None}, confirm=False)
    await chat.send("kim", FIRST)
    await chat.send("kim", "x" * 1000)  # 5,096 together: a justification takes at most 5,000
    shown = chat.last("kim").text
    assert ("Together the 2 parts are 5,096 characters, more than the 5,000 that “Justification" in shown
            and "The first part is kept" in shown)
    assert (await _session(chat, "task"))["vals"]["justification"] == FIRST
