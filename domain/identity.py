"""Platform identities as written in settings and commands: `telegram:123`, `slack:T1/U1`, `console:alice`."""
from __future__ import annotations

from typing import NamedTuple

from bot.i18n.text import msg
from domain.problems import Invalid

PLATFORMS = ("console", "telegram", "slack")


class IdentityKey(NamedTuple):
    platform: str
    workspace: str
    user_id: str

    def __str__(self) -> str:
        return f"{self.platform}:{self.workspace}/{self.user_id}" if self.workspace else f"{self.platform}:{self.user_id}"


def parse_identity(text: str) -> IdentityKey:
    platform, sep, rest = text.strip().partition(":")
    if not sep or platform not in PLATFORMS or not rest:
        raise Invalid(msg("identity.problem.shape", identity=repr(text), platforms=", ".join(PLATFORMS)))
    workspace, slash, user = rest.rpartition("/")
    if platform == "slack" and not slash:
        raise Invalid(msg("identity.problem.slack", identity=repr(text)))
    if platform == "telegram" and not rest.lstrip("-").isdigit():
        raise Invalid(msg("identity.problem.telegram", identity=repr(text)))
    if not user or len(user) > 64 or any(c.isspace() for c in rest):
        raise Invalid(msg("identity.problem.invalid", identity=repr(text)))
    return IdentityKey(platform, workspace, user)


def parse_identity_list(text: str) -> list[IdentityKey]:
    return [parse_identity(part) for part in text.split(",") if part.strip()]
