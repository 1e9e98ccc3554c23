"""Which of the bot's languages a person means (domain.languages), and how a platform's tag maps to a catalog."""
from __future__ import annotations

import pytest

from bot.i18n.negotiate import negotiate_locale
from domain.languages import language_name, match_locale, own_name

OURS = ["en", "es"]


@pytest.mark.parametrize("typed, code", [
    ("español", "es"), ("Español", "es"), ("espanol", "es"), ("ESPAÑOL", "es"), ("Spanish", "es"), ("es", "es"),
    ("es-MX", "es"), ("es_ES", "es"), ("spanish (mexico)", "es"),
    ("inglés", "en"), ("ingles", "en"), ("english", "en"), ("English", "en"), ("en", "en"), ("en-GB", "en"),
    (" english ", "en"),
])
def test_a_language_is_known_by_its_code_its_own_name_and_its_name_in_our_languages(typed, code):
    assert match_locale(typed, OURS) == code


@pytest.mark.parametrize("typed", ["", "klingon", "french", "fr", "x" * 200, "e"])
def test_languages_we_do_not_speak_match_nothing(typed):
    assert match_locale(typed, OURS) is None


def test_names_for_people():
    assert language_name("es", "en") == "Spanish"
    assert language_name("es", "es") == "español"
    assert language_name("en", "es") == "inglés"
    assert own_name("es") == "Español" and own_name("en") == "English"


@pytest.mark.parametrize("tag, catalog", [("es-ES", "es"), ("es", "es"), ("es-419", "es"), ("en-GB", "en"),
                                          ("en", "en"), ("pt-br", "en"), (None, "en")])
def test_a_telegram_language_code_maps_to_the_closest_catalog(tag, catalog):
    assert negotiate_locale(None, tag, OURS, "en") == catalog


def test_languages_typed_in_a_profile_are_read_without_accents():
    from domain.eligibility import language_codes

    assert language_codes(["espanol", "Inglés", "ingles", "English", "pt-BR", "Klingon"]) == {"es", "en", "pt"}
