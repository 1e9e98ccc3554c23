"""A project changing while people work on it (issue 18, point 10): one implementation of pause, resume, close,
deadline and instruction edits for the chat (`/project …`, handlers.lifecycle) and the `panelist project …` CLI;
what members are told; and the hooks `/next` and the task form call (the acknowledgment gate, the refusal of an
answer a paused or closed project no longer takes, the version an answer records).

The rules live in domain.project_lifecycle and domain.instructions; this module applies them to storage.
"""
from __future__ import annotations

from bot.blobs import BlobRef
from datetime import datetime, timedelta

from pydantic import Field

from bot.core.actions import ActionData
from bot.core.blocks import Buttons, LongText, Reply, button, text
from bot.core.operations import SendMessage
from bot.i18n.text import When, msg
from domain.instructions import Change, changes, edited, fixed_fields_changed, version_given_under
from domain.project_lifecycle import LifecycleRefused, TRANSITIONS, answer_refusal, transition
from domain.project_spec import ProjectSpec
from handlers.shared.reminder_renderers import renders
from handlers.shared.replies import command_buttons, say
from handlers.shared.task_service import spec_of
from storage.repos.projects import ProjectRow
from storage.repos.reminders import ReminderRow
from storage.uow import UnitOfWork

NEWS = "project_news"  # the reminder kind that carries a CLI change to members (the CLI has no chat turn)
DEADLINE_NOTICE = timedelta(hours=48)  # as /join schedules it


class AckInstructions(ActionData, name="proj.ack"):
    """"I have read version N" of a project's instructions."""

    project: int = Field(alias="p")
    version: int = Field(alias="n")


class EditFromUpload(ActionData, name="proj.edit_up"):
    """A spec file sent for a project that exists: publish it as the project's next instructions version."""

    upload: int = Field(alias="u")
    project: int = Field(alias="p")


class EditRefused(ValueError):
    """The new spec changes fields an edit may not change (`fields`), or nothing at all (empty)."""

    def __init__(self, fields: list[str]) -> None:
        super().__init__(", ".join(fields))
        self.fields = fields


# ---------------------------------------------------------------- changes


async def change_status(uow: UnitOfWork, project: ProjectRow, verb: str, actor: int | None, now: datetime) -> str:
    """Apply pause/resume/close; the new status, or LifecycleRefused (also when another manager won the race)."""
    target = transition(project.status, verb)
    if not await uow.lifecycle.set_status(project.id, TRANSITIONS[verb][0], target):
        raise LifecycleRefused("lifecycle.refused.changed_meanwhile")
    await uow.audit.log(actor, f"project.{verb}d" if verb != "close" else "project.closed",
                        {"project": project.id, "from": project.status}, now)
    return target


async def close_report(uow: UnitOfWork, project: ProjectRow, now: datetime) -> tuple[int, int]:
    """After a close: (items that still wanted answers, tasks that were held), the held leases ended."""
    items, held = await uow.lifecycle.remaining(project.id)
    await uow.lifecycle.end_leases(project.id, now)
    return items, held


async def change_deadline(uow: UnitOfWork, project: ProjectRow, deadline: datetime, actor: int | None,
                          now: datetime) -> None:
    """The new deadline in the spec (what everyone reads) and the column; members' deadline reminders move."""
    if project.status == "closed":
        raise LifecycleRefused("lifecycle.refused.closed")
    spec = spec_of(project).model_copy(update={"deadline": deadline})
    await uow.lifecycle.set_spec(project.id, spec.model_dump_json(), deadline)
    await uow.lifecycle.end_deadline_reminders(project.id, now)
    if (due := deadline - DEADLINE_NOTICE) > now:
        for person_id in await uow.projects.members(project.id):
            await uow.reminders.schedule(person_id, "deadline", f"deadline:{project.id}:{person_id}:{due.isoformat()}",
                                         due, {"project": project.id}, now)
    await uow.audit.log(actor, "project.deadline", {"project": project.id, "deadline": deadline.isoformat(),
                                                    "was": project.deadline.isoformat() if project.deadline else None},
                        now)


