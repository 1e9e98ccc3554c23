"""The people of `bench/chaos.py`: platform sides (what a person types and presses, what they see) and the scripts
of the simulated experts and the manager, with the client-side journal of every input they consider confirmed.

A person acts one input at a time, as a person would: the next input only once the bot answered the previous one
(or `REPLY_TIMEOUT` passed: then the input stays unconfirmed and the person starts over with `/cancel`).
Telegram inputs are updates queued in the Bot API stand-in (long polling); Slack inputs are signed requests
posted to a live bot process's `/slack/events`, retried (with Slack's retry headers) until one answers 200.
"""
from __future__ import annotations

import asyncio
import hashlib
import random
import re
import time
from dataclasses import dataclass, field
from typing import Any

import aiohttp

from tests.slack_standin import SlackApiStandIn
from tests.slack_standin.signing import block_actions_payload, event_body, interaction_body, signed_headers
from tests.telegram_standin import BotApiStandIn

TEAM = "T0CHAOS"
SLACK_SECRET = "chaos-signing-secret"
SLACK_TOKEN = "xoxb-chaos"
REPLY_TIMEOUT = 180.0  # longer than today's worst recovery (30 s polling lease + 60 s delivery claim + sweeps)
QUIET = 1.1  # seconds without a new message after the expected one: a multi-part reply (paced at about one
# message a second per chat) has arrived whole

PROFILE = [("name", None), ("domains", ["Law"]), ("years", "12"), ("credentials", "LLM, solicitor, 12 years"),
           ("languages", "English"), ("timezone", "Europe/Madrid"), ("weekly_hours", "15")]
CASE = re.compile(r"Case (C\d{5})")


@dataclass
class Shown:
    """One thing a person saw: a message (new or edited), a notice (callback answer / ephemeral)."""

    at: float
    kind: str  # message | notice
    text: str
    buttons: list[tuple[str, Any]] = field(default_factory=list)  # (label, what pressing needs)


@dataclass
class Input:
    """One input of the journal. `effect` names what it should leave in the database when confirmed."""

    person: str
    platform: str
    what: str  # the typed line or the pressed label
    delivery_ids: list[str]
    sent_at: float
    effect: str | None = None  # onboard | join | submit | log | approve
    detail: dict = field(default_factory=dict)
    confirmed_at: float | None = None
    outcome: str | None = None  # the reply's gist: confirmed, refused, already, timeout


class Journal:
    def __init__(self) -> None:
        self.inputs: list[Input] = []

    def add(self, item: Input) -> Input:
        self.inputs.append(item)
        return item

    def effects(self, effect: str) -> list[Input]:
        return [i for i in self.inputs if i.effect == effect]


class Mailbox:
    """What one person saw, in order, with a way to wait for something new."""

    def __init__(self) -> None:
        self.items: list[Shown] = []
        self._changed = asyncio.Event()

    def add(self, item: Shown) -> None:
        self.items.append(item)
        self._changed.set()
        self._changed = asyncio.Event()

    async def wait_for(self, start: int, match, timeout: float) -> Shown | None:
        """The first item from index `start` on for which `match(item)` holds, once the chat is quiet for a moment."""
        deadline = time.monotonic() + timeout
        found = None
        while True:
            if found is None:
                for item in self.items[start:]:
                    if match(item):
                        found = item
                        break
            if found is not None and time.monotonic() - self.items[-1].at >= QUIET:
                return found
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                return found
            changed = self._changed
            try:
                await asyncio.wait_for(changed.wait(), min(remaining, QUIET if found else remaining))
            except asyncio.TimeoutError:
                pass


# ---------------------------------------------------------------------------------------------------------------
# Telegram


class ChaosBotApi(BotApiStandIn):
    """The Bot API stand-in, also filing each successful visible answer in the mailbox of its person."""

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.mailboxes: dict[int, Mailbox] = {}
        self.query_owner: dict[str, int] = {}
        self.visible: list[tuple[str, dict]] = []  # (method, params) of every successful message call

    def _respond(self, method, params, result=None, error=None):
        if error is None and method in ("sendMessage", "editMessageText", "sendPhoto", "sendDocument"):
            self.visible.append((method, params))
            box = self.mailboxes.get(params.get("chat_id"))
            if box is not None and isinstance(result, dict):
                buttons = [(b["text"], (b.get("callback_data"), result["message_id"]))
                           for row in (result.get("reply_markup") or {}).get("inline_keyboard", []) for b in row]
                box.add(Shown(time.monotonic(), "message", result.get("text") or result.get("caption") or "", buttons))
        elif error is None and method == "answerCallbackQuery" and params.get("text"):
            box = self.mailboxes.get(self.query_owner.get(str(params.get("callback_query_id"))))
            if box is not None:
                box.add(Shown(time.monotonic(), "notice", str(params["text"])))
        return super()._respond(method, params, result, error)


