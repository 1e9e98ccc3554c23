"""bot/core/commands.py without a chat: aliases, command words without the slash, typo suggestions by role."""
from __future__ import annotations

from bot.core.commands import CommandNames, fold
from bot.i18n.catalog import Catalogs
from handlers import build

NAMES = CommandNames(build().commands, Catalogs.load())


def test_names_and_aliases_resolve_in_any_case_and_accents():
    assert fold("/Próximo") == "proximo"
    assert NAMES.resolve("next") == "next" and NAMES.resolve("NEXT") == "next"
    assert NAMES.resolve("siguiente") == "next" and NAMES.resolve("/Idioma") == "language"
    assert NAMES.resolve("estadisticas") == NAMES.resolve("Estadísticas") == "stats"
    assert NAMES.resolve("frobnicate") is None


def test_a_command_word_is_a_short_single_line():
    assert NAMES.word("next") == ("next", "")
    assert NAMES.word("  Siguiente ") == ("next", "")
    assert NAMES.word("log 1h30m rubric") == ("log", "1h30m rubric")
    assert NAMES.word("Next, the model claims the dose is safe.") is None
    assert NAMES.word("next\nthe second line") is None
    assert NAMES.word("next " + "x" * 100) is None
    assert NAMES.word("/next") is None  # a slash makes it a command event already
    assert NAMES.word("hola") is None


def test_suggestions_come_from_the_persons_language_and_role():
    assert NAMES.suggest("nxet", "en", set()) == ("next", "next")
    assert NAMES.suggest("siguinte", "es", set()) == ("siguiente", "next")
    assert NAMES.suggest("siguinte", "en", set()) is None  # Spanish words are not offered in English
    assert NAMES.suggest("grnt", "en", set()) is None  # /grant is an admin's
    assert NAMES.suggest("grnt", "en", {"admin"}) == ("grant", "grant")
    assert NAMES.suggest("zzzzzz", "en", {"admin"}) is None
