"""Earnings in chat on every adapter and both backends: per-task answers accrue when approved, hourly projects
through approved hours, bonuses and adjustments; a double approval or a redelivered update leaves the ledger
as it was; currencies are never added together; amounts read right in English and in Spanish; disputes."""
from __future__ import annotations

import pytest

from domain.identity import parse_identity
from tests.flows.helpers import answer_one, grant, ledger, line_with, redeliver_last, rows, setup
from tests.flows.tasks_data import add_member, seed_project

pytestmark = pytest.mark.filterwarnings("ignore::DeprecationWarning")


async def test_per_task_earning_once_however_often_approved(chat):
    project_id = await seed_project(chat.runtime, "rating_medicine")  # per task, 4.50 EUR
    for user in ("ana", "rev"):
        await chat.send(user, "/help")
    await add_member(chat.runtime, project_id, chat.identity("ana"))
    await grant(chat, "rev", "reviewer")
    await add_member(chat.runtime, project_id, chat.identity("rev"))
    await answer_one(chat, "ana", "rating_medicine")
    assert await ledger(chat) == []  # waiting for review: not in the ledger
    await chat.send("ana", "/earnings")
    assert "pending €4.50" in chat.last("ana").text

    await chat.send("rev", "/review")
    await chat.press("rev", "Approve")
    lines = await ledger(chat)
    assert [(k, s, m, c) for _, k, s, m, c in lines] == [("task", lines[0][2], 450, "EUR")]
    assert lines[0][2].startswith("submission:")

    await chat.press_as("rev", "rev", "Approve")  # the old button again
    await redeliver_last(chat, "rev")  # and the platform redelivers that press
    assert await ledger(chat) == lines
    await chat.send("ana", "/earnings")
    shown = chat.last("ana").text
    assert "approved €4.50" in shown and "pending" not in shown


async def test_hours_bonus_and_currencies_never_mixed(chat):
    euro = await setup(chat, "ana")  # rewrite_finance: 40.00 EUR an hour
    dollars = await seed_project(chat.runtime, "pairwise_law")  # 55.00 USD an hour
    await add_member(chat.runtime, dollars, chat.identity("ana"))
    await chat.send("ana", "/log 1h45m pers today")
    await chat.send("ana", "/log 25m tenancy today")
    await chat.send("meg", "/approvals")
    await chat.press("meg", "Approve all")
    await redeliver_last(chat, "meg")
    await chat.press_as("meg", "meg", "Approve all")
    got = sorted((m, c) for _, k, _, m, c in await ledger(chat))
    assert got == [(2292, "USD"), (7000, "EUR")]  # 25 min × 55.00/h = 22.9166… → 22.92, half-even

    await chat.send("meg", f"/bonus {chat.identity('ana')} 12.50 EUR great catch on the tax question")
    assert "Bonus of €12.50 recorded" in chat.last("meg").text
    assert "bonus of €12.50" in chat.texts("ana") and "great catch" in chat.texts("ana")
    await redeliver_last(chat, "meg")  # the same /bonus delivered twice adds one line
    await chat.send("meg", f"/adjust {chat.identity('ana')} -2.00 EUR duplicate entry last week")
    await chat.send("meg", f"/bonus {chat.identity('ana')} 1.234 EUR too many decimals")
    assert "is not an amount" in chat.last("meg").text
    await chat.send("ana", f"/bonus {chat.identity('ana')} 1000 EUR me")
    assert "permission" in chat.last("ana").text
    assert len(await ledger(chat)) == 4

    await chat.send("ana", "/earnings")
    shown = chat.last("ana").text
    assert "approved €80.50" in line_with(shown, "Total EUR")  # 70.00 + 12.50 − 2.00
    assert "approved $22.92" in line_with(shown, "Total USD")
    assert "approved €10.50" in line_with(shown, "Bonuses and adjustments")
    assert "103" not in shown  # 80.50 + 22.92 never appears: currencies are not added
    if chat.platform == "console":
        assert "earnings.png" in shown  # the chart (its pixels are checked in tests/test_ledger.py)

    await chat.send("ana", "/language es")
    await chat.send("ana", "/earnings")
    shown = chat.last("ana").text
    assert "aprobado 80,50\u00a0€" in line_with(shown, "Total EUR") and "22,92\u00a0US$" in line_with(shown, "Total USD")
    await chat.send("ana", "/earnings nonsense")
    assert "No entendí ese periodo" in chat.last("ana").text
    audit = {r["action"] for r in await rows(chat.runtime, "SELECT action FROM audit_log")}
    assert {"ledger.bonus", "ledger.adjust", "ledger.line", "hours.approved"} <= audit


