import io
import json
import tracemalloc

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bot.i18n import default_catalogs
from bot.i18n.text import msg
from domain import task_import
from domain.project_spec import ProjectSpec
from domain.task_import import (
    MAX_LISTED_PROBLEMS,
    GoodLine,
    ImportReport,
    LineProblem,
    TaskItem,
    iter_task_lines,
)

PAY = {"kind": "per_task", "amount": "1.00", "currency": "EUR"}


def make_spec(task_type: str, **fields) -> ProjectSpec:
    return ProjectSpec.model_validate(
        {"name": "T", "domain": "law", "task_type": task_type, "instructions": "Do it.", "pay": PAY, **fields}
    )


RATING = make_spec("rating", criteria=[{"id": "accuracy", "label": "Accuracy", "scale": [1, 5]}], gold_ratio=0.1)
PAIRWISE = make_spec("pairwise")
RANKING = make_spec("ranking")
ERROR_CHECK = make_spec("error_check")
LABELING = make_spec("labeling", labels=["fees", "fraud"])
PROMPT_WRITING = make_spec("prompt_writing")


def row(external_id="t1", n=1, **extra):
    return {"external_id": external_id, "prompt": "Question?",
            "responses": [{"id": f"r{i}", "text": f"Answer {i}."} for i in range(1, n + 1)], **extra}


def jsonl(*rows) -> bytes:
    return b"".join((r if isinstance(r, bytes) else json.dumps(r).encode()) + b"\n" for r in rows)


def run(data: bytes, spec: ProjectSpec = ERROR_CHECK, **kw):
    return list(iter_task_lines(io.BytesIO(data), spec, **kw))


def reason(problem: LineProblem, locale: str = "en") -> str:
    """The report line as a manager reading `locale` sees it (`line 3: …`), from the catalog."""
    catalogs = default_catalogs()
    return problem.render(lambda m: catalogs.render(m, locale))


def only_problem(data: bytes, spec: ProjectSpec = ERROR_CHECK, **kw) -> LineProblem:
    results = run(data, spec, **kw)
    assert len(results) == 1 and isinstance(results[0], LineProblem), results
    return results[0]


# ---------------------------------------------------------------- good files


def test_good_lines_carry_items_and_line_numbers():
    data = jsonl(row("a"), row("b", context="Some context", metadata={"source": "x", "n": [1, 2]}))
    first, second = run(data)
    assert isinstance(first, GoodLine) and first.line_no == 1 and first.item.external_id == "a"
    assert second.line_no == 2 and second.item.context == "Some context" and second.item.metadata["n"] == [1, 2]


def test_blank_lines_are_skipped_but_counted():
    data = b"\n" + jsonl(row("a")) + b"   \n\t\n" + jsonl(row("b"))
    assert [r.line_no for r in run(data)] == [2, 5]


def test_crlf_bom_and_missing_final_newline():
    data = b"\xef\xbb\xbf" + json.dumps(row("a")).encode() + b"\r\n" + json.dumps(row("b")).encode()
    results = run(data)
    assert [r.item.external_id for r in results] == ["a", "b"]


def test_empty_file():
    assert run(b"") == []


def test_each_problem_is_reported_and_good_lines_still_come_through():
    data = jsonl(row("a"), b"{not json", row("b"), b"[1, 2]", row("a"), b"\xff\xfe")
    kinds = [(r.line_no, r.code if isinstance(r, LineProblem) else "ok") for r in run(data)]
    assert kinds == [(1, "ok"), (2, "invalid_json"), (3, "ok"), (4, "not_object"), (5, "duplicate_id"), (6, "invalid_utf8")]


# ---------------------------------------------------------------- hostile lines


def test_invalid_utf8_is_reported_by_line():
    data = jsonl(row("a")) + b'{"external_id": "caf\xe9", "prompt": "x", "responses": []}\n' + jsonl(row("b"))
    results = run(data)
    assert isinstance(results[1], LineProblem) and results[1].line_no == 2 and results[1].code == "invalid_utf8"
    assert "UTF-8" in reason(results[1])
    assert isinstance(results[2], GoodLine)


class GeneratedStream:
    """A file-like object that produces a huge line lazily, so the test itself holds little memory."""

    def __init__(self, prefix: bytes, filler: bytes, size: int, suffix: bytes) -> None:
        self.parts = [prefix]
        self.remaining = size
        self.filler = filler
        self.suffix = suffix

    def read(self, n: int = -1) -> bytes:
        if self.parts:
            return self.parts.pop()
        if self.remaining > 0:
            take = min(n, self.remaining)
            self.remaining -= take
            return self.filler * take
        out, self.suffix = self.suffix, b""
        return out


