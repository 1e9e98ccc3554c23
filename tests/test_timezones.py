"""What people type for a time zone (domain.timezones) and the profile form's resolution of it (domain.profile)."""
from __future__ import annotations

import pytest
from pydantic import ValidationError

from domain.profile import ExpertProfile, ProfileAnswers
from domain.timezones import fold, match_timezone, valid_timezone, zone_for_locale


@pytest.mark.parametrize("typed, zone", [
    ("Madrid", "Europe/Madrid"),
    ("madrid", "Europe/Madrid"),
    ("ciudad de méxico", "America/Mexico_City"),
    ("Ciudad de México", "America/Mexico_City"),
    ("CIUDAD DE MEXICO", "America/Mexico_City"),
    ("Mexico City", "America/Mexico_City"),
    ("Buenos Aires", "America/Argentina/Buenos_Aires"),
    ("new york", "America/New_York"),
    ("Nueva York", "America/New_York"),
    ("Sao Paulo", "America/Sao_Paulo"),
    ("São Paulo", "America/Sao_Paulo"),
    ("Londres", "Europe/London"),
    ("Tokio", "Asia/Tokyo"),
    ("Calcutta", "Asia/Kolkata"),  # an old name still means today's zone
    ("europe/madrid", "Europe/Madrid"),
    ("America/New_York", "America/New_York"),
    ("UTC", "UTC"),
    ("  Madrid  ", "Europe/Madrid"),
])
def test_a_city_or_zone_name_names_one_zone(typed, zone):
    assert match_timezone(typed) == [zone]


@pytest.mark.parametrize("typed, first", [("España", "Europe/Madrid"), ("Spain", "Europe/Madrid"),
                                          ("Mexico", "America/Mexico_City"), ("méxico", "America/Mexico_City")])
def test_a_country_with_several_zones_names_them_all_the_usual_one_first(typed, first):
    zones = match_timezone(typed)
    assert len(zones) > 1 and zones[0] == first
    assert all(valid_timezone(z) for z in zones)


def test_the_start_of_a_city_name_offers_the_cities_it_may_mean():
    zones = match_timezone("Buenos")
    assert zones == ["America/Argentina/Buenos_Aires"]
    several = match_timezone("San")
    assert 1 < len(several) <= 8 and "Europe/San_Marino" in several


@pytest.mark.parametrize("typed", ["", "  ", "xyzzy", "Mars/Olympus_Mons", "ma", "x" * 500, "!!!"])
def test_nothing_matches_what_names_no_place(typed):
    assert match_timezone(typed) == []


def test_legacy_names_are_valid_but_never_offered():
    assert valid_timezone("US/Eastern")
    assert "US/Eastern" not in match_timezone("Eastern")


def test_fold_ignores_case_accents_and_underscores():
    assert fold("Ciudad_de_MÉXICO ") == "ciudad de mexico"
    assert fold("São-Paulo") == "sao paulo"


@pytest.mark.parametrize("tag, zone", [("es-ES", "Europe/Madrid"), ("es_MX", "America/Mexico_City"),
                                       ("en-GB", "Europe/London"), ("pt-br", "America/Sao_Paulo"),
                                       ("de-DE", "Europe/Berlin"), ("es", None), ("en", None), ("en-US", None),
                                       (None, None), ("", None), ("xx-ZZ", None)])
def test_a_language_tag_with_a_country_suggests_that_country_s_zone(tag, zone):
    assert zone_for_locale(tag) == zone


PROFILE = dict(name="Ana", domains=["medicine"], years=3, credentials="MD", languages="Spanish", weekly_hours=5)


def test_the_profile_stores_the_zone_a_city_names():
    assert ExpertProfile(**PROFILE, timezone="Ciudad de México").timezone == "America/Mexico_City"
    assert ProfileAnswers(**PROFILE, timezone="madrid").profile().timezone == "Europe/Madrid"


def test_a_name_of_several_zones_needs_a_pick_among_them():
    with pytest.raises(ValidationError) as exc:
        ExpertProfile(**PROFILE, timezone="Mexico")
    assert "timezone_ambiguous" in str(exc.value)
    with pytest.raises(ValidationError) as exc:
        ProfileAnswers(**PROFILE, timezone="Mexico")
    assert exc.value.errors()[0]["loc"] == ("timezone_pick",)
    with pytest.raises(ValidationError):
        ProfileAnswers(**PROFILE, timezone="Mexico", timezone_pick="Europe/Madrid")  # not one of Mexico's
    answers = ProfileAnswers(**PROFILE, timezone="Mexico", timezone_pick="America/Cancun")
    assert answers.profile().timezone == "America/Cancun"
    assert "timezone_pick" not in answers.profile().model_dump()


def test_a_pick_left_from_an_earlier_answer_does_not_override_a_clear_one():
    assert ProfileAnswers(**PROFILE, timezone="Madrid", timezone_pick="America/Cancun").timezone == "Europe/Madrid"


def test_an_unknown_zone_is_refused():
    with pytest.raises(ValidationError) as exc:
        ProfileAnswers(**PROFILE, timezone="Atlantis")
    assert exc.value.errors()[0]["loc"] == ("timezone",)


def test_a_zone_is_labelled_with_its_city_in_the_person_s_language_when_that_says_more():
    from domain.timezones import zone_label

    assert zone_label("America/Mexico_City", "es") == "Ciudad de México · America/Mexico_City"
    assert zone_label("Atlantic/Canary", "es") == "Canarias · Atlantic/Canary"
    assert zone_label("America/Mexico_City", "en") == "America/Mexico_City"  # the city is the zone's own name
    assert zone_label("UTC", "es") == "UTC"
