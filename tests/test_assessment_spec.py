"""Assessment files: what is accepted, and every problem named by path at once."""
from __future__ import annotations

from importlib.resources import files

import pytest

from bot.i18n import default_catalogs
from domain.assessment_spec import AssessmentSpec, is_assessment_file, parse_assessment
from domain.project_spec import SpecError

BASE = """
kind: assessment
id: demo_check
domain: finance
title: Finance check
instructions: Answer every question.
time_limit_minutes: 10
pass_score: 0.75
items:
  - {id: q1, type: choice, prompt: Pick one, options: [Alpha, Beta, Gamma], correct: [Beta]}
  - {id: q2, type: choice, prompt: Pick two, options: [Alpha, Beta, Gamma], correct: [0, Gamma]}
  - {id: q3, type: numeric, prompt: A number, answer: 11576.25, tolerance: 0.01}
  - {id: q4, type: written, prompt: Explain, rubric: Says why, points: 3}
"""

TASK = """
  - id: q5
    type: task
    task: {task_type: labeling, labels: [accurate, misleading]}
    item: {prompt: "Is it?", responses: [{id: a, text: Always invest first.}], gold: {labels: [misleading]}}
"""


def parse(text: str) -> AssessmentSpec:
    return parse_assessment(text.encode(), "x.yaml")


def problems(text: str, locale: str = "en") -> list[str]:
    """Every problem as the manager reads it in `locale`, rendered from the catalog."""
    with pytest.raises(SpecError) as info:
        parse(text)
    catalogs = default_catalogs()
    return [p.render(lambda m: catalogs.render(m, locale)) for p in info.value.errors if not p.example]


def test_a_good_file_parses_with_defaults_and_positions():
    spec = parse(BASE + TASK)
    assert spec.grants == "finance" and spec.level == 2 and spec.max_attempts == 3 and spec.retake_after_days == 14
    assert spec.items[0].correct == [1] and not spec.items[0].multiple
    assert spec.items[1].correct == [0, 2] and spec.items[1].multiple
    assert spec.items[4].task.domain == "finance" and spec.items[4].item.gold == {"labels": ["misleading"]}
    assert spec.items[4].prompt == "Is it?"  # what the expert is asked defaults to the item's prompt
    assert spec.total_points == 1 + 1 + 1 + 3 + 1
    assert AssessmentSpec.model_validate_json(spec.model_dump_json()) == spec  # stored and read back unchanged


def test_pass_score_reads_percent_too():
    assert parse(BASE.replace("pass_score: 0.75", "pass_score: 75")).pass_score == 0.75
    assert any("pass_score" in p for p in problems(BASE.replace("pass_score: 0.75", "pass_score: 0")))
    assert any("pass_score" in p for p in problems(BASE.replace("pass_score: 0.75", "pass_score: 150")))


@pytest.mark.parametrize("change, where", [
    (("correct: [Beta]", "correct: [Delta]"), "items[0]"),
    (("correct: [Beta]", "correct: [7]"), "items[0]"),
    (("correct: [Beta]", "correct: [Alpha, Beta, Gamma]"), "items[0]"),
    (("correct: [Beta]", "correct: []"), "items[0].correct"),
    (("options: [Alpha, Beta, Gamma], correct: [Beta]", "options: [Beta, Beta], correct: [Beta]"), "items[0]"),
    (("answer: 11576.25", "answer: lots"), "items[2].answer"),
    (("tolerance: 0.01", "tolerance: -1"), "items[2].tolerance"),
    (("rubric: Says why, ", ""), "items[3].rubric"),
    (("points: 3", "points: 0"), "items[3].points"),
    (("id: q2", "id: q1"), "used twice"),
    (("time_limit_minutes: 10", "time_limit_minutes: 0"), "time_limit_minutes"),
    (("domain: finance", "domain: astrology"), "domain"),
    (("type: numeric", "type: essay"), "items[2]"),
])
def test_problems_are_named_by_path(change, where):
    found = problems(BASE.replace(*change))
    assert any(p.startswith(where) or where in p for p in found), found


def test_every_problem_at_once_and_unknown_fields():
    found = problems(BASE.replace("answer: 11576.25", "answer: x").replace("title: Finance check", "titel: x"))
    paths = " ".join(found)
    assert "items[2].answer" in paths and "title" in paths and "titel" in paths


