"""Refusals as catalog messages: pydantic's own checks read in English exactly as pydantic words them, and in
Spanish from the Spanish catalog; our own refusals keep the message they were raised with."""
from __future__ import annotations

import string
from datetime import date
from enum import Enum
from typing import Annotated, Literal, Union

import pytest
from pydantic import BaseModel, ConfigDict, Field, Strict, StringConstraints, ValidationError, field_validator

from bot.i18n import default_catalogs
from bot.i18n.text import msg
from domain.problems import Invalid, english, problem_messages


class _Sub(BaseModel):
    a: int


class _A(BaseModel):
    kind: Literal["a"]


class _B(BaseModel):
    kind: Literal["b"]


class _Colour(Enum):
    red = "red"
    blue = "blue"


class _Everything(BaseModel):
    """One field per pydantic check that a spec, an assessment or a task line can run into."""

    model_config = ConfigDict(extra="forbid")

    s: Annotated[str, Strict()] = ""
    i: Annotated[int, Strict()] = 0
    il: int = 0
    f: Annotated[float, Strict()] = 0.0
    fl: float = 0.0
    b: Annotated[bool, Strict()] = False
    bl: bool = False
    items: list[int] = []
    mapping: dict[str, int] = {}
    finite: Annotated[float, Field(allow_inf_nan=False)] = 0.0
    day: date | None = None
    nothing: None = None
    gt: Annotated[int, Field(gt=0)] = 1
    ge: Annotated[int, Field(ge=0)] = 1
    lt: Annotated[int, Field(lt=1000)] = 1
    le: Annotated[int, Field(le=1000)] = 1
    literal: Literal["x", "y", "z"] = "x"
    colour: _Colour = _Colour.red
    pattern: Annotated[str, StringConstraints(pattern=r"^[a-z]+$")] = "a"
    sub: _Sub | None = None
    tagged: Annotated[Union[_A, _B], Field(discriminator="kind")] | None = None
    short1: Annotated[str, StringConstraints(min_length=1)] = "a"
    short3: Annotated[str, StringConstraints(min_length=3)] = "abc"
    long1: Annotated[str, StringConstraints(max_length=1)] = ""
    long1000: Annotated[str, StringConstraints(max_length=1000)] = ""
    few: Annotated[list[int], Field(min_length=2)] = [1, 2]
    many: Annotated[list[int], Field(max_length=1)] = []
    required: int = 0


class _Required(BaseModel):
    x: int


CASES = [
    ({"s": 1}, "input.string_type"), ({"i": "1"}, "input.int_type"), ({"il": "x"}, "input.int_parsing"),
    ({"il": 1.5}, "input.int_from_float"), ({"f": "1"}, "input.float_type"), ({"fl": "x"}, "input.float_parsing"),
    ({"b": "x"}, "input.bool_type"), ({"bl": "maybe"}, "input.bool_parsing"), ({"items": 1}, "input.list_type"),
    ({"mapping": 1}, "input.dict_type"), ({"finite": float("inf")}, "input.finite_number"),
    ({"day": [1]}, "input.date_type"), ({"nothing": 1}, "input.none_required"),
    ({"gt": 0}, "input.greater_than"), ({"ge": -1}, "input.greater_than_equal"), ({"lt": 1000}, "input.less_than"),
    ({"le": 1001}, "input.less_than_equal"), ({"literal": "q"}, "input.literal_error"), ({"colour": "green"}, "input.enum"),
    ({"pattern": "A"}, "input.string_pattern_mismatch"), ({"sub": 1}, "input.model_type"),
    ({"tagged": {"kind": "c"}}, "input.union_tag_invalid"), ({"tagged": {}}, "input.union_tag_not_found"),
    ({"short1": ""}, "input.string_too_short"), ({"short3": "a"}, "input.string_too_short"),
    ({"long1": "ab"}, "input.string_too_long"), ({"long1000": "a" * 1001}, "input.string_too_long"),
    ({"few": [1]}, "input.list_too_short"), ({"many": [1, 2]}, "input.list_too_long"),
]


def _only_error(model: type[BaseModel], data: dict) -> dict:
    with pytest.raises(ValidationError) as info:
        model.model_validate(data)
    (error,) = info.value.errors(include_url=False)
    return error


@pytest.mark.parametrize(("data", "key"), CASES)
def test_pydantic_checks_read_as_pydantic_words_them_in_english_and_translated_in_spanish(data, key):
    error = _only_error(_Everything, data)
    (message,) = problem_messages(error)
    assert message.key == key
    assert english(message) == error["msg"]
    spanish = default_catalogs().render(message, "es")
    assert spanish != error["msg"] and "{" not in spanish


def test_a_missing_field_and_an_unknown_one():
    missing = problem_messages(_only_error(_Required, {}))
    assert [m.key for m in missing] == ["input.missing"] and english(missing[0]) == "Field required"
    unknown = problem_messages(_only_error(_Everything, {"colour_": "red"}))
    assert english(unknown[0]) == "unknown field"
    assert default_catalogs().render(unknown[0], "es") == "campo desconocido"


def test_a_check_without_a_catalog_key_keeps_pydantic_s_words():
    error = _only_error(_Everything, {"day": "x"})  # a date that cannot be parsed: no key of its own (yet)
    (message,) = problem_messages(error)
    assert message.key == "input.other" and english(message) == error["msg"]


class _Ours(BaseModel):
    name: str

    @field_validator("name")
    @classmethod
    def _refuse(cls, value: str) -> str:
        raise Invalid(msg("spec.problem.slug"), msg("spec.problem.url"))


def test_our_refusals_keep_their_messages_through_pydantic():
    messages = problem_messages(_only_error(_Ours, {"name": "x"}))
    assert [m.key for m in messages] == ["spec.problem.slug", "spec.problem.url"]
    error = Invalid(msg("spec.problem.slug"))
    assert str(error) == "use lower-case letters, digits and _ (starting with a letter), at most 40"


def test_every_mapped_key_is_in_every_catalog_with_english_placeholders():
    keys = {key for _, key in CASES} | {"input.missing", "input.unknown_field", "input.other"}
    catalogs = default_catalogs()
    for locale in catalogs.locales():
        for key in keys:
            assert catalogs.has(locale, key), (locale, key)


def test_the_cli_keys_built_at_run_time_exist():
    catalogs = default_catalogs()
    for what in ("spec", "assessment"):
        assert catalogs.has("en", f"cli.refused.{what}") and catalogs.has("es", f"cli.refused.{what}")
        one = catalogs.render(msg(f"cli.refused.{what}", count=1), "en")
        assert one == f"{what} refused (1 problem); nothing was created:"
        fields = {f for _, f, _, _ in string.Formatter().parse(catalogs.render(msg(f"cli.refused.{what}", count=3), "es"))
                  if f}
        assert not fields
