"""A person field of a form: Slack's user pickers in a modal (their member ids read back as typed text), typed text
in a wizard, checked against the field's length."""
from __future__ import annotations

import pytest

from bot.adapters.slack.render import parse_view_submission, render_modal
from bot.core.field_values import FieldInvalid, parse_raw, parse_text
from bot.core.forms import FieldKind, FieldSpec, FormSpec, RenderedForm
from tests.slack_standin.server import validate_view

FORM = FormSpec(id="who", title="Who", fields=[
    FieldSpec(id="one", kind=FieldKind.person, label="Person"),
    FieldSpec(id="many", kind=FieldKind.people, label="People", max_length=50),
])


def test_person_fields_are_user_pickers_preselecting_member_ids():
    view = render_modal(RenderedForm(spec=FORM, values={"one": "U0AAA1", "many": "U0AAA1, Ana Pérez, W0BBB2"}), 3)
    assert validate_view(view) == []
    one, many = (b["element"] for b in view["blocks"])
    assert one == {"type": "users_select", "action_id": "value", "initial_user": "U0AAA1"}
    assert many == {"type": "multi_users_select", "action_id": "value", "initial_users": ["U0AAA1", "W0BBB2"]}
    typed = render_modal(RenderedForm(spec=FORM, values={"one": "Ana Pérez"}), 3)
    assert "initial_user" not in typed["blocks"][0]["element"]  # a typed name is not a member to preselect


def test_picked_members_come_back_as_the_text_a_resolver_reads():
    view = {"state": {"values": {
        "one": {"value": {"type": "users_select", "selected_user": "U0AAA1"}},
        "many": {"value": {"type": "multi_users_select", "selected_users": ["U0AAA1", "W0BBB2"]}},
    }}}
    raw = parse_view_submission(view)
    assert parse_raw(FORM.field("one"), raw["one"], "en") == "U0AAA1"
    assert parse_raw(FORM.field("many"), raw["many"], "en") == "U0AAA1, W0BBB2"


@pytest.mark.parametrize("typed", ["Ana Pérez", "@ana, <@U0AAA1>", "telegram:123"])
def test_typed_people_are_kept_as_typed(typed):
    assert parse_text(FORM.field("many"), f"  {typed}  ", "en") == typed


@pytest.mark.parametrize("typed, problem", [("", "form.error.required"), ("x" * 51, "form.error.too_long"),
                                            ("x" * 100_000, "form.error.too_long")])
def test_empty_or_too_long_is_refused(typed, problem):
    with pytest.raises(FieldInvalid) as caught:
        parse_text(FORM.field("many"), typed, "en")
    assert caught.value.message.key == problem
