"""Hours in chat on every adapter and both backends: /log with its refusals, the timer, /timesheet with edit and
delete, /approvals with approve and reject, and what approval writes to the ledger (once, however often pressed)."""
from __future__ import annotations

import re
from datetime import date, datetime, timedelta, timezone

import pytest

from handlers.hours import DeleteEntry
from tests.flows.helpers import answer_one, cmd, person_id, resign_button, rows, setup, shown_in_place, watch_deliveries
from tests.flows.tasks_data import add_member, seed_project

pytestmark = pytest.mark.filterwarnings("ignore::DeprecationWarning")

PROJECT = "Finance answers"  # rewrite_finance: hourly, 40.00 EUR an hour


async def project_name(chat, project_id: int) -> str:
    return (await rows(chat.runtime, "SELECT name FROM projects WHERE id = $1", project_id))[0]["name"]


async def test_log_refusals_and_limits(chat):
    project_id = await setup(chat, "ana")
    name = await project_name(chat, project_id)
    await chat.send("ana", "/log")
    assert cmd(chat, "log") + " DURATION" in chat.last("ana").text
    await chat.send("ana", "/log 90 today")
    assert "couldn't read that as a duration" in chat.last("ana").text
    await chat.send("ana", "/log 2h 2099-01-01")
    assert "future date" in chat.last("ana").text
    await chat.send("ana", "/log 2h 2020-01-01")
    assert "locked" in chat.last("ana").text
    await chat.send("ana", "/log 1h30m pers yesterday checked sources")
    shown = chat.last("ana").text
    assert f"Recorded 1 hr 30 min on {name}" in shown and "Total for the week" in shown
    await chat.send("ana", "/log 23h yesterday")
    assert "more than 24 hours" in chat.last("ana").text and "22 hr 30 min left" in chat.last("ana").text
    assert "minutes" not in chat.last("ana").text  # issue 16: hours and minutes, never "1,350 minutes"
    entries = await rows(chat.runtime, "SELECT minutes, note, work_date, state FROM hours_entries ORDER BY id")
    yesterday = (datetime.now(timezone.utc).date() - timedelta(days=1)).isoformat()
    assert [(e["minutes"], e["work_date"]) for e in entries][-1] == (90, yesterday)
    assert entries[-1]["note"] == "checked sources" and entries[-1]["state"] == "logged"
    assert all(e["minutes"] != 23 * 60 for e in entries)


async def test_log_picker_when_two_projects(chat):
    first = await setup(chat, "ana")
    second = await seed_project(chat.runtime, "pairwise_law")  # hourly too, USD
    await add_member(chat.runtime, second, chat.identity("ana"))
    await chat.send("ana", "/log 45m today weekly sync about the deposit-protection cases, with notes")
    assert "Which project" in chat.last("ana").text
    await chat.press("ana", await project_name(chat, second))
    assert "Recorded 45 min on " + await project_name(chat, second) in chat.last("ana").text
    got = await rows(chat.runtime, "SELECT project_id, minutes, note FROM hours_entries")
    assert [(g["project_id"], g["minutes"]) for g in got] == [(second, 45)]
    assert got[0]["note"].startswith("weekly sync about the deposit")  # carried by the button (a stored token)
    # a double tap, or the picker's other project pressed afterwards: the hours are booked once
    await chat.press_as("ana", "ana", await project_name(chat, second))
    assert "already recorded: 45 min" in chat.last("ana").text
    await chat.press_as("ana", "ana", await project_name(chat, first))
    assert "already recorded" in chat.last("ana").text
    assert len(await rows(chat.runtime, "SELECT id FROM hours_entries")) == 1
    # a forged press of ana's picker by bo logs nothing for anyone: bo is in no hourly project
    await chat.send("bo", "/help")
    await chat.press_as("bo", "ana", await project_name(chat, first))
    assert len(await rows(chat.runtime, "SELECT id FROM hours_entries")) == 1


