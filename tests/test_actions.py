"""Typed button data through the real runtime: every action's model round-trips through the signed codec within
Telegram's 64 bytes, and every bad press (forged, malformed, someone else's, expired) takes the one expired path
and changes nothing."""
from __future__ import annotations

import re
from datetime import date, datetime, timedelta, timezone
from pathlib import Path
from typing import get_args

import pytest
from pydantic import ValidationError

from app.settings import Settings
from app.wiring import build_runtime
from bot.core.actions import ActionData
from bot.core.dispatch import action_models
from bot.core.events import Actor, ButtonPressed, CommandEvent, Conversation
from bot.core.operations import Notice
from bot.core.form_buttons import (
    FORM_BUTTONS, FormBack, FormCancel, FormConfirm, FormDiscard, FormDiscardYes, FormDone, FormEdit, FormGoto,
    FormDropKept, FormInsist, FormKeep, FormNumber, FormPick, FormReview, FormSkip, FormStop, FormSuggest, FormToggle,
    FormUseKept,
)
from domain.exports import FORMATS
from handlers.assessments import Grade, OpenAssessment, ResumeAttempt, ShowSampleText, StartAssessment
from handlers.availability import ChangeAvailability
from handlers.common import SetLanguage
from handlers.data_rights import ForgetCancel, ForgetConfirm, ForgetKeep
from handlers.earnings import OpenDispute, ResolveDispute, ShowEarnings
from handlers.export import PickProject, RunExport
from handlers.hours import (
    ApproveAll, ApproveWeek, ConfirmDelete, DeleteEntry, EditEntry, LogFor, OtherWeek, RejectWeek, TimerDo,
)
from handlers.link import ConfirmLink, RefuseLink
from handlers.matching import AcceptInvite, DeclineInvite, InviteTop, MatchFor
from handlers.payouts import ClosePeriod, MarkPaid
from handlers.pings import AnswerPing
from handlers.progress import ShowProgress
from handlers.lifecycle import ProjectChange
from handlers.projects import AddExpertTo, ImportInto, JoinProject, ReadInstructions
from handlers.shared.project_lifecycle import AckInstructions, EditFromUpload
from handlers.quality import LiftPause, StatsFor
from handlers.reminders import KINDS, SetReminder
from handlers.onboarding import EditProfileField
from handlers.review import Decide, ReviewLater, Rework, ShowAnswer
from handlers.tasks import NextIn, UndoSkip
from handlers.shared.people_names import PickPerson
from handlers.shared.actions import (
    BackFromAway, ResumeTask, RunCommand, ShowInstructions, ShowTaskText, SkipReason, SkipTask,
)
from storage.uow import UnitOfWork
from tests.recording import RecordingAdapter

TELEGRAM_LIMIT = 64
ID = 4_812_337  # a realistic id: seven digits, for every id and for the button's owner
DAY = date(2026, 11, 30)
EXPIRED_TEXT = "This button has expired."


def _longest(options) -> str:
    return max(options, key=len)


