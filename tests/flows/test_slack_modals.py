"""On Slack the task modal holds what is judged: the prompt, context and every response above the inputs, a rewrite
starts from the original text, long texts are cut at a word with the whole text one press away, and the
conversation keeps one line instead of a copy of the card. In the DM mode the card is a message and the form is
walked under it. Both Slack modes, both backends; the stand-in refuses any Block Kit violation (checked at teardown
by the `open_chat` fixture)."""
from __future__ import annotations

import io
import json
from datetime import datetime, timezone

import pytest

from handlers.shared.task_service import create_project, import_in_transaction
from storage.uow import UnitOfWork
from tests.flows.helpers import expert_and_reviewer, files_for, rows
from tests.flows.slack import TEAM, blocks_text
from tests.flows.tasks_data import ANSWERS, SPECS, add_member, seed_project
from tests.slack_standin.signing import block_actions_payload, interaction_body

pytestmark = pytest.mark.filterwarnings("ignore::DeprecationWarning")


@pytest.fixture(params=["slack", "slack-dm"])
def adapter_name(request) -> str:
    return request.param


def _flat(s: str) -> str:
    return " ".join(s.split())


async def _assigned_item(chat) -> dict:
    found = await rows(chat.runtime, "SELECT t.item FROM assignments a JOIN tasks t ON t.id = a.task_id")
    assert len(found) == 1
    item = found[0]["item"]
    return json.loads(item) if isinstance(item, str) else item


def _messages(chat, user: str) -> str:
    return "\n".join(r.text for r in chat.received(user) if r.kind == "message")


async def _seed_items(runtime, stem: str, items: list[dict]) -> int:
    """A demo project with these items instead of its demo file, imported through the real service."""
    now = datetime.now(timezone.utc)
    spec_path = SPECS[stem]
    data = "\n".join(json.dumps(i) for i in items).encode()
    async with runtime.db.transaction() as tx:
        uow = UnitOfWork(tx)
        created = await create_project(uow, spec_path.read_bytes(), spec_path.name, None, now)
        assert created.project_id, created.errors
        project = await uow.projects.get(created.project_id)
        await import_in_transaction(uow, project, io.BytesIO(data), False, now, None)
        return created.project_id


@pytest.mark.parametrize("stem", ["pairwise_law", "rating_medicine", "rewrite_finance"])
async def test_task_modal_holds_the_item(chat, stem):
    project_id = await seed_project(chat.runtime, stem)
    await chat.send("ana", "/help")
    await add_member(chat.runtime, project_id, chat.identity("ana"))
    await chat.send("ana", "/next")
    item = await _assigned_item(chat)
    texts = [item["prompt"], *(r["text"] for r in item["responses"])] + ([item["context"]] if item.get("context") else [])

    if not chat.forms_as_modals:  # DM mode: the card is a message, the form is walked under it
        shown = _flat(_messages(chat, "ana"))
        assert all(_flat(t) in shown for t in texts) and "Step 1 of" in shown
        return

    modal = chat._modals["ana"]
    blocks = modal.view["blocks"]
    first_input = next(i for i, b in enumerate(blocks) if b["type"] == "input")
    above = _flat(blocks_text(blocks[:first_input]))
    for t in texts:  # every text, whole (they are short), above the questions
        assert _flat(t) in above
    assert "Prompt" in above and "Response A" in above
    assert len(blocks) <= 100
    # the conversation keeps one line with the card's buttons, not a second copy of the item
    dm = _messages(chat, "ana")
    assert "open in a window" in dm and _flat(item["responses"][0]["text"]) not in _flat(dm)
    assert any("Skip" in b for r in chat.received("ana") for b in r.buttons)

    text_input = next((b for b in modal.inputs if b["block_id"] == "text"), None)
    if stem == "rewrite_finance":  # the rewrite starts from the original answer
        assert text_input["element"]["initial_value"] == item["responses"][0]["text"]
        assert modal.values()["text"]["value"]["value"] == item["responses"][0]["text"]
    else:
        assert text_input is None or "initial_value" not in text_input["element"]
    await chat.fill_form("ana", ANSWERS[stem])
    assert "Thank you" in chat.texts("ana")