async def test_timesheet_edit_delete_and_approvals(chat):
    project_id = await setup(chat, "ana")
    await chat.send("ana", "/log 2h today")
    await chat.send("ana", "/log 1h today wrong")
    ids = [r["id"] for r in await rows(chat.runtime, "SELECT id FROM hours_entries ORDER BY id")]
    await chat.send("ana", "/timesheet")
    sheet = chat.last("ana").text
    assert "waiting for approval" in sheet and "Week total: 3 hr" in sheet
    await chat.press("ana", f"Delete #{ids[1]}")
    assert "Delete 1 hr on" in chat.last("ana").text  # asks first
    await chat.press("ana", "Yes, delete")
    assert "Entry deleted: 1 hr on" in chat.last("ana").text and "Week total: 2 hr" in chat.last("ana").text
    await chat.send("ana", "/timesheet")
    await chat.press("ana", f"Edit #{ids[0]}")
    await chat.fill_form("ana", {"duration": "2h30m", "day": None, "note": None}, confirm=False)
    await chat.press("ana", "Save entry")
    assert "now 2 hr 30 min" in chat.texts("ana")

    await chat.send("ana", "/approvals")
    assert "permission" in chat.last("ana").text  # experts cannot approve
    await chat.send("meg", "/approvals")
    assert "week of" in chat.last("meg").text and "2 hr 30 min" in chat.last("meg").text
    await chat.press("meg", "Approve \u2068Ana\u2069")  # the name is isolated (bot/i18n/bidi.py)
    assert "1 entry approved" in chat.texts("meg")
    assert "were approved" in chat.texts("ana") or "was approved" in chat.texts("ana")
    lines = await rows(chat.runtime, "SELECT source, amount_minor, currency, kind FROM ledger_lines")
    assert [(r["source"], r["amount_minor"], r["currency"]) for r in lines] == [(f"hours:{ids[0]}", 10000, "EUR")]

    # approved entries can no longer be edited or deleted, even by a forged press of an old button
    await chat.press_as("ana", "ana", f"Delete #{ids[0]}")
    assert "can no longer be changed" in chat.last("ana").text
    assert len(await rows(chat.runtime, "SELECT id FROM hours_entries")) == 1

    # a double approval (the old button pressed again, or Approve all) changes nothing
    await chat.press_as("meg", "meg", "Approve \u2068Ana\u2069")
    assert "already" in chat.last("meg").text
    await chat.press_as("meg", "meg", "Approve all")
    assert len(await rows(chat.runtime, "SELECT id FROM ledger_lines")) == 1

    await chat.send("ana", "/log 1h today")
    await chat.send("meg", "/approvals")
    await chat.press("meg", "Reject \u2068Ana\u2069")
    await chat.fill_form("meg", {"reason": "That hour was the team meeting, which is not billable."}, confirm=False)
    await chat.press("meg", "Reject")
    assert "1 entry rejected" in chat.texts("meg")
    assert "team meeting" in chat.texts("ana")
    await chat.send("ana", "/timesheet")
    assert "rejected (\u2068That hour was the team meeting" in chat.last("ana").text  # the manager's words, isolated
    assert len(await rows(chat.runtime, "SELECT id FROM ledger_lines")) == 1
    audit = {r["action"] for r in await rows(chat.runtime, "SELECT action FROM audit_log")}
    assert {"hours.logged", "hours.deleted", "hours.edited", "hours.approved", "hours.rejected", "ledger.line"} <= audit


async def settle(chat) -> None:
    """Messages no event caused (a tick) reach the Slack stand-in on the adapter's own time."""
    if chat.platform == "slack":
        await chat.settle()


class Clock:
    def __init__(self, at: datetime) -> None:
        self.at = at

    def __call__(self) -> datetime:
        return self.at


async def test_timer_start_pause_stop_nudge_and_forgotten(open_chat):
    from handlers.hours import timer_tick

    clock = Clock(datetime.now(timezone.utc).replace(hour=8, minute=0, second=0, microsecond=0))
    chat = await open_chat(clock=clock)
    project_id = await setup(chat, "ana")
    await chat.send("ana", "/log")
    await chat.press("ana", "Timer")  # the button path: /log → Timer → Start timer
    assert "No timer is running" in chat.last("ana").text
    await chat.press("ana", "Start timer")
    assert "Timer started on" in chat.last("ana").text
    clock.at += timedelta(minutes=50)
    await chat.send("ana", "/timer pause")
    assert "paused at 50 min" in chat.last("ana").text
    clock.at += timedelta(hours=3)  # a pause does not count
    await chat.send("ana", "/timer start")
    assert "resumed" in chat.last("ana").text
    clock.at += timedelta(minutes=130, seconds=59)
    assert await chat.runtime.run_tick(timer_tick) == 1
    await settle(chat)
    assert "Still working?" in chat.last("ana").text
    assert await chat.runtime.run_tick(timer_tick) == 0  # nudged once
    await chat.press("ana", "Stop")
    shown = chat.last("ana").text
    assert "Recorded 3 hr on" in shown  # 50m + 130m; the 59 seconds are not billed
    got = await rows(chat.runtime, "SELECT minutes, source FROM hours_entries")
    assert [(g["minutes"], g["source"]) for g in got] == [(180, "timer")]

    await chat.send("ana", "/timer start")
    clock.at += timedelta(hours=13)
    await chat.runtime.run_tick(timer_tick)
    await settle(chat)
    assert "past the 12-hour cap" in chat.texts("ana")
    await chat.send("ana", "/timer stop")
    assert "nothing was recorded" in chat.last("ana").text
    assert len(await rows(chat.runtime, "SELECT id FROM hours_entries")) == 1


