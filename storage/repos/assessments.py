"""Assessments, attempts and answers. One attempt in progress per person and assessment (a partial unique index),
one answer per item (a unique key), one grade per answer (a conditional update)."""
from __future__ import annotations

import json
from datetime import datetime

from pydantic import BaseModel

from storage.db import Tx

_AT_COLS = ("id, assessment_id, person_id, number, status, position, shuffles, started_at, deadline_at, submitted_at,"
            " finished_at, score, breakdown, timed_out")
_AN_COLS = ("id, attempt_id, item_id, answer, answered_at, late, points, max_points, needs_grading, graded_by,"
            " graded_at, grade_comment")


class AssessmentRow(BaseModel):
    id: int
    slug: str
    domain: str
    title: str
    spec: str
    status: str
    created_by: int | None = None
    created_at: datetime


class AttemptRow(BaseModel):
    id: int
    assessment_id: int
    person_id: int
    number: int
    status: str  # active | grading | passed | failed
    position: int  # the next item to show
    shuffles: dict[str, list[int]]
    started_at: datetime
    deadline_at: datetime
    submitted_at: datetime | None = None
    finished_at: datetime | None = None
    score: float | None = None
    breakdown: list[dict] | None = None
    timed_out: bool = False


class AnswerRow(BaseModel):
    id: int
    attempt_id: int
    item_id: str
    answer: dict
    answered_at: datetime
    late: bool
    points: float | None = None
    max_points: float
    needs_grading: bool
    graded_by: int | None = None
    graded_at: datetime | None = None
    grade_comment: str | None = None


def _attempt(row: dict | None) -> AttemptRow | None:
    if row is None:
        return None
    return AttemptRow(**{**row, "shuffles": json.loads(row["shuffles"]),
                         "breakdown": json.loads(row["breakdown"]) if row["breakdown"] else None,
                         "timed_out": bool(row["timed_out"])})


def _answer(row: dict | None) -> AnswerRow | None:
    if row is None:
        return None
    return AnswerRow(**{**row, "answer": json.loads(row["answer"]), "late": bool(row["late"]),
                        "needs_grading": bool(row["needs_grading"])})


