"""/export in chat on every adapter and backend: experts answer, a reviewer approves, the manager receives the
file as the platform delivered it, and it is parsed back and checked field by field against what was answered."""
from __future__ import annotations

import json

import pytest

from domain.pseudonyms import pseudonym
from tests.flows.helpers import answer_one, files_for, grant, rows, setup, watch_files
from tests.flows.tasks_data import ANSWERS, JUSTIFY, add_member, seed_project

pytestmark = pytest.mark.filterwarnings("ignore::DeprecationWarning")
PREFERENCE = {"A is much better": "a_much_better"}


def jsonl(data: bytes) -> list[dict]:
    return [json.loads(line) for line in data.decode("utf-8").splitlines()]


async def _answered_and_reviewed(chat) -> int:
    watch_files(chat)
    project_id = await seed_project(chat.runtime, "pairwise_law")
    for user in ("meg", "ana", "bo", "rev"):
        await chat.send(user, "/help")
    await grant(chat, "meg", "manager")
    await grant(chat, "rev", "reviewer")
    for user in ("ana", "bo", "rev"):
        await add_member(chat.runtime, project_id, chat.identity(user))
    await answer_one(chat, "ana", "pairwise_law")
    await answer_one(chat, "bo", "pairwise_law")
    assert len(await rows(chat.runtime, "SELECT id FROM submissions")) == 2
    await chat.send("rev", "/review")
    await chat.press("rev", "Approve")
    assert "was approved" in chat.texts("ana") + chat.texts("bo")
    return project_id


def _values(value) -> list:
    if isinstance(value, dict):
        return [v for x in value.values() for v in _values(x)]
    if isinstance(value, list):
        return [v for x in value for v in _values(x)]
    return [value]


async def assert_private(chat, records: list[dict]) -> None:
    """No value in the export is a person's id, name or platform id, and no key names one."""
    people = await rows(chat.runtime, "SELECT p.id, p.display_name, i.user_id, i.display_name AS shown, i.chat_id"
                                      " FROM persons p JOIN identities i ON i.person_id = p.id")
    secret = {str(v) for p in people for v in (p["display_name"], p["user_id"], p["shown"], p["chat_id"]) if v}
    values = {str(v) for r in records for v in _values(r)}
    assert not values & secret, values & secret
    assert all(str(r["expert_id"]).startswith("E-") for r in records)
    keys = {k for r in records for k in r}
    assert not keys & {"person_id", "user_id", "display_name", "name", "chat_id"}


async def _stored(chat) -> list[dict]:
    return await rows(chat.runtime, "SELECT s.id, s.person_id, s.seconds_spent, s.review_state, s.gold_passed,"
                                    " t.external_id, t.item FROM submissions s JOIN tasks t ON t.id = s.task_id"
                                    " ORDER BY s.id")


async def test_manager_exports_jsonl_and_dpo_in_chat(chat):
    await _answered_and_reviewed(chat)
    stored = await _stored(chat)
    secret = chat.runtime.codec_secret

    await chat.send("meg", "/export Tenancy jsonl")
    (name, data), = files_for(chat, "meg")
    assert name == "tenancy-law-which-answer-is-better-jsonl.jsonl"
    records = jsonl(data)
    assert len(records) == 2
    for rec, row in zip(records, stored):
        item = json.loads(row["item"])
        assert rec["submission_id"] == row["id"] and rec["external_id"] == row["external_id"]
        assert rec["prompt"] == item["prompt"]
        assert rec["responses"] == [{"id": r["id"], "text": r["text"]} for r in item["responses"]]
        assert rec["answer"]["preference"] == PREFERENCE[ANSWERS["pairwise_law"]["preference"]]
        assert rec["answer"]["criteria_preferences"] == {"legal_accuracy": "a_much_better"}
        assert rec["answer"]["justification"] == JUSTIFY
        assert rec["expert_id"] == pseudonym(secret, row["person_id"])
        assert rec["seconds_spent"] == row["seconds_spent"]
        assert rec["review_state"] == row["review_state"]
        assert rec["gold_passed"] == (None if row["gold_passed"] is None else bool(row["gold_passed"]))
        assert rec["submitted_at"].endswith("Z")
    assert sorted(r["review_state"] for r in records) == ["approved", "pending"]
    await assert_private(chat, records)
    if chat.platform == "telegram":  # the caption; the console and the Slack stand-in show only the file name
        assert "Tenancy law — which answer is better: jsonl, 2 records" in chat.texts("meg")

    await chat.send("meg", "/export Tenancy dpo approved")
    (_, data) = files_for(chat, "meg")[-1]
    (pair,) = jsonl(data)
    approved = next(r for r in stored if r["review_state"] == "approved")
    item = json.loads(approved["item"])
    assert pair["prompt"] == item["prompt"]
    assert pair["chosen"] == item["responses"][0]["text"] and pair["rejected"] == item["responses"][1]["text"]
    assert pair["margin"] == 2 and pair["justification"] == JUSTIFY
    assert pair["expert_id"] == pseudonym(secret, approved["person_id"])
    assert pair["review_decision"] == "approved" and pair["review_comment"] is None
    await assert_private(chat, [pair])
    assert "Filters: approved" in chat.texts("meg")


