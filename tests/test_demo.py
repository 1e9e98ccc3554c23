"""The demo's week of history (issue 18): on a fresh database of either backend, the demo setup leaves a newcomer
who types `/as manager` a populated /progress, review queue, /approvals, /payouts, home and export — with times
spread over the past seven days — and seeding the same database again adds nothing."""
from __future__ import annotations

import csv
import io
from datetime import datetime, timedelta, timezone

import pytest

from app.demo import seed, seed_assessments
from tests.flows.console import ConsoleHarness
from tests.flows.helpers import files_for, line_with, rows, watch_files

pytestmark = pytest.mark.filterwarnings("ignore::DeprecationWarning")

TABLES = ("persons", "projects", "tasks", "assignments", "submissions", "reviews", "hours_entries", "ledger_lines",
          "statements", "statement_lines", "project_members")


async def counts(runtime) -> dict[str, int]:
    return {t: (await rows(runtime, f"SELECT COUNT(*) AS n FROM {t}"))[0]["n"] for t in TABLES}


async def test_the_demo_week_fills_the_managers_screens(database_url):
    chat = ConsoleHarness(database_url)
    await chat.start()
    try:
        now = datetime.now(timezone.utc)
        await seed(chat.runtime)
        await seed_assessments(chat.runtime)
        seeded = await counts(chat.runtime)
        assert seeded["submissions"] >= 10 and seeded["reviews"] >= 5 and seeded["hours_entries"] >= 3
        await seed(chat.runtime)  # the demo started again on the same database
        assert await counts(chat.runtime) == seeded

        # a week, relative to now: several days, none in the future, none older than seven days
        moments = [r["submitted_at"] for r in await rows(chat.runtime, "SELECT submitted_at FROM submissions")]
        moments = [m if m.tzinfo else m.replace(tzinfo=timezone.utc) for m in moments]
        assert all(now - timedelta(days=7) <= m <= datetime.now(timezone.utc) for m in moments)
        assert len({m.date() for m in moments}) >= 5
        days = [r["work_date"] for r in await rows(chat.runtime, "SELECT work_date FROM hours_entries")]
        assert all((now - timedelta(days=7)).date().isoformat() <= d <= now.date().isoformat() for d in days)

        await chat.send("manager", "/progress")
        await chat.press("manager", "Banking support messages")
        shown = chat.last("manager").text
        assert "Progress: Banking support messages" in shown and "4 done" in shown and "Agreement" in shown

        await chat.send("manager", "/review")
        assert "Review — " in chat.last("manager").text and "Approve" in chat.last("manager").buttons

        await chat.send("manager", "/approvals")
        shown = chat.last("manager").text
        assert "Hours waiting for approval: 3 person-weeks" in shown and "Calibration session" in shown

        await chat.send("manager", "/payouts")
        shown = chat.last("manager").text
        assert "1 statement waiting for payment" in shown and "Lucía Ortega" in line_with(shown, "Statement #")

        await chat.send("manager", "/home")
        shown = chat.last("manager").text
        assert "answers to review" in shown and "Hours to approve: 3 entries" in shown

        watch_files(chat)
        await chat.send("manager", "/export Banking csv")
        (name, data), = files_for(chat, "manager")
        records = list(csv.DictReader(io.StringIO(data.decode("utf-8"))))
        assert name.endswith(".csv") and len(records) >= 5

        # the demo expert still has work: the history leaves items open for them
        await chat.send("expert", "/next")
        assert "Step 1 of" in chat.last("expert").text
    finally:
        await chat.stop()
