"""Money rules without chat: /log arguments, periods, hourly pay, summaries, the statement CSV, the weekly chart —
and ledger sums on both backends checked against an independent Python computation over random lines."""
from __future__ import annotations

import csv
import io
from dataclasses import dataclass, replace
from datetime import date, datetime, timedelta, timezone
from decimal import Decimal

import pytest
from hypothesis import HealthCheck, given, settings, strategies as st

from handlers.shared.charts_earnings import PNG_SIGNATURE, render_weekly_earnings, weekly_earnings_chart
from domain.dates import DateInvalid
from domain.durations import DurationInvalid
from domain.ledger import (
    PeriodInvalid, earnings_period, hours_pay, payout_period, summarize, weekly_series,
)
from domain.statements import Statement, StatementLine, adds_up, decimal_hours, statement_csv, statement_lines
from domain.timesheet import LOCK_DAYS, LogInvalid, check_day_cap, match_projects, parse_log_args, timer_minutes
from storage.uow import UnitOfWork

TODAY = date(2026, 11, 26)  # a Thursday
PROJECTS = [(1, "Personal finance answers — rewrite"), (2, "Tenancy law — which answer is better"),
            (3, "Personal tax")]


# ------------------------------------------------------------------------------------------------ /log arguments
def test_log_args_duration_project_date_note():
    r = parse_log_args("1h30m tenancy yesterday read the case", TODAY, PROJECTS)
    assert (r.minutes, r.project_ids, r.day, r.note) == (90, [2], TODAY - timedelta(days=1), "read the case")
    r = parse_log_args("2 h 15 m mon", TODAY, PROJECTS)  # a duration of several words, then a weekday
    assert (r.minutes, r.project_ids, r.day, r.note) == (135, [], date(2026, 11, 23), "")
    r = parse_log_args("45m personal 2026-11-20", TODAY, PROJECTS)
    assert r.project_ids == [1, 3] and r.day == date(2026, 11, 20)  # ambiguous: the handler shows a picker
    r = parse_log_args("45m personal tax", TODAY, PROJECTS)
    assert r.project_ids == [3] and r.note == ""
    r = parse_log_args("1:30 hoy revisé fuentes", TODAY, [(7, "Solo")], locale="es")
    assert (r.minutes, r.project_ids, r.day, r.note) == (90, [7], TODAY, "revisé fuentes")  # one project: chosen
    r = parse_log_args("1h calibration 20.11.2026", TODAY, PROJECTS)  # a date at the end of the line
    assert (r.project_ids, r.day, r.note) == ([], date(2026, 11, 20), "calibration")
    r = parse_log_args("1h tenancy el viernes pasado vistas", TODAY, PROJECTS, locale="es")
    assert (r.project_ids, r.day, r.note) == ([2], date(2026, 11, 20), "vistas")


def test_log_args_refusals_say_why():
    with pytest.raises(LogInvalid) as e:
        parse_log_args("   ", TODAY, PROJECTS)
    assert e.value.reason_key == "hours.log.usage"
    with pytest.raises(DurationInvalid):
        parse_log_args("90 today", TODAY, PROJECTS)
    with pytest.raises(DurationInvalid) as d:
        parse_log_args("25h", TODAY, PROJECTS)
    assert d.value.reason_key == "hours.error.duration_too_long"
    with pytest.raises(DateInvalid) as f:
        parse_log_args("1h tenancy 2026-11-27", TODAY, PROJECTS)
    assert f.value.reason_key == "hours.error.future_date"
    with pytest.raises(DateInvalid) as lk:
        parse_log_args("1h " + (TODAY - timedelta(days=LOCK_DAYS + 1)).isoformat(), TODAY, PROJECTS)
    assert lk.value.reason_key == "hours.error.date_locked"
    parse_log_args("1h " + (TODAY - timedelta(days=LOCK_DAYS)).isoformat(), TODAY, PROJECTS)  # the last open day
    with pytest.raises(DateInvalid) as u:
        parse_log_args("1h 31/02 notes", TODAY, PROJECTS, locale="es")
    assert (u.value.reason_key, u.value.params) == ("hours.error.date_unclear", {"word": "31/02"})
    with pytest.raises(DateInvalid) as two:
        parse_log_args("1h 20/11 notes 19/11", TODAY, PROJECTS, locale="es")
    assert (two.value.reason_key, two.value.params) == (
        "hours.error.two_dates", {"first": date(2026, 11, 20), "second": date(2026, 11, 19)})
    r = parse_log_args("1h 20/11 notes 20/11", TODAY, PROJECTS, locale="es")  # the same day twice: fine
    assert (r.day, r.note) == (date(2026, 11, 20), "notes")


