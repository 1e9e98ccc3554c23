"""A task's form is kept across turns (handlers.tasks.task_form_shown, issue 19 point 5): a project edited while
an expert is in the middle of its form shows as edited at the next turn, never as it was when the form opened."""
from __future__ import annotations

import json

import pytest

from storage.uow import UnitOfWork
from tests.flows.helpers import member_of_new_project, rows

pytestmark = pytest.mark.filterwarnings("ignore::DeprecationWarning")


async def test_instructions_edited_mid_form_show_at_the_next_turn(chat):
    if getattr(chat, "forms_as_modals", False):
        pytest.skip("On Slack `/panelist next` opens the form as a modal: the card is the modal's context")
    project_id = await member_of_new_project(chat, "ana", "pairwise_law")
    await chat.send("ana", "/next")
    assert "Step 1 of" in chat.texts("ana") and "Reworded instructions" not in chat.texts("ana")
    await chat.press("ana", "Stop for now")

    [project] = await rows(chat.runtime, f"SELECT spec FROM projects WHERE id = {project_id}")
    spec = json.loads(project["spec"])
    spec["instructions"] = "Reworded instructions: " + spec["instructions"]
    async with chat.runtime.db.transaction() as tx:
        await UnitOfWork(tx).lifecycle.set_spec(project_id, json.dumps(spec), None)

    chat.clear("ana")
    await chat.send("ana", "/next")  # the same draft, resumed: its card built from the spec as it is now
    assert "Reworded instructions" in chat.texts("ana")