def samples(command_names) -> list[ActionData]:
    """One realistic press of every action, with its longest values."""
    s, v = ID, 120
    return [
        OpenAssessment(assessment=ID), StartAssessment(assessment=ID), ResumeAttempt(attempt=ID),
        Grade(answer=ID, points=10), ShowSampleText(attempt=ID, index=3, part="r9"),
        ChangeAvailability(), BackFromAway(),
        RunCommand(command=_longest(command_names)), SetLanguage(locale="es"),
        ShowEarnings(period="last week"), OpenDispute(line=ID), ResolveDispute(dispute=ID),
        PickProject(project=ID),
        RunExport(project=ID, fmt=_longest(FORMATS), approved_only=True, exclude_paused=True, since=DAY,
                  until=DAY + timedelta(days=7)),
        LogFor(project=ID, minutes=24 * 60, day=DAY, note="n" * 60, once="x" * 12), TimerDo(op="start", project=ID),
        OtherWeek(week=DAY), EditEntry(entry=ID), DeleteEntry(entry=ID), ConfirmDelete(entry=ID, week=DAY),
        ApproveWeek(person=ID, week=DAY), ApproveAll(), RejectWeek(person=ID, week=DAY),
        InviteTop(project=ID, count=10), AcceptInvite(invite=ID), DeclineInvite(invite=ID), MatchFor(project=ID),
        ClosePeriod(period="last month"), MarkPaid(statement=ID),
        AnswerPing(ping=ID, code="c19"), ShowProgress(project=ID),
        ImportInto(upload=ID, project=ID, all_or_nothing=True), JoinProject(project=ID),
        ReadInstructions(project=ID), AddExpertTo(project=ID, person=ID), StatsFor(project=ID),
        ProjectChange(project=ID, verb="deadline", confirmed=True, deadline=4_000_000_000),
        AckInstructions(project=ID, version=120), EditFromUpload(upload=ID, project=ID),
        LiftPause(project=ID, expert=ID), SetReminder(kind=_longest(KINDS), on=False),
        ConfirmLink(code="ABCDEFGH"), RefuseLink(code="ABCDEFGH"),
        Decide(submission=ID, revision=12, decision="rejected"), ReviewLater(after=ID, project=ID),
        Rework(submission=ID), NextIn(project=ID),
        ShowAnswer(submission=ID, revision=12), UndoSkip(assignment=ID, session=ID),
        ForgetConfirm(), ForgetKeep(), ForgetCancel(),
        EditProfileField(field="weekly_hours"),
        ShowInstructions(assignment=ID), ShowTaskText(assignment=ID, part="context"), ResumeTask(assignment=ID),
        SkipTask(assignment=ID, reason=_longest(get_args(SkipReason))),
        FormBack(session=s, version=v), FormSkip(session=s, version=v), FormCancel(session=s, version=v),
        FormConfirm(session=s, version=v), FormInsist(session=s, version=v), FormEdit(session=s, version=v),
        FormReview(session=s, version=v), FormDone(session=s, version=v), FormStop(session=s, version=v),
        FormDiscard(session=s, version=v), FormDiscardYes(session=s, version=v), FormKeep(session=s, version=v),
        FormPick(session=s, version=v, option=10), FormToggle(session=s, version=v, option=99),
        FormSuggest(session=s, version=v, option=99), FormGoto(session=s, version=v, option=99),
        FormNumber(session=s, version=v, option=99), FormUseKept(session=s, version=v),
        FormDropKept(session=s, version=v),
        PickPerson(command="bonus", args="slack:T0123456789/U0123456789 " + "9" * 10 + " EUR " + "r" * 150,
                   origin="cmd:" + "7" * 60),
    ]


# Only these are too long for Telegram inline: they go as stored tokens (a regression that bloats an everyday
# button into a token shows up here).
TOKENS_EXPECTED = {LogFor, RunExport, PickPerson}


def event(kind=CommandEvent, delivery="d1", user="u1", **kw):
    return kind(delivery_id=delivery, actor=Actor(platform="console", user_id=user),
                conversation=Conversation(platform="console", chat_id=user), **kw)


@pytest.fixture
async def rt(database_url):
    now = [datetime(2026, 11, 28, 12, tzinfo=timezone.utc)]
    runtime = build_runtime(Settings(database_url=database_url), clock=lambda: now[0])
    runtime.now = now
    await runtime.start()
    runtime.register(RecordingAdapter())
    yield runtime
    await runtime.stop()


async def _person(rt, user: str) -> int:
    await rt.handle(event(name="help", delivery=f"hello-{user}", user=user))
    async with rt.db.transaction() as tx:
        return await tx.fetchval("SELECT person_id FROM identities WHERE user_id = $1", user)


async def _token(rt, action: ActionData, owner: int) -> str:
    """A stored-token payload (as for a button too long to go inline)."""
    async with rt.db.transaction() as tx:
        return await rt.codec.encode(action, owner, 10, UnitOfWork(tx).tokens, rt.clock())


