"""The Telegram adapter: python-telegram-bot 22 as the client, our storage as the truth.

    adapter = TelegramAdapter(runtime, settings)     # registers itself with the runtime
    adapter.add_routes(app)                          # webhook mode: POST /telegram/webhook
    await adapter.start()  ...  await adapter.stop()

PTB's `Application` only owns the `Bot` and its HTTP pools here: built without an updater, job queue or
persistence, never with ConversationHandler or arbitrary callback data, started and stopped inside our loop
(`initialize` / `start` / `stop` / `shutdown`).

Inbound, no update lost and none handled twice:
- Long polling (no webhook URL): one process per bot polls, the holder of the database lease
  `telegram.polling:<bot id>`. The lease is short (seconds) and renewed by a task of its own, independent of
  the long poll; losing it (or failing to renew it for its TTL) cancels the poll in flight. The others retry
  every `lease_retry` seconds and take over when it lapses, is released, or its holder is dead (a process
  killed with SIGKILL: see bot/core/liveness.py) — a restarted bot polls again within a second. Each batch from `getUpdates` is parsed and written to the inbox (`runtime.accept`) before the
  next `getUpdates` carries an offset past it; then the accepted updates are processed in the background.
  A failure in the middle of a batch leaves the offset on the failed update, so Telegram sends it again.
- Webhook (URL + secret): `setWebhook` on start; `POST /telegram/webhook` checks the secret token header in
  constant time (403 otherwise, logged without the secret), accepts the update, answers 200, then processes.
- On start, replies a dead predecessor committed but never sent are swept, then inbox rows accepted but never
  processed (a crash between ack and commit) are processed, before new updates.
- A redelivered update (inbox row already there) is not processed again.

Outbound (`deliver`): `render()` to Bot API calls (stored media as a remembered file_id or an upload, files.py), run through the `Pacer` in the delivery's lane (a reply to the
person's own action goes at once; bulk sends wait their turn and never hold a reply up; bot/core/pacing.py). Every callback query is answered
exactly once: by the turn's `Notice` when there is one, else with an empty answer right after the turn.
Edits that would change nothing are skipped (remembered per message, bounded, in this process);
"message is not modified" counts as done; "message to edit not found" sends the text fresh. A delivery of
several calls (text then a photo, a long text in pieces) starts at the first call not yet delivered and records
each call as it is out (`DeliveryProgress`), so a retry never sends a part twice. A blocked bot, a chat Telegram
does not know and calls Telegram refuses become `DeliveryFailed(permanent=True)`; 429, timeouts, network
errors and 5xx become `DeliveryFailed(permanent=False)` (with `retry_after`) and the runtime retries later.
"""
from __future__ import annotations

import asyncio
import hmac
import logging
import re
from datetime import timedelta
from typing import Any

from aiohttp import web
from telegram import Message, Update
from telegram.error import (
    BadRequest, ChatMigrated, Conflict, Forbidden, InvalidToken, NetworkError, RetryAfter, TelegramError,
)
from telegram.ext import Application

from bot.adapters.telegram import TELEGRAM
from bot.adapters.telegram.commands import set_commands
from bot.adapters.telegram.files import FileIds, Lru, has_blobs, refused_photo, send_with_files
from bot.adapters.telegram.html import truncate
from bot.adapters.telegram.http import AiohttpRequest
from bot.adapters.telegram.pacing import Pacer
from bot.adapters.telegram.render import MAX_CALLBACK_ANSWER, RenderError, TgCall, render
from bot.adapters.telegram.updates import ALLOWED_UPDATES, PLATFORM, parse_update
from bot.core.adapter import DeliveryFailed, DeliveryProgress
from bot.core.events import Event
from bot.core.operations import Delivery, Notice
from bot.core.pacing import lane_of

log = logging.getLogger("panelist.telegram")

WEBHOOK_PATH = "/telegram/webhook"
# One aiohttp session (bot/adapters/telegram/http.py, PTB's request interface) for every call the bot makes, with its connections kept alive. The pacer
# starts about 30 paced calls a second and unpaced ones (callback answers) at once; at a round trip of up to a
# second that is some 60 in flight, so 64 connections, and a generous pool wait (PTB's default is 1 s) so a
# burst of callback answers queues for a connection instead of failing with TimedOut.
CONNECTION_POOL = 64
POOL_TIMEOUT = 10.0
SECRET_HEADER = "X-Telegram-Bot-Api-Secret-Token"
SECRET_FORMAT = re.compile(r"[A-Za-z0-9_-]{1,256}")
MEMO_SIZE = 10_000  # edits remembered (to skip no-op edits) and callback queries answered, per process

