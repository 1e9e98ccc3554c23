"""Progress: the pure report against hand-computed fixtures, the chart (a real PNG, drawn off the event loop),
and the progress queries on both storage backends."""
from __future__ import annotations

import asyncio
import json
import statistics
import struct
import threading
from datetime import date, datetime, timedelta, timezone
from pathlib import Path

import pytest

from handlers.shared.charts import PNG_SIGNATURE, burn_down_chart, render_burn_down
from domain.progress import (
    Agreement, agreement, answers_per_day, build_report, item_counts, local_day, median, window_start,
)
from domain.project_spec import parse_project_spec

SPECS = Path(__file__).resolve().parent / "data" / "specs"
UTC = timezone.utc
BERLIN = "Europe/Berlin"


def spec(stem: str):
    path = next(SPECS.glob(stem + ".*"))
    return parse_project_spec(path.read_bytes(), path.name)


def utc(*args) -> datetime:
    return datetime(*args, tzinfo=UTC)


# items ----------------------------------------------------------------------------------------------------


def test_items_done_in_progress_waiting_from_grouped_rows():
    groups = [
        {"overlap": 3, "filled": 3, "answered": 3, "n": 4},   # done
        {"overlap": 3, "filled": 3, "answered": 4, "n": 1},   # done (a late extra answer)
        {"overlap": 3, "filled": 2, "answered": 1, "n": 2},   # one answered, one held: in progress
        {"overlap": 3, "filled": 1, "answered": 0, "n": 3},   # held, nobody answered yet: in progress
        {"overlap": 3, "filled": 0, "answered": 1, "n": 5},   # answered once, slot free again: in progress
        {"overlap": 3, "filled": 0, "answered": 0, "n": 7},   # untouched: waiting
        {"overlap": 4, "filled": 3, "answered": 3, "n": 1},   # overlap raised after disagreement: not done
    ]
    counts = item_counts(groups, answering_now=6)
    assert (counts.done, counts.in_progress, counts.waiting, counts.total) == (5, 11, 7, 23)
    assert counts.answering_now == 6
    # one row per item (no `n`) counts each once
    single = item_counts([{"overlap": 1, "filled": 1, "answered": 1}, {"overlap": 1, "filled": 0, "answered": 0}])
    assert (single.done, single.in_progress, single.waiting) == (1, 0, 1)


# answers per day ------------------------------------------------------------------------------------------


def test_answers_per_day_across_spring_forward_in_berlin():
    # 29 March 2026: Berlin clocks jump from 02:00 CET to 03:00 CEST; that day lasts 23 hours,
    # from 2026-03-28 23:00 UTC to 2026-03-29 22:00 UTC.
    times = [
        utc(2026, 3, 27, 22, 59),  # 23:59 CET on the 27th: before the window
        utc(2026, 3, 27, 23, 0),   # 00:00 CET on the 28th
        utc(2026, 3, 28, 22, 59),  # 23:59 CET on the 28th
        utc(2026, 3, 28, 23, 0),   # 00:00 CET on the 29th
        utc(2026, 3, 29, 0, 59),   # 01:59 CET, just before the jump
        utc(2026, 3, 29, 1, 0),    # 03:00 CEST, just after it
        utc(2026, 3, 29, 21, 59),  # 23:59 CEST on the 29th
        utc(2026, 3, 29, 22, 0),   # 00:00 CEST on the 30th
        datetime(2026, 3, 30, 9, 0),  # naive: storage time is UTC
    ]
    days = answers_per_day(times, BERLIN, today=date(2026, 3, 30), days=3)
    assert days == [(date(2026, 3, 28), 2), (date(2026, 3, 29), 4), (date(2026, 3, 30), 2)]
    # In UTC the same answers fall on other days: the zone matters.
    assert answers_per_day(times, "UTC", today=date(2026, 3, 30), days=3) == [
        (date(2026, 3, 28), 2), (date(2026, 3, 29), 4), (date(2026, 3, 30), 1)]


def test_answers_per_day_across_fall_back_in_berlin():
    # 25 October 2026 lasts 25 hours in Berlin: 2026-10-24 22:00 UTC to 2026-10-25 23:00 UTC.
    times = [utc(2026, 10, 24, 21, 59), utc(2026, 10, 24, 22, 0), utc(2026, 10, 25, 0, 30), utc(2026, 10, 25, 1, 30),
             utc(2026, 10, 25, 22, 59), utc(2026, 10, 25, 23, 0)]
    days = answers_per_day(times, BERLIN, today=date(2026, 10, 26), days=3)
    assert days == [(date(2026, 10, 24), 1), (date(2026, 10, 25), 4), (date(2026, 10, 26), 1)]


