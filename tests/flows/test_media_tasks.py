"""Task items with media and code, on every adapter and both backends (issue 20, points 7-9): an expert compares
two generated images and answers; an issue in code names a line range and the reviewer sees those lines; a
transcription check shows the recording with its transcript and takes an error span quoted from it.

What a person sees is read from the platform (the Telegram stand-in's messages and their files, the Slack
stand-in's uploads in the person's DM or named in its messages, the console's deliveries), by the bytes of each
medium, not by which calls carried it: galleries may go as one media group or several photos, code as one
message or several, a file uploaded once or reused by id.
"""
from __future__ import annotations

import hashlib
import io
import json
import zipfile

from tests.media_files import image, wav
from tests.flows.helpers import answer_one, grant, media_seen, rows, watch_media
from tests.flows.tasks_data import JUSTIFY, add_member

IMAGE_PAIRWISE = b"""name: Icon drafts
domain: arts_design
task_type: pairwise
instructions: |
  Two images drawn for the same request. Choose the one that follows the request better and say why.
overlap: 1
gold_ratio: 0
lease_minutes: 60
pay: {kind: per_task, amount: "2.00", currency: EUR}
languages: [en]
"""

CODE_CHECK = b"""name: Code review
domain: software_engineering
task_type: error_check
instructions: |
  Find the bugs. Point at the lines, pick a category and severity, and write the correction.
overlap: 1
gold_ratio: 0
lease_minutes: 60
pay: {kind: per_task, amount: "5.00", currency: EUR}
languages: [en]
"""

TRANSCRIPTS = b"""name: Transcript quality
domain: language_audio
task_type: error_check
instructions: |
  Listen to the recording and check its transcript: quote each wrong passage and write what was said.
overlap: 1
gold_ratio: 0
lease_minutes: 60
pay: {kind: per_task, amount: "3.00", currency: EUR}
languages: [en]
"""

CODE = '''def moving_average(values, window):
    """The mean of each run of `window` consecutive values."""
    averages = []
    for start in range(len(values) - window):
        chunk = values[start:start + window]
        averages.append(sum(chunk) / window)
    return averages
'''

TRANSCRIPT = "Take two tablets every four hours, and no more than eight tablets in a day."