def test_a_10_mb_line_is_reported_without_being_held_in_memory():
    good = jsonl(row("after"))
    stream = GeneratedStream(b'{"external_id": "huge", "prompt": "', b"x", 10_000_000, b'"}\n' + good)
    tracemalloc.start()
    try:
        results = list(iter_task_lines(stream, ERROR_CHECK))
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert isinstance(results[0], LineProblem) and results[0].code == "too_long" and results[0].line_no == 1
    assert isinstance(results[1], GoodLine) and results[1].line_no == 2
    assert peak < 3_000_000  # a few chunks plus the allowed line, never the 10 MB


def test_line_length_limit_is_exact():
    line = json.dumps(row("a")).encode()
    assert isinstance(run(line + b"\n", max_line_bytes=len(line))[0], GoodLine)
    assert run(line + b"\n", max_line_bytes=len(line) - 1)[0].code == "too_long"


@pytest.mark.parametrize("line", [b"[]", b'"text"', b"42", b"null", b"true"])
def test_non_object_lines(line):
    assert only_problem(line + b"\n").code == "not_object"


@pytest.mark.parametrize(
    "line",
    [
        b"[" * 200_000 + b"]" * 200_000,  # deep enough to exhaust the recursion limit
        b'{"external_id": "d", "prompt": "p", "metadata": ' + b'{"a": ' * 60 + b"1" + b"}" * 60 + b"}",
    ],
)
def test_deeply_nested_json_is_refused(line):
    assert only_problem(line + b"\n").code == "too_deep"


@pytest.mark.parametrize(
    "line",
    [
        b'{"external_id": "a", "external_id": "b", "prompt": "p"}',  # duplicate key
        b'{"external_id": "a", "prompt": "p", "metadata": {"x": NaN}}',
        b'{"external_id": "a", "prompt": "p", "metadata": {"x": ' + b"9" * 5000 + b"}}",
        b"{not json}",
        b'{"external_id": "a"',
    ],
)
def test_invalid_json(line):
    assert only_problem(line + b"\n").code == "invalid_json"


@pytest.mark.parametrize(
    ("fields", "fragment"),
    [
        ({"external_id": 12}, "external_id"),
        ({"external_id": ""}, "external_id"),
        ({"external_id": "x" * 201}, "external_id"),
        ({"external_id": " padded "}, "external_id"),
        ({"external_id": "tab\there"}, "external_id"),
        ({"prompt": ""}, "prompt"),
        ({"prompt": ["a"]}, "prompt"),
        ({"responses": "text"}, "responses"),
        ({"responses": [{"id": "a"}]}, "responses[0]: a response needs text or at least one attachment"),
        ({"responses": [{"id": "a", "text": ""}]}, "responses[0]: a response needs text or at least one attachment"),
        ({"responses": [{"id": "a b", "text": "t"}]}, "responses[0].id"),
        ({"responses": [{"id": "a", "text": "t", "score": 1}]}, "responses[0].score"),
        ({"responses": [{"id": "a", "text": "t"}, {"id": "a", "text": "u"}]}, "used twice"),
        ({"metadata": [1, 2]}, "metadata"),
        ({"context": 5}, "context"),
        ({"respones": []}, "respones: unknown field"),
    ],
)
def test_wrong_types_and_fields(fields, fragment):
    problem = only_problem(jsonl({**row("a"), **fields}))
    assert problem.code == "invalid_field" and fragment in reason(problem), reason(problem)


@pytest.mark.parametrize("missing", ["external_id", "prompt"])
def test_missing_fields(missing):
    data = row("a")
    del data[missing]
    problem = only_problem(jsonl(data))
    assert problem.code == "invalid_field" and missing in reason(problem)


def test_duplicate_external_id_names_the_first_line():
    results = run(jsonl(row("a"), row("b"), row("a")))
    assert isinstance(results[2], LineProblem) and results[2].code == "duplicate_id"
    assert "line 1" in reason(results[2]) and str(results[2]).startswith("line 3:")


# ---------------------------------------------------------------- response counts per task type


@pytest.mark.parametrize(
    ("spec", "good", "bad"),
    [
        (PAIRWISE, [2], [0, 1, 3]),
        (RANKING, [3, 10], [0, 2]),
        (ERROR_CHECK, [1, 2], [0]),
        (RATING, [1], [0]),
        (LABELING, [1], [0]),
        (PROMPT_WRITING, [0], [1]),
    ],
)
def test_response_count_by_task_type(spec, good, bad):
    for n in good:
        assert isinstance(run(jsonl(row("a", n)), spec)[0], GoodLine), n
    for n in bad:
        problem = only_problem(jsonl(row("a", n)), spec)
        assert problem.code == "response_count" and f"has {n}" in reason(problem)