async def publish_edit(uow: UnitOfWork, project: ProjectRow, new: ProjectSpec, actor: int | None,
                       now: datetime) -> tuple[int, list[Change]]:
    """Store `new`'s instructions and rubric wording as the next version, owed by every member: (version,
    changes). EditRefused when it changes fields an edit may not, or nothing."""
    if project.status == "closed":
        raise LifecycleRefused("lifecycle.refused.closed")
    old = spec_of(project)
    if new.name != old.name:
        raise EditRefused(["name"])
    if fixed := fixed_fields_changed(old, new):
        raise EditRefused(fixed)
    found = changes(old, new)
    if not found:
        raise EditRefused([])
    spec = edited(old, new)
    version = await uow.instructions.publish(project.id, project.spec, spec.model_dump_json(),
                                             [c.model_dump() for c in found], actor, now)
    if version is None:
        raise LifecycleRefused("lifecycle.refused.changed_meanwhile")
    await uow.lifecycle.set_spec(project.id, spec.model_dump_json(), spec.deadline)
    if actor is not None:  # a manager who is also a member wrote it: nothing to read
        await uow.instructions.acknowledge(project.id, actor, version, now)
    await uow.audit.log(actor, "project.edited", {"project": project.id, "version": version,
                                                  "changes": [c.model_dump() for c in found]}, now)
    return version, found


# ---------------------------------------------------------------- what members are told


def change_lines(spec: ProjectSpec, found: list[Change]) -> list:
    """One line per changed section or criterion, named as members read them."""
    labels = {c.id: c.label for c in spec.criteria}
    return [text("• ", msg("lifecycle.change.criterion", label=labels.get(c.criterion or "", c.criterion or ""))
                 if c.section == "criterion" else msg(f"lifecycle.change.{c.section}")) for c in found]


def acknowledge_blocks(project: ProjectRow, version: int, found: list[Change]) -> list:
    """The new version, what changed, the instructions and the button that acknowledges them."""
    spec = spec_of(project)
    return [text(msg("lifecycle.edited.notice", name=project.name, version=version)), *change_lines(spec, found),
            LongText(title=msg("task.instructions"), text=spec.instructions, filename="instructions.txt"),
            Buttons(rows=[[button(msg("lifecycle.ack.button", version=version),
                                  AckInstructions(project=project.id, version=version), style="primary")]])]


def notice_blocks(project: ProjectRow, what: str, version: int = 0, found: list[Change] | None = None) -> list:
    """What a member is told of a change (`what`: paused, resumed, closed, deadline, edited)."""
    if what == "edited":
        return acknowledge_blocks(project, version, found or [])
    if what == "deadline":
        deadline = spec_of(project).deadline
        return [text(msg("lifecycle.deadline.notice", name=project.name, at=When(at=deadline, style="medium")))]
    if what == "resumed":
        return [text(msg("lifecycle.resumed.notice", name=project.name)), command_buttons("next")]
    if what == "closed":
        return [text(msg("lifecycle.closed.notice", name=project.name)), command_buttons("drafts")]
    return [text(msg("lifecycle.paused.notice", name=project.name))]


async def tell_members_later(uow: UnitOfWork, project: ProjectRow, what: str, now: datetime,
                             version: int = 0) -> int:
    """For the CLI: each member's notice as a reminder due now, sent by the bot's reminder tick in their language,
    zone and quiet hours. How many were scheduled."""
    count = 0
    for person_id in await uow.projects.members(project.id):
        key = f"news:{project.id}:{what}:{version or now.isoformat()}:{person_id}"
        count += await uow.reminders.schedule(person_id, NEWS, key, now,
                                              {"project": project.id, "what": what, "version": version}, now)
    return count


