import json
from datetime import UTC, datetime
from pathlib import Path

import pytest
import yaml
from pydantic import ValidationError

from bot.i18n import default_catalogs
from domain.project_spec import (
    DOMAINS,
    MAX_SPEC_BYTES,
    SPEC_RULES,
    TASK_TYPES,
    ProjectSpec,
    SpecError,
    SpecProblem,
    parse_project_spec,
    response_count_range,
)

SPECS = Path(__file__).parent / "data" / "specs"

BASE = {
    "name": "Demo",
    "domain": "medicine",
    "task_type": "error_check",
    "instructions": "Find the errors.",
    "pay": {"kind": "per_task", "amount": "1.00", "currency": "EUR"},
}

CRITERIA = [{"id": "accuracy", "label": "Accuracy", "scale": [1, 5]}]


def spec_bytes(**fields) -> bytes:
    doc = {**BASE, **fields}
    return yaml.safe_dump({k: v for k, v in doc.items() if v is not None}, allow_unicode=True).encode()


def problems(data: bytes, filename: str = "spec.yaml", locale: str = "en") -> dict[str, str]:
    """Path → the problem as the manager reads it, from the catalog of `locale` (every problem is checked in
    Spanish too: found in the catalog, every placeholder filled)."""
    with pytest.raises(SpecError) as info:
        parse_project_spec(data, filename)
    assert all(isinstance(p, SpecProblem) for p in info.value.errors)
    catalogs = default_catalogs()
    for p in info.value.errors:
        spanish = catalogs.render(p.message, "es")
        assert catalogs.has("es", p.message.key) and spanish != p.message.key, p.message
    # The "for example: …" lines that follow a problem are checked in their own tests.
    return {p.path: catalogs.render(p.message, locale) for p in info.value.errors if not p.example}


# ---------------------------------------------------------------- the example files


def test_there_is_an_example_spec_for_every_task_type():
    kinds = {parse_project_spec(p.read_bytes(), p.name).task_type for p in SPECS.iterdir()}
    assert kinds == set(TASK_TYPES)


@pytest.mark.parametrize("path", sorted(SPECS.iterdir()), ids=lambda p: p.name)
def test_example_specs_parse(path):
    spec = parse_project_spec(path.read_bytes(), path.name)
    assert spec.domain in DOMAINS
    assert spec.pay.minor > 0


def test_rating_example_in_detail():
    spec = parse_project_spec((SPECS / "rating_medicine.yaml").read_bytes(), "rating_medicine.yaml")
    assert spec.name == "Medication questions — rating"
    assert [c.id for c in spec.criteria] == ["accuracy", "safety", "completeness"]
    safety = spec.criterion("safety")
    assert safety.scale.named and safety.scale.levels == ("unsafe", "borderline", "safe")
    assert (safety.scale.min, safety.scale.max) == (0, 2)
    assert spec.criterion("accuracy").tolerance == 1
    assert spec.pay.kind == "per_task" and spec.pay.minor == 450 and spec.pay.currency == "EUR"
    assert spec.pay.money.minor == 450
    assert spec.deadline == datetime(2026, 12, 31, 23, 59, 59, tzinfo=UTC)
    assert spec.requires is not None and spec.requires.domain == "medicine" and spec.requires.level == 2
    assert spec.overlap == 3 and spec.max_overlap == 5 and spec.gold_ratio == 0.1
    assert spec.gold_hidden is True


def test_json_example_and_defaults():
    spec = parse_project_spec((SPECS / "prompt_writing_law.json").read_bytes(), "prompt_writing_law.json")
    assert spec.task_type == "prompt_writing"
    assert spec.pay.amount == "25.00" and spec.pay.minor == 2500
    assert spec.overlap == 1 and spec.lease_minutes == 120 and spec.criteria == []
    assert response_count_range(spec) == (0, 0)


def test_defaults():
    spec = parse_project_spec(spec_bytes(), "s.yaml")
    assert spec.overlap == 1
    assert spec.lease_minutes == 60
    assert spec.min_justification_chars == 40
    assert spec.gold_ratio == 0 and spec.review_share == 0
    assert spec.languages == [] and spec.deadline is None and spec.requires is None
    assert spec.rewrite_bounds == (1, 20_000)


