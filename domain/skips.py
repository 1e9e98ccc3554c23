"""Skipping a task, and taking a skip back: the reason kept with it, and when an Undo may still give the item back.

Pure rules; the claim on the item's slot itself is storage's (`Assignments.unskip`), which also refuses when the
item filled up meanwhile (its freed slot went to someone else).
"""
from __future__ import annotations

from datetime import datetime, timezone

OTHER = "other"
REASON_CHARS = 500


def skip_reason(code: str, note: str | None) -> str:
    """What is stored with the skip (and shown to managers): the reason's code, with the person's own words after
    "other: " when they gave some."""
    note = " ".join((note or "").split())[:REASON_CHARS]
    return f"{code}: {note}" if note else code


def undo_refusal(status: str, lease_expires_at: datetime, now: datetime, holds_another: bool) -> str | None:
    """Why an Undo on a skip cannot give the item back (a catalog key), or None when it may try.

    `status` is the assignment's now: "active" means the skip was undone already (a double tap: nothing more to
    do). The lease is not lengthened by a skip: once it ended, the item is not this person's to take back. One
    task in hand at a time, as /next gives them: with another one in hand, that one comes first.
    """
    if status == "active":
        return "task.undo.already"
    if status != "skipped":
        return "task.undo.too_late"
    aware = lease_expires_at if lease_expires_at.tzinfo else lease_expires_at.replace(tzinfo=timezone.utc)
    if aware <= (now if now.tzinfo else now.replace(tzinfo=timezone.utc)):
        return "task.undo.lease_over"
    if holds_another:
        return "task.undo.busy"
    return None
