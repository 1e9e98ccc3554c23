"""/progress on a rubric, on every adapter and both backends (issue 18.6): agreement is reported per criterion, by
its label and at the level of its scale, with a summary; a rejected answer does not count. Four experts agree on
accuracy and safety and disagree on completeness: the report must say so rather than "every answer was the
same". The numbers are checked against the `krippendorff` package in tests/test_reference_stats.py."""
from __future__ import annotations

import json
from datetime import datetime, timedelta, timezone

from domain.identity import parse_identity
from tests.flows.helpers import grant, rows
from tests.flows.tasks_data import seed_project

T0 = datetime(2026, 11, 20, 9, 0, tzinfo=timezone.utc)
COMPLETENESS = {"med-rate-001": [3, 4, 3, 2], "med-rate-002": [2, 4, 3, 3], "med-rate-003": [4, 3, 2, 4]}
EXPERTS = ("ana", "ben", "cy", "dan")


async def person_of(chat, user: str) -> int:
    key = parse_identity(chat.identity(user))
    (found,) = await rows(chat.runtime, "SELECT person_id FROM identities WHERE platform = $1 AND workspace = $2"
                          " AND user_id = $3", key.platform, key.workspace, key.user_id)
    return found["person_id"]


async def answered(chat, project_id: int, external_id: str, user: str, scores: dict, review_state: str) -> None:
    """A submitted answer, written as the task service stores one (an assignment, then its submission)."""
    pid = await person_of(chat, user)
    async with chat.runtime.db.transaction() as tx:
        task = await tx.fetchrow("SELECT id, is_gold FROM tasks WHERE project_id = $1 AND external_id = $2",
                                 project_id, external_id)
        slot = await tx.fetchval("SELECT COUNT(*) FROM assignments WHERE task_id = $1", task["id"])
        aid = await tx.fetchval(
            "INSERT INTO assignments (task_id, project_id, person_id, slot, status, is_gold, assigned_at,"
            " lease_expires_at) VALUES ($1, $2, $3, $4, 'submitted', $5, $6, $7) RETURNING id",
            task["id"], project_id, pid, int(slot), task["is_gold"], T0, T0 + timedelta(hours=1))
        await tx.execute(
            "INSERT INTO submissions (assignment_id, task_id, project_id, person_id, answer, seconds_spent, late,"
            " submitted_at, form_values, review_state) VALUES ($1, $2, $3, $4, $5, 120, 0, $6, '{}', $7)",
            aid, task["id"], project_id, pid,
            json.dumps({"task_type": "rating", "scores": scores, "justification": "x" * 60}), T0, review_state)


async def test_progress_reports_agreement_per_criterion_over_answers_that_were_not_rejected(chat):
    project_id = await seed_project(chat.runtime, "rating_medicine")
    for user in (*EXPERTS, "eve", "mia"):
        await chat.send(user, "/help")
    await grant(chat, "mia", "manager")
    for external_id, completeness in COMPLETENESS.items():
        for user, c in zip(EXPERTS, completeness):
            await answered(chat, project_id, external_id, user, {"accuracy": 4, "safety": "safe", "completeness": c},
                           "approved")
    # a rejected answer that disagrees on everything: left out, as the training exports leave it out
    await answered(chat, project_id, "med-rate-001", "eve", {"accuracy": 1, "safety": "unsafe", "completeness": 5},
                   "rejected")

    await chat.send("mia", "/progress Medication")
    report = chat.last("mia").text.replace("\u2068", "").replace("\u2069", "")  # the labels are isolated (bidi)
    # completeness: interval alpha −0.19277 (the `krippendorff` package's value); 4 of 18 rater pairs agree
    # per item on average: item 1 has 2 of 12 ordered pairs, items 2 and 3 the same → 1/6 = 17%
    assert ("Agreement on 3 items: mean Krippendorff's alpha -0.19 over 1 criterion where answers varied "
            "(interval), mean percent agreement 72% over all criteria") in report
    assert "• Accuracy: percent agreement 100% on 3 items; alpha is not defined because every answer was the same" \
        in report
    assert "• Safety: percent agreement 100% on 3 items; alpha is not defined because every answer was the same" \
        in report
    assert "• Completeness: Krippendorff's alpha -0.19 (interval), percent agreement 17% on 3 items" in report
    assert "alpha is not defined because every answer was the same." not in report.split("•")[0]