@pytest.mark.parametrize("path", sorted(SPECS.iterdir()), ids=lambda p: p.name)
def test_specs_round_trip_through_json_for_storage(path):
    spec = parse_project_spec(path.read_bytes(), path.name)
    assert ProjectSpec.model_validate_json(spec.model_dump_json()) == spec
    assert ProjectSpec.model_validate(json.loads(spec.model_dump_json())) == spec


def test_stored_scale_form_is_checked_too():
    found = problems(spec_bytes(task_type="rating", criteria=[{"id": "a", "label": "A", "scale": {"min": 5, "max": 1}}]))
    assert "criteria[0].scale" in found


def test_spec_is_frozen():
    spec = parse_project_spec(spec_bytes(), "s.yaml")
    with pytest.raises(ValidationError):
        spec.name = "other"


# ---------------------------------------------------------------- field values


def test_whitespace_is_trimmed_and_codes_normalised():
    spec = parse_project_spec(
        spec_bytes(name="  Spaced  ", languages=["EN", "pt-br", "zh-hant-tw"], pay={"kind": "hourly", "amount": "12.5", "currency": "usd"}),
        "s.yaml",
    )
    assert spec.name == "Spaced"
    assert spec.languages == ["en", "pt-BR", "zh-Hant-TW"]
    assert spec.pay.currency == "USD" and spec.pay.amount == "12.50" and spec.pay.minor == 1250


@pytest.mark.parametrize(
    ("deadline", "expected"),
    [
        ("2026-12-01", datetime(2026, 12, 1, 23, 59, 59, tzinfo=UTC)),
        ("2026-12-01T17:00:00+02:00", datetime(2026, 12, 1, 15, 0, tzinfo=UTC)),
        ("2026-12-01T17:00:00Z", datetime(2026, 12, 1, 17, 0, tzinfo=UTC)),
    ],
)
def test_deadline_is_stored_in_utc(deadline, expected):
    assert parse_project_spec(spec_bytes(deadline=deadline), "s.yaml").deadline == expected


def test_yaml_native_timestamps():
    data = spec_bytes().decode() + "deadline: 2026-12-01 17:00:00+01:00\n"
    assert parse_project_spec(data.encode(), "s.yaml").deadline == datetime(2026, 12, 1, 16, 0, tzinfo=UTC)


@pytest.mark.parametrize("deadline", ["2026-12-01T17:00:00", "next friday", "1999-01-01", "2026-13-01", 20261201])
def test_bad_deadlines(deadline):
    assert "deadline" in problems(spec_bytes(deadline=deadline))


def test_named_and_numeric_scales():
    spec = parse_project_spec(
        spec_bytes(task_type="rating", criteria=[
            {"id": "tone", "label": "Tone", "scale": ["cold", "neutral", "warm"]},
            {"id": "depth", "label": "Depth", "scale": [0, 10], "tolerance": 2, "description": "How deep"},
        ]),
        "s.yaml",
    )
    tone, depth = spec.criteria
    assert tone.scale.position("warm") == 2 and tone.scale.position("hot") is None
    assert depth.scale.position(10) == 10 and depth.scale.position(11) is None
    assert depth.scale.position(True) is None


@pytest.mark.parametrize(
    ("scale", "fragment"),
    [
        ([5, 1], "min < max"),
        ([1, 1], "min < max"),
        ([0, 500], "101 points"),
        ([1, 2, 3], "named levels"),
        (["only"], "between 2 and 10"),
        (["a", "A"], "differ"),
        (["a", 1], "[min, max]"),
        ("1-5", "[min, max]"),
        ([True, 5], "[min, max]"),
        ([1.0, 5.0], "[min, max]"),
        ({"min": 1}, ""),
    ],
)
def test_bad_scales_are_reported_at_their_path(scale, fragment):
    found = problems(spec_bytes(task_type="rating", criteria=[{"id": "accuracy", "label": "A", "scale": scale}]))
    assert any(path.startswith("criteria[0].scale") for path in found), found
    assert any(fragment in msg for msg in found.values())


