"""The Slack adapter under the flow harness: the real Bolt app behind the project's aiohttp server.

Every action of a test person is an HTTP request signed as Slack signs it, sent to `/slack/events` of
`app.serve.http_app` (served by aiohttp's `TestServer`); the bot's Web API client talks to the loopback
`SlackApiStandIn`. What a person "received" is read back from the stand-in's recorded calls (messages,
edits, ephemerals, modals, home tabs, uploads) — i.e. what Slack would show them.

People are strings ("ana"); each gets a Slack user id `U…` (stable per name) in team `T0TEST`.

Typed lines: `/cmd args` is the slash command `/panelist cmd args` (it carries a trigger id, so a form opens
as a modal); anything else is a direct message to the bot. While a modal is open the harness behaves like a
person in front of it: `send(text)` types into the modal's current field and moves on; `press(label)` picks an
option of the current field (or toggles a checkbox), "Done" moves on, "Back" moves back, the submit label
("Save") submits the modal and the close label ("Cancel") closes it (`view_closed`). A command typed while a
modal is open first closes the modal — in Slack a person cannot type in a conversation with a modal in front.
`fill_form` sets fields by their ids (= block ids) from option labels and typed text and submits. Changing a field
whose block has `dispatch_action` sends Slack's block_actions from inside the view; a `views.update` of the modal
redraws it for the person, keeping what they typed. A
`response_action: errors` ack is recorded as a `form_errors` item and leaves the modal open; a `response_action:
update` ack redraws it (checked by the stand-in as `views.update` is).
"""
from __future__ import annotations

import hashlib
import itertools
import json
import re
import secrets
import time
from dataclasses import dataclass, field
from typing import Any

import aiohttp
from aiohttp.test_utils import TestServer

from bot.adapters.slack.adapter import SlackAdapter
from bot.adapters.slack.mrkdwn import ZWSP
from bot.adapters.slack.pacing import ChannelPacer
from app.serve import http_app
from tests.flows.harness import ChatHarness, Received
from tests.slack_standin import SlackApiStandIn
from tests.slack_standin.signing import (
    block_actions_payload, event_body, interaction_body, signed_headers, slash_command_body,
    view_action_payload, view_closed_payload, view_submission_payload,
)

TEAM = "T0TEST"
SECRET = "flow-harness-signing-secret"
TOKEN = "xoxb-flow-harness"


def slack_user_id(name: str) -> str:
    return "U" + hashlib.sha1(name.encode("utf-8")).hexdigest()[:9].upper()


def dm_channel(user_id: str) -> str:
    return "D" + user_id.lstrip("UW")[:10].rjust(8, "0")


def slack_escape(text: str) -> str:
    """What Slack does to typed text before sending it to an app."""
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def mrkdwn_to_text(s: str) -> str:
    return s.replace(ZWSP, "").replace("&lt;", "<").replace("&gt;", ">").replace("&amp;", "&")


def blocks_text(blocks: list[dict]) -> str:
    lines = []
    for b in blocks or []:
        t = b.get("type")
        if t in ("section", "header"):
            if b.get("text"):
                lines.append(mrkdwn_to_text(b["text"]["text"]))
            for f in b.get("fields") or []:
                lines.append(mrkdwn_to_text(f["text"]))
        elif t == "context":
            lines += [mrkdwn_to_text(e.get("text", "")) for e in b.get("elements") or []]
        elif t == "input":
            lines.append(b["label"]["text"])
    return "\n".join(lines)


def blocks_buttons(blocks: list[dict]) -> list[dict]:
    out = []
    for b in blocks or []:
        if b.get("type") == "actions":
            for el in b.get("elements") or []:
                if el.get("type") == "button":
                    out.append({"label": el["text"]["text"], "value": el.get("value"), "action_id": el["action_id"],
                                "block_id": b.get("block_id", "b0")})
    return out


def _options(el: dict) -> list[dict]:
    if "options" in el:
        return list(el["options"])
    return [o for g in el.get("option_groups") or [] for o in g["options"]]


@dataclass
class SlackReceived(Received):
    """What a person received, with the Slack buttons behind the labels (value, action id, message or view)."""

    actions: list[dict] = field(default_factory=list)


