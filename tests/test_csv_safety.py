"""The CSV-injection rule (domain/csv_safety.py) and the pure CSV writers that use it; the files the bot sends
are checked in tests/flows/test_csv_safety.py, the CLI export in tests/test_exports.py."""
from __future__ import annotations

import csv
import io
from datetime import date
from decimal import Decimal

import pytest

from domain.csv_safety import DANGEROUS_STARTS, SafeCsvWriter, safe_cell
from domain.statements import Statement, StatementLine, statement_csv


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
    day = date(2026, 11, 20)
    bonus = StatementLine("bonus", None, day, day, None, None, None, 1500, (4,), "@reason")
    tasks = StatementLine("task", 7, day, day, 3, None, 500, 1500, (5, 6, 7))
    hours = StatementLine("adjustment", None, day, day, None, None, None, -205, (8,))
    data = statement_csv([
        Statement(1, "=HYPERLINK(\"x\")", "telegram:1", "JPY", day, day, [bonus, tasks], {7: "+Project"}),
        Statement(2, "Ana", "slack:T1/U1", "EUR", day, day, [hours]),
    ]).decode("utf-8")
    got = list(csv.DictReader(io.StringIO(data)))
    assert got[0]["person"] == "'=HYPERLINK(\"x\")" and got[1]["project"] == "'+Project" and got[0]["reason"] == "'@reason"
    assert got[0]["amount"] == "1500" and got[1]["tasks"] == "3" and got[1]["rate"] == "500"
    assert got[2]["amount"] == "-2.05" and got[2]["reason"] == "" and got[2]["statement_total"] == "-2.05"
    lines = data.splitlines()
    assert ",-2.05," in lines[3] and lines[3].startswith("2,") and ",3000," in lines[2]  # bare numbers