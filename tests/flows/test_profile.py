"""/profile edits one field at a time; the platform's name, language and time zone are offered, not imposed; a time
zone can be a city or a country; /language understands language names. Every adapter, both backends."""
from __future__ import annotations

import json

import pytest

from handlers.onboarding import EditProfileField
from tests.flows.helpers import PROFILE, onboard, person_id, resign_button, rows, stored_person


async def _stored(chat, user: str) -> dict:
    got = await rows(chat.runtime, "SELECT display_name, timezone, locale, profile FROM persons WHERE id = $1",
                     await person_id(chat, user))
    return {**got[0], "profile": json.loads(got[0]["profile"])}


async def test_editing_the_time_zone_asks_only_for_the_time_zone(chat):
    await onboard(chat, "ana")
    await chat.send("ana", "/profile")
    card = chat.last("ana")
    for label in ("Edit name", "Edit fields", "Edit years", "Edit credentials", "Edit languages", "Edit time zone",
                  "Edit hours", "Bot language"):
        assert label in card.buttons, (label, card.buttons)
    await chat.press("ana", "Edit time zone")
    step = chat.last("ana")
    assert "Your time zone" in step.text and "Europe/Madrid" in step.text  # the current value is shown
    assert "Keep current" in step.buttons
    await chat.send("ana", "ciudad de méxico")
    assert "Change saved: Time zone." in chat.texts("ana")
    assert "America/Mexico_City" in chat.last("ana").text  # the profile again, with the new zone
    person = await _stored(chat, "ana")
    assert person["timezone"] == "America/Mexico_City"
    # nothing else moved
    assert person["display_name"] == "Ana" and person["profile"]["years"] == 12
    assert person["profile"]["credentials"] == PROFILE["credentials"]
    assert person["profile"]["languages"] == ["Spanish", "English"]


async def test_keep_current_and_a_one_field_edit_of_a_number(chat):
    await onboard(chat, "bea")
    await chat.send("bea", "/profile")
    await chat.press("bea", "Edit name")
    assert "Current answer: Bea" in chat.last("bea").text
    await chat.press("bea", "Keep current")
    assert "Change saved: Name." in chat.texts("bea")
    await chat.press("bea", "Edit years")
    await chat.send("bea", "14")
    assert "Change saved: Years of experience." in chat.texts("bea")
    assert "14 years" in chat.last("bea").text
    person = await _stored(chat, "bea")
    assert person["display_name"] == "Bea" and person["profile"]["years"] == 14
    assert person["timezone"] == "Europe/Madrid"


async def test_a_city_of_several_zones_asks_which(chat):
    await onboard(chat, "cy")
    await chat.send("cy", "/profile")
    await chat.press("cy", "Edit time zone")
    await chat.send("cy", "Mexico")
    step = chat.last("cy")
    assert "Which time zone do you mean?" in step.text
    assert "America/Mexico_City" in step.buttons and "America/Cancun" in step.buttons
    await chat.press("cy", "America/Cancun")
    assert "Change saved: Time zone." in chat.texts("cy")
    assert (await _stored(chat, "cy"))["timezone"] == "America/Cancun"


async def test_onboarding_takes_a_city_for_the_time_zone(chat, database_url):
    await onboard(chat, "dee", timezone="Buenos Aires")
    assert "your profile is saved" in chat.last("dee").text
    assert (await stored_person(database_url, "Dee"))["timezone"] == "America/Argentina/Buenos_Aires"


async def test_a_double_tap_on_edit_opens_one_form(chat):
    await onboard(chat, "eve")
    await chat.send("eve", "/profile")
    await chat.press("eve", "Edit hours")
    await chat.press_as("eve", "eve", "Edit hours")  # the same button again: the open form continues, no second one
    assert "continue where you stopped" in chat.texts("eve")
    forms = await rows(chat.runtime, "SELECT COUNT(*) AS n FROM form_sessions WHERE person_id = $1 AND status = 'open'",
                       await person_id(chat, "eve"))
    assert forms[0]["n"] == 1
    await chat.send("eve", "20")
    assert "Change saved: Hours per week." in chat.texts("eve")
    person = await _stored(chat, "eve")
    assert person["profile"]["weekly_hours"] == 20


async def test_edit_is_refused_to_someone_without_a_profile(chat):
    await onboard(chat, "fay")
    await chat.send("gus", "/help")
    await chat.send("fay", "/profile")
    resign_button(chat, "fay", "Edit name", EditProfileField(field="name"), await person_id(chat, "gus"))
    await chat.press_as("gus", "fay", "Edit name")
    assert "You have no profile yet" in chat.texts("gus")
    forms = await rows(chat.runtime, "SELECT COUNT(*) AS n FROM form_sessions WHERE person_id = $1",
                       await person_id(chat, "gus"))
    assert forms[0]["n"] == 0


