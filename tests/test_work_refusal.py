"""Why a project may not give a person a task now (`/next PROJECT`): the reason named, in a fixed order."""
from __future__ import annotations

import pytest

from domain.work_refusal import (
    CLOSED, NOT_MEMBER, NOT_QUALIFIED, PAUSED_THERE, PROJECT_PAUSED, work_refusal,
)


def test_an_open_project_a_qualified_member_may_work_in_refuses_nothing():
    assert work_refusal("open", member=True, paused_there=False, qualified=True) is None


@pytest.mark.parametrize("status, member, paused, qualified, reason", [
    ("closed", True, True, False, CLOSED),  # nothing anyone in the chat can change comes first
    ("archived", True, False, True, CLOSED),  # any other state than open or paused gives no tasks either
    ("paused", False, True, False, PROJECT_PAUSED),
    ("open", False, True, False, NOT_MEMBER),  # joining comes before anything about their work there
    ("open", True, True, False, PAUSED_THERE),
    ("open", True, False, False, NOT_QUALIFIED),
])
def test_the_first_reason_that_applies_is_named(status, member, paused, qualified, reason):
    assert work_refusal(status, member, paused, qualified) == reason