async def test_export_by_buttons_and_what_is_refused(chat):
    await _answered_and_reviewed(chat)

    await chat.send("meg", "/export")
    await chat.press("meg", "Tenancy law")
    assert "Export Tenancy law" in chat.last("meg").text
    labels = chat.last("meg").buttons
    assert any("DPO" in b for b in labels) and not any("SFT" in b for b in labels)  # only formats that fit
    await chat.press("meg", "Preference pairs (DPO)")
    (name, data), = files_for(chat, "meg")
    assert name.endswith("-dpo.jsonl") and len(jsonl(data)) == 1  # the approved judgement only, by default
    await chat.send("meg", "/export Tenancy include-unreviewed conversational")
    await chat.press("meg", "Preference pairs (DPO)")  # the options typed ride on the format's button
    (name, data) = files_for(chat, "meg")[-1]
    pairs = jsonl(data)
    assert len(pairs) == 2 and all(p["prompt"][0]["role"] == "user" for p in pairs)
    assert {p["chosen"][0]["role"] for p in pairs} == {"assistant"}
    files = len(files_for(chat, "meg"))
    await chat.send("meg", "/export Tenancy jsonl consensus")
    assert "The option consensus does not apply to jsonl; it applies to dpo." in chat.last("meg").text
    assert len(files_for(chat, "meg")) == files

    await chat.send("ana", "/export Tenancy jsonl")
    assert "permission" in chat.last("ana").text
    assert files_for(chat, "ana") == []
    await chat.send("meg", "/export Tenancy jsonl since:2026-13-45")
    assert "is not a date" in chat.last("meg").text
    await chat.send("meg", "/export Tenancy jsonl everything")
    assert "I don't know “everything”" in chat.last("meg").text
    await chat.send("meg", "/export Nowhere jsonl")
    assert "I found no project called Nowhere" in chat.last("meg").text
    await chat.send("meg", "/export Tenancy sft")
    assert "does not fit" in chat.last("meg").text
    await chat.send("meg", "/export Tenancy jsonl since:2000-01-01 until:2000-01-02")
    assert "Nothing to export from Tenancy law" in chat.last("meg").text
    assert len(files_for(chat, "meg")) == 2


async def test_a_big_export_stops_at_the_upload_limit_and_points_to_the_cli(open_chat):
    chat = await open_chat(max_upload_bytes=1500)
    await _answered_and_reviewed(chat)
    await chat.send("meg", "/export Tenancy jsonl")
    (_, data), = files_for(chat, "meg")
    assert len(data) <= 1500
    (record,) = jsonl(data)  # whole records only: the second did not fit
    assert record["submission_id"] == (await _stored(chat))[0]["id"]
    assert 'stops after 1 record,' in chat.texts("meg")
    assert 'panelist export "Tenancy law — which answer is better" --format jsonl' in chat.texts("meg")


async def test_an_empty_training_export_says_why_and_how_to_include_unreviewed_answers(chat):
    """Issue 18.7: an SFT export of rewrites nobody has approved yet is empty, and the manager is told why."""
    watch_files(chat)
    await setup(chat, "ana")
    await answer_one(chat, "ana", "rewrite_finance")
    assert [r["review_state"] for r in await rows(chat.runtime, "SELECT review_state FROM submissions")] == ["pending"]
    await chat.send("meg", "/export Personal finance sft")
    said = chat.last("meg").text
    assert ("Nothing to export from Personal finance answers — rewrite: SFT takes approved rewrites only; "
            "1 is waiting for review.") in said
    assert "To take answers nobody has reviewed yet, export again with include-unreviewed." in said
    assert files_for(chat, "meg") == []
    await chat.send("meg", "/export Personal finance sft include-unreviewed")
    (name, data), = files_for(chat, "meg")
    (record,) = jsonl(data)
    assert name.endswith("-sft.jsonl") and record["completion"] == ANSWERS["rewrite_finance"]["text"]
    assert record["review_decision"] is None
    assert "Filters: include-unreviewed" in chat.texts("meg")
