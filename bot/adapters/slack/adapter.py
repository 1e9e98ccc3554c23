"""The Slack adapter: slack-bolt's `AsyncApp` behind the project's aiohttp server (or Socket Mode).

Before anything of a request is parsed, `handle_http` bounds its size (413 over `MAX_BODY`) and checks its
signature and 5-minute timestamp window with slack_sdk's `SignatureVerifier` (401); a signed body that is not a
Slack payload, or one of a shape nothing can read, gets 400 (one log line each, never a traceback or a 500).

Inbound, for every request verified that way (Bolt checks the signature once more itself):

1. one global middleware turns the payload into a core `Event` (`bot.adapters.slack.events`), downloads an
   uploaded file when there is one, and writes the event to the inbox with `runtime.accept` — deduplicated on
   (platform, delivery id), so Slack's retries (`X-Slack-Retry-Num`) are recorded once;
2. the listener acknowledges (events are acknowledged by Bolt itself), and only then is the turn processed,
   in a background task (`runtime.process`) — nothing slow stands between Slack and its ack;
3. a `view_submission` is the exception: its ack carries the outcome (`response_action: errors` or close), so
   the turn starts at once and the listener waits — at most `ack_budget` seconds — for the `FormErrors` or
   `CloseForm` the turn delivers first; replies after that are sent while Slack already has its answer.

Outbound, `deliver(delivery)` renders with `bot.adapters.slack.render` and calls the Web API through a
`ChannelPacer` in the delivery's lane: about one message a second per channel with a short burst; chat.update and
views.update/publish within their tiers, views.open at once (its trigger expires in 3 s); 429 `Retry-After`
honoured. A reply to the person who acted never waits behind bulk sends, and one that would wait for chat.update's
workspace-wide tier is posted as a new message instead. Every Web API call and file download goes over one aiohttp
session (`CONNECTIONS` kept-alive connections): slack_sdk would otherwise open a session, and a TCP connection, per
call. A message id is `"{channel}:{ts}"`. A reply of several calls (a message's post, its files, the next message…) starts at the first
call not yet delivered and records each as it is out, so a retry never posts a part twice. Refusals
(`not_in_channel`, `channel_not_found`, `user_not_found`, `account_inactive`, an invalid payload, …) raise
`DeliveryFailed(permanent=True)`; 429, 5xx, Slack's `internal_error`-like answers and connection errors raise
`DeliveryFailed(permanent=False)` and the runtime retries later with backoff.

Media (`bot.adapters.slack.media`, docs/slack.md "Media and code"): a message's images are uploaded privately first,
once per workspace (their file ids kept in `platform_files`), and shown as image blocks; its other files follow it,
one part each, in its thread. A modal opens at once with the images Slack holds and is redrawn with the others.

`add_routes(app)` mounts POST `/slack/events` (events, slash commands and interactivity share it). With
`PANELIST_SLACK_APP_TOKEN` set, `start()` connects Socket Mode instead (see `socket_mode.py`).
"""
from __future__ import annotations

import asyncio
import logging
import re
import time

import aiohttp
from aiohttp import web
from slack_bolt.adapter.aiohttp import to_aiohttp_response
from slack_bolt.app.async_app import AsyncApp
from slack_bolt.request.async_request import AsyncBoltRequest
from slack_bolt.request.internals import build_normalized_headers, extract_content_type, parse_body
from slack_bolt.response import BoltResponse
from slack_sdk.errors import SlackApiError, SlackRequestError
from slack_sdk.signature import SignatureVerifier
from slack_sdk.web.async_client import AsyncWebClient

from bot.adapters.slack import SLACK
from bot.adapters.slack import events as parse
from bot.adapters.slack import modal_branches
from bot.adapters.slack.pacing import ChannelPacer, retry_after
from bot.adapters.slack.media import SlackMedia
from bot.adapters.slack.render import (
    form_images, images_in, render_form_errors, render_home, render_message, render_messages, render_open_form,
    render_text,
)
from bot.blobs import BlobMissing, BlobRef
from bot.core.adapter import DeliveryFailed, DeliveryProgress
from bot.core.clean import clean_text
from bot.core.events import FileUploaded, FormSubmitted
from bot.core.operations import (
    CloseForm, Delivery, EditMessage, FormErrors, Notice, OpenForm, PublishHome, SendMessage,
)
from bot.core.pacing import Lane, lane_of

log = logging.getLogger("panelist.slack")

