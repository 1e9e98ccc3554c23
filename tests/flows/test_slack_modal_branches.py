"""Conditional fields in Slack modals (issue 17, point 2): a modal shows, and requires, only the fields that apply;
changing a choice others depend on redraws it (`views.update` with the view's hash), keeping what was typed; a
submission ignores fields that do not apply. Walked step by step (console, Telegram, Slack DMs) the same forms ask
only what applies too, and send the same thing. Every adapter, both backends."""
from __future__ import annotations

import json

import pytest

from bot.adapters.slack import SLACK
from bot.adapters.slack.render import render_open_form
from bot.core.context import Context
from bot.core.forms import FieldKind, FormSpec, RenderedForm
from bot.core.operations import OpenForm
from bot.i18n.localize import localize
from storage.uow import UnitOfWork
from tests.flows.helpers import grant, onboard, rows
from tests.flows.tasks_data import add_member, seed_project
from tests.slack_standin import interaction_body, view_action_payload, view_submission_payload

PING = {"question": "Can you take rewrite tasks next week?", "window_hours": "10", "options": None}


def _modal(chat, user: str):
    return chat._modals[user] if getattr(chat, "forms_as_modals", False) else None


def _inputs(modal) -> list[str]:
    return [b["block_id"] for b in modal.inputs]


def _required(modal) -> list[str]:
    return [b["block_id"] for b in modal.inputs if not b.get("optional")]


def _value(modal, field_id: str):
    st = modal.state[field_id]
    return st.get("value") or (st.get("selected_option") or {}).get("value")


async def _people(chat, *users: str) -> None:
    for user in users:
        await chat.send(user, "/help")


async def test_ping_asks_only_the_target_that_applies(chat):
    project_id = await seed_project(chat.runtime, "rewrite_finance")
    await _people(chat, "meg", "ana", "bo")
    await grant(chat, "meg", "manager")
    for user in ("ana", "bo"):
        await add_member(chat.runtime, project_id, chat.identity(user))
    await chat.send("meg", "/ping")
    modal = _modal(chat, "meg")
    if modal is not None:
        # Nothing chosen yet: no project, domain or people to fill in, and nothing required but what is needed.
        assert _inputs(modal) == ["target", "question", "window_hours", "options"]
        assert _required(modal) == ["target", "question", "window_hours"]
        assert modal.block("target").get("dispatch_action") is True
        await chat.fill_form("meg", {"target": "Everyone in a domain"}, confirm=False)
        assert _inputs(modal) == ["target", "domain", "question", "window_hours", "options"]
        assert "domain" in _required(modal)
        await chat.fill_form("meg", {"target": "A project's experts", "project": "Personal finance",
                                     "question": PING["question"]}, confirm=False)
        assert _inputs(modal) == ["target", "project", "question", "window_hours", "options"]
        await chat.fill_form("meg", {"target": "Named people"}, confirm=False)
        assert _inputs(modal) == ["target", "people", "question", "window_hours", "options"]
        assert "people" in _required(modal) and _value(modal, "question") == PING["question"]
        await chat.fill_form("meg", {"target": "A project's experts"}, confirm=False)
        assert _value(modal, "project") == "Personal finance"  # typed before the detour: still there
        updates = chat.standin.calls_to("views.update")
        assert len(updates) == 4 and all(c.params.get("hash") for c in updates)
    await chat.fill_form("meg", {"target": "A project's experts", "project": "Personal finance", **PING},
                         confirm=False)
    await chat.press("meg", "Send ping")
    assert not [r for r in chat.received("meg") if r.kind == "form_errors"]
    assert "0 of 2 answered" in chat.texts("meg")
    for user in ("ana", "bo"):
        assert "Can you take rewrite tasks" in chat.texts(user)
    [ping] = await rows(chat.runtime, "SELECT target FROM pings")
    assert json.loads(ping["target"]) == {"kind": "project", "value": "Personal finance"}


async def test_broadcast_to_a_domain_asks_for_the_domain_only(chat):
    await _people(chat, "meg")
    await grant(chat, "meg", "manager")
    await onboard(chat, "ana")  # Medicine and Law
    await onboard(chat, "bo", domains=["Finance"])
    await chat.send("meg", "/broadcast")
    modal = _modal(chat, "meg")
    if modal is not None:
        assert _inputs(modal) == ["target", "body"]
    await chat.fill_form("meg", {"target": "Everyone in a domain", "domain": "Law",
                                 "body": "Law reviewers: new rubric on Monday."}, confirm=False)
    if modal is not None:
        assert _inputs(modal) == ["target", "domain", "body"] and "domain" in _required(modal)
    await chat.press("meg", "Send to everyone chosen")
    assert not [r for r in chat.received("meg") if r.kind == "form_errors"]
    while await chat.runtime.sweep_outbox(limit=500):
        pass
    assert "new rubric on Monday" in chat.texts("ana") and "new rubric on Monday" not in chat.texts("bo")


