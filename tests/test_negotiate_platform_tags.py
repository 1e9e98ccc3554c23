"""Platform language tags → the closest catalog (bot.i18n.negotiate), with the tags Telegram and Slack really send.

Telegram's `from.language_code` is a lower-case IETF tag ("pt-br", "en", "de"); Slack's `users.info` locale is
"pt-BR", "en-US". The catalogs here are the five the project ships once every language is merged; the last tests
run against whatever is in locales/ today.
"""
from __future__ import annotations

import pytest

from bot.i18n import default_catalogs
from bot.i18n.negotiate import negotiate_locale

SHIPPED = ["de", "en", "es", "fr", "pt_BR"]


@pytest.mark.parametrize("tag, catalog", [
    # Telegram (lower-case IETF)
    ("pt-br", "pt_BR"), ("pt", "pt_BR"), ("pt-pt", "pt_BR"), ("fr", "fr"), ("fr-ca", "fr"), ("de", "de"),
    ("de-at", "de"), ("es", "es"), ("es-mx", "es"), ("en", "en"), ("en-gb", "en"),
    # Slack (users.info locale)
    ("pt-BR", "pt_BR"), ("pt-PT", "pt_BR"), ("fr-CA", "fr"), ("fr-BE", "fr"), ("fr-FR", "fr"), ("de-AT", "de"),
    ("de-CH", "de"), ("de-DE", "de"), ("es-MX", "es"), ("es-419", "es"), ("es-ES", "es"), ("en-US", "en"),
    ("en-GB", "en"), ("ja-JP", "en"), ("zh-TW", "en"),
    # POSIX, from a console
    ("pt_BR.UTF-8", "pt_BR"), ("de_AT@euro", "de"), ("PT-br", "pt_BR"), ("  fr-ca  ", "fr"), ("pt-BR\n", "pt_BR"),
])
def test_a_platform_tag_maps_to_the_closest_catalog(tag, catalog):
    assert negotiate_locale(None, tag, SHIPPED, "en") == catalog


@pytest.mark.parametrize("tag", [
    "", " ", "x-klingon", "i-klingon", "tlh", "../", "../../etc/passwd", "pt/../../", "a" * 300, "pt-" + "x" * 300,
    "*", "\x00", "pt\x00BR", "<script>", "ä-ö", "１２", None, 42, ["pt"], {"pt": "BR"},
])
def test_a_malformed_or_hostile_tag_gives_the_default(tag):
    assert negotiate_locale(None, tag, SHIPPED, "es") == "es"


def test_the_posix_c_locale_is_english():
    assert negotiate_locale(None, "C", SHIPPED, "es") == negotiate_locale(None, "POSIX", SHIPPED, "es") == "en"


def test_the_persons_own_choice_beats_the_platform_and_a_bad_choice_falls_back_to_it():
    assert negotiate_locale("de", "pt-BR", SHIPPED, "en") == "de"
    assert negotiate_locale("x-klingon", "fr-CA", SHIPPED, "en") == "fr"
    assert negotiate_locale("../", "../", SHIPPED, "en") == "en"


def test_a_bare_language_takes_the_catalog_of_its_likeliest_region():
    # CLDR: Portuguese is likeliest in Brazil, so "pt" prefers pt_BR even when pt_PT exists too
    assert negotiate_locale(None, "pt", ["en", "pt_PT", "pt_BR"], "en") == "pt_BR"
    assert negotiate_locale(None, "pt-PT", ["en", "pt_PT", "pt_BR"], "en") == "pt_PT"  # an exact catalog wins
    assert negotiate_locale(None, "pt-BR", ["en", "pt_PT"], "en") == "pt_PT"  # the only Portuguese there is
    assert negotiate_locale(None, "fr-CA", ["en", "fr_FR", "fr_BE"], "en") == "fr_FR"
    assert negotiate_locale(None, "pt", ["en", "es"], "en") == "en"  # no Portuguese at all


def test_the_answer_is_spelled_as_the_catalog_folder_is():
    assert negotiate_locale(None, "PT-BR", ["en", "pt_BR"], "en") == "pt_BR"
    assert negotiate_locale(None, "de-at", ["en", "de_AT"], "en") == "de_AT"


def test_every_shipped_catalog_is_reached_from_its_own_tags():
    """Whatever is in locales/: the folder name, its IETF form in both cases, and a regional variant reach it."""
    available = default_catalogs().locales()
    assert {"en", "es"} <= set(available)
    for code in available:
        ietf = code.replace("_", "-")
        for tag in (code, ietf, ietf.lower(), ietf.upper()):
            assert negotiate_locale(None, tag, available, "en") == code, tag
        if "_" not in code:
            assert negotiate_locale(None, f"{code}-ZZ", available, "en") == code