PLATFORM = "slack"
ROUTE = "/slack/events"
PERMANENT = frozenset({
    # the person or conversation cannot be reached
    "not_in_channel", "channel_not_found", "user_not_found", "account_inactive", "is_archived",
    "user_disabled", "cannot_dm_bot", "messages_tab_disabled", "team_access_not_granted",
    # the app cannot act until someone fixes its installation
    "invalid_auth", "not_authed", "token_revoked", "missing_scope",
    # a modal's trigger is single-use and lives 3 s: retrying later cannot succeed (the form's draft stays
    # open; the person's next /panelist command or button opens it again)
    "expired_trigger_id", "invalid_trigger_id", "exchanged_trigger_id",
    # Slack refuses the payload itself: the same payload would be refused again
    "invalid_arguments", "invalid_blocks", "invalid_blocks_format", "msg_too_long", "invalid_attachments",
})
# A reply that would edit in place but would wait longer than this for chat.update's workspace-wide tier (50 a minute,
# shared by everyone's edits) is posted as a new message instead, when the person's own channel can take it sooner:
# the person is waiting for it; the message it would have replaced keeps its old content.
EDIT_PATIENCE = 0.25  # seconds
FILE_TIMEOUT = 20.0  # seconds for one download; Slack retries the event meanwhile and the inbox dedupes it
FILE_SHARED_GRACE = 1.0  # seconds a file_shared event waits for the same upload's message event
FILE_SEEN_SECONDS = 3600.0  # how long a file id is remembered as handled by this process
MAX_BODY = 2 * 1024 * 1024  # bytes; Slack's largest requests (a full modal's view and state) are far smaller
# What reading a signed payload of the wrong shape raises (a string where Slack sends an object, a missing key);
# pydantic's ValidationError is a ValueError.
MALFORMED = (TypeError, AttributeError, KeyError, IndexError, ValueError)
# Kept-alive connections to the Web API: the pacer lets each channel post about once a second and runs channels side
# by side (a sweep takes up to a few hundred rows at once), with views.* and users.info beside them; 64 in flight
# covers that at round trips under a second, and more would only queue at Slack's own limits.
CONNECTIONS = 64
LOCALE_TIMEOUT = 1.0  # users.info before the ack is bounded; without it the person's saved locale applies


# Slack's own "try again later" answers; any other `ok: false` is a refusal the same call would get again.
TRANSIENT = frozenset({"ratelimited", "internal_error", "fatal_error", "request_timeout", "service_unavailable"})


def classify(exc: SlackApiError) -> DeliveryFailed:
    """Transient: 429 (with `Retry-After`), 5xx and Slack's try-again errors. Permanent: every other refusal
    (`channel_not_found`, `not_in_channel`, `account_inactive`, an invalid payload…)."""
    reason = _error(exc)
    status = getattr(exc.response, "status_code", 200) or 200
    wait = retry_after(exc)
    if wait is not None:
        return DeliveryFailed(f"{reason} (HTTP 429)", permanent=False, retry_after=wait)
    if status >= 500 or (reason in TRANSIENT and reason not in PERMANENT):
        return DeliveryFailed(f"{reason} (HTTP {status})", permanent=False)
    return DeliveryFailed(reason, permanent=True)


async def _run_parts(parts: list, progress: DeliveryProgress) -> str | None:
    """Run the parts not yet delivered, in order; each may return a message id (the last one wins)."""
    best = progress.message_id
    for i in range(progress.done, len(parts)):
        found = await parts[i]()
        if found is not None:
            best = found
        await progress.record(best, last=i == len(parts) - 1)
    return best


def _error(exc: SlackApiError) -> str:
    try:
        return str(exc.response.get("error") or "unknown_error")
    except Exception:  # pragma: no cover - a response without a body
        return "unknown_error"


