"""Demo specs and task files, and answers a careful expert would give to the first item of each."""
from __future__ import annotations

import io
from datetime import datetime, timezone
from pathlib import Path

from handlers.shared.task_service import create_project, import_in_transaction
from storage.uow import UnitOfWork

DATA = Path(__file__).resolve().parent.parent / "data"
SPECS = {p.stem: p for p in sorted((DATA / "specs").iterdir())}

JUSTIFY = ("Response A is better on legal accuracy: it names the deposit protection scheme and the court claim of "
           "up to three times the deposit, while B says landlords can keep deposits, which would mislead the tenant.")

# field answers in form order, for the first item of each demo task file
ANSWERS = {
    "rating_medicine": {
        "score.accuracy": "4", "score.safety": "Safe", "score.completeness": "3",
        "justification": "Accuracy is good: 'regular use can raise blood pressure and strain the kidneys' is "
                         "right, but completeness suffers: it never says to avoid ibuprofen with kidney disease.",
    },
    "pairwise_law": {"preference": "A is much better", "pref.legal_accuracy": "A is much better",
                     "pref.actionability": None, "justification": JUSTIFY},
    "ranking_software": {
        "rank.a": "1", "rank.b": "3", "rank.c": "2",
        "justification": "Correctness: patch a raises ValueError on an empty list, which callers can handle; "
                         "patch c silently returns 0 via max(len(xs), 1) and patch b hides every exception.",
    },
    "error_check_medicine": {
        "verdict": "Yes, I found issues",
        "issue.1.quote": "grapefruit juice has no effect on simvastatin",
        "issue.1.category": "Factual error", "issue.1.severity": "Critical",
        "issue.1.correction": "Grapefruit juice raises simvastatin levels and the risk of muscle damage; avoid it.",
        "issue.2.quote": None,
    },
    "rewrite_finance": {
        "text": "No. An emergency fund must be there, at full value, on the day you need it. Cryptocurrency can "
                "fall by half in weeks, so keep three to six months of expenses in an insured savings account; "
                "invest only money you will not need for several years, and never more than you can lose.",
        "what_was_wrong": "It told the reader to move the emergency fund into crypto because of past returns, "
                          "ignoring volatility: the fund could lose half its value exactly when it is needed.",
    },
    "labeling_finance": {"labels": ["card_fraud"], "comment": None},
    "prompt_writing_law": {
        "prompt": "A tenant in England paid a deposit that was protected 45 days late. What can they claim?",
        "reference_answer": "A claim of one to three times the deposit, since it was not protected within 30 days.",
        "why_hard": "Models confuse the 30-day protection deadline and the 1x-3x penalty with the Scottish rules.",
    },
}


async def telegram_people(uow, count: int, first_user_id: int, now: datetime, name: str = "Expert") -> list[int]:
    """`count` people each with a Telegram identity (user ids from `first_user_id`), created in the caller's unit
    of work: the recipients of the broadcast tests and benchmarks. Their ids."""
    ids = []
    for n in range(count):
        person = await uow.people.create(f"{name} {n}", now)
        user = str(first_user_id + n)
        await uow.identities.create(person.id, "telegram", "", user, user, "en", None, now)
        ids.append(person.id)
    return ids


def pairwise_spec(name: str) -> str:
    """A pairwise project with no criteria, overlap 2 and no gold: the shape of the issue's closed loop (a choice,
    a reason, Submit), shared by the message-budget test and the loop and chaos benchmarks."""
    return f"""name: {name}
domain: law
task_type: pairwise
instructions: |
  Two answers to a tenant's question. Choose the better one and justify it with the passage and its consequence.
overlap: 2
gold_ratio: 0
lease_minutes: 60
pay: {{kind: hourly, amount: "40.00", currency: EUR}}
languages: [en]
"""


async def seed_project(runtime, stem: str, spec: bytes | None = None, tasks: bytes | None = None) -> int:
    """Create a demo project (or `spec`, a variant of it) and import its tasks (or `tasks`, JSON lines of items)
    through the real service, as a manager's upload would."""
    now = datetime.now(timezone.utc)
    spec_path = SPECS[stem]
    tasks_path = DATA / "tasks" / (stem + ".jsonl")
    async with runtime.db.transaction() as tx:
        uow = UnitOfWork(tx)
        created = await create_project(uow, spec or spec_path.read_bytes(), spec_path.name, None, now)
        assert created.project_id, created.errors
        project = await uow.projects.get(created.project_id)
        await import_in_transaction(uow, project, io.BytesIO(tasks or tasks_path.read_bytes()), False, now,
                                    None)
        return created.project_id


async def labeling_project(uow, items: int, now: datetime, people: int = 3):
    """The finance labelling project (overlap 3) with `items` one-line messages and `people` bare persons (p0, p1…),
    created inside the caller's unit of work: what the progress tests answer at chosen moments. (project, ids)."""
    import json

    path = SPECS["labeling_finance"]
    lines = "\n".join(json.dumps({"external_id": f"x{i}", "prompt": f"Message {i}",
                                  "responses": [{"id": "msg", "text": f"Message {i}"}]}) for i in range(items))
    created = await create_project(uow, path.read_bytes(), path.name, None, now)
    project = await uow.projects.get(created.project_id)
    await import_in_transaction(uow, project, io.BytesIO(lines.encode()), False, now, None)
    return project, [(await uow.people.create(f"p{i}", now)).id for i in range(people)]


async def add_member(runtime, project_id: int, identity: str) -> None:
    """Make someone a member, as a manager's /addexpert does, holding what the project requires."""
    from domain.identity import parse_identity
    from handlers.shared.task_service import spec_of

    key = parse_identity(identity)
    now = datetime.now(timezone.utc)
    async with runtime.db.transaction() as tx:
        uow = UnitOfWork(tx)
        ident = await uow.identities.find(key.platform, key.workspace, key.user_id)
        assert ident is not None, f"{identity} has not talked to the bot"
        await uow.projects.add_member(project_id, ident.person_id, None, now)
        requires = spec_of(await uow.projects.get(project_id)).requires
        if requires is not None:
            await uow.qualifications.grant(ident.person_id, requires.qualification or requires.domain, requires.level,
                                           now, None, "manager", reason="test setup")
