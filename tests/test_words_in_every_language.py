"""The words people type to the parsers (durations, weeks, "last friday", code lines, periods, timer words) in every
catalog's language, not only English and Spanish: what a Portuguese, French or German hint tells people to type
must parse."""
from __future__ import annotations

import re
from datetime import date

import pytest

from bot.i18n.catalog import default_catalogs
from bot.i18n.text import COMMAND_FORM, msg
from domain.code_lines import parse_line_ref
from domain.dates import parse_log_date, parse_week
from domain.durations import parse_duration
from domain.ledger import PeriodInvalid, earnings_period, payout_period
from domain.typed_words import timer_op

LOCALES = default_catalogs().locales()

MONDAY = date(2026, 12, 7)


@pytest.mark.parametrize("typed, minutes", [
    ("2 Std", 120), ("1 Stunde und 30 Minuten", 90), ("2 heures", 120), ("1 heure et 15 minutes", 75),
    ("3 horas e 15 minutos", 195), ("2h", 120),
])
def test_durations(typed, minutes):
    assert parse_duration(typed) == minutes


@pytest.mark.parametrize("typed", ["esta semana", "semana atual", "cette semaine", "diese Woche"])
def test_this_week(typed):
    assert parse_week(typed, MONDAY) == parse_week("this week", MONDAY)


@pytest.mark.parametrize("typed", ["semana passada", "la semaine dernière", "letzte Woche", "vorige Woche"])
def test_last_week(typed):
    assert parse_week(typed, MONDAY) == parse_week("last week", MONDAY)


@pytest.mark.parametrize("typed, locale", [
    ("sexta passada", "pt_BR"), ("vendredi dernier", "fr"), ("letzten Freitag", "de"), ("last friday", "en")])
def test_last_friday(typed, locale):
    assert parse_log_date(typed, MONDAY, locale=locale) == date(2026, 12, 4)


@pytest.mark.parametrize("typed, span", [
    ("Zeile 12", (12, 12)), ("Zeilen 12 bis 14", (12, 14)), ("lignes 3 à 4", (3, 4)), ("linhas 3 até 5", (3, 5))])
def test_code_lines(typed, span):
    assert parse_line_ref(typed)[0] == span


# /earnings, /payouts close and /timer (domain/typed_words.py) -------------------------------------------------

@pytest.mark.parametrize("typed", ["Mês passado", "mes passado", "le mois dernier", "Mois précédent", "letzten Monat",
                                   "Vormonat", "el mes pasado", "last month"])
def test_last_month(typed):
    assert earnings_period(typed, MONDAY) == (date(2026, 11, 1), date(2026, 11, 30), "last_month")
    assert payout_period(typed, MONDAY) == (date(2026, 11, 1), date(2026, 11, 30))


@pytest.mark.parametrize("typed", ["mês", "este mês", "mois", "ce mois-ci", "Monat", "diesen Monat", "mes", "month"])
def test_this_month(typed):
    assert earnings_period(typed, MONDAY) == (date(2026, 12, 1), date(2026, 12, 31), "month")


@pytest.mark.parametrize("typed", ["tudo", "Tout", "alles", "alle", "todo", "all"])
def test_everything(typed):
    assert earnings_period(typed, MONDAY) == (None, None, "all")
    assert payout_period(typed, MONDAY) == (date.min, MONDAY)


@pytest.mark.parametrize("typed", ["mesa", "mois prochain", "nächsten Monat", "tudo bem", "monthly"])
def test_other_words_are_no_period(typed):
    with pytest.raises(PeriodInvalid):
        earnings_period(typed, MONDAY)


@pytest.mark.parametrize("typed, op", [
    ("iniciar", "start"), ("Começar", "start"), ("démarrer", "start"), ("Reprendre", "start"), ("starten", "start"),
    ("pausar", "pause"), ("pausieren", "pause"), ("pause", "pause"),
    ("parar", "stop"), ("arrêter", "stop"), ("beenden", "stop"), ("STOP", "stop"),
    ("projeto", None), ("", None), ("startx", None)])
def test_timer_words(typed, op):
    assert timer_op(typed) == op


def _said(locale: str, key: str) -> str:
    return default_catalogs().render(msg(key), locale, "UTC", COMMAND_FORM)


@pytest.mark.parametrize("locale", LOCALES)
def test_the_periods_each_catalog_suggests_are_read(locale):
    """`/earnings [a|b|c|d]` in each language's help: every word it offers is a period the parser reads."""
    offered = re.search(r"\[([^\]]+)\]", _said(locale, "command.earnings.help")).group(1).split("|")
    assert len(offered) == 4
    if locale != "en":  # in the reader's own words, not English ones
        assert not set(offered) & {"this week", "last week", "month", "all"}, offered
    names = [earnings_period(word, MONDAY)[2] for word in offered]
    assert names == ["week", "week", "month", "all"]
    assert [earnings_period(w, MONDAY)[:2] for w in offered[:2]] == [parse_week("this", MONDAY),
                                                                      parse_week("last", MONDAY)]


@pytest.mark.parametrize("locale", LOCALES)
def test_the_timer_words_each_catalog_suggests_are_read(locale):
    """`/timer start|pause|stop` as each language's help writes them: start, pause and stop, in that order."""
    words = re.findall(r"/timer ([^\s,.;]+)", _said(locale, "command.timer.help"))
    assert [timer_op(w) for w in words] == ["start", "pause", "stop"]
    if locale != "en":  # the reader's own words ("pause" is French too)
        assert not set(words) & ({"start", "stop"} | ({"pause"} if locale != "fr" else set())), words
    usage = re.search(r"/timer ([^\s,.;]+)", _said(locale, "timer.usage")).group(1)
    assert timer_op(usage) == "start"