def test_response_count_from_the_spec():
    spec = make_spec("ranking", responses_per_item=4)
    assert only_problem(jsonl(row("a", 3)), spec).code == "response_count"
    assert isinstance(run(jsonl(row("a", 4)), spec)[0], GoodLine)


def test_more_than_ten_responses_is_a_field_error():
    assert only_problem(jsonl(row("a", 11)), RANKING).code == "invalid_field"


# ---------------------------------------------------------------- gold


@pytest.mark.parametrize(
    ("spec", "n", "gold", "stored"),
    [
        (RATING, 1, {"scores": {"accuracy": 4}}, {"scores": {"accuracy": 4}}),
        (PAIRWISE, 2, {"preference": "a_better"}, {"preference": "a_better"}),
        (PAIRWISE, 2, "tie", {"preference": "tie"}),
        (RANKING, 3, {"order": ["r2", "r1", "r3"]}, {"order": [["r2"], ["r1"], ["r3"]]}),
        (RANKING, 3, ["r3", "r1", "r2"], {"order": [["r3"], ["r1"], ["r2"]]}),
        (LABELING, 1, {"labels": ["fees"]}, {"labels": ["fees"]}),
        (LABELING, 1, "fraud", {"labels": ["fraud"]}),
    ],
)
def test_valid_gold_is_stored_in_canonical_form(spec, n, gold, stored):
    result = run(jsonl(row("a", n, gold=gold)), spec)[0]
    assert isinstance(result, GoodLine) and result.item.gold == stored


def test_canonical_gold_is_what_the_gold_scorer_reads():
    from domain.gold import score_against_gold

    item = run(jsonl(row("a", 3, gold=["r2", "r1", "r3"])), RANKING)[0].item
    assert score_against_gold("ranking", {"order": [["r2"], ["r1"], ["r3"]]}, item.gold).passed
    item = run(jsonl(row("a", 1, gold="fraud")), LABELING)[0].item
    assert score_against_gold("labeling", {"labels": ["fraud"]}, item.gold).passed


@pytest.mark.parametrize(
    ("spec", "n", "gold", "fragment"),
    [
        (RATING, 1, {"scores": {"accuracy": 7}}, "score.accuracy: Choose a value from 1 to 5"),
        (RATING, 1, {"scores": {}}, "score.accuracy"),
        (PAIRWISE, 2, {"preference": "left"}, "gold.preference"),
        (RANKING, 3, {"order": ["r1", "r2"]}, "rank.r3"),
        (RANKING, 3, {"order": ["r1", "r2", "x"]}, "rank.x"),
        (LABELING, 1, {"labels": ["fees", "fraud"]}, "exactly one"),
        (LABELING, 1, {"labels": ["loans"]}, "“loans”"),
        (ERROR_CHECK, 1, {"issues": []}, "no gold"),
        (PROMPT_WRITING, 0, "anything", "no gold"),
    ],
)
def test_invalid_gold(spec, n, gold, fragment):
    problem = only_problem(jsonl(row("a", n, gold=gold)), spec)
    assert problem.code == "invalid_gold" and fragment in reason(problem), reason(problem)


def test_null_gold_means_no_gold():
    assert isinstance(run(jsonl(row("a", 1, gold=None)), ERROR_CHECK)[0], GoodLine)


# ---------------------------------------------------------------- streaming


@settings(max_examples=60, deadline=None)
@given(
    lines=st.lists(st.binary(max_size=40).map(lambda b: b.replace(b"\n", b"")), max_size=12),
    chunk=st.integers(min_value=1, max_value=17),
    final_newline=st.booleans(),
)
def test_raw_lines_split_exactly_like_splitlines_at_any_chunk_size(lines, chunk, final_newline):
    data = b"\n".join(lines) + (b"\n" if final_newline and lines else b"")
    old = task_import.CHUNK_BYTES
    task_import.CHUNK_BYTES = chunk
    try:
        got = list(task_import._raw_lines(io.BytesIO(data), 1_000))
    finally:
        task_import.CHUNK_BYTES = old
    expected = data.split(b"\n")
    if expected and expected[-1] == b"":
        expected.pop()
    assert [b for _, b in got] == expected
    assert [n for n, _ in got] == list(range(1, len(expected) + 1))


@settings(max_examples=40, deadline=None)
@given(sizes=st.lists(st.integers(min_value=0, max_value=30), max_size=8), limit=st.integers(min_value=1, max_value=25),
       chunk=st.integers(min_value=1, max_value=9))