@given(st.text(max_size=80), st.sampled_from(["en", "es"]))
def test_log_args_only_refuse_with_reasons(text, locale):
    try:
        r = parse_log_args(text, TODAY, PROJECTS, locale=locale)
    except (LogInvalid, DurationInvalid, DateInvalid) as exc:
        assert exc.reason_key.startswith("hours.")
        return
    assert 1 <= r.minutes <= 1440 and r.day <= TODAY and set(r.project_ids) <= {1, 2, 3}


def test_day_cap_and_timer_minutes():
    check_day_cap(1380, 60)
    with pytest.raises(LogInvalid) as e:
        check_day_cap(1380, 61)
    assert e.value.params["left_minutes"] == 60
    assert timer_minutes(59) == 0 and timer_minutes(119) == 1 and timer_minutes(-5) == 0
    assert match_projects("", PROJECTS) == [] and match_projects("PERSONAL TAX", PROJECTS) == [3]


# ------------------------------------------------------------------------------------------------ periods
def test_periods():
    assert earnings_period("", TODAY)[:2] == (None, None)
    assert earnings_period("this week", TODAY)[:2] == (date(2026, 11, 23), date(2026, 11, 29))
    assert earnings_period("last week", TODAY)[:2] == (date(2026, 11, 16), date(2026, 11, 22))
    assert earnings_period("month", TODAY)[:2] == (date(2026, 11, 1), date(2026, 11, 30))
    with pytest.raises(PeriodInvalid):
        earnings_period("next year", TODAY)
    assert payout_period("2026-02", TODAY) == (date(2026, 2, 1), date(2026, 2, 28))
    assert payout_period("2026-12", TODAY) == (date(2026, 12, 1), date(2026, 12, 31))
    assert payout_period("last month", TODAY) == (date(2026, 10, 1), date(2026, 10, 31))
    assert payout_period("2026-W47", TODAY) == (date(2026, 11, 16), date(2026, 11, 22))
    assert payout_period("2026-11-01..2026-11-15", TODAY) == (date(2026, 11, 1), date(2026, 11, 15))
    assert payout_period("all", TODAY) == (date.min, TODAY)
    assert payout_period(" 2026-11-01 .. 2026-11-15 ", TODAY) == (date(2026, 11, 1), date(2026, 11, 15))
    # A range cut short is refused, never read as the week of the day it starts with.
    for bad in ("", "2026-13", "2026-11-15..2026-11-01", "2026-11-01..x", "soon", "2026-11-01..", "..2026-11-01",
                "2026-11-01...", "mês que vem", "x" * 10_000):
        with pytest.raises(PeriodInvalid):
            payout_period(bad, TODAY)


# ------------------------------------------------------------------------------------------------ money
def test_hours_pay_is_exact_half_even():
    assert hours_pay(5500, 25) == 2292  # 2291.67
    assert hours_pay(100, 30) == 50 and hours_pay(1, 30) == 0 and hours_pay(3, 30) == 2  # 0.5 → 0, 1.5 → 2
    assert hours_pay(4000, 1440) == 96000


def test_summary_never_adds_currencies():
    s = summarize({(1, "EUR", "approved"): 100, (1, "EUR", "paid"): 50, (2, "USD", "approved"): 7,
                   (None, "EUR", "on_statement"): 3}, pending=[(1, "EUR", 10), (2, "USD", 1)])
    assert s.totals() == {"EUR": {"pending": 10, "approved": 100, "on_statement": 3, "paid": 50},
                          "USD": {"pending": 1, "approved": 7, "on_statement": 0, "paid": 0}}
    with pytest.raises(ValueError):
        s.add(1, "EUR", "owed", 1)