def telegram_user_id(name: str) -> int:
    return 700_000_000 + int.from_bytes(hashlib.sha256(name.encode()).digest()[:4], "big") % 100_000_000


class TelegramSide:
    platform = "telegram"

    def __init__(self, api: ChaosBotApi) -> None:
        self.api = api

    def enrol(self, name: str) -> Mailbox:
        box = Mailbox()
        self.api.mailboxes[telegram_user_id(name)] = box
        return box

    def identity(self, name: str) -> str:
        return f"telegram:{telegram_user_id(name)}"

    async def type(self, name: str, line: str) -> list[str]:
        update = self.api.push_update(self.api.message_update(telegram_user_id(name), line, first_name=name.title()))
        return [str(update["update_id"])]

    async def press(self, name: str, handle: Any) -> list[str]:
        data, message_id = handle
        uid = telegram_user_id(name)
        update = self.api.callback_update(uid, data, message_id, first_name=name.title())
        self.api.query_owner[update["callback_query"]["id"]] = uid
        self.api.push_update(update)
        return [str(update["update_id"])]


# ---------------------------------------------------------------------------------------------------------------
# Slack


def slack_user_id(name: str) -> str:
    return "U" + hashlib.sha1(name.encode()).hexdigest()[:9].upper()


def dm_channel(user_id: str) -> str:
    return "D" + user_id.lstrip("UW")[:10].rjust(8, "0")


def _slack_text(blocks: list | str | None, fallback: str) -> str:
    import json

    if isinstance(blocks, str):
        blocks = json.loads(blocks)
    lines = []
    for b in blocks or []:
        if b.get("type") in ("section", "header") and b.get("text"):
            lines.append(b["text"]["text"])
        for f in b.get("fields") or []:
            lines.append(f["text"])
        if b.get("type") == "context":
            lines += [e.get("text", "") for e in b.get("elements") or []]
    text = "\n".join(lines) or fallback or ""
    return text.replace("\u200b", "").replace("&lt;", "<").replace("&gt;", ">").replace("&amp;", "&")


def _slack_buttons(blocks: list | str | None, channel: str, ts: str) -> list[tuple[str, Any]]:
    import json

    if isinstance(blocks, str):
        blocks = json.loads(blocks)
    out = []
    for b in blocks or []:
        if b.get("type") == "actions":
            for el in b.get("elements") or []:
                if el.get("type") == "button":
                    out.append((el["text"]["text"], {"action_id": el["action_id"], "value": el.get("value"),
                                                      "block_id": b.get("block_id", "b0"), "channel": channel,
                                                      "ts": ts}))
    return out