@pytest.mark.parametrize("typed, answer", [
    ("español", "te hablaré en español"), ("espanol", "te hablaré en español"), ("Spanish", "te hablaré en español"),
    ("es", "te hablaré en español"), ("es-MX", "te hablaré en español"),
])
async def test_language_by_name(chat, typed, answer):
    await chat.send("hal", f"/language {typed}")
    assert answer in chat.last("hal").text
    await chat.send("hal", "/language inglés")
    assert "I'll speak English" in chat.last("hal").text
    await chat.send("hal", "/language english")
    assert "I'll speak English" in chat.last("hal").text
    assert (await _stored(chat, "hal"))["locale"] == "en"


async def test_a_language_we_do_not_speak_is_answered_with_the_choices(chat):
    await chat.send("ivy", "/language klingon")
    last = chat.last("ivy")
    assert "I don't have the language klingon" in last.text and "Español" in last.text
    await chat.press("ivy", "Español")
    assert "te hablaré en español" in chat.last("ivy").text


# what the platform says about a person ------------------------------------------------------------------------
ANA = {"first_name": "Ana", "last_name": "Ruiz", "language_code": "es-ES"}


async def _say(chat, user: str, line: str) -> None:
    """A typed line, from Ana as her platform describes her (Telegram: name and language tag on every update)."""
    if chat.platform != "telegram":
        await chat.send(user, line)
        return
    await chat.push(chat.api.message_update(chat.user_id(user), line, **ANA))


async def _tap(chat, user: str, label: str) -> None:
    if chat.platform != "telegram":
        await chat.press(user, label)
        return
    i, j = chat._find_button(user, label)
    item = chat.received(user)[i]
    update = chat.api.callback_update(chat.user_id(user), item.payloads[j], item.message_id,
                                      first_name=ANA["first_name"], language_code=ANA["language_code"])
    chat._queries[update["callback_query"]["id"]] = user
    await chat.push(update)


async def test_the_platform_s_name_language_and_zone_are_offered_to_confirm(chat):
    if chat.platform == "slack":  # users.info: real_name, locale, tz
        from tests.flows.slack import slack_user_id

        chat.standin.add_user(slack_user_id("ana"), name="Ana Ruiz", locale="es-ES", tz="America/Mexico_City")
    zone = {"telegram": "Europe/Madrid", "slack": "America/Mexico_City"}.get(chat.platform)
    await _say(chat, "ana", "/start")
    if chat.platform == "console":  # the console knows nothing of the person: nothing is offered
        assert not [b for b in chat.last("ana").buttons if b.startswith("Use ")]
        return
    assert "Bienvenido a Panelist" in chat.texts("ana") or "bienvenida" in chat.texts("ana")  # es-ES → Spanish
    if getattr(chat, "forms_as_modals", False):
        # A modal shows them in its inputs (nothing is saved until the person submits it).
        modal = chat._modals["ana"]
        assert modal.block("name")["element"]["initial_value"] == "Ana Ruiz"
        assert modal.block("timezone")["element"]["initial_value"] == zone
        assert modal.block("languages")["element"]["initial_value"] == "español"
        await chat.fill_form("ana", {"domains": ["Medicina"], "years": "9", "credentials": "MD", "weekly_hours": "5"})
    else:
        assert "Usar Ana Ruiz" in chat.last("ana").buttons  # offered, not filled in
        assert not (await _stored(chat, "ana"))["profile"]
        await _tap(chat, "ana", "Usar Ana Ruiz")
        await _tap(chat, "ana", "Medicina")
        await _tap(chat, "ana", "Listo")
        await _say(chat, "ana", "9")
        await _say(chat, "ana", "MD")
        assert "Usar español" in chat.last("ana").buttons
        await _tap(chat, "ana", "Usar español")
        assert f"Usar {zone}" in chat.last("ana").buttons
        await _tap(chat, "ana", f"Usar {zone}")
        await _say(chat, "ana", "5")
        await _tap(chat, "ana", "Guardar perfil")
    person = await _stored(chat, "ana")
    assert person["display_name"] == "Ana Ruiz"
    assert person["timezone"] == zone
    assert person["profile"]["languages"] == ["español"]


async def test_onboarding_with_a_country_asks_which_of_its_zones(chat, database_url):
    await chat.send("kai", "/start")
    answers = {k: v for k, v in PROFILE.items() if k not in ("timezone", "weekly_hours")}
    await chat.fill_form("kai", {**answers, "name": "Kai", "timezone": "Mexico"}, confirm=False)
    if getattr(chat, "forms_as_modals", False):
        # A modal has no next step to ask on: submitting says why, and its list of zones settles it.
        await chat.fill_form("kai", {"weekly_hours": "15"})
        assert "Several time zones match" in chat.last("kai", kind="form_errors").text
        await chat.fill_form("kai", {"timezone_pick": "America/Mexico_City"})
    else:
        step = chat.last("kai")
        assert "Which time zone do you mean?" in step.text and "Skip" not in step.buttons
        await chat.fill_form("kai", {"timezone_pick": "America/Mexico_City", "weekly_hours": "15"})
    assert "your profile is saved" in chat.last("kai").text
    assert (await stored_person(database_url, "Kai"))["timezone"] == "America/Mexico_City"