async def test_a_long_prompt_is_cut_in_the_modal_and_sent_whole_on_request(chat):
    words = [f"clause{n}" for n in range(6000)]
    prompt = " ".join(words)  # ~46,000 characters: more than a modal shows
    original = "Keep the emergency fund in crypto. " * 60  # ~2,100 characters, over the rewrite's 1,200
    project_id = await _seed_items(chat.runtime, "rewrite_finance", [
        {"external_id": "long-1", "prompt": prompt, "responses": [{"id": "a", "text": original}]}])
    await chat.send("ana", "/help")
    await add_member(chat.runtime, project_id, chat.identity("ana"))
    await chat.send("ana", "/next")

    if not chat.forms_as_modals:  # DM mode: the card sends the prompt as a file, as before
        assert any(name == "prompt.txt" and data.decode() == prompt for name, data in files_for(chat, "ana"))
        return

    modal = chat._modals["ana"]
    blocks = modal.view["blocks"]
    sections = [b["text"]["text"] for b in blocks if b["type"] == "section" and b.get("text")]
    parts = [s for s in sections if s.startswith("clause")]  # up to ten sections of 3,000, the last one cut
    assert 1 < len(parts) <= 10 and all(len(p) <= 3000 for p in parts)
    assert parts[-1].endswith("…") and parts[-1][:-1].split()[-1] in words  # cut at a word
    assert prompt.startswith(" ".join(parts)[:-1].rstrip()) and len(" ".join(parts)) < len(prompt)
    more = [(b, el) for b in blocks if b["type"] == "actions" for el in b["elements"]]
    assert [el["text"]["text"] for _, el in more] == ["Send me the whole text"]  # only the prompt was cut
    # the rewrite starts from the original, cut at a word to what the answer may hold
    initial = modal.block("text")["element"]["initial_value"]
    assert initial.endswith("…") and len(initial) <= 1200 and original.startswith(initial[:-1].rstrip())

    block, el = more[0]
    payload = block_actions_payload(TEAM, chat.uid("ana"), el["action_id"], el["value"], trigger_id=chat.trigger("ana"),
                                    block_id=block.get("block_id", "b0"), view=modal.view)
    await chat.post(interaction_body(payload))
    assert any(name == "prompt.txt" and data.decode() == prompt for name, data in files_for(chat, "ana"))
    assert chat._modals.get("ana") is modal  # the window stays open, with what was typed

    # closed untouched: the original (cut) is no answer, so nothing is kept as a draft; it starts from it again
    await chat.close_modal("ana")
    draft = (await rows(chat.runtime, "SELECT vals FROM form_sessions"))[0]["vals"]
    assert "text" not in (json.loads(draft) if isinstance(draft, str) else draft)
    await chat.send("ana", "/next")
    assert chat._modals["ana"].block("text")["element"]["initial_value"] == initial

    # somebody else's press of that button shows nothing
    await chat.send("bob", "/help")
    before = len(files_for(chat, "bob"))
    payload = block_actions_payload(TEAM, chat.uid("bob"), el["action_id"], el["value"], trigger_id=chat.trigger("bob"),
                                    block_id=block.get("block_id", "b0"), view=modal.view)
    await chat.post(interaction_body(payload))
    assert len(files_for(chat, "bob")) == before and "clause0" not in chat.texts("bob")


