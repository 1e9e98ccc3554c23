"""Where task work meets money: called when a submission is accepted (no review needed, or approved) or
rejected. The ledger (issue 9) fills these in; they must be idempotent (a replay changes nothing)."""
from __future__ import annotations

from bot.core.context import Context


async def submission_accepted(ctx: Context, submission_id: int) -> list:
    """Returns operations to send (e.g. a note about earnings), usually none."""
    return []


async def submission_rejected(ctx: Context, submission_id: int) -> list:
    return []