class SlackSide:
    """People in DMs with the bot: typed lines are DM messages (forms are walked step by step), buttons are
    block_actions. Requests go to a live process (`targets()` gives their base URLs)."""

    platform = "slack"

    def __init__(self, standin: SlackApiStandIn, targets, triple: bool, rng: random.Random) -> None:
        self.standin = standin
        self.targets = targets
        self.triple = triple
        self.rng = rng
        self.mailboxes: dict[str, Mailbox] = {}  # DM channel -> mailbox
        self.users: dict[str, str] = {}  # user id -> DM channel
        self._seen = 0
        self._events = 0
        self.http: aiohttp.ClientSession | None = None
        self.posts = 0
        self.post_failures = 0
        self.acked: set[str] = set()  # delivery ids a process answered 200

    async def start(self) -> None:
        self.http = aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=10))
        self._collector = asyncio.create_task(self._collect_forever())

    async def stop(self) -> None:
        self._collector.cancel()
        await asyncio.gather(self._collector, return_exceptions=True)
        if self.http is not None:
            await self.http.close()

    def enrol(self, name: str) -> Mailbox:
        uid = slack_user_id(name)
        self.standin.add_user(uid, name=name.title())
        box = Mailbox()
        self.mailboxes[dm_channel(uid)] = box
        self.users[uid] = dm_channel(uid)
        return box

    def identity(self, name: str) -> str:
        return f"slack:{TEAM}/{slack_user_id(name)}"

    async def _collect_forever(self) -> None:
        while True:
            self._collect()
            await asyncio.sleep(0.02)

    def _collect(self) -> None:
        new, self._seen = self.standin.succeeded_since(self._seen)
        for call in new:
            resp, p = call.response, call.params
            if call.method in ("chat.postMessage", "chat.update"):
                channel = resp.get("channel") or p.get("channel")
                box = self.mailboxes.get(channel)
                if box is not None:
                    blocks = p.get("blocks")
                    box.add(Shown(time.monotonic(), "message", _slack_text(blocks, p.get("text") or ""),
                                  _slack_buttons(blocks, channel, resp.get("ts") or p.get("ts"))))
            elif call.method == "chat.postEphemeral":
                box = self.mailboxes.get(self.users.get(p.get("user"), ""))
                if box is not None:
                    box.add(Shown(time.monotonic(), "notice", _slack_text(None, p.get("text") or "")))

    async def _post(self, body: str) -> None:
        """Post until a process answers 200, as Slack retries; with `triple`, two retries follow anyway."""
        attempt = 0
        while True:
            urls = self.targets()
            if urls:
                url = self.rng.choice(urls)
                headers = signed_headers(SLACK_SECRET, body, retry_num=attempt or None)
                self.posts += 1
                try:
                    async with self.http.post(url + "/slack/events", data=body.encode(), headers=headers) as resp:
                        await resp.read()
                        if resp.status == 200:
                            break
                except (aiohttp.ClientError, asyncio.TimeoutError):
                    pass
                self.post_failures += 1
                attempt += 1
            await asyncio.sleep(0.5)
        if self.triple:
            for retry in (attempt + 1, attempt + 2):
                asyncio.create_task(self._retry(body, retry))

    async def _retry(self, body: str, retry_num: int) -> None:
        await asyncio.sleep(self.rng.uniform(0.0, 1.0))
        urls = self.targets()
        if not urls:
            return
        self.posts += 1
        try:
            async with self.http.post(self.rng.choice(urls) + "/slack/events", data=body.encode(),
                                      headers=signed_headers(SLACK_SECRET, body, retry_num=retry_num)) as resp:
                await resp.read()
        except (aiohttp.ClientError, asyncio.TimeoutError):
            self.post_failures += 1

    async def type(self, name: str, line: str) -> list[str]:
        uid = slack_user_id(name)
        self._events += 1
        event_id = f"EvC{self._events:06d}{self.rng.randrange(16 ** 4):04X}"
        text = line.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
        event = {"type": "message", "channel": dm_channel(uid), "channel_type": "im", "text": text,
                 "ts": f"{time.time():.6f}"}
        await self._post(event_body(TEAM, uid, event, event_id))
        self.acked.add(event_id)
        return [event_id]

    async def press(self, name: str, handle: dict) -> list[str]:
        uid = slack_user_id(name)
        trigger = self.standin.new_trigger_id()
        payload = block_actions_payload(TEAM, uid, handle["action_id"], handle["value"], trigger_id=trigger,
                                        channel_id=handle["channel"], message_ts=handle["ts"],
                                        block_id=handle["block_id"])
        await self._post(interaction_body(payload))
        self.acked.add(f"act:{trigger}")
        return [f"act:{trigger}"]


# ---------------------------------------------------------------------------------------------------------------
# People


class Person:
    def __init__(self, name: str, side, journal: Journal, rng: random.Random) -> None:
        self.name = name
        self.side = side
        self.journal = journal
        self.rng = rng
        self.box = side.enrol(name)
        self.timeouts = 0

    @property
    def identity(self) -> str:
        return self.side.identity(self.name)

    def newest_buttons(self) -> list[tuple[str, Any]]:
        for item in reversed(self.box.items):
            if item.kind == "message" and item.buttons:
                return item.buttons
        return []

    def button(self, label: str) -> Any | None:
        buttons = self.newest_buttons()
        for text, handle in buttons:
            if text.casefold() == label.casefold():
                return handle
        for text, handle in buttons:
            if label.casefold() in text.casefold():
                return handle
        return None

    async def act(self, what: str, *, press: bool = False, expect=None, effect: str | None = None,
                  detail: dict | None = None) -> tuple[Input, Shown | None]:
        """Type a line or press a button, then wait for the reply (`expect(shown)`, default: anything new)."""
        start = len(self.box.items)
        sent_at = time.monotonic()
        if press:
            handle = self.button(what)
            if handle is None:
                raise LookupError(f"{self.name}: no button {what!r}")
            ids = await self.side.press(self.name, handle)
        else:
            ids = await self.side.type(self.name, what)
        item = self.journal.add(Input(self.name, self.side.platform, what, ids, sent_at, effect, dict(detail or {})))
        seen = await self.box.wait_for(start, expect or (lambda s: True), REPLY_TIMEOUT)
        if seen is None:
            item.outcome = "timeout"
            self.timeouts += 1
        else:
            item.confirmed_at = seen.at
            item.outcome = "confirmed"
        return item, seen

    async def fill(self, answers: list[tuple[str, Any]]) -> bool:
        """Walk a wizard: a list toggles labels then Done, a label on the newest buttons is pressed, else typed."""
        for _, value in answers:
            if isinstance(value, list):
                for label in value:
                    _, seen = await self.act(label, press=True)
                    if seen is None:
                        return False
                _, seen = await self.act("Done", press=True)
            elif self.button(str(value)) is not None and any(
                    t.casefold() == str(value).casefold() for t, _ in self.newest_buttons()):
                _, seen = await self.act(str(value), press=True)
            else:
                _, seen = await self.act(str(value))
            if seen is None:
                return False
        return True

    async def recover(self) -> None:
        """After an answer that never came: start over, as a person would."""
        await self.act("/cancel")


