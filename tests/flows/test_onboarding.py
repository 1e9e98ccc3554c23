"""Onboarding, profile, help, language, cancel: whole conversations on every adapter and both backends."""
from __future__ import annotations

import pytest

from tests.flows.helpers import PROFILE, cmd, onboard, stored_person


async def test_onboarding_saves_profile(chat, database_url):
    await chat.send("ana", "/start")
    assert "Welcome to Panelist" in chat.texts("ana")
    await chat.fill_form("ana", PROFILE)
    assert "your profile is saved" in chat.last("ana").text
    person = await stored_person(database_url, "Ana Pérez")
    assert person["timezone"] == "Europe/Madrid"
    assert person["profile"]["domains"] == ["medicine", "law"]
    assert person["profile"]["years"] == 12
    assert person["profile"]["languages"] == ["Spanish", "English"]
    assert person["profile"]["weekly_hours"] == 15
    assert person["onboarded_at"] is not None

    chat.clear("ana")
    await chat.send("ana", "/profile")
    shown = chat.texts("ana")
    assert "Ana Pérez" in shown and "Medicine" in shown and "12 years" in shown and "15 hours a week" in shown


async def test_invalid_answers_are_explained_and_asked_again(chat, database_url):
    if getattr(chat, "forms_as_modals", False):
        pytest.skip("On Slack `/panelist start` opens this form as a modal (the slash command carries a trigger id): there are no per-step prompts and error messages; the modal's errors come back in the view_submission ack (response_action: errors), covered by tests/test_slack_adapter.py::test_modal_errors_keep_the_draft_and_reopen_filled")
    await chat.send("bo", "/start")
    await chat.send("bo", "Bo")
    await chat.press("bo", "Finance")
    await chat.press("bo", "Done")
    await chat.send("bo", "many")  # years: not a number
    assert "Please type a number" in chat.last("bo").text
    assert "Years of professional experience" in chat.last("bo").text
    await chat.send("bo", "250")
    assert "largest allowed value is 70" in chat.last("bo").text
    await chat.send("bo", "8")
    await chat.send("bo", "CFA charterholder")
    await chat.send("bo", "English")
    await chat.send("bo", "Mars/Olympus_Mons")
    assert "I don't know that time zone or city" in chat.last("bo").text
    await chat.press("bo", "America/New_York")  # a suggestion button
    await chat.send("bo", "10")
    assert "Please check your answers" in chat.last("bo").text
    await chat.press("bo", "Save")
    person = await stored_person(database_url, "Bo")
    assert person["timezone"] == "America/New_York" and person["profile"]["years"] == 8


async def test_back_and_edit_from_summary(chat, database_url):
    if getattr(chat, "forms_as_modals", False):
        pytest.skip('On Slack `/panelist start` opens this form as a modal (the slash command carries a trigger id): Back, the summary and Edit are wizard steps; a modal shows every field at once and is edited in place')
    await chat.send("cy", "/start")
    await chat.send("cy", "Cy")
    await chat.press("cy", "Back")  # back from domains to name
    assert "Your name" in chat.last("cy").text and "Cy" in chat.last("cy").text
    await chat.send("cy", "Cyrus")
    await chat.fill_form("cy", {k: v for k, v in PROFILE.items() if k != "name"}, confirm=False)
    await chat.press("cy", "Edit")
    await chat.press("cy", "Hours per week")
    await chat.send("cy", "30")
    assert "Please check your answers" in chat.last("cy").text  # straight back to the summary
    await chat.press("cy", "Save")
    person = await stored_person(database_url, "Cyrus")
    assert person["profile"]["weekly_hours"] == 30


async def test_cancel_and_second_start_resumes(chat, database_url):
    if getattr(chat, "forms_as_modals", False):
        pytest.skip('On Slack `/panelist start` opens this form as a modal (the slash command carries a trigger id): the resumed form is the modal again, not a step message naming the next field; resume and /cancel on Slack are covered by tests/test_slack_adapter.py::test_modal_errors_keep_the_draft_and_reopen_filled')
    await chat.send("di", "/start")
    await chat.send("di", "Di")
    await chat.send("di", "/start")  # a second /start mid-onboarding continues the same form
    assert "continue where you stopped" in chat.texts("di")
    assert "Your fields of expertise" in chat.last("di").text
    await chat.send("di", "/cancel")
    assert "Cancelled" in chat.last("di").text
    await chat.send("di", "/cancel")
    assert "nothing to cancel" in chat.last("di").text


