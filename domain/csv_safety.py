"""CSV cells a spreadsheet cannot run: the one rule every CSV the project writes goes through.

A spreadsheet program that opens a CSV treats a cell starting with `=`, `+`, `-` or `@` as a formula
(`=HYPERLINK(...)`, `=cmd|...`), and a leading tab or carriage return can hide such a start. Following OWASP
("CSV Injection"), such a text cell gets a single quote `'` in front, so the program shows it as text, and every
text cell is written quoted (the writer's own escaping doubles any `"` inside).

Which cells: every `str` is text that may have come from a person (answers, names, notes, prompts, project
names, imported items) and is neutralized. Numbers the project writes itself — `int`, `float`, `Decimal`
(counts, seconds, scores, money amounts such as -12.50) — are written unquoted and unchanged, so they stay numbers.
A caller that has a number as a string passes it as `Decimal` (see `domain.statements.statement_csv`).

`safe_cell` is idempotent: a cell already starting with `'` is left as it is.
"""
from __future__ import annotations

import csv
from collections.abc import Iterable
from decimal import Decimal
from typing import Any, TextIO

__all__ = ["DANGEROUS_STARTS", "SafeCsvWriter", "safe_cell"]

DANGEROUS_STARTS = ("=", "+", "-", "@", "\t", "\r")


def safe_cell(value: Any) -> Any:
    """Text that a spreadsheet would evaluate gets a leading `'`; numbers, None and safe text are returned as
    they are."""
    if isinstance(value, str) and value.startswith(DANGEROUS_STARTS):
        return "'" + value
    return value


class SafeCsvWriter:
    """`csv.writer` for files people open in spreadsheets: text cells neutralized by `safe_cell` and quoted,
    numbers (`int`, `float`, `Decimal`) written bare; `None` is an empty cell, `bool` is `true`/`false`."""

    def __init__(self, out: TextIO, *, lineterminator: str = "\r\n") -> None:
        self._writer = csv.writer(out, quoting=csv.QUOTE_NONNUMERIC, lineterminator=lineterminator)

    @staticmethod
    def cell(value: Any) -> Any:
        if value is None:
            return ""
        if isinstance(value, bool):
            return "true" if value else "false"
        if isinstance(value, (int, float, Decimal)):
            return value
        return safe_cell(str(value))

    def writerow(self, cells: Iterable[Any]) -> None:
        self._writer.writerow([self.cell(c) for c in cells])

    def writerows(self, rows: Iterable[Iterable[Any]]) -> None:
        for row in rows:
            self.writerow(row)