def test_fourteen_days_end_today_oldest_first_with_zeros():
    now = utc(2026, 3, 30, 10, 0)
    days = answers_per_day([now - timedelta(days=13), now - timedelta(days=14), now], BERLIN,
                           today=local_day(now, BERLIN))
    assert len(days) == 14
    assert days[0] == (date(2026, 3, 17), 1) and days[-1] == (date(2026, 3, 30), 1)
    assert sum(n for _, n in days) == 2
    assert all(n == 0 for _, n in days[1:-1])


@pytest.mark.parametrize("now", [utc(2026, 3, 30, 10, 0), utc(2026, 3, 29, 22, 30), utc(2026, 10, 26, 5, 0),
                                 utc(2026, 1, 1, 0, 0)])
@pytest.mark.parametrize("tz", [BERLIN, "UTC", "America/Santiago", "Pacific/Kiritimati", "America/Los_Angeles"])
def test_window_start_is_no_later_than_the_first_shown_local_midnight(now, tz):
    start = window_start(now, tz, days=14)
    first = local_day(now, tz) - timedelta(days=13)
    assert local_day(start, tz) <= first
    assert local_day(start + timedelta(hours=3), tz) >= first - timedelta(days=1)  # not a whole day too early
    assert start.tzinfo is not None


def test_local_day_in_the_managers_zone():
    assert local_day(utc(2026, 3, 29, 22, 0), BERLIN) == date(2026, 3, 30)
    assert local_day(utc(2026, 3, 29, 22, 0), "America/New_York") == date(2026, 3, 29)


# median ---------------------------------------------------------------------------------------------------


def test_median():
    assert median([]) is None
    assert median([42]) == 42
    assert median([300, 100, 200]) == 200
    assert median([400, 100, 300, 200]) == 250
    assert median([90, 100, 200, 300, 400, 500]) == 250


# agreement ------------------------------------------------------------------------------------------------


def labels(*names: str) -> dict:
    return {"labels": list(names), "comment": None}


def test_labeling_agreement_hand_computed():
    # Item 1: A, A, B; item 2: C, C; item 3 has one answer (cannot be compared).
    # Coincidences: o_AA = 1, o_AB = o_BA = 1, o_CC = 2; n_A = 2, n_B = 1, n_C = 2, n = 5.
    # alpha = 1 - (n - 1) * 2 / (2 * (2*1 + 2*2 + 1*2)) = 1 - 8/16 = 0.5
    # percent: item 1 has 2 agreeing ordered pairs of 6 (1/3), item 2 all (1): mean 2/3.
    a = labels("card_fraud", "fees")
    answers = {1: [a, labels("fees", "card_fraud"), labels("card_fraud")],
               2: [labels("account_access"), labels("account_access")], 3: [labels("loan")]}
    result = agreement(spec("labeling_finance"), answers)
    assert result == Agreement(items=2, alpha=pytest.approx(0.5), level="nominal", percent=pytest.approx(2 / 3))


def scores(accuracy: int, safety: str = "safe", completeness: int = 3) -> dict:
    return {"scores": {"accuracy": accuracy, "safety": safety, "completeness": completeness}, "justification": "x"}


def test_rating_agreement_per_criterion_at_the_level_of_its_scale():
    # accuracy: item 1 [4, 4], item 2 [2, 4], item 3 [2, 2]. o_44 = 2, o_24 = o_42 = 1, o_22 = 2;
    # n_2 = n_4 = 3, n = 6, delta^2(2, 4) = 4. alpha = 1 - 5 * (2 * 4) / (2 * 3 * 3 * 4) = 1 - 40/72 = 4/9.
    # safety (named, ordinal): everyone said "safe", so alpha is undefined and percent agreement 1.
    # completeness: item 2 [3, 1], the others [3, 3]: interval alpha 1 - 5 * 2 * 4 / (2 * 5 * 1 * 4) = 0.
    answers = {1: [scores(4), scores(4)], 2: [scores(2), scores(4, completeness=1)], 3: [scores(2), scores(2)]}
    result = agreement(spec("rating_medicine"), answers)
    by_id = {c.criterion: c for c in result.criteria}
    assert [c.criterion for c in result.criteria] == ["accuracy", "safety", "completeness"]
    assert [c.label for c in result.criteria] == ["Accuracy", "Safety", "Completeness"]
    assert [c.level for c in result.criteria] == ["interval", "ordinal", "interval"]
    assert by_id["accuracy"].alpha == pytest.approx(4 / 9) and by_id["accuracy"].percent == pytest.approx(2 / 3)
    assert by_id["safety"].alpha is None and by_id["safety"].percent == 1.0
    assert by_id["completeness"].alpha == pytest.approx(0.0) and by_id["completeness"].percent == pytest.approx(2 / 3)
    # the summary: alpha's mean over the criteria where it is defined, percent's over every criterion
    assert result.summary == "mean" and result.mean_of == 2 and result.level == "interval" and result.items == 3
    assert result.alpha == pytest.approx((4 / 9 + 0) / 2)
    assert result.percent == pytest.approx((2 / 3 + 1 + 2 / 3) / 3)