SUNDAY = datetime(2026, 12, 6, 12, 0, tzinfo=timezone.utc)  # noon in Madrid too


async def test_hours_in_spanish(open_chat):
    chat = await open_chat(clock=Clock(SUNDAY))  # "ayer" in the same week as today, whatever day the suite runs
    await setup(chat, "ana")
    await chat.send("ana", "/language es")
    await chat.send("ana", "/log 1,5h ayer revisé fuentes")
    shown = chat.last("ana").text
    assert "Registrado: 1 h 30 min en Personal finance answers" in shown and "Total de la semana" in shown
    await chat.send("ana", "/log 23h ayer")
    assert "superaría las 24 horas" in chat.last("ana").text
    await chat.send("ana", "/timesheet")
    assert "pendiente de aprobación" in chat.last("ana").text and "revisé fuentes" in chat.last("ana").text


async def booked(chat) -> list[tuple[str, int, str]]:
    got = await rows(chat.runtime, "SELECT work_date, minutes, note FROM hours_entries ORDER BY id")
    return [(g["work_date"], g["minutes"], g["note"]) for g in got]


async def test_log_reads_dates_the_way_people_write_them(open_chat):
    """Issue 16, point 4: the three examples book the right day or are refused, never today with a date note."""
    chat = await open_chat(clock=Clock(SUNDAY))
    await setup(chat, "ana")
    await chat.send("ana", "/log 3h tomorrow")
    assert "future date" in chat.last("ana").text
    await chat.send("ana", "/log 1h calibration 04.12.2026")  # dots: day.month in every locale
    assert "Recorded 1 hr on" in chat.last("ana").text
    await chat.send("ana", "/log 30m last friday prep")
    await chat.send("ana", "/log 30m notes 31/02")
    assert "Is \u201c\u206831/02\u2069\u201d a date?" in chat.last("ana").text and "nothing was recorded" in chat.last("ana").text
    await chat.send("ana", "/log 1h 12/5 " + "word " * 3000 + "12/4")  # a huge line naming two days
    assert "two days" in chat.last("ana").text
    await chat.send("ana", "/language es")
    await chat.send("ana", "/log 1h 5/12")  # the Spanish way: 5 December
    assert "Registrado: 1 h" in chat.last("ana").text
    await chat.send("ana", "/log 2h el viernes pasado revisión")
    await chat.send("ana", "/log 1h mañana")
    assert "fecha futura" in chat.last("ana").text
    await chat.send("ana", "/log 1h marzo")
    assert "\u201c\u2068marzo\u2069\u201d una fecha?" in chat.last("ana").text
    await chat.send("ana", "/log 1h 0001-01-01")
    assert "cerrados" in chat.last("ana").text
    assert await booked(chat) == [("2026-12-04", 60, "calibration"), ("2026-12-04", 30, "prep"),
                                  ("2026-12-05", 60, ""), ("2026-12-04", 120, "revisión")]


async def test_editing_an_entry_s_day(open_chat):
    chat = await open_chat(clock=Clock(SUNDAY))
    await setup(chat, "ana")
    await chat.send("ana", "/log 1h review")
    entry = (await rows(chat.runtime, "SELECT id FROM hours_entries"))[0]["id"]
    await chat.send("ana", "/timesheet")
    await chat.press("ana", f"Edit #{entry}")
    await chat.fill_form("ana", {"duration": "1h30m", "day": "tomorrow"}, confirm=False)
    # refused at the day's own question, not at Save (issue 16, point 5); a button opened it, so on Slack too
    assert "You can't log hours for a future date." in chat.last("ana").text
    assert "Step 2 of 3" in chat.last("ana").text
    assert await booked(chat) == [("2026-12-06", 60, "review")]
    await chat.fill_form("ana", {"day": "last friday", "note": None}, confirm=False)
    await chat.press("ana", "Save entry")
    assert f"Entry #{entry} is now 1 hr 30 min on Dec 4, 2026" in chat.texts("ana")
    assert await booked(chat) == [("2026-12-04", 90, "review")]


