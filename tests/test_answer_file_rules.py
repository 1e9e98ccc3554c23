"""What a file is rests on its bytes, and an answer's file is checked again against the project's rules: a client's
claim of a MIME type, or a dict made up to look like a stored file, changes nothing."""
from __future__ import annotations

import pytest

from bot.blobs import content_mime, ref_for
from bot.core.field_values import FieldInvalid, file_value, parse_raw
from bot.core.forms import FieldKind, FieldSpec
from domain.project_spec import parse_project_spec
from domain.task_import import TaskItem
from domain.task_types import AnswerInvalid, answer_questions, validate_answer
from tests.media_files import PDF, image, wav

SPEC = b"""name: Shots
domain: finance
task_type: labeling
instructions: Label the message.
labels: [fees, other]
pay: {kind: per_task, amount: "0.20", currency: EUR}
answer_file: {label: Upload a screenshot, kinds: [image], required: true}
"""
ITEM = TaskItem(external_id="x", prompt="Card charged twice", responses=[{"id": "m", "text": "Card charged twice"}])


def test_the_bytes_decide_what_a_medium_is():
    assert content_mime(image(), "application/octet-stream") == "image/png"
    assert content_mime(PDF, "image/png") == "application/octet-stream"  # not an image, whatever it claims
    assert content_mime(PDF, "application/pdf") == "application/pdf"
    assert content_mime(b"just text", "image/png") == "application/octet-stream"  # a claim the bytes do not bear
    assert content_mime(wav(), "audio/wav") == "audio/wav"  # a claim they bear stands, in its own spelling
    assert content_mime(b"a,b\n1,2\n", "text/csv; charset=utf-8") == "text/csv"
    assert ref_for(PDF, "image/png", "shot.png").mime == "application/octet-stream"


def test_a_file_step_takes_only_its_kinds():
    field = FieldSpec(id="attachment", kind=FieldKind.file, label="Shot", accept=["image"])
    assert file_value(field, ref_for(image(), "image/png", "a.png"))["mime"] == "image/png"
    with pytest.raises(FieldInvalid) as wrong:
        file_value(field, ref_for(PDF, "application/pdf", "a.pdf"))
    assert wrong.value.message.key == "form.error.file_kind"
    for hostile in ("F123", ["a", "b"], {"sha256": "../../etc/passwd", "size": 1}, {"slack_file_id": "F1"}):
        with pytest.raises(FieldInvalid):
            parse_raw(field, hostile, "en")


def test_the_answer_checks_its_file_again():
    spec = parse_project_spec(SPEC, "spec.yaml")
    assert answer_questions(spec, ITEM)[-1].kind == "file"
    shot = ref_for(image(), "image/png", "shot.png").model_dump()
    answer = validate_answer(spec, ITEM, {"labels": ["fees"], "attachment": shot})
    assert answer.attachment is not None and answer.attachment.sha256 == shot["sha256"]
    for bad in (None, {}, {"sha256": "x"}, ref_for(PDF, "application/pdf", "a.pdf").model_dump()):
        with pytest.raises(AnswerInvalid) as refused:
            validate_answer(spec, ITEM, {"labels": ["fees"], "attachment": bad})
        assert refused.value.field_id == "attachment"
