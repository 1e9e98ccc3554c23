"""A person's home: gathered from storage (`expert_home`, `staff_home`) and rendered in one function
(`home_blocks`) as platform-blind blocks. Slack publishes them as the App Home; Telegram and the console show them
for /home. The numbers are what the commands behind the buttons show: /drafts, /earnings, /stats, /review,
/approvals, /disputes and /progress (whose report is computed once, in `handlers.shared.progress_report`)."""
from __future__ import annotations

from datetime import datetime

from bot.core.blocks import Buttons, Divider, Heading, Span, button, text
from bot.core.commands import RunCommand
from bot.i18n.text import Duration, Money, When, msg, user_text
from domain.home import ExpertHome, ProjectQuality, ProjectStatus, StaffHome, by_currency, this_week
from handlers.shared.actions import ResumeTask
from handlers.shared.progress_report import agreement_line, progress_report
from handlers.shared.quality_rules import score_for
from handlers.shared.replies import command_buttons
from handlers.shared.task_screen import FORM
from handlers.shared.work_access import reviewable_projects
from storage.uow import UnitOfWork

MAX_PROJECTS = 8  # a home holds at most 100 blocks; a manager with more projects opens /progress


async def expert_home(uow: UnitOfWork, person_id: int, now: datetime, tz: str) -> tuple[ExpertHome, int | None]:
    """The expert's numbers, and the assignment of their one draft (None: none or several, /drafts lists them)."""
    week = this_week(now, tz)
    drafts = [s for s in await uow.forms.open_for(person_id) if s.form_id == FORM]
    quality = []
    for project in (await uow.projects.member_of(person_id))[:MAX_PROJECTS]:
        _, result = await score_for(uow, person_id, project)
        quality.append(ProjectQuality(project.name, result.score))
    home = ExpertHome(
        drafts=len(drafts),
        done_this_week=await uow.homes.done_since(person_id, week.since),
        earned_this_week=by_currency(await uow.ledger.totals(person_id, week.first, week.last)),
        quality=quality,
        invites=await uow.homes.open_invites(person_id),
        pings=await uow.homes.open_pings(person_id, now),
    )
    return home, int(drafts[0].params["a"]) if len(drafts) == 1 else None


async def staff_home(uow: UnitOfWork, person_id: int, roles: set[str], now: datetime, tz: str,
                     reports: dict | None = None) -> StaffHome | None:
    """What waits for a reviewer or manager; None for someone who is neither. `reports` keeps each project's
    progress report for the other managers' homes of the same refresh round (it is the same for all of them)."""
    reports = {} if reports is None else reports
    manager = bool(roles & {"manager", "admin"})
    if not manager and "reviewer" not in roles:
        return None
    ids = (await reviewable_projects(uow, person_id, roles))
    queue = await uow.homes.review_queue(person_id, ids)
    projects = []
    for project_id in ids[:MAX_PROJECTS]:
        project = await uow.projects.get(project_id)
        report = None
        if manager:
            if (project_id, tz) not in reports:
                reports[(project_id, tz)] = await progress_report(uow, project, now, tz)
            report = reports[(project_id, tz)]
        projects.append(ProjectStatus(project.name, queue.get(project_id, 0), report, project.deadline))
    return StaffHome(projects=projects,
                     hours_waiting=await uow.homes.hours_waiting(person_id) if manager else None,
                     disputes=await uow.homes.open_disputes() if manager else None)


def home_blocks(name: str | None, onboarded: bool, expert: ExpertHome | None, draft: int | None,
                staff: StaffHome | None) -> list:
    """The one renderer of a home, for every platform."""
    blocks: list = [Heading(text=msg("home.title")),
                    text(msg("home.hello", name=user_text(name) if name else msg("home.anonymous")))]
    if not onboarded:
        return blocks + [text(msg("profile.none")), command_buttons("start", "help")]
    if staff is not None:
        blocks += _staff(staff)
    if expert is not None:
        blocks += _expert(expert, draft)
    return blocks + [Divider(), command_buttons("profile", "help", "language")]


def _expert(home: ExpertHome, draft: int | None) -> list:
    blocks: list = [Heading(text=msg("home.work_title")),
                    text(msg("home.drafts", count=home.drafts) if home.drafts else msg("home.no_drafts")),
                    text(msg("home.done_week", count=home.done_this_week))]
    if home.earned_this_week:
        blocks += [text(msg("home.earned_week", amount=Money(minor=minor, currency=currency)))
                   for currency, minor in home.earned_this_week.items()]
    else:
        blocks.append(text(msg("home.earned_none")))
    for q in home.quality:
        score = msg("stats.score", score=round(q.score * 100)) if q.score is not None else msg("stats.no_score")
        blocks.append(text(msg("home.quality"), " ", Span(text=user_text(q.name), style="bold"), ": ", score))
    if home.invites:
        blocks.append(text(msg("home.invites", count=home.invites)))
    if home.pings:
        blocks.append(text(msg("home.pings", count=home.pings)))
    row = [button(msg("command.next.button"), RunCommand(command="next"), style="primary")]
    if home.drafts:
        row.append(button(msg("home.continue"), ResumeTask(assignment=draft) if draft else RunCommand(command="drafts")))
    if home.invites:
        row.append(button(msg("command.projects.button"), RunCommand(command="projects")))
    row.append(button(msg("command.earnings.button"), RunCommand(command="earnings")))
    return blocks + [Buttons(rows=[row])]


def _staff(home: StaffHome) -> list:
    blocks: list = [Heading(text=msg("home.team_title")), text(msg("home.to_review", count=home.to_review))]
    if home.hours_waiting is not None:
        entries, minutes = home.hours_waiting
        blocks.append(text(msg("home.hours_waiting", count=entries, duration=Duration(minutes=minutes)) if entries
                           else msg("home.no_hours_waiting")))
    if home.disputes is not None:
        blocks.append(text(msg("home.disputes", count=home.disputes)))
    for p in home.projects:
        blocks += [Divider(), text(Span(text=user_text(p.name), style="bold"), " — ",
                                   msg("home.project_to_review", count=p.to_review))]
        if p.report is not None:
            items = p.report.items
            blocks.append(text(msg("progress.items", done=items.done, in_progress=items.in_progress,
                                   waiting=items.waiting, total=items.total)))
            blocks.append(text(msg("home.deadline", at=When(at=p.deadline, style="medium")) if p.deadline
                               else msg("home.no_deadline")))
            blocks.append(text(agreement_line(p.report)))
    names = ["review"] + (["approvals", "progress", "disputes"] if home.hours_waiting is not None else [])
    return blocks + [command_buttons(*names), Divider()]