async def test_deleting_an_entry_asks_first_edits_the_sheet_in_place_and_a_second_tap_says_deleted(open_chat):
    """Issue 16, point 13: Delete asks ("Delete 1 hr 30 min on …?" Yes/Keep) on the sheet itself, Yes shows the
    sheet again without the entry, and a second tap says the entry is already deleted — never that it is
    approved or someone else's."""
    chat = await open_chat(clock=Clock(SUNDAY))
    await setup(chat, "ana", "bo")
    await chat.send("ana", "/log 1h30m yesterday checked sources")
    await chat.send("ana", "/log 2h today")
    first, second = [r["id"] for r in await rows(chat.runtime, "SELECT id FROM hours_entries ORDER BY id")]
    seen = watch_deliveries(chat)
    await chat.send("ana", "/timesheet")
    await chat.press("ana", f"Delete #{first}")
    question = chat.last("ana")
    assert "Delete 1 hr 30 min on Saturday, December 5, 2026 (Personal finance answers" in question.text
    assert question.buttons == ["Yes, delete", "Keep"] and await shown_in_place(chat, seen, "ana")
    await chat.press("ana", "Keep")  # changed their mind: the sheet again, nothing deleted
    assert "Week total: 3 hr 30 min" in chat.last("ana").text and await shown_in_place(chat, seen, "ana")
    assert len(await rows(chat.runtime, "SELECT id FROM hours_entries")) == 2

    await chat.press("ana", f"Delete #{first}")
    await chat.press("ana", "Yes, delete")
    sheet = chat.last("ana")
    assert "Entry deleted: 1 hr 30 min on Dec 5, 2026." in sheet.text and "Week total: 2 hr" in sheet.text
    assert f"Delete #{first}" not in sheet.buttons and f"Delete #{second}" in sheet.buttons
    assert await shown_in_place(chat, seen, "ana")
    await chat.press_as("ana", "ana", "Yes, delete")  # the double tap: the same button again
    again = chat.last("ana", kind=None).text
    assert f"Entry #{first} is already deleted." in again
    assert "approved" not in again and "someone else" not in again
    await chat.press_as("ana", "ana", f"Delete #{first}")  # the old sheet's Delete: the same answer
    assert f"Entry #{first} is already deleted." in chat.last("ana", kind=None).text
    deleted = await rows(chat.runtime, "SELECT detail FROM audit_log WHERE action = 'hours.deleted'")
    assert len(deleted) == 1  # deleted once, however often pressed
    # a press validly signed for bo carrying ana's entry: the handler checks storage, says it is not his
    resign_button(chat, "ana", f"Delete #{second}", DeleteEntry(entry=second), await person_id(chat, "bo"))
    chat.clear("bo")
    before = len(chat.received("ana"))  # on Slack the answer may land in the conversation the button sits in
    await chat.press_as("bo", "ana", f"Delete #{second}")
    assert "belongs to someone else" in chat.texts("bo") + "\n".join(r.text for r in chat.received("ana")[before:])
    assert [r["id"] for r in await rows(chat.runtime, "SELECT id FROM hours_entries")] == [second]


async def test_deleting_an_entry_in_spanish(open_chat):
    chat = await open_chat(clock=Clock(SUNDAY))
    await setup(chat, "ana")
    await chat.send("ana", "/language es")
    await chat.send("ana", "/log 17h30m ayer")
    await chat.send("ana", "/log 7h ayer")
    assert "quedan 6 h 30 min" in chat.last("ana").text  # hours and minutes, never "390 minutos"
    entry = (await rows(chat.runtime, "SELECT id FROM hours_entries"))[0]["id"]
    await chat.send("ana", "/timesheet")
    await chat.press("ana", f"Eliminar #{entry}")
    assert "¿Eliminar 17 h 30 min del sábado, 5 de diciembre de 2026" in chat.last("ana").text
    await chat.press("ana", "Sí, eliminar")
    assert "Entrada eliminada: 17 h 30 min" in chat.last("ana").text
    await chat.press_as("ana", "ana", "Sí, eliminar")
    assert f"La entrada #{entry} ya está eliminada." in chat.last("ana", kind=None).text


