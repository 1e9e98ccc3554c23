"""Project specs and task items built in a line, shared by the task-type tests and the turn-cache tests."""
from __future__ import annotations

from domain.project_spec import ProjectSpec
from domain.task_import import TaskItem

PAY = {"kind": "per_task", "amount": "1.00", "currency": "EUR"}


def make_spec(task_type: str, **fields) -> ProjectSpec:
    return ProjectSpec.model_validate(
        {"name": "T", "domain": "medicine", "task_type": task_type, "instructions": "Do it.", "pay": PAY, **fields}
    )


def make_item(*texts: str, **fields) -> TaskItem:
    responses = [{"id": chr(ord("a") + i), "text": t} for i, t in enumerate(texts)]
    return TaskItem.model_validate({"external_id": "x1", "prompt": "Question?", "responses": responses, **fields})