@dataclass
class Entry:  # a ledger line as a statement reads it
    id: int
    kind: str
    project_id: int | None
    earned_on: date
    amount_minor: int
    reason: str = ""
    quantity: int | None = None
    unit_minor: int | None = None


def test_statement_lines_group_tasks_per_project_and_rate_and_add_up():
    mon, tue = date(2026, 11, 23), date(2026, 11, 24)
    lines = statement_lines([
        Entry(1, "task", 7, mon, 250, quantity=1, unit_minor=250), Entry(2, "task", 7, tue, 250, quantity=1, unit_minor=250),
        Entry(3, "task", 7, tue, 300, quantity=1, unit_minor=300),  # a new rate: its own line
        Entry(4, "task_reversal", 7, tue, -250, "rejected", quantity=-1, unit_minor=250),
        Entry(5, "hours", 8, mon, 1667, quantity=25, unit_minor=4000),  # 25 min at 40.00/h = 16.666… → 16.67
        Entry(6, "bonus", None, tue, 1000, "thanks"),
    ])
    assert [(ln.kind, ln.tasks, ln.minutes, ln.rate_minor, ln.amount_minor, ln.line_ids) for ln in lines] == [
        ("task", 2, None, 250, 500, (1, 2)), ("hours", None, 25, 4000, 1667, (5,)),
        ("task", 1, None, 300, 300, (3,)), ("task_reversal", -1, None, 250, -250, (4,)),
        ("bonus", None, None, None, 1000, (6,))]
    assert lines[0].first == mon and lines[0].last == tue and lines[0].per == "task" and lines[1].per == "hour"
    assert all(adds_up(ln) for ln in lines) and lines[4].reason == "thanks"
    assert not adds_up(replace(lines[1], amount_minor=1666)) and not adds_up(replace(lines[0], tasks=3))
    assert decimal_hours(25) == Decimal("0.42") and decimal_hours(90) == Decimal("1.50")


def test_statement_csv_plain_amounts_and_no_formulas():
    day = date(2026, 11, 20)
    data = statement_csv([Statement(1, "Ana", "telegram:1", "JPY", day, day, [
        StatementLine("bonus", None, day, day, None, None, None, 1500, (4,), "=HYPERLINK(\"x\")"),
        StatementLine("hours", 3, day, day, None, 25, 4000, -205, (5,), 'a, "quoted" note')], {3: "Tax"})])
    got = list(csv.DictReader(io.StringIO(data.decode("utf-8"))))
    assert [r["amount"] for r in got] == ["1500", "-205"]  # JPY has no minor digits
    assert got[0]["reason"].startswith("'=") and got[1]["reason"] == 'a, "quoted" note'
    assert (got[1]["minutes"], got[1]["hours"], got[1]["rate"], got[1]["rate_per"]) == ("25", "0.42", "4000", "hour")
    assert got[1]["project"] == "Tax" and got[0]["statement_total"] == "1295" and got[0]["period_from"] == "2026-11-20"


def test_weekly_series_and_chart():
    points = [{"on": TODAY, "currency": "EUR", "minor": 100}, {"on": TODAY - timedelta(days=7), "currency": "EUR",
              "minor": 5}, {"on": TODAY, "currency": "JPY", "minor": 300},
              {"on": TODAY - timedelta(weeks=20), "currency": "EUR", "minor": 999}]
    starts, series = weekly_series(points, TODAY, weeks=4)
    assert starts[-1] == date(2026, 11, 23) and len(starts) == 4
    assert series == {"EUR": [0, 0, 5, 100], "JPY": [0, 0, 0, 300]}
    png = render_weekly_earnings([s.isoformat() for s in starts], series, "Earned")
    assert png.startswith(PNG_SIGNATURE) and len(png) > 1000
    assert render_weekly_earnings(["a"], {}, "Nothing").startswith(PNG_SIGNATURE)
    with pytest.raises(ValueError):
        render_weekly_earnings(["a", "b"], {"EUR": [1]}, "x")


