"""How far a project is from done and how fast it must go: the burn-down behind /progress. No storage, no chat.

- *Items left*: items not done now (`domain.progress.item_counts`: done = answered by as many experts as the
  item's overlap asks).
- *Left at the end of each day* (the burn-down), worked backwards from now so the last point is exactly today's
  number: left(end of day d) = left now + items finished after d − items imported after d. An item is finished
  when its overlap-th answer arrived. Days are local calendar days in the reader's zone.
- *Current pace*: items finished per day over the last `PACE_DAYS` local days (today included), or over the days
  since the project's first day when it is younger, so a two-day-old project is not judged over a week.
- *Needed pace*: items left / days until the deadline (fractional: a deadline in 12 hours needs twice the items
  per day of one in a day). None without a deadline, once it has passed, or when nothing is left.
"""
from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime, timedelta, timezone

from domain.progress import local_day

PACE_DAYS = 7
AHEAD_DAYS = 14  # how far past today the chart's needed-pace line is drawn when the deadline is later


@dataclass(frozen=True)
class Pace:
    left: int
    remaining: list[tuple[date, int]]  # items left at the end of each shown day, oldest first (today: now)
    current_per_day: float
    needed_per_day: float | None
    deadline: datetime | None
    passed: bool  # the deadline is behind us
    deadline_day: date | None = None  # the deadline's local day, where the chart's needed line reaches 0

    @property
    def state(self) -> str:
        """finished | no_deadline | passed | on_track | behind — which sentence describes the pace."""
        if self.left == 0:
            return "finished"
        if self.deadline is None:
            return "no_deadline"
        if self.passed:
            return "passed"
        return "on_track" if self.needed_per_day is not None and self.current_per_day >= self.needed_per_day \
            else "behind"

    def needed_line(self, today: date) -> list[tuple[date, float]]:
        """The pace-needed line for the chart: from (today, left) down to 0 on the deadline's day, or to where it
        stands `AHEAD_DAYS` from today when the deadline is later. Empty when there is no pace to show."""
        if self.needed_per_day is None or self.deadline_day is None:
            return []
        end = min(self.deadline_day, today + timedelta(days=AHEAD_DAYS))
        days = max((end - today).days, 0)
        if days == 0:
            return [(today, float(self.left)), (today, 0.0)]
        per_day = self.left / (self.deadline_day - today).days
        return [(today, float(self.left)), (end, max(self.left - per_day * days, 0.0))]


def _aware(at: datetime) -> datetime:
    return at.replace(tzinfo=timezone.utc) if at.tzinfo is None else at


def remaining_per_day(left_now: int, finished_at: Iterable[datetime], created_at: Iterable[datetime],
                      days: list[date], tz: str) -> list[tuple[date, int]]:
    """Items left at the end of each of `days` (ascending local days, the last one today)."""
    finished = [local_day(at, tz) for at in finished_at]
    created = [local_day(at, tz) for at in created_at]
    out = []
    for day in days:
        later_done = sum(d > day for d in finished)
        later_new = sum(d > day for d in created)
        out.append((day, max(left_now + later_done - later_new, 0)))
    return out


def pace_window(now: datetime, tz: str, started: datetime | None, days: int = PACE_DAYS) -> tuple[date, int]:
    """(first local day, number of days) a pace is measured over: the last `days` days, today included, or since
    the project's first day when it is younger."""
    today = local_day(now, tz)
    first = today - timedelta(days=days - 1)
    if started is not None:
        first = min(max(first, local_day(started, tz)), today)
    return first, (today - first).days + 1


def current_pace(finished_at: Iterable[datetime], now: datetime, tz: str, started: datetime | None,
                 days: int = PACE_DAYS) -> float:
    """Items finished per day over the pace window (see `pace_window`)."""
    first, span = pace_window(now, tz, started, days)
    today = local_day(now, tz)
    done = sum(first <= local_day(at, tz) <= today for at in finished_at if _aware(at) <= _aware(now))
    return done / span


def needed_pace(left: int, now: datetime, deadline: datetime | None) -> float | None:
    """Items per day needed to finish by `deadline`; None when nothing is left, no deadline or it has passed."""
    if left == 0 or deadline is None:
        return None
    seconds = (_aware(deadline) - _aware(now)).total_seconds()
    if seconds <= 0:
        return None
    return left / (seconds / 86400)


def build_pace(left: int, *, finished_at: list[datetime], created_at: list[datetime], days: list[date],
               now: datetime, tz: str, deadline: datetime | None, started: datetime | None) -> Pace:
    """Everything the burn-down shows. `finished_at` may hold only the finishing moments since the first shown day
    (and `created_at` the items imported since then): older ones change no shown point."""
    deadline = _aware(deadline) if deadline is not None else None
    return Pace(
        left=left,
        remaining=remaining_per_day(left, finished_at, created_at, days, tz),
        current_per_day=current_pace(finished_at, now, tz, started),
        needed_per_day=needed_pace(left, now, deadline),
        deadline=deadline,
        passed=deadline is not None and deadline <= _aware(now),
        deadline_day=local_day(deadline, tz) if deadline is not None else None,
    )
