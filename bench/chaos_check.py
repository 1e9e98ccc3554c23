"""The end of `bench/chaos.py`: the client-side journal and what the platforms received, against the database.

Every query is plain SQL on the bot's tables (both backends), read once the bot has been quiet; nothing here
asks the bot's own code whether it did right, except the renderers, which turn each outbox row marked sent into
the messages the platform should have received, so that what the stand-ins received beyond that can be counted.
"""
from __future__ import annotations

import json
from collections import Counter, defaultdict
from dataclasses import dataclass, field

from bench.chaos_people import TEAM, Journal, dm_channel, slack_user_id, telegram_user_id

RATE_PER_HOUR = 4000  # the chaos project's pay: 40.00 EUR an hour, in cents


@dataclass
class Findings:
    inputs_sent: int = 0
    inputs_confirmed: int = 0
    inputs_unconfirmed: int = 0
    lost: list[str] = field(default_factory=list)
    doubled: list[str] = field(default_factory=list)
    replies_twice: int = 0
    replies_twice_detail: list[str] = field(default_factory=list)
    never_sent: int = 0
    failed: int = 0
    sent_not_seen: int = 0
    overlap: list[str] = field(default_factory=list)
    ledger: list[str] = field(default_factory=list)
    counts: dict = field(default_factory=dict)


async def check(db, journal: Journal, people: dict, telegram_visible: list, slack_calls: list,
                slack_acked: set[str]) -> Findings:
    """`people`: name -> platform; `telegram_visible`: (method, params) the Bot API stand-in answered;
    `slack_calls`: the Slack stand-in's calls; `slack_acked`: Slack delivery ids a process answered 200."""
    f = Findings()
    inputs = journal.inputs
    f.inputs_sent = len(inputs)
    f.inputs_confirmed = sum(1 for i in inputs if i.outcome in ("confirmed", "refused"))
    f.inputs_unconfirmed = sum(1 for i in inputs if i.outcome == "timeout")
    async with db.transaction() as tx:
        q = tx.fetch
        persons = {}
        for name, platform in people.items():
            if platform == "telegram":
                row = await q("SELECT person_id FROM identities WHERE platform = 'telegram' AND user_id = $1",
                              str(telegram_user_id(name)))
            else:
                row = await q("SELECT person_id FROM identities WHERE platform = 'slack' AND workspace = $1"
                              " AND user_id = $2", TEAM, slack_user_id(name))
            persons[name] = row[0]["person_id"] if row else None

        # every input the platform handed over is in the inbox and processed
        inbox = {(r["platform"], r["delivery_id"]): r for r in await q(
            "SELECT platform, delivery_id, processed_at, error FROM inbox")}
        for i in inputs:
            for d in i.delivery_ids:
                if i.platform == "slack" and d not in slack_acked:
                    continue
                row = inbox.get((i.platform, d))
                if row is None or row["processed_at"] is None:
                    f.lost.append(f"{i.person} {i.what[:40]!r}: {i.platform} delivery {d} "
                                  f"{'never in the inbox' if row is None else 'never processed'}")
        f.counts["inbox_errors"] = sum(1 for r in inbox.values() if r["error"])

        # confirmed effects are in the database, once
        onboarded = {r["id"] for r in await q("SELECT id FROM persons WHERE onboarded_at IS NOT NULL")}
        members = {r["person_id"] for r in await q("SELECT person_id FROM project_members")}
        for i in journal.effects("onboard") + journal.effects("join"):
            if i.outcome != "confirmed":
                continue
            pid = persons.get(i.person)
            if pid is None or pid not in (onboarded if i.effect == "onboard" else members):
                f.lost.append(f"{i.person}: {i.effect} confirmed, not in the database")
        subs = Counter((r["person_id"], r["external_id"]) for r in await q(
            "SELECT s.person_id, t.external_id FROM submissions s JOIN tasks t ON t.id = s.task_id"))
        for i in journal.effects("submit"):
            if i.outcome != "confirmed":
                continue
            n = subs.get((persons.get(i.person), i.detail["case"]), 0)
            if n == 0:
                f.lost.append(f"{i.person}: answer to {i.detail['case']} confirmed, no submission")
        f.doubled += [f"person {p}: {n} submissions of {c}" for (p, c), n in subs.items() if n > 1]
        entries = defaultdict(list)
        for r in await q("SELECT id, person_id, minutes, note, state FROM hours_entries"):
            entries[r["note"]].append(r)
        logs = journal.effects("log")
        for i in logs:
            found = entries.get(i.detail["ref"], [])
            if i.outcome == "confirmed" and not found:
                f.lost.append(f"{i.person}: /log {i.detail['ref']} confirmed, no hours entry")
            if len(found) > 1:
                f.doubled.append(f"{i.person}: /log {i.detail['ref']} made {len(found)} hours entries")
        approved_said = sum(i.detail.get("count", 0) for i in journal.effects("approve") if i.outcome == "confirmed")
        approved = [r for rs in entries.values() for r in rs if r["state"] == "approved"]
        if approved_said > len(approved):
            f.lost.append(f"approvals: the manager was told {approved_said} entries were approved, "
                          f"{len(approved)} are")
        f.counts["hours_entries"] = sum(len(rs) for rs in entries.values())
        f.counts["hours_left_unapproved"] = sum(1 for rs in entries.values() for r in rs if r["state"] == "logged")
        f.counts["submissions"] = sum(subs.values())

        # overlap: no item has more live assignments or submissions than its overlap, nobody holds one twice
        for r in await q("SELECT t.id, t.external_id, t.overlap, COUNT(s.id) AS n FROM tasks t JOIN submissions s"
                         " ON s.task_id = t.id GROUP BY t.id, t.external_id, t.overlap HAVING COUNT(s.id) > t.overlap"):
            f.overlap.append(f"{r['external_id']}: {r['n']} submissions, overlap {r['overlap']}")
        for r in await q("SELECT t.id, t.external_id, t.overlap, COUNT(a.id) AS n FROM tasks t JOIN assignments a"
                         " ON a.task_id = t.id AND a.status IN ('active', 'submitted')"
                         " GROUP BY t.id, t.external_id, t.overlap HAVING COUNT(a.id) > t.overlap"):
            f.overlap.append(f"{r['external_id']}: {r['n']} live assignments, overlap {r['overlap']}")
        for r in await q("SELECT task_id, person_id, COUNT(*) AS n FROM assignments GROUP BY task_id, person_id"
                         " HAVING COUNT(*) > 1"):
            f.overlap.append(f"task {r['task_id']}: person {r['person_id']} assigned {r['n']} times")

        # the ledger against an independent sum from the journal (every log the database holds, at 40.00/h)
        by_ref = {i.detail["ref"]: i for i in logs}
        expected: Counter = Counter()
        for ref, i in by_ref.items():
            if i.outcome == "confirmed" or entries.get(ref):
                expected[persons.get(i.person)] += i.detail["minutes"] * RATE_PER_HOUR // 60
        ledger: Counter = Counter()
        for r in await q("SELECT person_id, amount_minor, currency, source FROM ledger_lines"
                         " WHERE source LIKE 'hours:%'"):
            ledger[r["person_id"]] += int(r["amount_minor"]) if r["currency"] == "EUR" else 10 ** 9
        for pid in set(expected) | set(ledger):
            if expected[pid] != ledger[pid]:
                f.ledger.append(f"person {pid}: ledger {ledger[pid]} cents, journal {expected[pid]} cents")
        f.counts["ledger_cents"] = sum(ledger.values())

        outbox = await q("SELECT id, platform, payload, sent_at, failed_at, error FROM outbox")
    f.failed = sum(1 for r in outbox if r["failed_at"] is not None)
    f.never_sent = sum(1 for r in outbox if r["sent_at"] is None)
    f.counts["outbox_rows"] = len(outbox)
    _count_replies(f, outbox, telegram_visible, slack_calls)
    return f


