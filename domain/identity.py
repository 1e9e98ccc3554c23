"""Platform identities as written in settings and commands: `telegram:123`, `slack:T1/U1`, `console:alice`.

In `PANELIST_ADMINS` a Slack member id may also stand alone (`slack:U0456` or `U0456`): most installs have one
workspace, and its team id is one more thing to look up. It names that member in the one workspace the install
has, so it stops matching once a second workspace has been seen (`bot.core.turn.configured_admin`).
"""
from __future__ import annotations

import re
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


# A Slack member id: U… for a workspace member, W… for an Enterprise Grid one; upper-case letters and digits.
SLACK_MEMBER = re.compile(r"[UW][A-Z0-9]{2,63}")


def parse_admin(text: str) -> IdentityKey:
    """An entry of PANELIST_ADMINS: an identity, or a Slack member id alone (`slack:U0456`, `U0456`), kept with
    workspace "" (any one workspace: see `bot.core.turn.configured_admin`)."""
    stripped = text.strip()
    platform, sep, rest = stripped.partition(":")
    member = stripped if not sep else rest if platform == "slack" else None
    if member is not None and SLACK_MEMBER.fullmatch(member):
        return IdentityKey("slack", "", member)
    return parse_identity(stripped)


def parse_admin_list(text: str) -> list[IdentityKey]:
    return [parse_admin(part) for part in text.split(",") if part.strip()]

