"""What flow tests share, so that no test module imports another: a profile to onboard with, the steps people
take (onboard, answer a task, get a role, set up an hourly project), a fake clock, and what tests read back
from the database (rows, a person, the ledger)."""
from __future__ import annotations

import contextlib
import hashlib
import json
from datetime import datetime, timezone

from bot.core.runtime import EVENT
from domain.identity import parse_identity
from storage.db import open_database
from tests.flows.tasks_data import ANSWERS, add_member, seed_project

# the onboarding form, answered in form order
PROFILE = {
    "name": "Ana Pérez",
    "domains": ["Medicine", "Law"],
    "years": "12",
    "credentials": "MD, board-certified internist",
    "languages": "Spanish, English",
    "timezone": "Europe/Madrid",
    "weekly_hours": "15",
}


class Clock:
    """The runtime's clock, moved by the test (`clock.now += timedelta(...)`)."""

    def __init__(self) -> None:
        self.now = datetime.now(timezone.utc).replace(microsecond=0)

    def __call__(self) -> datetime:
        return self.now


# what the database holds -----------------------------------------------------------------------------------
async def rows(runtime, sql: str, *args) -> list[dict]:
    async with runtime.db.transaction() as tx:
        return await tx.fetch(sql, *args)


async def stored_person(url: str, name: str) -> dict:
    async with open_database(url) as db:
        async with db.transaction() as tx:
            row = await tx.fetchrow("SELECT id, display_name, timezone, profile, onboarded_at FROM persons WHERE display_name = $1", name)
    assert row is not None, f"no person named {name}"
    row["profile"] = json.loads(row["profile"])
    return row


async def ledger(chat) -> list[tuple]:
    got = await rows(chat.runtime, "SELECT person_id, kind, source, amount_minor, currency FROM ledger_lines ORDER BY id")
    return [(r["person_id"], r["kind"], r["source"], r["amount_minor"], r["currency"]) for r in got]


def line_with(shown: str, start: str) -> str:
    """The line of a reply that mentions `start` (bold markup differs per platform, so only words count)."""
    found = [ln for ln in shown.splitlines() if start in ln]
    assert found, f"no line with {start!r} in {shown!r}"
    return found[0]


# what people do --------------------------------------------------------------------------------------------
async def onboard(chat, user: str, **overrides) -> None:
    await chat.send(user, "/start")
    await chat.fill_form(user, {**PROFILE, "name": user.title(), **overrides})


async def grant(chat, user: str, role: str) -> None:
    """Give someone who has talked to the bot a role, straight in the database."""
    key = parse_identity(chat.identity(user))
    async with chat.runtime.db.transaction() as tx:
        pid = await tx.fetchval("SELECT person_id FROM identities WHERE platform = $1 AND workspace = $2 AND user_id = $3",
                                key.platform, key.workspace, key.user_id)
        await tx.execute("INSERT INTO roles (person_id, role, granted_at) VALUES ($1, $2, $3)", pid, role,
                         datetime.now(timezone.utc))


async def expert_and_reviewer(chat, expert: str, reviewer: str, stem: str) -> int:
    """A project of `stem` with `expert` and `reviewer` (granted the role) as its members; the project's id."""
    project_id = await seed_project(chat.runtime, stem)
    for user in (expert, reviewer):
        await chat.send(user, "/help")
    await add_member(chat.runtime, project_id, chat.identity(expert))
    await grant(chat, reviewer, "reviewer")
    await add_member(chat.runtime, project_id, chat.identity(reviewer))
    return project_id


async def answer_one(chat, user: str, stem: str, answers: dict | None = None) -> None:
    await chat.send(user, "/next")
    await chat.fill_form(user, answers or ANSWERS[stem], confirm=False)
    await chat.press(user, "Submit answer")


async def member_of_new_project(chat, user: str, stem: str) -> int:
    """A fresh demo project `stem` with `user` (known to the bot from a /help) as its member; returns its id."""
    project_id = await seed_project(chat.runtime, stem)
    await chat.send(user, "/help")
    await add_member(chat.runtime, project_id, chat.identity(user))
    return project_id


async def setup(chat, *experts: str) -> int:
    """The hourly demo project (rewrite_finance, 40.00 EUR an hour) with these experts as members and meg as its
    manager; returns its id."""
    project_id = await seed_project(chat.runtime, "rewrite_finance")
    for user in (*experts, "meg"):
        await chat.send(user, "/help")
    for user in experts:
        await add_member(chat.runtime, project_id, chat.identity(user))
    await grant(chat, "meg", "manager")
    for user in experts:  # as onboarding would have set it
        await name_person(chat, user, user.title())
    return project_id


