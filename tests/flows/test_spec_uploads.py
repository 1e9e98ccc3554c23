"""A manager's chat upload of a spec reads the same teaching problems as the CLI (allowed values, an example), and an
assessment file without `kind: assessment` is created as the assessment it plainly is. Every adapter, both
backends."""
from __future__ import annotations

import pytest

from tests.flows.helpers import grant, rows

pytestmark = pytest.mark.filterwarnings("ignore::DeprecationWarning")

WRONG_ENUM = b"""name: Triage answers
domain: medicine
task_type: rating
instructions: Rate them.
criteria: [{id: accuracy, label: Accuracy, scale: [1, 5]}]
pay: {kind: weekly, currency: EUR, amount: "2.50"}
"""
ASSESSMENT_WITHOUT_KIND = b"""id: triage_check
domain: medicine
title: Triage check
instructions: Answer from memory.
time_limit_minutes: 15
pass_score: 0.6
items:
  - {id: q1, type: choice, prompt: "Which is a vital sign?", options: [pulse, height], correct: [pulse]}
"""


async def test_refused_spec_teaches_and_an_assessment_without_kind_is_one(chat):
    await chat.send("meg", "/help")
    await grant(chat, "meg", "manager")
    await chat.upload("meg", "triage.yaml", WRONG_ENUM)
    said = chat.texts("meg")
    assert "The spec was refused: 1 problem." in said  # the example line is not counted as a problem
    assert "pay.kind: one of per_task, hourly" in said
    assert 'pay: for example: {kind: per_task, currency: EUR, amount: "2.50"}' in said
    assert await rows(chat.runtime, "SELECT id FROM projects") == []

    await chat.upload("meg", "screening.yaml", ASSESSMENT_WITHOUT_KIND)
    assert "Assessment Triage check is created with 1 question" in chat.last("meg").text
    assert len(await rows(chat.runtime, "SELECT id FROM assessments")) == 1
    assert await rows(chat.runtime, "SELECT id FROM projects") == []