async def test_onboarding_modal_asks_which_zone_once_the_typed_one_names_several(chat, database_url):
    if not getattr(chat, "forms_as_modals", False):
        pytest.skip("walked step by step: tests/flows/test_profile.py asks which zone at its own step")
    await chat.send("kai", "/start")
    modal = _modal(chat, "kai")
    assert "timezone_pick" not in _inputs(modal)
    typed = modal.block("timezone")["element"]["dispatch_action_config"]
    assert typed == {"trigger_actions_on": ["on_character_entered"]}  # a zone is typed, not chosen
    await chat.fill_form("kai", {"name": "Kai", "domains": ["Law"], "years": "4", "credentials": "LLM",
                                 "languages": "English", "timezone": "Mexico"}, confirm=False)
    # The modal now asks which of Mexico's zones, required, with those zones to choose from.
    pick = modal.block("timezone_pick")
    assert not pick.get("optional") and "America/Mexico_City" in json.dumps(pick["element"])
    assert _value(modal, "name") == "Kai"
    await chat.fill_form("kai", {"timezone_pick": "America/Mexico_City", "weekly_hours": "15"})
    assert not [r for r in chat.received("kai") if r.kind == "form_errors"]
    assert "your profile is saved" in chat.last("kai").text
    assert (await rows(chat.runtime, "SELECT timezone FROM persons WHERE display_name = 'Kai'")) == [
        {"timezone": "America/Mexico_City"}]
    await chat.send("lee", "/start")  # a city with one zone: nothing more to ask
    await chat.fill_form("lee", {"timezone": "Madrid"}, confirm=False)
    assert "timezone_pick" not in _inputs(_modal(chat, "lee"))


async def test_error_check_modal_shows_issue_fields_as_they_apply(chat):
    project_id = await seed_project(chat.runtime, "error_check_medicine")
    await _people(chat, "ana")
    await add_member(chat.runtime, project_id, chat.identity("ana"))
    await chat.send("ana", "/next")
    modal = _modal(chat, "ana")
    if modal is None:
        pytest.skip("walked step by step: tests/flows/test_tasks.py answers every task type")
    assert _inputs(modal) == ["verdict"]
    await chat.fill_form("ana", {"verdict": "Yes, I found issues"}, confirm=False)
    assert _inputs(modal) == ["verdict", "issue.1.quote"]
    quote = "grapefruit juice has no effect on simvastatin"
    await chat.fill_form("ana", {"issue.1.quote": quote}, confirm=False)
    assert _inputs(modal) == ["verdict", "issue.1.quote", "issue.1.category", "issue.1.severity",
                              "issue.1.correction", "issue.2.quote"]
    await chat.fill_form("ana", {"verdict": "No issues found"}, confirm=False)
    assert _inputs(modal) == ["verdict", "no_issues_reason"]
    await chat.fill_form("ana", {"verdict": "Yes, I found issues"}, confirm=False)
    assert _value(modal, "issue.1.quote") == quote  # the branch came back with what was typed in it
    await chat.fill_form("ana", {"issue.1.category": "Factual error", "issue.1.severity": "Critical",
                                 "issue.1.correction": "Grapefruit juice raises simvastatin levels; avoid it."})
    assert "your answer for" in chat.last("ana").text, chat.received("ana")[-3:]
    [sub] = await rows(chat.runtime, "SELECT answer FROM submissions")
    answer = json.loads(sub["answer"])
    assert [i["quote"] for i in answer["issues"]] == [quote]
    assert answer["no_issues"] is False and not answer["no_issues_reason"]


async def test_a_stale_change_does_not_overwrite_a_newer_view(chat):
    if not getattr(chat, "forms_as_modals", False):
        pytest.skip("a modal's race")
    await _people(chat, "meg")
    await grant(chat, "meg", "manager")
    await chat.send("meg", "/ping")
    modal = _modal(chat, "meg")
    old = dict(modal.view)
    await chat.fill_form("meg", {"target": "Everyone in a domain"}, confirm=False)
    assert "domain" in _inputs(modal)
    # A change made on the view as it was before that update (its old hash) arrives late: Slack refuses it.
    stale = {**modal.values(), "target": {"value": {"type": "static_select", "selected_option": {
        "text": {"type": "plain_text", "text": "Named people"}, "value": "people"}}}}
    await chat.post(interaction_body(view_action_payload("T0TEST", chat.uid("meg"), old, stale, "target",
                                                         trigger_id=chat.trigger("meg"))))
    refused = [r for r in chat.standin.refusals if r.method == "views.update"]
    assert [r.error for r in refused] == ["hash_conflict"]
    chat.standin.refusals.remove(refused[0])  # expected: the fixture fails a test on any other refusal
    assert chat.standin.views[modal.view["id"]]["hash"] == modal.view["hash"]
    assert "domain" in _inputs(modal) and "people" not in _inputs(modal)
    assert "went wrong" not in chat.texts("meg").lower()
    # Submitted so (the person's choice is "Named people", the modal still asks for a domain), the answer is the
    # modal redrawn for that choice, what was typed kept; not an error on a field the modal does not show.
    modal.state["target"] = stale["target"]["value"]
    await chat.fill_form("meg", {"question": PING["question"], "window_hours": "10"})
    assert _inputs(modal) == ["target", "people", "question", "window_hours", "options"]
    assert _value(modal, "question") == PING["question"] and "Who?" in chat.last("meg", kind="form").text
    await _people(chat, "ana")
    await chat.fill_form("meg", {"people": chat.identity("ana")})
    assert not [r for r in chat.received("meg") if r.kind == "form_errors"]
    assert "Can you take rewrite tasks" in chat.texts("ana")