def _sha(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


class Upload(dict):
    """The media of one task upload (.zip), by path inside it."""

    def attach(self, data: bytes, name: str, kind: str, alt: str) -> dict:
        self[f"media/{name}"] = data
        return {"kind": kind, "alt": alt, "path": f"media/{name}"}


async def _project(chat, spec: bytes, items: list[dict], *members: str, media: Upload | None = None) -> int:
    """A project of `spec` with `items` imported as a manager's .zip of JSON lines and media is (the importer
    checks and stores each medium), and `members` (who have talked to the bot) in it."""
    from datetime import datetime, timezone

    from handlers.shared.task_service import create_project, import_in_transaction
    from storage.uow import UnitOfWork

    bundle = io.BytesIO()
    with zipfile.ZipFile(bundle, "w") as z:
        z.writestr("tasks.jsonl", "\n".join(json.dumps(item) for item in items))
        for path, data in (media or {}).items():
            z.writestr(path, data)
    now = datetime.now(timezone.utc)
    async with chat.runtime.db.transaction() as tx:
        uow = UnitOfWork(tx)
        project_id = (await create_project(uow, spec, "spec.yaml", None, now)).project_id
        report = await import_in_transaction(uow, await uow.projects.get(project_id), bundle.getvalue(), False, now,
                                             None, blobs=chat.runtime.blobs, filename="tasks.zip")
    assert report.ok and report.imported == len(items), report
    for user in members:
        await chat.send(user, "/help")
        await add_member(chat.runtime, project_id, chat.identity(user))
    return project_id


async def test_an_expert_compares_two_generated_images_and_answers(chat):
    watched = watch_media(chat)
    red, blue, media = image(64, 48, colour="#C0392B"), image(64, 48, colour="#2E6DB4"), Upload()
    await _project(chat, IMAGE_PAIRWISE, [{
        "external_id": "house-1", "prompt": "Draw a house with a red roof.",
        "responses": [{"id": "a", "attachments": [media.attach(red, "house-red.png", "image", "a red roof")]},
                      {"id": "b", "attachments": [media.attach(blue, "house-blue.png", "image", "a blue roof")]}]}],
        "ana", media=media)

    await answer_one(chat, "ana", "pairwise_law", {"preference": "A is much better", "justification": JUSTIFY})

    seen = media_seen(chat, "ana", watched)
    assert _sha(red) in seen and _sha(blue) in seen  # both images reached the expert
    assert seen.index(_sha(red)) < seen.index(_sha(blue))  # A before B
    assert "Draw a house with a red roof." in chat.texts("ana")
    stored = await rows(chat.runtime, "SELECT answer FROM submissions")
    assert len(stored) == 1 and json.loads(stored[0]["answer"])["preference"] == "a_much_better"


async def test_an_issue_in_code_names_lines_and_the_reviewer_sees_them(chat):
    await _project(chat, CODE_CHECK, [{
        "external_id": "code-1", "prompt": "Review moving_average: every full window should be averaged.",
        "responses": [{"id": "patch", "format": "code", "language": "python", "text": CODE}]}], "ana", "rev")
    await grant(chat, "rev", "reviewer")
    project_id = (await rows(chat.runtime, "SELECT id FROM projects"))[0]["id"]
    await add_member(chat.runtime, project_id, chat.identity("rev"))

    await answer_one(chat, "ana", "pairwise_law", {
        "verdict": "Yes, I found issues", "issue.1.quote": "lines 4-5",
        "issue.1.category": "Other", "issue.1.severity": "Major",
        "issue.1.correction": "range(len(values) - window + 1): the last full window is never averaged.",
        "issue.2.quote": None})
    assert "for start in range(len(values) - window):" in chat.texts("ana")  # the code was shown
    answer = json.loads((await rows(chat.runtime, "SELECT answer FROM submissions"))[0]["answer"])
    assert answer["issues"][0]["lines"] == [4, 5] and answer["issues"][0]["response_id"] == "patch"

    await chat.send("rev", "/review")
    shown = chat.texts("rev")
    assert "Issue 1: lines 4-5" in shown
    assert "for start in range(len(values) - window):" in shown and "chunk = values[start:start + window]" in shown
    if chat.platform == "console":  # the console marks the span; other platforms show the lines under the title
        assert ">4 | " in shown.replace("> ", ">") and ">5 | " in shown.replace("> ", ">")
    await chat.press("rev", "Approve")
    assert (await rows(chat.runtime, "SELECT review_state FROM submissions"))[0]["review_state"] == "approved"


async def test_a_transcription_check_shows_the_recording_then_its_transcript(chat):
    watched = watch_media(chat)
    audio, media = wav(0.5), Upload()
    await _project(chat, TRANSCRIPTS, [{
        "external_id": "clip-1", "prompt": "Check the transcript of this pharmacist's recording.",
        "attachments": [media.attach(audio, "dosage.wav", "audio", "A pharmacist explaining a dose")],
        "responses": [{"id": "transcript", "text": TRANSCRIPT}]}], "ana", media=media)

    await answer_one(chat, "ana", "pairwise_law", {
        "verdict": "Yes, I found issues", "issue.1.quote": "every four hours",
        "issue.1.category": "Factual error", "issue.1.severity": "Major",
        "issue.1.correction": "The recording says every six hours.", "issue.2.quote": None})

    assert _sha(audio) in media_seen(chat, "ana", watched)  # the recording arrived
    assert TRANSCRIPT in chat.texts("ana")  # with its transcript
    if chat.platform == "console":  # one card: the recording above the transcript
        card = next(r.text for r in chat.received("ana") if TRANSCRIPT in r.text)
        assert card.index("dosage.wav") < card.index(TRANSCRIPT)
    answer = json.loads((await rows(chat.runtime, "SELECT answer FROM submissions"))[0]["answer"])
    assert answer["issues"][0]["quote"] == "every four hours" and answer["issues"][0]["lines"] is None


RATED_AUDIO = b"""name: Spoken answers
domain: language_audio
task_type: rating
instructions: |
  Listen to the spoken answer and rate it against the rubric.
criteria:
  - id: clarity
    label: Clarity
    scale: [1, 5]
overlap: 1
gold_ratio: 0
lease_minutes: 60
pay: {kind: per_task, amount: "2.00", currency: EUR}
languages: [en]
"""

IMAGE_LABELS = b"""name: Chart kinds
domain: data_analysis
task_type: labeling
instructions: |
  Say what kind of chart the image is.
labels: [bar_chart, line_chart, pie_chart]
overlap: 1
gold_ratio: 0
lease_minutes: 60
pay: {kind: per_task, amount: "1.00", currency: EUR}
languages: [en]
"""


async def test_a_rating_judges_a_spoken_answer_against_the_rubric(chat):
    watched = watch_media(chat)
    audio, media = wav(0.5), Upload()
    await _project(chat, RATED_AUDIO, [{
        "external_id": "spoken-1", "prompt": "Explain compound interest in one minute.",
        "responses": [{"id": "a", "attachments": [media.attach(audio, "answer.wav", "audio", "A spoken explanation")]}]}],
        "ana", media=media)

    await answer_one(chat, "ana", "pairwise_law", {
        "score.clarity": "4",
        "justification": "Clear and well paced: it defines interest on interest with a worked example of 100 EUR."})

    assert _sha(audio) in media_seen(chat, "ana", watched)
    answer = json.loads((await rows(chat.runtime, "SELECT answer FROM submissions"))[0]["answer"])
    assert answer["scores"] == {"clarity": 4}


async def test_an_expert_labels_an_image(chat):
    watched = watch_media(chat)
    chart, media = image(64, 48, colour="#4C72B0"), Upload()
    await _project(chat, IMAGE_LABELS, [{
        "external_id": "img-1", "prompt": "What kind of chart is this?",
        "responses": [{"id": "img", "attachments": [media.attach(chart, "chart.png", "image", "A chart with six bars")]}]}],
        "ana", media=media)

    await answer_one(chat, "ana", "pairwise_law", {"labels": "bar_chart", "comment": None})

    assert _sha(chart) in media_seen(chat, "ana", watched)
    answer = json.loads((await rows(chat.runtime, "SELECT answer FROM submissions"))[0]["answer"])
    assert answer["labels"] == ["bar_chart"]


CODE_REWRITE = b"""name: Fix the code
domain: software_engineering
task_type: rewrite
instructions: |
  Rewrite the method so it is correct; keep its indentation as it sits in its class.
overlap: 1
gold_ratio: 0
lease_minutes: 60
pay: {kind: per_task, amount: "4.00", currency: EUR}
languages: [en]
"""

METHOD = "    def total(self):\n        return sum(self.items[1:])\n"
FIXED_METHOD = "    def total(self):\n\t\treturn sum(self.items)"


async def test_a_rewrite_of_code_keeps_its_indentation(chat):
    await _project(chat, CODE_REWRITE, [{
        "external_id": "method-1", "prompt": "Fix total(): it should add every item.",
        "responses": [{"id": "a", "format": "code", "language": "python", "text": METHOD}]}], "ana")

    await answer_one(chat, "ana", "pairwise_law", {
        "text": "\n" + FIXED_METHOD + "\n\n", "what_was_wrong": "It skipped the first item with items[1:]."})

    answer = json.loads((await rows(chat.runtime, "SELECT answer FROM submissions"))[0]["answer"])
    assert answer["text"] == FIXED_METHOD  # the first line's four spaces and the tabs, as typed
