"""/link cannot take over an account: same-platform codes are refused, the code's owner confirms on the identity
that asked, both sides hear the outcome, admin identities never move, and wrong codes are limited per person."""
from __future__ import annotations

from domain.identity import parse_identity
from datetime import timedelta

from tests.flows.helpers import Clock, link_code, rows, second_platform


async def person_of(chat, harness, user: str) -> int:
    key = parse_identity(harness.identity(user))
    found = await rows(chat.runtime, "SELECT person_id FROM identities WHERE platform = $1 AND workspace = $2"
                                     " AND user_id = $3", *key)
    assert found, f"{user} has no identity on {harness.platform}"
    return found[0]["person_id"]


async def new_code(chat, user: str) -> str:
    await chat.send(user, "/link")
    return link_code(chat.last(user).text)


async def test_a_code_redeemed_on_the_same_platform_is_refused(chat):
    code = await new_code(chat, "ana")
    await chat.send("mallory", "/link " + code)
    assert "different platforms" in chat.last("mallory").text
    assert await person_of(chat, chat, "ana") != await person_of(chat, chat, "mallory")
    assert "Confirm" not in chat.last("ana").buttons  # the owner was not even asked
    used = await rows(chat.runtime, "SELECT used_at FROM link_codes WHERE code = $1", code)
    assert used[0]["used_at"] is None


async def test_cross_platform_link_waits_for_the_owner_and_tells_both(chat):
    async with second_platform(chat) as other:
        code = await new_code(chat, "ana")
        await other.send("quinn", "/link " + code.lower())
        assert "asked the code's owner to confirm on " + chat.platform in other.last("quinn").text
        ask = chat.last("ana")
        assert other.platform in ask.text and "quinn" in ask.text.lower()  # which platform, and who
        assert "Confirm" in ask.buttons and "Refuse" in ask.buttons
        assert await person_of(chat, chat, "ana") != await person_of(chat, other, "quinn")  # nothing moved yet
        await chat.press("ana", "Confirm")
        assert "is now part of your profile" in chat.last("ana").text
        assert "Linked" in other.last("quinn").text
        assert await person_of(chat, chat, "ana") == await person_of(chat, other, "quinn")
        # the same button again, and the spent code again, do nothing
        await chat.press("ana", "Confirm")
        assert "no longer pending" in chat.last("ana").text
        await other.send("eve", "/link " + code)
        assert "expired or was already used" in other.last("eve").text


async def test_refuse_changes_nothing_and_tells_both(chat):
    async with second_platform(chat) as other:
        code = await new_code(chat, "ana")
        await other.send("mallory", "/link " + code)
        await chat.press("ana", "Refuse")
        assert "was not linked" in chat.last("ana").text
        assert "refused" in other.last("mallory").text
        assert await person_of(chat, chat, "ana") != await person_of(chat, other, "mallory")
        await chat.press("ana", "Confirm")  # the other button of the answered request
        assert "no longer pending" in chat.last("ana").text
        assert await person_of(chat, chat, "ana") != await person_of(chat, other, "mallory")


async def test_a_forged_confirm_press_moves_nothing(chat):
    async with second_platform(chat) as other:
        code = await new_code(chat, "ana")
        await other.send("mallory", "/link " + code)
        await chat.press_as("mallory", "ana", "Confirm")  # ana's button data, pressed by someone else
        assert "expired" in chat.last("mallory", kind=None).text
        assert await person_of(chat, chat, "ana") != await person_of(chat, other, "mallory")
        decided = await rows(chat.runtime, "SELECT decided_at FROM link_codes WHERE code = $1", code)
        assert decided[0]["decided_at"] is None


async def test_an_admin_identity_is_never_moved(open_chat, adapter_name):
    from tests.flows.adapters import ADAPTERS

    other_cls = ADAPTERS["console"] if adapter_name != "console" else ADAPTERS["telegram"]
    chat = await open_chat(admins=other_cls.identity("root"))
    async with second_platform(chat) as other:
        await other.send("root", "/help")
        admin_person = await person_of(chat, other, "root")
        code = await new_code(chat, "mallory")
        await other.send("root", "/link " + code)  # an admin tricked into typing someone's code
        assert "administrator account" in other.last("root").text
        assert await person_of(chat, other, "root") == admin_person
        assert "Confirm" not in chat.last("mallory").buttons
        roles = await rows(chat.runtime, "SELECT role FROM roles WHERE person_id = $1",
                           await person_of(chat, chat, "mallory"))
        assert "admin" not in {r["role"] for r in roles}


async def test_the_sixth_wrong_code_in_an_hour_is_refused(chat):
    code = await new_code(chat, "ana")
    for wrong in ("<script>", "A" * 5000, "?", "ZZZZ-ZZZZ", "2345 6789"):  # malformed, huge, short, unknown x2
        await chat.send("eve", "/link " + wrong)
        assert "Too many" not in chat.last("eve").text
    await chat.send("eve", "/link " + code)  # even a real code, now
    assert "Too many wrong link codes. Try again after" in chat.last("eve").text
    tally = await rows(chat.runtime, "SELECT failures FROM link_failures")
    assert [t["failures"] for t in tally] == [5]
    used = await rows(chat.runtime, "SELECT used_at FROM link_codes WHERE code = $1", code)
    assert used[0]["used_at"] is None


async def test_a_request_expires_with_its_code(open_chat):
    clock = Clock()
    chat = await open_chat(clock=clock)
    async with second_platform(chat) as other:
        code = await new_code(chat, "ana")
        await other.send("mallory", "/link " + code)
        clock.now += timedelta(minutes=chat.settings.link_code_minutes, seconds=1)
        await chat.press("ana", "Confirm")
        assert "no longer pending" in chat.last("ana").text
        assert await person_of(chat, chat, "ana") != await person_of(chat, other, "mallory")
