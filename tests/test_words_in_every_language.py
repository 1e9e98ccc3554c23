"""The words people type to the parsers (durations, weeks, "last friday", code lines) in every catalog's language,
not only English and Spanish: what a Portuguese, French or German hint tells people to type must parse."""
from __future__ import annotations

from datetime import date

import pytest

from domain.code_lines import parse_line_ref
from domain.dates import parse_log_date, parse_week
from domain.durations import parse_duration

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
