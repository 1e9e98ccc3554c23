"""Answers with files (issue 20, point 6): a project asks for a file with every answer; the expert sends it at that
step (an upload in a chat, the file input of a Slack modal); a file of the wrong kind is refused by what its bytes
are, not by its name; the answer keeps a reference and the reviewer sees the file."""
from __future__ import annotations

import json

from tests.flows.helpers import grant, media_seen, rows, watch_media
from tests.flows.tasks_data import ANSWERS, SPECS, add_member, seed_project
from tests.media_files import PDF, image

SPEC = SPECS["labeling_finance"].read_bytes().decode().replace("gold_ratio: 0.1", "gold_ratio: 0") + (
    "review_share: 1\nanswer_file: {label: Upload a screenshot of the message, kinds: [image], required: true}\n")


async def test_an_answer_comes_with_its_file_and_the_reviewer_sees_it(chat):
    project = await seed_project(chat.runtime, "labeling_finance", spec=SPEC.encode())
    for user in ("ana", "rev"):
        await chat.send(user, "/help")
        await add_member(chat.runtime, project, chat.identity(user))
    await grant(chat, "rev", "reviewer")
    shot = image(64, 48)
    await chat.send("ana", "/next")
    answers = dict(ANSWERS["labeling_finance"])
    if getattr(chat, "forms_as_modals", False):
        answers["attachment"] = ("file", "screenshot.png", shot)
        await chat.fill_form("ana", answers, confirm=False)
    else:
        await chat.fill_form("ana", answers, confirm=False)
        assert "Upload a screenshot of the message" in chat.last("ana").text
        await chat.send("ana", "here it is")  # typed, not sent as a file
        assert "takes a file" in chat.last("ana").text
        await chat.upload("ana", "screenshot.png", PDF)  # named like an image, a PDF by its bytes
        assert "That file is a document; this question takes an image." in chat.last("ana").text
        await chat.upload("ana", "screenshot.png", shot)
    await chat.press("ana", "Submit answer")

    (stored,) = await rows(chat.runtime, "SELECT answer FROM submissions")
    attachment = json.loads(stored["answer"])["attachment"]
    assert attachment["mime"] == "image/png" and attachment["size"] == len(shot)
    assert (chat.runtime.blobs.path_of(attachment["sha256"])).read_bytes() == shot  # kept by reference, once

    watched = watch_media(chat)
    await chat.send("rev", "/review")
    assert attachment["sha256"] in media_seen(chat, "rev", watched)  # the reviewer sees the file itself
