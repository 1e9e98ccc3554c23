"""A project in one line: name, domain, task type, pay and deadline (the /projects list and /match); a project's
name on a button, with its state when it is not open."""
from __future__ import annotations

from bot.core.blocks import Span
from bot.i18n.text import Day, msg


def project_line(project, spec) -> list:
    pay_key = "projects.pay.per_task" if spec.pay.kind == "per_task" else "projects.pay.hourly"
    parts = [Span(text=project.name, style="bold"), " — ", msg(f"domain.{spec.domain}"), ", ",
             msg(f"task_type.{spec.task_type}"), ", ", msg(pay_key, amount=spec.pay.money)]
    if spec.deadline:
        parts += [", ", msg("projects.deadline", day=Day(on=spec.deadline.date()))]
    return parts


def project_button_label(project):
    """The name, and "(paused)" / "(closed)" after it when the project is not open: managers pick among all three."""
    if project.status in ("paused", "closed"):
        return msg(f"project.button.{project.status}", name=project.name)
    return project.name
