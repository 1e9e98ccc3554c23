"""Editing a project's instructions or rubric while people work on it (issue 18, point 10).

An edit may change what people read — the instructions, the guidelines link, the gold explanation, and each
criterion's label, description and tolerance — but not what an answer is made of (criteria ids and scales, labels,
task type, pay…): answers already given must stay comparable with later ones. `changes` is the short summary
members are sent (which sections and which criteria changed); `version_given_under` is the version an answer was
given under, from the first version its author has not acknowledged yet.
"""
from __future__ import annotations

from pydantic import BaseModel

from domain.project_spec import ProjectSpec

# the sections an edit may change, in the order a summary lists them
SECTIONS = ("instructions", "guidelines_url", "gold_explanation")
CRITERION_WORDING = ("label", "description", "tolerance")


class Change(BaseModel):
    """One changed section (`instructions`, `guidelines_url`, `gold_explanation`) or criterion (`criterion`
    with its id)."""

    section: str
    criterion: str | None = None


def changes(old: ProjectSpec, new: ProjectSpec) -> list[Change]:
    found = [Change(section=s) for s in SECTIONS if getattr(old, s) != getattr(new, s)]
    before = {c.id: c for c in old.criteria}
    for criterion in new.criteria:
        previous = before.get(criterion.id)
        if previous is not None and any(getattr(previous, f) != getattr(criterion, f) for f in CRITERION_WORDING):
            found.append(Change(section="criterion", criterion=criterion.id))
    return found


def fixed_fields_changed(old: ProjectSpec, new: ProjectSpec) -> list[str]:
    """The fields `new` changes that an edit may not change (in spec order): empty when the edit is allowed."""
    refused = [name for name in ProjectSpec.model_fields
               if name not in (*SECTIONS, "criteria") and getattr(old, name) != getattr(new, name)]
    if [(c.id, c.scale) for c in old.criteria] != [(c.id, c.scale) for c in new.criteria]:
        refused.insert(0, "criteria")
    return refused


def edited(old: ProjectSpec, new: ProjectSpec) -> ProjectSpec:
    """`old` with what an edit may change taken from `new` (call after `fixed_fields_changed` came back empty)."""
    return old.model_copy(update={**{s: getattr(new, s) for s in SECTIONS}, "criteria": new.criteria})


def with_instructions(old: ProjectSpec, instructions: str) -> ProjectSpec:
    """`old` with new instructions, validated as a spec file's would be (reflowed, bounded)."""
    return ProjectSpec.model_validate({**old.model_dump(), "instructions": instructions})


def version_given_under(current: int, first_unacknowledged: int | None) -> int:
    """An answer's version: the newest its author had acknowledged — the version before the first one they still
    owe — or the current one when they owe none."""
    return current if first_unacknowledged is None else max(1, first_unacknowledged - 1)
