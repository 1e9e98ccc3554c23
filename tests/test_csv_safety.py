"""The CSV-injection rule (domain/csv_safety.py) and the pure CSV writers that use it; the files the bot sends
are checked in tests/flows/test_csv_safety.py, the CLI export in tests/test_exports.py."""
from __future__ import annotations

import csv
import io
from decimal import Decimal

import pytest

from domain.csv_safety import DANGEROUS_STARTS, SafeCsvWriter, safe_cell
from domain.ledger import statement_csv


@pytest.mark.parametrize("start", ["=", "+", "-", "@", "\t", "\r"])
def test_each_dangerous_start_gets_a_quote(start):
    assert safe_cell(start + "HYPERLINK(\"x\")") == "'" + start + "HYPERLINK(\"x\")"
    assert safe_cell(start) == "'" + start


def test_the_list_is_owasps():
    assert set(DANGEROUS_STARTS) == {"=", "+", "-", "@", "\t", "\r"}


@pytest.mark.parametrize("value", ["plain answer", "A is better = B", "a@b.example", " =1+1", "\n=1", "1-2",
                                   "", "'=already", "'", "«=»", "ＳＵＭ", "—dash", "日本語=1"])
def test_safe_text_is_unchanged(value):
    assert safe_cell(value) == value


def test_idempotent_and_non_text_untouched():
    once = safe_cell("=1+1")
    assert safe_cell(once) == once == "'=1+1"
    for value in (None, 0, -12, -12.5, Decimal("-12.50"), True):
        assert safe_cell(value) is value


def test_huge_and_unicode():
    huge = "=" + "x" * 1_000_000
    assert safe_cell(huge) == "'" + huge
    assert safe_cell("-ñandú 🦤") == "'-ñandú 🦤"
    assert safe_cell("@\u202eevil") == "'@\u202eevil"


def written(rows) -> str:
    out = io.StringIO()
    SafeCsvWriter(out, lineterminator="\n").writerows(rows)
    return out.getvalue()


def test_writer_quotes_text_and_leaves_numbers_bare():
    data = written([["=1+1", "ok", 'say "hi"', -12, -2.5, Decimal("-12.50"), None, True, "", "-3"]])
    assert data == '"\'=1+1","ok","say ""hi""",-12,-2.5,-12.50,"","true","","\'-3"\n'
    (row,) = csv.reader(io.StringIO(data))
    assert row == ["'=1+1", "ok", 'say "hi"', "-12", "-2.5", "-12.50", "", "true", "", "'-3"]


def test_writer_embedded_newlines_and_carriage_return_round_trip():
    data = written([["\r=cmd", "line1\nline2", "x,y"]])
    (row,) = csv.reader(io.StringIO(data, newline=""))
    assert row == ["'\r=cmd", "line1\nline2", "x,y"]


def test_statement_csv_neutralizes_people_text_and_keeps_amounts_numbers():
    data = statement_csv([
        {"statement": 1, "person": "=HYPERLINK(\"x\")", "identity": "telegram:1", "currency": "JPY", "line": 4,
         "kind": "bonus", "project": "+Project", "date": "2026-11-20", "minor": 1500, "reason": "@reason"},
        {"statement": 1, "person": "Ana", "currency": "EUR", "line": 5, "kind": "hours", "date": "2026-11-21",
         "minor": -205, "reason": None},
    ]).decode("utf-8")
    got = list(csv.reader(io.StringIO(data)))
    assert got[1][1] == "'=HYPERLINK(\"x\")" and got[1][6] == "'+Project" and got[1][9] == "'@reason"
    assert got[1][8] == "1500" and got[2][8] == "-2.05" and got[2][9] == ""
    assert ",-2.05," in data.splitlines()[2] and data.splitlines()[2].startswith("1,")  # bare numbers
