"""A payout statement a finance team can check (issue 18, point 8), on every adapter and both backends: each line
shows its hours or tasks, the rate and the amount; the person is named by display name and precise identity; the
period is stated; and the CSV the manager gets has the same lines and totals as the statement the expert reads.
The CSV is parsed and checked on its own terms (lines sum to the total, hours × rate and tasks × rate give each
amount in minor units) and against the chat."""
from __future__ import annotations

import csv
import io
from decimal import ROUND_HALF_EVEN, Decimal

import pytest

from tests.flows.helpers import answer_one, expert_and_reviewer, files_for, line_with, setup, watch_files

pytestmark = pytest.mark.filterwarnings("ignore::DeprecationWarning")


def cents(amount: str) -> int:
    return int(Decimal(amount) * 100)  # EUR: two minor digits


def hourly_cents(rate: str, minutes: str) -> int:
    """What `minutes` at `rate` an hour comes to, computed here from the CSV's own numbers."""
    exact = Decimal(rate) * 100 * int(minutes) / 60
    return int(exact.quantize(Decimal(1), rounding=ROUND_HALF_EVEN))


async def test_statement_lines_hours_rate_amount_and_the_csv_matches(chat):
    watch_files(chat)
    await expert_and_reviewer(chat, "ana", "rev", "labeling_finance")  # per task: 0.20 EUR
    for _ in range(3):
        await answer_one(chat, "ana", "labeling_finance")
        await chat.send("rev", "/review")
        await chat.press("rev", "Approve")
    await setup(chat, "ana")  # the hourly project: 40.00 EUR an hour
    await chat.send("ana", "/log 1h30m personal today")
    await chat.send("ana", "/log 25m personal today")
    await chat.send("meg", "/approvals")
    await chat.press("meg", "Approve all")
    await chat.send("meg", f"/bonus {chat.identity('ana')} 5.00 EUR thanks for the weekend")

    await chat.send("meg", "/payouts close all")
    (_, data), = [f for f in files_for(chat, "meg") if f[0].startswith("statements-")]
    rows = list(csv.DictReader(io.StringIO(data.decode("utf-8"))))

    # the CSV checks out on its own: per line quantity × rate = amount; the lines sum to the statement's total
    assert {r["kind"] for r in rows} == {"hours", "task", "bonus"} and len(rows) == 4
    for r in rows:
        if r["kind"] == "hours":
            assert r["rate_per"] == "hour" and cents(r["amount"]) == hourly_cents(r["rate"], r["minutes"])
            assert Decimal(r["hours"]) == (Decimal(r["minutes"]) / 60).quantize(Decimal("0.01"))
        elif r["kind"] == "task":
            assert r["rate_per"] == "task" and cents(r["amount"]) == int(r["tasks"]) * cents(r["rate"])
        else:
            assert r["rate"] == r["tasks"] == r["minutes"] == "" and r["reason"] == "thanks for the weekend"
    assert len({r["statement"] for r in rows}) == 1
    total = sum(cents(r["amount"]) for r in rows)
    assert all(cents(r["statement_total"]) == total for r in rows)
    assert total == 6000 + 1667 + 3 * 20 + 500  # 1h30 and 25 min at 40.00, three tasks at 0.20, the bonus
    tasks, = [r for r in rows if r["kind"] == "task"]
    assert (tasks["tasks"], tasks["rate"], tasks["amount"]) == ("3", "0.20", "0.60")
    assert sorted(r["minutes"] for r in rows if r["kind"] == "hours") == ["25", "90"]

    # one identity format everywhere: the precise form commands accept, beside the display name
    identity = chat.identity("ana")
    assert {(r["person"], r["identity"]) for r in rows} == {("Ana", identity)}
    period = {(r["period_from"], r["period_to"]) for r in rows}
    assert len(period) == 1 and all(r["period_from"] <= r["from"] <= r["to"] <= r["period_to"] for r in rows)

    # the expert's statement shows the same lines and total
    shown = chat.last("ana").text
    assert "Payout statement #" + rows[0]["statement"] in shown
    assert identity in line_with(shown, "For ") and "Ana" in line_with(shown, "For ")
    assert line_with(shown, "Period ")
    assert "3 tasks × €0.20 = €0.60" in shown
    for r in rows:
        if r["kind"] == "hours":
            assert f"× €{r['rate']} an hour = €{r['amount']}" in line_with(shown, f"= €{r['amount']}")
    assert "Bonus: €5.00" in line_with(shown, "thanks for the weekend")
    assert f"Total: €{Decimal(total) / 100:.2f}" in shown
    # and the manager's close names the statement the same way, with the same total
    assert f"{identity}: €{Decimal(total) / 100:.2f}" in chat.texts("meg")