class SlackAdapter:
    platform = PLATFORM
    capabilities = SLACK

    def __init__(self, runtime, settings, *, pacer: ChannelPacer | None = None, ack_budget: float = 2.5,
                 client: AsyncWebClient | None = None, watchdog_seconds: float = 30.0) -> None:
        if settings.slack_bot_token is None:
            raise ValueError("PANELIST_SLACK_BOT_TOKEN is required for the Slack adapter")
        self.runtime = runtime
        self.settings = settings
        self.token = settings.slack_bot_token.get_secret_value()
        self.client = client or AsyncWebClient(token=self.token, base_url=settings.slack_api_url)
        self._own_session = False
        self.pacer = pacer or ChannelPacer()
        self.ack_budget = ack_budget
        self.watchdog_seconds = watchdog_seconds
        secret = settings.slack_signing_secret.get_secret_value() if settings.slack_signing_secret else None
        self.socket_mode = settings.slack_app_token is not None
        if secret is None and not self.socket_mode:
            raise ValueError("PANELIST_SLACK_SIGNING_SECRET is required for Slack over HTTP")
        self.app = AsyncApp(
            client=self.client, signing_secret=secret or "unused-in-socket-mode",
            request_verification_enabled=secret is not None,
            process_before_response=False,  # ack first; listeners and turns run after the response
            logger=logging.getLogger("panelist.slack.bolt"),
        )
        self.verifier = SignatureVerifier(secret) if secret is not None else None
        self._dm: dict[str, str] = {}  # user id → DM channel id
        self._locale: dict[str, tuple[str | None, str | None]] = {}  # user id → (locale, real name)
        self._tz: dict[str, str | None] = {}  # user id → IANA time zone from the same users.info
        self._handle: dict[str, str | None] = {}  # user id → display name (the @handle people type), same call
        self._view_acks: dict[str, asyncio.Future] = {}
        self._gates: dict[str, asyncio.Future] = {}
        self._tasks: set[asyncio.Task] = set()
        self._files_inflight: dict[str, asyncio.Future] = {}  # file id → its download, shared by duplicates
        self._files_seen: dict[str, float] = {}
        self.file_shared_grace = FILE_SHARED_GRACE  # file id → when it was accepted (Slack announces uploads twice)
        self._http: aiohttp.ClientSession | None = None
        self._share_session()
        self.socket = None  # a bot.adapters.slack.socket_mode.SocketModeRunner when started in Socket Mode
        self.media = SlackMedia(runtime, self.client, self.pacer)
        self._install()
        runtime.register(self)

    # wiring ----------------------------------------------------------------------------------------------
    def add_routes(self, app: web.Application) -> None:
        """POST /slack/events — over HTTP only. In Socket Mode the route is not mounted: requests there are not
        signed by Slack, so an open route would take forged ones."""
        if not self.socket_mode:
            app.router.add_post(ROUTE, self.handle_http)

    async def handle_http(self, request: web.Request) -> web.Response:
        """Size, then signature, then body: nothing of an unsigned request is parsed. A request over `MAX_BODY`
        gets 413; a missing, wrong or stale signature 401 (so does a body that is not UTF-8: Slack never sends
        one, and slack_sdk's verifier cannot check it); a signed body that is not a Slack payload (broken JSON
        or form encoding, `payload=` missing its JSON, not an object) 400 — each with one log line and no
        traceback. Only then does Bolt see the request (and check the signature again on its own)."""
        self._share_session()
        raw = await _read_at_most(request, MAX_BODY)
        if raw is None:
            log.warning("slack: a request of more than %d bytes from %s; refused", MAX_BODY, request.remote)
            return web.Response(status=413)
        if not self._signed(raw, request.headers):
            log.warning("slack: a request without a valid signature (or with a stale timestamp) from %s; refused",
                        request.remote)
            return web.Response(status=401)
        try:
            text_body = raw.decode("utf-8")
            headers = build_normalized_headers(request.headers)  # type: ignore[arg-type]
            body = parse_body(text_body, extract_content_type(headers))
        except (UnicodeDecodeError, ValueError) as exc:  # json.JSONDecodeError is a ValueError
            log.warning("slack: a signed request whose body is not a Slack payload (%s); refused",
                        type(exc).__name__)
            return web.Response(status=400)
        if not isinstance(body, dict) or not body:
            log.warning("slack: a signed request whose body is not a Slack payload (empty or not an object); "
                        "refused")
            return web.Response(status=400)
        try:
            bolt_request = AsyncBoltRequest(body=text_body, query=request.query_string,
                                            headers=request.headers)  # type: ignore[arg-type]
            bolt_response = await self.app.async_dispatch(bolt_request)
        except MALFORMED as exc:  # Bolt's own reading of a payload of the wrong shape (`"user": 5`)
            log.warning("slack: a signed payload of an unexpected shape (%s: %s); refused",
                        type(exc).__name__, str(exc)[:200])
            return web.Response(status=400)
        return await to_aiohttp_response(bolt_response)

    def _signed(self, raw: bytes, headers) -> bool:
        if self.verifier is None:  # Socket Mode: the route is not mounted at all
            return False
        try:
            return self.verifier.is_valid(raw, headers.get("X-Slack-Request-Timestamp"),
                                          headers.get("X-Slack-Signature"))
        except (ValueError, TypeError, OverflowError):  # a timestamp that is not a number, a body not UTF-8
            return False

    def _share_session(self) -> None:
        """One kept-alive aiohttp session for the Web API client and downloads; made once a loop is running (an
        aiohttp session belongs to one), here or at `start()`."""
        if self.client.session is not None and not self.client.session.closed:
            if self._http is None or self._http.closed:
                self._http = self.client.session
            return
        try:
            asyncio.get_running_loop()
        except RuntimeError:
            return
        self.client.session = aiohttp.ClientSession(
            connector=aiohttp.TCPConnector(limit=CONNECTIONS, limit_per_host=CONNECTIONS))
        self._own_session = True
        self._http = self.client.session

    async def start(self) -> None:
        self._share_session()
        if self.socket_mode:
            from bot.adapters.slack.socket_mode import SocketModeRunner

            self.socket = SocketModeRunner(self.app, self.settings.slack_app_token.get_secret_value(),
                                           quiet_seconds=self.watchdog_seconds)
            await self.socket.start()

    async def stop(self, grace: float = 10.0) -> None:
        if self.socket is not None:
            await self.socket.stop()
            self.socket = None
        await self.drain(grace)
        if self._tasks:  # still running: a turn not committed rolls back and stays in the inbox for recovery
            log.warning("slack: stopping with %d request(s) in hand; they are handed back", len(self._tasks))
            for task in list(self._tasks):
                task.cancel()
            await asyncio.gather(*list(self._tasks), return_exceptions=True)
        if self._own_session and self.client.session is not None:
            await self.client.session.close()
        self._own_session = False
        self._http = None

    async def drain(self, timeout: float = 30.0) -> None:
        """Wait until every accepted request has been processed and delivered (tests, benchmarks, shutdown)."""
        deadline = time.monotonic() + timeout
        while self._tasks and time.monotonic() < deadline:
            await asyncio.wait(set(self._tasks), timeout=max(0.01, deadline - time.monotonic()))

    def _install(self) -> None:
        app = self.app

        async def accept_first(body, context, next):  # noqa: A002 - Bolt passes `next` by this name
            await self._accept(body, context)
            return await next()

        async def ack_then_process(ack, context):
            await ack()
            self._open_gate(context)

        async def ack_submission(ack, context):
            await self._ack_submission(ack, context)

        async def refuse_malformed(error):
            """Bolt's error handler (middleware and listeners): a payload Slack signed but of a shape no code
            here or in Bolt can read (`"event": "x"`, an action without `action_id`) gets 400 and one line;
            anything else (the database away) keeps Bolt's 500, so Slack retries, and its traceback."""
            if isinstance(error, MALFORMED):
                log.warning("slack: a signed payload of an unexpected shape (%s: %s); refused",
                            type(error).__name__, str(error)[:200])
                # One line for the hostile-input case; the traceback stays reachable, so a bug of ours that
                # raises the same kinds of error is not hidden for good.
                log.debug("slack: the refused payload's traceback", exc_info=error)
                return BoltResponse(status=400, body="")
            log.error("slack: request failed: %s", error, exc_info=error)
            return None

        app.error(refuse_malformed)
        app.middleware(accept_first)
        app.command(parse.SLASH_COMMAND)(ack_then_process)
        app.event("message")(ack_then_process)
        app.event("app_home_opened")(ack_then_process)
        app.event("file_shared")(ack_then_process)
        app.action(re.compile(".*"))(ack_then_process)
        app.view(re.compile(".*"))(ack_submission)
        app.view_closed(re.compile(".*"))(ack_then_process)

    # inbound ---------------------------------------------------------------------------------------------
    async def _accept(self, body: dict, context) -> None:
        event = await self._event_for(body, context)
        if event is None:
            return
        accepted = await self.runtime.accept(event)  # the inbox row commits before Slack hears back
        if event.kind == "file":
            self._remember_file(event.delivery_id.removeprefix("file:"))
        context["panelist_event"] = event
        if not accepted:
            log.info("slack delivery %s already in the inbox (a retry): not processed again", event.delivery_id)
            return
        loop = asyncio.get_running_loop()
        gate = loop.create_future()
        self._gates[event.delivery_id] = gate
        context["panelist_gate"] = event.delivery_id
        if event.kind == "form_submitted":
            self._view_acks[event.delivery_id] = loop.create_future()
        self._track(asyncio.create_task(self._process_after(gate, event)))

    def _open_gate(self, context) -> None:
        key = context.get("panelist_gate")
        gate = self._gates.pop(key, None) if key else None
        if gate is not None and not gate.done():
            gate.set_result(None)

    async def _process_after(self, gate: asyncio.Future, event) -> None:
        try:
            # The listener opens the gate right after acking; a request no listener took is processed anyway.
            await asyncio.wait_for(asyncio.shield(gate), timeout=5.0)
        except asyncio.TimeoutError:
            log.warning("slack delivery %s: no ack seen, processing anyway", event.delivery_id)
        finally:
            self._gates.pop(event.delivery_id, None)
        try:
            await self.runtime.process(event)
        finally:
            fut = self._view_acks.pop(event.delivery_id, None)
            if fut is not None and not fut.done():
                fut.set_result(None)

    async def _ack_submission(self, ack, context) -> None:
        event = context.get("panelist_event")
        key = context.get("panelist_gate")
        fut = self._view_acks.get(key) if key else None
        if fut is None:  # a retry, or not ours: just close the modal
            await ack()
            return
        self._open_gate(context)  # the turn must run before this ack: its outcome is the ack
        try:
            answer = await asyncio.wait_for(asyncio.shield(fut), timeout=self.ack_budget)
        except asyncio.TimeoutError:
            log.warning("slack view submission %s took longer than %.1fs: closing the modal", event.delivery_id,
                        self.ack_budget)
            answer = None
        if answer:
            await ack(**answer)
        else:
            await ack()

    async def _event_for(self, body: dict, context):
        event = await self._parse(body, context)
        if event is not None and event.actor.user_id in self._tz:
            event.actor.tz_hint = self._tz[event.actor.user_id]
        if event is not None and self._handle.get(event.actor.user_id):
            event.actor.username = self._handle[event.actor.user_id]
        return event

    async def _parse(self, body: dict, context):
        who = parse.who(body)
        if who is None or not who.user_id:
            return None
        bot_user = context.get("bot_user_id")
        if bot_user and who.user_id == bot_user:
            return None
        if body.get("command"):
            if body.get("command") != parse.SLASH_COMMAND:
                return None
            locale, name = await self._user_info(who.user_id)
            return parse.from_command(body, locale, name)
        kind = body.get("type")
        if kind == "event_callback":
            ev = body.get("event") or {}
            etype = ev.get("type")
            if etype == "message":
                if not parse.is_dm_message(ev):
                    return None
                files = parse.file_refs(ev)
                locale, name = await self._user_info(who.user_id)
                if files:
                    return await self._file_event(who, files[0], ev.get("channel"),
                                                  parse.unescape(str(ev.get("text") or "")), locale, name)
                return parse.from_message(body, locale, name)
            if etype == "app_home_opened":
                locale, name = await self._user_info(who.user_id)
                return parse.from_home_opened(body, locale, name)
            if etype == "file_shared":
                channel = ev.get("channel_id") or ""
                if not str(channel).startswith("D"):
                    return None
                file_id = ev.get("file_id") or (ev.get("file") or {}).get("id")
                if not file_id:
                    return None
                # Slack also sends this upload as a DM `message` with the caption (a task file's target
                # project): give that one a moment to claim the file first.
                await self._wait_for_message_path(str(file_id))
                locale, name = await self._user_info(who.user_id)
                return await self._file_event(who, {"id": file_id}, channel, "", locale, name)
            return None
        if kind == "block_actions":
            locale, name = await self._user_info(who.user_id)
            return modal_branches.from_view_action(body, locale, name) or parse.from_block_actions(body, locale, name)
        if kind == "view_submission":
            locale, name = await self._user_info(who.user_id)
            submitted = parse.from_view_submission(body, locale, name)
            return await self._modal_files(submitted) if submitted is not None else None
        if kind == "view_closed":
            return parse.from_view_closed(body)
        return None

    async def _user_info(self, user_id: str) -> tuple[str | None, str | None]:
        """The person's Slack locale (as a hint) and name, asked once per user and cached; the same answer's time
        zone is kept in `_tz` and handed on as the event's `tz_hint` (a default offered in their profile)."""
        if user_id in self._locale:
            return self._locale[user_id]
        locale = name = None
        try:
            resp = await asyncio.wait_for(self.client.users_info(user=user_id, include_locale=True), LOCALE_TIMEOUT)
            user = resp.get("user") or {}
            locale = user.get("locale") or None
            name = (user.get("profile") or {}).get("real_name") or user.get("real_name") or None
            self._tz[user_id] = str(user.get("tz") or "")[:64] or None
            profile = user.get("profile") or {}
            self._handle[user_id] = clean_text(str(profile.get("display_name") or user.get("name") or ""))[:80] or None
        except (SlackApiError, asyncio.TimeoutError, aiohttp.ClientError) as exc:
            log.info("users.info for %s failed (%s): no locale hint", user_id, type(exc).__name__)
        self._locale[user_id] = (locale, name)
        return locale, name

    async def _wait_for_message_path(self, file_id: str) -> None:
        deadline = time.monotonic() + self.file_shared_grace
        while time.monotonic() < deadline:
            if file_id in self._files_seen or file_id in self._files_inflight:
                return
            await asyncio.sleep(0.05)

    def _remember_file(self, file_id: str) -> None:
        now = time.monotonic()
        self._files_seen[file_id] = now
        if len(self._files_seen) > 10_000:
            self._files_seen = {k: t for k, t in self._files_seen.items() if now - t < FILE_SEEN_SECONDS}

    async def _file_event(self, who, ref: dict, channel: str | None, caption: str,
                          locale: str | None, name: str | None) -> FileUploaded | None:
        """One upload arrives as `message` (file_share) and as `file_shared`: download it once.

        A file already accepted here is not downloaded again (None: nothing to accept, Slack gets its ack); a
        second announcement while the first is downloading waits for that download and then drops out too.
        Across processes the inbox still dedupes on `file:<id>`.
        """
        file_id = str(ref["id"])
        seen = self._files_seen.get(file_id)
        if seen is not None and time.monotonic() - seen < FILE_SEEN_SECONDS:
            return None
        inflight = self._files_inflight.get(file_id)
        if inflight is not None:
            await asyncio.shield(inflight)
            return None
        fut = asyncio.get_running_loop().create_future()
        self._files_inflight[file_id] = fut
        try:
            return await self._fetch_file(who, ref, channel, caption, locale, name)
        finally:
            del self._files_inflight[file_id]
            fut.set_result(None)

    async def _fetch_file(self, who, ref: dict, channel: str | None, caption: str, locale: str | None,
                          name: str | None) -> FileUploaded | None:
        """files.info (when the event lacks the details), then the bytes from url_private with the bot token."""
        file_id = str(ref["id"])
        stored = await self._stored_file(ref)
        if stored is None:
            return None
        info, blob, size = stored
        chat_id, private = parse.dm_chat_id(channel, who.user_id)
        return FileUploaded(
            delivery_id=f"file:{file_id}",
            actor=parse._actor(who.team_id, who.user_id, locale, name),
            conversation=parse._conversation(who.team_id, chat_id, private),
            filename=str(info.get("name") or file_id), size=size, mime=_mime(info.get("mimetype")), blob=blob,
            caption=caption, reply_context={"channel_id": channel} if channel else {},
        )

    async def _stored_file(self, ref: dict) -> tuple[dict, BlobRef | None, int] | None:
        """(Slack's file info, the bytes in the blob store or None when over the limit, the size); None when Slack
        will not say what the file is."""
        file_id = str(ref["id"])
        info = ref
        if not (ref.get("url_private") and ref.get("name")):
            try:
                info = (await self.client.files_info(file=file_id)).get("file") or {}
            except SlackApiError as exc:
                log.warning("files.info %s failed: %s", file_id, _error(exc))
                return None
        size = int(info.get("size") or 0)
        blob = None
        if size <= self.settings.max_upload_bytes:
            data = await self._download(str(info.get("url_private_download") or info.get("url_private") or ""))
            if data is not None and len(data) <= self.settings.max_upload_bytes:
                blob = await self.runtime.blobs.put(data, _mime(info.get("mimetype")), str(info.get("name") or file_id))
                size = len(data)
        return info, blob, size

    async def _modal_files(self, event: FormSubmitted) -> FormSubmitted:
        """A modal's file inputs arrive as Slack file ids (`parse_view_submission`): stored here, before the turn,
        so the form holds refs like every other upload (None when too big or unreadable)."""
        found = {k: v["slack_file_id"] for k, v in event.values.items() if isinstance(v, dict) and "slack_file_id" in v}
        if not found:
            return event
        values = dict(event.values)
        for field_id, file_id in found.items():
            stored = await self._stored_file({"id": str(file_id)})
            values[field_id] = stored[1].model_dump(exclude_none=True) if stored and stored[1] is not None else None
        return event.model_copy(update={"values": values})

    async def _download(self, url: str) -> bytes | None:
        if not url:
            return None
        self._share_session()
        limit = self.settings.max_upload_bytes
        try:
            async with self._http.get(url, headers={"Authorization": f"Bearer {self.token}"},
                                      timeout=aiohttp.ClientTimeout(total=FILE_TIMEOUT)) as resp:
                if resp.status != 200:
                    log.warning("file download answered HTTP %s", resp.status)
                    return None
                chunks, got = [], 0
                async for chunk in resp.content.iter_chunked(64 * 1024):
                    got += len(chunk)
                    if got > limit:
                        return b"\0" * (limit + 1)  # over the limit: stop reading, report it as too big
                    chunks.append(chunk)
                return b"".join(chunks)
        except (aiohttp.ClientError, asyncio.TimeoutError) as exc:
            log.warning("file download failed: %s", type(exc).__name__)
            return None

    def _track(self, task: asyncio.Task) -> None:
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    # outbound --------------------------------------------------------------------------------------------
    async def deliver(self, delivery: Delivery, progress: DeliveryProgress | None = None) -> str | None:
        """Send from part `progress.done` on (a message's post, then its files; the next message's post…),
        recording each part as it is out; refusals are raised as `DeliveryFailed` (see `classify`)."""
        progress = progress or DeliveryProgress()
        op = delivery.op
        self._share_session()
        try:
            if isinstance(op, (SendMessage, EditMessage)):
                return await (self._edit if isinstance(op, EditMessage) else self._send)(delivery, op, progress)
            if progress.done:  # a single-call delivery that is already out
                return progress.message_id
            if isinstance(op, FormErrors):
                self._answer_view(delivery, render_form_errors({k: str(v) for k, v in op.errors.items()}))
                return None
            if isinstance(op, CloseForm):
                self._answer_view(delivery, {})
                return None
            if isinstance(op, OpenForm) and delivery.reply_context.get("view_ack"):  # the submitted modal, redrawn
                ids = await self.media.known(delivery.workspace, form_images(op))  # the ack cannot wait for uploads
                self._answer_view(delivery, {"response_action": "update",
                                             "view": self._modal(delivery, op, ids, coming=False)})
                return None
            if isinstance(op, OpenForm) and delivery.reply_context.get(modal_branches.UPDATE_VIEW):
                ids = await self.media.ensure(delivery.workspace, form_images(op), lane_of(delivery))
                view = self._modal(delivery, op, ids, coming=False)
                await self.pacer.call("views.update", lambda: modal_branches.update(
                    self.client, delivery.reply_context, view), lane=lane_of(delivery), workspace=delivery.workspace)
                return None
            if isinstance(op, OpenForm):
                return await self._open_modal(delivery, op)
            if isinstance(op, PublishHome):
                ids = await self.media.ensure(delivery.workspace, images_in(op.message.blocks), lane_of(delivery))
                view = render_home(op, ids)
                await self.pacer.call("views.publish", lambda: self.client.views_publish(
                    user_id=delivery.user_id or delivery.chat_id, view=view), lane=lane_of(delivery),
                    workspace=delivery.workspace)
                return None
            if isinstance(op, Notice):
                return await self._notice(delivery, str(op.text))
        except SlackApiError as exc:
            raise classify(exc) from None
        except BlobMissing:  # a ref whose bytes this installation does not hold: sending again cannot help
            raise DeliveryFailed("a medium is missing from the blob store", permanent=True) from None
        except SlackRequestError as exc:  # the upload URL answered other than 200 (files_upload_v2's step 2)
            raise DeliveryFailed(f"upload: {str(exc)[:200]}", permanent=False) from None
        except (aiohttp.ClientError, asyncio.TimeoutError, OSError) as exc:
            raise DeliveryFailed(f"network: {type(exc).__name__}", permanent=False) from None
        return None

    def _modal(self, delivery: Delivery, op: OpenForm, ids: dict[str, str], *, coming: bool = True) -> dict:
        """The modal; an image without a Slack file id is named with "on its way" while `coming` (it is being
        uploaded for a redraw), else with "cannot be shown here"."""
        def say(key: str) -> str:
            return self.runtime.catalogs.translate(delivery.locale, key, params={"name": "{name}"})

        unavailable = say("slack.media.not_in_modal")
        notes = {"pending": say("slack.media.image_pending") if coming else unavailable, "unavailable": unavailable}
        return render_open_form(op, file_ids=ids, notes=notes)

    async def _open_modal(self, delivery: Delivery, op: OpenForm) -> None:
        """views.open at once (the trigger lives 3 s) with the images Slack already holds; the others are uploaded
        after it, and the modal is redrawn with them (`views.update` with the view's hash, so a newer redraw is
        never overwritten; what the person typed stays, as the inputs keep their block ids)."""
        trigger = delivery.reply_context.get("trigger_id")
        if not trigger:
            raise DeliveryFailed("no trigger_id to open a modal with", permanent=True)
        images = form_images(op)
        ids = await self.media.known(delivery.workspace, images)
        view = self._modal(delivery, op, ids)
        resp = await self.pacer.call("views.open", lambda: self.client.views_open(trigger_id=trigger, view=view),
                                     lane=lane_of(delivery), workspace=delivery.workspace)
        if len(ids) < len(images):
            opened = (resp.get("view") or {}) if resp is not None else {}
            if opened.get("id"):
                self._track(asyncio.create_task(self._show_images_later(delivery, op, opened)))
        return None

    async def _show_images_later(self, delivery: Delivery, op: OpenForm, opened: dict) -> None:
        images = form_images(op)
        try:
            ids = await self.media.ensure(delivery.workspace, images, Lane.INTERACTIVE)
        except (SlackApiError, SlackRequestError, BlobMissing, aiohttp.ClientError, asyncio.TimeoutError,
                OSError) as exc:
            log.warning("slack: the images of an open modal could not be uploaded (%s)", type(exc).__name__)
            ids = await self.media.known(delivery.workspace, images)
        view = self._modal(delivery, op, ids, coming=False)  # an image still without an id is not coming now
        try:
            await self.pacer.call("views.update", lambda: self.client.views_update(
                view_id=opened["id"], hash=opened.get("hash"), view=view), lane=Lane.INTERACTIVE,
                workspace=delivery.workspace)
        except SlackApiError as exc:  # closed meanwhile, or redrawn by a newer turn (hash_conflict): leave it
            log.info("slack: a modal's images were not redrawn (%s)", _error(exc))

    def _answer_view(self, delivery: Delivery, answer: dict) -> None:
        """Hand a view submission's outcome to the listener waiting to ack (only the first answer counts)."""
        fut = self._view_acks.get(delivery.reply_context.get("view_ack") or "")
        if fut is not None and not fut.done():
            fut.set_result(answer or {})
            return
        if answer:
            log.warning("a form's errors or redraw for %s arrived after the ack: it cannot be shown", delivery.chat_id)

    async def _channel(self, chat_id: str) -> str:
        """A user id becomes their DM channel (conversations.open, cached); channel ids are used as they are."""
        if not chat_id.startswith(("U", "W")):
            return chat_id
        channel = self._dm.get(chat_id)
        if channel is None:
            resp = await self.client.conversations_open(users=chat_id)
            channel = resp["channel"]["id"]
            self._dm[chat_id] = channel
        return channel

    async def _send(self, delivery: Delivery, op: SendMessage | EditMessage, progress: DeliveryProgress) -> str:
        """Images first (uploaded privately once per workspace, then shown as image blocks by file id), then each
        message, each followed by its files in the message's thread. A file id Slack no longer knows (the file was
        deleted) is forgotten and the image uploaded again, once."""
        channel = await self._channel(delivery.chat_id)
        lane = lane_of(delivery)
        images = images_in(op.message.blocks)
        for attempt in (1, 2):
            ids = await self.media.ensure(delivery.workspace, images, lane)
            parts = []
            for message in render_messages(op.message, ids):
                parts.append(lambda m=message: self._post(channel, m, lane))
                for upload in message.uploads:  # one part each: a retry never shares a file twice
                    parts.append(lambda u=upload: self._upload(channel, u, lane, _ts(progress.message_id)))
            try:
                last = await _run_parts(parts, progress)
            except SlackApiError as exc:
                if attempt == 2 or not _refused_file(exc) or not ids:
                    raise
                await self.media.forget(delivery.workspace, ids)
                continue
            assert last is not None
            return last
        raise AssertionError("unreachable")  # pragma: no cover

    async def _post(self, channel: str, m, lane: Lane) -> str:
        resp = await self.pacer.send(channel, lambda: self.client.chat_postMessage(
            channel=channel, text=m.text, blocks=m.blocks, unfurl_links=False, unfurl_media=False), lane=lane)
        return f"{resp['channel']}:{resp['ts']}"

    async def _edit(self, delivery: Delivery, op: EditMessage, progress: DeliveryProgress) -> str:
        edited = delivery.edit_message_id
        if not edited or ":" not in edited:
            return await self._send(delivery, op, progress)
        if progress.done and progress.message_id != edited:
            return await self._send(delivery, op, progress)  # an earlier attempt was sending it fresh
        channel, ts = edited.split(":", 1)
        if not progress.done and self._edit_would_keep_waiting(delivery, channel):
            return await self._send(delivery, op, progress)
        images = images_in(op.message.blocks)
        ids = await self.media.ensure(delivery.workspace, images, lane_of(delivery))
        message = render_message(op.message, ids)
        if not progress.done:
            for attempt in (1, 2):
                try:
                    await self.pacer.send(channel, lambda m=message: self.client.chat_update(
                        channel=channel, ts=ts, text=m.text, blocks=m.blocks), method="chat.update",
                        lane=lane_of(delivery), workspace=delivery.workspace)
                    break
                except SlackApiError as exc:
                    if _error(exc) in ("message_not_found", "cant_update_message", "edit_window_closed"):
                        return await self._send(delivery, op, progress)
                    if attempt == 2 or not ids or not _refused_file(exc):
                        raise
                    await self.media.forget(delivery.workspace, ids)  # deleted in Slack: upload again, once
                    ids = await self.media.ensure(delivery.workspace, images, lane_of(delivery))
                    message = render_message(op.message, ids)
            await progress.record(edited, last=not message.uploads)
        for i, upload in enumerate(message.uploads):
            if progress.done <= i + 1:  # part 0 is the edit; part i + 1 the i-th file, in the edited message's thread
                await self._upload(channel, upload, lane_of(delivery), ts)
                await progress.record(edited, last=i == len(message.uploads) - 1)
        return edited

    def _edit_would_keep_waiting(self, delivery: Delivery, channel: str) -> bool:
        """An interactive edit that chat.update's tier would hold up while a new post could go sooner."""
        lane = lane_of(delivery)
        if lane is not Lane.INTERACTIVE:
            return False  # bulk edits (live tallies) wait their turn: nobody is waiting on them
        edit_wait = self.pacer.wait("chat.update", channel, lane=lane, workspace=delivery.workspace)
        return edit_wait > EDIT_PATIENCE and self.pacer.wait("chat.postMessage", channel, lane=lane) < edit_wait

    async def _upload(self, channel: str, upload: tuple, lane: Lane = Lane.BULK, thread_ts: str | None = None) -> None:
        """One of a message's files, shared in `channel` in the thread of the message it belongs to (Slack's upload
        flow: files.getUploadURLExternal, the bytes, files.completeUploadExternal, which slack_sdk's
        `files_upload_v2` runs). A stored medium is read from the blob store only now, and only this one."""
        filename, data, title = upload
        content = data if isinstance(data, bytes) else await self.runtime.blobs.read(data)
        await self.pacer.send(channel, lambda: self.client.files_upload_v2(
            channel=channel, thread_ts=thread_ts, content=content, filename=filename, title=title),
            method="files.upload", lane=lane)
        return None

    async def _notice(self, delivery: Delivery, text: str) -> None:
        user = delivery.user_id or delivery.chat_id
        channel = delivery.reply_context.get("channel_id") or await self._channel(delivery.chat_id)
        lane = lane_of(delivery)
        try:
            await self.pacer.send(channel, lambda: self.client.chat_postEphemeral(
                channel=channel, user=user, text=render_text(text)), method="chat.postEphemeral", lane=lane)
        except SlackApiError as exc:
            if _error(exc) not in ("channel_not_found", "not_in_channel") or channel == await self._channel(user):
                raise
            dm = await self._channel(user)  # the pressed message was somewhere the bot cannot post: say it in the DM
            await self.pacer.send(dm, lambda: self.client.chat_postEphemeral(channel=dm, user=user, text=render_text(text)),
                                  method="chat.postEphemeral", lane=lane)
        return None


