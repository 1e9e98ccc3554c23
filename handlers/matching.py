"""Matching experts to a project: /match ranks who may join, "Invite N" sends each an invitation with Accept and
Decline, and the manager who invited sees who answered what in one message per batch, edited in place as answers
come in. The ranking is recomputed on the press: the button carries the project and a count, never a list of people."""
from __future__ import annotations

from datetime import timedelta

from pydantic import Field

from bot.core.actions import ActionData
from bot.core.blocks import Buttons, Heading, LongText, Reply, Span, button, text
from bot.core.operations import EditMessage, SendMessage, Target
from handlers.shared.context import Context
from handlers.shared.person_labels import label_of, labels_of
from bot.core.router import Router
from bot.i18n.text import msg, user_text
from domain.eligibility import ineligibility
from domain.matching import Candidate, Ranked, rank
from domain.pseudonyms import pseudonym
from handlers.shared.project_render import project_line
from handlers.shared.project_access import join_refusals
from handlers.shared.qualification_hooks import qualifications_of
from handlers.shared.quality_rules import score_for
from handlers.shared.project_names import chosen_project, find_project
from handlers.shared.replies import command_buttons, say
from handlers.shared.task_service import spec_of

router = Router("matching")
SHOWN = 10
INVITE_SIZES = (3, 5, 10)
PREVIEW = 400


class InviteTop(ActionData, name="match.invite"):
    project: int = Field(alias="p")
    count: int = Field(alias="n", ge=1, le=max(INVITE_SIZES))


class MatchFor(ActionData, name="match.for"):
    """/match named several projects: this one."""

    project: int = Field(alias="p")


class AcceptInvite(ActionData, name="invite.accept"):
    invite: int = Field(alias="i")


class DeclineInvite(ActionData, name="invite.decline"):
    invite: int = Field(alias="i")


async def ranked_for(ctx: Context, project) -> list[Ranked]:
    """Eligible experts who are not members yet, best first."""
    spec = spec_of(project)
    wanted = (spec.requires.qualification or spec.requires.domain) if spec.requires else spec.domain
    since = ctx.now - timedelta(days=7)
    candidates = []
    for person in await ctx.uow.qualifications.candidates():
        pid = person["id"]
        if await ctx.uow.projects.is_member(project.id, pid):
            continue
        held = await qualifications_of(ctx.uow, pid, ctx.now)
        profile = person["profile"]
        if ineligibility(profile, spec, held):
            continue
        level = held.get(wanted, 0)
        if wanted in profile.get("domains", []):
            level = max(level, 1)
        _, quality = await score_for(ctx.uow, pid, project)
        hours = await ctx.uow.qualifications.seconds_worked(pid, since) / 3600
        candidates.append(Candidate(
            person_id=pid, name=await label_of(ctx.uow, pid, pseudonym(ctx.pseudonym_key, pid)), level=level,
            quality=quality.score, weekly_hours=float(profile.get("weekly_hours") or 0), hours_used=hours,
            languages=list(profile.get("languages") or []), timezone=person["timezone"]))
    return rank(candidates, list(spec.languages), ctx.now, spec.deadline)


def _tally(counts: dict[str, int]):
    return msg("match.tally", accepted=counts["accepted"], declined=counts["declined"], pending=counts["pending"])


@router.command("match", roles={"manager"}, help_key="command.match.help")
async def match(ctx: Context, event) -> list:
    typed = (event.args or "").strip()
    if not typed:
        return [say("match.usage")]
    found = await find_project(ctx, typed, lambda p: MatchFor(project=p.id))
    return found if isinstance(found, list) else await _match(ctx, found)


@router.action(MatchFor, roles={"manager"})
async def match_for(ctx: Context, event, press: MatchFor) -> list:
    project = await chosen_project(ctx, press.project)
    return [say("error.button_expired")] if project is None else await _match(ctx, project)


async def _match(ctx: Context, project) -> list:
    ranked = await ranked_for(ctx, project)
    invited = await ctx.uow.invites.invited(project.id)
    blocks: list = [Heading(text=msg("match.title", name=project.name))]
    counts = await ctx.uow.invites.tally(project.id)
    if sum(counts.values()):
        blocks.append(text(_tally(counts)))
    if not ranked:
        blocks.append(text(msg("match.nobody")))
        return [ctx.reply(*blocks)]
    for place, r in enumerate(ranked[:SHOWN], start=1):
        quality = (msg("match.quality", score=round(r.candidate.quality * 100)) if r.candidate.quality is not None
                   else msg("match.quality_none"))
        blocks.append(text(f"{place}. ", Span(text=user_text(r.candidate.name), style="bold"), " — ",
                           msg("match.line", score=round(r.score * 100), level=r.candidate.level,
                               hours=round(r.free_hours)), ", ", quality,
                           *([" — ", msg("match.invited")] if r.candidate.person_id in invited else [])))
    fresh = len([r for r in ranked if r.candidate.person_id not in invited])
    sizes = sorted({min(n, fresh) for n in INVITE_SIZES if fresh > 0})
    if sizes:
        blocks.append(Buttons(rows=[[button(msg("match.invite_button", n=n), InviteTop(project=project.id, count=n))
                                     for n in sizes]]))
    return [ctx.reply(*blocks)]