async def test_chart_renders_off_the_event_loop():
    png = await weekly_earnings_chart(["w1", "w2"], {"EUR": [100, 250]}, "Earned")
    assert png.startswith(PNG_SIGNATURE)


# ------------------------------------------------------------------------------------------------ ledger sums
NOW = datetime(2026, 11, 26, 12, 0, tzinfo=timezone.utc)
LINE = st.tuples(st.integers(0, 2), st.sampled_from(["EUR", "USD", "JPY"]), st.integers(-10**9, 10**9),
                 st.integers(0, 60), st.sampled_from(["approved", "on_statement", "paid"]))


@settings(max_examples=15, deadline=None, suppress_health_check=list(HealthCheck))
@given(lines=st.lists(LINE, max_size=30), window=st.tuples(st.integers(0, 60), st.integers(0, 60)))
async def test_ledger_sums_match_an_independent_computation(database_url_factory, lines, window):
    from storage.db import open_database
    from storage.migrate import upgrade

    url = await database_url_factory()
    base = date(2026, 9, 1)
    first, last = base + timedelta(days=min(window)), base + timedelta(days=max(window))
    async with open_database(url) as db:
        await upgrade(db)
        async with db.transaction() as tx:
            uow = UnitOfWork(tx)
            people = [(await uow.people.create(f"p{i}", NOW)).id for i in range(3)]
            paid_statement: dict[tuple[int, str], int] = {}
            open_statement: dict[tuple[int, str], int] = {}
            for n, (who, currency, minor, offset, status) in enumerate(lines):
                person = people[who]
                line = await uow.ledger.add(person, None, "adjustment", f"t:{n}", minor, currency,
                                            base + timedelta(days=offset), "", None, NOW)
                if status != "approved":
                    pool = paid_statement if status == "paid" else open_statement
                    key = (person, currency)
                    if key not in pool:
                        pool[key] = await uow.ledger.create_statement(person, currency, base, base, None, NOW)
                    assert await uow.ledger.put_on_statement(pool[key], line)
            for statement in paid_statement.values():
                await uow.ledger.mark_paid(statement, "ref", people[0], NOW)
            for i, person in enumerate(people):
                expected: dict[tuple[None, str, str], int] = {}
                expected_all: dict[str, int] = {}
                for who, currency, minor, offset, status in lines:
                    if who != i:
                        continue
                    expected_all[currency] = expected_all.get(currency, 0) + minor
                    if first <= base + timedelta(days=offset) <= last:
                        expected[(None, currency, status)] = expected.get((None, currency, status), 0) + minor
                got = await uow.ledger.totals(person, first, last)
                assert {k: v for k, v in got.items() if v or k in expected} == expected
                assert await uow.ledger.currency_totals(person) == expected_all
                for key, statement in {**paid_statement, **open_statement}.items():
                    if key[0] == person:
                        assert await uow.ledger.statement_total(statement) == sum(
                            m for w, c, m, _, s in lines if w == i and c == key[1]
                            and s == ("paid" if statement in paid_statement.values() else "on_statement"))


def test_log_args_hostile_lines():
    huge = "1h yesterday " + "word " * 100_000 + "end"
    r = parse_log_args(huge, TODAY, PROJECTS)
    assert r.day == TODAY - timedelta(days=1) and len(r.note) <= 500
    with pytest.raises(DateInvalid) as many:  # many dates: the first and the last differ
        parse_log_args("1h 20/11 21/11 22/11 23/11", TODAY, PROJECTS, locale="es")
    assert many.value.reason_key == "hours.error.two_dates"
    for text, key in [("1h 0001-01-01", "hours.error.date_locked"), ("1h 9999-12-31", "hours.error.future_date"),
                      ("1h 31/02", "hours.error.date_unclear"), ("1h 00/00/0000", "hours.error.date_unclear"),
                      ("1h ٢٧/١١", "hours.error.future_date")]:
        with pytest.raises(DateInvalid) as caught:
            parse_log_args(text, TODAY, PROJECTS, locale="es")
        assert caught.value.reason_key == key, text