def test_unhashable_criterion_ids_do_not_crash():
    found = problems(spec_bytes(task_type="rating", criteria=[{"id": ["a"], "label": "A", "scale": [1, 5]},
                                                              {"id": {"b": 1}, "label": "B", "scale": [1, 5]}]))
    assert {"criteria[0].id", "criteria[1].id"} <= set(found)


def test_tolerance_must_fit_the_scale():
    found = problems(spec_bytes(task_type="rating", criteria=[{"id": "a", "label": "A", "scale": [1, 3], "tolerance": 2}]))
    assert "criteria[0].tolerance" in found


def test_guidelines_url_must_be_http():
    assert parse_project_spec(spec_bytes(guidelines_url="https://ex.org/g"), "s.yaml").guidelines_url == "https://ex.org/g"
    for url in ("ftp://ex.org/g", "javascript:alert(1)", "file:///etc/passwd", "https://", "http://ex ample.org"):
        assert "guidelines_url" in problems(spec_bytes(guidelines_url=url)), url


def test_requires_needs_a_qualification_or_domain():
    assert "requires" in problems(spec_bytes(requires={"level": 2}))
    found = problems(spec_bytes(requires={"domain": "astrology", "level": 9}))
    assert {"requires.domain", "requires.level"} <= set(found)


# ---------------------------------------------------------------- every error, by path


def test_every_problem_is_listed_by_path():
    data = spec_bytes(
        name="",
        domain="cooking",
        task_type="rating",
        criteria=[
            {"id": "Accuracy", "label": "Accuracy", "scale": [5, 1]},
            {"id": "safety", "label": "Safety", "scale": [1, 3], "tolerance": 7},
            {"id": "safety", "label": "Safety again", "scale": ["low", "high"]},
            {"id": "extra", "label": "X", "scale": [1, 5], "weight": 2},
        ],
        labels=["x"],
        allow_ties=True,
        overlap=50,
        max_overlap=0,
        gold_ratio=1.5,
        lease_minutes=0,
        pay={"kind": "per_hour", "amount": 2.505, "currency": "XYZ"},
        languages=["english", "en", "en"],
        guidelines_url="javascript:alert(1)",
        colour="blue",
    )
    found = problems(data)
    expected = {
        "name", "domain", "guidelines_url", "criteria[0].id", "criteria[0].scale", "criteria[1].tolerance",
        "criteria", "criteria[3].weight", "overlap", "max_overlap", "gold_ratio", "lease_minutes",
        "pay.kind", "pay.currency", "pay.amount", "languages[0]", "colour", "labels", "allow_ties",
    }
    assert expected <= set(found), set(found) ^ expected
    assert found["colour"] == "unknown field"
    assert found["criteria[3].weight"] == "unknown field"
    assert "used twice" in found["criteria"]
    assert "quoted" in found["pay.amount"]


def test_missing_required_fields_are_each_listed():
    found = problems(b"task_type: rating\n")
    assert {"name", "domain", "instructions", "pay", "criteria"} <= set(found)
    assert found["name"] == "required"


def test_cross_field_rules_run_even_when_other_fields_fail():
    found = problems(spec_bytes(task_type="labeling", labels=["only"], overlap="three"))
    assert "overlap" in found and "labels" in found


@pytest.mark.parametrize(
    ("fields", "path"),
    [
        ({"task_type": "rating"}, "criteria"),
        ({"task_type": "rating", "criteria": []}, "criteria"),
        ({"task_type": "labeling"}, "labels"),
        ({"task_type": "labeling", "labels": ["one"]}, "labels"),
        ({"task_type": "labeling", "labels": ["a", "A"]}, "labels"),
        ({"task_type": "rating", "criteria": CRITERIA, "labels": ["a", "b"]}, "labels"),
        ({"task_type": "rating", "criteria": CRITERIA, "multi_label": True}, "multi_label"),
        ({"task_type": "labeling", "labels": ["a", "b"], "criteria": CRITERIA}, "criteria"),
        ({"task_type": "rewrite", "criteria": CRITERIA}, "criteria"),
        ({"task_type": "pairwise", "allow_ties": True}, "allow_ties"),
        ({"task_type": "pairwise", "responses_per_item": 3}, "responses_per_item"),
        ({"task_type": "ranking", "responses_per_item": 2}, "responses_per_item"),
        ({"task_type": "ranking", "responses_per_item": 11}, "responses_per_item"),
        ({"task_type": "prompt_writing", "responses_per_item": 1}, "responses_per_item"),
        ({"task_type": "error_check", "responses_per_item": 0}, "responses_per_item"),
        ({"task_type": "rewrite", "rewrite_min_chars": 500, "rewrite_max_chars": 100}, "rewrite_max_chars"),
        ({"task_type": "rewrite", "rewrite_min_chars": 0}, "rewrite_min_chars"),
        ({"task_type": "error_check", "rewrite_max_chars": 100}, "rewrite_max_chars"),
        ({"task_type": "rewrite", "gold_ratio": 0.1}, "gold_ratio"),
        ({"task_type": "prompt_writing", "gold_ratio": 0.1}, "gold_ratio"),
        ({"overlap": 3, "max_overlap": 2}, "max_overlap"),
        ({"task_type": "sorting"}, "task_type"),
    ],
)
def test_cross_field_and_task_type_rules(fields, path):
    assert path in problems(spec_bytes(**fields))


