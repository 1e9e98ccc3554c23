"""Ranking eligible experts for a project: who a manager should invite first.

Each factor is a number from 0 to 1; the rank score is their weighted sum (weights below), ties broken by the
person id so a ranking is stable. The factors:

- qualification: the level held for what the project requires (or its domain), out of 5;
- quality: the expert's quality score on this project when they have one, else a neutral 0.5;
- free hours: declared weekly hours minus hours worked in the last 7 days, out of 20 (20 h or more free is 1);
- languages: the share of the project's languages the expert speaks (1 when the project names none);
- time zone: the expert's local working hours (09:00–18:00, Monday to Friday) left before the deadline, out of
  40 (1 without a deadline). Someone whose working day has already ended when the deadline falls gets less.

Eligibility itself (domain, languages, requires) is `domain.eligibility.ineligibility`; this module only orders.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from domain.eligibility import language_codes
from domain.timezones import valid_timezone

WEIGHTS = {"qualification": 0.35, "quality": 0.25, "hours": 0.2, "languages": 0.1, "timezone": 0.1}
FULL_FREE_HOURS = 20.0
FULL_WORKING_HOURS = 40.0
WORK_START, WORK_END = 9, 18
MAX_SCAN_HOURS = 24 * 21  # beyond three weeks a deadline is "far" for everyone


@dataclass(frozen=True)
class Candidate:
    person_id: int
    name: str
    level: int  # qualification level held for the project's requirement (0 = none)
    quality: float | None  # 0..1, None when the expert has no score yet
    weekly_hours: float
    hours_used: float  # in the last 7 days
    languages: list[str] = field(default_factory=list)  # as typed in the profile
    timezone: str | None = None


@dataclass(frozen=True)
class Ranked:
    candidate: Candidate
    score: float
    factors: dict[str, float]

    @property
    def free_hours(self) -> float:
        return max(0.0, self.candidate.weekly_hours - self.candidate.hours_used)


def working_hours_before(tz: str | None, now: datetime, deadline: datetime | None) -> float:
    """Hours of local working time (Mon–Fri 09–18) between now and the deadline, at most three weeks' worth."""
    if deadline is None:
        return FULL_WORKING_HOURS
    if deadline <= now:
        return 0.0
    zone = ZoneInfo(tz) if tz and valid_timezone(tz) else ZoneInfo("UTC")
    hours = 0.0
    t = now.replace(minute=0, second=0, microsecond=0)
    end = min(deadline, now + timedelta(hours=MAX_SCAN_HOURS))
    while t < end:
        local = t.astimezone(zone)
        if local.weekday() < 5 and WORK_START <= local.hour < WORK_END:
            start = max(t, now)
            stop = min(t + timedelta(hours=1), end)
            hours += max(0.0, (stop - start).total_seconds() / 3600)
        t += timedelta(hours=1)
    return hours


def factors(c: Candidate, project_languages: list[str], now: datetime, deadline: datetime | None) -> dict[str, float]:
    wanted = {lang.split("-")[0].lower() for lang in project_languages}
    spoken = language_codes(c.languages)
    return {
        "qualification": min(max(c.level, 0), 5) / 5,
        "quality": 0.5 if c.quality is None else min(max(c.quality, 0.0), 1.0),
        "hours": min(max(c.weekly_hours - c.hours_used, 0.0) / FULL_FREE_HOURS, 1.0),
        "languages": 1.0 if not wanted else len(wanted & spoken) / len(wanted),
        "timezone": min(working_hours_before(c.timezone, now, deadline) / FULL_WORKING_HOURS, 1.0),
    }


def rank(candidates: list[Candidate], project_languages: list[str], now: datetime,
         deadline: datetime | None) -> list[Ranked]:
    """Best first; equal scores keep the lower person id first."""
    ranked = []
    for c in candidates:
        f = factors(c, project_languages, now, deadline)
        ranked.append(Ranked(c, round(sum(WEIGHTS[k] * v for k, v in f.items()), 6), f))
    return sorted(ranked, key=lambda r: (-r.score, r.candidate.person_id))