async def test_dispute_resolved_shows_in_earnings(chat):
    await setup(chat, "ana")
    await chat.send("ana", "/log 1h today")
    await chat.send("meg", "/approvals")
    await chat.press("meg", "Approve \u2068Ana\u2069")  # the name is isolated
    line_id = (await rows(chat.runtime, "SELECT id FROM ledger_lines"))[0]["id"]
    await chat.send("bo", "/help")
    await chat.send("bo", f"/dispute {line_id} not mine but let me try")
    assert "not one of yours" in chat.last("bo").text

    await chat.send("ana", "/dispute")
    await chat.press("ana", f"Dispute #{line_id}")
    await chat.fill_form("ana", {"comment": "I worked 1h30m that day; the timer stopped early."}, confirm=False)
    await chat.press("ana", "Send dispute")
    assert "was sent to the managers" in chat.texts("ana")
    assert "timer stopped early" in chat.texts("meg")
    await chat.send("ana", "/earnings")
    assert "disputed, waiting for a manager" in chat.last("ana").text

    await chat.send("meg", "/payouts close all")  # a disputed line waits for its outcome
    assert "No approved, unpaid lines" in chat.last("meg").text

    await chat.send("meg", "/disputes")
    await chat.press("meg", f"Resolve #{line_id}")
    await chat.fill_form("meg", {"outcome": "Uphold", "amount": "20.00",
                                 "comment": "Agreed, the extra half hour is added."}, confirm=False)
    await chat.press("meg", "Send resolution")
    assert "resolved" in chat.texts("meg")
    assert "was upheld" in chat.texts("ana") and "€20.00" in chat.texts("ana")
    await chat.send("ana", "/earnings")
    shown = chat.last("ana").text
    assert "dispute upheld" in shown and "extra half hour" in shown
    assert "approved €60.00" in line_with(shown, "Total EUR")
    await chat.press_as("meg", "meg", f"Resolve #{line_id}")
    assert "resolved already" in chat.last("meg").text
    assert sorted(m for *_, m, _c in await ledger(chat)) == [2000, 4000]


async def test_a_persons_tier_rate_replaces_the_project_rate(chat):
    await setup(chat, "ana", "bo")
    await chat.send("meg", f"/rate {chat.identity('ana')} senior 60.00 Personal finance")
    assert "(senior) now earns €60.00" in chat.last("meg").text
    await chat.send("meg", f"/rate {chat.identity('ana')} senior 60.005 Personal finance")
    assert "is not an amount" in chat.last("meg").text
    await chat.send("ana", "/log 1h30m today")
    await chat.send("bo", "/log 1h30m today")
    await chat.send("meg", "/approvals")
    await chat.press("meg", "Approve all")
    got = {r["display_name"]: (r["amount_minor"], r["currency"]) for r in await rows(
        chat.runtime, "SELECT p.display_name, l.amount_minor, l.currency FROM ledger_lines l"
                      " JOIN persons p ON p.id = l.person_id")}
    assert got == {"Ana": (9000, "EUR"), "Bo": (6000, "EUR")}  # 1.5 h × 60.00 (her tier) and × 40.00 (the spec)
    audit = {r["action"] for r in await rows(chat.runtime, "SELECT action FROM audit_log")}
    assert "ledger.rate_set" in audit


async def test_an_answer_accepted_without_review_earns_at_once(chat):
    from tests.flows.tasks_data import ANSWERS, SPECS

    spec = SPECS["labeling_finance"].read_bytes() + b"\nreview_until_approvals: 0\nreview_share: 0\n"
    project_id = await seed_project(chat.runtime, "labeling_finance", spec)
    await chat.send("ana", "/help")
    await add_member(chat.runtime, project_id, chat.identity("ana"))
    await answer_one(chat, "ana", "labeling_finance", ANSWERS["labeling_finance"])
    assert [r["review_state"] for r in await rows(chat.runtime, "SELECT review_state FROM submissions")] == ["none"]
    assert [(k, m, c) for _, k, _, m, c in await ledger(chat)] == [("task", 20, "EUR")]
    await chat.send("ana", "/earnings")
    assert "approved €0.20" in line_with(chat.last("ana").text, "Total EUR")


async def test_a_higher_qualification_level_earns_the_spec_level_rate(chat):
    from datetime import datetime, timezone

    from storage.uow import UnitOfWork
    from tests.flows.tasks_data import ANSWERS, SPECS

    spec = SPECS["labeling_finance"].read_bytes().replace(
        b'pay: {kind: per_task, amount: "0.20", currency: EUR}',
        b'pay: {kind: per_task, amount: "0.20", currency: EUR, by_level: {2: "0.35"}}')
    assert b"by_level" in spec, "the demo spec's pay line changed; update this test"
    spec += b"\nreview_until_approvals: 0\nreview_share: 0\nrequires: {domain: finance, level: 1}\n"
    now = datetime.now(timezone.utc)
    project_id = await seed_project(chat.runtime, "labeling_finance", spec)
    for user in ("ana", "bo"):
        await chat.send(user, "/help")
        await add_member(chat.runtime, project_id, chat.identity(user))  # holds finance level 1
    key = parse_identity(chat.identity("ana"))
    async with chat.runtime.db.transaction() as tx:  # ana holds level 2
        pid = await tx.fetchval("SELECT person_id FROM identities WHERE platform = $1 AND workspace = $2 AND user_id = $3",
                                key.platform, key.workspace, key.user_id)
        await UnitOfWork(tx).qualifications.grant(pid, "finance", 2, now, None, "manager", reason="test")
    for user in ("ana", "bo"):
        await answer_one(chat, user, "labeling_finance", ANSWERS["labeling_finance"])
    got = {r["person_id"]: r["amount_minor"] for r in await rows(
        chat.runtime, "SELECT person_id, amount_minor FROM ledger_lines")}
    assert got[pid] == 35 and sorted(got.values()) == [20, 35]  # level 2 earns its rate; level 1 the base