_EDIT_GONE = ("message to edit not found", "there is no text in the message to edit",
              "message can't be edited", "message_id_invalid")
_QUERY_STALE = ("query is too old", "query id is invalid")


class _EditingBot:
    """The `Bot` as the pacer calls it, with Telegram's edit answers handled where the call is made, and stored
    media (a `BlobRef` the renderer put where the file goes) sent as the file_id Telegram gave before, or read from
    the blob store and uploaded (bot/adapters/telegram/files.py)."""

    def __init__(self, bot, blobs=None, file_ids: FileIds | None = None) -> None:
        self._bot = bot
        self._blobs = blobs
        self._file_ids = file_ids

    def __getattr__(self, name: str):
        method = getattr(self._bot, name)
        if not name.startswith("send_") or name == "send_message":
            return method

        async def with_media(**kwargs: Any) -> Any:
            try:
                if not has_blobs(kwargs):
                    return await method(**kwargs)
                return await send_with_files(method, kwargs, self._blobs, self._file_ids)
            except BadRequest as err:
                if name != "send_photo" or not refused_photo(err):
                    raise
                # Telegram will not make a photo of it (dimensions the ref did not know, a format it cannot
                # read): the person still gets the image, whole, as a document.
                log.info("telegram: a photo was refused (%s); sending it as a document", err.message)
                document = {**{k: v for k, v in kwargs.items() if k != "photo"}, "document": kwargs["photo"]}
                send_document = self._bot.send_document
                if not has_blobs(document):
                    return await send_document(**document)
                return await send_with_files(send_document, document, self._blobs, self._file_ids)
        return with_media

    async def edit_message_text(self, **kwargs: Any) -> Any:
        try:
            return await self._bot.edit_message_text(**kwargs)
        except BadRequest as err:
            text = err.message.lower()
            if "not modified" in text:
                return int(kwargs["message_id"])  # nothing to change: done
            if any(gone in text for gone in _EDIT_GONE):
                fresh = {k: v for k, v in kwargs.items() if k != "message_id"}
                return await self._bot.send_message(**fresh)
            raise


def _fingerprint(call: TgCall) -> tuple:
    """What a text message shows: its HTML and its keyboard (cheap: PTB's to_dict is slow on hot paths)."""
    markup = call.kwargs.get("reply_markup")
    rows = tuple(tuple((b.text, b.callback_data, b.url, b.style) for b in row) for row in markup.inline_keyboard
                 ) if markup is not None else ()
    return call.kwargs.get("text"), call.kwargs.get("parse_mode"), rows


