"""Items, assignments and submissions: the claims that must be exactly-once under concurrency.

Claiming an item locks its row (`FOR UPDATE SKIP LOCKED` on PostgreSQL; SQLite's single writer does the same),
takes the lowest free slot, and raises the item's `filled` count in the same transaction. A partial unique index
on (task_id, slot) for live assignments and a unique (task_id, person_id) make a double assignment impossible
even if the code were wrong.
"""
from __future__ import annotations

import json
from datetime import datetime, timedelta

from pydantic import BaseModel

from domain.assignment import free_slot
from storage.db import Tx
from storage.repos import standing_sql
from storage.repos.homes import mark_stale
from storage.repos.projects import _COLS as P_COLS, ProjectRow

_A_COLS = ("id, task_id, project_id, person_id, slot, status, is_gold, assigned_at, lease_expires_at, warned_at,"
           " ended_at, skip_reason")


class TaskRow(BaseModel):
    id: int
    project_id: int
    external_id: str
    item: dict
    is_gold: bool
    overlap: int
    filled: int
    answered: int


class AssignmentRow(BaseModel):
    id: int
    task_id: int
    project_id: int
    person_id: int
    slot: int
    status: str  # active | submitted | expired | skipped
    is_gold: bool
    assigned_at: datetime
    lease_expires_at: datetime
    warned_at: datetime | None = None
    ended_at: datetime | None = None
    skip_reason: str | None = None


def _open_to(project: str, person: str) -> str:
    """Items of a project a person can still be given: a free slot, and never had by them (answered, skipped,
    expired or in hand). The one rule of `Assignments.claim`, shared with `Tasks.open_count`; `project` and
    `person` are the query's parameter placeholders."""
    return (f"t.project_id = {project} AND t.filled < t.overlap"
            f" AND NOT EXISTS (SELECT 1 FROM assignments a WHERE a.task_id = t.id AND a.person_id = {person})")


def _task(row: dict | None) -> TaskRow | None:
    if row is None:
        return None
    return TaskRow(**{**row, "item": json.loads(row["item"]), "is_gold": bool(row["is_gold"])})


def _assignment(row: dict | None) -> AssignmentRow | None:
    return AssignmentRow(**{**row, "is_gold": bool(row["is_gold"])}) if row else None


class Tasks:
    def __init__(self, tx: Tx) -> None:
        self.tx = tx

    async def insert_many(self, project_id: int, rows: list[tuple[str, str, bool, int]], now: datetime) -> list[str]:
        """Insert (external_id, item_json, is_gold, overlap) rows; returns the external ids that were new."""
        if not rows:
            return []
        values, args = [], []
        for i, (external_id, item_json, is_gold, overlap) in enumerate(rows):
            b = i * 6
            values.append(f"(${b + 1}, ${b + 2}, ${b + 3}, ${b + 4}, ${b + 5}, ${b + 6})")
            args += [project_id, external_id, item_json, int(is_gold), overlap, now]
        inserted = await self.tx.fetch(
            "INSERT INTO tasks (project_id, external_id, item, is_gold, overlap, created_at) VALUES "
            + ", ".join(values) + " ON CONFLICT (project_id, external_id) DO NOTHING RETURNING external_id",
            *args,
        )
        return [r["external_id"] for r in inserted]

    async def get(self, task_id: int) -> TaskRow | None:
        return _task(await self.tx.fetchrow(
            "SELECT id, project_id, external_id, item, is_gold, overlap, filled, answered FROM tasks WHERE id = $1",
            task_id,
        ))

    async def counts(self, project_id: int) -> dict[str, int]:
        row = await self.tx.fetchrow(
            "SELECT COUNT(*) AS items, COALESCE(SUM(CASE WHEN answered >= overlap THEN 1 ELSE 0 END), 0) AS done,"
            " COALESCE(SUM(answered), 0) AS answers, COALESCE(SUM(CASE WHEN is_gold = 1 THEN 1 ELSE 0 END), 0) AS gold"
            " FROM tasks WHERE project_id = $1",
            project_id,
        )
        return {k: int(v) for k, v in row.items()}

    async def open_count(self, project_id: int, person_id: int) -> int:
        """How many items of the project this person could still be given (what `claim` would pick from)."""
        return int(await self.tx.fetchval(
            f"SELECT COUNT(*) FROM tasks t WHERE {_open_to('$1', '$2')}", project_id, person_id))


