"""The order /help (and a chat's command menu) lists commands in: what a role does most first (issue 16, point 15).

One ordered list per role, in one place. A person sees the lists of the roles they hold, their most specific role
first (a manager's day starts with /progress, not /next), then what every expert does, then the commands everyone
has; a command named in no list comes last, alphabetically, so a new command is never hidden.
"""
from __future__ import annotations

from typing import Iterable, Mapping

from bot.core.operations import CommandMenu, MenuCommand
from bot.core.router import Route, allowed
from bot.i18n.text import msg

MOST_USED: dict[str, tuple[str, ...]] = {
    "manager": ("progress", "review", "approvals", "match", "ping", "export", "payouts", "disputes", "broadcast",
                "addexpert", "project", "qualify", "unqualify", "bonus", "adjust", "rate"),
    "reviewer": ("review", "grade"),
    "expert": ("next", "projects", "drafts", "log", "earnings", "timesheet", "timer", "skip", "join", "instructions",
               "assess", "stats", "availability", "dispute", "reminders"),
    "everyone": ("home", "profile", "language", "link", "cancel", "help", "start", "mydata", "forget"),
    "admin": ("grant", "revoke"),
}


def role_sequence(roles: Iterable[str]) -> list[str]:
    """The lists to read, most specific first: admins and managers lead with the manager's list."""
    held = set(roles)
    out = []
    if held & {"manager", "admin"}:
        out.append("manager")
    if held & {"reviewer", "manager", "admin"}:
        out.append("reviewer")
    out += ["expert", "everyone"]
    if "admin" in held:
        out.append("admin")
    return out


def help_order(names: Iterable[str], roles: Iterable[str]) -> list[str]:
    """`names` (the commands this person may use) in the order they are listed."""
    available = set(names)
    ordered: list[str] = []
    for role in role_sequence(roles):
        ordered += [n for n in MOST_USED[role] if n in available and n not in ordered]
    return ordered + sorted(available - set(ordered))


def listed_commands(commands: Mapping[str, Route], roles: set[str]) -> list[tuple[str, Route]]:
    """The commands with a help text this person may run, in help order."""
    shown = {name: route for name, route in commands.items() if route.help_key and allowed(route, roles)}
    return [(name, shown[name]) for name in help_order(shown, roles)]


def command_menu(commands: Mapping[str, Route], roles: set[str]) -> CommandMenu:
    """This chat's command menu: the same commands as /help, in the same order, described in the reader's
    language when the operation is delivered."""
    return CommandMenu(commands=[MenuCommand(name=name, description=msg(route.help_key))
                                 for name, route in listed_commands(commands, roles)])
