"""/progress on every adapter and both backends: a manager sees the numbers the test seeded (answers written
through the storage repositories at chosen moments, plus one answered through the chat), in their own zone and
language, with the answers-per-day chart; experts are refused; an unknown project gets a clear answer."""
from __future__ import annotations

import io
import json
import re
from datetime import datetime, timedelta, timezone

from handlers.shared.task_service import import_in_transaction
from storage.uow import UnitOfWork
from tests.flows.helpers import answer_one, grant, rows
from tests.flows.tasks_data import SPECS, add_member, seed_project

# Monday 30 March 2026, 12:00 in Berlin: the day after clocks went forward (29 March had 23 hours).
NOW = datetime(2026, 3, 30, 10, 0, tzinfo=timezone.utc)
A = {"labels": ["card_fraud", "fees"], "comment": None}
B = {"labels": ["card_fraud"], "comment": None}
C = {"labels": ["account_access"], "comment": None}


class Clock:
    def __init__(self, now: datetime) -> None:
        self.now = now

    def __call__(self) -> datetime:
        return self.now


async def person_id(chat, user: str) -> int:
    from domain.identity import parse_identity

    key = parse_identity(chat.identity(user))
    found = await rows(chat.runtime, "SELECT person_id FROM identities WHERE platform = $1 AND workspace = $2"
                       " AND user_id = $3", key.platform, key.workspace, key.user_id)
    return found[0]["person_id"]


async def answer_at(chat, project_id: int, user: str, gold: bool, answer: dict | None, at: datetime,
                    seconds: int) -> None:
    """Claim the next item of a kind for `user` at `at` through the real repositories; submit unless `answer` is None."""
    pid = await person_id(chat, user)
    async with chat.runtime.db.transaction() as tx:
        uow = UnitOfWork(tx)
        held = await uow.assignments.claim(pid, project_id, gold, at, timedelta(hours=1))
        assert held is not None, f"no item for {user}"
        if answer is not None:
            await uow.assignments.mark_submitted(held.id, at)
            assert await uow.submissions.add(held, json.dumps(answer), seconds, False, at) is not None


async def set_person(chat, user: str, tz: str, locale: str | None = None) -> None:
    pid = await person_id(chat, user)
    async with chat.runtime.db.transaction() as tx:
        await tx.execute("UPDATE persons SET timezone = $2, locale = COALESCE($3, locale) WHERE id = $1",
                         pid, tz, locale)


async def backdate(chat, project_id: int, deadline: datetime | None = None) -> None:
    """The project and its first items were created on 1 March (seed_project uses the wall clock); set its deadline."""
    async with chat.runtime.db.transaction() as tx:
        await tx.execute("UPDATE projects SET created_at = $2, deadline = $3 WHERE id = $1", project_id,
                         datetime(2026, 3, 1, tzinfo=timezone.utc), deadline)
        await tx.execute("UPDATE tasks SET created_at = $2 WHERE project_id = $1 AND created_at > $3", project_id,
                         datetime(2026, 3, 1, tzinfo=timezone.utc), NOW)


async def seed(chat, spec: bytes | None = None, deadline: datetime | None = None) -> int:
    """Five items (two gold) with overlap 3:
    item 1 (gold): ana A at 23:59 on 28 March, ben A at 00:00 on 29 March, cy B at 23:59 on 29 March → done;
    item 2 (gold): eve C on 10 March (long ago), ana C at 00:00 on 30 March, cy holds it now → in progress;
    item 3: dan answers it through the chat today → in progress; items 4 and 5 wait.
    Berlin days: 28 March 1, 29 March 2, 30 March 2 (ana's and dan's); in UTC it would read 2, 2, 1."""
    project_id = await seed_project(chat.runtime, "labeling_finance", spec)
    await backdate(chat, project_id, deadline)
    extra = "\n".join(json.dumps({"external_id": f"fin-lab-10{i}", "prompt": f"Question {i} about my mortgage.",
                                  "responses": [{"id": "msg", "text": f"Question {i} about my mortgage."}]})
                      for i in (4, 5))
    async with chat.runtime.db.transaction() as tx:
        uow = UnitOfWork(tx)
        project = await uow.projects.get(project_id)
        await import_in_transaction(uow, project, io.BytesIO(extra.encode()), False, NOW, None)
    for user in ("mia", "sol", "ana", "ben", "cy", "dan", "eve"):
        await chat.send(user, "/help")
    for user in ("ana", "ben", "cy", "dan", "eve"):
        await add_member(chat.runtime, project_id, chat.identity(user))
    await grant(chat, "mia", "manager")
    await grant(chat, "sol", "manager")
    await set_person(chat, "mia", "Europe/Berlin")
    await set_person(chat, "sol", "Europe/Berlin", "es")

    utc = lambda *a: datetime(*a, tzinfo=timezone.utc)  # noqa: E731
    await answer_at(chat, project_id, "ana", True, A, utc(2026, 3, 28, 22, 59), 100)
    await answer_at(chat, project_id, "ben", True, A, utc(2026, 3, 28, 23, 0), 200)
    await answer_at(chat, project_id, "cy", True, B, utc(2026, 3, 29, 21, 59), 300)
    await answer_at(chat, project_id, "eve", True, C, utc(2026, 3, 10, 12, 0), 500)
    await answer_at(chat, project_id, "ana", True, C, utc(2026, 3, 29, 22, 0), 400)
    await answer_at(chat, project_id, "cy", True, None, NOW - timedelta(minutes=10), 0)  # holds item 2 now

    # dan, through the chat: the only items with a free slot are the plain ones, so /next serves item 3
    await chat.send("dan", "/next")
    await chat.fill_form("dan", B, confirm=False)
    chat.clock.now = NOW + timedelta(seconds=90)
    await chat.press("dan", "Submit answer")
    chat.clock.now = NOW + timedelta(minutes=2)
    return project_id


