"""The unit of work: one transaction and the repositories that act inside it."""
from __future__ import annotations

from typing import Callable, Generic, TypeVar

from storage.db import Tx
from storage.repos.assessments import Assessments
from storage.repos.qualifications import Invites, Qualifications
from storage.repos.tasks import Assignments, Pauses, Quality, Reviews, Submissions, Tasks
from storage.repos.delivery import Inbox, Outbox, SentMessages
from storage.repos.exports import OpenTx, within
from storage.repos.homes import Homes
from storage.repos.hours import HoursEntries, PayRates, Timers
from storage.repos.ledger import Ledger
from storage.repos.lifecycle import InstructionVersions, ProjectLifecycle
from storage.repos.liveness import Processes
from storage.repos.media import PlatformFiles
from storage.repos.person_data import Erasures, PersonData
from storage.repos.retention import Retention
from storage.repos.people import Identities, People, Roles
from storage.repos.pings import Broadcasts, Pings
from storage.repos.progress import Progress
from storage.repos.reminders import Availabilities, Reminders
from storage.repos.projects import Projects, Uploads
from storage.repos.state import ActionTokens, Audit, FormSessions, KeyValues, Leases, LinkCodes


R = TypeVar("R")


class _Repo(Generic[R]):
    """A repository made on first use and kept on the unit of work (a plain attribute from then on)."""

    def __init__(self, cls: Callable[[Tx], R]) -> None:
        self.cls = cls

    def __set_name__(self, owner: type, name: str) -> None:
        self.name = name

    def __get__(self, uow: "UnitOfWork", owner: type | None = None) -> R:
        repo = self.cls(uow.tx)
        uow.__dict__[self.name] = repo
        return repo


class UnitOfWork:
    """One transaction and its repositories. They are made on first use: a turn touches a handful of the
    thirty, and building all of them for every transaction showed in the profile (bench.tasks --profile)."""

    def __init__(self, tx: Tx) -> None:
        self.tx = tx

    people = _Repo(People)
    identities = _Repo(Identities)
    roles = _Repo(Roles)
    inbox = _Repo(Inbox)
    outbox = _Repo(Outbox)
    sent = _Repo(SentMessages)
    forms = _Repo(FormSessions)
    tokens = _Repo(ActionTokens)
    links = _Repo(LinkCodes)
    audit = _Repo(Audit)
    kv = _Repo(KeyValues)
    leases = _Repo(Leases)
    processes = _Repo(Processes)
    projects = _Repo(Projects)
    uploads = _Repo(Uploads)
    platform_files = _Repo(PlatformFiles)
    retention = _Repo(Retention)
    person_data = _Repo(PersonData)
    erasures = _Repo(Erasures)
    lifecycle = _Repo(ProjectLifecycle)
    instructions = _Repo(InstructionVersions)
    tasks = _Repo(Tasks)
    assignments = _Repo(Assignments)
    submissions = _Repo(Submissions)
    reviews = _Repo(Reviews)
    pauses = _Repo(Pauses)
    quality = _Repo(Quality)
    assessments = _Repo(Assessments)
    qualifications = _Repo(Qualifications)
    invites = _Repo(Invites)
    hours = _Repo(HoursEntries)
    timers = _Repo(Timers)
    rates = _Repo(PayRates)
    ledger = _Repo(Ledger)
    reminders = _Repo(Reminders)
    availability = _Repo(Availabilities)
    pings = _Repo(Pings)
    broadcasts = _Repo(Broadcasts)
    progress = _Repo(Progress)
    homes = _Repo(Homes)

    async def lock(self, key: str) -> None:
        """Serialize with every other transaction taking the same key, in any process, until commit."""
        await self.tx.lock(key)

    def this_transaction(self) -> OpenTx:
        """`open_tx` for readers that page through their results (exports): every page reads in this transaction."""
        return within(self.tx)
