"""Platform-blind handlers, one module per capability. `build()` includes each module's `router` into one root:
its commands, actions, text, file and home routes, its forms (`router.form`) and its scheduler ticks
(`@router.tick`) all travel with it."""
from __future__ import annotations

from bot.core.router import Router
from handlers import (
    admin, assessments, availability, broadcast, common, data_rights, earnings, export, home, hours, lifecycle, link,
    matching, onboarding, payouts, people, pings, progress, projects, quality, reminders, review, tasks,
)
from handlers.shared.replies import say

# people first: its text route answers only a manager's forward, which onboarding's welcome would take otherwise
MODULES = (people, onboarding, common, admin, link, home, projects, tasks, quality, review, export, progress,
           assessments, matching, hours, earnings, payouts, availability, reminders, pings, broadcast, lifecycle,
           data_rights)


def build() -> Router:
    root = Router("root").include(*(m.router for m in MODULES))

    @root.text()
    async def fallback(ctx, event) -> list:
        return [say("error.not_understood")]

    return root