async def _store_raw_token(rt, token: str, stored: str, owner: int) -> str:
    async with rt.db.transaction() as tx:
        await UnitOfWork(tx).tokens.store(token, stored, owner, rt.clock() + timedelta(days=1), rt.clock())
    return token


_TABLES = re.findall(r"CREATE TABLE (\w+)", "".join(
    p.read_text() for p in sorted((Path(__file__).parent.parent / "storage" / "migrations").glob("*.sql"))))
_MOVING = {"inbox", "outbox", "sent_messages", "identities"}  # every turn writes these (the answer itself)


async def _state(rt) -> dict:
    """Everything a press could change."""
    out = {}
    async with rt.db.transaction() as tx:
        for table in _TABLES:
            if table not in _MOVING:
                out[table] = sorted(repr(sorted(dict(r).items())) for r in await tx.fetch(f"SELECT * FROM {table}"))
    return out


async def _press(rt, payload: str, user: str, delivery: str):
    return await rt.handle(event(ButtonPressed, delivery=delivery, user=user, payload=payload))


def _only_expired(out) -> bool:
    return len(out) == 1 and isinstance(out[0].op, Notice) and out[0].op.text == EXPIRED_TEXT


async def test_every_action_round_trips_through_the_codec_within_telegrams_limit(rt):
    model_for = action_models(rt.router)
    registered = {route.action for route in rt.router.actions.values()} | set(FORM_BUTTONS.values())
    presses = samples(list(rt.router.commands))
    assert {type(p) for p in presses} == registered, "every action model needs a sample here"
    tokens = set()
    async with rt.db.transaction() as tx:
        uow = UnitOfWork(tx)
        for press in presses:
            payload = await rt.codec.encode(press, ID, TELEGRAM_LIMIT, uow.tokens, rt.clock())
            assert 1 <= len(payload.encode()) <= TELEGRAM_LIMIT, (press, payload)
            if payload.startswith("~"):
                tokens.add(type(press))
            back = await rt.codec.decode(payload, ID, uow.tokens, rt.clock(), model_for)
            assert back == press and type(back) is type(press)
    assert tokens == TOKENS_EXPECTED


async def test_a_valid_press_changes_what_it_should(rt):
    """The control for the test below: the same kind of press, well formed, does change the state."""
    me = await _person(rt, "u1")
    before = await _state(rt)
    out = await _press(rt, rt.codec.inline(SetLanguage(locale="es"), me), "u1", "ok")
    assert any("español" in d.model_dump_json() for d in out)  # the confirmation; the chat's menu follows it
    assert await _state(rt) != before


BAD_PRESSES = {
    # name: (who presses, how the payload is made from (runtime, my person id, the open form session))
    "forged signature": ("u1", lambda rt, me, s: rt.codec.inline(SetLanguage(locale="es"), me)[:-3] + "AAA"),
    "forged value": ("u1", lambda rt, me, s: rt.codec.inline(SetLanguage(locale="es"), me).replace("l=es", "l=en")),
    "unsigned": ("u1", lambda rt, me, s: f"lang.set|l=es|{me}|"),
    "missing field": ("u1", lambda rt, me, s: rt.codec.signed("lang.set", {}, me)),
    "extra field": ("u1", lambda rt, me, s: rt.codec.signed("lang.set", {"l": "es", "z": "1"}, me)),
    "field by another key": ("u1", lambda rt, me, s: rt.codec.signed("rem.set", {"kind": "draft", "o": "1"}, me)),
    "wrong type: not a choice": ("u1", lambda rt, me, s: rt.codec.signed("rem.set", {"k": "everything", "o": "1"}, me)),
    "wrong type: not a number": ("u1", lambda rt, me, s: rt.codec.signed(
        "form.pick", {"s": str(s[0]), "v": "x", "o": "0"}, me)),
    "wrong type: not a date": ("u1", lambda rt, me, s: rt.codec.signed("hours.week", {"w": "2026-02-30"}, me)),
    "huge number": ("u1", lambda rt, me, s: rt.codec.signed(
        "form.pick", {"s": "9" * 40, "v": str(s[1]), "o": "0"}, me)),
    "huge text": ("u1", lambda rt, me, s: rt.codec.signed("lang.set", {"l": "e" * 300}, me)),
    "out of range": ("u1", lambda rt, me, s: rt.codec.signed("grade.set", {"n": "1", "g": "-1"}, me)),
    "unknown name": ("u1", lambda rt, me, s: rt.codec.signed("lang.sett", {"l": "es"}, me)),
    "someone else's": ("u2", lambda rt, me, s: rt.codec.inline(SetLanguage(locale="es"), me)),
    "someone else's form": ("u2", lambda rt, me, s: rt.codec.inline(FormCancel(session=s[0], version=s[1]), me)),
}