@pytest.mark.parametrize(
    "fields",
    [
        {"task_type": "rating", "criteria": CRITERIA},
        {"task_type": "pairwise"},
        {"task_type": "pairwise", "criteria": CRITERIA, "responses_per_item": 2, "gold_ratio": 0.5},
        {"task_type": "ranking", "allow_ties": True, "responses_per_item": 4},
        {"task_type": "error_check", "responses_per_item": 1},
        {"task_type": "rewrite", "rewrite_min_chars": 10, "rewrite_max_chars": 10},
        {"task_type": "labeling", "labels": ["a", "b"], "multi_label": True, "gold_ratio": 1},
        {"task_type": "prompt_writing", "responses_per_item": 0},
    ],
)
def test_valid_spec_of_every_task_type(fields):
    spec = parse_project_spec(spec_bytes(**fields), "s.yaml")
    assert spec.task_type == fields["task_type"]


def test_response_count_ranges():
    def kind(task_type, **extra):
        return parse_project_spec(spec_bytes(task_type=task_type, **extra), "s.yaml")

    assert response_count_range(kind("pairwise")) == (2, 2)
    assert response_count_range(kind("ranking")) == (3, 10)
    assert response_count_range(kind("ranking", responses_per_item=4)) == (4, 4)
    assert response_count_range(kind("error_check")) == (1, 10)
    assert response_count_range(kind("prompt_writing")) == (0, 0)


def test_rules_are_data_with_ids():
    ids = [r.id for r in SPEC_RULES]
    assert len(ids) == len(set(ids)) and "rating_needs_criteria" in ids


def test_model_validate_enforces_cross_field_rules_too():
    with pytest.raises(ValidationError, match="rating project needs"):
        ProjectSpec.model_validate({**BASE, "task_type": "rating"})


# ---------------------------------------------------------------- wrong types


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("name", 5),
        ("name", ["a"]),
        ("instructions", None),
        ("overlap", "3"),
        ("overlap", 2.5),
        ("overlap", True),
        ("overlap", 10**30),
        ("lease_minutes", -5),
        ("gold_ratio", "0.1"),
        ("gold_ratio", True),
        ("gold_ratio", float("nan")),
        ("multi_label", "yes"),
        ("min_justification_chars", 1.5),
        ("criteria", "accuracy"),
        ("criteria", {"id": "a"}),
        ("labels", "a,b"),
        ("languages", "en"),
        ("pay", "10 EUR"),
        ("requires", "doctor"),
        ("domain", ["medicine"]),
    ],
)
def test_wrong_types(field, value):
    assert any(path == field or path.startswith(field + ".") or path.startswith(field + "[")
               for path in problems(spec_bytes(**{field: value})))


