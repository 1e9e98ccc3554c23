"""Commands as people type them (issue 16, point 7): typo suggestions, localized aliases, command words without
the slash in a private chat, and a first "hola" from a newcomer. Every adapter, both backends."""
from __future__ import annotations

import json

from bot.core.commands import RunCommand
from tests.flows.helpers import cmd, onboard, person_id, resign_button, rows


async def test_a_typo_suggests_the_closest_command_and_its_button_runs_it(chat):
    await onboard(chat, "al")
    await chat.send("al", "/nxet")
    suggested = chat.last("al")
    assert f"I don't know the command {cmd(chat, 'nxet')}. Did you mean {cmd(chat, 'next')}?" in suggested.text
    assert "Run " + cmd(chat, "next") in suggested.buttons
    await chat.press("al", "Run " + cmd(chat, "next"))
    assert "You haven't joined a project yet." in chat.last("al").text
    # A command only managers may use is never suggested to an expert; far from every command: the old answer.
    await chat.send("al", "/grnt")
    assert f"I don't know the command {cmd(chat, 'grnt')}. Send {cmd(chat, 'help')}" in chat.last("al").text
    await chat.send("al", "/zzzzzz")
    assert f"I don't know the command {cmd(chat, 'zzzzzz')}. Send {cmd(chat, 'help')}" in chat.last("al").text
    assert "Did you mean" not in chat.last("al").text


async def test_spanish_aliases_run_the_same_commands(chat):
    await onboard(chat, "bea")
    await chat.send("bea", "/language")
    await chat.press("bea", "Español")
    await chat.send("bea", "/idioma")
    assert "Elige tu idioma:" in chat.last("bea").text
    await chat.send("bea", "/siguiente")
    assert "Todavía no te has unido a ningún proyecto." in chat.last("bea").text
    await chat.send("bea", "/Ayuda")
    assert "Lo que puedes hacer" in chat.last("bea").text
    await chat.send("bea", "/siguinte")  # a typo of the alias is answered with the alias
    assert f"¿Quisiste decir {cmd(chat, 'siguiente')}?" in chat.last("bea").text
    await chat.press("bea", "Ejecutar " + cmd(chat, "siguiente"))
    assert "Todavía no te has unido a ningún proyecto." in chat.last("bea").text


async def test_a_command_word_without_the_slash_runs_it_outside_a_form(chat):
    await onboard(chat, "cai")
    await chat.send("cai", "next")
    assert "You haven't joined a project yet." in chat.last("cai").text
    await chat.send("cai", "AYUDA")  # an alias of any catalog, any case
    assert "What you can do" in chat.last("cai").text
    await chat.send("cai", "Next, the model claims the dose is safe.")  # not a command word: the old answer
    assert "I didn't understand that" in chat.last("cai").text


async def test_hola_from_a_newcomer_gets_the_welcome_in_spanish_and_a_command_word_in_a_form_is_an_answer(chat):
    await chat.send("dani", "hola")
    welcome = chat.last("dani")
    assert "¡Hola! Aquí personas expertas revisan respuestas de IA" in welcome.text
    assert "Crear perfil" in welcome.buttons and "didn't understand" not in chat.texts("dani")
    await chat.send("dani", "empezar")  # /start by its Spanish alias, no slash: the form walks in the chat
    assert "Tu nombre" in chat.last("dani").text
    await chat.send("dani", "siguiente")  # the form waits for a name: the word is the answer, not /next
    assert "Tus áreas de especialidad" in chat.last("dani").text
    assert "proyecto" not in chat.last("dani").text
    sessions = await rows(chat.runtime, "SELECT vals FROM form_sessions WHERE status = 'open'")
    assert [json.loads(s["vals"])["name"] for s in sessions] == ["siguiente"]


async def test_any_text_from_a_newcomer_gets_the_welcome_in_their_language(chat):
    await chat.send("eli", "what is this?")
    assert "Here experts review AI answers" in chat.last("eli").text
    assert "Create profile" in chat.last("eli").buttons
    await chat.send("eli", "Hi!")
    assert "Here experts review AI answers" in chat.last("eli").text
    assert "didn't understand" not in chat.texts("eli")
    await chat.press("eli", "Create profile")  # the onboarding starts (on Slack as a modal)
    assert "Welcome to Panelist" in chat.texts("eli")


async def test_the_suggested_button_is_authorised_again_when_pressed(chat):
    """The button carries a command name; pressing it checks the presser's roles now, as typing it would."""
    await onboard(chat, "fe")
    await chat.send("fe", "/nxet")
    resign_button(chat, "fe", "Run " + cmd(chat, "next"), RunCommand(command="payouts"), await person_id(chat, "fe"))
    await chat.press("fe", "Run " + cmd(chat, "next"))
    assert "permission" in chat.last("fe").text
