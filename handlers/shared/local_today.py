"""The date today in the person's own zone (hours, earnings and payouts all count days the person's way)."""
from __future__ import annotations

from datetime import date
from zoneinfo import ZoneInfo

from handlers.shared.context import Context


def local_today(ctx: Context) -> date:
    try:
        return ctx.now.astimezone(ZoneInfo(ctx.tz)).date()
    except Exception:  # an unknown zone name: UTC rather than a crash
        return ctx.now.date()
