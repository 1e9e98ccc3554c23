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


async def test_the_demo_seeds_media_projects_and_the_console_shows_their_media(database_url, tmp_path):
    """A chart review (one chart with a truncated axis, one in the wrong units), a code review (a diff with an
    off-by-one) and an image comparison, their media drawn at seed time and stored in the blob store: a newcomer
    typing in the console gets each medium saved to a file, with its path, and the code with numbered lines."""
    import json

    from app.settings import Settings
    from app.wiring import build_runtime
    from bot.adapters.console.adapter import ConsoleAdapter

    runtime = build_runtime(Settings(database_url=database_url))
    await runtime.start()
    try:
        await seed(runtime)
        await seed(runtime)  # again: nothing drawn or added twice
        tasks = await rows(runtime, "SELECT p.name, t.item FROM tasks t JOIN projects p ON p.id = t.project_id"
                                    " WHERE p.name IN ('Product charts — do they tell the truth',"
                                    " 'Code review — Python changes with bugs', 'Icon drafts — which image is better')")
        items = [(r["name"], json.loads(r["item"])) for r in tasks]
        assert {name for name, _ in items} == {"Product charts — do they tell the truth",
                                              "Code review — Python changes with bugs",
                                              "Icon drafts — which image is better"}
        assert len(items) == 7
        charts = [i for name, i in items if name.startswith("Product charts")]
        assert {c["metadata"]["flaw"] for c in charts} == {"good", "truncated", "units"}
        chart_refs = {c["responses"][0]["attachments"][0]["blob"]["sha256"] for c in charts}
        assert len(chart_refs) == 3  # three different drawings
        diff = next(i for name, i in items if name.startswith("Code review") and i["external_id"] == "code-001")
        assert diff["responses"][0]["format"] == "code" and diff["responses"][0]["language"] == "diff"
        assert "+    for start in range(len(values) - window):" in diff["responses"][0]["text"]

        out: list[str] = []
        console = ConsoleAdapter(runtime, out.append, speaker="expert", files_dir=tmp_path / "files")
        for line in ("/next charts", "/skip not now", "/next code", "/skip not now", "/next icon"):
            await console.say(line)
        shown = "\n".join(out)
        saved = sorted((tmp_path / "files").iterdir())
        assert len(saved) == 3  # a chart and the two images to compare
        for path in saved:
            assert path.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n" and f"saved to {path}]" in shown
        assert "users-chart-" in shown and "house-red-roof.png" in shown and "house-blue-roof.png" in shown
        assert " 8 | +    for start in range(len(values) - window):" in shown  # numbered, as feedback names lines

        out.clear()  # the week's history left a code review waiting: the reviewer sees the line it names, marked
        console.speaker = "reviewer"
        await console.say("/review Code review")
        shown = "\n".join(out)
        assert "Issue 1: line 8" in shown and "> 8 | +    for start in range(len(values) - window):" in shown
    finally:
        await runtime.stop()


async def test_panelist_demo_says_where_media_are_saved(tmp_path):
    from app.demo import run_demo

    out: list[str] = []

    async def lines():
        yield "/next icon"

    await run_demo(tmp_path / "demo.db", interactive=False, write=out.append, read_lines=lines)
    shown = "\n".join(out)
    assert f"saves each image to {tmp_path / 'panelist-files'}" in shown
    assert f"saved to {tmp_path / 'panelist-files'}" in shown