def test_too_long_lines_are_flagged_and_the_rest_kept(sizes, limit, chunk):
    data = b"\n".join(b"x" * s for s in sizes) + b"\n" if sizes else b""
    old = task_import.CHUNK_BYTES
    task_import.CHUNK_BYTES = chunk
    try:
        got = list(task_import._raw_lines(io.BytesIO(data), limit))
    finally:
        task_import.CHUNK_BYTES = old
    assert [b is None for _, b in got] == [s > limit for s in sizes]
    assert [b for _, b in got if b is not None] == [b"x" * s for s in sizes if s <= limit]


def test_many_lines_stream_through():
    data = b"".join(json.dumps(row(f"id-{i}")).encode() + b"\n" for i in range(5_000))
    results = run(data)
    assert len(results) == 5_000 and all(isinstance(r, GoodLine) for r in results)
    assert results[-1].line_no == 5_000


# ---------------------------------------------------------------- the report and the model


def test_import_report_caps_the_listed_problems():
    report = ImportReport()
    assert report.ok
    for i in range(MAX_LISTED_PROBLEMS + 5):
        report.add_problem(LineProblem(line_no=i + 1, code="invalid_json",
                                       reasons=[msg("import.problem.json", detail="bad")]))
    assert report.problem_count == MAX_LISTED_PROBLEMS + 5 and len(report.problems) == MAX_LISTED_PROBLEMS
    assert not report.ok
    report.imported += 3
    assert ImportReport.model_validate_json(report.model_dump_json()).imported == 3


def test_report_lines_read_from_the_catalog_in_each_language():
    data = jsonl(row("a"), row("a"), {"prompt": 1, "responses": [{"id": "a b", "text": ""}]}, b"[1]")
    first, duplicate, fields, not_object = run(data)
    assert isinstance(first, GoodLine)
    assert reason(duplicate) == "line 2: external_id 'a' already used on line 1"
    assert reason(duplicate, "es") == "línea 2: external_id 'a' ya se usó en la línea 1"
    assert reason(fields) == (
        "line 3: external_id: Field required; prompt: Input should be a valid string; "
        "responses[0].id: String should match pattern '^[A-Za-z0-9][A-Za-z0-9_.-]{0,39}$'")
    assert reason(fields, "es") == (
        "línea 3: external_id: Campo obligatorio; prompt: Debe ser un texto; "
        "responses[0].id: El texto debe seguir el patrón '^[A-Za-z0-9][A-Za-z0-9_.-]{0,39}$'")
    assert reason(not_object) == "line 4: each line must be a JSON object, not list"
    assert reason(not_object, "es") == "línea 4: cada línea debe ser un objeto JSON, no list"
    gold = only_problem(jsonl(row("a", 1, gold={"scores": {"accuracy": 7}})), RATING)
    assert reason(gold) == "line 1: gold: score.accuracy: Choose a value from 1 to 5."
    assert reason(gold, "es") == "línea 1: gold: score.accuracy: Elige un valor de 1 a 5."


def test_more_than_five_field_problems_are_counted():
    fields = {"external_id": 1, "prompt": 2, "context": 3, "metadata": 4, "responses": 5, "x": 6, "y": 7}
    problem = only_problem(jsonl(fields))
    assert len(problem.reasons) == 5 and problem.more == 2
    assert reason(problem).endswith(" (and 2 more)") and reason(problem, "es").endswith(" (y 2 más)")


def test_task_item_defaults():
    item = TaskItem(external_id="x", prompt="p")
    assert item.responses == [] and item.metadata == {} and item.context is None and item.gold is None


@settings(max_examples=200, deadline=None)
@given(lines=st.lists(st.binary(max_size=120) | st.builds(lambda d: json.dumps(d).encode(), st.dictionaries(
    st.sampled_from(["external_id", "prompt", "responses", "gold", "metadata", "context", "x"]),
    st.none() | st.text(max_size=10) | st.integers() | st.lists(st.dictionaries(st.sampled_from(["id", "text"]), st.text(max_size=5)), max_size=3),
)), max_size=6), spec=st.sampled_from([RATING, PAIRWISE, RANKING, ERROR_CHECK, LABELING, PROMPT_WRITING]))
def test_any_file_gives_one_result_per_non_blank_line(lines, spec):
    data = b"\n".join(line.replace(b"\n", b" ") for line in lines)
    results = run(data, spec)
    raw = data.split(b"\n")
    if raw and raw[0].startswith(b"\xef\xbb\xbf"):
        raw[0] = raw[0][3:]
    expected = [i + 1 for i, line in enumerate(raw) if line.strip()]
    assert [r.line_no for r in results] == expected
    assert all(isinstance(r, (GoodLine, LineProblem)) for r in results)