_MIME = re.compile(r"[a-z0-9][a-z0-9!#$&^_.+-]{0,63}/[a-z0-9][a-z0-9!#$&^_.+-]{0,63}")


def _mime(value) -> str:
    """Slack's `mimetype` (Slack detects it from the content), as a bare `type/subtype`; anything else (empty while
    Slack still processes the file, or malformed) is application/octet-stream."""
    bare = str(value or "").split(";", 1)[0].strip().lower()
    return bare if _MIME.fullmatch(bare) else "application/octet-stream"


def _ts(message_id: str | None) -> str | None:
    """The ts of a message id `"{channel}:{ts}"`."""
    return message_id.split(":", 1)[1] if message_id and ":" in message_id else None


def _refused_file(exc: SlackApiError) -> bool:
    """Slack refused a message's blocks because an image's `slack_file` is unknown or not accessible."""
    if _error(exc) != "invalid_blocks":
        return False
    try:
        messages = list(exc.response.get("errors") or []) + list(
            (exc.response.get("response_metadata") or {}).get("messages") or [])
    except Exception:  # pragma: no cover - a response without a body
        return False
    return any("slack_file" in str(m) for m in messages)


async def _read_at_most(request: web.Request, limit: int) -> bytes | None:
    """The request body, or None when it is (or announces itself as) longer than `limit` bytes."""
    if request.content_length is not None and request.content_length > limit:
        return None
    chunks: list[bytes] = []
    size = 0
    while True:
        chunk = await request.content.read(64 * 1024)
        if not chunk:
            return b"".join(chunks)
        size += len(chunk)
        if size > limit:
            return None
        chunks.append(chunk)
