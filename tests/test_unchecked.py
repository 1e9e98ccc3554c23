"""bot.i18n.unchecked builds and copies models as pydantic's own model_construct / model_copy do (a newer pydantic
that stores a model differently fails here, not in a reply)."""
from __future__ import annotations

from bot.core.blocks import Button, Buttons, LongText, Paragraph, Span, button, text
from bot.core.form_buttons import FormPick
from bot.i18n.text import Command, Msg, msg, user_text
from bot.i18n.unchecked import built, replaced


def _same(a, b) -> None:
    assert a == b and type(a) is type(b)
    assert a.model_fields_set == b.model_fields_set
    assert a.__pydantic_extra__ == b.__pydantic_extra__ and a.__pydantic_private__ == b.__pydantic_private__
    assert a.model_dump_json() == b.model_dump_json()


def test_replaced_is_model_copy_and_leaves_the_original_alone():
    pick = FormPick(session=1, version=2, option=3)
    b = Button(label=msg("x"), action=pick)
    copy = replaced(b, {"payload": "p", "action": None})
    _same(copy, b.model_copy(update={"payload": "p", "action": None}))
    assert b.payload is None and b.action is pick  # the original is unchanged
    copy.url = "https://example.org"
    assert b.url is None and "url" not in b.model_fields_set  # neither its values nor its fields set are shared
    block = LongText(title=msg("t"), text="x")
    _same(replaced(block, {"more": b}), block.model_copy(update={"more": b}))


def test_built_is_model_construct():
    _same(built(Msg, {"key": "k", "params": {"a": 1}, "count": None}, {"key", "params", "count"}),
          Msg.model_construct(key="k", params={"a": 1}, count=None))
    _same(msg("k", count=2, a=1), Msg.model_construct(key="k", params={"a": 1}, count=2))


def test_text_and_button_build_what_validation_builds():
    pick = FormPick(session=1, version=2, option=3)
    for label in ("plain", msg("x", n=1), user_text("typed"), Command(name="next")):
        _same(text(label, " ", Span(text=label, style="bold")),
              Paragraph(spans=[Span(text=label), Span(text=" "), Span(text=label, style="bold")]))
        _same(button(label, pick, "primary"), Button(label=label, action=pick, style="primary"))
        _same(button(label, pick), Button(label=label, action=pick, style=None))
        _same(Buttons(rows=[[button(label, pick)]]), Buttons(rows=[[Button(label=label, action=pick, style=None)]]))
    _same(text(), Paragraph(spans=[]))
