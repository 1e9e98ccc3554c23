"""Why a project may not give a person a task now, for `/next PROJECT`: one reason, a catalog key taking the
project's `{name}`, or None when it may.

The facts come from storage (the project's status, membership, a quality pause, the qualification requirement);
the rule is only their order: first what nobody can change from the chat (a closed project, then a paused one),
then what the person can act on (joining, their quality pause, the qualification)."""
from __future__ import annotations

CLOSED = "task.refused.closed"
PROJECT_PAUSED = "lifecycle.next_paused"  # the same sentence /next says for all of a person's projects
NOT_MEMBER = "task.refused.not_member"
PAUSED_THERE = "task.refused.paused"
NOT_QUALIFIED = "task.refused.not_qualified"


def work_refusal(status: str, member: bool, paused_there: bool, qualified: bool) -> str | None:
    if status == "paused":
        return PROJECT_PAUSED
    if status != "open":
        return CLOSED
    if not member:
        return NOT_MEMBER
    if paused_there:
        return PAUSED_THERE
    if not qualified:
        return NOT_QUALIFIED
    return None
