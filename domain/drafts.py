"""What a person reads to tell their task drafts and answers apart: a prompt cut short at a word, how far a draft
got, and when its time runs out (in their own zone, in words where words are natural).

Pure rules: no chat, no storage. `/drafts` and the review notices use them (handlers.tasks, handlers.review).
"""
from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from typing import Any, Iterable, Literal

from domain.local_time import zone_or_utc
from domain.questions import Condition

def _answered(value: Any) -> bool:
    return value not in (None, "", [])


def applies(show_if: Iterable[Condition], values: dict[str, Any]) -> bool:
    """Whether a question is asked, given the answers so far (the same rule as the form's `FieldSpec.applies`)."""
    for name, allowed in show_if:
        value = values.get(name)
        if allowed is None and not _answered(value):
            return False
        if allowed is not None and value not in allowed:
            return False
    return True


@dataclass(frozen=True)
class DraftProgress:
    answered: int  # questions asked for these answers that have one
    total: int  # questions asked for these answers
    ready: bool  # nothing required is missing, or the draft waits at its summary: only Submit is left


def draft_progress(questions: Iterable[Any], values: dict[str, Any], at_summary: bool) -> DraftProgress:
    """How far a draft got. `questions` have `name`, `required` and `show_if` (domain.questions); a question that
    an earlier answer rules out counts for nothing. A draft at its summary is ready whatever the count says (a
    summary is only reached with every required answer given)."""
    asked = [q for q in questions if applies(q.show_if, values)]
    answered = sum(1 for q in asked if _answered(values.get(q.name)))
    complete = all(_answered(values.get(q.name)) for q in asked if q.required)
    return DraftProgress(answered=answered, total=len(asked), ready=at_summary or complete)


ExpiryKind = Literal["ended", "minutes", "today", "tomorrow", "later"]


@dataclass(frozen=True)
class Expiry:
    """When a lease ends, as a person would say it: in N minutes (within the hour), today / tomorrow at a time
    (their zone's calendar), or on a date."""

    kind: ExpiryKind
    minutes: int = 0


def lease_expiry(ends_at: datetime, now: datetime, tz: str | None) -> Expiry:
    ends_at, now = (t if t.tzinfo else t.replace(tzinfo=timezone.utc) for t in (ends_at, now))
    left = ends_at - now
    if left <= timedelta(0):
        return Expiry("ended")
    if left < timedelta(hours=1):
        return Expiry("minutes", minutes=min(59, max(1, math.ceil(left.total_seconds() / 60))))  # never "in 60 minutes"
    zone = zone_or_utc(tz)
    days = (ends_at.astimezone(zone).date() - now.astimezone(zone).date()).days
    return Expiry("today" if days == 0 else "tomorrow" if days == 1 else "later")
