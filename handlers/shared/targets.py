"""Who a ping or broadcast goes to: a project's experts, a domain, everyone, or named people."""
from __future__ import annotations

from pydantic import BaseModel, model_validator

from bot.core.forms import FieldKind, FieldSpec, Option
from bot.i18n.text import Msg, msg
from domain.identity import parse_identity
from domain.profile import DOMAINS
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
        FieldSpec(id="people", kind=FieldKind.long_text, label=msg("target.people"), help=msg("target.people.help"),
                  max_length=5000, show_if=[("target", ["people"])]),
    ]


async def resolve(uow: UnitOfWork, choice: TargetChoice, exclude: int | None = None) -> tuple[list[int], Msg | None]:
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
        for raw in (choice.people or "").replace("\n", ",").split(","):
            if not raw.strip():
                continue
            try:
                key = parse_identity(raw)
            except ValueError:
                return [], msg("grant.bad_identity", identity=raw.strip()[:80])
            identity = await uow.identities.find(key.platform, key.workspace, key.user_id)
            if identity is None:
                return [], msg("grant.unknown_person", identity=str(key))
            people.append(identity.person_id)
    return sorted(set(p for p in people if p != exclude)), None