class Expert(Person):
    def __init__(self, *args, project: str, log_every: float, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.project = project
        self.log_every = log_every
        self.logs = 0
        self.day_minutes: dict[str, int] = {}

    async def onboard(self) -> None:
        while True:
            _, seen = await self.act("/start", expect=lambda s: "Your name" in s.text or "Welcome back" in s.text)
            if seen is not None and "Welcome back" in seen.text:
                break
            if seen is not None:
                answers = [(k, self.name.title() if v is None else v) for k, v in PROFILE]
                if await self.fill(answers):
                    _, seen = await self.act("Save", press=True, effect="onboard",
                                             expect=lambda s: "profile is saved" in s.text)
                    if seen is not None:
                        break
            await self.recover()
        while True:
            item, seen = await self.act(f"/join {self.project}", effect="join",
                                        expect=lambda s: self.project in s.text)
            if seen is not None:
                return

    async def work(self, running: asyncio.Event) -> None:
        while running.is_set():
            try:
                if self.rng.random() < self.log_every:
                    await self.log_hours()
                else:
                    await self.answer_one()
            except LookupError:  # the screen was not what this person expected: start over
                await self.recover()

    async def log_hours(self) -> None:
        self.logs += 1
        minutes = self.rng.choice((15, 30))
        day = self.rng.choice(("today", "yesterday"))
        if self.day_minutes.get(day, 0) + minutes > 20 * 60:  # stay under the 24-hour day cap
            return
        ref = f"ref-{self.name}-{self.logs}"
        item, seen = await self.act(f"/log {minutes}m {day} {ref}", effect="log",
                                    detail={"minutes": minutes, "ref": ref, "day": day},
                                    expect=lambda s: "Recorded" in s.text or "24 hours" in s.text)
        if seen is not None and "Recorded" not in seen.text:
            item.outcome = "refused"
        elif seen is not None:
            self.day_minutes[day] = self.day_minutes.get(day, 0) + minutes

    async def answer_one(self) -> None:
        start = len(self.box.items)
        item, seen = await self.act("/next", expect=lambda s: any("better" in t for t, _ in s.buttons)
                                    or "No tasks" in s.text or "no longer" in s.text)
        if seen is None:
            await self.recover()
            return
        cases = [m.group(1) for shown in self.box.items[start:] for m in [CASE.search(shown.text)] if m]
        if "No tasks" in seen.text or not cases or self.button("A is better") is None:
            await asyncio.sleep(1.0)  # nothing to do now
            return
        case = cases[-1]
        choice = self.rng.choice(("A is much better", "A is better", "B is better"))
        _, seen = await self.act(choice, press=True)
        if seen is None:
            return await self.recover()
        note = self.rng.randrange(10 ** 6)
        justification = (f"Legal accuracy in {case}: A names the deposit protection scheme and the claim of up to "
                         f"three times the deposit, while B says \"landlords can keep deposits\", which would "
                         f"mislead the tenant into losing money (note {note}).")
        _, seen = await self.act(justification, expect=lambda s: self.button("Submit answer") is not None
                                 or self.button("as it is") is not None)
        if seen is None:
            return await self.recover()
        label = "Submit answer" if self.button("Submit answer") is not None else "as it is"
        item, seen = await self.act(label, press=True, effect="submit", detail={"case": case},
                                    expect=lambda s: "is saved" in s.text or "already submitted" in s.text
                                    or "all the answers it needs" in s.text or "no longer assigned" in s.text)
        if seen is not None and "is saved" not in seen.text and "already submitted" not in seen.text:
            item.outcome = "refused"


class Manager(Person):
    async def approve(self) -> int | None:
        """/approvals, then Approve all; the count approved, or None when nothing was confirmed."""
        _, seen = await self.act("/approvals", expect=lambda s: "Approve all" in [t for t, _ in s.buttons]
                                 or "No hours are waiting" in s.text)
        if seen is None or "No hours are waiting" in seen.text:
            return 0 if seen is not None else None
        if self.button("Approve all") is None:
            return None
        item, seen = await self.act("Approve all", press=True, effect="approve",
                                    expect=lambda s: "approved." in s.text or "Nothing left" in s.text)
        if seen is None:
            return None
        found = re.search(r"(\d+) entr", seen.text)
        item.detail["count"] = int(found.group(1)) if found else 0
        return item.detail["count"]

    async def work(self, running: asyncio.Event, every: float) -> None:
        while running.is_set():
            await asyncio.sleep(self.rng.uniform(0.5, 1.5) * every)
            try:
                await self.approve()
            except LookupError:
                await self.recover()
