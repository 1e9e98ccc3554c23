"""The unit of work: one transaction and the repositories that act inside it."""
from __future__ import annotations

from storage.db import Tx
from storage.repos.assessments import Assessments
from storage.repos.qualifications import Invites, Qualifications
from storage.repos.tasks import Assignments, Pauses, Quality, Reviews, Submissions, Tasks
from storage.repos.delivery import Inbox, Outbox, SentMessages
from storage.repos.hours import HoursEntries, PayRates, Timers
from storage.repos.ledger import Ledger
from storage.repos.people import Identities, People, Roles
from storage.repos.pings import Broadcasts, Pings
from storage.repos.reminders import Availabilities, Reminders
from storage.repos.projects import Projects, Uploads
from storage.repos.state import ActionTokens, Audit, FormSessions, KeyValues, Leases, LinkCodes


class UnitOfWork:
    def __init__(self, tx: Tx) -> None:
        self.tx = tx
        self.people = People(tx)
        self.identities = Identities(tx)
        self.roles = Roles(tx)
        self.inbox = Inbox(tx)
        self.outbox = Outbox(tx)
        self.sent = SentMessages(tx)
        self.forms = FormSessions(tx)
        self.tokens = ActionTokens(tx)
        self.links = LinkCodes(tx)
        self.audit = Audit(tx)
        self.kv = KeyValues(tx)
        self.leases = Leases(tx)
        self.projects = Projects(tx)
        self.uploads = Uploads(tx)
        self.tasks = Tasks(tx)
        self.assignments = Assignments(tx)
        self.submissions = Submissions(tx)
        self.reviews = Reviews(tx)
        self.pauses = Pauses(tx)
        self.quality = Quality(tx)
        self.assessments = Assessments(tx)
        self.qualifications = Qualifications(tx)
        self.invites = Invites(tx)
        self.hours, self.timers, self.rates = HoursEntries(tx), Timers(tx), PayRates(tx)
        self.ledger = Ledger(tx)
        self.reminders = Reminders(tx)
        self.availability = Availabilities(tx)
        self.pings = Pings(tx)
        self.broadcasts = Broadcasts(tx)

