"""People named as a manager sees them (issue 18, point 1), by one rule (domain.people_names) on every adapter and
both backends: a display name, an @handle, a Slack mention or member id, a reply to a forwarded message on
Telegram; several matches answered with one button each that finishes the command; an unknown name answered with
what to try. Manager views name people by name and handle."""
from __future__ import annotations

import pytest

from tests.flows.helpers import grant, name_person, onboard, person_id, rows, setup
from tests.flows.tasks_data import seed_project

pytestmark = pytest.mark.filterwarnings("ignore::DeprecationWarning")

NAMES = {"apz": "Ana Pérez", "agz": "Ana Gómez", "bo": "Bo Lund"}


def plain(shown: str) -> str:
    """What was shown without the isolates around people's names (bot/i18n/bidi.py)."""
    return shown.replace("\u2068", "").replace("\u2069", "")


async def _team(chat) -> int:
    """meg manages the hourly demo project; Ana Pérez (apz), Ana Gómez (agz) and Bo Lund (bo) have talked to the
    bot and carry those names, as onboarding would have set them."""
    project_id = await setup(chat, "apz", "agz")
    await chat.send("bo", "/help")
    for user, name in NAMES.items():
        await name_person(chat, user, name)
    return project_id


async def _bonuses(chat) -> list[tuple[int, int]]:
    got = await rows(chat.runtime, "SELECT person_id, amount_minor FROM ledger_lines WHERE kind = 'bonus' ORDER BY id")
    return [(r["person_id"], r["amount_minor"]) for r in got]


async def test_a_bonus_by_display_name_and_by_handle(chat):
    await _team(chat)
    await chat.send("meg", "/bonus Ana Pérez 20 EUR great week")  # a whole name takes its two words
    assert "Bonus of €20.00 recorded for Ana Pérez (@apz)" in plain(chat.last("meg").text)
    await chat.send("meg", "/bonus @bo 5 EUR thanks")
    assert "recorded for Bo Lund (@bo)" in plain(chat.last("meg").text)
    await chat.send("meg", "/bonus ana perez 1 EUR accents and case aside")
    assert "recorded for Ana Pérez (@apz)" in plain(chat.last("meg").text)
    apz, bo = await person_id(chat, "apz"), await person_id(chat, "bo")
    assert await _bonuses(chat) == [(apz, 2000), (bo, 500), (apz, 100)]
    assert "Bonus" in chat.texts("apz") or "bonus" in chat.texts("apz")


async def test_a_name_several_people_share_offers_one_button_each_that_finishes_the_bonus(chat):
    await _team(chat)
    await chat.send("meg", "/bonus Ana 10 EUR rush batch")
    shown = chat.last("meg")
    assert "2 people match Ana" in plain(shown.text)
    assert any("Ana Pérez" in b for b in shown.buttons) and any("Ana Gómez" in b for b in shown.buttons)
    assert not any("Bo" in b for b in shown.buttons)
    assert await _bonuses(chat) == []
    await chat.press("meg", "Ana Gómez")
    assert "Bonus of €10.00 recorded for Ana Gómez (@agz)" in plain(chat.last("meg").text)
    await chat.press("meg", "Ana Gómez")  # a double tap records nothing twice
    assert "already" in chat.last("meg").text
    await chat.press("meg", "Ana Pérez")  # nor does the other button, afterwards: it is the same /bonus
    assert await _bonuses(chat) == [(await person_id(chat, "agz"), 1000)]


async def test_a_forged_choice_is_authorised_again(chat):
    await _team(chat)
    await chat.send("meg", "/bonus Ana 10 EUR rush batch")
    await chat.press_as("bo", "meg", "Ana Gómez")  # an expert replaying the manager's button
    assert "Bonus of" not in chat.texts("bo")
    assert await _bonuses(chat) == []


async def test_nobody_by_that_name_is_told_what_to_try(chat):
    await _team(chat)
    await chat.send("meg", "/bonus zoe 10 EUR thanks")
    shown = plain(chat.last("meg").text)
    assert "I know nobody called zoe" in shown and "@username" in shown and "mention" in shown
    assert "Ask them to send" not in shown
    await chat.send("meg", "/bonus telegram:not-a-number 10 EUR thanks")
    assert "is not an identity" in chat.last("meg").text
    assert await _bonuses(chat) == []