async def name_person(chat, user: str, name: str) -> None:
    key = parse_identity(chat.identity(user))
    async with chat.runtime.db.transaction() as tx:
        await tx.execute("UPDATE persons SET display_name = $1 WHERE id = (SELECT person_id FROM identities"
                         " WHERE platform = $2 AND workspace = $3 AND user_id = $4)",
                         name, key.platform, key.workspace, key.user_id)


def actor_key(chat, user: str) -> str:
    """The key the runtime files this user's inbox rows (and per-person limits) under."""
    key = parse_identity(chat.identity(user))
    return f"{key.platform}:{key.workspace}/{key.user_id}" if key.workspace else f"{key.platform}:{key.user_id}"


async def redeliver_last(chat, user: str) -> None:
    """The platform sends the newest update of this user again (a lost ack): the same delivery id, through the
    runtime's inbox as every adapter hands it over."""
    actor = actor_key(chat, user)
    inbox = await rows(chat.runtime, "SELECT payload FROM inbox WHERE actor_key = $1 ORDER BY id DESC LIMIT 1", actor)
    before = await rows(chat.runtime, "SELECT COUNT(*) AS n FROM inbox")
    await chat.runtime.handle(EVENT.validate_json(inbox[0]["payload"]))
    assert await rows(chat.runtime, "SELECT COUNT(*) AS n FROM inbox") == before  # deduplicated, not a new row


# how a reply reached the platform --------------------------------------------------------------------------------
def watch_deliveries(chat) -> list:
    """Every delivery the runtime hands to the adapter from now on (operation kind, the message it edits), so a
    test can tell a message edited in place from a new one on every platform."""
    seen: list = []
    chat.runtime.on_delivered.append(seen.append)
    return seen


async def _newest_is_edit(chat, deliveries: list, user: str, where_no_edits: str) -> bool:
    """Whether the newest message delivered to `user` replaced an earlier one where the platform edits messages;
    elsewhere (the console prints anew) whether its kind is `where_no_edits`."""
    pid = await person_id(chat, user)
    mine = [d for d in deliveries if d.op.kind in ("send", "edit") and d.person_id == pid]
    assert mine, f"nothing was delivered to {user}"
    if chat.runtime.capabilities_for(chat.platform).edits:
        return mine[-1].op.kind == "edit" and mine[-1].edit_message_id is not None
    return mine[-1].op.kind == where_no_edits


async def shown_in_place(chat, deliveries: list, user: str) -> bool:
    """The newest message delivered to `user` replaced the pressed message where the platform edits messages
    (Telegram, Slack), and was a new message where it cannot (the console prints anew)."""
    return await _newest_is_edit(chat, deliveries, user, "send")


async def edited_in_place(chat, deliveries: list, user: str) -> bool:
    """The newest message delivered to `user` was an edit of one sent to them earlier (a live tally another
    person's answer updates): replacing that message where the platform edits messages; on the console the
    runtime still stages it as an edit, which the console prints anew."""
    return await _newest_is_edit(chat, deliveries, user, "edit")


# Methods that put a new message in a conversation, edit one, or open a window, per platform stand-in.
SENDS = {"sendMessage", "sendDocument", "sendPhoto", "chat.postMessage", "files.completeUploadExternal"}
EDITS = {"editMessageText", "chat.update"}
MODALS = {"views.open"}


def platform_calls(chat):
    """A function giving the platform calls made since this one (method -> how many), read from the stand-in
    (Telegram, Slack); the console has no platform, so there it is always empty."""
    from collections import Counter

    standin = getattr(chat, "api", None) or getattr(chat, "standin", None)
    calls = getattr(standin, "calls", None)
    start = len(calls) if calls is not None else 0

    def since() -> Counter:
        now = getattr(chat, "api", None) or getattr(chat, "standin", None)
        return Counter(c.method for c in (now.calls[start:] if now is not None else []))
    return since


# files a person received ---------------------------------------------------------------------------------------


def watch_files(chat) -> None:
    """The console prints a file's name; keep what it delivered so the test can read the bytes."""
    chat.delivered_files = []

    def seen(delivery) -> None:
        message = getattr(delivery.op, "message", None)
        for block in getattr(message, "blocks", []):
            if getattr(block, "kind", None) == "media" and block.media == "document":
                data = chat.runtime.blobs.path_of(block.blob.sha256).read_bytes()  # the tests' store is a folder
                chat.delivered_files.append((delivery.chat_id, block.blob.name, data))

    chat.runtime.on_delivered.append(seen)