class _Modal:
    """One open modal as a person sees it: the view Slack stored, a cursor and the state typed so far."""

    def __init__(self, view: dict) -> None:
        self.view = view
        self.inputs = [b for b in view.get("blocks", []) if b.get("type") == "input"]
        self.index = 0
        self.state: dict[str, dict] = {}
        for b in self.inputs:
            el = b["element"]
            st: dict[str, Any] = {"type": el["type"]}
            if el["type"] in ("plain_text_input", "number_input"):
                st["value"] = el.get("initial_value")
            elif el["type"] in ("static_select", "radio_buttons"):
                st["selected_option"] = el.get("initial_option")
            elif el["type"] in ("checkboxes", "multi_static_select"):
                st["selected_options"] = list(el.get("initial_options") or [])
            elif el["type"] == "datepicker":
                st["selected_date"] = el.get("initial_date")
            elif el["type"] == "users_select":
                st["selected_user"] = el.get("initial_user")
            elif el["type"] == "multi_users_select":
                st["selected_users"] = list(el.get("initial_users") or [])
            self.state[b["block_id"]] = st

    def refresh(self, view: dict) -> None:
        """The view after `views.update`: inputs kept by block id keep what the person typed (as Slack does)."""
        state = self.state
        self.__init__(view)  # type: ignore[misc]
        for block_id, st in state.items():
            if block_id in self.state and self.state[block_id]["type"] == st["type"]:
                self.state[block_id] = st

    def position(self, field_id: str) -> int:
        return [b["block_id"] for b in self.inputs].index(field_id)

    def block(self, field_id: str) -> dict:
        for b in self.inputs:
            if b["block_id"] == field_id:
                return b
        raise AssertionError(f"the modal has no field {field_id!r}: {[b['block_id'] for b in self.inputs]}")

    def current(self) -> dict | None:
        return self.inputs[self.index] if 0 <= self.index < len(self.inputs) else None

    def option(self, block: dict, label: str) -> dict | None:
        opts = _options(block["element"])
        exact = [o for o in opts if o["text"]["text"].casefold() == label.casefold()]
        if exact:
            return exact[0]
        part = [o for o in opts if label.casefold() in o["text"]["text"].casefold()]
        return part[0] if part else None

    def set(self, block: dict, value: Any) -> None:
        """Set a field from typed text, an option label, or a list of option labels."""
        el = block["element"]
        st = self.state[block["block_id"]]
        kind = el["type"]
        if value is None:  # left empty (an optional field skipped)
            for key in ("value", "selected_option", "selected_date", "selected_user"):
                if key in st:
                    st[key] = None
            if "selected_options" in st:
                st["selected_options"] = []
            if "selected_users" in st:
                st["selected_users"] = []
            return
        if kind in ("static_select", "radio_buttons"):
            opt = self.option(block, str(value))
            assert opt is not None, f"no option {value!r} in {block['block_id']}"
            st["selected_option"] = opt
        elif kind in ("checkboxes", "multi_static_select"):
            labels = value if isinstance(value, list) else [value]
            chosen = []
            for label in labels:
                opt = self.option(block, str(label))
                assert opt is not None, f"no option {label!r} in {block['block_id']}"
                chosen.append(opt)
            st["selected_options"] = chosen
        elif kind == "datepicker":
            st["selected_date"] = str(value)
        elif kind in ("users_select", "multi_users_select"):
            # A person picked in Slack's picker: given as a member id or an identity (slack:TEAM/U…).
            ids = [p.strip().rsplit("/", 1)[-1] for p in (value if isinstance(value, list) else str(value).split(","))
                   if p.strip()]
            if kind == "users_select":
                st["selected_user"] = ids[0] if ids else None
            else:
                st["selected_users"] = ids
        else:
            st["value"] = str(value)

    def toggle(self, block: dict, opt: dict) -> None:
        st = self.state[block["block_id"]]
        chosen = st["selected_options"]
        if any(o["value"] == opt["value"] for o in chosen):
            st["selected_options"] = [o for o in chosen if o["value"] != opt["value"]]
        else:
            st["selected_options"] = chosen + [opt]

    def values(self) -> dict:
        return {block_id: {"value": dict(st)} for block_id, st in self.state.items()}

    @property
    def submit_label(self) -> str:
        return (self.view.get("submit") or {}).get("text", "Submit")

    @property
    def close_label(self) -> str:
        return (self.view.get("close") or {}).get("text", "Cancel")