@renders(NEWS)
async def _news(uow: UnitOfWork, reminder: ReminderRow, now: datetime):
    project = await uow.projects.get(int(reminder.payload.get("project", 0)))
    what = str(reminder.payload.get("what", ""))
    if project is None or not await uow.projects.is_member(project.id, reminder.person_id):
        return None
    # a change undone before the tick sent it is not news any more (paused, then resumed)
    if {"paused": "paused", "resumed": "open", "closed": "closed"}.get(what, project.status) != project.status:
        return None
    version = int(reminder.payload.get("version", 0))
    return notice_blocks(project, what, version, await _changes(uow, project.id, version))


async def _changes(uow: UnitOfWork, project_id: int, version: int) -> list[Change]:
    return [Change(**c) for c in await uow.instructions.changes(project_id, version)] if version else []


# ---------------------------------------------------------------- hooks for /next and the task form


async def acknowledgment_owed(uow: UnitOfWork, project: ProjectRow, person_id: int,
                              owes: bool | None = None) -> list | None:
    """The blocks asking this member to acknowledge the project's newest version before a task from it, or
    None when they owe nothing (or it has no task for them anyway). `owes`: whether they owe a version, as the
    caller read it in this transaction already (None: read here)."""
    if owes is None:
        owes = await uow.instructions.first_unacknowledged(project.id, person_id) is not None
    if not owes or not await uow.tasks.open_count(project.id, person_id):
        return None
    version = await uow.instructions.current(project.id)
    return [text(msg("lifecycle.ack.needed", name=project.name)),
            *acknowledge_blocks(project, version, await _changes(uow, project.id, version))]


def answer_refused(project: ProjectRow, assignment_status: str) -> str | None:
    """Why this answer is refused now (a catalog key), or None."""
    return answer_refusal(project.status, assignment_status)


async def record_version(uow: UnitOfWork, submission_id: int, project_id: int, person_id: int) -> int:
    """Stamp the answer with the version it was given under; that version."""
    version = version_given_under(*await uow.instructions.standing(project_id, person_id))
    if version != 1:  # the column's default
        await uow.instructions.stamp(submission_id, version)
    return version


def nothing_given(projects: list[ProjectRow], quality_paused: int) -> list:
    """What /next says when it gave nothing: a line for each of the person's projects a manager paused, then,
    unless that was all of them, why the others gave nothing."""
    stopped = [text(msg("lifecycle.next_paused", name=p.name)) for p in projects if p.status == "paused"]
    if len(stopped) == len(projects):
        return [SendMessage(message=Reply(blocks=stopped))]
    why = say("task.paused" if quality_paused == len(projects) else "task.none_left")
    return [SendMessage(message=Reply(blocks=stopped)), why] if stopped else [why]


async def offer_edit(uow: UnitOfWork, person_id: int, new: ProjectSpec, filename: str, blob: BlobRef,
                     now: datetime) -> list | None:
    """A valid spec file (`new`) for a project that exists: what it would change, with a button that publishes it
    as the next version. None when it changes nothing (the caller says the project exists)."""
    project = await uow.projects.by_name(new.name)
    if project is None or project.status == "closed":
        return None
    old = spec_of(project)
    if fixed := fixed_fields_changed(old, new):
        return [say("lifecycle.edit.fixed", name=project.name, fields=", ".join(fixed))]
    found = changes(old, new)
    if not found:
        return None
    upload = await uow.uploads.put(person_id, filename[:200], blob, now)
    version = await uow.instructions.current(project.id) + 1
    return [SendMessage(message=Reply(blocks=[
        text(msg("lifecycle.edit.offer", name=project.name, version=version)), *change_lines(new, found),
        Buttons(rows=[[button(msg("lifecycle.edit.publish", version=version),
                              EditFromUpload(upload=upload, project=project.id), style="primary")]])]))]
