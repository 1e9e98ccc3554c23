"""Telling drafts and answers apart (domain.drafts): a prompt cut at a word, how far a draft got (a draft at its
summary is ready, whatever the count), and when a lease ends in words, in the person's own calendar."""
from __future__ import annotations

from datetime import datetime, timedelta, timezone

from bot.i18n.excerpt import ELLIPSIS, excerpt
from domain.drafts import Expiry, draft_progress, lease_expiry
from domain.questions import LabelQuestion, TextQuestion, Choice

NOW = datetime(2026, 3, 10, 22, 30, tzinfo=timezone.utc)


def test_a_short_prompt_is_kept_whole_on_one_line():
    assert excerpt("Is it  safe\nto take ibuprofen?") == "Is it safe to take ibuprofen?"


def test_a_long_prompt_is_cut_between_words():
    prompt = "Should I put my emergency fund into cryptocurrency to beat inflation, or keep it in a savings account?"
    cut = excerpt(prompt, 40)
    assert cut == "Should I put my emergency fund into" + ELLIPSIS
    assert len(cut) <= 41 and prompt.startswith(cut[:-1])


def test_a_word_ending_exactly_at_the_limit_is_kept_and_trailing_punctuation_goes():
    assert excerpt("one two three, four", 13) == "one two three" + ELLIPSIS
    assert excerpt("one two three, four", 14) == "one two three" + ELLIPSIS


def test_one_endless_word_is_cut_inside_rather_than_left_empty():
    assert excerpt("x" * 200, 10) == "x" * 10 + ELLIPSIS


QUESTIONS = [
    LabelQuestion(name="verdict", title="Verdict", labels=(Choice(value="ok", label="OK"), Choice(value="bad", label="Bad"))),
    TextQuestion(name="why", title="Why", show_if=(("verdict", ("bad",)),)),
    TextQuestion(name="note", title="Note", required=False),
    TextQuestion(name="summary", title="Summary"),
]


def test_progress_counts_only_questions_that_are_asked():
    assert draft_progress(QUESTIONS, {"verdict": "ok"}, at_summary=False).__dict__ == {
        "answered": 1, "total": 3, "ready": False}
    assert draft_progress(QUESTIONS, {"verdict": "bad"}, at_summary=False).total == 4


def test_every_required_answer_given_is_ready_even_with_an_optional_one_left():
    assert draft_progress(QUESTIONS, {"verdict": "ok", "summary": "fine"}, at_summary=False).ready
    assert not draft_progress(QUESTIONS, {"verdict": "bad", "summary": "fine"}, at_summary=False).ready
    assert not draft_progress(QUESTIONS, {"verdict": "ok", "summary": ""}, at_summary=False).ready


def test_a_draft_at_its_summary_is_ready_not_two_of_four():
    progress = draft_progress(QUESTIONS, {"verdict": "ok", "summary": "fine"}, at_summary=True)
    assert progress.ready and (progress.answered, progress.total) == (2, 3)
    assert draft_progress(QUESTIONS, {}, at_summary=True).ready


def test_lease_within_the_hour_is_in_minutes_rounded_up():
    assert lease_expiry(NOW + timedelta(minutes=25, seconds=10), NOW, "Europe/Madrid") == Expiry("minutes", 26)
    assert lease_expiry(NOW + timedelta(seconds=5), NOW, "UTC") == Expiry("minutes", 1)
    assert lease_expiry(NOW + timedelta(minutes=59, seconds=59), NOW, "UTC") == Expiry("minutes", 59)  # not "60 minutes"


def test_ended_lease():
    assert lease_expiry(NOW, NOW, "UTC").kind == "ended"
    assert lease_expiry(NOW - timedelta(hours=3), NOW, "UTC").kind == "ended"


def test_today_and_tomorrow_follow_the_persons_calendar_not_utc():
    ends = NOW + timedelta(hours=2)  # 00:30 UTC on the 11th
    assert lease_expiry(ends, NOW, "UTC").kind == "tomorrow"
    assert lease_expiry(ends, NOW, "America/New_York").kind == "today"  # 20:30 on the 10th there
    assert lease_expiry(ends, NOW, "Asia/Tokyo").kind == "today"  # already the 11th there, both times
    assert lease_expiry(NOW + timedelta(days=3), NOW, "UTC").kind == "later"


def test_a_naive_time_is_read_as_utc_and_an_unknown_zone_as_utc():
    assert lease_expiry((NOW + timedelta(hours=2)).replace(tzinfo=None), NOW, "Not/AZone").kind == "tomorrow"