def test_a_criterion_that_disagrees_is_not_hidden_by_one_that_does_not():
    """Issue 18.6: every expert agreed on the first criterion, so "alpha is not defined" was said of the project
    while another criterion disagreed (`krippendorff` gives −0.193 for these answers: tests/test_reference_stats.py)."""
    answers = {i: [scores(4, "safe", c) for c in group] for i, group in
               enumerate([[3, 4, 3, 2], [2, 4, 3, 3], [4, 3, 2, 4]], start=1)}
    result = agreement(spec("rating_medicine"), answers)
    by_id = {c.criterion: c for c in result.criteria}
    assert by_id["accuracy"].alpha is None  # 4 from everyone
    assert by_id["completeness"].alpha == pytest.approx(-0.19277108433734957, abs=1e-15)
    assert result.alpha == by_id["completeness"].alpha


def test_named_levels_are_ordinal_in_the_scale_s_order_not_alphabetical():
    # borderline sits between unsafe and safe: unsafe/borderline disagree less than unsafe/safe
    near = agreement(spec("rating_medicine"), {1: [scores(4, "unsafe"), scores(4, "borderline")],
                                               2: [scores(4, "safe"), scores(4, "safe")]})
    far = agreement(spec("rating_medicine"), {1: [scores(4, "unsafe"), scores(4, "safe")],
                                              2: [scores(4, "borderline"), scores(4, "borderline")]})
    near_safety = next(c for c in near.criteria if c.criterion == "safety")
    far_safety = next(c for c in far.criteria if c.criterion == "safety")
    assert near_safety.level == "ordinal" and near_safety.alpha > far_safety.alpha


def test_ranking_agreement_is_ordinal_on_the_ranks_each_response_got():
    order = lambda *groups: {"order": [list(g) for g in groups], "justification": "x"}  # noqa: E731
    same = agreement(spec("ranking_software"), {1: [order("a", "c", "b"), order("a", "c", "b")],
                                                2: [order("b", "a", "c"), order("b", "a", "c")]})
    assert same.level == "ordinal" and same.alpha == pytest.approx(1.0) and same.percent == 1.0
    close = agreement(spec("ranking_software"), {1: [order("a", "c", "b"), order("c", "a", "b")],
                                                 2: [order("b", "a", "c"), order("b", "a", "c")]})
    assert 0 < close.alpha < 1 and close.percent == pytest.approx(0.5)  # whole orders: item 1 differs


def test_pairwise_agreement_is_ordinal():
    pref = lambda p: {"preference": p, "justification": "x"}  # noqa: E731
    answers = {1: [pref("a_much_better"), pref("a_better")], 2: [pref("b_better"), pref("b_better")]}
    result = agreement(spec("pairwise_law"), answers)
    assert result.level == "ordinal" and result.items == 2
    assert result.percent == pytest.approx(1.0)  # the same direction both times
    assert 0 < result.alpha < 1  # ranks differ a little on item 1


def test_pairwise_criterion_preferences_are_measured_beside_the_overall_one():
    pref = lambda p, law: {"preference": p, "criteria_preferences": {"legal_accuracy": law}}  # noqa: E731
    answers = {1: [pref("a_better", "a_better"), pref("a_better", "b_better")],
               2: [pref("b_better", "b_better"), pref("b_better", "a_better")]}
    result = agreement(spec("pairwise_law"), answers)
    assert result.percent == 1.0 and result.alpha == pytest.approx(1.0)  # the overall preference is the summary
    (law,) = result.criteria  # actionability was never answered, so it is not listed
    assert law.criterion == "legal_accuracy" and law.label and law.level == "ordinal"
    assert law.percent == 0.0 and law.alpha < 0


def test_agreement_without_overlap_or_variation_or_for_rewrites():
    assert agreement(spec("labeling_finance"), {}) == Agreement(items=0, alpha=None, level="nominal", percent=None)
    same = agreement(spec("labeling_finance"), {1: [labels("fees"), labels("fees")], 2: [labels("fees")] * 3})
    assert same.items == 2 and same.alpha is None and same.percent == 1.0
    assert agreement(spec("rewrite_finance"), {1: [{"text": "a"}, {"text": "b"}]}) is None