class Assessments:
    def __init__(self, tx: Tx) -> None:
        self.tx = tx

    # definitions -------------------------------------------------------------------------------------------
    async def create(self, slug: str, domain: str, title: str, spec_json: str, created_by: int | None,
                     now: datetime) -> int | None:
        """The new id, or None when an assessment with this id exists (the unique constraint decides)."""
        return await self.tx.fetchval(
            "INSERT INTO assessments (slug, domain, title, spec, created_by, created_at) VALUES ($1, $2, $3, $4, $5, $6)"
            " ON CONFLICT (slug) DO NOTHING RETURNING id",
            slug, domain, title, spec_json, created_by, now,
        )

    async def get(self, assessment_id: int) -> AssessmentRow | None:
        row = await self.tx.fetchrow(
            "SELECT id, slug, domain, title, spec, status, created_by, created_at FROM assessments WHERE id = $1",
            assessment_id)
        return AssessmentRow(**row) if row else None

    async def open_ones(self) -> list[AssessmentRow]:
        rows = await self.tx.fetch(
            "SELECT id, slug, domain, title, spec, status, created_by, created_at FROM assessments"
            " WHERE status = 'open' ORDER BY domain, title")
        return [AssessmentRow(**r) for r in rows]

    # attempts ----------------------------------------------------------------------------------------------
    async def attempts_of(self, person_id: int, assessment_id: int) -> list[AttemptRow]:
        rows = await self.tx.fetch(
            f"SELECT {_AT_COLS} FROM assessment_attempts WHERE person_id = $1 AND assessment_id = $2 ORDER BY number",
            person_id, assessment_id)
        return [_attempt(r) for r in rows]  # type: ignore[misc]

    async def start(self, assessment_id: int, person_id: int, number: int, shuffles: dict, now: datetime,
                    deadline: datetime) -> AttemptRow | None:
        """A new attempt, or None when one is in progress or this number exists (a double press)."""
        row = await self.tx.fetchrow(
            "INSERT INTO assessment_attempts (assessment_id, person_id, number, status, shuffles, started_at, deadline_at)"
            " VALUES ($1, $2, $3, 'active', $4, $5, $6) ON CONFLICT DO NOTHING"
            f" RETURNING {_AT_COLS}",
            assessment_id, person_id, number, json.dumps(shuffles), now, deadline)
        return _attempt(row)

    async def attempt(self, attempt_id: int) -> AttemptRow | None:
        return _attempt(await self.tx.fetchrow(f"SELECT {_AT_COLS} FROM assessment_attempts WHERE id = $1", attempt_id))

    async def advance(self, attempt: AttemptRow, position: int) -> bool:
        return await self.tx.execute(
            "UPDATE assessment_attempts SET position = $3 WHERE id = $1 AND status = 'active' AND position = $2",
            attempt.id, attempt.position, position) > 0

    async def close(self, attempt_id: int, status: str, now: datetime, timed_out: bool) -> bool:
        """Active → grading or scored; once (a concurrent close finds it no longer active)."""
        return await self.tx.execute(
            "UPDATE assessment_attempts SET status = $2, submitted_at = $3, timed_out = $4 WHERE id = $1 AND status = 'active'",
            attempt_id, status, now, int(timed_out)) > 0

    async def finish(self, attempt_id: int, status: str, score: float, breakdown: list[dict], now: datetime) -> bool:
        return await self.tx.execute(
            "UPDATE assessment_attempts SET status = $2, score = $3, breakdown = $4, finished_at = $5"
            " WHERE id = $1 AND status IN ('active', 'grading')",
            attempt_id, status, score, json.dumps(breakdown), now) > 0

    async def overdue(self, now: datetime, limit: int = 100) -> list[AttemptRow]:
        rows = await self.tx.fetch(
            f"SELECT {_AT_COLS} FROM assessment_attempts WHERE status = 'active' AND deadline_at < $1"
            " ORDER BY deadline_at LIMIT $2", now, limit)
        return [_attempt(r) for r in rows]  # type: ignore[misc]

    async def active_for(self, person_id: int) -> list[AttemptRow]:
        rows = await self.tx.fetch(
            f"SELECT {_AT_COLS} FROM assessment_attempts WHERE person_id = $1 AND status = 'active' ORDER BY id",
            person_id)
        return [_attempt(r) for r in rows]  # type: ignore[misc]

    # answers -----------------------------------------------------------------------------------------------
    async def save_answer(self, attempt_id: int, item_id: str, answer: dict, now: datetime, late: bool,
                          points: float | None, max_points: float, needs_grading: bool) -> bool:
        """One answer per item: a second one (a double submit, a replayed modal) changes nothing."""
        return await self.tx.execute(
            "INSERT INTO assessment_answers (attempt_id, item_id, answer, answered_at, late, points, max_points,"
            " needs_grading) VALUES ($1, $2, $3, $4, $5, $6, $7, $8) ON CONFLICT (attempt_id, item_id) DO NOTHING",
            attempt_id, item_id, json.dumps(answer, ensure_ascii=False), now, int(late), points, max_points,
            int(needs_grading)) > 0

    async def answers(self, attempt_id: int) -> list[AnswerRow]:
        rows = await self.tx.fetch(
            f"SELECT {_AN_COLS} FROM assessment_answers WHERE attempt_id = $1 ORDER BY id", attempt_id)
        return [_answer(r) for r in rows]  # type: ignore[misc]

    async def answer(self, answer_id: int) -> AnswerRow | None:
        return _answer(await self.tx.fetchrow(f"SELECT {_AN_COLS} FROM assessment_answers WHERE id = $1", answer_id))

    async def to_grade(self, grader_id: int, limit: int = 1) -> list[AnswerRow]:
        """Answers waiting for a reviewer, oldest first, never the grader's own, only of attempts awaiting grades."""
        rows = await self.tx.fetch(
            f"SELECT {', '.join('n.' + c.strip() for c in _AN_COLS.split(','))} FROM assessment_answers n"
            " JOIN assessment_attempts t ON t.id = n.attempt_id"
            " WHERE n.needs_grading = 1 AND n.graded_at IS NULL AND n.late = 0 AND t.status = 'grading'"
            " AND t.person_id <> $1 ORDER BY n.id LIMIT $2",
            grader_id, limit)
        return [_answer(r) for r in rows]  # type: ignore[misc]

    async def grade(self, answer_id: int, points: float, grader_id: int, comment: str | None, now: datetime) -> bool:
        """Once: a double press or a second reviewer finds it graded."""
        return await self.tx.execute(
            "UPDATE assessment_answers SET points = $2, graded_by = $3, graded_at = $4, grade_comment = $5"
            " WHERE id = $1 AND needs_grading = 1 AND graded_at IS NULL",
            answer_id, points, grader_id, now, comment) > 0