def files_for(chat, user: str) -> list[tuple[str, bytes]]:
    """(filename, bytes) of every file `user` received, as the platform stored it."""
    if chat.platform == "telegram":
        uid = chat.user_id(user)
        return [(m["document"]["file_name"], chat.api.file_bytes(m["document"]["file_id"]))
                for m in chat.api.messages_to(uid) if "document" in m]
    if chat.platform == "slack":
        from tests.flows.slack import dm_channel

        channel = dm_channel(chat.uid(user))
        return [(f.name, f.data) for f in chat.standin.uploaded_files() if channel in f.channels]
    return [(name, data) for chat_id, name, data in chat.delivered_files if chat_id == user]


async def person_id(chat, user: str) -> int:
    key = parse_identity(chat.identity(user))
    got = await rows(chat.runtime, "SELECT person_id FROM identities WHERE platform = $1 AND workspace = $2"
                                   " AND user_id = $3", key.platform, key.workspace, key.user_id)
    assert got, f"{user} has not talked to the bot"
    return got[0]["person_id"]


def resign_button(chat, owner: str, label: str, action, presser_id: int) -> None:
    """Rewrite the button `owner` received so it carries `action` correctly signed for `presser_id`: a press
    that passes the codec and must be refused by the handler's own check against storage (every adapter keeps
    the payload where its platform does: callback data, or a Slack action's value)."""
    i, j = chat._find_button(owner, label, anywhere=True)
    item = chat.received(owner)[i]
    forged = chat.runtime.codec.inline(action, presser_id)
    if getattr(item, "actions", None):
        item.actions[j]["value"] = forged
    else:
        item.payloads[j] = forged


@contextlib.asynccontextmanager
async def second_platform(chat):
    """Another platform served by `chat`'s own runtime, as one `panelist run` serves several platforms: console
    beside any other adapter, Telegram beside console. Fails the test if its stand-in refused a call."""
    from tests.flows.console import ConsoleHarness
    from tests.flows.telegram import TelegramHarness

    cls = ConsoleHarness if chat.platform != "console" else TelegramHarness
    other = cls(chat.database_url)
    other.settings = chat.settings
    other.runtime = chat.runtime
    await other._start_adapter()
    try:
        yield other
    finally:
        refusals = other.refusals()
        await other._stop_adapter()
    assert not refusals, f"the {other.platform} stand-in refused calls: {refusals}"


def link_code(shown: str) -> str:
    """The code in a /link reply."""
    return next(w for w in shown.replace("`", " ").replace("*", " ").split() if len(w) == 8 and w.isalnum() and w.isupper())


def cmd(chat, name: str) -> str:
    """How the bot writes command `name` on this chat's platform: Slack has one slash command (`/panelist next`),
    Telegram and the console one per command (`/next`). Written out here, not asked of the code under test."""
    return f"/panelist {name}" if chat.platform == "slack" else f"/{name}"


def watch_media(chat) -> list[tuple[str, str]]:
    """(chat id, SHA-256) of every medium delivered from now on, as the runtime hands it to the adapter (what
    the console shows; on Telegram and Slack `media_seen` reads the platform instead)."""
    seen: list[tuple[str, str]] = []

    def record(delivery) -> None:
        for block in getattr(getattr(delivery.op, "message", None), "blocks", []):
            for media in block.items if block.kind == "gallery" else [block] if block.kind == "media" else []:
                seen.append((delivery.chat_id, media.blob.sha256))

    chat.runtime.on_delivered.append(record)
    return seen


def media_seen(chat, user: str, watched: list[tuple[str, str]]) -> list[str]:
    """SHA-256 of each medium `user` can see in their conversation, in the order it arrived."""
    if chat.platform == "telegram":
        found = []
        for message in chat.api.messages_to(chat.user_id(user)):
            for key in ("photo", "audio", "voice", "video", "document"):
                if key in message:
                    file = message[key][-1] if key == "photo" else message[key]
                    found.append(hashlib.sha256(chat.api.file_bytes(file["file_id"])).hexdigest())
        return found
    if chat.platform == "slack":
        from tests.flows.slack import dm_channel

        channel = dm_channel(chat.uid(user))
        shown = json.dumps(chat.standin.messages_in(channel))
        return [hashlib.sha256(f.data).hexdigest() for f in chat.standin.uploaded_files()
                if f.data is not None and (channel in f.channels or f.id in shown)]
    return [sha for chat_id, sha in watched if chat_id == user]
