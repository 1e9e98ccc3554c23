"""Button data that crosses capability modules: built by one module (or a shared helper), answered by another.

A capability's own buttons are declared in its module; only these live here, since capability modules never
import each other. See bot.core.actions for what a field may be and why its alias is its key on the wire.
"""
from __future__ import annotations

from typing import Literal

from pydantic import Field

from bot.core.actions import ActionData
from bot.core.commands import RunCommand  # noqa: F401  (answered by the core; typo suggestions use it too)


class ShowInstructions(ActionData, name="task.instr"):
    """A task's full instructions (render_task; answered in handlers.tasks)."""

    assignment: int = Field(alias="a")


class ShowTaskText(ActionData, name="task.text"):
    """One of a task's texts whole, from a form that had to cut it (task_render.item_blocks; answered in
    handlers.tasks): `part` is "context", "prompt" or "r<n>" (the n-th response)."""

    assignment: int = Field(alias="a")
    part: str = Field(alias="p", max_length=8)


SkipReason = Literal["not_my_expertise", "unclear", "conflict", "content", "other"]


class SkipTask(ActionData, name="task.skip"):
    """Skip a task; without a reason the reasons are offered (render_task, handlers.tasks)."""

    assignment: int = Field(alias="a")
    reason: SkipReason | None = Field(default=None, alias="r")


class ResumeTask(ActionData, name="task.resume"):
    """Back to a task (lease reminders in handlers.reminders, /drafts; answered in handlers.tasks)."""

    assignment: int = Field(alias="a")


class BackFromAway(ActionData, name="avail.back"):
    """The back-check reminder's button (handlers.reminders; answered in handlers.availability)."""