# ---------------------------------------------------------------------------------------------------------------
# replies the platforms received beyond the outbox rows marked sent


def _tg_fp(chat, params_or_kwargs: dict) -> tuple:
    markup = params_or_kwargs.get("reply_markup")
    if markup is not None and not isinstance(markup, dict):  # PTB's InlineKeyboardMarkup from the renderer
        markup = markup.to_dict()
    data = tuple(b.get("callback_data") or b.get("url") for row in (markup or {}).get("inline_keyboard", [])
                 for b in row)
    return ("telegram", str(chat), params_or_kwargs.get("text") or params_or_kwargs.get("caption") or "", data)


def _slack_fp(channel: str, text: str) -> tuple:
    return ("slack", channel, text or "")


def _count_replies(f: Findings, outbox: list, telegram_visible: list, slack_calls: list) -> None:
    from bot.adapters.slack.render import render_messages, render_text
    from bot.adapters.telegram.render import RenderError, render
    from bot.core.operations import Delivery, EditMessage, Notice, SendMessage

    must: Counter = Counter()  # messages the rows marked sent stand for
    may: Counter = Counter()  # edits, which may arrive as new messages when the message to edit is gone
    for r in outbox:
        if r["sent_at"] is None:
            continue
        d = Delivery.model_validate_json(r["payload"])
        if r["platform"] == "telegram":
            try:
                calls = render(d)
            except RenderError:
                continue
            for call in calls:
                if call.method in ("sendMessage", "sendPhoto", "sendDocument"):
                    must[_tg_fp(call.kwargs["chat_id"], call.kwargs)] += 1
                elif call.method == "editMessageText":
                    may[_tg_fp(call.kwargs["chat_id"], call.kwargs)] += 1
        elif r["platform"] == "slack":
            channel = d.chat_id if not d.chat_id.startswith(("U", "W")) else dm_channel(d.chat_id)
            if isinstance(d.op, Notice):
                must[("slack-notice", d.user_id or d.chat_id, render_text(str(d.op.text)))] += 1
            elif isinstance(d.op, (SendMessage, EditMessage)):
                target = may if isinstance(d.op, EditMessage) and d.edit_message_id else must
                for m in render_messages(d.op.message):
                    target[_slack_fp(channel, m.text)] += 1
    got: Counter = Counter()
    for method, params in telegram_visible:
        if method in ("sendMessage", "sendPhoto", "sendDocument"):
            got[_tg_fp(params.get("chat_id"), params)] += 1
    for call in slack_calls:
        resp = call.response if isinstance(call.response, dict) else {}
        if not resp.get("ok"):
            continue
        if call.method == "chat.postMessage":
            got[_slack_fp(resp.get("channel") or call.params.get("channel"), call.params.get("text"))] += 1
        elif call.method == "chat.postEphemeral":
            got[("slack-notice", call.params.get("user"), call.params.get("text") or "")] += 1
    for fp, n in got.items():
        extra = n - must[fp] - may[fp]
        if extra > 0:
            f.replies_twice += extra
            f.replies_twice_detail.append(f"{extra} x {fp[0]} {fp[1]}: {str(fp[2])[:60]!r}")
    f.sent_not_seen = sum(max(0, n - got[fp]) for fp, n in must.items())
    f.counts["marked_sent_not_received"] = f.sent_not_seen


def as_json(f: Findings) -> dict:
    return json.loads(json.dumps(f.__dict__, default=str))
