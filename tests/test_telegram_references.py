"""Telegram's gestures that point at a person (a reply, a forward) become the event's `refers_to`, with the
username kept as the actor's handle; a bot, a hidden sender or a channel points at nobody."""
from __future__ import annotations

from telegram import Update

from bot.adapters.telegram.updates import parse_update
from tests.flows.telegram import RecordingStandIn


def _user(uid: int, name: str, username: str | None = None, bot: bool = False) -> dict:
    user = {"id": uid, "is_bot": bot, "first_name": name}
    if username:
        user["username"] = username
    return user


async def _parse(data: dict):
    return await parse_update(Update.de_json(data, None), bot_username="panelist_test_bot", max_upload_bytes=1024)


def _forwarded(api, origin: dict) -> dict:
    data = api.message_update(42, "I can do Saturday", first_name="Meg", username="meg")
    data["message"]["forward_origin"] = {"date": data["message"]["date"], **origin}
    return data


async def test_the_sender_keeps_their_username_as_handle():
    api = RecordingStandIn()
    event = await _parse(api.message_update(42, "/help", first_name="Meg", username="meg_md"))
    assert event.actor.username == "meg_md" and event.refers_to is None


async def test_a_forward_names_its_original_sender_and_a_reply_to_it_too():
    api = RecordingStandIn()
    data = _forwarded(api, {"type": "user", "sender_user": _user(7, "Ana", "ana_p")})
    event = await _parse(data)
    assert event.kind == "text" and event.refers_to is not None
    assert (event.refers_to.key, event.refers_to.username, event.refers_to.display_name) == ("telegram:7", "ana_p", "Ana")
    reply = api.message_update(42, "/bonus 5 EUR thanks", first_name="Meg")
    reply["message"]["reply_to_message"] = data["message"]
    event = await _parse(reply)
    assert event.kind == "command" and event.args == "5 EUR thanks" and event.refers_to.key == "telegram:7"


async def test_hidden_senders_channels_and_bots_name_nobody():
    api = RecordingStandIn()
    for origin in ({"type": "hidden_user", "sender_user_name": "Someone"},
                   {"type": "channel", "chat": {"id": -1001, "type": "channel", "title": "News"}, "message_id": 3},
                   {"type": "user", "sender_user": _user(9, "Helper", "helper_bot", bot=True)}):
        event = await _parse(_forwarded(api, origin))
        assert event.refers_to is None, origin
    reply = api.message_update(42, "/bonus 5 EUR x", first_name="Meg")  # a reply to the bot's own message
    reply["message"]["reply_to_message"] = {"message_id": 1, "date": reply["message"]["date"],
                                            "chat": reply["message"]["chat"], "text": "Hi",
                                            "from": _user(99, "Panelist", "panelist_test_bot", bot=True)}
    assert (await _parse(reply)).refers_to is None