def chart_sent(chat, user: str) -> bool:
    """The burn-down PNG arrived, however this platform shows an image."""
    if chat.platform == "console":
        found = re.search(r"\[burn-down\.png: (\d+) bytes\]", chat.last(user).text)
        return found is not None and int(found.group(1)) > 1000
    if chat.platform == "slack":  # an image block of the uploaded chart, in the manager's conversation
        from tests.flows.slack import dm_channel

        shown = json.dumps(chat.standin.messages_in(dm_channel(chat.uid(user))))
        return any(f.name == "burn-down.png" and f.id in shown for f in chat.standin.uploaded_files())
    files = [r.text for r in chat.received(user) if r.kind == "file"]
    if chat.platform == "telegram":  # a photo whose caption is the image's alt text
        return any("burn-down chart" in t.lower() or "gráfico de avance" in t.lower() for t in files)
    return any("burn-down.png" in t for t in files)


def said_once(report: str) -> bool:
    """No line of the report is repeated."""
    lines = [line for line in report.splitlines() if line.strip()]
    return len(lines) == len(set(lines))


async def test_manager_sees_progress_numbers_and_chart_in_their_zone_and_language(open_chat):
    clock = Clock(NOW)
    chat = await open_chat(clock=clock)
    await seed(chat)
    subs = await rows(chat.runtime, "SELECT seconds_spent, task_id FROM submissions ORDER BY id")
    assert len(subs) == 6 and subs[-1]["seconds_spent"] <= 200  # dan's answer came through the chat

    await chat.send("mia", "/progress Banking")
    report = chat.last("mia").text
    assert "Progress: Banking support messages — topic labels" in report
    assert "Items: 1 done, 2 in progress, 2 waiting (5 in all)" in report
    assert "1 expert is working on an item right now" in report
    # in Berlin two answers fall on today (in UTC only one); each day's count is said once
    assert "Answers in the last 7 days: 5 — Mar 24: 0, Mar 25: 0, Mar 26: 0, Mar 27: 0, Mar 28: 1, Mar 29: 2," \
           " Mar 30: 2" in report
    # item 1 was finished on 29 March: 1 item in the last 7 days
    assert "4 items left, current pace 0.1 a day (the project has no deadline)" in report
    # item 1: A, A, B and item 2: C, C → alpha 0.5 (worked by hand in tests/test_progress.py), 2/3 agreeing pairs
    assert "Agreement on 2 items: Krippendorff's alpha 0.5 (nominal), percent agreement 67%" in report
    assert "Median time per task: 4.2 min" in report  # median of 6 answers = (200 + 300) / 2 s = 4.17 min
    assert "Experts active in the last 7 days: 4" in report  # ana, ben, cy, dan — not eve
    assert chart_sent(chat, "mia") and said_once(report)

    await chat.send("sol", "/progress Banking")
    informe = chat.last("sol").text
    assert "Elementos: terminados 1, en curso 2, en espera 2 (total: 5)" in informe
    assert "Respuestas en los últimos 7 días: 5 — 24 mar: 0" in informe
    assert "Quedan 4 elementos; ritmo actual: 0,1 al día (el proyecto no tiene fecha límite)" in informe
    assert "alfa de Krippendorff 0,5 (nominal), porcentaje de acuerdo 67 %" in informe
    assert "Acuerdo sobre 2 elementos" in informe
    assert "Mediana de tiempo por tarea: 4,2 min" in informe
    assert "Personas expertas activas en los últimos 7 días: 4" in informe
    assert chart_sent(chat, "sol")


async def test_progress_without_a_name_offers_the_open_projects(chat):
    await seed_project(chat.runtime, "labeling_finance")
    await seed_project(chat.runtime, "rewrite_finance")
    await chat.send("mia", "/help")
    await grant(chat, "mia", "manager")
    await chat.send("mia", "/progress")
    shown = chat.last("mia")
    assert "Which project's progress" in shown.text
    assert any("Banking support" in b for b in shown.buttons) and len(shown.buttons) == 2
    rewrite = next(b for b in shown.buttons if "Banking" not in b)
    await chat.press("mia", rewrite)
    report = chat.last("mia").text
    assert "Items: 0 done, 0 in progress, 2 waiting (2 in all)" in report
    assert "Agreement: not measured for this task type." in report  # rewrites are not compared
    assert "Median time per task: no answers yet." in report
    assert "Answers in the last 7 days: 0 —" in report
    assert "2 items left, current pace 0 a day (the project has no deadline)" in report
    assert "Fast answers: nothing to check yet." in report and "Agreement by week" not in report
    assert chart_sent(chat, "mia") and said_once(report)


