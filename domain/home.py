"""What a person's home shows (issue 17, point 5), as plain data: no storage, no chat.

An expert's home is their work: drafts, answers this week, earnings this week per currency (ledger lines, integer
minor units), quality per project and what waits for their answer (invitations, availability pings). A manager's or
reviewer's home is what waits for them: answers to review per project, hours to approve, open disputes, and each
project's progress (`domain.progress`, computed once by `handlers.shared.progress_report`).

"This week" is the calendar week holding today in the person's time zone, Monday first (as /earnings and
/timesheet count it); its start is turned into the UTC instant answers are counted from.
"""
from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date, datetime, time, timezone

from domain.dates import week_bounds
from domain.local_time import zone_or_utc
from domain.progress import ProgressReport

REFRESH_SECONDS = 30  # a stale home is republished at most this often: a burst of changes costs one publish


@dataclass(frozen=True)
class Week:
    first: date
    last: date
    since: datetime  # UTC instant the first day begins in the person's zone


def this_week(now: datetime, tz: str) -> Week:
    zone = zone_or_utc(tz)
    first, last = week_bounds(now.astimezone(zone).date())
    return Week(first, last, datetime.combine(first, time.min, tzinfo=zone).astimezone(timezone.utc))


def by_currency(totals: Mapping[tuple, int]) -> dict[str, int]:
    """Ledger totals keyed (project, currency, status) summed per currency, zero sums left out, sorted by code."""
    out: dict[str, int] = {}
    for (_, currency, _), minor in totals.items():
        out[currency] = out.get(currency, 0) + int(minor)
    return {c: out[c] for c in sorted(out) if out[c]}


@dataclass(frozen=True)
class ProjectQuality:
    name: str
    score: float | None  # 0..1; None: not enough data yet


@dataclass(frozen=True)
class ExpertHome:
    drafts: int
    done_this_week: int
    earned_this_week: dict[str, int]  # currency → minor units
    quality: list[ProjectQuality]
    invites: int
    pings: int


@dataclass(frozen=True)
class ProjectStatus:
    name: str
    to_review: int
    report: ProgressReport | None = None  # None: the reader does not see this project's progress (a reviewer)
    deadline: datetime | None = None


@dataclass(frozen=True)
class StaffHome:
    projects: list[ProjectStatus] = field(default_factory=list)
    hours_waiting: tuple[int, int] | None = None  # (entries, minutes); None: not shown (a reviewer)
    disputes: int | None = None

    @property
    def to_review(self) -> int:
        return sum(p.to_review for p in self.projects)
