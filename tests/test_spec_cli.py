"""Spec files from the shell: `panelist project create` on a refused file says what is wrong (never a traceback),
`panelist spec check|new|schema|reference`, and the generated reference in docs/ matches the code."""
from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from app.cli import main
from bot.i18n.catalog import default_catalogs
from domain.assessment_spec import is_assessment_file, parse_assessment
from domain.project_spec import SpecError, parse_project_spec, problem_count
from domain.spec_reference import json_schema, reference_markdown
from domain.spec_templates import TEMPLATE_KINDS, render_template

ROOT = Path(__file__).resolve().parent.parent

WRONG_ENUM = b"""name: Triage answers
domain: medicine
task_type: rating
instructions: Rate them.
criteria: [{id: accuracy, label: Accuracy, scale: [1, 5]}]
pay: {kind: weekly, currency: EUR, amount: "2.50"}
"""
MISSING_FIELD = b"""name: Triage answers
task_type: labeling
instructions: Label them.
labels: [urgent, routine]
pay: {kind: per_task, currency: EUR, amount: "2.50"}
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


def run_cli(*args: str, cwd: Path, env: dict | None = None):
    full_env = {k: v for k, v in os.environ.items() if not k.startswith("PANELIST_")}
    full_env.update({"PYTHONPATH": str(ROOT), **(env or {})})
    return subprocess.run([sys.executable, "-m", "app.cli", *args], capture_output=True, text=True, env=full_env,
                          cwd=cwd, timeout=120)


def problem_lines(stderr: str) -> list[str]:
    return [line.strip() for line in stderr.splitlines()[1:] if line.strip()]


@pytest.mark.parametrize("content, expected", [
    (WRONG_ENUM, ["pay.kind: one of per_task, hourly",
                  'pay: for example: {kind: per_task, currency: EUR, amount: "2.50"}']),
    (MISSING_FIELD, ["domain: required, one of medicine, law, software_engineering, data_analysis, finance, "
                     "business_operations, sciences, engineering, arts_design, language_audio, humanities",
                     "domain: for example: medicine"]),
    (ASSESSMENT_WITHOUT_KIND, ["this looks like an assessment (it has items and a pass score, no task_type): add "
                               "`kind: assessment` at the top, or create it with: panelist assessment create FILE"]),
], ids=["wrong_enum", "missing_field", "assessment_without_kind"])
def test_project_create_lists_what_is_wrong_with_a_refused_spec(content, expected, tmp_path):
    (tmp_path / "spec.yaml").write_bytes(content)
    result = run_cli("project", "create", "spec.yaml", cwd=tmp_path,
                     env={"PANELIST_DATABASE_URL": f"sqlite:///{tmp_path / 'p.db'}"})
    assert result.returncode == 1, result.stderr
    assert "Traceback" not in result.stderr and "Error" not in result.stderr, result.stderr
    assert result.stderr.startswith("spec refused (1 problem); nothing was created:"), result.stderr
    assert problem_lines(result.stderr) == expected


def test_a_refused_spec_reads_in_the_cli_s_language(tmp_path):
    (tmp_path / "spec.yaml").write_bytes(WRONG_ENUM)
    result = run_cli("spec", "check", "spec.yaml", cwd=tmp_path, env={"PANELIST_DEFAULT_LOCALE": "es"})
    assert result.returncode == 1
    assert result.stderr.splitlines()[0] == "spec.yaml: 1 problema:"
    assert problem_lines(result.stderr) == ["pay.kind: uno de estos valores: per_task, hourly",
                                            'pay: por ejemplo: {kind: per_task, currency: EUR, amount: "2.50"}']


def test_spec_check_exit_codes(tmp_path, monkeypatch, capsys):
    monkeypatch.chdir(tmp_path)
    for name in [k for k in os.environ if k.startswith("PANELIST_")]:
        monkeypatch.delenv(name)
    (tmp_path / "bad.yaml").write_bytes(WRONG_ENUM)
    (tmp_path / "good.yaml").write_bytes(WRONG_ENUM.replace(b"weekly", b"hourly"))
    (tmp_path / "screening.yaml").write_bytes(ASSESSMENT_WITHOUT_KIND)
    assert main(["spec", "check", "good.yaml"]) == 0
    assert capsys.readouterr().out == "good.yaml: a valid project spec (rating)\n"
    assert main(["spec", "check", "screening.yaml"]) == 0  # an assessment without `kind` is read as one
    assert capsys.readouterr().out == "screening.yaml: a valid assessment\n"
    assert main(["spec", "check", "bad.yaml"]) == 1
    assert capsys.readouterr().err.splitlines()[0] == "bad.yaml: 1 problem:"
    assert main(["spec", "check", "nowhere.yaml"]) == 2
    (tmp_path / "screening.yaml").write_bytes(ASSESSMENT_WITHOUT_KIND.replace(b"type: choice", b"type: quiz"))
    assert main(["spec", "check", "screening.yaml"]) == 1
    assert "items[0].type: one of choice, numeric, written, task" in capsys.readouterr().err


@pytest.mark.parametrize("kind", TEMPLATE_KINDS)
def test_every_template_passes_spec_check(kind, tmp_path, monkeypatch, capsys):
    monkeypatch.chdir(tmp_path)
    assert main(["spec", "new", kind]) == 0
    template = capsys.readouterr().out
    assert template.startswith("# ") and "\n# " in template  # commented
    (tmp_path / f"{kind}.yaml").write_text(template)
    assert main(["spec", "check", f"{kind}.yaml"]) == 0, capsys.readouterr().err
    if kind == "assessment":
        assert parse_assessment(template.encode(), "a.yaml").id == "medicine_screening"
    else:
        assert parse_project_spec(template.encode(), "p.yaml").task_type == kind


def test_spanish_templates_are_commented_in_spanish_and_still_valid():
    catalogs = default_catalogs()
    for kind in TEMPLATE_KINDS:
        text = render_template(kind, lambda m: catalogs.render(m, "es"))
        assert "Compruébala con: panelist spec check FILE" in text
        if kind == "assessment":
            parse_assessment(text.encode(), "a.yaml")
        else:
            parse_project_spec(text.encode(), "p.yaml")


def test_committed_reference_and_schema_match_the_code():
    """Regenerate with `panelist spec reference > docs/spec.md` and `panelist spec schema >
    docs/panelist-spec.schema.json`."""
    assert (ROOT / "docs" / "spec.md").read_text() == reference_markdown()
    assert (ROOT / "docs" / "panelist-spec.schema.json").read_text() == json_schema()


def test_schema_names_enums_and_both_kinds_of_file():
    schema = json.loads(json_schema())
    project, assessment = (schema["$defs"][ref["$ref"].rsplit("/", 1)[-1]] for ref in schema["anyOf"])
    assert schema["$defs"]["Pay"]["properties"]["kind"]["enum"] == ["per_task", "hourly"]
    assert set(project["required"]) == {"name", "domain", "task_type", "instructions", "pay"}
    assert "items" in assessment["required"] and "kind" not in assessment["required"]
    # A scale is written as a list, so the schema must not ask editors for an object.
    assert schema["$defs"]["Criterion"]["properties"]["scale"]["type"] == "array"


def test_example_lines_are_not_counted_as_problems():
    with pytest.raises(SpecError) as info:
        parse_project_spec(WRONG_ENUM, "spec.yaml")
    assert len(info.value.errors) == 2 and problem_count(info.value.errors) == 1


def test_assessment_heuristics_leave_project_specs_alone():
    assert is_assessment_file(ASSESSMENT_WITHOUT_KIND, "screening.yaml")
    assert not is_assessment_file(WRONG_ENUM, "spec.yaml")
    # A project spec that happens to have a pass_score-like typo is still a project spec (it has a task_type).
    assert not is_assessment_file(WRONG_ENUM + b"pass_score: 0.7\nitems: []\n", "spec.yaml")


def test_readme_describes_pay_as_the_code_reads_it():
    readme = (ROOT / "README.md").read_text()
    assert "`pay` (`per_task`/`hourly`" in readme and "docs/spec.md" in readme