class Assignments:
    def __init__(self, tx: Tx) -> None:
        self.tx = tx

    async def get(self, assignment_id: int) -> AssignmentRow | None:
        return _assignment(await self.tx.fetchrow(f"SELECT {_A_COLS} FROM assignments WHERE id = $1", assignment_id))

    async def with_task(self, assignment_id: int) -> tuple[AssignmentRow, TaskRow, ProjectRow] | None:
        """(assignment, its task, its project) in one query, or None: what a task form reads on every step."""
        t_cols = "id, project_id, external_id, item, is_gold, overlap, filled, answered"
        picks = [f"{alias}.{c} AS {alias}_{c}" for alias, cols in (("a", _A_COLS), ("t", t_cols), ("p", P_COLS))
                 for c in cols.split(", ")]
        row = await self.tx.fetchrow(
            f"SELECT {', '.join(picks)} FROM assignments a JOIN tasks t ON t.id = a.task_id"
            " JOIN projects p ON p.id = a.project_id WHERE a.id = $1", assignment_id)
        if row is None:
            return None
        part = {a: {k[2:]: v for k, v in row.items() if k.startswith(a + "_")} for a in "atp"}
        return _assignment(part["a"]), _task(part["t"]), ProjectRow(**part["p"])

    async def active_for(self, person_id: int) -> list[AssignmentRow]:
        rows = await self.tx.fetch(
            f"SELECT {_A_COLS} FROM assignments WHERE person_id = $1 AND status = 'active' ORDER BY id", person_id
        )
        return [_assignment(r) for r in rows]  # type: ignore[misc]

    async def served_counts(self, person_id: int, project_id: int) -> tuple[int, int]:
        """(gold served, all served) to this person in this project, for mixing gold in at the spec's ratio."""
        row = await self.tx.fetchrow(
            f"SELECT ({standing_sql.served('$2', '$1', standing_sql.GOLD)}) AS gold,"
            f" ({standing_sql.served('$2', '$1')}) AS total", person_id, project_id)
        return int(row["gold"]), int(row["total"])

    async def claim(self, person_id: int, project_id: int, is_gold: bool, now: datetime,
                    lease: timedelta) -> AssignmentRow | None:
        """Take a free slot on the first open item of one kind this person never had; None when there is none."""
        claimed = await self.claim_with_task(person_id, project_id, is_gold, now, lease)
        return None if claimed is None else claimed[0]

    async def claim_with_task(self, person_id: int, project_id: int, is_gold: bool, now: datetime,
                              lease: timedelta) -> tuple[AssignmentRow, TaskRow] | None:
        """`claim`, with the item as it stands after it (what the task's screen shows, not read again). The item is
        picked, locked and its `filled` raised by one statement; its slots are read after the lock."""
        task = _task(await self.tx.fetchrow(
            "UPDATE tasks SET filled = filled + 1 WHERE id = (SELECT t.id FROM tasks t WHERE"
            f" {_open_to('$1', '$3')} AND t.is_gold = $2 ORDER BY t.id LIMIT 1 {{skip_locked_of_t}})"
            " AND filled < overlap RETURNING id, project_id, external_id, item, is_gold, overlap, filled, answered",
            project_id, int(is_gold), person_id,
        ))
        if task is None:
            return None
        used = {r["slot"] for r in await self.tx.fetch(
            "SELECT slot FROM assignments WHERE task_id = $1 AND status IN ('active', 'submitted')", task.id)}
        slot = free_slot(used, task.overlap)
        if slot is None:  # `filled` said otherwise: trust the slots, never over-assign (and take the raise back)
            await self.tx.execute("UPDATE tasks SET filled = filled - 1 WHERE id = $1", task.id)
            return None
        await mark_stale(self.tx, person_id)
        assignment = _assignment(await self.tx.fetchrow(
            "INSERT INTO assignments (task_id, project_id, person_id, slot, status, is_gold, assigned_at,"
            f" lease_expires_at) VALUES ($1, $2, $3, $4, 'active', $5, $6, $7) RETURNING {_A_COLS}",
            task.id, project_id, person_id, slot, int(is_gold), now, now + lease,
        ))
        return assignment, task  # type: ignore[return-value]

    async def release(self, assignment: AssignmentRow, status: str, now: datetime, reason: str | None = None) -> bool:
        """End an active assignment (skipped or expired) and give its slot back. False if it was not active."""
        changed = await self.tx.execute(
            "UPDATE assignments SET status = $2, ended_at = $3, skip_reason = COALESCE($4, skip_reason)"
            " WHERE id = $1 AND status = 'active'",
            assignment.id, status, now, reason,
        )
        if changed:
            await self.tx.execute("UPDATE tasks SET filled = filled - 1 WHERE id = $1", assignment.task_id)
            await mark_stale(self.tx, assignment.person_id)
        return changed > 0

    async def expired(self, now: datetime, limit: int = 500) -> list[AssignmentRow]:
        rows = await self.tx.fetch(
            f"SELECT {_A_COLS} FROM assignments WHERE status = 'active' AND lease_expires_at <= $1"
            " ORDER BY lease_expires_at LIMIT $2 {skip_locked}",
            now, limit,
        )
        return [_assignment(r) for r in rows]  # type: ignore[misc]

    async def ending_soon(self, now: datetime, within: timedelta, limit: int = 500) -> list[AssignmentRow]:
        """Active leases ending within `within` that were not warned yet; marks them warned (claim and mark)."""
        rows = await self.tx.fetch(
            f"SELECT {_A_COLS} FROM assignments WHERE status = 'active' AND warned_at IS NULL"
            " AND lease_expires_at > $1 AND lease_expires_at <= $2 ORDER BY lease_expires_at LIMIT $3 {skip_locked}",
            now, now + within, limit,
        )
        for r in rows:
            await self.tx.execute("UPDATE assignments SET warned_at = $2 WHERE id = $1", r["id"], now)
        return [_assignment(r) for r in rows]  # type: ignore[misc]

    async def _open_slot(self, task_id: int) -> int | None:
        """A free slot of the item (locked), or None when every slot is taken."""
        task = await self.tx.fetchrow("SELECT id, overlap, filled FROM tasks WHERE id = $1 {for_update}", task_id)
        used = {r["slot"] for r in await self.tx.fetch(
            "SELECT slot FROM assignments WHERE task_id = $1 AND status IN ('active', 'submitted')", task_id)}
        slot = free_slot(used, task["overlap"])
        return None if slot is None or task["filled"] >= task["overlap"] else slot

    async def retake_slot(self, assignment: AssignmentRow) -> bool:
        """A late submit: take a slot again if the item still has one (the lease had ended)."""
        slot = await self._open_slot(assignment.task_id)
        if slot is None:
            return False
        await self.tx.execute("UPDATE tasks SET filled = filled + 1 WHERE id = $1", assignment.task_id)
        await self.tx.execute("UPDATE assignments SET slot = $2, status = 'active' WHERE id = $1", assignment.id, slot)
        return True

    async def unskip(self, assignment: AssignmentRow) -> bool:
        """Undo a skip: the same assignment is live again (its lease unchanged, the skip reason gone) on a free slot
        of its item. False if it is not skipped any more (a double tap) or the item has no slot left (the one the
        skip freed went to someone else)."""
        slot = await self._open_slot(assignment.task_id)
        if slot is None:
            return False
        if await self.tx.execute(
            "UPDATE assignments SET status = 'active', slot = $2, ended_at = NULL, skip_reason = NULL"
            " WHERE id = $1 AND status = 'skipped'", assignment.id, slot,
        ) != 1:
            return False
        await self.tx.execute("UPDATE tasks SET filled = filled + 1 WHERE id = $1", assignment.task_id)
        await mark_stale(self.tx, assignment.person_id)  # the draft is back on their home
        return True

    async def mark_submitted(self, assignment_id: int, now: datetime) -> None:
        await self.tx.execute(
            "UPDATE assignments SET status = 'submitted', ended_at = $2 WHERE id = $1 AND status = 'active'",
            assignment_id, now,
        )