@pytest.mark.parametrize(
    ("pay", "path"),
    [
        ({"kind": "per_task", "amount": 12.5, "currency": "EUR"}, "pay.amount"),
        ({"kind": "per_task", "amount": "-1", "currency": "EUR"}, "pay.amount"),
        ({"kind": "per_task", "amount": "1.5", "currency": "JPY"}, "pay.amount"),
        ({"kind": "per_task", "amount": "1e9", "currency": "EUR"}, "pay.amount"),
        ({"kind": "per_task", "amount": "99999999999999999", "currency": "EUR"}, "pay.amount"),
        ({"kind": "per_task", "amount": "1", "currency": "euro"}, "pay.currency"),
        ({"kind": "per_task", "amount": "1"}, "pay.currency"),
        ({"kind": "per_task", "currency": "EUR"}, "pay.amount"),
        ({"kind": "daily", "amount": "1", "currency": "EUR"}, "pay.kind"),
        ({"kind": "per_task", "amount": "1", "currency": "EUR", "bonus": "2"}, "pay.bonus"),
    ],
)
def test_bad_pay(pay, path):
    assert path in problems(spec_bytes(pay=pay))


def test_integer_amount_is_accepted():
    assert parse_project_spec(spec_bytes(pay={"kind": "per_task", "amount": 3, "currency": "EUR"}), "s.yaml").pay.minor == 300


# ---------------------------------------------------------------- hostile files


def test_invalid_utf8_names_the_line():
    data = spec_bytes() + b"notes: caf\xe9\n"
    found = problems(data)
    assert "UTF-8" in found[""] and "line" in found[""]


def test_utf8_bom_is_fine():
    assert parse_project_spec(b"\xef\xbb\xbf" + spec_bytes(), "s.yaml").name == "Demo"


def test_file_over_the_limit_is_refused_unread():
    assert "larger" in problems(spec_bytes() + b"#" * MAX_SPEC_BYTES)[""]
    assert "larger" in problems(b"a" * 10_000_000)[""]


@pytest.mark.parametrize(
    "data",
    [b"", b"- a\n- b\n", b"just text\n", b"42\n", b"null\n", b"[]"],
)
def test_top_level_must_be_a_mapping(data):
    assert "mapping" in problems(data)[""]


def test_billion_laughs_is_refused():
    lines = ['a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]']
    for i, name in enumerate("bcdefghi"):
        prev = "abcdefghi"[i]
        lines.append(f"{name}: &{name} [" + ",".join([f"*{prev}"] * 9) + "]")
    data = ("\n".join(lines) + "\n").encode()
    assert "too large" in problems(data)[""]


def test_recursive_anchor_is_refused():
    assert "" in problems(b"name: &x [*x]\n")
    assert "" in problems(b"a: &a\n  b: *a\n")


def test_deep_nesting_is_refused():
    assert "deeply" in problems(b"name: " + b"[" * 100 + b"]" * 100 + b"\n")[""]
    assert "" in problems(b"name: " + b"[" * 200_000 + b"]" * 200_000)
    assert "" in problems(b'{"name": ' + b"[" * 200_000 + b"]" * 200_000 + b"}", "spec.json")


def test_python_tags_are_not_constructed():
    assert "" in problems(b"name: !!python/object/apply:os.system ['echo hi']\n")


def test_duplicate_keys_are_refused():
    data = spec_bytes() + b"name: Again\n"
    assert "twice" in problems(data)[""]
    doc = json.dumps(BASE)[:-1] + ', "name": "Again"}'
    assert "twice" in problems(doc.encode(), "spec.json")[""]


def test_huge_integer_is_refused_cleanly():
    data = spec_bytes().decode() + "overlap: " + "9" * 5000 + "\n"
    assert problems(data.encode())
    doc = json.dumps(BASE)[:-1] + ', "overlap": ' + "9" * 5000 + "}"
    assert problems(doc.encode(), "spec.json")


def test_json_nan_is_refused():
    doc = json.dumps(BASE)[:-1] + ', "gold_ratio": NaN}'
    assert "NaN" in problems(doc.encode(), "spec.json")[""]


@pytest.mark.parametrize("text", ["gold_ratio: .inf", "gold_ratio: .nan", "overlap: 1e3", "lease_minutes: 99999999999", "overlap: 3.0"])
def test_yaml_number_oddities(text):
    field = text.split(":")[0]
    assert field in problems(spec_bytes() + text.encode() + b"\n")


def test_yaml_syntax_error_has_a_line():
    assert "line" in problems(b"name: Demo\ninstructions: [unclosed\n")[""]


def test_json_syntax_error_has_a_line():
    assert "line" in problems(b'{"name": "Demo",\n}', "spec.json")[""]


