"""Benchmark: media in tasks (issue 20) — importing 10,000 items with images (1,000 distinct) and delivering 1,000
image messages through the Telegram stand-in.

How to run (from the repository root, with the project's venv):

    .venv/bin/python -m bench.media                 # 10,000 items, 1,000 distinct images, 1,000 deliveries
    .venv/bin/python -m bench.media --items 2000 --images 200 --sends 200   # quicker

Import: builds a `.zip` (one JSONL of rating items, each with one image by path, plus the images: 1,000 distinct
96×96 PNGs of noise, ~28 KB each) and imports it with `handlers.shared.task_service.import_file` — what
`panelist tasks import PROJECT FILE.zip` runs — into a fresh SQLite file and a local media folder. Every image is
checked by content (Pillow decodes it) once per distinct path and stored once by hash. The baseline, in the same
process, imports the same 10,000 lines without attachments (a plain JSONL). Reported: items per second for both
and their ratio, the peak RSS each import added (VmHWM, reset before each), files and bytes in the media folder.

Delivery: a real `TelegramAdapter` sends 1,000 image messages to 50 people through the Bot API stand-in, the images
taken in turn from 250 of them (so each is sent four times, to different people). Reported: the bytes the stand-in
received as uploads, against the bytes a client without `file_id` reuse would upload (every send a full upload).
"""
from __future__ import annotations

import argparse
import asyncio
import io
import json
import os
import random
import sys
import tempfile
import time
import zipfile
from datetime import datetime, timezone
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from PIL import Image  # noqa: E402

SPEC = """name: Bench — chart review
domain: data_analysis
task_type: rating
instructions: Rate how well the chart shows its data.
criteria:
  - {id: clarity, label: Clarity, scale: [1, 5]}
pay: {kind: per_task, currency: EUR, amount: "0.50"}
"""
NOW = datetime(2026, 12, 7, 12, 0, tzinfo=timezone.utc)


def noise_png(seed: int, side: int = 96) -> bytes:
    rng = random.Random(seed)
    image = Image.frombytes("RGB", (side, side), bytes(rng.getrandbits(8) for _ in range(side * side * 3)))
    out = io.BytesIO()
    image.save(out, "PNG")
    return out.getvalue()


def lines(items: int, images: int, with_media: bool) -> bytes:
    out = []
    for i in range(items):
        item = {"external_id": f"c{i}", "prompt": f"Chart {i}: monthly revenue by region.",
                "responses": [{"id": "a", "text": f"A bar chart of revenue, version {i}."}]}
        if with_media:
            item["attachments"] = [{"kind": "image", "path": f"img/{i % images}.png", "alt": f"chart {i % images}"}]
        out.append(json.dumps(item))
    return ("\n".join(out) + "\n").encode()


def _peak_reset() -> None:
    try:
        Path("/proc/self/clear_refs").write_text("5")
    except OSError:
        pass


def _peak_kib() -> int:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1])
    return 0


def _rss_kib() -> int:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1])
    return 0


async def import_run(work: Path, name: str, data: bytes, with_media: bool) -> dict:
    from handlers.shared.task_service import create_project, import_file
    from storage.blobs import LocalBlobStore
    from storage.db import open_database
    from storage.migrate import upgrade
    from storage.uow import UnitOfWork

    path = work / name
    path.write_bytes(data)
    media = work / f"media-{name}"
    async with open_database(f"sqlite:///{work / (name + '.db')}") as db:
        await upgrade(db)
        async with db.transaction() as tx:
            uow = UnitOfWork(tx)
            created = await create_project(uow, SPEC.encode(), "spec.yaml", None, NOW)
            project = await uow.projects.get(created.project_id)
        _peak_reset()
        before = _rss_kib()
        started = time.perf_counter()
        report = await import_file(db, project, str(path), False, NOW, blobs=LocalBlobStore(media))
        seconds = time.perf_counter() - started
        peak = _peak_kib() - before
    files = [p for p in media.rglob("*") if p.is_file() and not p.name.startswith(".")] if with_media else []
    return {"imported": report.imported, "problems": report.problem_count, "seconds": seconds,
            "per_second": report.imported / seconds, "peak_mib": peak / 1024, "files": len(files),
            "stored_mib": sum(p.stat().st_size for p in files) / 2**20}


