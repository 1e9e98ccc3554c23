"""`panelist demo`: a fresh SQLite file with demo people, and a console chat as the demo expert."""
from __future__ import annotations

import asyncio
import io
import sys
from datetime import datetime, timedelta, timezone
from importlib.resources import files
from pathlib import Path

from bot.adapters.console.adapter import ConsoleAdapter
from app.wiring import build_runtime
from app.demo_media import SPECS as MEDIA_SPECS, media_task_zip
from app.settings import Settings
from bot.i18n.text import msg
from domain.profile import ExpertProfile
from storage.uow import UnitOfWork

def _profile(domains: list[str], years: int, credentials: str, languages: list[str], zone: str) -> dict:
    return {"domains": domains, "years": years, "credentials": credentials, "languages": languages,
            "timezone": zone, "weekly_hours": 15}


DEMO_PEOPLE = {
    # console user id: (display name, roles, profile). The demo expert has none: the newcomer onboards as them.
    "manager": ("Demo Manager", ["manager"], _profile(["finance"], 9, "Operations lead", ["English"], "UTC")),
    "reviewer": ("Demo Reviewer", ["reviewer"], _profile(["medicine", "law", "finance"], 15, "MD, JD",
                                                         ["English", "Spanish"], "Europe/Madrid")),
    "expert": ("Demo Expert", [], None),
    # the experts whose week of work the demo shows (app/demo_content/history/week.yaml)
    "lucia": ("Lucía Ortega", [], _profile(["finance", "law", "medicine"], 8, "CFA; LLM in banking law",
                                           ["Spanish", "English"], "America/Mexico_City")),
    "sam": ("Sam Okafor", [], _profile(["finance"], 6, "Chartered accountant (ACCA)", ["English"], "Europe/London")),
    "mei": ("Mei Tanaka", [], _profile(["medicine", "law"], 11, "Pharmacist; paralegal", ["English", "Japanese"],
                                       "Asia/Tokyo")),
}


async def seed(runtime, now: datetime | None = None) -> None:
    """Demo people, a demo project of every task type with short realistic tasks the expert is in, and a week of
    history before `now` (app/demo_history.py). Seeding a database that has it all already adds nothing."""
    from app.demo_history import seed_history
    from handlers.shared.task_service import create_project, import_in_transaction

    now = now or datetime.now(timezone.utc)
    since = now - timedelta(days=8)  # people and projects are older than the week of history
    media_zips = await _draw_media(runtime)  # before the transaction: drawing is slow and no database work
    async with runtime.db.transaction() as tx:
        uow = UnitOfWork(tx)
        people = {}
        for user_id, (name, roles, profile) in DEMO_PEOPLE.items():
            identity = await uow.identities.find("console", "", user_id)
            if identity:
                people[user_id] = identity.person_id
                continue
            person = await uow.people.create(name, since)
            if profile is not None:  # checked by the onboarding form's own model
                data = ExpertProfile(name=name, **profile).model_dump(exclude={"name", "timezone"})
                await uow.people.update_profile(person.id, name, data, profile["timezone"], since)
            await uow.identities.create(person.id, "console", "", user_id, user_id, None, name, since)
            for role in roles:
                await uow.roles.grant(person.id, role, None, since)
            await uow.audit.log(person.id, "demo.seeded", {"user": user_id}, since)
            people[user_id] = person.id
        content = files("app").joinpath("demo_content")
        projects: dict[str, int] = {}  # spec file stem → project
        for spec_file in sorted(p for p in content.iterdir() if p.name.endswith((".yaml", ".json"))):
            stem = spec_file.name.rsplit(".", 1)[0]
            created = await create_project(uow, spec_file.read_bytes(), spec_file.name, people["manager"], since)
            if created.project_id is None:
                if created.exists:  # seeded before: the history still needs to know it
                    projects[stem] = (await uow.projects.by_name(created.spec.name)).id
                continue
            projects[stem] = created.project_id
            project = await uow.projects.get(created.project_id)
            tasks = content.joinpath(stem + ".jsonl")
            await import_in_transaction(uow, project, io.BytesIO(tasks.read_bytes()), False, since, people["manager"])
            await uow.projects.add_member(project.id, people["expert"], people["manager"], since)
            await uow.projects.add_member(project.id, people["reviewer"], people["manager"], since)
        for spec_file, bundle in media_zips.items():
            stem = spec_file.rsplit(".", 1)[0]
            created = await create_project(uow, MEDIA_SPECS[spec_file].encode(), spec_file, people["manager"], since)
            if created.project_id is None:
                continue
            projects[stem] = created.project_id
            project = await uow.projects.get(created.project_id)
            report = await import_in_transaction(uow, project, bundle, False, since, people["manager"],
                                                 blobs=runtime.blobs, filename=f"{stem}.zip")
            if not report.ok:  # the drawings are ours: a refusal is a bug, not a person's mistake
                raise ValueError(f"demo media project {spec_file}: {report}")
            await uow.projects.add_member(project.id, people["expert"], people["manager"], since)
            await uow.projects.add_member(project.id, people["reviewer"], people["manager"], since)
        await seed_history(uow, people, projects, now)


async def _draw_media(runtime) -> dict[str, bytes]:
    """The task upload (.zip) of each media project not seeded yet, its charts and pictures drawn."""
    from domain.project_spec import parse_project_spec

    async with runtime.db.transaction() as tx:
        uow = UnitOfWork(tx)
        missing = [name for name, spec in MEDIA_SPECS.items()
                   if await uow.projects.by_name(parse_project_spec(spec.encode(), name).name) is None]
    return {name: media_task_zip(name) for name in missing}


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
        files_dir = path.parent / "panelist-files"
        console = ConsoleAdapter(runtime, write, speaker="expert", files_dir=files_dir)
        write(runtime.catalogs.render(msg("demo.banner"), settings.default_locale, settings.timezone))
        write(runtime.catalogs.render(msg("demo.media", folder=str(files_dir)), settings.default_locale,
                                      settings.timezone))
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