def test_problems_read_from_the_catalog_in_each_language():
    data = spec_bytes(task_type="labeling", labels=["only"], overlap=0, colour="red",
                      pay={"kind": "per_task", "amount": "1.005", "currency": "EUR"})
    assert problems(data) == {
        "overlap": "Input should be greater than or equal to 1",
        "pay.amount": "EUR has 2 decimal places; 1.005 has more",
        "colour": "unknown field",
        "labels": "a labeling project needs at least two labels",
    }
    assert problems(data, locale="es") == {
        "overlap": "Debe ser mayor o igual que 1",
        "pay.amount": "EUR tiene 2 decimales; 1.005 tiene más",
        "colour": "campo desconocido",
        "labels": "un proyecto de etiquetado necesita al menos dos etiquetas",
    }
    assert problems(b"name: a\nname: b\n")[""] == "not valid YAML (line 2): key 'name' appears twice"
    assert problems(b"name: a\nname: b\n", locale="es")[""] == "no es YAML válido (línea 2): la clave 'name' aparece dos veces"
    assert problems(b'{"name": 1, "name": 2}', "spec.json")[""] == "not valid JSON: key 'name' appears twice"


def test_spec_error_message_lists_paths():
    with pytest.raises(SpecError) as info:
        parse_project_spec(spec_bytes(overlap=0, lease_minutes=0), "s.yaml")
    assert "overlap:" in str(info.value) and "lease_minutes:" in str(info.value)


# ---------------------------------------------------------------- fuzz: only SpecError ever escapes

from hypothesis import given, settings  # noqa: E402
from hypothesis import strategies as st  # noqa: E402

_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=20),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=10), inner, max_size=4),
    max_leaves=15,
)
_FIELDS = ["name", "domain", "task_type", "instructions", "criteria", "labels", "multi_label", "overlap", "pay",
           "requires", "languages", "deadline", "allow_ties", "gold_ratio", "responses_per_item", "scale"]


@settings(max_examples=200, deadline=None)
@given(doc=st.dictionaries(st.sampled_from(_FIELDS), _values, max_size=8))
def test_any_document_gives_a_spec_or_a_spec_error(doc):
    data = json.dumps({**BASE, **doc}).encode()
    try:
        parse_project_spec(data, "fuzz.json")
    except SpecError as e:
        assert e.errors


@settings(max_examples=200, deadline=None)
@given(data=st.binary(max_size=300))
def test_any_bytes_give_a_spec_or_a_spec_error(data):
    try:
        parse_project_spec(data, "fuzz.yaml")
    except SpecError:
        pass


@settings(max_examples=300, deadline=None)
@given(
    task_type=st.sampled_from(TASK_TYPES),
    criteria=st.lists(st.dictionaries(st.sampled_from(["id", "label", "scale", "tolerance", "description", "x"]),
                                      _values, max_size=5), max_size=3),
    labels=_values,
)
def test_any_criteria_give_a_spec_or_a_spec_error(task_type, criteria, labels):
    data = json.dumps({**BASE, "task_type": task_type, "criteria": criteria, "labels": labels}).encode()
    try:
        parse_project_spec(data, "fuzz.json")
    except SpecError as e:
        assert e.errors


def test_pay_by_qualification_level():
    spec = parse_project_spec(
        b"name: Levels\ndomain: medicine\ntask_type: rewrite\ninstructions: Improve the answer.\n"
        b"requires: {domain: medicine, level: 1}\n"
        b"pay: {kind: per_task, currency: EUR, amount: '4.00', by_level: {3: '6.5', 5: '9.00'}}\n", "levels.yaml")
    assert spec.pay.by_level == {3: "6.50", 5: "9.00"}
    assert [spec.pay.minor_for_level(n) for n in range(0, 6)] == [400, 400, 400, 650, 650, 900]
    with pytest.raises(SpecError) as err:
        parse_project_spec(
            b"name: Bad\ndomain: medicine\ntask_type: rewrite\ninstructions: x\n"
            b"pay: {kind: per_task, currency: JPY, amount: '400', by_level: {9: '1.5'}}\n", "bad.yaml")
    assert "pay.by_level" in str(err.value)