async def test_grant_addexpert_qualify_and_rate_take_names(chat):
    await _team(chat)
    await grant(chat, "meg", "admin")
    await chat.send("meg", "/grant reviewer Bo Lund")
    assert "Done: Bo Lund (@bo) now has the role reviewer" in plain(chat.last("meg").text)
    assert "reviewer" in {r["role"] for r in await rows(
        chat.runtime, "SELECT role FROM roles WHERE person_id = $1", await person_id(chat, "bo"))}
    await chat.send("meg", "/revoke reviewer @bo")
    assert "Bo Lund (@bo) no longer has the role reviewer" in plain(chat.last("meg").text)
    await chat.send("meg", "/addexpert personal finance Bo Lund")
    assert "Bo Lund (@bo) is now in Personal finance" in plain(chat.last("meg").text)
    await chat.send("meg", "/qualify @bo medicine 3 board exam verified")
    assert "Bo Lund (@bo) now holds medicine at level 3" in plain(chat.last("meg").text)
    await chat.send("meg", "/unqualify bo lund medicine licence lapsed")
    assert "Bo Lund (@bo) no longer holds medicine" in plain(chat.last("meg").text)
    await chat.send("meg", '/rate "Ana Gómez" senior 60.00 personal finance')
    assert "Ana Gómez (@agz) (senior) now earns €60.00" in plain(chat.last("meg").text)


async def test_a_ping_to_named_people_by_name_and_handle(chat):
    await _team(chat)
    await chat.send("meg", "/ping")
    if getattr(chat, "forms_as_modals", False):  # Slack's people picker: members, never ambiguous
        await chat.fill_form("meg", {"target": "Named people"}, confirm=False)
        assert chat._modals["meg"].block("people")["element"]["type"] == "multi_users_select"
        people = f"{chat.identity('apz')}, {chat.identity('bo')}"
        await chat.fill_form("meg", {"people": people, "question": "Free on Saturday?", "window_hours": "4",
                                     "options": None}, confirm=False)
    else:
        await chat.press("meg", "Named people")
        await chat.send("meg", "Ana")  # two Anas: asked again, with who they are
        shown = plain(chat.last("meg").text)
        assert "Ana matches 2 people" in shown and "Ana Pérez (@apz)" in shown and "Ana Gómez (@agz)" in shown
        await chat.send("meg", "zoe")
        assert "I know nobody called zoe" in plain(chat.last("meg").text)
        await chat.fill_form("meg", {"people": "Ana Pérez, @bo", "question": "Free on Saturday?",
                                     "window_hours": "4", "options": None}, confirm=False)
    await chat.press("meg", "Send ping")
    targets = {r["person_id"] for r in await rows(chat.runtime, "SELECT person_id FROM ping_targets")}
    assert targets == {await person_id(chat, "apz"), await person_id(chat, "bo")}
    assert "Free on Saturday?" in chat.texts("bo") and "Free on Saturday?" not in chat.texts("agz")


async def test_a_broadcast_to_named_people(chat):
    await _team(chat)
    await chat.send("meg", "/broadcast")
    people = (f"{chat.identity('agz')}" if getattr(chat, "forms_as_modals", False) else "@agz")
    await chat.fill_form("meg", {"target": "Named people", "people": people, "body": "New rubric from Monday"},
                         confirm=False)
    await chat.press("meg", "Send to everyone chosen")
    while await chat.runtime.sweep_outbox(limit=500):
        pass
    assert "New rubric from Monday" in chat.texts("agz") and "New rubric from Monday" not in chat.texts("apz")


async def test_approvals_name_people_by_name_and_handle(chat):
    await _team(chat)
    await chat.send("apz", "/log 1h today")
    await chat.send("meg", "/approvals")
    assert "Ana Pérez (@apz)" in plain(chat.last("meg").text)