class SlackHarness(ChatHarness):
    forms_as_modals = True  # slash commands carry trigger ids: forms open as modals
    platform = "slack"

    def __init__(self, database_url: str, admins: str = "", clock=None, **settings: Any) -> None:
        settings.setdefault("slack_bot_token", TOKEN)
        settings.setdefault("slack_signing_secret", SECRET)
        super().__init__(database_url, admins=admins, clock=clock, **settings)
        self.standin: SlackApiStandIn | None = None
        self.server: TestServer | None = None
        self.http: aiohttp.ClientSession | None = None
        self.adapter: SlackAdapter | None = None
        self._seen = 0  # stand-in calls already turned into Received items
        self._modals: dict[str, _Modal] = {}
        self._users: dict[str, str] = {}  # Slack id → name
        self._events = itertools.count(1)
        self._restarting = False
        self._triggers: dict[str, str] = {}  # trigger id → the person whose action carried it
        self._old_refusals: list = []
        self.acks: list[tuple[int, float]] = []  # (status, seconds) of every request this harness sent

    # lifecycle -------------------------------------------------------------------------------------------
    async def _start_adapter(self) -> None:
        if self.standin is None:
            self.standin = SlackApiStandIn(token=TOKEN, team_id=TEAM)
            await self.standin.start()
        self.settings = self.settings.model_copy(update={"slack_api_url": self.standin.base_url})
        self.runtime.settings = self.settings
        self.adapter = SlackAdapter(self.runtime, self.settings, pacer=ChannelPacer(interval=0.0))
        # Deliveries no request of ours caused (scheduler ticks, sweeps) are read back as they happen.
        self.runtime.on_delivered.append(lambda delivery: self._collect())
        self.server = TestServer(http_app(self.runtime, [self.adapter]))
        await self.server.start_server()
        self.http = aiohttp.ClientSession()
        await self.adapter.start()
        await self.runtime.recover_inbox("slack")  # what `panelist run` does after starting its adapters
        self._collect()

    async def _stop_adapter(self) -> None:
        if self.adapter is not None:
            await self.adapter.stop()
            self.adapter = None
        if self.http is not None:
            await self.http.close()
            self.http = None
        if self.server is not None:
            await self.server.close()
            self.server = None
        if self.standin is not None and not self._restarting:
            self._old_refusals += list(self.standin.refusals)
            await self.standin.stop()
            self.standin = None

    async def restart(self) -> None:
        self._restarting = True
        try:
            await super().restart()
        finally:
            self._restarting = False
        self._modals.clear()

    def refusals(self) -> list:
        return self._old_refusals + (list(self.standin.refusals) if self.standin else [])

    @classmethod
    def identity(cls, user: str) -> str:
        return f"slack:{TEAM}/{slack_user_id(user)}"

    def uid(self, user: str) -> str:
        u = slack_user_id(user)
        if u not in self._users:
            self._users[u] = user
            if self.standin is not None and u not in self.standin.users:
                self.standin.add_user(u, name=user)
        return u

    # transport -------------------------------------------------------------------------------------------
    async def post(self, body: str, *, timestamp: int | None = None, retry_num: int | None = None,
                   retry_reason: str = "http_timeout", secret: str = SECRET) -> tuple[int, str]:
        """Sign and post one request to /slack/events; wait for the turns it started; collect what was sent."""
        assert self.server is not None and self.http is not None
        headers = signed_headers(secret, body, timestamp=timestamp, retry_num=retry_num, retry_reason=retry_reason)
        started = time.monotonic()
        async with self.http.post(self.server.make_url("/slack/events"), data=body.encode("utf-8"),
                                  headers=headers) as resp:
            text = await resp.text()
            self.acks.append((resp.status, time.monotonic() - started))
            status = resp.status
        await self.settle()
        return status, text

    async def settle(self) -> None:
        assert self.adapter is not None
        await self.adapter.drain()
        self._collect()

    # what people receive ---------------------------------------------------------------------------------
    def _user_of_channel(self, channel: str) -> str | None:
        for uid, name in self._users.items():
            if dm_channel(uid) == channel or uid == channel:
                return name
        return None

    def _add(self, user: str, item: Received, buttons: list[dict]) -> None:
        self.received(user).append(SlackReceived(text=item.text, buttons=item.buttons, kind=item.kind,
                                                 actions=buttons))

    def _collect(self) -> None:
        assert self.standin is not None
        new, self._seen = self.standin.succeeded_since(self._seen)
        for call in new:
            resp, p = call.response, call.params
            if call.method in ("chat.postMessage", "chat.update"):
                user = self._user_of_channel(resp.get("channel") or p.get("channel"))
                if user is None:
                    continue
                blocks = p.get("blocks") or []
                if isinstance(blocks, str):
                    blocks = json.loads(blocks)
                text = blocks_text(blocks) or mrkdwn_to_text(p.get("text") or "")
                buttons = [{**b, "channel": resp.get("channel"), "ts": resp.get("ts")} for b in blocks_buttons(blocks)]
                self._add(user, Received(text=text, buttons=[b["label"] for b in buttons]), buttons)
            elif call.method == "chat.postEphemeral":
                user = self._users.get(p.get("user"))
                if user is not None:
                    self._add(user, Received(text=mrkdwn_to_text(p.get("text") or ""), kind="notice"), [])
            elif call.method == "views.open":
                view = resp["view"]
                user = self._triggers.get(p.get("trigger_id"))  # views.open names no user: its trigger does
                if user is None:
                    continue
                self._modals[user] = _Modal(view)
                title = view.get("title", {}).get("text", "")
                self._add(user, Received(text=title + "\n" + blocks_text(view.get("blocks")), kind="form"), [])
            elif call.method == "views.update":
                view = resp["view"]
                for user, modal in self._modals.items():
                    if modal.view.get("id") == view["id"]:
                        modal.refresh(view)
                        title = view.get("title", {}).get("text", "")
                        self._add(user, Received(text=title + "\n" + blocks_text(view.get("blocks")), kind="form"), [])
            elif call.method == "views.publish":
                user = self._users.get(p.get("user_id"))
                if user is not None:
                    view = p.get("view")
                    view = json.loads(view) if isinstance(view, str) else view
                    buttons = [{**b, "view": resp["view"]} for b in blocks_buttons(view.get("blocks"))]
                    self._add(user, Received(text=blocks_text(view.get("blocks")), buttons=[b["label"] for b in buttons],
                                             kind="home"), buttons)
            elif call.method == "files.completeUploadExternal":
                channel = p.get("channel_id") or p.get("channels")
                user = self._user_of_channel(str(channel))
                if user is not None:
                    names = ", ".join(f.get("name", "") for f in resp.get("files", []))
                    self._add(user, Received(text=names, kind="file"), [])

    # what people do --------------------------------------------------------------------------------------
    async def send(self, user: str, line: str) -> None:
        uid = self.uid(user)
        stripped = line.strip()
        is_command = stripped.startswith("/") and len(stripped) > 1 and not stripped.startswith("//")
        modal = self._modals.get(user)
        if modal is not None and not is_command:
            field = modal.current()
            assert field is not None, f"{user} typed {line!r} with the modal's fields all answered"
            modal.set(field, line)
            await self.changed(user, field["block_id"])
            modal.index = modal.position(field["block_id"]) + 1
            await self._walked(user, modal)
            return
        if modal is not None:
            await self.close_modal(user)
        if is_command:
            body = slash_command_body(TEAM, uid, slack_escape(stripped[1:]), trigger_id=self.trigger(user),
                                      channel_id=dm_channel(uid))
            await self.post(body)
            return
        event = {"type": "message", "channel": dm_channel(uid), "channel_type": "im", "text": slack_escape(line),
                 "ts": f"{time.time():.6f}"}
        await self.post(event_body(TEAM, uid, event, self.new_event_id()))

    def trigger(self, user: str) -> str:
        tid = self.standin.new_trigger_id()
        self._triggers[tid] = user
        return tid

    def new_event_id(self) -> str:
        return f"Ev{next(self._events):04d}{secrets.token_hex(4).upper()}"

    async def press(self, user: str, label: str) -> None:
        uid = self.uid(user)
        modal = self._modals.get(user)
        if modal is not None:
            if self._in_modal(modal, label):
                await self._press_in_modal(user, modal, label)
                return
            await self.close_modal(user)  # a button in the conversation: the person closes the modal first
        i, j = self._find_button(user, label)
        await self._press_button(user, self.received(user)[i].actions[j])

    async def press_as(self, presser: str, owner: str, label: str) -> None:
        """A forged press: `presser` replays the value of a button that was sent to `owner`."""
        i, j = self._find_button(owner, label, anywhere=True)
        await self._press_button(presser, self.received(owner)[i].actions[j])

    async def _press_button(self, user: str, b: dict) -> None:
        uid = self.uid(user)
        trigger = self.trigger(user)
        if "view" in b:  # a button on the Home tab
            payload = block_actions_payload(TEAM, uid, b["action_id"], b["value"], trigger_id=trigger,
                                            block_id=b["block_id"], view=b["view"])
        else:
            payload = block_actions_payload(TEAM, uid, b["action_id"], b["value"], trigger_id=trigger,
                                            channel_id=b["channel"], message_ts=b["ts"], block_id=b["block_id"])
        await self.post(interaction_body(payload))

    @staticmethod
    def _in_modal(modal: _Modal, label: str) -> bool:
        low = label.casefold()
        if low in modal.submit_label.casefold() or low in modal.close_label.casefold():
            return True
        if low in ("save", "submit", "cancel", "done", "back"):
            return True
        field = modal.current()
        return field is not None and field["element"]["type"] not in ("plain_text_input", "number_input") \
            and modal.option(field, label) is not None

    async def _press_in_modal(self, user: str, modal: _Modal, label: str) -> None:
        low = label.casefold()
        if low in modal.submit_label.casefold() or low in ("save", "submit"):
            await self.submit_modal(user)
            return
        if low in modal.close_label.casefold() or low == "cancel":
            await self.close_modal(user)
            return
        if low == "done":
            modal.index += 1
            await self._walked(user, modal)
            return
        if low == "back":
            modal.index = max(0, modal.index - 1)
            return
        field = modal.current()
        assert field is not None, f"{user} pressed {label!r} with the modal's fields all answered"
        opt = modal.option(field, label) if field["element"]["type"] not in ("plain_text_input", "number_input") else None
        assert opt is not None, f"no option {label!r} in the modal field {field['block_id']!r}"
        if field["element"]["type"] in ("checkboxes", "multi_static_select"):
            modal.toggle(field, opt)
            await self.changed(user, field["block_id"])
        else:
            modal.state[field["block_id"]]["selected_option"] = opt
            await self.changed(user, field["block_id"])
            modal.index = modal.position(field["block_id"]) + 1
            await self._walked(user, modal)

    async def _walked(self, user: str, modal: _Modal) -> None:
        """Past the last field by typing or picking: a form without a summary step completes there in the wizard,
        so the person submits the modal; a form with one waits for its submit label to be pressed."""
        if modal.index >= len(modal.inputs) and not await self._confirms(modal):
            await self.submit_modal(user)

    async def _confirms(self, modal: _Modal) -> bool:
        """Whether the modal's form has a summary step (`FormSpec.confirm`), read from its stored session."""
        from bot.adapters.slack import SLACK
        from bot.core.context import Context
        from storage.uow import UnitOfWork

        try:
            session_id = int(modal.view.get("private_metadata") or "")
            async with self.runtime.db.transaction() as tx:
                uow = UnitOfWork(tx)
                session = await uow.forms.get(session_id)
                person = await uow.people.get(session.person_id)
                identities = await uow.identities.for_person(session.person_id)
                ctx = Context(uow=uow, person=person, identity=identities[0] if identities else None,
                              roles=await uow.roles.of(person.id), locale="en", tz="UTC", now=self.runtime.clock(),
                              capabilities=SLACK, event=None, runtime=self.runtime)
                spec = self.runtime.router.forms[session.form_id].build(ctx, session.params)
                if hasattr(spec, "__await__"):
                    spec = await spec
            return bool(spec.confirm)
        except Exception:  # a form whose builder needs more of a turn than this: assume a summary step
            return True

    async def changed(self, user: str, field_id: str) -> None:
        """The person changed a field of the open modal: when its block dispatches actions (other fields depend on
        it), Slack sends a block_actions from inside the view, and the modal may be redrawn (`views.update`)."""
        modal = self._modals[user]
        if not modal.block(field_id).get("dispatch_action"):
            return
        payload = view_action_payload(TEAM, self.uid(user), modal.view, modal.values(), field_id,
                                      trigger_id=self.trigger(user))
        status, text = await self.post(interaction_body(payload))
        assert status == 200, f"a change in a modal answered HTTP {status}: {text}"

    async def submit_modal(self, user: str) -> None:
        modal = self._modals[user]
        payload = view_submission_payload(TEAM, self.uid(user), modal.view, modal.values(),
                                          trigger_id=self.trigger(user))
        status, text = await self.post(interaction_body(payload))
        assert status == 200, f"view submission answered HTTP {status}: {text}"
        answer = json.loads(text) if text.strip().startswith("{") else {}
        if answer.get("response_action") == "errors":
            errors = answer.get("errors") or {}
            self._add(user, Received(text="\n".join(f"{k}: {v}" for k, v in errors.items()), kind="form_errors"), [])
            return
        if answer.get("response_action") == "update":  # the modal is redrawn in place and stays open
            stored = self.standin.update_by_ack(modal.view["id"], answer.get("view"))
            if stored is not None:
                modal.refresh(stored)
                self._add(user, Received(text=stored["title"]["text"] + "\n" + blocks_text(stored["blocks"]),
                                         kind="form"), [])
            return
        if self._modals.get(user) is modal:
            del self._modals[user]

    async def close_modal(self, user: str) -> None:
        modal = self._modals.pop(user)
        view = {**modal.view, "state": {"values": modal.values()}}
        status, text = await self.post(interaction_body(view_closed_payload(TEAM, self.uid(user), view)))
        assert status == 200, f"view_closed answered HTTP {status}: {text}"

    async def upload(self, user: str, filename: str, data: bytes, caption: str = "") -> None:
        uid = self.uid(user)
        file_id = f"F{secrets.token_hex(5).upper()}"
        self.standin.add_file(file_id, re.sub(r"[/\\]", "_", filename), data)
        info = self.standin._file_json(self.standin.files[file_id])
        event = {"type": "message", "subtype": "file_share", "channel": dm_channel(uid), "channel_type": "im",
                 "text": caption, "ts": f"{time.time():.6f}", "files": [info]}
        await self.post(event_body(TEAM, uid, event, self.new_event_id()))

    async def fill_form(self, user: str, answers: dict[str, Any], confirm: bool = True) -> None:
        modal = self._modals.get(user)
        if modal is None:  # a form walked step by step in the DM (started by a DM message)
            from tests.flows.console import wizard_fill

            await wizard_fill(self, user, answers, confirm)
            return
        for field_id, value in answers.items():
            if isinstance(value, tuple) and value and value[0] == "press":
                value = value[1]
            if isinstance(value, tuple) and value and value[0] == "file":  # picked in the modal's file input
                file_id = f"F{secrets.token_hex(5).upper()}"
                self.standin.add_file(file_id, value[1], value[2])
                modal.state[field_id] = {"type": "file_input", "files": [{"id": file_id, "name": value[1]}]}
                continue
            modal.set(modal.block(field_id), value)
            await self.changed(user, field_id)
        modal.index = len(modal.inputs)
        if confirm:
            await self.submit_modal(user)

    async def open_home(self, user: str) -> None:
        uid = self.uid(user)
        event = {"type": "app_home_opened", "user": uid, "channel": dm_channel(uid), "tab": "home"}
        await self.post(event_body(TEAM, uid, event, self.new_event_id()))



class SlackDMHarness(SlackHarness):
    """Slack where people type commands in their DM with the bot (`/start` or `start` as a message): no trigger
    id, so forms are walked step by step in the conversation, as on Telegram. Buttons still carry trigger ids;
    a form already being walked stays in the DM."""

    forms_as_modals = False

    async def send(self, user: str, line: str) -> None:
        stripped = line.strip()
        if stripped.startswith("/") and len(stripped) > 1 and not stripped.startswith("//") and not self._modals.get(user):
            uid = self.uid(user)
            event = {"type": "message", "channel": dm_channel(uid), "channel_type": "im", "text": slack_escape(stripped),
                     "ts": f"{time.time():.6f}"}
            await self.post(event_body(TEAM, uid, event, self.new_event_id()))
            return
        await super().send(user, line)