async def test_old_buttons_expire(chat):
    if getattr(chat, "forms_as_modals", False):
        pytest.skip('On Slack `/panelist start` opens this form as a modal (the slash command carries a trigger id): the domains are checkboxes in the modal, so there are no versioned step messages to press on; stale and forged buttons on Slack are covered by tests/test_slack_adapter.py::test_button_forged_for_another_person_is_refused')
    await chat.send("ed", "/start")
    await chat.send("ed", "Ed")
    await chat.press("ed", "Medicine")  # toggles: the message is re-rendered with a new version
    before = len(chat.received("ed"))
    # Pressing on the first domains message (an older version) must do nothing but say it expired.
    first = next(i for i, r in enumerate(chat.received("ed")) if "Your fields of expertise" in r.text)
    chat.inbox["ed"] = chat.received("ed")[: first + 1]
    await chat.press("ed", "Law")
    assert "This button has expired" in chat.texts("ed")
    assert len(chat.received("ed")) <= before + 1


async def test_a_file_sent_while_a_form_is_open_is_not_an_answer(chat, database_url):
    await chat.send("ida", "/start")
    await chat.send("ida", "Ida")
    await chat.upload("ida", "cv.pdf", b"%PDF-1.4 not an answer")
    assert "A file isn't the answer to this question." in chat.texts("ida")
    await chat.fill_form("ida", {k: v for k, v in PROFILE.items() if k != "name"})
    assert (await stored_person(database_url, "Ida"))["profile"]["domains"] == ["medicine", "law"]


async def test_unknown_command_long_and_strange_text(chat):
    await onboard(chat, "fa")  # before onboarding any text gets the welcome instead (tests/flows/test_commands.py)
    await chat.send("fa", "/frobnicate")
    assert "I don't know the command " + cmd(chat, "frobnicate") in chat.last("fa").text
    await chat.send("fa", "x" * 10_000)
    assert "didn't understand" in chat.last("fa").text
    await chat.send("fa", "مرحبا 👋🏽 <b>&amp;</b>")
    assert "didn't understand" in chat.last("fa").text
    await chat.send("fa", "/" + "a" * 500)
    assert "I don't know the command" in chat.last("fa").text


async def test_long_answer_is_refused_within_the_form(chat):
    if getattr(chat, "forms_as_modals", False):
        pytest.skip('On Slack `/panelist start` opens this form as a modal (the slash command carries a trigger id): its text input has a max_length the Slack client enforces, and server-side refusals come back as modal errors, not as a step message; covered by tests/test_slack_adapter.py::test_modal_errors_keep_the_draft_and_reopen_filled')
    await chat.send("gu", "/start")
    await chat.send("gu", "G" * 10_000)
    assert "too long" in chat.last("gu").text
    assert "Your name" in chat.last("gu").text


async def test_help_depends_on_role_and_language_switch(chat):
    await chat.send("hu", "/help")
    text = chat.last("hu").text
    assert cmd(chat, "profile") in text and cmd(chat, "grant") not in text
    await chat.send("hu", "/language")
    await chat.press("hu", "Español")
    assert "te hablaré en español" in chat.last("hu").text
    await chat.send("hu", "/help")
    assert "Lo que puedes hacer" in chat.last("hu").text


async def test_control_characters_typed_anywhere_are_stripped_before_they_are_stored(chat, database_url):
    """Issue 15, point 9: NUL (which PostgreSQL refuses) and other C0 controls never reach storage; newline and
    tab stay. On Slack the profile is a modal, so its form values go through the same cleaning."""
    await chat.send("zoe", "/start\x00")
    assert "Welcome to Panelist" in chat.texts("zoe")
    await chat.fill_form("zoe", {**PROFILE, "name": "Zo\x00ë Mar\x07tín\x1b", "credentials": "MD\x00,\x0b PhD"})
    assert "your profile is saved" in chat.last("zoe").text
    person = await stored_person(database_url, "Zoë Martín")
    assert person["profile"]["credentials"] == "MD, PhD"
    await chat.send("zoe", "/profile\x00\x01")
    assert "Zoë Martín" in chat.texts("zoe")