async def delivery_run(work: Path, images: list[bytes], sends: int, people: int) -> dict:
    from bot.core.blocks import Media, Reply
    from bot.core.operations import SendMessage, Target
    from tests.flows.telegram import TelegramHarness

    chat = TelegramHarness(f"sqlite:///{work / 'deliver.db'}", media_url=str(work / "deliver-media"))
    await chat.start()
    try:
        users = [f"p{i}" for i in range(people)]
        for user in users:
            await chat.send(user, "/help")
        async with chat.runtime.db.transaction() as tx:
            ids = {r["user_id"]: r["person_id"] for r in await tx.fetch(
                "SELECT user_id, person_id FROM identities WHERE platform = 'telegram'")}
        person_ids = [ids[str(chat.user_id(u))] for u in users]
        refs = [await chat.runtime.blobs.put(data, "image/png", f"chart-{i}.png") for i, data in enumerate(images)]
        before, naive = chat.api.bytes_uploaded, 0
        started = time.perf_counter()
        for n in range(sends):
            ref = refs[n % len(refs)]
            naive += ref.size
            await chat.runtime.send([SendMessage(to=Target.person(person_ids[n % people]),
                                                 message=Reply(blocks=[Media(media="image", blob=ref,
                                                                             caption=f"chart {n}")]))])
        seconds = time.perf_counter() - started
        uploaded = chat.api.bytes_uploaded - before
        photos = len(chat.api.calls_of("sendPhoto"))
    finally:
        await chat.stop()
    return {"sends": sends, "seconds": seconds, "uploaded_mib": uploaded / 2**20, "naive_mib": naive / 2**20,
            "photos": photos, "distinct": len(refs)}


async def main(items: int, images: int, sends: int, people: int) -> None:
    with tempfile.TemporaryDirectory(prefix="bench-media-") as tmp:
        work = Path(tmp)
        pngs = [noise_png(i) for i in range(images)]
        bundle = io.BytesIO()
        with zipfile.ZipFile(bundle, "w", zipfile.ZIP_STORED) as z:  # PNGs do not compress further
            z.writestr("tasks.jsonl", lines(items, images, True))
            for i, data in enumerate(pngs):
                z.writestr(f"img/{i}.png", data)
        print(f"items {items}, distinct images {images} ({sum(map(len, pngs)) / 2**20:.1f} MiB), "
              f"zip {len(bundle.getvalue()) / 2**20:.1f} MiB")
        base = await import_run(work, "plain.jsonl", lines(items, images, False), False)
        media = await import_run(work, "tasks.zip", bundle.getvalue(), True)
        print(f"{'import':<26}{'items':>8}{'items/s':>10}{'peak +MiB':>11}{'files':>7}{'stored MiB':>12}")
        for label, r in (("baseline: text only", base), ("with images (zip)", media)):
            print(f"{label:<26}{r['imported']:>8}{r['per_second']:>10.0f}{r['peak_mib']:>11.1f}{r['files']:>7}"
                  f"{r['stored_mib']:>12.1f}")
        print(f"ratio with images / text only: {media['per_second'] / base['per_second']:.2f}×; "
              f"problems {media['problems']}")
        pool = pngs[: max(1, min(images, sends // 4))]  # each image sent ~4 times
        sent = await delivery_run(work, pool, sends, people)
        print(f"delivery: {sent['sends']} image messages ({sent['distinct']} distinct) in {sent['seconds']:.1f} s, "
              f"{sent['photos']} sendPhoto calls")
        print(f"bytes uploaded {sent['uploaded_mib']:.2f} MiB, without file_id reuse {sent['naive_mib']:.2f} MiB "
              f"({sent['uploaded_mib'] / sent['naive_mib']:.2f}× of it)")


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--items", type=int, default=10_000)
    parser.add_argument("--images", type=int, default=1_000)
    parser.add_argument("--sends", type=int, default=1_000)
    parser.add_argument("--people", type=int, default=50)
    args = parser.parse_args()
    os.environ.setdefault("PANELIST_MEDIA_URL", tempfile.mkdtemp(prefix="bench-media-store-"))
    asyncio.run(main(args.items, args.images, args.sends, args.people))