@router.action(InviteTop, roles={"manager"})
async def invite(ctx: Context, event, press: InviteTop) -> list:
    project = await ctx.uow.projects.get(press.project)
    wanted = press.count
    if project is None or project.status != "open":
        return [say("error.button_expired")]
    spec = spec_of(project)
    invited = await ctx.uow.invites.invited(project.id)
    chosen = [r for r in await ranked_for(ctx, project) if r.candidate.person_id not in invited][:wanted]
    ops = []
    created = []
    preview = spec.instructions if len(spec.instructions) <= PREVIEW else spec.instructions[:PREVIEW].rsplit(" ", 1)[0] + " …"
    for r in chosen:
        invite_id = await ctx.uow.invites.create(project.id, r.candidate.person_id, ctx.person.id, ctx.now)
        if invite_id is None:
            continue
        created.append(invite_id)
        await ctx.audit("project.invited", project=project.id, expert=r.candidate.person_id, invite=invite_id,
                        rank_score=r.score)
        ops.append(ctx.send_to(
            r.candidate.person_id,
            Heading(text=msg("invite.title", name=project.name)),
            text(*project_line(project, spec)),
            LongText(title=msg("task.instructions"), text=preview, filename="instructions.txt"),
            Buttons(rows=[[button(msg("invite.accept"), AcceptInvite(invite=invite_id), style="primary"),
                           button(msg("invite.decline"), DeclineInvite(invite=invite_id))]])))
    if not created:
        return [say("match.nobody_new")]
    ref = f"invites:{created[0]}"  # the batch's tally message, edited as each invitation is answered
    await ctx.uow.invites.set_tally_ref(created, ref)
    return [SendMessage(message=await _batch_tally(ctx, project, ref), ref=ref)] + ops


async def _batch_tally(ctx: Context, project, ref: str) -> Reply:
    """Who was invited in one batch and what each answered, then the project's whole tally."""
    batch = await ctx.uow.invites.batch(ref)
    names = await labels_of(ctx.uow, [i.person_id for i in batch])
    blocks: list = [text(msg("match.invited_now", n=len(batch), name=project.name))]
    blocks += [text("• ", user_text(names[i.person_id]), " — ", msg(f"match.invite_status.{i.status}"))
               for i in batch]
    blocks.append(text(_tally(await ctx.uow.invites.tally(project.id))))
    return Reply(blocks=blocks)


async def _answer(ctx: Context, invite_id: int, accept: bool) -> list:
    invitation = await ctx.uow.invites.get(invite_id)
    if invitation is None or invitation.person_id != ctx.person.id:
        return [say("invite.not_yours")]
    if invitation.status != "pending":
        return [say("invite.answered")]
    project = await ctx.uow.projects.get(invitation.project_id)
    if accept:
        if project.status != "open":
            return [say("projects.closed", name=project.name)]
        reasons = await join_refusals(ctx, spec_of(project))
        if reasons:
            return [ctx.reply(text(msg("projects.cannot_join", name=project.name)), *[text("• ", msg(r)) for r in reasons])]
    if not await ctx.uow.invites.answer(invitation.id, ctx.person.id, "accepted" if accept else "declined", ctx.now):
        return [say("invite.answered")]
    await ctx.audit("project.invite_answered", invite=invitation.id, project=project.id, accepted=accept)
    if accept:
        await ctx.uow.projects.add_member(project.id, ctx.person.id, invitation.invited_by, ctx.now)
        ops = [ctx.reply(text(msg("projects.joined_now", name=project.name)), command_buttons("next"))]
    else:
        ops = [say("invite.declined_ok", name=project.name)]
    if invitation.invited_by and invitation.tally_ref:
        ops.append(EditMessage(to=Target.person(invitation.invited_by), ref=invitation.tally_ref,
                               message=await _batch_tally(ctx, project, invitation.tally_ref)))
    elif invitation.invited_by:  # invited before batches had a tally message: a note of its own
        counts = await ctx.uow.invites.tally(project.id)
        key = "invite.manager_accepted" if accept else "invite.manager_declined"
        who = user_text(ctx.person.display_name or pseudonym(ctx.pseudonym_key, ctx.person.id))
        ops.append(ctx.send_to(invitation.invited_by, text(msg(key, who=who, name=project.name)), text(_tally(counts))))
    return ops


@router.action(AcceptInvite)
async def accept(ctx: Context, event, press: AcceptInvite) -> list:
    return await _answer(ctx, press.invite, True)


@router.action(DeclineInvite)
async def decline(ctx: Context, event, press: DeclineInvite) -> list:
    return await _answer(ctx, press.invite, False)