_S_COLS = ("id, assignment_id, task_id, project_id, person_id, answer, form_values, seconds_spent, late, submitted_at,"
           " gold_passed, gold_score, review_state, revision")


class SubmissionRow(BaseModel):
    id: int
    assignment_id: int
    task_id: int
    project_id: int
    person_id: int
    answer: dict
    form_values: dict
    seconds_spent: int
    late: bool
    submitted_at: datetime
    gold_passed: bool | None = None
    gold_score: float | None = None
    review_state: str  # none | pending | approved | rejected | rework
    revision: int


class AnswerStanding(BaseModel):
    approvals: int
    current_version: int
    owed_version: int | None = None


def _submission(row: dict | None) -> SubmissionRow | None:
    if row is None:
        return None
    return SubmissionRow(**{**row, "answer": json.loads(row["answer"]), "form_values": json.loads(row["form_values"]),
                            "late": bool(row["late"]),
                            "gold_passed": None if row["gold_passed"] is None else bool(row["gold_passed"])})


class Submissions:
    def __init__(self, tx: Tx) -> None:
        self.tx = tx

    async def add(self, assignment: AssignmentRow, answer_json: str, seconds: int, late: bool, now: datetime,
                  form_values: dict | None = None, gold_passed: bool | None = None, gold_score: float | None = None,
                  review_state: str = "none", instructions_version: int = 1) -> int | None:
        """The new submission id, or None if this assignment was submitted already (the constraint decides)."""
        sid = await self.tx.fetchval(
            "INSERT INTO submissions (assignment_id, task_id, project_id, person_id, answer, seconds_spent, late,"
            " submitted_at, form_values, gold_passed, gold_score, review_state, instructions_version)"
            " VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13) ON CONFLICT DO NOTHING RETURNING id",
            assignment.id, assignment.task_id, assignment.project_id, assignment.person_id, answer_json, seconds,
            int(late), now, json.dumps(form_values or {}, ensure_ascii=False),
            None if gold_passed is None else int(gold_passed), gold_score, review_state, instructions_version,
        )
        if sid is not None:
            await self.tx.execute("UPDATE tasks SET answered = answered + 1 WHERE id = $1", assignment.task_id)
            await mark_stale(self.tx, assignment.person_id, staff=True)
        return sid

    async def get(self, submission_id: int) -> SubmissionRow | None:
        return _submission(await self.tx.fetchrow(f"SELECT {_S_COLS} FROM submissions WHERE id = $1", submission_id))

    async def for_assignment(self, assignment_id: int) -> SubmissionRow | None:
        return _submission(await self.tx.fetchrow(
            f"SELECT {_S_COLS} FROM submissions WHERE assignment_id = $1", assignment_id))

    async def revise(self, submission: SubmissionRow, answer_json: str, form_values: dict, review_state: str,
                     now: datetime) -> bool:
        """A reworked answer replaces the old one (revision + 1); only while it is waiting for rework. The version
        it replaces is kept (`version`), for the reviewer of the new one."""
        await self.tx.execute(
            "INSERT INTO submission_versions (submission_id, revision, answer, form_values, submitted_at)"
            " SELECT id, revision, answer, form_values, submitted_at FROM submissions"
            " WHERE id = $1 AND revision = $2 AND review_state = 'rework' ON CONFLICT DO NOTHING",
            submission.id, submission.revision)
        changed = await self.tx.execute(
            "UPDATE submissions SET answer = $3, form_values = $4, review_state = $5, revision = revision + 1,"
            " submitted_at = $6 WHERE id = $1 AND revision = $2 AND review_state = 'rework'",
            submission.id, submission.revision, answer_json, json.dumps(form_values, ensure_ascii=False),
            review_state, now,
        ) == 1
        if changed:
            await mark_stale(self.tx, submission.person_id, staff=True)
        return changed

    async def version(self, submission_id: int, revision: int) -> dict | None:
        """An earlier version of a reworked answer: its form values, answer and when it was submitted."""
        row = await self.tx.fetchrow(
            "SELECT answer, form_values, submitted_at FROM submission_versions WHERE submission_id = $1"
            " AND revision = $2", submission_id, revision)
        if row is None:
            return None
        return {**row, "answer": json.loads(row["answer"]), "form_values": json.loads(row["form_values"])}

    async def set_review_state(self, submission_id: int, revision: int, state: str) -> bool:
        changed = await self.tx.execute(
            "UPDATE submissions SET review_state = $3 WHERE id = $1 AND revision = $2", submission_id, revision, state
        ) == 1
        if changed:
            await mark_stale(self.tx, await self.tx.fetchval(
                "SELECT person_id FROM submissions WHERE id = $1", submission_id), staff=True)
        return changed

    async def next_for_review(self, reviewer_id: int, project_ids: list[int], after_id: int = 0) -> SubmissionRow | None:
        """The oldest submission waiting for review in these projects, never the reviewer's own."""
        if not project_ids:
            return None
        in_list = ", ".join(f"${i + 3}" for i in range(len(project_ids)))
        return _submission(await self.tx.fetchrow(
            f"SELECT {_S_COLS} FROM submissions WHERE review_state = 'pending' AND person_id <> $1 AND id > $2"
            f" AND project_id IN ({in_list}) ORDER BY id LIMIT 1",
            reviewer_id, after_id, *project_ids,
        ))

    async def pending_review_count(self, excluding_person: int | None = None,
                                   project_ids: list[int] | None = None) -> int:
        """Answers waiting for review in every project (or in `project_ids`): all of them, or all but one person's
        own (a reviewer never reviews their own answers)."""
        if excluding_person is None:
            return int(await self.tx.fetchval("SELECT COUNT(*) FROM submissions WHERE review_state = 'pending'"))
        if project_ids is not None:  # what `next_for_review` would offer this reviewer
            if not project_ids:
                return 0
            in_list = ", ".join(f"${i + 2}" for i in range(len(project_ids)))
            return int(await self.tx.fetchval(
                "SELECT COUNT(*) FROM submissions WHERE review_state = 'pending' AND person_id <> $1"
                f" AND project_id IN ({in_list})", excluding_person, *project_ids))
        return int(await self.tx.fetchval(
            "SELECT COUNT(*) FROM submissions WHERE review_state = 'pending' AND person_id <> $1", excluding_person))

    async def standing(self, person_id: int, project_id: int) -> AnswerStanding:
        """What a new answer of this person in this project depends on, in one query: their approvals there (whether
        it is reviewed), and the project's current instructions version with the oldest they still owe (the
        version it is given under, domain.instructions.version_given_under)."""
        row = await self.tx.fetchrow(
            "SELECT (SELECT COUNT(*) FROM submissions WHERE person_id = $1 AND project_id = $2"
            " AND review_state = 'approved') AS approvals,"
            f" ({standing_sql.current_version('$2')}) AS current_version,"
            f" ({standing_sql.owed_version('$2', '$1')}) AS owed_version", person_id, project_id)
        return AnswerStanding(approvals=int(row["approvals"]), current_version=int(row["current_version"]),
                              owed_version=row["owed_version"])

    async def review_counts(self, person_id: int, project_id: int | None = None) -> dict[str, int]:
        rows = await self.tx.fetch(
            "SELECT review_state, COUNT(*) AS n FROM submissions WHERE person_id = $1 AND ($2 = 0 OR project_id = $2)"
            " GROUP BY review_state",
            person_id, project_id or 0,
        )
        return {r["review_state"]: int(r["n"]) for r in rows}

    async def gold_results(self, person_id: int, project_id: int | None = None) -> list[bool]:
        rows = await self.tx.fetch(
            "SELECT gold_passed FROM submissions WHERE person_id = $1 AND gold_passed IS NOT NULL"
            " AND ($2 = 0 OR project_id = $2) ORDER BY id",
            person_id, project_id or 0,
        )
        return [bool(r["gold_passed"]) for r in rows]

    async def for_task(self, task_id: int) -> list[SubmissionRow]:
        rows = await self.tx.fetch(f"SELECT {_S_COLS} FROM submissions WHERE task_id = $1 ORDER BY id", task_id)
        return [_submission(r) for r in rows]  # type: ignore[misc]

    async def count(self, project_id: int | None = None) -> int:
        return int(await self.tx.fetchval(
            "SELECT COUNT(*) FROM submissions WHERE ($1 = 0 OR project_id = $1)", project_id or 0))


