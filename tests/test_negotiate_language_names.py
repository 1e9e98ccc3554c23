"""Languages named by people (domain.languages): each of the five shipped languages by its own name, and typed
in any of them ("portugues", "alemão", "German", "allemand"). The list is the full set the project ships once the
pt_BR, fr and de catalogs are merged; names come from CLDR, so they do not depend on those catalogs."""
from __future__ import annotations

import pytest

from domain.languages import match_locale, own_name

SHIPPED = ("de", "en", "es", "fr", "pt_BR")


@pytest.mark.parametrize("code, name", [("pt_BR", "Português (Brasil)"), ("fr", "Français"), ("de", "Deutsch"),
                                        ("es", "Español"), ("en", "English"), ("es_MX", "Español (México)")])
def test_a_language_is_listed_by_its_own_name(code, name):
    assert own_name(code) == name


@pytest.mark.parametrize("code", ["", "zz", "../", "x" * 300])
def test_a_code_cldr_does_not_know_is_shown_as_it_is(code):
    assert own_name(code) == code


@pytest.mark.parametrize("typed, code", [
    # own names, with and without accents or case
    ("português", "pt_BR"), ("portugues", "pt_BR"), ("Português (Brasil)", "pt_BR"), ("portugues do brasil", "pt_BR"),
    ("français", "fr"), ("francais", "fr"), ("Deutsch", "de"), ("DEUTSCH", "de"),
    # in English
    ("Portuguese", "pt_BR"), ("Portuguese (Brazil)", "pt_BR"), ("French", "fr"), ("German", "de"),
    # in the other languages
    ("alemão", "de"), ("alemao", "de"), ("allemand", "de"), ("alemán", "de"), ("Französisch", "fr"),
    ("francês", "fr"), ("portugais", "pt_BR"), ("portugués", "pt_BR"), ("Portugiesisch", "pt_BR"),
    ("inglês", "en"), ("anglais", "en"), ("Englisch", "en"), ("espagnol", "es"), ("Spanisch", "es"),
    ("espanhol", "es"),
    # codes and tags
    ("pt_BR", "pt_BR"), ("pt-br", "pt_BR"), ("pt", "pt_BR"), ("fr-CA", "fr"), ("de-AT", "de"), ("de", "de"),
])
def test_a_language_typed_in_any_of_ours_picks_it(typed, code):
    assert match_locale(typed, SHIPPED) == code


@pytest.mark.parametrize("typed", ["klingon", "x-klingon", "italiano", "Japanese", "../", "", " ", "p", "x" * 300,
                                   "../../etc", "<b>deutsch</b>"])
def test_names_of_languages_we_do_not_speak_pick_nothing(typed):
    assert match_locale(typed, SHIPPED) is None


def test_a_name_picks_nothing_while_its_catalog_is_absent():
    assert match_locale("alemão", ("en", "es")) is None and match_locale("German", ("en", "es")) is None
