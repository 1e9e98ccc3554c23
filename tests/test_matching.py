"""Ranking candidates for a project: each factor, their weights, and stable order."""
from __future__ import annotations

from datetime import datetime, timedelta, timezone

from domain.matching import Candidate, factors, rank, working_hours_before

MONDAY_6_UTC = datetime(2026, 3, 2, 6, tzinfo=timezone.utc)


def cand(pid: int, **kw) -> Candidate:
    base = dict(person_id=pid, name=f"p{pid}", level=2, quality=None, weekly_hours=10, hours_used=0,
                languages=["English"], timezone="UTC")
    return Candidate(**{**base, **kw})


def test_each_factor():
    f = factors(cand(1, level=5, quality=0.9, weekly_hours=30, hours_used=5, languages=["English", "es"]),
                ["en", "es-MX"], MONDAY_6_UTC, None)
    assert f == {"qualification": 1.0, "quality": 0.9, "hours": 1.0, "languages": 1.0, "timezone": 1.0}
    g = factors(cand(2, level=0, weekly_hours=8, hours_used=12, languages=["English"]), ["en", "es"], MONDAY_6_UTC, None)
    assert g["qualification"] == 0 and g["quality"] == 0.5 and g["hours"] == 0 and g["languages"] == 0.5


def test_higher_level_and_quality_rank_first_and_ties_are_stable():
    ranked = rank([cand(3), cand(1), cand(2, level=4), cand(4, quality=0.95)], [], MONDAY_6_UTC, None)
    assert [r.candidate.person_id for r in ranked] == [2, 4, 1, 3]
    assert ranked[0].score > ranked[1].score > ranked[2].score == ranked[3].score


def test_free_hours_count_what_is_not_used_yet():
    busy, free = cand(1, weekly_hours=20, hours_used=19), cand(2, weekly_hours=20, hours_used=0)
    assert [r.candidate.person_id for r in rank([busy, free], [], MONDAY_6_UTC, None)] == [2, 1]
    assert rank([busy], [], MONDAY_6_UTC, None)[0].free_hours == 1


def test_time_zone_overlap_with_the_deadline():
    deadline = MONDAY_6_UTC + timedelta(hours=12)  # Monday 18:00 UTC
    assert working_hours_before("UTC", MONDAY_6_UTC, deadline) == 9  # 09:00–18:00 UTC
    assert working_hours_before("Asia/Tokyo", MONDAY_6_UTC, deadline) == 3  # 15:00–18:00 JST is 06:00–09:00 UTC
    assert working_hours_before("America/New_York", MONDAY_6_UTC, deadline) == 4  # 09:00–13:00 EST = 14–18 UTC
    assert working_hours_before("UTC", MONDAY_6_UTC, MONDAY_6_UTC - timedelta(hours=1)) == 0
    assert working_hours_before("Not/AZone", MONDAY_6_UTC, deadline) == 9  # unknown zones read as UTC
    tokyo, london = cand(1, timezone="Asia/Tokyo"), cand(2, timezone="Europe/London")
    assert [r.candidate.person_id for r in rank([tokyo, london], [], MONDAY_6_UTC, deadline)] == [2, 1]
    assert rank([tokyo, london], [], MONDAY_6_UTC, None)[0].candidate.person_id == 1  # no deadline: a tie, by id