class TelegramAdapter:
    platform = PLATFORM
    capabilities = TELEGRAM

    def __init__(self, runtime, settings, *, pacer: Pacer | None = None, poll_timeout: float = 10.0,
                 lease_ttl: timedelta = timedelta(seconds=6), lease_retry: float = 1.0,
                 error_backoff: float = 2.0, commands: bool = True, stop_grace: float = 10.0) -> None:
        if settings.telegram_token is None:
            raise ValueError("PANELIST_TELEGRAM_TOKEN is required for the Telegram adapter")
        self.runtime = runtime
        self.settings = settings
        self.webhook_url = settings.telegram_webhook_url or None
        self._secret: bytes | None = None
        if self.webhook_url:
            if settings.telegram_webhook_secret is None:
                raise ValueError("PANELIST_TELEGRAM_WEBHOOK_SECRET is required with PANELIST_TELEGRAM_WEBHOOK_URL")
            secret = settings.telegram_webhook_secret.get_secret_value()
            if not SECRET_FORMAT.fullmatch(secret):
                raise ValueError("PANELIST_TELEGRAM_WEBHOOK_SECRET: 1-256 characters A-Z, a-z, 0-9, _ and - only")
            self._secret = secret.encode("ascii")
        if lease_ttl.total_seconds() < 1.5:
            raise ValueError("lease_ttl must leave time to renew the lease (renewed every third of it)")
        self.application = (
            Application.builder()
            .token(settings.telegram_token.get_secret_value())
            .base_url(settings.telegram_api_url)
            .base_file_url(settings.telegram_file_url)
            .request(AiohttpRequest(connections=CONNECTION_POOL, pool_timeout=POOL_TIMEOUT))
            .get_updates_request(AiohttpRequest(connections=1))
            .updater(None)
            .job_queue(None)
            .build()
        )
        self.bot = self.application.bot
        self.pacer = pacer or Pacer()
        self.poll_timeout = poll_timeout
        self.lease_ttl = lease_ttl
        self.lease_retry = lease_retry
        self.stop_grace = stop_grace
        self._lost = asyncio.Event()  # the polling lease was lost or could not be renewed: stop polling
        self.error_backoff = error_backoff
        self.commands = commands
        self.lease_name: str | None = None
        self.polling = False  # holds the lease and polls (observable for tests and /healthz)
        self.file_ids = FileIds(runtime)
        self._sender = _EditingBot(self.bot, runtime.blobs, self.file_ids)
        self._shown = Lru(MEMO_SIZE)  # (chat id, message id) -> fingerprint of the text we last put there
        self._answered = Lru(MEMO_SIZE)  # callback query ids answered
        self._inflight: set[asyncio.Task] = set()
        self._poller: asyncio.Task | None = None
        self._stopping = asyncio.Event()
        self._started = False
        runtime.register(self)

    # lifecycle ---------------------------------------------------------------------------------------------
    async def start(self) -> None:
        await self.application.initialize()  # getMe: the bot's id and username
        await self.application.start()
        self.lease_name = f"telegram.polling:{self.bot.id}"
        self._stopping.clear()
        if self.commands:
            try:
                await set_commands(self.bot, self.runtime.router, self.runtime.catalogs,
                                   self.settings.default_locale)
            except TelegramError as err:  # the menu is a convenience; the bot works without it
                log.warning("telegram: could not set the command menu: %s", err)
        await self.recover()
        if self.webhook_url:
            await self.bot.set_webhook(self.webhook_url, secret_token=self._secret.decode("ascii"),
                                       allowed_updates=ALLOWED_UPDATES)
            log.info("telegram: webhook mode (%s)", WEBHOOK_PATH)
        else:
            self._poller = asyncio.create_task(self._poll_forever(), name="telegram-poller")
        self._started = True

    async def stop(self) -> None:
        self._started = False
        self._stopping.set()
        if self._poller is not None:
            await asyncio.gather(self._poller, return_exceptions=True)
            self._poller = None
        await self.drain(self.stop_grace)
        await self.application.stop()
        await self.application.shutdown()

    async def drain(self, timeout: float | None = None) -> None:
        """Wait until every update handed to processing is done (its replies sent, its callback answered). With
        `timeout` (a stop), what is still running then is cancelled: a turn not committed rolls back and its
        update stays in the inbox for the next process; unsent replies are released for it by the runtime."""
        deadline = None if timeout is None else asyncio.get_running_loop().time() + timeout
        while self._inflight:
            left = None if deadline is None else deadline - asyncio.get_running_loop().time()
            if left is not None and left <= 0:
                log.warning("telegram: stopping with %d update(s) in hand; they are handed back",
                            len(self._inflight))
                for task in list(self._inflight):
                    task.cancel()
                await asyncio.gather(*list(self._inflight), return_exceptions=True)
                return
            await asyncio.wait(list(self._inflight), timeout=left)

    async def recover(self) -> int:
        """Send what a dead predecessor staged for Telegram, then process inbox rows accepted but never
        processed (its, or this process's own), oldest first, before new updates."""
        swept = await self.runtime.sweep_outbox(limit=500, platforms=[PLATFORM])
        if swept:
            log.info("telegram: sent %d reply(ies) staged before a restart", swept)
        events = await self.runtime.unprocessed(PLATFORM)
        for event in events:
            await self._handle(event)
        if events:
            log.info("telegram: processed %d update(s) accepted before a restart", len(events))
        return len(events)

    # inbound: processing -----------------------------------------------------------------------------------
    def _spawn(self, event: Event) -> None:
        task = asyncio.create_task(self._handle(event))
        self._inflight.add(task)
        task.add_done_callback(self._inflight.discard)

    async def _handle(self, event: Event) -> None:
        try:
            await self.runtime.process(event)
        except Exception:  # the inbox row stays unprocessed; the recovery tick takes it up again
            log.exception("telegram: update %s could not be processed", event.delivery_id)
        finally:
            query_id = event.reply_context.get("callback_query_id") if event.kind == "button" else None
            if query_id and query_id not in self._answered:
                try:
                    await self._answer(str(query_id), None)
                except Exception as err:  # the spinner stops by itself; nothing else to do
                    log.warning("telegram: callback query %s not answered: %s", query_id, err)

    async def _answer(self, query_id: str, text: str | None) -> None:
        self._answered.put(query_id)
        try:
            if text:
                await self.bot.answer_callback_query(query_id, text=truncate(text, MAX_CALLBACK_ANSWER))
            else:
                await self.bot.answer_callback_query(query_id)
        except BadRequest as err:
            if any(s in err.message.lower() for s in _QUERY_STALE):
                log.info("telegram: callback query %s expired before it was answered", query_id)
                return
            raise DeliveryFailed(f"answerCallbackQuery: {err.message}", permanent=True) from err
        except Forbidden as err:
            raise DeliveryFailed(f"answerCallbackQuery: {err.message}", permanent=True) from err

    async def _parse(self, update: Update) -> Event | None:
        return await parse_update(update, bot_username=self.bot.username,
                                  max_upload_bytes=self.settings.max_upload_bytes, blobs=self.runtime.blobs)

    async def _accept(self, update: Update) -> Event | None:
        """Parse and write to the inbox. Returns the event to process, or None (ignored, or seen before)."""
        return (await self._accept_all([(update, await self._parse(update))]))[0]

    async def _accept_all(self, parsed: list[tuple[Update, Event | None]]) -> list[Event | None]:
        """Write the parsed updates to the inbox in one transaction; the new ones are returned to process."""
        events = [event for _, event in parsed if event is not None]
        fresh = iter(await self.runtime.accept_many(events) if events else [])
        out: list[Event | None] = []
        for update, event in parsed:
            if event is not None and not next(fresh):
                log.debug("telegram: update %s seen before; not processed again", update.update_id)
                event = None
            out.append(event)
        return out

    # inbound: long polling ---------------------------------------------------------------------------------
    async def _hold_lease(self) -> bool:
        return await self.runtime.hold_lease(self.lease_name, self.lease_ttl)

    async def _release_lease(self) -> None:
        await self.runtime.release_lease(self.lease_name)

    async def _pause(self, seconds: float) -> None:
        try:
            await asyncio.wait_for(self._stopping.wait(), seconds)
        except asyncio.TimeoutError:
            pass

    async def _poll_forever(self) -> None:
        offset: int | None = None
        webhook_cleared = False
        keeper: asyncio.Task | None = None
        try:
            while not self._stopping.is_set():
                if not self.polling:
                    try:
                        holding = await self._hold_lease()
                    except Exception as exc:
                        log.warning("telegram: could not take the polling lease (%s); retrying", type(exc).__name__)
                        holding = False
                    if not holding:
                        await self._pause(self.lease_retry)
                        continue
                    log.info("telegram: polling (lease %s)", self.lease_name)
                    self.polling = True
                    self._lost.clear()
                    keeper = asyncio.create_task(self._keep_lease(), name="telegram-lease")
                if self._lost.is_set():
                    log.warning("telegram: the polling lease is lost; pausing")
                    self.polling = False
                    continue
                try:
                    if not webhook_cleared:
                        await self.bot.delete_webhook()  # getUpdates is refused while a webhook is set
                        webhook_cleared = True
                    updates = await self._get_updates(offset)
                    if updates is None:
                        continue  # stopping, or the lease was lost: the loop decides
                    offset = await self._take_batch(updates, offset)
                except InvalidToken:
                    log.error("telegram: the bot token was refused; polling stops")
                    break
                except Conflict:
                    log.warning("telegram: another getUpdates is running for this bot; backing off")
                    await self._pause(self.error_backoff)
                except RetryAfter as err:
                    wait = err.retry_after
                    await self._pause(wait.total_seconds() if isinstance(wait, timedelta) else float(wait))
                except (NetworkError, OSError) as err:
                    log.warning("telegram: polling failed (%s); retrying", err)
                    await self._pause(self.error_backoff)
                except Exception as exc:
                    log.warning("telegram: polling failed (%s: %s); retrying", type(exc).__name__, str(exc)[:200])
                    log.debug("telegram: the polling failure's traceback", exc_info=True)
                    await self._pause(self.error_backoff)
        finally:
            if keeper is not None:
                keeper.cancel()
                await asyncio.gather(keeper, return_exceptions=True)
            if self.polling:
                self.polling = False
                try:
                    await self._release_lease()
                except Exception:
                    log.warning("telegram: could not release the polling lease (it lapses by itself)")

    async def _keep_lease(self) -> None:
        """Renew the polling lease every third of its TTL, whatever the long poll is doing; when it is taken
        (or cannot be renewed before it would lapse), set `_lost`, which cancels the poll in flight."""
        ttl = self.lease_ttl.total_seconds()
        renewed = asyncio.get_running_loop().time()
        while not self._stopping.is_set() and not self._lost.is_set():
            await self._pause(ttl / 3)
            if self._stopping.is_set():
                return
            try:
                if not await self._hold_lease():
                    self._lost.set()
                    return
                renewed = asyncio.get_running_loop().time()
            except Exception as exc:
                if asyncio.get_running_loop().time() - renewed >= ttl * 2 / 3:
                    log.warning("telegram: could not renew the polling lease (%s); stopping the poll",
                                type(exc).__name__)
                    self._lost.set()
                    return

    async def _get_updates(self, offset: int | None) -> tuple[Update, ...] | None:
        """One long poll, given up (and its request cancelled) as soon as the adapter stops or loses the lease."""
        poll = asyncio.create_task(self.bot.get_updates(
            offset=offset, timeout=int(self.poll_timeout), allowed_updates=ALLOWED_UPDATES))
        stop = asyncio.create_task(self._stopping.wait())
        lost = asyncio.create_task(self._lost.wait())
        try:
            await asyncio.wait({poll, stop, lost}, return_when=asyncio.FIRST_COMPLETED)
        finally:
            stop.cancel()
            lost.cancel()
        if not poll.done():
            poll.cancel()
            await asyncio.gather(poll, return_exceptions=True)
            return None
        return poll.result()

    async def _take_batch(self, updates: tuple[Update, ...], offset: int | None) -> int | None:
        """Accept the batch in one inbox transaction; the returned offset confirms exactly the updates that are in
        the inbox. An update that cannot be parsed stops the batch there: those before it are accepted, and the
        offset stays on it so Telegram sends it again."""
        parsed: list[tuple[Update, Event | None]] = []
        try:
            for update in updates:
                parsed.append((update, await self._parse(update)))
        finally:
            accepted = await self._accept_all(parsed) if parsed else []
            for event in accepted:  # what is in the inbox is processed even if a later update failed to parse
                if event is not None:
                    self._spawn(event)
        return parsed[-1][0].update_id + 1 if parsed else offset

    # inbound: webhook --------------------------------------------------------------------------------------
    def add_routes(self, app: web.Application) -> None:
        if self.webhook_url:
            app.router.add_post(WEBHOOK_PATH, self._webhook)

    async def _webhook(self, request: web.Request) -> web.Response:
        given = request.headers.get(SECRET_HEADER, "").encode("utf-8", "replace")
        if self._secret is None or not hmac.compare_digest(given, self._secret):
            log.warning("telegram webhook: wrong or missing secret token from %s; refused", request.remote)
            return web.Response(status=403)
        if not self._started:
            return web.Response(status=503)  # Telegram retries
        try:
            data = await request.json()
            update = Update.de_json(data, self.bot)
        except Exception:
            log.warning("telegram webhook: a request that is not an update; refused")
            return web.Response(status=400)
        if update is None:
            log.warning("telegram webhook: a request that is not an update; refused")
            return web.Response(status=400)
        try:
            event = await self._accept(update)
        except Exception:
            log.exception("telegram webhook: update %s not accepted; Telegram will retry", update.update_id)
            return web.Response(status=503)
        if event is not None:
            self._spawn(event)
        return web.Response(status=200)

    # outbound ----------------------------------------------------------------------------------------------
    async def deliver(self, delivery: Delivery, progress: DeliveryProgress | None = None) -> str | None:
        """Send the delivery's calls from part `progress.done` on, recording each as it is out; a refusal is
        raised as `DeliveryFailed`, permanent or not (see `_classify`)."""
        progress = progress or DeliveryProgress()
        op = delivery.op
        query_id = delivery.reply_context.get("callback_query_id")
        if isinstance(op, Notice) and query_id:
            if progress.done or str(query_id) in self._answered:
                log.info("telegram: callback query %s already answered; notice dropped", query_id)
                return None
            await self._answer(str(query_id), str(op.text))
            return None
        try:
            calls = render(delivery)
        except RenderError as err:
            raise DeliveryFailed(f"render: {err}", permanent=True) from err
        if progress.done >= len(calls):
            return progress.message_id
        chat_id = calls[0].kwargs.get("chat_id", delivery.chat_id)
        # The id a delivery is known by: its first text message, else its first message of any kind. Parts
        # delivered by an earlier attempt left theirs in `progress.message_id`.
        ids = _DeliveryIds(progress.message_id, any(c.method in _TEXT_METHODS for c in calls[:progress.done]))
        start = progress.done
        first = calls[start]
        if start == 0 and first.method == "editMessageText" and \
                self._shown.get((chat_id, first.kwargs["message_id"])) == _fingerprint(first):
            ids.note(first, int(first.kwargs["message_id"]))  # already shows exactly this: nothing to send
            await progress.record(ids.best, last=len(calls) == 1)
            start += 1
        todo = calls[start:]

        async def after(index: int, result: Any) -> None:
            call = todo[index]
            message_id = _message_id(result)
            if message_id is not None:
                ids.note(call, message_id)
                if call.method in _TEXT_METHODS:
                    self._shown.put((chat_id, message_id), _fingerprint(call))
            await progress.record(ids.best, last=start + index == len(calls) - 1)

        try:
            if todo:
                await self.pacer.execute(self._sender, chat_id, todo, after=after, lane=lane_of(delivery))
        except TelegramError as err:
            raise _classify(err) from err
        return ids.best


