"""The console adapter as a person types into it (`ConsoleAdapter.say`): numbers press the last message's numbered
buttons, except where that message asks for a typed answer (then `#N` presses)."""
from __future__ import annotations

import re

from app.settings import Settings
from app.wiring import build_runtime
from bot.adapters.console.adapter import ConsoleAdapter
from tests.flows.helpers import stored_person


def number_of(lines: list[str], label: str) -> str:
    """The number the console printed before `label` in its last message that has it."""
    for line in reversed(lines):
        found = re.search(r"\[(\d+)\] " + re.escape(label) + r"(\s|$)", line)
        if found:
            return found.group(1)
    raise AssertionError(f"no button {label!r} in {lines[-10:]}")


async def test_a_bare_number_at_a_typed_step_is_the_answer_and_a_hash_number_presses(database_url):
    runtime = build_runtime(Settings(database_url=database_url))
    await runtime.start()
    lines: list[str] = []
    console = ConsoleAdapter(runtime, lines.append, speaker="di")
    try:
        await console.say("/start")
        await console.say("Di")
        await console.say(number_of(lines, "Finance"))  # a choice step: the number presses
        await console.say(number_of(lines, "Done"))
        assert "Years of professional experience" in "\n".join(lines[-6:])
        assert re.search(r"\[1\] ", "\n".join(lines[-6:]))  # the step shows numbered buttons (Back…)
        await console.say("1")  # ...and still a bare 1 is the number of years
        await console.say("CFA charterholder")
        await console.say("English")
        await console.say("Europe/Madrid")
        await console.say("10")
        await console.say(number_of(lines, "Save"))
        assert (await stored_person(database_url, "Di"))["profile"]["years"] == 1
    finally:
        await runtime.stop()
