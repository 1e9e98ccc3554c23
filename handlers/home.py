"""The home: what a person has to do and what waits for them (issue 17, point 5).

Slack shows it as the App Home, published when the tab is opened and republished by the `home.refresh` tick when
its numbers changed (the repositories mark a home stale in the transaction that changes them; the tick publishes a
stale home at most once per `REFRESH_SECONDS`, so a burst of changes costs one views.publish). Telegram and the
console show the same blocks for /home. Gathering and rendering live in `handlers.shared.home_view`."""
from __future__ import annotations

from datetime import timedelta

from bot.core.blocks import Reply
from bot.core.operations import PublishHome, Target
from bot.core.router import Router
from domain.home import REFRESH_SECONDS
from handlers.shared.context import Context, TickContext
from handlers.shared.home_view import expert_home, home_blocks, staff_home
from storage.uow import UnitOfWork

router = Router("home")
REFRESH_BATCH = 50  # homes republished per round; a larger backlog takes further rounds


async def _blocks(uow: UnitOfWork, person, roles: set[str], now, tz: str, reports: dict | None = None) -> list:
    if person.onboarded_at is None:
        return home_blocks(person.display_name, False, None, None, None)
    expert, draft = await expert_home(uow, person.id, now, tz)
    staff = await staff_home(uow, person.id, roles, now, tz, reports)
    return home_blocks(person.display_name, True, expert, draft, staff)


@router.home()
async def home(ctx: Context, event) -> list:
    await ctx.uow.homes.published(ctx.person.id, ctx.identity.id, ctx.now)
    return [PublishHome(message=Reply(blocks=await _blocks(ctx.uow, ctx.person, ctx.roles, ctx.now, ctx.tz)))]


@router.command("home", help_key="command.home.help")
async def home_command(ctx: Context, event) -> list:
    return [ctx.reply(*await _blocks(ctx.uow, ctx.person, ctx.roles, ctx.now, ctx.tz))]


@router.tick(every=5, name="home.refresh")
async def refresh(t: TickContext) -> int:
    """Republish stale homes last published `REFRESH_SECONDS` ago or more; each is claimed first, so two processes
    ticking at once publish it once."""
    done = 0
    reports: dict = {}  # each project's progress, computed once for every manager's home of this round
    due = await t.uow.homes.due(t.now, t.now - timedelta(seconds=REFRESH_SECONDS), REFRESH_BATCH)
    for row in due:
        if not await t.uow.homes.claim(row["person_id"], t.now):
            continue
        person = await t.uow.people.get(row["person_id"])
        if person is None:
            continue
        roles = await t.uow.roles.of(person.id)
        blocks = await _blocks(t.uow, person, roles, t.now, person.timezone or t.timezone, reports)
        t.send(PublishHome(to=Target.identity(person.id, row["identity_id"]), message=Reply(blocks=blocks)))
        done += 1
    if len(due) == REFRESH_BATCH:
        t.repeat()
    return done