def test_build_report_puts_the_parts_together():
    now = utc(2026, 3, 30, 10, 0)
    report = build_report(
        spec("labeling_finance"), item_rows=[{"overlap": 3, "filled": 3, "answered": 3, "n": 2}],
        answering_now=0, submitted=[utc(2026, 3, 29, 22, 0), utc(2026, 3, 29, 21, 0)], middle_seconds=[200, 300],
        experts_active=3, answers_by_item={}, now=now, tz=BERLIN)
    assert report.items.done == 2
    assert report.per_day[-2:] == [(date(2026, 3, 29), 1), (date(2026, 3, 30), 1)]
    assert report.answers_shown == 2 and report.median_seconds == 250 and report.experts_active == 3
    assert report.agreement.items == 0


# the chart ------------------------------------------------------------------------------------------------


def png_size(data: bytes) -> tuple[int, int]:
    assert data[:8] == PNG_SIGNATURE
    assert data[12:16] == b"IHDR"
    return struct.unpack(">II", data[16:24])


LEGEND = ("items left", "pace needed")


def test_chart_is_a_png_of_the_fixed_size():
    labels = [f"{d} mar" for d in range(17, 31)]
    data = render_burn_down(labels + ["31 mar", "1 abr"], [9, 9, 8, 8, 8, 7, 7, 5, 5, 5, 4, 4, 4, 3],
                            [(13, 3.0), (15, 0.0)], "Elementos pendientes por día", "Elementos", LEGEND)
    assert png_size(data) == (640, 320)
    assert data.rstrip(b"\x00").endswith(b"IEND\xaeB`\x82")  # a complete file
    no_pace = render_burn_down(["a", "b"], [0, 0], [], "t", "y", LEGEND)
    assert png_size(no_pace) == (640, 320)
    many = render_burn_down([str(i) for i in range(28)], [5] * 14, [(13, 5.0), (27, 1.0)], "t", "y", LEGEND)
    assert png_size(many) == (640, 320)


def test_chart_refuses_mismatched_labels():
    with pytest.raises(ValueError):
        render_burn_down(["a"], [1, 2], [], "t", "y", LEGEND)
    with pytest.raises(ValueError):
        render_burn_down(["a", "b"], [1, 2], [(1, 2.0), (2, 0.0)], "t", "y", LEGEND)


async def test_chart_is_drawn_in_a_worker_thread_and_the_loop_keeps_running():
    loop_thread = threading.current_thread()
    seen: list[threading.Thread] = []

    def watched(*args):
        seen.append(threading.current_thread())
        return render_burn_down(*args)

    ticks = 0
    stop = asyncio.Event()

    async def ticker():
        nonlocal ticks
        while not stop.is_set():
            ticks += 1
            await asyncio.sleep(0.005)

    running = asyncio.create_task(ticker())
    try:
        data = await burn_down_chart(["1", "2", "3"], [3, 2, 2], [(2, 2.0), (2, 0.0)], "Items left", "Items",
                                     LEGEND, render=watched)
    finally:
        stop.set()
        await running
    assert png_size(data) == (640, 320)
    assert len(seen) == 1 and seen[0] is not loop_thread and seen[0] is not threading.main_thread()
    assert ticks >= 2  # the event loop ran other work while the chart was drawn


async def test_default_renderer_runs_through_the_worker_too():
    data = await burn_down_chart(["x"], [1], [], "t", "y", LEGEND)
    assert png_size(data) == (640, 320)


# the queries, on SQLite and PostgreSQL ------------------------------------------------------------------------


async def _setup(db, seconds: list[int], when: list[datetime]):
    from storage.uow import UnitOfWork
    from tests.flows.tasks_data import labeling_project

    now = utc(2026, 3, 30, 10, 0)
    async with db.transaction() as tx:
        uow = UnitOfWork(tx)
        project, people = await labeling_project(uow, len(seconds), now)
        for i, (secs, at) in enumerate(zip(seconds, when)):
            person = people[i % 3]
            held = await uow.assignments.claim(person, project.id, False, at, timedelta(hours=1))
            assert held is not None
            await uow.submissions.add(held, json.dumps(labels("fees")), secs, False, at)
        # one more person holds an item now, another held one whose lease ran out
        extra = (await uow.people.create("holder", now)).id
        await uow.assignments.claim(extra, project.id, False, now - timedelta(minutes=5), timedelta(hours=1))
        stale = (await uow.people.create("stale", now)).id
        await uow.assignments.claim(stale, project.id, False, now - timedelta(hours=3), timedelta(hours=1))
    return project.id, people, now


