"""An assessment definition sent as a file: one path for the manager's chat upload, the CLI and the demo."""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from bot.core.blocks import LongText, text
from handlers.shared.context import Context
from bot.i18n.text import msg
from domain.assessment_spec import AssessmentSpec, is_assessment_file, parse_assessment
from domain.project_spec import SpecError, SpecProblem, problem_count
from handlers.shared.replies import say
from handlers.shared.reports import problem_lines
from storage.uow import UnitOfWork


@dataclass
class Created:
    assessment_id: int | None = None
    spec: AssessmentSpec | None = None
    errors: list[SpecProblem] = field(default_factory=list)  # catalog messages: the caller shows them in its locale
    exists: bool = False


async def create_assessment(uow: UnitOfWork, data: bytes, filename: str, created_by: int | None,
                            now: datetime) -> Created:
    """One path for the chat upload, the CLI and the demo."""
    try:
        spec = parse_assessment(data, filename)
    except SpecError as exc:
        return Created(errors=exc.errors)
    new_id = await uow.assessments.create(spec.id, spec.domain, spec.title, spec.model_dump_json(), created_by, now)
    if new_id is None:
        return Created(spec=spec, exists=True)
    await uow.audit.log(created_by, "assessment.created", {"assessment": new_id, "id": spec.id,
                                                            "items": len(spec.items)}, now)
    return Created(assessment_id=new_id, spec=spec)


async def assessment_upload(ctx: Context, filename: str, data: bytes) -> list | None:
    """For the manager's file upload: the reply when the file is an assessment, None when it is not."""
    if not is_assessment_file(data, filename):
        return None
    created = await create_assessment(ctx.uow, data, filename, ctx.person.id, ctx.now)
    if created.errors:
        listing = "\n".join(problem_lines(ctx, created.errors[:40]))
        count = problem_count(created.errors)
        return [ctx.reply(text(msg("assess.refused", count=count, problems=count)),
                          LongText(title=msg("assess.errors"), text=listing, filename="assessment-errors.txt"))]
    if created.exists:
        return [say("assess.exists", id=created.spec.id)]
    return [say("assess.created", len(created.spec.items), title=created.spec.title, items=len(created.spec.items))]
