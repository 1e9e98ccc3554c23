"""`bot.adapters.slack.modal_branches` without a chat: which fields a modal shows and which report changes, what a
change inside a view becomes, and when a redraw is needed."""
from __future__ import annotations

from bot.adapters.slack.modal_branches import UPDATE_VIEW, VIEW_HASH, from_view_action, shape
from bot.adapters.slack.render import render_modal
from bot.core.forms import FieldKind, FieldSpec, FormSpec, Option, RenderedForm
from tests.slack_standin import block_actions_payload, validate_view, view_action_payload

SPEC = FormSpec(id="f", title="Form", fields=[
    FieldSpec(id="kind", kind=FieldKind.choice, label="Kind", options=[Option(value="a", label="A"),
                                                                        Option(value="b", label="B")]),
    FieldSpec(id="a_name", kind=FieldKind.short_text, label="Name", show_if=[("kind", ["a"])]),
    FieldSpec(id="start", kind=FieldKind.short_text, label="Start", required=False),
    FieldSpec(id="end", kind=FieldKind.short_text, label="End", show_if=[("start", None)]),
])


def _view(values: dict) -> dict:
    return render_modal(RenderedForm(spec=SPEC, values=values), 7, title="Form", submit_label="Save",
                        close_label="Cancel")


def _inputs(view: dict) -> dict[str, dict]:
    return {b["block_id"]: b for b in view["blocks"]}


def test_a_modal_shows_and_requires_only_what_applies():
    view = _view({})
    assert list(_inputs(view)) == ["kind", "start"] and not validate_view(view)
    blocks = _inputs(_view({"kind": "a", "start": "22:00"}))
    assert list(blocks) == ["kind", "a_name", "start", "end"]
    assert blocks["a_name"]["optional"] is False and blocks["end"]["optional"] is False
    # what others depend on reports its changes: a choice when it changes, a text as it is typed
    assert blocks["kind"]["dispatch_action"] is True and "dispatch_action_config" not in blocks["kind"]["element"]
    assert blocks["start"]["element"]["dispatch_action_config"] == {"trigger_actions_on": ["on_character_entered"]}
    assert "dispatch_action" not in blocks["a_name"] and "dispatch_action" not in blocks["end"]


def test_the_shape_changes_with_the_fields_not_with_their_values():
    assert shape(_view({"kind": "a"})["blocks"]) == shape(_view({"kind": "a", "a_name": "Alpha"})["blocks"])
    assert shape(_view({"kind": "a"})["blocks"]) != shape(_view({"kind": "b"})["blocks"])


def test_a_change_inside_a_modal_becomes_a_form_change_and_nothing_else_does():
    view = {**_view({}), "id": "V1", "hash": "h1"}
    state = {"kind": {"value": {"type": "static_select", "selected_option": {"value": "b"}}}}
    event = from_view_action(view_action_payload("T1", "U1", view, state, "kind"))
    assert event is not None and event.session_id == 7 and event.values == {"kind": "b"}
    assert event.reply_context[UPDATE_VIEW] == "V1" and event.reply_context[VIEW_HASH] == "h1"
    # a button on a message, or on the home tab (no form session there), is a button press
    assert from_view_action(block_actions_payload("T1", "U1", "a0", "x", channel_id="D1", message_ts="1.2")) is None
    home = {"id": "V2", "type": "home", "blocks": [], "private_metadata": ""}
    assert from_view_action(block_actions_payload("T1", "U1", "a0", "x", view=home)) is None
