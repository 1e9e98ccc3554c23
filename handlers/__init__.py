"""Platform-blind handlers, one module per capability. `build()` wires them into one router and form registry."""
from __future__ import annotations

from bot.core.router import Router
from bot.core.wizard import FormRegistry
from handlers import admin, common, home, link, onboarding
from handlers.replies import say


def build() -> tuple[Router, FormRegistry]:
    root = Router("root").include(onboarding.router, common.router, admin.router, link.router, home.router)
    forms = FormRegistry()
    onboarding.register_forms(forms)

    @root.text()
    async def fallback(ctx, event) -> list:
        return [say("error.not_understood")]

    return root, forms
