"""Per-expert throughput and the fast-answer threshold (domain.throughput), and agreement week by week
(domain.agreement_weeks), against hand-computed cases. "Throughput" here is a figure of the managers' progress
report (an expert's answers a day and an hour, from stored rows), not a speed measurement of the bot: nothing
here is timed; the bot's speed is measured under bench/."""
from __future__ import annotations

from datetime import date, datetime, timezone
from pathlib import Path

import pytest

from domain.agreement_weeks import by_week, first_monday
from domain.project_spec import parse_project_spec
from domain.throughput import fast_experts, fast_threshold, throughput

SPECS = Path(__file__).resolve().parent / "data" / "specs"


def spec(stem: str):
    path = next(SPECS.glob(stem + ".*"))
    return parse_project_spec(path.read_bytes(), path.name)


def test_fast_threshold_from_the_spec_else_a_third_of_the_median():
    assert fast_threshold(150, 900.0) == 150  # the spec decides even when the median says otherwise
    assert fast_threshold(None, 250.0) == 83
    assert fast_threshold(None, 90.0) == 30
    assert fast_threshold(None, 1.0) == 1  # never zero: an answer of 0 s is always implausible
    assert fast_threshold(None, None) is None  # no answers: nothing to compare with
    assert fast_threshold(20, None) == 20


def test_throughput_per_day_and_per_hour_on_task():
    rows = [{"person_id": 7, "answers": 2, "recent": 2, "seconds": 500, "fast": 1},
            {"person_id": 3, "answers": 6, "recent": 3, "seconds": 3600, "fast": 0},
            {"person_id": 5, "answers": 2, "recent": 0, "seconds": 0, "fast": 2}]
    got = throughput(rows, 7)
    assert [t.person_id for t in got] == [3, 5, 7]  # most answers first, ties by id
    assert got[0].per_day == pytest.approx(3 / 7) and got[0].per_hour == pytest.approx(6.0)
    assert got[2].per_hour == pytest.approx(14.4)  # 2 answers in 500 s
    assert got[1].per_hour is None and got[1].per_day == 0  # no time recorded: no rate, not a division by zero
    assert [(t.person_id, t.fast) for t in fast_experts(got)] == [(5, 2), (7, 1)]


def test_zero_and_one_answer():
    assert throughput([], 7) == [] and fast_experts([]) == []
    one = throughput([{"person_id": 1, "answers": 1, "recent": 1, "seconds": 60, "fast": 0}], 1)
    assert one[0].per_day == 1 and one[0].per_hour == pytest.approx(60.0) and fast_experts(one) == []
    assert throughput([{"person_id": 1, "answers": 1, "recent": 1, "seconds": 60, "fast": 0}], 0)[0].per_day == 1


def labels(*names):
    return {"labels": list(names), "comment": None}


def row(task_id, answer, *at):
    return {"task_id": task_id, "answer": answer, "submitted_at": datetime(*at, tzinfo=timezone.utc)}


def test_agreement_by_week_counts_an_item_in_the_week_of_its_latest_answer():
    labeling = spec("labeling_finance")
    rows = [
        row(1, labels("fees"), 2026, 3, 16, 9), row(1, labels("fees"), 2026, 3, 17, 9),  # week of 16 March
        row(2, labels("fees"), 2026, 3, 18, 9), row(2, labels("loan"), 2026, 3, 24, 9),  # its latest: 24 March
        row(3, labels("loan"), 2026, 3, 25, 9), row(3, labels("loan"), 2026, 3, 26, 9),
        row(4, labels("loan"), 2026, 3, 27, 9),  # one answer: not compared
        row(5, labels("fees"), 2026, 1, 5, 9), row(5, labels("fees"), 2026, 1, 6, 9),  # older than six weeks
    ]
    got = by_week(labeling, rows, "UTC", date(2026, 3, 30))
    assert [(w.monday, w.items) for w in got] == [(date(2026, 3, 16), 1), (date(2026, 3, 23), 2)]
    assert got[0].percent == 1.0 and got[0].alpha is None  # one item, both the same: alpha undefined
    assert got[1].percent == pytest.approx(0.5)  # item 2 disagrees, item 3 agrees


def test_agreement_by_week_edges():
    assert by_week(spec("rewrite_finance"), [], "UTC", date(2026, 3, 30)) is None  # rewrites are not compared
    assert by_week(spec("labeling_finance"), [], "UTC", date(2026, 3, 30)) == []  # no answers yet
    assert first_monday(date(2026, 3, 30)) == date(2026, 2, 23)
    assert first_monday(date(2026, 4, 5), weeks=1) == date(2026, 3, 30)  # a Sunday belongs to its Monday's week