@pytest.mark.parametrize("case", sorted(BAD_PRESSES))
async def test_a_bad_press_takes_the_one_expired_path_and_changes_nothing(rt, case):
    me = await _person(rt, "u1")
    await _person(rt, "u2")
    await rt.handle(event(name="start", delivery="start", user="u1"))  # an open form to aim form presses at
    async with rt.db.transaction() as tx:
        row = await tx.fetchrow("SELECT id, version FROM form_sessions WHERE person_id = $1", me)
    session = (row["id"], row["version"])
    presser, make = BAD_PRESSES[case]
    payload = make(rt, me, session)
    before = await _state(rt)
    out = await _press(rt, payload, presser, "bad")
    assert _only_expired(out), out
    assert await _state(rt) == before


async def test_bad_tokens_take_the_same_path(rt):
    me = await _person(rt, "u1")
    await _person(rt, "u2")
    theirs = await _token(rt, SetLanguage(locale="es"), me)
    later = await _token(rt, SetLanguage(locale="es"), me)
    stale = await _store_raw_token(rt, "~oldshapenoarg", '{"name": "lang.set", "args": {"l": "es", "pad": "y"}}', me)
    unreadable = await _store_raw_token(rt, "~unreadable000", "not json", me)
    bad_args = await _store_raw_token(rt, "~badargs000000", '{"name": "lang.set", "args": ["es"]}', me)
    before = await _state(rt)
    for i, (presser, payload) in enumerate([("u2", theirs), ("u1", stale), ("u1", unreadable), ("u1", bad_args),
                                            ("u1", "~nosuchtoken00")]):
        assert _only_expired(await _press(rt, payload, presser, f"t{i}")), payload
    rt.now[0] += timedelta(days=rt.settings.action_token_days, seconds=1)
    assert _only_expired(await _press(rt, later, "u1", "late"))
    assert await _state(rt) == before


async def test_payloads_sent_before_typed_data_still_work(rt):
    """Buttons already on people's screens: the inline form and the stored token of the untyped days."""
    me = await _person(rt, "u1")
    # What `Action(name="lang.set", args={"l": "es"}).model_dump_json()` stored for a long button.
    old_token = await _store_raw_token(rt, "~storedbefore0", '{"name": "lang.set", "args": {"l": "es"}}', me)
    out = await _press(rt, old_token, "u1", "old-token")
    assert any("español" in d.model_dump_json() for d in out)  # the confirmation; the chat's menu follows it
    # `cmd|c=help|owner|mac`, as `button(label, "cmd", c="help")` packed it.
    out = await _press(rt, rt.codec.signed("cmd", {"c": "help"}, me), "u1", "old-inline")
    assert "/help" in out[-1].model_dump_json()


def test_a_model_refuses_what_is_not_small_button_data():
    with pytest.raises(TypeError):
        class Listy(ActionData, name="test.listy"):
            ids: list[int]
    with pytest.raises(TypeError):
        class NotNone(ActionData, name="test.not_none"):
            project: int | None = 5
    with pytest.raises(ValueError):
        class Piped(ActionData, name="test|piped"):
            pass
    with pytest.raises(ValidationError):
        Grade(answer=2**63, points=1)
    with pytest.raises(ValidationError):
        SetLanguage(locale="es", extra="1")