def test_sample_task_needs_valid_gold_or_a_rubric():
    assert any("gold" in p for p in problems(BASE + TASK.replace("labels: [misleading]", "labels: [wrong]")))
    no_gold = TASK.replace(", gold: {labels: [misleading]}", "")
    assert any("rubric" in p for p in problems(BASE + no_gold))
    assert parse(BASE + no_gold.replace("type: task", "type: task\n    rubric: Judge the label")).items[4].auto is False
    rewrite = """
  - id: q5
    type: task
    task: {task_type: rewrite}
    item: {prompt: Fix it, responses: [{id: a, text: Bad answer.}], gold: {text: x}}
"""
    assert any("no gold" in p for p in problems(BASE + rewrite))
    pairwise_one = TASK.replace("labeling, labels: [accurate, misleading]", "pairwise").replace(
        "gold: {labels: [misleading]}", "gold: {preference: tie}")
    assert any("responses" in p for p in problems(BASE + pairwise_one))


def test_problems_read_from_the_catalog_in_each_language():
    change = BASE.replace("correct: [Beta]", "correct: [7]").replace("pass_score: 0.75", "pass_score: 150")
    assert problems(change) == [
        "pass_score: write a share such as 0.7 or a percentage such as 70",
        "items[0]: correct: position 7 is not an option (0..2)",
    ]
    assert problems(change, "es") == [
        "pass_score: escribe una proporción como 0.7 o un porcentaje como 70",
        "items[0]: correct: la posición 7 no es una opción (0..2)",
    ]
    assert problems("- just\n- a list\n") == ["the top level must be a mapping of fields (id: …)"]
    assert problems("- just\n- a list\n", "es") == ["el nivel superior debe ser un mapa de campos (id: …)"]


def test_hostile_files_are_refused_cleanly():
    assert problems("- just\n- a list\n")
    assert problems("id: a\nid: b\n")  # duplicate key
    bomb = "a: &a [x, x, x, x, x, x, x, x, x]\n" + "".join(
        f"{c}: &{c} [*{p}, *{p}, *{p}, *{p}, *{p}, *{p}, *{p}, *{p}, *{p}]\n" for p, c in zip("abcdefg", "bcdefgh"))
    assert any("too large" in p or "nested" in p for p in problems(bomb))
    with pytest.raises(SpecError):
        parse_assessment(b"\xff\xfe", "x.yaml")


def test_assessment_files_are_told_apart_from_project_specs():
    assert is_assessment_file(BASE.encode(), "anything.yaml")
    assert is_assessment_file(b"not even yaml: [", "screen.assessment.yaml")
    assert not is_assessment_file(b"name: X\ndomain: law\ntask_type: rating\n", "project.yaml")
    assert not is_assessment_file(BASE.encode(), "tasks.jsonl")


def test_the_demo_assessments_parse_and_mix_item_kinds():
    folder = files("app").joinpath("demo_content").joinpath("assessments")
    domains = set()
    for f in folder.iterdir():
        if not f.name.endswith(".yaml"):
            continue
        spec = parse_assessment(f.read_bytes(), f.name)
        domains.add(spec.domain)
        assert {i.type for i in spec.items} == {"choice", "numeric", "written", "task"}
        assert any(i.type == "choice" and i.multiple for i in spec.items)
    assert {"medicine", "law", "software_engineering", "finance"} <= domains


async def test_cli_creates_once_and_refuses_bad_files(database_url, tmp_path, capsys):
    from argparse import Namespace

    from app.assessment_cli import run
    from app.settings import Settings
    from storage.db import open_database

    settings = Settings(database_url=database_url)
    good, bad = tmp_path / "check.assessment.yaml", tmp_path / "bad.yaml"
    good.write_text(BASE + TASK)
    bad.write_text(BASE.replace("answer: 11576.25", "answer: x"))
    assert await run(settings, Namespace(assessment_command="create", file=str(good))) == 0
    assert "created assessment 'demo_check'" in capsys.readouterr().out
    assert await run(settings, Namespace(assessment_command="create", file=str(good))) == 1
    assert "exists already" in capsys.readouterr().out
    assert await run(settings, Namespace(assessment_command="create", file=str(bad))) == 1
    assert "items[2].answer" in capsys.readouterr().err
    assert await run(settings, Namespace(assessment_command="create", file=str(tmp_path / "nope.yaml"))) == 2
    assert "panelist: no such file:" in capsys.readouterr().err
    spanish = Settings(database_url=database_url, default_locale="es")
    assert await run(spanish, Namespace(assessment_command="create", file=str(bad))) == 1
    said = capsys.readouterr().err
    assert said.startswith("evaluación rechazada (1 problema); no se creó nada:\n")
    assert "items[2].answer: se esperaba un número, no texto" in said
    async with open_database(database_url) as db:
        async with db.transaction() as tx:
            assert await tx.fetchval("SELECT COUNT(*) FROM assessments") == 1
            assert await tx.fetchval("SELECT COUNT(*) FROM audit_log WHERE action = 'assessment.created'") == 1
