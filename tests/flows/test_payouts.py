"""Approval → earnings → payout → paid, on every adapter and both backends; a line is never on two statements."""
from __future__ import annotations

import pytest

from tests.flows.helpers import ledger, line_with, redeliver_last, rows, setup

pytestmark = pytest.mark.filterwarnings("ignore::DeprecationWarning")


async def test_approval_earnings_payout_paid(chat):
    await setup(chat, "ana", "bo")
    await chat.send("ana", "/log 2h today")
    await chat.send("bo", "/log 30m today")
    await chat.send("meg", "/approvals")
    await chat.press("meg", "Approve all")
    await chat.send("ana", "/earnings this week")
    assert "approved €80.00" in line_with(chat.last("ana").text, "Total EUR")

    await chat.send("ana", "/payouts close all")
    assert "permission" in chat.last("ana").text
    await chat.send("meg", "/payouts close someday")
    assert "couldn't read that period" in chat.last("meg").text
    await chat.send("meg", "/payouts close this week")
    assert "2 statements for" in chat.texts("meg")
    assert "Statements as CSV" in chat.texts("meg") or "statements-" in chat.texts("meg")
    assert "Payout statement #" in chat.texts("ana") and "Total: €80.00" in chat.texts("ana")
    assert "Total: €20.00" in chat.texts("bo") and "€80.00" not in chat.texts("bo")
    await chat.send("ana", "/earnings")
    assert "on a statement €80.00" in line_with(chat.last("ana").text, "Total EUR")

    # closing again, or the same close redelivered, puts no line on a second statement
    await redeliver_last(chat, "meg")
    await chat.send("meg", "/payouts close all")
    assert "No approved, unpaid lines" in chat.last("meg").text
    placed = await rows(chat.runtime, "SELECT line_id, statement_id FROM statement_lines")
    assert len(placed) == len(await ledger(chat)) == 2
    assert len({p["line_id"] for p in placed}) == 2

    statements = await rows(chat.runtime, "SELECT id, person_id FROM statements ORDER BY id")
    ana_statement = statements[0]["id"]
    await chat.send("meg", "/payouts")
    assert "2 statements waiting for payment" in chat.last("meg").text
    await chat.send("meg", f"/payouts paid {ana_statement} SEPA-2026-11-0042")
    assert "marked paid" in chat.last("meg").text and "SEPA-2026-11-0042" in chat.last("meg").text
    assert "was paid: €80.00" in chat.texts("ana")
    await chat.send("meg", f"/payouts paid {ana_statement} SEPA-AGAIN")
    assert "paid already" in chat.last("meg").text and "SEPA-2026-11-0042" in chat.last("meg").text
    await chat.send("meg", "/payouts paid 999999 X")
    assert "no statement #999999" in chat.last("meg").text

    await chat.send("ana", "/earnings")
    assert "paid €80.00" in line_with(chat.last("ana").text, "Total EUR")
    await chat.send("ana", "/timesheet")
    assert "paid" in chat.last("ana").text
    await chat.send("bo", "/earnings")
    assert "on a statement €20.00" in line_with(chat.last("bo").text, "Total EUR")
    bo_statement = statements[1]["id"]
    await chat.send("meg", "/payouts")  # the button path: Mark paid → reference → Mark paid
    await chat.press("meg", f"Mark #{bo_statement} paid")
    await chat.fill_form("meg", {"ref": "SEPA-2026-11-0043"}, confirm=False)
    await chat.press("meg", "Mark paid")
    assert "was paid: €20.00" in chat.texts("bo") and "SEPA-2026-11-0043" in chat.texts("bo")
    await chat.send("meg", "/payouts")
    assert "No statements are waiting" in chat.texts("meg")

    # a negative total makes no statement: the adjustment waits for the next close
    await chat.send("meg", f"/adjust {chat.identity('bo')} -30.00 EUR advance paid in cash")
    await chat.send("meg", "/payouts close this week")
    assert "wait for the next close" in chat.last("meg").text
    assert len(await rows(chat.runtime, "SELECT id FROM statements")) == 2

    # a later line in the same period goes on a new statement, never onto the paid one
    await chat.send("meg", f"/bonus {chat.identity('ana')} 5.00 EUR late bonus")
    await chat.send("meg", "/payouts")
    await chat.press("meg", "Close everything approved")
    assert "1 statement for" in chat.texts("meg") and "1 person-and-currency total was zero" in chat.texts("meg")
    per_statement = await rows(chat.runtime, "SELECT statement_id, COUNT(*) AS n FROM statement_lines"
                                             " GROUP BY statement_id ORDER BY statement_id")
    assert [p["n"] for p in per_statement] == [1, 1, 1]
    audit = {r["action"] for r in await rows(chat.runtime, "SELECT action FROM audit_log")}
    assert {"payouts.statement", "payouts.paid"} <= audit
