"""Who may read a project's instructions (issue 15, point 11): members, experts who may join it, managers and
admins. Anyone else gets exactly the answer for a project that does not exist, by name and by button. Every
adapter, both backends."""
from __future__ import annotations

from datetime import datetime, timezone

import pytest

from handlers.shared.actions import ShowInstructions
from storage.uow import UnitOfWork
from tests.flows.helpers import grant, onboard, person_id, resign_button, rows
from tests.flows.tasks_data import add_member, seed_project

pytestmark = pytest.mark.filterwarnings("ignore::DeprecationWarning")

NAME = "Drug interaction answers — find the errors"  # requires medicine at level 3
INSTRUCTIONS = "Find what is wrong in the answer"


async def _member_only(chat, project_id: int, user: str) -> None:
    """Membership without the qualification (as a member whose qualification lapsed keeps it)."""
    pid = await person_id(chat, user)
    async with chat.runtime.db.transaction() as tx:
        await UnitOfWork(tx).projects.add_member(project_id, pid, None, datetime.now(timezone.utc))


async def _refusal_for_unknown(chat, user: str, typed: str) -> str:
    """What `user` is told for a project that does not exist, with `typed` where the name goes."""
    await chat.send(user, "/instructions Zzqx no such project")
    return chat.last(user).text.replace("Zzqx no such project", typed)


async def _refused_press(chat) -> None:
    """out presses the Instructions button on mem's task message: refused, and no instructions reach anyone (on
    Slack the answer may land in the conversation the button sits in, so both sides are read)."""
    chat.clear("out")
    before = len(chat.received("mem"))  # mem keeps the message the button is on
    await chat.press_as("out", "mem", "Instructions")
    seen = chat.texts("out") + "\n".join(r.text for r in chat.received("mem")[before:])
    assert "This button has expired" in seen and INSTRUCTIONS not in seen


async def test_only_members_eligible_experts_and_managers_read_instructions(chat):
    project_id = await seed_project(chat.runtime, "error_check_medicine")
    for user in ("out", "mem", "elig", "meg"):
        await onboard(chat, user)  # domains Medicine and Law, no qualification: /join refuses them
    await grant(chat, "meg", "manager")
    await _member_only(chat, project_id, "mem")

    # not a member, not eligible: the same answer as for no project at all, by full name and by prefix
    await chat.send("out", "/join Drug interaction")
    assert "can't join" in chat.last("out").text.lower() or "cannot" in chat.last("out").text.lower()
    for typed in (NAME, "Drug interaction", "drug"):
        expected = await _refusal_for_unknown(chat, "out", typed)
        await chat.send("out", f"/instructions {typed}")
        refused = chat.last("out").text
        assert INSTRUCTIONS not in refused and "Drug interaction" not in refused.replace(typed, "")
        assert refused == expected
    # hostile spellings: LIKE wildcards, a huge name, nothing at all (out is a member of nothing)
    for typed in ("%", "_", "D%", "x" * 5000, ""):
        await chat.send("out", f"/instructions {typed}".rstrip())
        assert "found no project" in chat.last("out").text and "Drug" not in chat.last("out").text
    assert INSTRUCTIONS not in chat.texts("out")

    # a member (even without the qualification), a manager, and an expert who may now join all read them
    await chat.send("mem", f"/instructions {NAME}")
    assert INSTRUCTIONS in chat.texts("mem")
    await chat.send("meg", "/instructions Drug interaction")
    assert INSTRUCTIONS in chat.texts("meg")
    await chat.send("elig", "/instructions Drug interaction")
    assert INSTRUCTIONS not in chat.texts("elig")
    await chat.send("meg", f"/qualify {chat.identity('elig')} medicine 3 days=10 verified board certificate")
    await chat.send("elig", "/instructions Drug interaction")
    assert INSTRUCTIONS in chat.texts("elig")
    assert not await rows(chat.runtime, "SELECT person_id FROM project_members WHERE person_id = $1",
                          await person_id(chat, "elig"))  # reading them joined nothing
    assert chat.refusals() == []


async def test_instructions_button_is_authorised_against_storage(chat):
    project_id = await seed_project(chat.runtime, "error_check_medicine")
    for user in ("mem", "out"):
        await onboard(chat, user)
    await add_member(chat.runtime, project_id, chat.identity("mem"))
    await chat.send("mem", "/next")
    await chat.press_as("mem", "mem", "Instructions")  # on the task message, above the open form
    assert INSTRUCTIONS in chat.texts("mem")
    await chat.send("out", "/help")

    # mem's button pressed by out: refused
    await _refused_press(chat)
    # a payload validly signed for out, carrying mem's assignment id: the handler checks storage and refuses
    assignment = (await rows(chat.runtime, "SELECT id FROM assignments WHERE person_id = $1",
                             await person_id(chat, "mem")))[0]["id"]
    resign_button(chat, "mem", "Instructions", ShowInstructions(assignment=assignment), await person_id(chat, "out"))
    await _refused_press(chat)
    # an assignment id that does not exist, signed for out
    resign_button(chat, "mem", "Instructions", ShowInstructions(assignment=assignment + 10_000),
                  await person_id(chat, "out"))
    await _refused_press(chat)
    assert INSTRUCTIONS not in chat.texts("out")


async def test_instructions_from_a_yaml_block_read_as_sentences(chat):
    """Issue 16, point 15: the spec's `instructions: |` block is wrapped by its author; the chat shows whole
    sentences (no break mid-sentence), while a blank line and list items keep their own lines."""
    from tests.flows.tasks_data import SPECS

    spec = SPECS["error_check_medicine"].read_bytes().replace(
        b"say why.\n", b"say why.\n\n  Before you send:\n  - quote exactly\n  - one issue per step\n")
    project_id = await seed_project(chat.runtime, "error_check_medicine", spec)
    await onboard(chat, "mem")
    await _member_only(chat, project_id, "mem")
    await chat.send("mem", f"/instructions {NAME}")
    shown = chat.texts("mem")
    assert "pick a category and severity, and write the correction. If the answer is right, say why." in shown
    assert "severity,\nand" not in shown
    assert "say why.\n\nBefore you send:\n- quote exactly\n- one issue per step" in shown