async def test_no_overlap_yet_says_so(chat):
    project_id = await seed_project(chat.runtime, "labeling_finance")
    for user in ("mia", "ana"):
        await chat.send(user, "/help")
    await grant(chat, "mia", "manager")
    await add_member(chat.runtime, project_id, chat.identity("ana"))
    await answer_one(chat, "ana", "labeling_finance")
    await chat.send("mia", "/progress banking")  # names match without regard to case
    report = chat.last("mia").text
    assert "Agreement: not enough overlap yet" in report
    assert "Items: 0 done, 1 in progress, 2 waiting (3 in all)" in report
    assert "Experts active in the last 7 days: 1" in report
    assert "Median time per task:" in report and "no answers yet" not in report


async def test_experts_are_refused_and_unknown_projects_answered(chat):
    await seed_project(chat.runtime, "labeling_finance")
    for user in ("ana", "mia"):
        await chat.send(user, "/help")
    await grant(chat, "mia", "manager")
    await chat.send("ana", "/progress Banking")
    refused = chat.last("ana").text
    assert "permission" in refused and "Items:" not in refused
    await chat.send("ana", "/progress")
    assert "permission" in chat.last("ana").text
    await chat.send("mia", "/progress Nonexistent project")
    assert "I found no project called Nonexistent project." in chat.last("mia").text
    # an expert replaying a manager's project button is refused too
    await chat.send("mia", "/progress")
    try:
        await chat.press_as("ana", "mia", "Banking")
    except NotImplementedError:
        return
    assert "Items:" not in chat.texts("ana")


SPEC_WITH_THRESHOLD = (SPECS["labeling_finance"].read_bytes().decode() + "min_answer_seconds: 150\n").encode()


async def test_pace_experts_fast_answers_and_agreement_by_week(open_chat):
    """The same seed with a deadline and a fast-answer threshold of 150 s in the spec: ana's 100 s and dan's 90 s
    answers are flagged; the pace needed to finish 4 items by 9 April is set beside the pace kept."""
    clock = Clock(NOW)
    chat = await open_chat(clock=clock)
    await seed(chat, SPEC_WITH_THRESHOLD, deadline=datetime(2026, 4, 9, 23, 59, 59, tzinfo=timezone.utc))
    for user in ("ana", "ben", "cy", "dan", "eve"):
        pid = await person_id(chat, user)
        async with chat.runtime.db.transaction() as tx:
            await tx.execute("UPDATE persons SET display_name = $2 WHERE id = $1", pid, user.title())
    await chat.send("mia", "/progress Banking")
    report = chat.last("mia").text
    # 4 items left over 10.6 days to the deadline: 0.38 a day; 1 item finished in the last 7 days: 0.14 a day
    assert "4 items left, 0.4 a day needed to finish by Apr 9, 2026, current pace 0.1 a day" in report
    # item 1 (A, A, B) was last answered on Sunday 29 March, item 2 (C, C) on Monday 30 March in Berlin
    assert "Agreement by week: week of Mar 23, 2026, alpha 0 and 33% on 1 item; week of Mar 30, 2026, 100% on 1 item" \
        in report
    # ana: 2 answers in 500 s on task, both in the last 7 days; eve's only answer is older than that
    assert re.search(r"Ana\W* — 2 answers, 0\.3 a day, 14\.4 an hour on task, quality: not enough data yet", report)
    assert re.search(r"Eve\W* — 1 answer, 0 a day, 7\.2 an hour on task", report)
    assert re.search(r"2 fast answers \(under 150 s, the project's threshold\): \W*Ana\W* 1, \W*Dan\W* 1", report)
    assert chart_sent(chat, "mia") and said_once(report)

    await chat.send("sol", "/progress Banking")
    informe = chat.last("sol").text
    assert "Quedan 4 elementos; hacen falta 0,4 al día para terminar antes del 9 abr 2026; ritmo actual: 0,1 al día" \
        in informe
    assert re.search(r"Ana\W* — 2 respuestas, 0,3 al día, 14,4 por hora de trabajo", informe)
    assert "2 respuestas rápidas (menos de 150 s, el umbral del proyecto):" in informe
    assert "Acuerdo por semana: semana del 23 mar 2026" in informe
    assert chart_sent(chat, "sol")


async def test_a_passed_deadline_and_the_median_threshold(open_chat):
    """With the deadline behind us the report says so; without a spec threshold answers under a third of the
    median are flagged (here the median is 250 s, so under 83 s: nobody)."""
    chat = await open_chat(clock=Clock(NOW))
    await seed(chat, deadline=datetime(2026, 3, 20, 23, 59, 59, tzinfo=timezone.utc))
    await chat.send("mia", "/progress Banking")
    report = chat.last("mia").text
    assert "The deadline (Mar 20, 2026) has passed with 4 items left; current pace 0.1 a day" in report
    assert "Fast answers (under 83 s, a third of the median time): none." in report
