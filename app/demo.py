"""`panelist demo`: a fresh SQLite file with demo people, and a console chat as the demo expert."""
from __future__ import annotations

import asyncio
import io
import sys
from datetime import datetime, timezone
from importlib.resources import files
from pathlib import Path

from bot.adapters.console.adapter import ConsoleAdapter
from app.wiring import build_runtime
from app.settings import Settings
from bot.i18n.text import msg
from storage.uow import UnitOfWork

DEMO_PEOPLE = {
    # console user id: (display name, roles, profile)
    "manager": ("Demo Manager", ["manager"], None),
    "reviewer": ("Demo Reviewer", ["reviewer"], None),
    "expert": ("Demo Expert", [], None),
}


async def seed(runtime) -> None:
    """Demo people, and a demo project of every task type with short realistic tasks the expert is in."""
    from handlers.shared.task_service import create_project, import_in_transaction

    now = datetime.now(timezone.utc)
    async with runtime.db.transaction() as tx:
        uow = UnitOfWork(tx)
        people = {}
        for user_id, (name, roles, _profile) in DEMO_PEOPLE.items():
            identity = await uow.identities.find("console", "", user_id)
            if identity:
                people[user_id] = identity.person_id
                continue
            person = await uow.people.create(name, now)
            await uow.identities.create(person.id, "console", "", user_id, user_id, None, name, now)
            for role in roles:
                await uow.roles.grant(person.id, role, None, now)
            await uow.audit.log(person.id, "demo.seeded", {"user": user_id}, now)
            people[user_id] = person.id
        content = files("app").joinpath("demo_content")
        for spec_file in sorted(p for p in content.iterdir() if p.name.endswith((".yaml", ".json"))):
            created = await create_project(uow, spec_file.read_bytes(), spec_file.name, people["manager"], now)
            if created.project_id is None:
                continue
            project = await uow.projects.get(created.project_id)
            tasks = content.joinpath(spec_file.name.rsplit(".", 1)[0] + ".jsonl")
            await import_in_transaction(uow, project, io.BytesIO(tasks.read_bytes()), False, now, people["manager"])
            await uow.projects.add_member(project.id, people["expert"], people["manager"], now)
            await uow.projects.add_member(project.id, people["reviewer"], people["manager"], now)


async def seed_assessments(runtime, created_by: int | None = None) -> list[str]:
    """The demo's screening assessments (app/demo_content/assessments); returns the ids created."""
    from handlers.shared.assessment_files import create_assessment

    now = runtime.clock()
    made = []
    folder = files("app").joinpath("demo_content").joinpath("assessments")
    async with runtime.db.transaction() as tx:
        uow = UnitOfWork(tx)
        for f in sorted(p for p in folder.iterdir() if p.name.endswith((".yaml", ".yml", ".json"))):
            created = await create_assessment(uow, f.read_bytes(), f.name, created_by, now)
            if created.errors:  # the shipped files are checked by the tests; this is a bug, not a person's mistake
                raise ValueError(f"demo assessment {f.name}: " + "; ".join(str(p) for p in created.errors))
            if created.assessment_id is not None:
                made.append(created.spec.id)
    return made


async def run_demo(path: Path, interactive: bool, write=print, read_lines=None) -> None:
    if path.exists():
        for suffix in ("", "-wal", "-shm"):
            Path(str(path) + suffix).unlink(missing_ok=True)
    settings = Settings(database_url=f"sqlite:///{path}")
    runtime = build_runtime(settings)
    await runtime.start()
    try:
        await seed(runtime)
        await seed_assessments(runtime)
        console = ConsoleAdapter(runtime, write, speaker="expert", files_dir=path.parent / "panelist-files")
        write(runtime.catalogs.render(msg("demo.banner"), settings.default_locale, settings.timezone))
        write("")
        lines = read_lines() if read_lines else _stdin_lines(interactive)
        async for line in lines:
            if line.strip() in ("/quit", "/exit"):
                break
            if not interactive:
                write(f"> [{console.speaker}] {line.rstrip()}")
            await console.say(line)
    finally:
        await runtime.stop()


async def _stdin_lines(interactive: bool):
    loop = asyncio.get_running_loop()
    while True:
        if interactive:
            sys.stdout.write("> ")
            sys.stdout.flush()
        line = await loop.run_in_executor(None, sys.stdin.readline)
        if not line:
            return
        yield line
