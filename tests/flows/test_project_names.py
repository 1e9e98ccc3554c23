"""A project named by a person, by one rule everywhere (domain.project_names): a hyphen for the name's em dash,
a prefix, and several matches answered with one button each that finishes what was asked. Every adapter, both
backends."""
from __future__ import annotations

import pytest

from tests.flows.helpers import grant, rows
from tests.flows.tasks_data import DATA, SPECS

pytestmark = pytest.mark.filterwarnings("ignore::DeprecationWarning")


async def _manager_with(chat, *stems: str) -> None:
    await chat.send("meg", "/help")
    await grant(chat, "meg", "manager")
    for stem in stems:
        await chat.upload("meg", f"{stem}.yaml", SPECS[stem].read_bytes())
        assert "is created" in chat.last("meg").text


async def _members(chat, user: str) -> list[str]:
    got = await rows(chat.runtime, "SELECT p.name FROM project_members m JOIN projects p ON p.id = m.project_id"
                                   " JOIN identities i ON i.person_id = m.person_id WHERE i.user_id = $1"
                                   " ORDER BY p.name", chat.identity(user).rsplit("/", 1)[-1].split(":")[-1])
    return [r["name"] for r in got]


async def test_a_caption_with_a_hyphen_for_the_em_dash_imports(chat):
    await _manager_with(chat, "rating_medicine")
    tasks = (DATA / "tasks" / "rating_medicine.jsonl").read_bytes()
    await chat.upload("meg", "tasks.jsonl", tasks, caption="medication questions - rating")
    assert "3 new tasks imported" in chat.last("meg").text
    assert len(await rows(chat.runtime, "SELECT id FROM tasks")) == 3
    # a caption that names nothing says so, not that no project is open
    await chat.upload("meg", "tasks.jsonl", tasks, caption="astrology")
    reply = chat.last("meg").text
    assert "I found no project called astrology" in reply and "no open project" not in reply


async def test_addexpert_takes_a_prefix(chat):
    await _manager_with(chat, "rating_medicine", "pairwise_law")
    await chat.send("ana", "/help")
    await chat.send("meg", f"/addexpert tenancy {chat.identity('ana')}")
    assert "is now in Tenancy law — which answer is better" in chat.last("meg").text
    assert await _members(chat, "ana") == ["Tenancy law — which answer is better"]


async def test_an_ambiguous_name_offers_buttons_that_finish_the_action(chat):
    await _manager_with(chat, "error_check_medicine", "rewrite_finance", "rating_medicine")
    await chat.send("ana", "/help")
    await chat.send("meg", f"/addexpert answers {chat.identity('ana')}")  # inside two names, not the third
    shown = chat.last("meg")
    assert "2 projects match answers" in shown.text
    labels = [b for b in shown.buttons]
    assert any("Drug interaction answers" in b for b in labels) and any("Personal finance answers" in b for b in labels)
    assert not any("Medication" in b for b in labels)
    assert await _members(chat, "ana") == []
    await chat.press("meg", "Personal finance answers")
    assert "is now in Personal finance answers — rewrite" in chat.last("meg").text
    await chat.press("meg", "Personal finance answers")  # a double tap adds nobody twice and says so
    assert "already" in chat.last("meg").text
    assert await _members(chat, "ana") == ["Personal finance answers — rewrite"]


async def test_a_forged_choice_of_a_project_the_person_may_not_see_is_refused(chat):
    await _manager_with(chat, "error_check_medicine", "rewrite_finance")
    await chat.send("ana", "/help")
    async with chat.runtime.db.transaction() as tx:
        await tx.execute("UPDATE projects SET status = 'closed' WHERE name LIKE 'Drug%'")
    await chat.send("meg", "/instructions answers")  # a manager may read both: a choice
    assert "2 projects match answers" in chat.last("meg").text
    await chat.press_as("ana", "meg", "Drug interaction answers")  # the closed one, which ana may not read
    assert "This button has expired" in chat.texts("ana")
    assert "Drug interaction answers" not in chat.texts("ana")
    # once a member, ana may read the open one: the same words name only it, so it is shown without a choice
    await chat.send("meg", f"/addexpert personal {chat.identity('ana')}")
    await chat.send("ana", "/instructions answers")
    assert "Personal finance answers — rewrite" in chat.texts("ana") and "match answers" not in chat.texts("ana")
