"""Refusal reports — spec and assessment problems, task lines not imported — as the reader's text.

The problems are catalog messages; a report goes out as a `LongText`, whose text is literal (it may become a
file), so they are rendered here, in the reader's locale and time zone (`ctx.render`).
"""
from __future__ import annotations

from collections.abc import Callable, Iterable

from handlers.shared.context import Context
from bot.i18n.text import Msg
from domain.project_spec import SpecProblem
from domain.task_import import LineProblem

__all__ = ["problem_lines", "translator"]


def translator(ctx: Context) -> Callable[[Msg], str]:
    """Catalog message → text, for the person this turn answers."""
    return ctx.render


def problem_lines(ctx: Context, problems: Iterable[SpecProblem | LineProblem]) -> list[str]:
    """One line of text per problem (`criteria[2].scale: …`, `line 7: …`) in the reader's words."""
    translate = translator(ctx)
    return [p.render(translate) for p in problems]
