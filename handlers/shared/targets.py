"""Who a ping or broadcast goes to: a project's experts, a domain, everyone, or named people."""
from __future__ import annotations

from pydantic import BaseModel, model_validator

from bot.core.forms import FieldKind, FieldSpec, Option
from bot.i18n.text import Msg, msg
from domain.profile import DOMAINS
from handlers.shared.people_lists import named_people, people_entered
from storage.uow import UnitOfWork

KINDS = ("project", "domain", "everyone", "people")


class TargetChoice(BaseModel):
    target: str
    project: str | None = None
    domain: str | None = None
    people: str | None = None

    @model_validator(mode="after")
    def _named(self) -> "TargetChoice":
        if self.target not in KINDS:
            raise ValueError("key:form.error.choice")
        needed = {"project": self.project, "domain": self.domain, "people": self.people}.get(self.target, "-")
        if not needed:
            raise ValueError("key:form.error.required")
        return self

    def describe(self) -> dict:
        return {"kind": self.target, "value": self.project or self.domain or self.people or ""}


def target_fields() -> list[FieldSpec]:
    return [
        FieldSpec(id="target", kind=FieldKind.choice, label=msg("target.kind"),
                  options=[Option(value=k, label=msg(f"target.kind.{k}")) for k in KINDS]),
        FieldSpec(id="project", kind=FieldKind.short_text, label=msg("target.project"), max_length=200,
                  show_if=[("target", ["project"])]),
        FieldSpec(id="domain", kind=FieldKind.choice, label=msg("target.domain"), show_if=[("target", ["domain"])],
                  options=[Option(value=d, label=msg(f"domain.{d}")) for d in DOMAINS]),
        FieldSpec(id="people", kind=FieldKind.people, label=msg("target.people"), help=msg("target.people.help"),
                  max_length=5000, show_if=[("target", ["people"])]),
    ]


# The named people are checked as they are entered, so an unknown or ambiguous name is asked again at that field.
TARGET_CHECKS = {"people": people_entered}


async def resolve(uow: UnitOfWork, choice: TargetChoice, exclude: int | None = None,
                  workspace: str = "") -> tuple[list[int], Msg | None]:
    """Person ids, or an error message naming what was not found."""
    people: list[int] = []
    if choice.target == "project":
        matches = await uow.projects.matching(choice.project or "")
        if len(matches) != 1:
            return [], msg("projects.not_found" if not matches else "projects.ambiguous", name=(choice.project or "")[:80])
        people = await uow.projects.members(matches[0].id)
    elif choice.target == "domain":
        people = [pid for pid, profile in await uow.people.everyone() if choice.domain in profile.get("domains", [])]
    elif choice.target == "everyone":
        people = [pid for pid, _ in await uow.people.everyone()]
    else:
        people, error = await named_people(uow, choice.people or "", workspace)
        if error is not None:
            return [], error
    return sorted(set(p for p in people if p != exclude)), None
