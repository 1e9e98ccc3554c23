"""Platform-blind handlers, one module per capability. `build()` wires them into one router, form registry
and the scheduler ticks they need: a module has a `router`, and may have `register_forms(forms)` and `ticks()`."""
from __future__ import annotations

from bot.core.router import Router
from bot.core.wizard import FormRegistry
from handlers import (
    admin, assessments, availability, broadcast, common, earnings, export, home, hours, link, matching, onboarding, payouts, pings, progress,
    projects, quality, reminders, review, tasks,
)
from handlers.shared.replies import say

MODULES = (onboarding, common, admin, link, home, projects, tasks, quality, review, export, progress,
           assessments, matching, hours, earnings, payouts, availability, reminders, pings, broadcast)


def build() -> tuple[Router, FormRegistry]:
    root = Router("root").include(*(m.router for m in MODULES))
    forms = FormRegistry()
    for module in MODULES:
        if hasattr(module, "register_forms"):
            module.register_forms(forms)

    @root.text()
    async def fallback(ctx, event) -> list:
        return [say("error.not_understood")]

    return root, forms


def ticks() -> list[tuple[float, object, str]]:
    """(seconds, async function of the runtime, name) for the scheduler."""
    found = [(30, tasks.lease_tick, "tasks.leases")]
    for module in MODULES:
        if hasattr(module, "ticks"):
            found += module.ticks()
    return found