async def test_a_slack_mention_or_member_id_names_the_member(chat, adapter_name):
    if not adapter_name.startswith("slack"):
        pytest.skip("mentions and member ids are Slack's; every adapter reads names and @handles above")
    await _team(chat)
    member = chat.identity("bo").rsplit("/", 1)[-1]
    await chat.send("meg", f"/bonus <@{member}|someone else> 3 EUR thanks")
    assert "recorded for Bo Lund (@bo)" in plain(chat.last("meg").text)
    await chat.send("meg", f"/bonus {member} 4 EUR thanks")
    assert "recorded for Bo Lund (@bo)" in plain(chat.last("meg").text)
    await chat.send("meg", "/bonus <@UNOBODY1> 4 EUR thanks")
    assert "I know nobody called" in chat.last("meg").text
    bo = await person_id(chat, "bo")
    assert await _bonuses(chat) == [(bo, 300), (bo, 400)]


async def _forward(chat, manager: str, author: str, words: str) -> dict:
    """`manager` forwards one of `author`'s messages to the bot (Telegram): the forwarded message, as sent."""
    api = chat.api
    update = api.message_update(chat.user_id(manager), words, first_name=manager.capitalize(), username=manager)
    update["message"]["forward_origin"] = {
        "type": "user", "date": update["message"]["date"],
        "sender_user": {"id": chat.user_id(author), "is_bot": False, "first_name": author.capitalize(),
                        "username": author},
    }
    await chat.push(update)
    return update["message"]


async def test_on_telegram_a_reply_to_a_forwarded_message_names_its_author(chat, adapter_name):
    if adapter_name != "telegram":
        pytest.skip("replies and forwards name people on Telegram")
    await _team(chat)
    forwarded = await _forward(chat, "meg", "agz", "Here are the hours I did")
    assert "That is a message from Ana Gómez (@agz)" in plain(chat.last("meg").text)  # and how to use it
    await _forward(chat, "meg", "zed", "I never wrote to the bot")
    assert "Zed has never written to me" in plain(chat.last("meg").text)
    reply = chat.api.message_update(chat.user_id("meg"), "/bonus 7 EUR thanks for the extra hours",
                                    first_name="Meg", username="meg")
    reply["message"]["reply_to_message"] = forwarded
    await chat.push(reply)
    assert "Bonus of €7.00 recorded for Ana Gómez (@agz)" in plain(chat.last("meg").text)
    assert await _bonuses(chat) == [(await person_id(chat, "agz"), 700)]
    # a forward answers a ping's "who?" step with its author
    await chat.send("meg", "/ping")
    await chat.press("meg", "Named people")
    await _forward(chat, "meg", "bo", "I might be free")
    await chat.fill_form("meg", {"question": "Free on Saturday?", "window_hours": "4", "options": None},
                         confirm=False)
    await chat.press("meg", "Send ping")
    targets = [r["person_id"] for r in await rows(chat.runtime, "SELECT person_id FROM ping_targets")]
    assert targets == [await person_id(chat, "bo")]


async def test_a_new_handle_is_learnt_from_the_next_message(chat, adapter_name):
    if adapter_name != "telegram":
        pytest.skip("only Telegram's harness can rename a user between messages")
    await _team(chat)
    update = chat.api.message_update(chat.user_id("bo"), "/help", first_name="Bo", username="bo_lund_md")
    await chat.push(update)
    await chat.send("meg", "/bonus @bo_lund_md 2 EUR thanks")
    assert "recorded for Bo Lund (@bo_lund_md)" in plain(chat.last("meg").text)


async def test_match_names_candidates_by_name_and_handle(chat):
    await seed_project(chat.runtime, "rating_medicine")  # medicine level 2
    await onboard(chat, "meg")
    await grant(chat, "meg", "manager")
    await onboard(chat, "apz", name="Ana Pérez")
    await chat.send("meg", "/qualify Ana Pérez medicine 2 passed the interview")
    assert "Ana Pérez (@apz) now holds medicine at level 2" in plain(chat.last("meg").text)
    await chat.send("meg", "/match Medication")
    assert "Ana Pérez (@apz)" in plain(chat.last("meg").text)
