"""Projects and who belongs to them."""
from __future__ import annotations

from bot.blobs import BlobRef
from datetime import datetime

from pydantic import BaseModel

from domain.project_names import matching_ids
from storage.db import Tx
from storage.repos import standing_sql

_COLS = "id, name, domain, task_type, spec, deadline, status, created_by, created_at"
_P_COLS = ", ".join("p." + c for c in _COLS.split(", "))
# the open and paused projects person $1 is a member of, earliest deadline first
_MEMBER_OF = (" FROM projects p JOIN project_members m ON m.project_id = p.id"
              " WHERE m.person_id = $1 AND p.status IN ('open', 'paused') ORDER BY p.deadline NULLS LAST, p.id")


class ProjectRow(BaseModel):
    id: int
    name: str
    domain: str
    task_type: str
    spec: str
    deadline: datetime | None = None
    status: str
    created_by: int | None = None
    created_at: datetime


class WorkStanding(BaseModel):
    """Where a member stands in one of their projects, for /next: paused there for quality, the oldest
    instructions version they still owe (None: none), and the items served to them so far (gold among them)."""

    paused_there: bool
    owed_version: int | None = None
    gold_served: int
    served: int


class Projects:
    def __init__(self, tx: Tx) -> None:
        self.tx = tx

    async def create(self, name: str, domain: str, task_type: str, spec_json: str, deadline: datetime | None,
                     created_by: int | None, now: datetime) -> int | None:
        """The new id, or None when a project of that name exists (the unique constraint decides)."""
        return await self.tx.fetchval(
            "INSERT INTO projects (name, domain, task_type, spec, deadline, created_by, created_at)"
            " VALUES ($1, $2, $3, $4, $5, $6, $7) ON CONFLICT (name) DO NOTHING RETURNING id",
            name, domain, task_type, spec_json, deadline, created_by, now,
        )

    async def get(self, project_id: int) -> ProjectRow | None:
        row = await self.tx.fetchrow(f"SELECT {_COLS} FROM projects WHERE id = $1", project_id)
        return ProjectRow(**row) if row else None

    async def by_name(self, name: str) -> ProjectRow | None:
        row = await self.tx.fetchrow(f"SELECT {_COLS} FROM projects WHERE lower(name) = lower($1)", name)
        return ProjectRow(**row) if row else None

    async def names(self) -> list[tuple[int, str]]:
        """Every project's (id, name), by name: the candidates a typed project name is resolved against."""
        rows = await self.tx.fetch("SELECT id, name FROM projects ORDER BY name, id")
        return [(r["id"], r["name"]) for r in rows]

    async def everything(self) -> list[ProjectRow]:
        rows = await self.tx.fetch(f"SELECT {_COLS} FROM projects ORDER BY name, id")
        return [ProjectRow(**r) for r in rows]

    async def matching(self, text: str) -> list[ProjectRow]:
        """The projects `text` names (domain.project_names): one when it decides, several when ambiguous."""
        rows = [await self.get(pid) for pid in matching_ids(text, await self.names())[:20]]
        return [r for r in rows if r is not None]

    async def open_projects(self) -> list[ProjectRow]:
        rows = await self.tx.fetch(f"SELECT {_COLS} FROM projects WHERE status = 'open' ORDER BY deadline NULLS LAST, name")
        return [ProjectRow(**r) for r in rows]

    async def staff_projects(self) -> list[ProjectRow]:
        """Every project a manager may still report on or export: open ones first, then paused, then closed (a
        closed project's answers are still wanted out)."""
        rows = await self.tx.fetch(
            f"SELECT {_COLS} FROM projects WHERE status IN ('open', 'paused', 'closed') ORDER BY"
            " CASE status WHEN 'open' THEN 0 WHEN 'paused' THEN 1 ELSE 2 END, deadline NULLS LAST, name")
        return [ProjectRow(**r) for r in rows]

    async def add_member(self, project_id: int, person_id: int, added_by: int | None, now: datetime) -> bool:
        return await self.tx.execute(
            "INSERT INTO project_members (project_id, person_id, added_by, joined_at) VALUES ($1, $2, $3, $4)"
            " ON CONFLICT (project_id, person_id) DO NOTHING",
            project_id, person_id, added_by, now,
        ) > 0

    async def member_of(self, person_id: int) -> list[ProjectRow]:
        rows = await self.tx.fetch(f"SELECT {_P_COLS}{_MEMBER_OF}", person_id)
        return [ProjectRow(**r) for r in rows]

    async def work_of(self, person_id: int) -> list[tuple[ProjectRow, WorkStanding]]:
        """`member_of`, each project with where the person stands in it: what /next weighs, read in one query."""
        rows = await self.tx.fetch(
            f"SELECT {_P_COLS},"
            f" EXISTS ({standing_sql.paused_there('p.id', '$1')}) AS paused_there,"
            f" ({standing_sql.owed_version('p.id', '$1')}) AS owed_version,"
            f" ({standing_sql.served('p.id', '$1', standing_sql.GOLD)}) AS gold_served,"
            f" ({standing_sql.served('p.id', '$1')}) AS served"
            f"{_MEMBER_OF}", person_id,
        )
        standing = ("paused_there", "owed_version", "gold_served", "served")
        return [(ProjectRow(**{k: v for k, v in r.items() if k not in standing}),
                 WorkStanding(paused_there=bool(r["paused_there"]), owed_version=r["owed_version"],
                              gold_served=int(r["gold_served"]), served=int(r["served"]))) for r in rows]

    async def members(self, project_id: int) -> list[int]:
        rows = await self.tx.fetch("SELECT person_id FROM project_members WHERE project_id = $1 ORDER BY person_id",
                                   project_id)
        return [r["person_id"] for r in rows]

    async def is_member(self, project_id: int, person_id: int) -> bool:
        return bool(await self.tx.fetchval(
            "SELECT 1 FROM project_members WHERE project_id = $1 AND person_id = $2", project_id, person_id
        ))


class Uploads:
    """Files held for a moment while a manager picks what they are for."""

    def __init__(self, tx: Tx) -> None:
        self.tx = tx

    async def put(self, person_id: int, filename: str, blob: BlobRef, now: datetime) -> int:
        """Hold an upload by reference (its bytes stay in the blob store; `data` keeps the ref as JSON)."""
        return int(await self.tx.fetchval(
            "INSERT INTO uploads (person_id, filename, data, created_at) VALUES ($1, $2, $3, $4) RETURNING id",
            person_id, filename, blob.model_dump_json(), now,
        ))

    async def take(self, upload_id: int, person_id: int) -> tuple[str, BlobRef] | None:
        """(filename, blob) once, and only for the person who sent it."""
        row = await self.tx.fetchrow(
            "DELETE FROM uploads WHERE id = $1 AND person_id = $2 RETURNING filename, data", upload_id, person_id
        )
        return (row["filename"], BlobRef.model_validate_json(row["data"])) if row else None
