"""A person's data (issue 21), for `/mydata`, `/forget` and `panelist person export|forget`: everything stored
about them as a `.zip` (one JSON file per table, CSV files of hours and ledger lines with formulas neutralised, a
README), and erasing it under their pseudonym."""
from __future__ import annotations

import io
import json
import zipfile
from datetime import datetime
from typing import Any

from domain.csv_safety import SafeCsvWriter
from domain.pseudonyms import pseudonym
from storage.uow import UnitOfWork

CSV_TABLES = ("hours_entries", "ledger_lines")
JSON_COLUMNS = ("profile", "answer", "form_values", "detail", "vals", "params", "pending", "breakdown", "shuffles",
                "payload", "options")


def _readable(row: dict[str, Any]) -> dict[str, Any]:
    """Columns that hold JSON text are given back as JSON, not as strings of JSON."""
    out = {}
    for key, value in row.items():
        if key in JSON_COLUMNS and isinstance(value, str) and value[:1] in "{[\"":
            try:
                value = json.loads(value)
            except ValueError:
                pass
        out[key] = value
    return out


async def person_archive(uow: UnitOfWork, person_id: int, now: datetime) -> tuple[bytes, int]:
    """(the .zip, how many records it holds)."""
    tables = await uow.person_data.gather(person_id)
    buffer = io.BytesIO()
    records = 0
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for table, rows in tables.items():
            if not rows:
                continue
            records += len(rows)
            archive.writestr(f"{table}.json", json.dumps([_readable(r) for r in rows], ensure_ascii=False, indent=2,
                                                         default=str))
            if table in CSV_TABLES:
                text = io.StringIO()
                writer = SafeCsvWriter(text)
                writer.writerow(list(rows[0]))
                writer.writerows(list(r.values()) for r in rows)
                archive.writestr(f"{table}.csv", text.getvalue())
        archive.writestr("README.txt", (
            f"Everything Panelist stored about person #{person_id}, as of {now.isoformat(timespec='seconds')}.\n"
            "One JSON file per table; hours and ledger lines also as CSV. Times are UTC; money is in minor units\n"
            "(cents) with its currency.\n"))
    return buffer.getvalue(), records


async def erase_person(uow: UnitOfWork, pseudonym_key: bytes, person_id: int, now: datetime) -> dict[str, int]:
    """Erase now (storage/repos/person_data.py says what goes and what stays); the audit keeps that it happened,
    to whom and when, and nothing else."""
    changed = await uow.person_data.erase(person_id, pseudonym(pseudonym_key, person_id))
    await uow.audit.log(person_id, "person.erased", {}, now)
    return changed
