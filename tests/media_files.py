"""Media made by the tests themselves (Pillow images, `wave` audio, a minimal MP4, PDFs) and task .zip files: shared
by the media unit tests and the media flow tests, so no test module imports another."""
from __future__ import annotations

import io
import json
import struct
import wave
import zipfile
import zlib

from PIL import Image


def image(width: int = 40, height: int = 30, fmt: str = "PNG", colour=(200, 30, 30)) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (width, height), colour).save(out, fmt)
    return out.getvalue()


def png_declaring(width: int, height: int) -> bytes:
    """A small, valid-looking PNG whose header claims `width`×`height` pixels: a decompression bomb's shape."""
    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", zlib.compress(b"\0" * 1000))
            + chunk(b"IEND", b""))


def wav(seconds: float = 1.0, rate: int = 8000) -> bytes:
    out = io.BytesIO()
    with wave.open(out, "wb") as w:
        w.setnchannels(1)
        w.setsampwidth(2)
        w.setframerate(rate)
        w.writeframes(b"\x00\x10" * int(rate * seconds))
    return out.getvalue()


def mp4(seconds: float = 2.5) -> bytes:
    """The smallest MP4 a parser reads a length from: ftyp, moov/mvhd, mdat."""
    def box(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", 8 + len(data)) + kind + data

    mvhd = box(b"mvhd", b"\0\0\0\0" + struct.pack(">IIII", 0, 0, 1000, int(seconds * 1000)) + b"\0" * 80)
    return box(b"ftyp", b"isom\0\0\2\0isomiso2mp41") + box(b"moov", mvhd) + box(b"mdat", b"\0" * 16)


WEBM_HEAD = (b"\x1aE\xdf\xa3\x9fB\x86\x81\x01B\xf7\x81\x01B\xf2\x81\x04B\xf3\x81\x08B\x82\x84webmB\x87\x81\x04"
             b"B\x85\x81\x02")
PDF = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"


def item(external_id: str, *attachments: dict, responses: int = 1, response_media: dict | None = None) -> dict:
    """A task line for a one-response project (error_check), with prompt attachments and, optionally, one medium
    on the first response."""
    rows = [{"id": f"r{i}", "text": f"Answer {i}."} for i in range(1, responses + 1)]
    if response_media is not None:
        rows[0] = {**rows[0], "attachments": [response_media]}
    return {"external_id": external_id, "prompt": "What does the chart show?", "attachments": list(attachments),
            "responses": rows}


def jsonl(*items: dict) -> bytes:
    return b"".join(json.dumps(i).encode() + b"\n" for i in items)


def bundle(files: dict[str, bytes], compression: int = zipfile.ZIP_DEFLATED) -> bytes:
    """A .zip of `files` (name → bytes), written in that order, the same bytes every time (fixed dates)."""
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", compression) as z:
        for name, data in files.items():
            info = zipfile.ZipInfo(name, date_time=(2026, 1, 1, 0, 0, 0))
            info.compress_type = compression
            info.external_attr = (0o40755 << 16) | 0x10 if name.endswith("/") else 0o100644 << 16
            z.writestr(info, data)
    return out.getvalue()


def zip_with_entry(info: zipfile.ZipInfo, data: bytes, extra: dict[str, bytes] | None = None) -> bytes:
    """A .zip with one hand-made entry (a link, an unsafe name…) and, optionally, ordinary files."""
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as z:
        for name, payload in (extra or {}).items():
            z.writestr(name, payload)
        z.writestr(info, data)
    return out.getvalue()
