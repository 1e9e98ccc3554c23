"""What a turn keeps between turns (issue 19, point 5) is keyed by everything it is built from: a change to any of
it builds anew, and nothing built for one assignment, locale or zone is served for another."""
from __future__ import annotations

from datetime import datetime, timedelta, timezone

from bot.core.blocks import Buttons, Heading, LongText
from bot.i18n import default_catalogs
from bot.i18n.localize import localize
from bot.i18n.text import When, msg
from tests.task_type_data import make_item, make_spec

LEASE = datetime(2026, 12, 7, 9, 30, tzinfo=timezone.utc)


def _shown(form) -> str:
    return str(localize([*form.card, *form.context], "en", "Europe/Madrid", default_catalogs()))


def test_a_shown_task_form_is_kept_for_the_same_inputs_and_rebuilt_for_any_change():
    from handlers.tasks import task_form_shown

    ranking = make_spec("ranking")
    spec, item = ranking.model_dump_json(), make_item("a", "b", "c").model_dump_json()
    form = task_form_shown("Rank", spec, item, 7, LEASE)
    assert task_form_shown("Rank", spec, item, 7, LEASE) is form  # kept, not rebuilt
    assert isinstance(form.card[0], Heading) and form.card[0].text == "Rank"
    assert all(b.more is not None for b in form.context if isinstance(b, LongText))  # a modal's "show it whole"

    edited = ranking.model_copy(update={"instructions": "Reworded: " + ranking.instructions}).model_dump_json()
    assert "Reworded: " in _shown(task_form_shown("Rank", edited, item, 7, LEASE))
    assert "Reworded: " not in _shown(form)
    assert task_form_shown("Other", spec, item, 7, LEASE).card[0].text == "Other"
    assert "Another prompt" in _shown(task_form_shown("Rank", spec, make_item("a", "b", "c", prompt="Another prompt")
                                                      .model_dump_json(), 7, LEASE))
    assert _shown(task_form_shown("Rank", spec, item, 7, LEASE + timedelta(hours=2))) != _shown(form)  # lease moved

    other = task_form_shown("Rank", spec, item, 8, LEASE)  # another assignment of the same item: its own buttons
    actions = [b.action for blk in other.card if isinstance(blk, Buttons) for row in blk.rows for b in row]
    actions += [b.more.action for b in other.context if isinstance(b, LongText)]
    assert actions and all(a.assignment == 8 for a in actions)


def test_moments_and_numbers_are_formatted_per_locale_and_zone():
    cats = default_catalogs()
    at = When(at=LEASE, style="time")
    madrid = cats.render(msg("task.lease_until", at=at), "en", "Europe/Madrid")
    tokyo = cats.render(msg("task.lease_until", at=at), "en", "Asia/Tokyo")
    assert "10:30" in madrid and "6:30" in tokyo  # the same moment, kept once per zone
    assert cats.render(msg("task.lease_until", at=When(at=LEASE + timedelta(minutes=5), style="time")), "en",
                       "Europe/Madrid") != madrid
    from bot.i18n.formatting import format_number
    assert format_number(12345, "en") == "12,345" and format_number(12345, "es") != format_number(12345, "en")
    assert format_number(12345.5, "en") == "12,345.5"  # not an int: never served the int's text