async def _form_as_modal(chat, user: str, form_id: str, params: dict) -> dict:
    """The form `user` would get for `params`, built by its handler as in a turn and rendered as a Slack modal
    (review decisions and assessment items start from buttons on messages, so they are walked in the DM today;
    a window opened for them must still show what is judged)."""
    from bot.adapters.slack import SLACK
    from bot.adapters.slack.render import render_modal
    from bot.core.context import Context
    from bot.core.forms import RenderedForm
    from bot.i18n.localize import localize
    from tests.flows.helpers import person_id

    pid = await person_id(chat, user)
    async with chat.runtime.db.transaction() as tx:
        uow = UnitOfWork(tx)
        person = await uow.people.get(pid)
        identities = await uow.identities.for_person(pid)
        ctx = Context(uow=uow, person=person, identity=identities[0], roles=await uow.roles.of(pid), locale="en",
                      tz="UTC", now=chat.runtime.clock(), capabilities=SLACK, event=None, runtime=chat.runtime)
        spec = await chat.runtime.router.forms[form_id].build(ctx, params)
    # (a "whole text" button is left out here: the codec that encodes it runs when a turn stages the modal)
    return render_modal(localize(RenderedForm(spec=spec), "en", "UTC", chat.runtime.catalogs), 1)


async def test_a_review_window_shows_the_item_and_the_answer(chat):
    from tests.flows.helpers import answer_one
    from tests.slack_standin.server import validate_view

    await expert_and_reviewer(chat, "ana", "rev", "rewrite_finance")
    await answer_one(chat, "ana", "rewrite_finance")
    sub = (await rows(chat.runtime, "SELECT id, revision FROM submissions"))[0]
    item = await _assigned_item(chat)
    view = await _form_as_modal(chat, "rev", "review", {"s": sub["id"], "r": sub["revision"], "d": "rework"})
    assert validate_view(view) == []
    blocks = view["blocks"]
    first_input = next(i for i, b in enumerate(blocks) if b["type"] == "input")
    above = _flat(blocks_text(blocks[:first_input]))
    assert _flat(item["prompt"]) in above and _flat(item["responses"][0]["text"]) in above
    assert _flat(ANSWERS["rewrite_finance"]["text"]) in above  # the answer being judged
    assert _flat(ANSWERS["rewrite_finance"]["what_was_wrong"]) in above
    # the expert who wrote it may not decide on it: the form shows nothing of it to them
    view = await _form_as_modal(chat, "ana", "review", {"s": sub["id"], "r": sub["revision"], "d": "rework"})
    assert [b["type"] for b in view["blocks"]] == ["input"]


SAMPLE = b"""
kind: assessment
id: sample_check
domain: medicine
title: Sample check
instructions: One sample task.
time_limit_minutes: 15
pass_score: 0.6
retake_after_days: 10
max_attempts: 2
level: 1
valid_days: 30
items:
  - id: q1
    type: task
    prompt: Which answer is better?
    task: {task_type: pairwise}
    item:
      prompt: Ibuprofen dose for a 16 kg child?
      responses: [{id: a, text: About 160 mg every 6 to 8 hours.}, {id: b, text: 400 mg every 4 hours.}]
      gold: {preference: a_better}
"""


async def test_an_assessment_sample_task_window_shows_what_is_judged(chat):
    from handlers.shared.assessment_files import create_assessment
    from tests.flows.helpers import onboard
    from tests.slack_standin.server import validate_view

    async with chat.runtime.db.transaction() as tx:
        created = await create_assessment(UnitOfWork(tx), SAMPLE, "sample.assessment.yaml", None, chat.runtime.clock())
    assert created.assessment_id, created.errors
    await onboard(chat, "ana")
    await chat.send("ana", "/assess")
    await chat.press("ana", "Take: Sample check")
    await chat.press("ana", "Start now")
    attempt = (await rows(chat.runtime, "SELECT id FROM assessment_attempts"))[0]
    view = await _form_as_modal(chat, "ana", "assess.item", {"t": attempt["id"], "i": 0})
    assert validate_view(view) == []
    blocks = view["blocks"]
    first_input = next(i for i, b in enumerate(blocks) if b["type"] == "input")
    above = _flat(blocks_text(blocks[:first_input]))
    for shown in ("Which answer is better?", "Ibuprofen dose for a 16 kg child?", "About 160 mg every 6 to 8 hours.",
                  "400 mg every 4 hours."):
        assert shown in above
    # someone else's attempt: nothing of it
    await onboard(chat, "bob")
    view = await _form_as_modal(chat, "bob", "assess.item", {"t": attempt["id"], "i": 0})
    assert "Ibuprofen" not in blocks_text(view["blocks"])
