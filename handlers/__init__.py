"""Platform-blind handlers, one module per capability. `build()` wires them into one router, form registry
and the scheduler ticks they need."""
from __future__ import annotations

from bot.core.router import Router
from bot.core.wizard import FormRegistry
from handlers import admin, common, export, home, link, onboarding, progress, projects, quality, review, tasks
from handlers.replies import say


def build() -> tuple[Router, FormRegistry]:
    root = Router("root").include(
        onboarding.router, common.router, admin.router, link.router, home.router, projects.router, tasks.router,
        quality.router, review.router, export.router, progress.router,
    )
    forms = FormRegistry()
    onboarding.register_forms(forms)
    tasks.register_forms(forms)
    review.register_forms(forms)

    @root.text()
    async def fallback(ctx, event) -> list:
        return [say("error.not_understood")]

    return root, forms


def ticks() -> list[tuple[float, object, str]]:
    """(seconds, async function of the runtime, name) for the scheduler."""
    return [(30, tasks.lease_tick, "tasks.leases")]