async def test_an_edited_entry_updates_the_timesheet_in_place(open_chat):
    """Issue 16, point 13: after the edit form, the sheet the Edit button sat on shows the entry as it is now
    (edited where the platform edits messages); the console, which cannot edit, gets the confirmation."""
    chat = await open_chat(clock=Clock(SUNDAY))
    await setup(chat, "ana")
    await chat.send("ana", "/log 1h review")
    entry = (await rows(chat.runtime, "SELECT id FROM hours_entries"))[0]["id"]
    await chat.send("ana", "/timesheet")
    seen = watch_deliveries(chat)
    await chat.press("ana", f"Edit #{entry}")
    await chat.fill_form("ana", {"duration": "2h15m", "day": None, "note": None}, confirm=False)
    await chat.press("ana", "Save entry")
    assert f"Entry #{entry} is now 2 hr 15 min" in chat.texts("ana")
    sheets = [d for d in seen if d.op.kind == "edit" and (d.op.ref or "").startswith("timesheet:")]
    if chat.runtime.capabilities_for(chat.platform).edits:
        assert len(sheets) == 1 and sheets[0].edit_message_id is not None  # the old sheet, not a new message
        assert any("Week total: 2 hr 15 min" in r.text for r in chat.received("ana"))
    else:
        assert sheets == []


async def test_approvals_show_tasks_done_beside_hours(chat):
    """/approvals sets each person's week of hours beside the tasks they finished that week (in their zone), so a
    manager can see an hour logged without work done; answers of another week do not count."""
    await setup(chat, "ana", "bo")
    await answer_one(chat, "ana", "rewrite_finance")
    await chat.send("ana", "/log 2h today")
    await chat.send("bo", "/log 1h today")
    await chat.send("meg", "/approvals")
    shown = chat.last("meg").text
    assert re.search(r"Ana\W* — week of .*: 2 hr · 1 task done that week", shown)
    assert re.search(r"Bo\W* — week of .*: 1 hr · 0 tasks done that week", shown)
    async with chat.runtime.db.transaction() as tx:  # ana's answer was really given a week earlier
        await tx.execute("UPDATE submissions SET submitted_at = $1", datetime.now(timezone.utc) - timedelta(days=7))
    await chat.send("meg", "/approvals")
    assert re.search(r"Ana\W* — week of .*: 2 hr · 0 tasks done that week", chat.last("meg").text)


@pytest.mark.parametrize("code, start, pause, stop, period", [
    ("pt_BR", "iniciar", "pausar", "parar", "mês passado"),
    ("de", "starten", "pausieren", "beenden", "letzten Monat"),
])
async def test_timer_and_earnings_in_the_readers_own_words(open_chat, code, start, pause, stop, period):
    """The words each language's help suggests (domain/typed_words.py) run the timer and name a period."""
    from bot.i18n.catalog import default_catalogs
    from bot.i18n.text import msg

    clock = Clock(datetime.now(timezone.utc).replace(hour=8, minute=0, second=0, microsecond=0))
    chat = await open_chat(clock=clock)
    await setup(chat, "ana")
    await chat.send("ana", f"/language {code}")
    await chat.send("ana", f"/timer {start}")
    [timer] = await rows(chat.runtime, "SELECT running_since FROM timers")
    assert timer["running_since"] is not None
    clock.at += timedelta(minutes=50)
    await chat.send("ana", f"/timer {pause}")
    [timer] = await rows(chat.runtime, "SELECT running_since, seconds_banked FROM timers")
    assert timer["running_since"] is None and timer["seconds_banked"] == 50 * 60
    await chat.send("ana", f"/timer {stop}")
    got = await rows(chat.runtime, "SELECT minutes, source FROM hours_entries")
    assert [(g["minutes"], g["source"]) for g in got] == [(50, "timer")]
    assert not await rows(chat.runtime, "SELECT person_id FROM timers")
    await chat.send("ana", f"/earnings {period}")
    refused = default_catalogs().render(msg("earnings.error.period"), code)
    assert refused not in chat.last("ana").text