@pytest.mark.parametrize("count", [1, 2, 5, 6])
async def test_middle_seconds_give_the_median_of_all(db, count):
    from storage.repos.progress import Progress

    seconds = [700, 30, 400, 30, 95, 1200][:count]
    base = utc(2026, 3, 20, 12, 0)
    project_id, _, _ = await _setup(db, seconds, [base + timedelta(hours=i) for i in range(count)])
    async with db.transaction() as tx:
        middle = await Progress(tx).middle_seconds(project_id)
    assert len(middle) == (1 if count % 2 else 2)
    assert median(middle) == statistics.median(seconds)


async def test_progress_queries(db):
    from storage.repos.progress import Progress

    when = [utc(2026, 3, 10, 12), utc(2026, 3, 28, 22, 59), utc(2026, 3, 28, 23, 0), utc(2026, 3, 29, 21, 59),
            utc(2026, 3, 30, 9, 0)]
    project_id, people, now = await _setup(db, [10, 20, 30, 40, 50], when)
    async with db.transaction() as tx:
        repo = Progress(tx)
        groups = await repo.item_groups(project_id)
        counts = item_counts(groups, await repo.answering_now(project_id, now))
        assert sum(g["n"] for g in groups) == 5
        # overlap 3, claims take the lowest item: x0 has three answers (done); x1 two answers and a live holder;
        # x2 is held by a lease that ran out but was not swept yet (in progress); x3 and x4 wait
        assert (counts.done, counts.in_progress, counts.waiting) == (1, 2, 2)
        assert counts.answering_now == 1
        since = window_start(now, BERLIN)
        got = await repo.submitted_since(project_id, since)
        assert [t.astimezone(UTC) for t in got] == when[1:]  # the answer of 10 March is older than 14 days
        assert answers_per_day(got, BERLIN, local_day(now, BERLIN))[-3:] == [
            (date(2026, 3, 28), 1), (date(2026, 3, 29), 2), (date(2026, 3, 30), 1)]
        # people[0] answered on 10 March and 29 March, people[1] on 28 March and 30 March, people[2] on 28 March
        assert await repo.experts_active(project_id, now - timedelta(days=7)) == 3
        assert await repo.experts_active(project_id, utc(2026, 3, 29, 0, 0)) == 2
        assert await repo.experts_active(project_id, now + timedelta(minutes=1)) == 0
        assert await repo.middle_seconds(project_id) == [30]
        assert await repo.item_groups(project_id + 999) == []
        assert await repo.middle_seconds(project_id + 999) == []


async def test_agreement_reads_every_item_s_trainable_answers(db):
    """Issue 18.6: agreement uses the answers the training exports use (rejected and sent-back ones are not),
    on every item, with no cap."""
    from storage.uow import UnitOfWork

    base = utc(2026, 3, 20, 12, 0)
    project_id, _, _ = await _setup(db, [10] * 5, [base + timedelta(hours=i) for i in range(5)])
    async with db.transaction() as tx:
        subs = await tx.fetch("SELECT s.id, t.external_id FROM submissions s JOIN tasks t ON t.id = s.task_id"
                              " ORDER BY s.id")
        assert [r["external_id"] for r in subs] == ["x0", "x0", "x0", "x1", "x1"]
        await tx.execute("UPDATE submissions SET review_state = 'rejected' WHERE id = $1", subs[0]["id"])
        await tx.execute("UPDATE submissions SET review_state = 'approved' WHERE id = $1", subs[1]["id"])
        await tx.execute("UPDATE submissions SET review_state = 'rework' WHERE id = $1", subs[3]["id"])
        grouped = await UnitOfWork(tx).quality.answers_by_item(project_id)
        x0 = await tx.fetchval("SELECT task_id FROM submissions WHERE id = $1", subs[0]["id"])
    # x0 keeps its approved and its unreviewed answer; x1 is left with one answer, nothing to compare
    assert list(grouped) == [x0] and len(grouped[x0]) == 2


def test_an_unknown_zone_counts_days_in_utc():
    now = utc(2026, 3, 29, 23, 30)
    assert local_day(now, "Mars/Olympus_Mons") == date(2026, 3, 29)
    assert window_start(now, "Mars/Olympus_Mons", days=1) <= utc(2026, 3, 29, 0, 0)
    assert answers_per_day([now], "", today=date(2026, 3, 29), days=1) == [(date(2026, 3, 29), 1)]