_TEXT_METHODS = ("sendMessage", "editMessageText")


class _DeliveryIds:
    def __init__(self, known: str | None, known_is_text: bool) -> None:
        self.text_id = known if known_is_text else None
        self.any_id = known

    def note(self, call: TgCall, message_id: int) -> None:
        if self.any_id is None:
            self.any_id = str(message_id)
        if call.method in _TEXT_METHODS and self.text_id is None:
            self.text_id = str(message_id)

    @property
    def best(self) -> str | None:
        return self.text_id if self.text_id is not None else self.any_id


def _message_id(result: Any) -> int | None:
    if isinstance(result, (list, tuple)) and result:  # a media group: known by its first message
        result = result[0]
    if isinstance(result, Message):
        return result.message_id
    return result if isinstance(result, int) and not isinstance(result, bool) else None


def _classify(err: TelegramError) -> DeliveryFailed:
    """Permanent: Telegram will refuse again (blocked, chat not found or moved, a call it rejects, a bad token).
    Transient: 429 (with Telegram's `retry_after`), timeouts, network errors and 5xx (PTB's NetworkError)."""
    if isinstance(err, Forbidden):
        return DeliveryFailed(f"forbidden: {err.message}", permanent=True)
    if isinstance(err, ChatMigrated):
        return DeliveryFailed(f"chat moved to {err.new_chat_id}", permanent=True)
    if isinstance(err, BadRequest):  # chat not found, or a call Telegram refuses: sending it again will not help
        return DeliveryFailed(f"bad request: {err.message}", permanent=True)
    if isinstance(err, InvalidToken):
        return DeliveryFailed("the bot token was refused", permanent=False)  # fixed by an operator, then retried
    if isinstance(err, RetryAfter):
        wait = err.retry_after
        seconds = wait.total_seconds() if isinstance(wait, timedelta) else float(wait)
        return DeliveryFailed(f"rate limited: retry after {seconds:.0f}s", permanent=False, retry_after=seconds)
    return DeliveryFailed(f"{type(err).__name__}: {err.message}", permanent=False)
