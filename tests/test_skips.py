"""Skip reasons and when an Undo may take a skip back (domain.skips)."""
from __future__ import annotations

from datetime import datetime, timedelta, timezone

from domain.skips import REASON_CHARS, skip_reason, undo_refusal

NOW = datetime(2026, 3, 10, 12, 0, tzinfo=timezone.utc)
LATER = NOW + timedelta(minutes=30)


def test_the_reason_is_the_code_with_the_persons_words_on_one_line():
    assert skip_reason("unclear", None) == "unclear"
    assert skip_reason("other", "  written in\nGerman ") == "other: written in German"
    assert skip_reason("other", "   ") == "other"
    assert len(skip_reason("other", "x" * 2000)) == len("other: ") + REASON_CHARS


def test_a_skip_with_time_left_and_nothing_else_in_hand_may_be_undone():
    assert undo_refusal("skipped", LATER, NOW, holds_another=False) is None
    assert undo_refusal("skipped", LATER.replace(tzinfo=None), NOW, holds_another=False) is None


def test_a_second_undo_finds_it_undone_already():
    assert undo_refusal("active", LATER, NOW, holds_another=False) == "task.undo.already"


def test_an_ended_lease_or_another_task_in_hand_refuses():
    assert undo_refusal("skipped", NOW, NOW, holds_another=False) == "task.undo.lease_over"
    assert undo_refusal("skipped", LATER, NOW, holds_another=True) == "task.undo.busy"


def test_what_was_never_skipped_cannot_be_undone():
    assert undo_refusal("submitted", LATER, NOW, holds_another=False) == "task.undo.too_late"
    assert undo_refusal("expired", LATER, NOW, holds_another=False) == "task.undo.too_late"