class Reviews:
    """The review log: one decision per submission revision (a double press decides once)."""

    def __init__(self, tx: Tx) -> None:
        self.tx = tx

    async def decide(self, submission_id: int, revision: int, reviewer_id: int, decision: str,
                     reason_code: str | None, comment: str | None, now: datetime) -> bool:
        return await self.tx.fetchval(
            "INSERT INTO reviews (submission_id, revision, reviewer_id, decision, reason_code, comment, decided_at)"
            " VALUES ($1, $2, $3, $4, $5, $6, $7) ON CONFLICT (submission_id, revision) DO NOTHING RETURNING id",
            submission_id, revision, reviewer_id, decision, reason_code, comment, now,
        ) is not None

    async def for_submission(self, submission_id: int) -> list[dict]:
        return await self.tx.fetch(
            "SELECT revision, reviewer_id, decision, reason_code, comment, decided_at FROM reviews"
            " WHERE submission_id = $1 ORDER BY revision", submission_id)


class Pauses:
    """Experts paused in a project by their quality score; a manager lifts a pause."""

    def __init__(self, tx: Tx) -> None:
        self.tx = tx

    async def pause(self, project_id: int, person_id: int, reason: str, score: float | None, now: datetime) -> bool:
        inserted = await self.tx.execute(
            "INSERT INTO project_pauses (project_id, person_id, reason, score, paused_at) VALUES ($1, $2, $3, $4, $5)"
            " ON CONFLICT (project_id, person_id) DO NOTHING",
            project_id, person_id, reason, score, now,
        )
        if inserted:
            return True
        return await self.tx.execute(
            "UPDATE project_pauses SET reason = $3, score = $4, paused_at = $5, lifted_at = NULL, lifted_by = NULL"
            " WHERE project_id = $1 AND person_id = $2 AND lifted_at IS NOT NULL",
            project_id, person_id, reason, score, now,
        ) == 1

    async def lift(self, project_id: int, person_id: int, by: int, now: datetime) -> bool:
        return await self.tx.execute(
            "UPDATE project_pauses SET lifted_at = $3, lifted_by = $4 WHERE project_id = $1 AND person_id = $2"
            " AND lifted_at IS NULL", project_id, person_id, now, by) == 1

    async def is_paused(self, project_id: int, person_id: int) -> bool:
        return bool(await self.tx.fetchval(
            standing_sql.paused_there("$1", "$2"), project_id, person_id))

    async def lifted_since(self, project_id: int, person_id: int) -> datetime | None:
        return await self.tx.fetchval(
            "SELECT lifted_at FROM project_pauses WHERE project_id = $1 AND person_id = $2", project_id, person_id)