async def test_a_submission_ignores_fields_that_do_not_apply(chat):
    if not getattr(chat, "forms_as_modals", False):
        pytest.skip("a modal's submission")
    await _people(chat, "meg", "ana")
    await grant(chat, "meg", "manager")
    await chat.send("meg", "/ping")
    modal = _modal(chat, "meg")
    await chat.fill_form("meg", {"target": "Everyone", **PING}, confirm=False)
    # An old client sends the project field it showed before, filled with more than the field takes.
    values = {**modal.values(), "project": {"value": {"type": "plain_text_input", "value": "x" * 300}}}
    status, text = await chat.post(interaction_body(view_submission_payload(
        "T0TEST", chat.uid("meg"), modal.view, values, trigger_id=chat.trigger("meg"))))
    assert status == 200 and "errors" not in text
    assert "Can you take rewrite tasks" in chat.texts("ana")
    [ping] = await rows(chat.runtime, "SELECT target FROM pings")
    assert json.loads(ping["target"]) == {"kind": "everyone", "value": ""}


def _branches(spec: FormSpec, initial: dict) -> list[dict]:
    """The initial values, and each choice of every field others depend on."""
    out = [dict(initial)]
    for field_id in {fid for f in spec.fields for fid, _ in f.show_if}:
        field = spec.field(field_id)
        if field.kind in (FieldKind.choice, FieldKind.multi_choice):
            out += [{**initial, field_id: o.value if field.kind == FieldKind.choice else [o.value]}
                    for o in field.options]
        else:
            out.append({**initial, field_id: "x"})
    return out


async def test_no_required_input_of_any_modal_is_conditional(chat):
    """Every form declared on the router, as the modal Slack would show for its initial values (and for each choice
    of a field others depend on): every input it requires applies to those values, and nothing that does not
    apply is shown. The task form is built for the session `/next` opened; a form whose builder needs what no flow
    here gives is left out, and the forms known to have conditions must all be among those checked."""
    if getattr(chat, "platform", "") != "slack" or not getattr(chat, "forms_as_modals", False):
        pytest.skip("Slack's modals")
    project_id = await seed_project(chat.runtime, "error_check_medicine")
    await _people(chat, "meg", "ana")
    await grant(chat, "meg", "manager")
    await add_member(chat.runtime, project_id, chat.identity("ana"))
    await chat.send("ana", "/next")  # a task form session, for the builder that needs one
    sessions = {r["form_id"]: json.loads(r["params"])
                for r in await rows(chat.runtime, "SELECT form_id, params FROM form_sessions")}
    [meg] = await rows(chat.runtime, "SELECT person_id FROM identities WHERE user_id = $1", chat.uid("meg"))
    built: dict[str, FormSpec] = {}
    async with chat.runtime.db.transaction() as tx:  # a turn's context, as a builder gets it on Slack
        uow = UnitOfWork(tx)
        person = await uow.people.get(meg["person_id"])
        ctx = Context(uow=uow, person=person, identity=(await uow.identities.for_person(person.id))[0],
                      roles=await uow.roles.of(person.id), locale="en", tz="UTC", now=chat.runtime.clock(),
                      capabilities=SLACK, event=None, runtime=chat.runtime)
        for form_id, definition in chat.runtime.router.forms.items():
            try:
                spec = definition.build(ctx, sessions.get(form_id, {}))
                built[form_id] = await spec if hasattr(spec, "__await__") else spec
            except (KeyError, TypeError, ValueError, AttributeError):
                continue  # its builder needs params only a flow of its own gives (a submission, a ledger line)
    conditional = {fid for fid, spec in built.items() if any(f.show_if for f in spec.fields)}
    assert {"ping", "broadcast", "availability", "onboarding", "task"} <= conditional, sorted(built)
    for form_id, spec in built.items():
        for values in _branches(spec, {}):
            op = localize(OpenForm(session_id=1, title=spec.title, form=RenderedForm(spec=spec, values=values)),
                          "en", "UTC", chat.runtime.catalogs)
            view = render_open_form(op)
            inputs = [b for b in view["blocks"] if b["type"] == "input"]
            for block in inputs:
                field = spec.field(block["block_id"])
                assert field.applies(values), (form_id, values, field.id)
                if not block["optional"]:
                    assert all(values.get(fid) not in (None, "", []) for fid, _ in field.show_if), (form_id, field.id)
            shown = {b["block_id"] for b in inputs}
            assert shown == {f.id for f in spec.fields if f.applies(values)}, (form_id, values)
