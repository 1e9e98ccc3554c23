"""Where a person stands in a project, as SQL that queries embed: each figure is written once here and used both by
the repository method that reads it alone and by the queries that read several at once (/next's `Projects.work_of`,
a submission's `Submissions.standing`). `project` and `person` are SQL expressions (a parameter or a column)."""
from __future__ import annotations


def paused_there(project: str, person: str) -> str:
    """1 when a quality pause holds the person in the project (no row otherwise)."""
    return (f"SELECT 1 FROM project_pauses WHERE project_id = {project} AND person_id = {person}"
            " AND lifted_at IS NULL")


def current_version(project: str) -> str:
    """The project's current instructions version (1 while never edited)."""
    return f"SELECT COALESCE(MAX(version), 1) FROM instruction_versions WHERE project_id = {project}"


def owed_version(project: str, person: str) -> str:
    """The oldest instructions version the person has not acknowledged (NULL: none owed)."""
    return (f"SELECT MIN(version) FROM instruction_acks WHERE project_id = {project} AND person_id = {person}"
            " AND acknowledged_at IS NULL")


def served(project: str, person: str, what: str = "COUNT(*)") -> str:
    """Items served to the person in the project: `COUNT(*)` of them, or `COALESCE(SUM(is_gold), 0)`."""
    return f"SELECT {what} FROM assignments WHERE person_id = {person} AND project_id = {project}"


GOLD = "COALESCE(SUM(is_gold), 0)"