class Quality:
    """The numbers a quality score is made of, read from submissions and the review log."""

    def __init__(self, tx: Tx) -> None:
        self.tx = tx

    async def shared_answers(self, person_id: int, project_id: int, limit: int = 500) -> list[dict]:
        """Every answer on items this person answered that others answered too (the newest `limit` items)."""
        rows = await self.tx.fetch(
            "SELECT s.task_id, s.person_id, s.answer FROM submissions s WHERE s.task_id IN ("
            "  SELECT m.task_id FROM submissions m WHERE m.person_id = $1 AND m.project_id = $2"
            "  ORDER BY m.id DESC LIMIT $3) ORDER BY s.task_id, s.id",
            person_id, project_id, limit,
        )
        return [{**r, "answer": json.loads(r["answer"])} for r in rows]

    async def experts(self, project_id: int) -> list[int]:
        rows = await self.tx.fetch(
            "SELECT DISTINCT person_id FROM submissions WHERE project_id = $1 ORDER BY person_id", project_id)
        return [r["person_id"] for r in rows]

    async def answers_by_item(self, project_id: int) -> dict[int, list[dict]]:
        """Every answer to every item with two or more, for agreement: the answers the training exports use
        (rejected and sent-back ones are left out), over all items (no cap: a sample would change the statistic)."""
        rows = await self.tx.fetch(
            "SELECT task_id, answer FROM submissions WHERE project_id = $1"
            " AND review_state NOT IN ('rejected', 'rework') AND task_id IN ("
            " SELECT task_id FROM submissions WHERE project_id = $1 AND review_state NOT IN ('rejected', 'rework')"
            " GROUP BY task_id HAVING COUNT(*) > 1) ORDER BY task_id, id",
            project_id,
        )
        grouped: dict[int, list[dict]] = {}
        for r in rows:
            grouped.setdefault(r["task_id"], []).append(json.loads(r["answer"]))
        return grouped

    async def raise_overlap(self, task_id: int, max_overlap: int) -> bool:
        return await self.tx.execute(
            "UPDATE tasks SET overlap = overlap + 1 WHERE id = $1 AND overlap < $2", task_id, max_overlap) == 1
