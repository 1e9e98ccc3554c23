"""`bot.core.clean` and the event models that apply it (issue 15, point 9): every platform's events are built
from these models, so what is checked here holds for console, Telegram and Slack alike."""
from __future__ import annotations

import pytest

from bot.core.clean import clean_text, clean_value
from bot.core.events import (
    Actor, ButtonPressed, CommandEvent, Conversation, FileUploaded, FormCancelled, FormSubmitted, TextEvent,
)

EVERY_C0 = "".join(chr(c) for c in range(0x20))


def test_every_c0_control_but_newline_and_tab_is_dropped():
    assert clean_text(EVERY_C0) == "\t\n\n"  # tab and newline kept, the carriage return became a newline
    assert clean_text("a\x00b\x7fc") == "ab\x7fc"  # DEL is not C0
    assert clean_text("line one\r\nline two\rthree") == "line one\nline two\nthree"
    assert clean_text("Zoë 🙂 مرحبا\tok") == "Zoë 🙂 مرحبا\tok"
    assert clean_text("") == ""
    assert clean_text("\x00" * 100_000) == ""


def test_form_values_are_cleaned_through_lists_and_dicts():
    assert clean_value({"name": "A\x00na", "langs": ["E\x1bn", "Es"], "n": 3, "x\x00": {"y": "z\x07"}}) == {
        "name": "Ana", "langs": ["En", "Es"], "n": 3, "x": {"y": "z"}}


def _base(name: str | None = "N\x00ame\x1b") -> dict:
    return {"delivery_id": "d1", "actor": Actor(platform="telegram", user_id="1", display_name=name),
            "conversation": Conversation(platform="telegram", chat_id="1")}


@pytest.mark.parametrize("event, field, expected", [
    (lambda: TextEvent(text="hi\x00 there\r\n", **_base()), "text", "hi there\n"),
    (lambda: CommandEvent(name="he\x00lp", args="a\x00\tb", **_base()), "args", "a\tb"),
    (lambda: CommandEvent(name="he\x00lp", **_base()), "name", "help"),
    (lambda: FileUploaded(filename="re\x00port\x1b.csv", size=1, caption="c\x00", **_base()), "filename",
     "report.csv"),
    (lambda: FileUploaded(filename="r.csv", size=1, caption="c\x00ap", **_base()), "caption", "cap"),
    (lambda: FormSubmitted(session_id=1, values={"a": "x\x00y"}, **_base()), "values", {"a": "xy"}),
    (lambda: FormCancelled(session_id=1, values={"a": ["x\x00y"]}, **_base()), "values", {"a": ["xy"]}),
])
def test_every_text_field_of_every_event_is_cleaned(event, field, expected):
    built = event()
    assert getattr(built, field) == expected
    assert built.actor.display_name == "Name"


def test_button_payloads_are_left_to_the_codec():
    press = ButtonPressed(payload="v1.x\x00y", **_base(None))
    assert press.payload == "v1.x\x00y"
